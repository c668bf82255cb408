"""pgcompat.text_casts: which casts to text, and which columns beside ||, are written as
PostgreSQL's output writes them (engine.pgmath's __pg_text macros), and which are left."""

from __future__ import annotations

import pytest

from pgcompat.rewrite import rewrite
from pgcompat.tokens import tokenize
from tests.unit.test_pg_char_casts import engine_sql


@pytest.mark.parametrize(
    ("sql", "want"),
    [
        ("SELECT f::text FROM t", "SELECT __pg_column_text(f, CAST(f AS VARCHAR)) FROM t"),
        ("SELECT CAST(t.f AS varchar) FROM t", "SELECT __pg_column_text(t.f, CAST(t.f AS VARCHAR)) FROM t"),
        ("SELECT sum(f)::text FROM t", "SELECT __pg_text(__pg_sum(f)) FROM t"),
        ("SELECT 1e3::text", "SELECT __pg_text(1e3)"),
    ],
)
def test_written_as_postgresql_output(sql: str, want: str) -> None:
    assert want in engine_sql(sql)


def test_columns_beside_concatenation_where_no_operand_is_json() -> None:
    """'x' || f: the statement the engine runs while its PDB has no JSON column (Rewritten.plain)
    writes f as PostgreSQL's || does; the one for a PDB with JSON columns too, in its text
    concatenation only, the column left bare where the engine tells json from jsonb."""
    sql = "SELECT 'x' || f FROM t"
    done = rewrite(sql, tokenize(sql))
    assert done.plain is not None and "__pg_cat(f, f)" in done.plain
    assert "('x') || __pg_cat(f, f)" in done.sql and "__pg_jcls(f)" in done.sql


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'abc'::text, 12::text, CAST('x' AS text) FROM t",  # the same text either way
        "SELECT $1::varchar FROM t",  # a parameter's cast: engine.bpchar reads it
        "SELECT (j -> 'a')::text FROM t",  # may be jsonb: engine.declared reads its cast
        "CREATE VIEW v AS SELECT f::text FROM t",  # a view keeps no session macro
        "SELECT relname::text FROM pg_class",  # the catalog emulation's own casts
    ],
)
def test_left_as_written(sql: str) -> None:
    assert "__pg_text" not in engine_sql(sql) and "__pg_column_text" not in engine_sql(sql)
