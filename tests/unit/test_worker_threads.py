"""DuckDB's worker threads of a PDB's engine (engine.threads): the tier's number for every statement
not known to be quick, none of their own while only quick statements run. Real DuckDB databases
opened as the engine opens them; what a statement runs with is DuckDB's own threads setting,
read by the statement itself."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from engine.database import Database
from engine.session import EngineSession
from engine.threads import QUICK_CPU_S, WorkerThreads, learn_quick, learn_quick_by_wall, timed_by_wall
from tests.unit.engine_spec import engine_spec

THREADS_SQL = "SELECT current_setting('threads') AS n"
# A statement with real work: a parallel scan of a few row groups.
BIG_SQL = "SELECT current_setting('threads') AS n, count(*) AS c FROM big WHERE i % 7 = 3"


@pytest.fixture
def db(tmp_path: Path):
    database = Database(engine_spec(tmp_path / "pdb", 2))
    database.workers.linger_s = 0  # no wait before going back to 1 (the tests hold no time)
    database.cursor().execute("CREATE TABLE big AS SELECT i FROM range(500000) t(i)")
    yield database
    database.con.close()


def _first_value(out: list[bytes]) -> str:
    """The first column of the first DataRow of a response."""
    data = b"".join(out)
    at = data.index(b"D")
    (length,) = struct.unpack("!i", data[at + 7 : at + 11])
    return data[at + 11 : at + 11 + length].decode()


def _run(ex: EngineSession, sql: str, hint: dict) -> str:
    out: list[bytes] = []
    assert ex.op_query([{"sql": sql, "kind": "select", "tag": "SELECT", "hint": hint}], out.append), out
    return _first_value(out)


def _session(db: Database) -> EngineSession:
    ex = EngineSession(db.cursor(), 1, False, workers=db.workers)
    ex.passed(THREADS_SQL, BIG_SQL)
    return ex


def test_a_statement_not_known_quick_runs_with_the_tiers_threads(db: Database) -> None:
    ex = _session(db)
    assert _run(ex, THREADS_SQL, {"quick": True}) == "1"  # only quick ones ran: DuckDB's threads = 1
    assert _run(ex, BIG_SQL, {}) == "2"  # a shape never seen: the tier's CPU_COUNT
    assert _run(ex, THREADS_SQL, {"quick": True}) == "1"
    big: dict = {}
    assert _run(ex, BIG_SQL, big) == "2"
    assert "quick" not in big or _run(ex, BIG_SQL, big) == "1"  # (quick only if it took < 2 ms)
    ex.close()


def test_a_quick_statement_leaves_the_threads_of_a_running_one(db: Database) -> None:
    """While a statement holds the tier's threads (another session's, still running), a quick
    one neither lowers them nor waits."""
    ex = _session(db)
    held = db.workers.enter(quick=False)
    try:
        assert _run(ex, THREADS_SQL, {"quick": True}) == "2"
    finally:
        db.workers.leave()
    assert held
    assert _run(ex, THREADS_SQL, {"quick": True}) == "1"
    ex.close()


def test_new_limits_apply_to_the_next_statement_that_needs_them(db: Database) -> None:
    ex = _session(db)
    assert _run(ex, THREADS_SQL, {"quick": True}) == "1"
    db.set_limits({"threads": 3})  # while only quick statements run: kept at 1
    assert db.spec.threads == 3
    assert _run(ex, THREADS_SQL, {"quick": True}) == "1"
    assert _run(ex, BIG_SQL, {}) == "3"
    db.workers.linger_s = 3600  # the tier's threads stay: new limits apply at once
    db.set_limits({"threads": 2})
    assert _run(ex, THREADS_SQL, {"quick": True}) == "2"
    ex.close()


def test_a_tier_of_one_thread_never_changes_the_setting(tmp_path: Path) -> None:
    database = Database(engine_spec(tmp_path / "one", 1))
    database.workers.linger_s = 0
    ex = _session(database)
    database.cursor().execute("CREATE TABLE big AS SELECT 1 AS i")
    for hint in ({}, {"quick": True}, {}):
        assert _run(ex, THREADS_SQL, hint) == "1"
    ex.close()
    database.con.close()


def test_what_a_run_teaches_its_shape() -> None:
    hint: dict = {}
    learn_quick(hint, True, QUICK_CPU_S / 10)
    assert hint == {"quick": True}
    learn_quick(hint, True, QUICK_CPU_S * 5)  # a slow run: the next one has the tier's threads
    assert hint == {}
    learn_quick(hint, True, QUICK_CPU_S / 10)
    learn_quick(hint, False, QUICK_CPU_S / 10)  # suspended (or failed): not quick
    assert hint == {}


def test_the_setting_lowers_only_when_no_statement_needs_the_workers(tmp_path: Path) -> None:
    database = Database(engine_spec(tmp_path / "w", 2))
    workers = WorkerThreads(database.cursor(), 2, linger_s=3600)
    assert workers.enter(quick=True) is False
    assert workers.current == 2  # the tier's threads were needed less than linger_s ago
    workers.linger_s = 0
    workers.enter(quick=True)
    assert workers.current == 1
    assert workers.enter(quick=False) is True
    assert workers.current == 2
    workers.enter(quick=True)
    assert workers.current == 2  # one still holds them
    workers.leave()
    workers.enter(quick=True)
    assert workers.current == 1
    database.con.close()


def test_copy_runs_with_the_tiers_threads(db: Database) -> None:
    """COPY does not go through a statement's shape: it always has the tier's threads."""
    ex = _session(db)
    assert _run(ex, THREADS_SQL, {"quick": True}) == "1"
    seen = ex.with_workers(lambda: ex.con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    assert str(seen) == "2"
    assert _run(ex, THREADS_SQL, {"quick": True}) == "1"  # (linger_s = 0: lowered again)
    ex.close()


def test_a_quick_shape_is_timed_by_the_wall_clock_until_a_run_is_long() -> None:
    hint: dict = {}
    assert not timed_by_wall(hint)  # never seen: its run is timed by CPU
    learn_quick(hint, True, QUICK_CPU_S / 10)
    assert timed_by_wall(hint)
    learn_quick_by_wall(hint, True, QUICK_CPU_S / 10)
    assert hint == {"quick": True}
    # Long in wall time (it may have waited for a CPU): still quick, its next run timed by CPU...
    learn_quick_by_wall(hint, True, QUICK_CPU_S * 5)
    assert hint.get("quick") and not timed_by_wall(hint)
    learn_quick(hint, True, QUICK_CPU_S * 5)  # ... which says slow: the tier's threads next
    assert hint == {}
    learn_quick(hint, True, QUICK_CPU_S / 10)
    learn_quick_by_wall(hint, True, QUICK_CPU_S * 5)
    learn_quick(hint, True, QUICK_CPU_S / 10)  # it had only waited: by the wall clock again
    assert hint == {"quick": True} and timed_by_wall(hint)
    learn_quick_by_wall(hint, False, 0.0)  # suspended (or failed): not quick
    assert hint == {}
