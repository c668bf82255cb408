"""varchar(n) / char(n) lengths (pgcompat.lengths): the CREATE TABLE rewrite, on its own and run on
a real DuckDB with the catalog shim (pgcompat/shim/) and the error mapping (engine/errors.py)."""

from __future__ import annotations

import duckdb
import pytest

from engine import foreign_keys
from engine.errors import to_db_error
from pgcompat import analysis, lengths
from pgcompat.statements import split


def engine_sql(sql: str) -> str:
    (st,) = split(sql)
    return st.engine_sql


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "CREATE TABLE t (id int PRIMARY KEY, name varchar(100) NOT NULL, note text)",
            'CREATE TABLE t (id int PRIMARY KEY, name varchar(100) NOT NULL CHECK (len("name") <= 100), note text)',
        ),
        (
            "create table t (a character varying (10), b CHARACTER VARYING(3) default 'x', c char varying(2))",
            "create table t (a character varying (10) CHECK (len(\"a\") <= 10), b CHARACTER VARYING(3) default 'x'"
            ' CHECK (len("b") <= 3), c char varying(2) CHECK (len("c") <= 2))',
        ),
        (
            "CREATE TABLE t (a char(3), b character(2), c bpchar(4), d nchar(5), e char, f national character varying(6))",
            'CREATE TABLE t (a char(3) CHECK (len(CAST("a" AS BPCHAR)) <= 3), b character(2) CHECK (len(CAST("b" AS BPCHAR)) <= 2),'
            ' c bpchar(4) CHECK (len(CAST("c" AS BPCHAR)) <= 4), d nchar(5) CHECK (len(CAST("d" AS BPCHAR)) <= 5),'
            ' e char CHECK (len(CAST("e" AS BPCHAR)) <= 1), f national character varying(6) CHECK (len("f") <= 6))',
        ),
        (
            'CREATE TEMP TABLE IF NOT EXISTS s."My Table" ("Full ""Name""" VARCHAR(40), "select" varchar(2), MixedCase varchar(7))',
            'CREATE TEMP TABLE IF NOT EXISTS s."My Table" ("Full ""Name""" VARCHAR(40) CHECK (len("Full ""Name""") <= 40),'
            ' "select" varchar(2) CHECK (len("select") <= 2), MixedCase varchar(7) CHECK (len("MixedCase") <= 7))',
        ),
        (
            "CREATE TABLE t (a varchar(5) REFERENCES u(a), b varchar(3) DEFAULT CAST('x' AS varchar(3)), CHECK (a <> b))",
            "CREATE TABLE t (a varchar(5) CHECK (len(\"a\") <= 5), b varchar(3) DEFAULT CAST('x' AS varchar(3))"
            ' CHECK (len("b") <= 3), CHECK (a <> b))',
        ),
        # PostgreSQL's own syntax DuckDB lacks is reshaped first, then the lengths
        (
            "CREATE LOCAL TEMPORARY TABLE t (a varchar(3))",
            'CREATE TEMPORARY TABLE t (a varchar(3) CHECK (len("a") <= 3))',
        ),
    ],
)
def test_create_table_columns_get_their_length_check(sql: str, expected: str) -> None:
    assert engine_sql(sql) == expected


def test_char_column_literal_default_loses_its_trailing_blanks() -> None:
    """char(n) values are kept without trailing blanks (engine.bpchar); so is a literal default
    (as pg_dump writes it too, 'x  '::bpchar). An expression default is left as written."""
    out = engine_sql(
        "CREATE TABLE t (a char(4) DEFAULT 'ab  ', b char(3) default 'x '::bpchar NOT NULL,"
        " c char(2) DEFAULT 'a' || ' ', d varchar(4) DEFAULT 'v  ', e char(3) DEFAULT 'it''s')"
    )
    assert "a char(4) DEFAULT 'ab' CHECK" in out
    assert "b char(3) default 'x'::bpchar NOT NULL CHECK" in out
    assert "c char(2) DEFAULT 'a' || ' ' CHECK" in out
    assert "d varchar(4) DEFAULT 'v  ' CHECK" in out
    assert "e char(3) DEFAULT 'it''s' CHECK" in out


@pytest.mark.parametrize(
    "sql",
    [
        'CREATE TABLE t (a varchar, b text, c varchar(5)[], d varchar(5) ARRAY, e "char", f bpchar)',
        "CREATE TABLE t (a, b) AS SELECT 1, 2",
        "CREATE TABLE t (a varchar(3) GENERATED ALWAYS AS ('x') VIRTUAL)",
        "CREATE TABLE t (a varchar(0), b varchar(10485761))",
        "CREATE TABLE t (a int, CONSTRAINT c CHECK (a::varchar(3) <> ''), UNIQUE (a))",
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT 'x'::varchar(3)",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a::varchar(3) <> '')",
    ],
)
def test_statements_without_such_columns_stay(sql: str) -> None:
    # (explicit casts to varchar(n) in queries cut: tests/unit/test_pg_char_casts.py)
    (st,) = split(sql)
    assert st.engine_sql == sql
    assert st.notices == ()


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE t ADD COLUMN c varchar(10)",
        "alter table t add c char(2) not null default 'x'",
        "ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS c character varying(3)",
    ],
)
def test_alter_table_lengths_run_as_written_with_a_notice(sql: str) -> None:
    (st,) = split(sql)
    assert st.engine_sql == sql
    assert st.notices == (lengths.varchar_length_not_enforced.notice,)


