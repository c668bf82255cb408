"""Property tests of pgcompat.statements.split (issue 12).

Messages are built from pieces that PostgreSQL's lexer reads in one way only: keywords, names,
quoted identifiers, strings ('', E'', U&'', N''), dollar quotes with random tags, line and nested
block comments, all of them holding semicolons, quotes and `$n`, and `$n` parameters next to
punctuation. split() must give back exactly the statements the message was built from, each with
the highest $n written in it as its param_count.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import Token, TokenType

from pgcompat.statements import SqlSyntaxError, Statement, split_text

FAST = settings(
    max_examples=150,
    deadline=2000,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Words that are no sqlglot keyword (a keyword such as SHOW after BEGIN makes sqlglot read the
# rest as a command's string: what that does is tested elsewhere).
_KEYWORDS = set(Postgres.Tokenizer.KEYWORDS)
KEYWORDS = ["FROM", "WHERE", "AND", "OR", "NOT", "NULL", "IN", "IS", "CASE", "WHEN", "THEN", "ELSE", "END"]
STARTS = ["SELECT", "INSERT INTO t VALUES", "UPDATE t SET a =", "DELETE FROM t WHERE a ="]
PUNCT = ["(", ")", ",", "=", "+", "||"]
# Characters inside quoted things: every kind of quote, semicolons, comment starts, dollars.
INNER = st.text(alphabet=st.sampled_from(list("ab ;'\"$\\-/*\n1é")), max_size=12)


@dataclass(frozen=True)
class Piece:
    text: str
    param: int = 0  # n of a $n parameter


def _quoted(q: str, prefix: str = "") -> st.SearchStrategy[Piece]:
    return INNER.map(lambda s: Piece(prefix + q + s.replace(q, q + q) + q))


def _e_string() -> st.SearchStrategy[Piece]:
    part = st.sampled_from(["\\'", "\\\\", "\\n", "\\;", "''", "a", ";", " ", '"', "$1", "$$", "--", "/*"])
    return st.lists(part, max_size=6).map(lambda ps: Piece("E'" + "".join(ps) + "'"))


def _u_string() -> st.SearchStrategy[Piece]:
    part = st.sampled_from(["\\0061", "\\\\", "''", "a", ";", " ", '"', "$1", "$$"])
    return st.lists(part, max_size=6).map(lambda ps: Piece("U&'" + "".join(ps) + "'"))


@st.composite
def _dollar_quoted(draw: st.DrawFn) -> Piece:
    tag = draw(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,4}", fullmatch=True) | st.just(""))
    part = st.sampled_from([";", "a", " ", "'", '"', "$", "$1", "$$", "$x$", "--", "/*", "\n", f"${tag}"])
    body = "".join(draw(st.lists(part, max_size=8)))
    delim = f"${tag}$"
    # The body ends where the first closing tag is: keep the bodies that hold none.
    if (body + delim).find(delim) != len(body):
        body = body.replace("$", "")
    return Piece(delim + body + delim)


_COMMENT_TEXT = st.text(alphabet=st.sampled_from(list("ab ;'\"$1\n")), max_size=8)
block_comments = st.recursive(
    _COMMENT_TEXT.map(lambda s: "/*" + s + "*/"),
    lambda inner: st.tuples(_COMMENT_TEXT, inner, _COMMENT_TEXT).map(lambda p: "/*" + "".join(p) + "*/"),
    max_leaves=4,
)
line_comments = st.text(alphabet=st.sampled_from(list("ab ;'\"$1*/")), max_size=8).map(
    lambda s: "--" + s + "\n"
)
comments = block_comments | line_comments
names = st.from_regex(r"[a-z_][a-z0-9_$]{0,5}", fullmatch=True).filter(lambda s: s.upper() not in _KEYWORDS)


@st.composite
def _param(draw: st.DrawFn) -> Piece:
    n = draw(st.integers(min_value=1, max_value=12))
    shape = draw(st.sampled_from(["${}", "${}::int", "(${})", "${}::text", "f(${},1)"]))
    return Piece(shape.format(n), n)


@st.composite
def _param_list(draw: st.DrawFn) -> Piece:
    """`($1,$2::int,$3)`: what psycopg sends for `(%s,%s,%s)`, with other joints."""
    ps = draw(st.lists(_param(), min_size=2, max_size=5))
    joints = st.sampled_from([",", ",", ", ", ",\n", "+", "||", "=", "::int,", ")||("])
    text = ps[0].text
    for p in ps[1:]:
        text += draw(joints) + p.text
    open_, close = ("((", "))") if ")||(" in text else ("(", ")")
    return Piece(open_ + text + close, max(p.param for p in ps))


pieces = st.one_of(
    _param_list(),
    st.sampled_from(KEYWORDS).map(Piece),
    names.map(Piece),
    st.sampled_from(["1", "2.5", "42"]).map(Piece),
    st.sampled_from(PUNCT).map(Piece),
    _quoted('"'),
    _quoted("'"),
    _quoted("'", "N"),
    _quoted('"', "U&"),
    _e_string(),
    _u_string(),
    _dollar_quoted(),
    _param(),
    _param(),
    comments.map(lambda c: Piece(c)),
)
blanks = st.sampled_from([" ", "\n", "\t", "  ", " \r\n"])


def _sticks(a: str, b: str) -> bool:
    """Whether a and b may touch: one of them is punctuation at the join."""
    return a[-1:] in "(),=+|" or b[:1] in "(),=+|"


@st.composite
def statements(draw: st.DrawFn) -> tuple[str, int]:
    """(text, highest $n): a statement that starts and ends with a token."""
    body = draw(st.lists(pieces, min_size=1, max_size=8))
    while body and (body[-1].text.startswith("--") or body[-1].text.startswith("/*")):
        body.pop()
    text = draw(st.sampled_from(STARTS))
    for p in body:
        joint = draw(st.sampled_from(["", "", " "])) if _sticks(text, p.text) else draw(blanks)
        text += joint + p.text
    return text, max((p.param for p in body), default=0)


junk = st.lists(blanks | comments, max_size=3).map("".join)


@st.composite
def messages(draw: st.DrawFn) -> tuple[str, list[tuple[str, int]]]:
    stmts = draw(st.lists(statements(), min_size=1, max_size=4))
    parts = []
    for text, _n in stmts:
        parts.append(draw(junk) + text + draw(junk))
        if draw(st.booleans()):
            parts.append(draw(junk))  # an empty statement: `;;`
    message = ";".join(parts)
    if draw(st.booleans()):
        message += ";" + draw(junk)
    return message, stmts


def _check_tokens(sql: str, stmt: Statement, built: bool = True) -> None:
    """Each parameter and quoted token slices sql into what it spells (in a built message, every
    `$` parameter is followed by its digits)."""
    toks: tuple[Token, ...] = stmt.tokens
    for t, n in zip(toks, toks[1:] + (None,), strict=True):
        src = sql[t.start : t.end + 1]
        tt = t.token_type
        if tt == TokenType.PARAMETER and src == "$":
            assert t.text == "$"
            if built:
                assert n is not None and n.token_type == TokenType.NUMBER and n.start == t.end + 1
                assert n.text.isdigit()
            if n is not None and n.token_type == TokenType.NUMBER and n.start == t.end + 1:
                assert sql[n.start : n.end + 1] == n.text
        elif tt == TokenType.STRING and src[:1] == "'":
            assert src == "'" + t.text.replace("'", "''") + "'"
        elif tt == TokenType.NATIONAL_STRING:
            assert src[:2] in ("N'", "n'") and src[2:] == t.text.replace("'", "''") + "'"
        elif tt == TokenType.IDENTIFIER and src[:1] == '"':
            assert src == '"' + t.text.replace('"', '""') + '"'
        elif tt == TokenType.HEREDOC_STRING:
            tag = src[: src.index("$", 1) + 1]
            assert src == tag + t.text + tag
        elif tt == TokenType.BYTE_STRING:
            assert src[:2] in ("E'", "e'") and src.endswith("'")
        elif tt == TokenType.UNICODE_STRING:
            assert src[:3] in ("U&'", "u&'") and src.endswith("'")


@FAST
@given(messages())
# (found by it: sqlglot read a nested comment on past its end and the statement after it was lost)
@example(("/*/*1/**/*/*/SELECT FROM/*/**/1*/", [("SELECT FROM", 0)]))
def test_split_gives_back_the_statements(case: tuple[str, list[tuple[str, int]]]) -> None:
    message, expected = case
    got = split_text(message)
    assert [(s.text, s.param_count) for s in got] == expected
    for s in got:
        _check_tokens(message, s)


@FAST
@given(statements())
def test_one_statement(case: tuple[str, int]) -> None:
    text, n = case
    (s,) = split_text(text)
    assert (s.text, s.param_count) == (text, n)
    _check_tokens(text, s)


SQLISH = st.text(
    alphabet=st.sampled_from(list("$'\";/*-\\eEuUnNbBxX&0123456789 \n\t(),:=+#@.ab_é")),
    max_size=40,
)


@FAST
@given(SQLISH | st.text(max_size=40))
def test_split_refuses_only_with_a_syntax_error(text: str) -> None:
    try:
        got = split_text(text)
    except SqlSyntaxError as e:
        assert e.sqlstate == "42601"
        return
    for s in got:
        assert isinstance(s.param_count, int)
        _check_tokens(text, s, built=False)
