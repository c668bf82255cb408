"""The engine's repeat path for a repeated small SELECT (issue 18: EngineSession.fast_statement,
fast_bind, run_fast). A prepared statement whose earlier runs were small and quick runs from its
kept parse and framing; what it sends must be byte for byte what the long path sends, and any
fact that could change its run (DDL, a transaction block, a named portal, a bigger result) sends
it back to the long path. Real DuckDB databases opened as the engine opens them."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from engine.codec.params import ParamError
from engine.database import Database
from engine.session import DESCRIBE_FIRST, DESCRIBE_WITH_ROWS, SMALL_ROWS, EngineSession
from pgwire import backend
from pgwire.errors import DbError
from tests.unit.engine_spec import engine_spec

POINT = "SELECT v, b, id FROM t WHERE id = $1"
INT4 = 23


@pytest.fixture
def db(tmp_path: Path):
    database = Database(engine_spec(tmp_path / "pdb"))
    database.cursor().execute(
        "CREATE TABLE t AS SELECT i::INT AS id, 'v' || i AS v, i % 2 = 0 AS b FROM range(1, 101) r(i)"
    )
    yield database
    database.con.close()


def _session(db: Database, *texts: str) -> EngineSession:
    ex = EngineSession(db.cursor(), 1, False, ddl=db.ddl, workers=db.workers)
    ex.passed(POINT, *texts)
    return ex


def _param(i: int, binary: bool) -> bytes:
    return struct.pack("!i", i) if binary else str(i).encode()


def _long_path(ex: EngineSession, name: str, i: int, binary: bool = False, describe: bool = True) -> bytes:
    """One Bind, [Describe,] Execute, Sync as the session sends them on the usual path: the
    replies after BindComplete."""
    fmt = [1 if binary else 0]
    assert ex.op_bind("", name, fmt, [_param(i, binary)], fmt) == backend.BIND_COMPLETE
    out: list[bytes] = [ex.op_describe("P", "")] if describe else []
    ex.op_execute("", 0, out.append)
    ex.op_sync()
    return b"".join(out)


def _quick(ex: EngineSession, name: str) -> None:
    """What a run within 2 ms teaches its shape (engine.threads), set here: a loaded machine may
    take longer, and these tests hold no time."""
    hint = ex.statements[name].hint
    hint["quick"] = True
    hint.pop("verify", None)  # (a run over 2 ms of wall time asks the next to be timed by CPU)


def _repeat_path(ex: EngineSession, name: str, i: int, binary: bool = False, describe: bool = True) -> bytes:
    fmt = [1 if binary else 0]
    _quick(ex, name)
    p = ex.fast_statement(name, "", fmt)
    assert p is not None, "the statement should take the repeat path"
    values = ex.fast_bind(name, p, fmt, [_param(i, binary)])
    out: list[bytes] = []
    ex.run_fast(p, values, fmt, DESCRIBE_FIRST if describe else "", out.append)
    ex.op_sync()
    return b"".join(out)


def _prepare(ex: EngineSession, name: str = "s", sql: str = POINT) -> None:
    hint: dict = {}
    assert ex.op_parse(name, sql, "select", "SELECT", [INT4], hint=hint) == backend.PARSE_COMPLETE


def _warm(ex: EngineSession, name: str = "s") -> None:
    """Runs that teach the shape small and quick and keep its parse."""
    for i in (1, 2, 3):
        _long_path(ex, name, i)
    _quick(ex, name)


@pytest.mark.parametrize("binary", [False, True])
def test_the_short_path_sends_what_the_long_path_sends(db: Database, binary: bool) -> None:
    ex = _session(db)
    _prepare(ex)
    assert ex.fast_statement("s", "", [0]) is None  # never run: nothing learnt yet
    _warm(ex)
    other = _session(db)
    _prepare(other)  # the same statement in a session that runs it on the long path only
    for i in (4, 7, 50, 100, 101):  # (101: no row)
        for describe in (True, False):
            expected = _long_path(other, "s", i, binary, describe)
            assert _repeat_path(ex, "s", i, binary, describe) == expected
    assert b"v50" in _repeat_path(ex, "s", 50)
    ex.close()
    other.close()


def test_ddl_since_sends_it_back_to_the_long_path(db: Database) -> None:
    ex = _session(db)
    _prepare(ex)
    _warm(ex)
    assert ex.fast_statement("s", "", [0]) is not None
    db.cursor().execute("ALTER TABLE t ADD COLUMN w INT")
    db.ddl.bump()  # (what the DDL's session counts)
    assert ex.fast_statement("s", "", [0]) is None
    assert b"v5" in _long_path(ex, "s", 5)
    ex.close()


def test_only_outside_a_transaction_block_and_into_the_unnamed_portal(db: Database) -> None:
    ex = _session(db, "BEGIN", "COMMIT")
    _prepare(ex)
    _warm(ex)
    assert ex.fast_statement("s", "", [0]) is not None
    assert ex.fast_statement("s", "named", [0]) is None
    assert ex.fast_statement("nope", "", [0]) is None
    out: list[bytes] = []
    assert ex.op_query([{"sql": "BEGIN", "kind": "begin", "tag": "BEGIN"}], out.append)
    assert ex.fast_statement("s", "", [0]) is None  # (READ COMMITTED snapshots, replays)
    assert ex.op_query([{"sql": "COMMIT", "kind": "commit", "tag": "COMMIT"}], out.append)
    assert ex.fast_statement("s", "", [0]) is not None
    ex.close()


def test_a_result_that_grows_is_sent_whole_and_leaves_the_repeat_path(db: Database) -> None:
    sql = "SELECT id FROM t WHERE id <= $1 ORDER BY id"
    ex = _session(db, sql)
    _prepare(ex, "r", sql)
    _warm(ex, "r")
    out = _repeat_path(ex, "r", SMALL_ROWS + 20, describe=False)
    assert out.count(b"D\x00") == SMALL_ROWS + 20
    assert out.endswith(backend.command_complete(f"SELECT {SMALL_ROWS + 20}"))
    assert ex.fast_statement("r", "", [0]) is None  # no longer small
    ex.close()


def test_a_bad_parameter_is_postgres_input_error(db: Database) -> None:
    ex = _session(db)
    _prepare(ex)
    _warm(ex)
    p = ex.fast_statement("s", "", [0])
    assert p is not None
    with pytest.raises(ParamError) as e:
        ex.fast_bind("s", p, [0], [b"1.5"])
    assert e.value.sqlstate == "22P02"
    ex.close()


def _query(ex: EngineSession, sql: str, hint: dict, numbered: tuple[str, list[int]] | None) -> bytes:
    out: list[bytes] = []
    op: dict = {"sql": sql, "kind": "select", "tag": "SELECT", "hint": hint}
    if numbered is not None:
        op["numbered"] = numbered
    ex.passed(sql)
    assert ex.op_query([op], out.append)
    return b"".join(out)


def test_a_simple_query_shape_runs_from_one_parse_with_its_numbers_as_parameters(db: Database) -> None:
    ex = _session(db)
    other = _session(db)
    shape = "SELECT v, b FROM t WHERE id = $1 ORDER BY 1 LIMIT $2"
    hint: dict = {}
    for i in (1, 2, 3):
        sql = f"SELECT v, b FROM t WHERE id = {i} ORDER BY 1 LIMIT 5"
        _query(ex, sql, hint, (shape, [i, 5]))
    hint["quick"] = True
    hint.pop("verify", None)
    assert "simple" in hint
    for i, limit in ((7, 5), (8, 0), (101, 5)):
        sql = f"SELECT v, b FROM t WHERE id = {i} ORDER BY 1 LIMIT {limit}"
        with pytest.raises(DbError):  # (the session passes each text first)
            ex.simple_plan(sql, shape, [i, limit], hint)
        ex.passed(sql)
        plan = ex.simple_plan(sql, shape, [i, limit], hint)
        assert plan is not None
        out: list[bytes] = []
        ex.run_fast(plan, [i, limit], [], DESCRIBE_WITH_ROWS, out.append)
        assert b"".join(out) == _query(other, sql, {}, None)
    assert ex.simple_plan("x", shape, [3_000_000_000, 5], hint) is None  # beyond the parameter's INTEGER
    assert ex.simple_plan("x", "SELECT 1", [1], hint) is None  # another reading
    db.cursor().execute("ALTER TABLE t ADD COLUMN w INT")
    db.ddl.bump()
    assert ex.simple_plan("x", shape, [1, 5], hint) is None
    ex.close()
    other.close()


def test_no_reading_where_a_parameter_would_mean_something_else(db: Database) -> None:
    ex = _session(db)
    db.cursor().execute("CREATE TABLE f (x DOUBLE, s SMALLINT)")
    db.ddl.bump()
    for sql, shape in (
        ("SELECT x FROM f WHERE x = 5", "SELECT x FROM f WHERE x = $1"),  # a DOUBLE: no integer there
        ("SELECT 5 = 5 AS y FROM f", "SELECT 5 = $1 AS y FROM f"),  # (an integer either way: same columns)
    ):
        hint: dict = {}
        for _ in range(3):
            _query(ex, sql, hint, (shape, [5]))
        assert ("simple" in hint) == (shape == "SELECT 5 = $1 AS y FROM f"), sql
    ex.close()
