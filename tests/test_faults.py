"""A statement's failure is an ErrorResponse and the session goes on (issue 12): a fault raised on
purpose in each layer a statement crosses (DUCKCDB_FAULTS=1, pgwire.faults), through the simple
and the extended protocol, inside and outside a transaction block; then the next statement runs
on the same connection."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.server import RunningServer, start_server

LAYERS = ["split", "rewrite", "policy", "engine", "encoder"]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, str]]:
    srv = start_server(tmp_path_factory.mktemp("faults") / "data", env={"DUCKCDB_FAULTS": "1"})
    name = "F" + uuid.uuid4().hex[:8].upper()
    with srv.connect(autocommit=True) as root:
        root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    yield srv, name
    srv.stop()


def _statement(layer: str) -> str:
    return f"SELECT /*fault:{layer}*/ 41 + 1 AS answer" if layer != "split" else "/*fault:split*/ SELECT 42"


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("prepare", [False, True], ids=["simple", "extended"])
def test_a_fault_in_any_layer_fails_only_its_statement(faulty, layer: str, prepare: bool) -> None:
    srv, name = faulty
    with srv.connect(name, "adm", "Adm-Pw-1", autocommit=True) as c:
        with pytest.raises(psycopg.errors.InternalError_) as ei:
            c.execute(_statement(layer), prepare=prepare)
        assert "fault injected" in str(ei.value) or "internal error" in str(ei.value)
        assert c.execute("select 40 + 2", prepare=prepare).fetchone() == (42,)


@pytest.mark.parametrize("layer", LAYERS)
def test_a_fault_in_a_transaction_aborts_it_and_rollback_recovers(faulty, layer: str) -> None:
    srv, name = faulty
    with srv.connect(name, "adm", "Adm-Pw-1") as c:
        c.execute("select 1")
        with pytest.raises(psycopg.errors.InternalError_):
            c.execute(_statement(layer))
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            c.execute("select 2")
        c.rollback()
        assert c.execute("select 3").fetchone() == (3,)


def test_a_fault_in_a_container_command_fails_only_that_command(faulty) -> None:
    srv, _ = faulty
    with srv.connect(autocommit=True) as root:
        with pytest.raises(psycopg.errors.InternalError_, match="internal error"):
            root.execute("ALTER SESSION SET /*fault:command*/ CONTAINER = CDB$ROOT")
        assert root.execute("select 42").fetchone() == (42,)
        assert "fault injected in the command" in Path(srv.log).read_text()
