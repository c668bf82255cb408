"""engine.param_types on a real DuckDB connection: which untyped parameters the other operand of
arithmetic types, and which stay untyped."""

from __future__ import annotations

import duckdb
import pytest

from engine.param_types import operand_types


@pytest.fixture()
def con():
    c = duckdb.connect()
    c.execute("CREATE TABLE t (i INTEGER, b BIGINT, n DECIMAL(8,3), s VARCHAR)")
    for name, op in (("__pg_add", "+"), ("__pg_mul", "*")):  # (stand-ins of the engine's macros)
        c.execute(f"CREATE MACRO {name}(pa, pb, x, y) AS x {op} y")
    yield c
    c.close()


@pytest.mark.parametrize(
    ("sql", "untyped", "typed"),
    [
        ("SELECT i + $1 FROM t", [0], {0: "INTEGER"}),
        ("SELECT $1 * b FROM t", [0], {0: "BIGINT"}),
        ("SELECT t.n - $1 FROM t", [0], {0: "DECIMAL(8,3)"}),
        ("SELECT i FROM t WHERE i % $1 = 0 AND b + $2 > 0", [0, 1], {0: "INTEGER", 1: "BIGINT"}),
        ("SELECT __pg_add(i, i, i, $1) FROM t", [0], {0: "INTEGER"}),  # (the checked +, as rewritten)
        ("SELECT __pg_mul(n, n, $1, n) FROM t", [0], {0: "DECIMAL(8,3)"}),
        ("SELECT $1 + $2", [0, 1], {}),  # no column beside either
        ("SELECT upper($1) || s FROM t", [0], {}),  # not arithmetic
        ("SELECT abs($1) + i FROM t", [0], {}),  # the parameter is not the operand
        ("SELECT i + $1 FROM missing", [0], {}),  # the probe does not bind: nothing typed
    ],
)
def test_operand_types(con, sql: str, untyped: list[int], typed: dict[int, str]) -> None:
    probe, got = operand_types(con, sql, untyped)
    assert got == typed
    assert (probe is not None) == bool(typed)
