"""Fixtures of the differential test: PostgreSQL 15 beside the shared DuckCDB server, one run of the corpus."""

from __future__ import annotations

import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.differential.harness import Run, run_corpus
from tests.pg15 import PostgresServer, pg15
from tests.server import RunningServer

__all__ = ["differential_run", "pg15"]

RUN_KEY = pytest.StashKey[Run]()


@pytest.fixture(scope="session")
def differential_run(
    request: pytest.FixtureRequest, server: RunningServer, pdb: str, pg15: PostgresServer
) -> Run:
    """The whole corpus, run once on PostgreSQL 15 and on DuckCDB's TESTPDB."""
    run = run_corpus(pg15.connect, lambda: server.connect(pdb, PDB_ADMIN, PDB_PASSWORD))
    request.config.stash[RUN_KEY] = run
    if getattr(request.config, "cache", None) is not None:
        request.config.cache.set(
            "differential/last_run",
            {
                "matching": run.matching,
                "total": run.total,
                "differences": {r.statement.id: r.diffs for r in run.results if not r.matches},
            },
        )
    return run


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        terminalreporter.write_sep("-", "differential test against PostgreSQL 15")
        terminalreporter.write_line(run.summary())
        terminalreporter.write_line("details: python -m tests.differential.report")
