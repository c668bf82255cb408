"""The function allow-list against the DuckDB that is installed: every function and built-in view
classified (a DuckDB upgrade that brings a new one fails here until someone decides), and every
name not on the allow-list seen by the analysis whatever its spelling."""

from __future__ import annotations

import duckdb
import pytest

from engine.database import open_database
from pgcompat.analysis import analyze
from pgcompat.statements import split
from pgwire.control import EngineSpec
from policies import allowed_functions as F
from policies import sandbox


def _engine_like(tmp_path) -> duckdb.DuckDBPyConnection:
    """A database opened as engine.database.open_database opens a PDB (sandbox on, locked)."""
    spec = EngineSpec(
        name="P",
        con_id=3,
        db_path=str(tmp_path / "pdb.duckdb"),
        socket_path="",
        token="",
        read_only=False,
        memory_limit="256MB",
        threads=1,
        temp_dir=str(tmp_path / "tmp"),
        max_temp_size="1GB",
        allowed_dir=str(tmp_path),
    )
    return open_database(spec)


def _names(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0].lower() for r in con.execute("SELECT DISTINCT function_name FROM duckdb_functions()").fetchall()
    }


def _classified() -> set[str]:
    names: set[str] = set()
    for members in F.CATEGORIES.values():
        names |= members
    return names


def test_every_duckdb_function_is_classified(tmp_path) -> None:
    con = _engine_like(tmp_path)
    names = _names(con) | _names(duckdb.connect())
    unclassified = sorted(n for n in names - _classified() if not n.startswith(F.INTERNAL_PREFIX))
    assert unclassified == [], f"DuckDB {duckdb.__version__} has functions no category holds: {unclassified}"
    assert len(names) > 1000  # the listing is the real one, not an empty result


def test_every_builtin_view_is_classified() -> None:
    con = duckdb.connect()
    views = {
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE internal AND schema_name = 'main'"
        ).fetchall()
    }
    assert views and views <= F.SYSTEM_VIEWS, sorted(views - F.SYSTEM_VIEWS)


def test_table_functions_named_like_allowed_calls_are_judged() -> None:
    """A name allowed in expressions is allowed in FROM too, unless DuckDB has a table function
    of that name that is not safe: an upgrade that adds one fails here."""
    con = duckdb.connect()
    tables = {
        r[0].lower()
        for r in con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro')"
        ).fetchall()
    }
    assert (F.ALLOWED_CALLS & tables) - F.SAFE_TABLE - F.PG_CLIENT_TABLE_FUNCTIONS == F.TABLE_TWINS_REFUSED


def test_allowed_names_are_not_dangerous() -> None:
    dangerous = F.EXECUTES_SQL | F.READS_FILES | F.ENGINE_CONTROL | F.OTHER | F.READS_CATALOG
    assert F.ALLOWED_TABLE_FUNCTIONS & dangerous == {"format_type", "pg_get_constraintdef", "pg_get_viewdef"}
    # histogram is a safe aggregate (a call) and a table macro reading any table (not a table function)
    assert (F.ALLOWED_CALLS & dangerous) == {
        "histogram",
        "format_type",
        "pg_get_constraintdef",
        "pg_get_viewdef",
    }


_ALLOWED = F.ALLOWED_CALLS | F.ALLOWED_TABLE_FUNCTIONS
_REFUSED_NAMES = sorted(n for n in _names(duckdb.connect()) - _ALLOWED if n.isidentifier())
_SPELLINGS = [
    "SELECT {n}(1)",
    "SELECT * FROM {n}(1)",
    'SELECT "{N}"(1)',
    "SELECT system.main.{n}(1)",
    "SELECT * FROM t, LATERAL {n}(t.a)",
    "WITH c AS (SELECT {N}(1)) SELECT * FROM c",
    "SELECT 'x'.{n}()",
]


@pytest.mark.parametrize("name", _REFUSED_NAMES)
def test_every_name_off_the_list_is_refused_in_every_spelling(name: str) -> None:
    for form in _SPELLINGS:
        sql = form.format(n=name, N=name.upper())
        a = analyze(split(sql)[0])
        assert sandbox.check(a) is not None or sandbox.check_calls(a) is not None, sql


@pytest.mark.parametrize(
    "sql",
    [
        "select upper(a), length(b), abs(-1), round(2.5), now(), date_trunc('day', now()) from t",
        "select count(*), sum(a), string_agg(b, ','), row_number() over (partition by a order by b) from t",
        "select * from generate_series(1, 3), range(2), unnest([1, 2])",
        "select json_extract('{\"a\": 1}', '$.a'), to_json([1]), list_transform([1], x -> x + 1)",
        "with a(x) as (select 1), b(y) as materialized (select 2) select * from a, b",
        "select * from (values (1)) v(x), lateral (select * from range(3) as r(i)) l",
        "insert into t (a, b) values (1, 2)",
        "create table t2 (a varchar(10) default 'x', b decimal(10,2) check (b > abs(1)), primary key (a))",
        "create index i on t (a)",
        "select count(*) filter (where a > 1) from t group by grouping sets ((a), (b))",
        "select cast(a as decimal(10,2)), a::varchar(3) from t where a in (1, 2) and exists (select 1)",
        "select * exclude (a) replace (b + 1 as b) from t",
        "select histogram(a) from t",
        "create macro add_one(x) as x + 1",
        "select current_setting('TimeZone')",
    ],
)
def test_ordinary_sql_passes(sql: str) -> None:
    a = analyze(split(sql)[0])
    assert sandbox.check(a) is None and sandbox.check_calls(a) is None, (sql, a.calls, a.table_calls)


@pytest.mark.parametrize(
    "sql",
    [
        "select * from t, histogram('t', a)",
        "create macro upper(x) as x",
        "create or replace temp macro query_table(x) as table select 1",
        "select 'temp_directory'.current_setting()",
        "select current_setting('temp' || '_directory')",
        "select * from duckdb_databases",
        "select * from system.main.pragma_database_list",
        "create macro m() as table select * from query_table('t')",
        "create table t3 (a text default current_setting('temp_directory'))",
        "create view v as select * from query('select 1')",
        "copy (select * from query_table('t')) to stdout",
        "drop macro table temp.main.query_table",
        "drop macro upper",
    ],
)
def test_escapes_are_refused(sql: str) -> None:
    a = analyze(split(sql)[0])
    assert sandbox.check(a) is not None or sandbox.check_calls(a) is not None, sql


def test_the_names_we_translate_are_allowed() -> None:
    """What the catalog emulation and the PostgreSQL translations answer is on the allow-list."""
    from pgcompat import functions, shim

    assert set(shim.FUNCTIONS) <= F.ALLOWED_CALLS, sorted(set(shim.FUNCTIONS) - F.ALLOWED_CALLS)
    assert set(shim.TABLE_FUNCTIONS) <= F.ALLOWED_TABLE_FUNCTIONS
    assert set(functions.TRANSLATORS) <= F.ALLOWED_CALLS, sorted(set(functions.TRANSLATORS) - F.ALLOWED_CALLS)