@pytest.mark.parametrize(
    ("sql", "using"),
    [
        ("ALTER TABLE t ALTER COLUMN c TYPE varchar(20)", ""),
        ("ALTER TABLE t ALTER c SET DATA TYPE character varying(20) USING c", "c"),
    ],
)
def test_a_type_changed_to_a_length_makes_the_table_again(sql: str, using: str) -> None:
    """engine.alter makes the table again with the column's CHECK: no notice, the length holds."""
    (st,) = split(sql)
    assert st.notices == ()
    assert st.engine_alter is not None
    assert st.engine_alter["retype"] == {
        "column": "c",
        "type": "VARCHAR",
        "check": 'CHECK (len("c") <= 20)',
        "using": using,
    }


def test_analysis_judges_the_client_statement() -> None:
    """The CHECK the rewrite adds is ours: the sandbox analyses the client's statement, which
    still parses and still names what it names."""
    (st,) = split("CREATE TABLE t (a varchar(10) DEFAULT getenv('HOME'))")
    a = analysis.analyze(st)
    assert (
        a.parse_error is None and a.kind == "Create" and "getenv" in a.functions and "len" not in a.functions
    )


def test_shape_as_duckdb_prints_it() -> None:
    """DuckDB keeps the CHECK verbatim (quoting the column only when it must): the shape the shim
    and the error mapping recognise."""
    con = duckdb.connect()
    con.execute(
        engine_sql('CREATE TABLE t (a varchar(5), "B b" char(2), "order" varchar(3), Upper varchar(4))')
    )
    exprs = [
        r[0]
        for r in con.execute(
            "SELECT expression FROM duckdb_constraints() ORDER BY constraint_index"
        ).fetchall()
    ]
    assert exprs == [
        "(len(a) <= 5)",
        '(len(CAST("B b" AS BPCHAR)) <= 2)',
        '(len("order") <= 3)',
        "(len(Upper) <= 4)",
    ]
    import re

    assert all(re.fullmatch(lengths.SHAPE, e) for e in exprs)
    assert not re.fullmatch(lengths.SHAPE, "(len(lower(a)) <= 5)")
    assert not re.fullmatch(lengths.SHAPE, "((len(a) <= 5) AND (a <> ''))")


# ---------------------------------------------------------------- on DuckDB, with the shim

SCHEMA = """
CREATE TABLE people (id integer PRIMARY KEY, code char(3) NOT NULL, "Full Name" varchar(40), note text,
  nick varchar, tags varchar(5)[], CHECK (id > 0));
CREATE TEMP TABLE scratch (k character varying(8));
CREATE SCHEMA other;
CREATE TABLE other.t (x varchar(2))
"""


@pytest.fixture(scope="module")
def duck() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    foreign_keys.session_macro(con)  # what the catalog reads foreign keys from
    for st in split(SCHEMA):
        con.execute(st.engine_sql)
    con.execute("SET VARIABLE userenv_con_name = 'MYPDB'")
    return con


