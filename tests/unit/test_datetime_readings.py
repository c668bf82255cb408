"""Which untyped literals are read as PostgreSQL reads dates/times, and where (pgcompat
.datetime_literals: the rewrite's side of issue 12's untyped date/time literals; the answers
themselves are checked against PostgreSQL 15 in tests/test_pg_datetime.py)."""

from __future__ import annotations

import pytest

from pgcompat.rewrite import rewrite
from pgcompat.tokens import tokenize
from pgwire.types import DATETIME_LITERAL


def _rewritten(sql: str):
    return rewrite(sql, tokenize(sql))


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM t WHERE ts = '2024-01-01 10:00:00'",  # DuckDB reads it as PostgreSQL
        "SELECT 'a BC', 'Julius 44 BC' FROM t WHERE x = 'Julius 44 BC'",  # no date: text
        "SELECT '0044-03-15 BC' AS label",  # not compared: PostgreSQL's text
        "SELECT id FROM t WHERE ts = TIMESTAMP '0044-03-15 12:00:00 BC'",  # typed
        "SELECT id FROM t WHERE ts = '0044-03-15 12:00:00 BC'::timestamp",
    ],
)
def test_left_alone(sql: str) -> None:
    out = _rewritten(sql)
    assert out.refusal is None
    assert DATETIME_LITERAL not in out.sql


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM t WHERE ts = '0044-03-15 12:00:00 BC'",
        "SELECT id FROM t WHERE '0044-03-15 BC' < s.t.d AND id = 1",
        "SELECT id FROM t WHERE ts >= '2024-01-01 10:00:00.1234567' ORDER BY id",
        "DELETE FROM t WHERE d BETWEEN '0500-01-01 BC' AND '0044-03-15 BC'",
        "SELECT 1 FROM t WHERE d NOT IN ('0044-03-15 BC', '2024-01-01')",
    ],
)
def test_compared_with_a_column_through_the_macro(sql: str) -> None:
    out = _rewritten(sql)
    assert out.refusal is None
    assert DATETIME_LITERAL in out.sql


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM t WHERE ts + interval '1 day' = '0044-03-16 12:00:00 BC'",
        "SELECT id FROM t WHERE '0044-03-15 BC' = d || ''",
        "SELECT id FROM t WHERE d + 1 BETWEEN '0044-03-15 BC' AND d",
        "CREATE VIEW v AS SELECT * FROM t WHERE d = '0044-03-15 BC'",
    ],
)
def test_compared_with_a_value_of_unknown_type_is_refused(sql: str) -> None:
    out = _rewritten(sql)
    assert out.refusal is not None and out.refusal[0] == "0A000"
    assert "0044-03-1" in out.refusal[1]


def test_writes_carry_the_readings_only_for_suspect_literals() -> None:
    plain = _rewritten("INSERT INTO t (id, ts) VALUES (1, '2024-01-01 10:00:00')")
    assert not (plain.positional or {}).get("numeric")
    bc = _rewritten("INSERT INTO t (id, ts) VALUES (1, '0044-03-15 12:00:00 BC')")
    items = bc.positional["numeric"]["items"]
    assert items[0][0] == "ts" and items[0][4]["timestamp"] == "'-0043-03-15 12:00:00'"
    assert items[0][4]["date"] == "'-0043-03-15'"
