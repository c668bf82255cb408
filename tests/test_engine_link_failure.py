"""An engine the proxy starts but cannot link to (its Hello unanswered) is ended at once: it would
serve nobody, never count itself orphaned (that starts from a lost link) and keep its PDB's DuckDB
file locked, so that the next OPEN of the PDB failed until someone killed it."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from pgwire import control
from pgwire.errors import DbError
from proxy.supervisor import EngineProcess
from tests.unit.engine_spec import engine_spec


class _Unanswered(EngineProcess):
    """A real engine whose link handshake times out, as an engine too busy to answer in time."""

    async def connect(self, handlers, hello):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
        raise TimeoutError()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_an_engine_that_never_links_is_ended_and_frees_its_pdb(tmp_path: Path) -> None:
    spec = engine_spec(tmp_path / "pdb")
    spec.socket_path = str(tmp_path / "e.sock")

    async def run() -> None:
        failed = _Unanswered(spec, lambda eng: None)
        with pytest.raises(DbError) as e:
            await failed.start(60, {}, control.Hello())
        assert e.value.sqlstate == "58000" and "did not answer its control link" in e.value.message
        assert failed.pid is not None and not _alive(failed.pid)
        assert not failed.registration.exists()
        # The PDB's file is free: the next engine opens it and links.
        fresh = EngineProcess(spec, lambda eng: None)
        await fresh.start(60, {}, control.Hello())
        try:
            assert fresh.link is not None and _alive(fresh.pid or 0)
        finally:
            await fresh.stop(10)

    asyncio.run(run())
