"""pgcompat.similar: SQL regular expressions as PostgreSQL translates them (checked on DuckDB)."""

from __future__ import annotations

import duckdb
import pytest

from pgcompat.rewrite import rewrite
from pgcompat.similar import to_regex
from pgcompat.tokens import tokenize
from pgwire.errors import DbError


@pytest.mark.parametrize(
    "value, pattern, escape, expected",
    [
        ("ABC", "A%", None, True),
        ("abc", "_b_", None, True),
        ("abc", "a.c", None, False),  # . is itself in SIMILAR TO
        ("a.c", "a.c", None, True),
        ("abc", "a(b|x)c", None, True),
        ("a1", "[a-z][0-9]", None, True),
        ("a%c", "a#%c", "#", True),
        ("abc", "a#%c", "#", False),
        ("a_c", "a\\_c", None, True),
        ("abbb", "ab*", None, True),
        ("ab", "a", None, False),  # the whole string must match
        ("$x^", "$x^", None, True),
    ],
)
def test_translation_matches_postgresql(value, pattern, escape, expected) -> None:
    sql = f"SELECT '{value}' SIMILAR TO '{pattern}'" + (f" ESCAPE '{escape}'" if escape else "")
    out = rewrite(sql, tokenize(sql)).sql
    assert duckdb.connect().execute(out).fetchone() == (expected,)


def test_a_pattern_that_is_not_a_literal_is_refused() -> None:
    sql = "SELECT name SIMILAR TO pattern FROM t"
    with pytest.raises(DbError) as e:
        rewrite(sql, tokenize(sql))
    assert e.value.sqlstate == "0A000"


def test_bad_escape() -> None:
    with pytest.raises(DbError):
        to_regex("a", "##")