def q(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    (st,) = split(sql)
    return con.execute(st.engine_sql).fetchall()


def test_attribute_types(duck: duckdb.DuckDBPyConnection) -> None:
    got = q(
        duck,
        "SELECT a.attname, a.atttypid, a.atttypmod, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
        " JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = 'people' AND a.attnum > 0 ORDER BY a.attnum",
    )
    assert got == [
        ("id", 23, -1, "integer"),
        ("code", 1042, 7, "character(3)"),
        ("Full Name", 1043, 44, "character varying(40)"),
        ("note", 25, -1, "text"),
        ("nick", 25, -1, "text"),
        ("tags", 1009, -1, "text[]"),
    ]
    assert q(duck, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attname = 'k'") == [
        ("character varying(8)",)
    ]
    # the index of the primary key has the column's type too
    assert q(
        duck,
        "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = 'people_pkey'::regclass",
    ) == [("integer",)]


def test_information_schema_columns(duck: duckdb.DuckDBPyConnection) -> None:
    got = q(
        duck,
        "SELECT table_name, column_name, data_type, udt_name, character_maximum_length, character_octet_length"
        " FROM information_schema.columns WHERE table_name IN ('people', 'scratch', 't') ORDER BY table_name, ordinal_position",
    )
    assert got == [
        ("people", "id", "integer", "int4", None, None),
        ("people", "code", "character", "bpchar", 3, 12),
        ("people", "Full Name", "character varying", "varchar", 40, 160),
        ("people", "note", "text", "text", None, 1073741824),
        ("people", "nick", "text", "text", None, 1073741824),
        ("people", "tags", "ARRAY", "_text", None, None),
        ("scratch", "k", "character varying", "varchar", 8, 32),
        ("t", "x", "character varying", "varchar", 2, 8),
    ]


def test_length_checks_are_no_constraints(duck: duckdb.DuckDBPyConnection) -> None:
    assert q(
        duck, "SELECT conname, contype FROM pg_constraint WHERE conrelid = 'people'::regclass ORDER BY 1"
    ) == [
        ("people_id_check", "c"),
        ("people_pkey", "p"),
    ]
    assert q(
        duck, "SELECT relname, relchecks FROM pg_class WHERE relname IN ('people', 'scratch', 't') ORDER BY 1"
    ) == [
        ("people", 1),
        ("scratch", 0),
        ("t", 0),
    ]
    assert q(duck, "SELECT constraint_name, check_clause FROM information_schema.check_constraints") == [
        ("people_id_check", "(id > 0)")
    ]
    assert sorted(q(duck, "SELECT constraint_name FROM information_schema.table_constraints")) == [
        ("people_id_check",),
        ("people_pkey",),
    ]


def test_renamed_column_keeps_its_length() -> None:
    con = duckdb.connect()
    foreign_keys.session_macro(con)
    con.execute(engine_sql("CREATE TABLE r (a int, b varchar(9))"))
    con.execute('ALTER TABLE r RENAME COLUMN b TO "B c"')
    con.execute("ALTER TABLE r DROP COLUMN a")
    assert q(
        con,
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'r'::regclass",
    ) == [("B c", "character varying(9)")]


# ---------------------------------------------------------------- errors


def _error(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[str, str]:
    with pytest.raises(duckdb.Error) as e:
        con.execute(sql)
    err = to_db_error(e.value)
    return err.sqlstate, err.message


def test_too_long_values_are_22001() -> None:
    con = duckdb.connect()
    con.execute(engine_sql('CREATE TABLE e ("Full Name" varchar(3), c char(2), n int CHECK (n > 0))'))
    con.execute("INSERT INTO e VALUES ('abc', 'ab', 1), (NULL, NULL, 2), ('äöü', 'éè', 3)")
    assert _error(con, "INSERT INTO e VALUES ('abcd', NULL, 1)") == (
        "22001",
        "value too long for type character varying(3)",
    )
    assert _error(con, "UPDATE e SET c = 'abc'") == ("22001", "value too long for type character(2)")
    state, message = _error(con, "INSERT INTO e VALUES ('a', 'b', 0)")
    assert state == "23514" and "n > 0" in message
    state, message = _error(con, 'ALTER TABLE e ALTER COLUMN "Full Name" TYPE varchar(10)')
    assert state == "0A000" and "CHECK constraint" in message


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "CREATE TABLE t (id int, j jsonb NOT NULL DEFAULT '{}', \"J j\" pg_catalog.jsonb, a jsonb[], k json)",
            "CREATE TABLE t (id int, j JSON NOT NULL DEFAULT '{}' CHECK (typeof(\"j\") <> 'jsonb'),"
            ' "J j" JSON CHECK (typeof("J j") <> \'jsonb\'), a JSON[] CHECK (typeof("a") <> \'jsonb\'), k json)',
        ),
        ("CREATE TABLE t AS SELECT 1 AS jsonb", "CREATE TABLE t AS SELECT 1 AS jsonb"),
    ],
)
def test_jsonb_columns_carry_their_check(sql: str, expected: str) -> None:
    """A column declared jsonb is DuckDB's JSON with the CHECK that says it is jsonb (read back by
    the catalog and engine.declared); jsonb[] and json are not."""
    assert engine_sql(sql) == expected


def test_jsonb_columns_in_the_catalog() -> None:
    """format_type and information_schema say jsonb for them; the CHECK is no constraint there."""
    con = duckdb.connect()
    foreign_keys.session_macro(con)  # what the catalog reads foreign keys from
    con.execute(engine_sql("CREATE TABLE jt (id int, j jsonb, k json, CHECK (id > 0))"))
    rows = con.execute(
        engine_sql(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = 'jt'::regclass AND attnum > 0 ORDER BY attnum"
        )
    ).fetchall()
    assert rows == [("id", "integer"), ("j", "jsonb"), ("k", "json")]
    cons = con.execute(
        engine_sql("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'jt'::regclass")
    ).fetchall()
    assert cons == [("CHECK (id > 0)",)]
