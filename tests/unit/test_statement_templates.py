"""Statements that differ only in numbers share one reading (pgcompat.statements.split): the
client's text runs, the template is what is judged; statements a rewrite changes never share."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pgcompat import analysis, statements
from pgcompat.statements import split


def test_numbers_share_a_template_and_the_text_runs() -> None:
    (a,) = split("SELECT abalance FROM accounts WHERE aid = 12345")
    (b,) = split("SELECT abalance FROM accounts WHERE aid = 7")
    assert b.text == b.engine_sql == "SELECT abalance FROM accounts WHERE aid = 7"
    assert b.judged is a and a.judged is a
    assert b.engine_op()["sql"] == "SELECT abalance FROM accounts WHERE aid = 7"
    assert analysis.analyze(b.judged).tables == frozenset({("", "", "accounts")})
    assert (b.kind, b.tag, b.words) == (a.kind, a.tag, a.words)


def test_names_with_digits_and_parameters_are_not_numbers() -> None:
    (a,) = split("SELECT * FROM t1 WHERE x = $1 AND y = 5")
    (b,) = split("SELECT * FROM t2 WHERE x = $1 AND y = 5")
    assert b.judged is b and a.judged is a  # t1 and t2 are different tables
    (c,) = split("SELECT * FROM t1 WHERE x = $1 AND y = 6")
    assert c.judged is a and c.param_count == 1


def test_rewritten_statements_never_share() -> None:
    (a,) = split("SELECT 7/2 AS x FROM pg_class LIMIT 3")  # the catalog rewrite changes its text
    (b,) = split("SELECT 9/2 AS x FROM pg_class LIMIT 3")
    assert a.engine_sql != a.text and b.judged is b
    assert "9/2" in b.engine_sql


def test_several_statements_and_other_kinds_never_share() -> None:
    (a,) = split("SET statement_timeout = 1000")
    (b,) = split("SET statement_timeout = 2000")
    assert b.judged is b
    first = split("SELECT 1; SELECT 2")
    second = split("SELECT 3; SELECT 4")
    assert [s.judged is s for s in first + second] == [True] * 4


# The reference definitions of the patterns split() uses at every statement (written there with the
# look-behind after the first character, to be searched faster): both readings must agree.
_NUMBER_REFERENCE = re.compile(r"(?<![\w$.])\d+(?:\.\d+)?(?![\w.])")
_OWN_READING_REFERENCE = re.compile(r"\d{29}|\.\d{11}|(?<![\w$.])(?:2147483648|9223372036854775808)(?![\w.])")
_PIECES = st.sampled_from(
    [*"0123456789.$_ aZ'\"-+e,()x\n", "2147483648", "9223372036854775808", "1" * 29, ".12345678901",
     "52147483648", "92233720368547758089", "a1", "$1", "t1.c2", "1.5", ".5", "5.", "é9"]
)  # fmt: skip


@settings(max_examples=3000, deadline=None, database=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_the_number_patterns_read_as_their_reference(text: str) -> None:
    assert statements._NUMBER.sub("0", text) == _NUMBER_REFERENCE.sub("0", text)
    assert analysis._NUMBER.sub("0", text) == _NUMBER_REFERENCE.sub("0", text)  # (the analysis's)
    assert bool(statements._OWN_READING.search(text)) == bool(_OWN_READING_REFERENCE.search(text))


def test_numbers_at_the_edges_of_the_text() -> None:
    assert statements._NUMBER.sub("0", "7 x1 $2 .5 8.25 9") == "0 x1 $2 .5 0 0"
    assert statements._OWN_READING.search("2147483648")
    assert statements._OWN_READING.search("x -9223372036854775808")
    assert not statements._OWN_READING.search("12147483648 x2147483648 2147483648.5")
