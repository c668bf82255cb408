"""session.shape_params: which numbers of a simple-protocol text become parameters of its shape's
parsed statement (issue 18). Only numbers where a literal integer and an integer parameter mean
the same; every other number must be the same in each text that uses the reading."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from session.shape_params import numbered


def _fill(text: str, values: list[int]) -> str:
    return re.sub(r"\$(\d+)", lambda m: str(values[int(m.group(1)) - 1]), text)


def test_numbers_after_comparisons_and_limits_become_parameters() -> None:
    n = numbered("SELECT abalance FROM accounts WHERE aid = 4711")
    assert n is not None and n.text == "SELECT abalance FROM accounts WHERE aid = $1"
    assert n.values("SELECT abalance FROM accounts WHERE aid = 12") == [12]
    n = numbered("select a from t where b >= 1 and c<>2 and d<3 order by 1 limit 10 offset 20")
    assert n is not None
    assert n.text == "select a from t where b >= $1 and c<>$2 and d<$3 order by 1 limit $4 offset $5"
    assert n.fixed == (None, None, None, "1", None, None)


def test_other_numbers_must_be_the_same() -> None:
    n = numbered("select a, b from t where id = 5 order by 2")
    assert n is not None and n.text == "select a, b from t where id = $1 order by 2"
    assert n.values("select a, b from t where id = 6 order by 2") == [6]
    assert n.values("select a, b from t where id = 6 order by 1") is None  # another ordinal
    assert n.values("select a, b from t where id = 6.5 order by 2") is None  # not an integer
    assert n.values("select a, b from t where id = 1234567890123456789 order by 2") is None  # too long
    n = numbered("select substr(v, 1, 3) from t where id = 7")
    assert n is not None and n.fixed == ("1", "3", None)


def test_texts_with_no_reading() -> None:
    assert numbered("select 1") is None  # no number in a place for a parameter
    assert numbered("select a from t where b = -5") is None  # (after a minus)
    assert numbered("select 'id = 5' from t where id = 5") is None  # a number inside a string
    assert numbered('select "c 1" from t where id = 5') is None  # inside a quoted name
    assert numbered("select a from t where id = 5 -- = 6") is None  # inside a comment
    assert numbered("select $$x$$ from t where id = 5") is None
    assert numbered("select a from t where b = 2.5") is None
    assert numbered("select a from t where b = 2147483647 + 1") is None  # (the sum's type and overflow)
    assert numbered("select a from t where b = 5::int8") is None


_WORDS = st.sampled_from(
    ["select a from t", "where b", "and c", "order by", "limit", "offset", "x(", ")", ","]
)
_OPS = st.sampled_from(["=", "<", ">=", "<>", " ", "+", "-", "*", "limit ", "offset "])


@given(st.lists(st.tuples(_WORDS, _OPS, st.integers(0, 10**12)), min_size=1, max_size=6), st.data())
def test_a_reading_gives_back_each_text_of_its_shape(parts, data) -> None:
    text = " ".join(f"{w} {op}{n}" for w, op, n in parts)
    n = numbered(text)
    if n is None:
        return
    assert n.values(text) is not None and _fill(n.text, n.values(text)) == text
    # another text of the same shape: other numbers where parameters are
    others = [data.draw(st.integers(0, 10**12)) if f is None else int(f) for f in n.fixed]
    it = iter(others)
    other = re.sub(r"\d+", lambda m: str(next(it)), text)
    assert _fill(n.text, n.values(other) or []) == other
