"""sqlglot's tokens of a text, kept to PostgreSQL's lexical rules where sqlglot departs from them.

sqlglot's Postgres tokenizer takes `$` followed by anything up to the next `$` for a dollar-quote
tag, so the `$1,$` of `VALUES ($1,$2)` opens a dollar-quoted string (issue 12); it also reads
`/*/* */ */` as a comment that ends early. `scan` reads a text the way PostgreSQL's lexer does
(scan.l, standard_conforming_strings on) for what decides where statements end and what is a
parameter: strings ('', E'' with backslash escapes, U&'', N'', B'', X''), quoted identifiers (and
U&""), dollar quotes ($$ and $tag$, the tag a letter or underscore then letters, digits or
underscores), nested block comments, line comments, $n parameters and top-level semicolons.

`tokenize` hands sqlglot a text of the same length in which the `$` of each parameter is a NUL
(a tokenizer told so reads it as a parameter, and it cannot start a dollar quote), so every token
position is a position in the client's text; the texts of the tokens are then read back from the
client's text. Should sqlglot's tokens still disagree with the scan (a semicolon, string, quoted
identifier, dollar quote, parameter or comment it reads otherwise), the comments are blanked out
too and the text tokenized again; tokens that still disagree are refused with a TokenError. A
query text never holds a NUL (the protocol's strings end at one), so a NUL means a parameter.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import zip_longest

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, Tokenizer, TokenType

_NUL = "\x00"


@dataclass(frozen=True)
class _Dialect:
    """A dialect's tokenizers: sqlglot's own, and one that reads a NUL as a parameter."""

    stock: Tokenizer
    protected: Tokenizer
    commands: frozenset[TokenType]
    command_prefix: frozenset[TokenType]


def _dialect(tokenizer: type[Tokenizer]) -> _Dialect:
    protected = type(
        "Protected" + tokenizer.__name__,
        (tokenizer,),
        {"SINGLE_TOKENS": {**tokenizer.SINGLE_TOKENS, _NUL: TokenType.PARAMETER}},
    )
    return _Dialect(
        tokenizer(), protected(), frozenset(tokenizer.COMMANDS), frozenset(tokenizer.COMMAND_PREFIX_TOKENS)
    )


_DIALECTS = {"postgres": _dialect(Postgres.Tokenizer), "duckdb": _dialect(DuckDB.Tokenizer)}

# One lexical item of PostgreSQL's scan.l at a time (a byte >= 0x80 is a letter there: here any
# non-ASCII character is). Prefixed quotes (E'', U&'', U&"", N'', B'', X'') come before words,
# as in scan.l's longest match; `--` and `/*` start a comment even inside an operator.
_ITEM = re.compile(
    r"""(?P<plain>[^A-Za-z_\x80-\U0010ffff0-9.$'";/\-]+)
    |(?P<prefixed>[eE]'|[uU]&['"]|[nN]'|[bBxX]')
    |(?P<word>[A-Za-z_\x80-\U0010ffff][A-Za-z_0-9$\x80-\U0010ffff]*)
    |(?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    |(?P<param>\$[0-9]+)
    |(?P<dollar>\$(?:[A-Za-z_\x80-\U0010ffff][A-Za-z_0-9\x80-\U0010ffff]*)?\$)
    |(?P<line>--[^\n\r]*)
    |(?P<block>/\*)
    |(?P<quote>['"])
    |(?P<semicolon>;)
    |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Scan:
    """What PostgreSQL's lexer finds in a text; spans are [start, end) offsets."""

    semicolons: tuple[int, ...]  # the semicolons that end statements
    params: tuple[tuple[int, int], ...]  # $n: the `$` and the end of the digits
    quoted: tuple[tuple[int, int], ...]  # strings, quoted identifiers (U&"" from its quote), dollar quotes
    comments: tuple[tuple[int, int], ...]


def _near(sql: str, at: int) -> str:
    s = sql[at : at + 40]
    return s if len(sql) <= at + 40 else s + "..."


def _quote_end(sql: str, at: int, backslash: bool, doubled: bool = True) -> int:
    """The offset after the closing quote of the string or identifier whose quote is at `at`."""
    q = sql[at]
    i = at + 1
    n = len(sql)
    while True:
        j = sql.find(q, i)
        if backslash:
            k = sql.find("\\", i)
            if k != -1 and (j == -1 or k < j):
                i = k + 2
                if i > n:
                    break
                continue
        if j == -1:
            break
        if doubled and j + 1 < n and sql[j + 1] == q:
            i = j + 2
            continue
        return j + 1
    what = "quoted identifier" if q == '"' else "quoted string"
    raise TokenError(f'unterminated {what} at or near "{_near(sql, at)}"')


def _comment_end(sql: str, at: int) -> int:
    """The offset after the block comment opened at `at` (comments nest)."""
    depth, i, n = 1, at + 2, len(sql)
    while i < n:
        c = sql[i]
        if c == "/" and sql.startswith("/*", i):
            depth += 1
            i += 2
        elif c == "*" and sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    raise TokenError(f'unterminated /* comment at or near "{_near(sql, at)}"')


def scan(sql: str) -> Scan:
    """The statement ends, parameters, quoted spans and comments of a text, as PostgreSQL reads it;
    TokenError for an unterminated string, identifier, dollar quote or comment."""
    semicolons: list[int] = []
    params: list[tuple[int, int]] = []
    quoted: list[tuple[int, int]] = []
    comments: list[tuple[int, int]] = []
    i, n = 0, len(sql)
    match = _ITEM.match
    while i < n:
        m = match(sql, i)
        assert m is not None  # `other` takes any character
        kind, end = m.lastgroup, m.end()
        if kind == "semicolon":
            semicolons.append(i)
        elif kind == "quote":
            end = _quote_end(sql, i, backslash=False)
            quoted.append((i, end))
        elif kind == "prefixed":
            q = end - 1  # the opening quote
            c = sql[i]
            if c in "bBxX":  # bit and hex strings: no doubled quotes (scan.l's xb, xh)
                end = _quote_end(sql, q, backslash=False, doubled=False)
            else:
                end = _quote_end(sql, q, backslash=c in "eE")
            quoted.append((q if sql[q] == '"' else i, end))
        elif kind == "param":
            params.append((i, end))
        elif kind == "dollar":
            close = sql.find(m.group(), end)
            if close == -1:
                raise TokenError(f'unterminated dollar-quoted string at or near "{_near(sql, i)}"')
            end = close + end - i
            quoted.append((i, end))
        elif kind == "line":
            comments.append((i, end))
        elif kind == "block":
            end = _comment_end(sql, i)
            comments.append((i, end))
        # plain, word, number, other (a stray `$`, a lone `-` or `/`): nothing to note
        i = end
    return Scan(tuple(semicolons), tuple(params), tuple(quoted), tuple(comments))


def _blank(sql: str, spans: tuple[tuple[int, int], ...]) -> str:
    """sql with the spans' characters turned to spaces (line breaks kept)."""
    out, pos = [], 0
    for start, end in spans:
        out.append(sql[pos:start])
        out.append(re.sub(r"[^\n\r]", " ", sql[start:end]))
        pos = end
    out.append(sql[pos:])
    return "".join(out)


def _is_command_args(d: _Dialect, toks: list[Token], i: int) -> bool:
    """Whether token i is the one string sqlglot makes of what follows a command (SHOW, EXPLAIN ...)."""
    return (
        toks[i].token_type == TokenType.STRING
        and i > 0
        and toks[i - 1].token_type in d.commands
        and (i == 1 or toks[i - 2].token_type in d.command_prefix)
    )


def _read_back(d: _Dialect, sql: str, seen: str, toks: list[Token]) -> None:
    """Token texts as the client wrote them: sqlglot read `seen`, sql's twin of the same length."""
    if seen == sql:
        return
    for i, t in enumerate(toks):
        if _is_command_args(d, toks, i):
            # Its position is that of the last token inside (see _fix_positions): find the text.
            at = seen.find(t.text, toks[i - 1].end + 1)
            if at >= 0:
                t.text = sql[at : at + len(t.text)]
        elif seen[t.start : t.end + 1] == t.text:
            t.text = sql[t.start : t.end + 1]


def _disagreement(d: _Dialect, sc: Scan, toks: list[Token], text: str) -> int | None:
    """The offset of the first place where the tokens and the scan disagree, else None."""
    args: list[tuple[int, int]] = []  # what sqlglot keeps as a command's arguments: [start, end)
    starts: list[int] = []  # every other token: where it starts and ends (exclusive)
    ends: list[int] = []
    at: dict[int, int] = {}  # token index by start, where the scan has a quoted span or parameter
    need = {start for start, _end in sc.quoted}
    need.update(dollar for dollar, _end in sc.params)
    semicolons: list[int] = []
    comments = bool(sc.comments)
    for i, t in enumerate(toks):
        tt = t.token_type
        if tt == TokenType.STRING and _is_command_args(d, toks, i):
            args.append((toks[i - 1].end + 1, t.end + 1))
            continue
        start = t.start
        if tt == TokenType.SEMICOLON:
            semicolons.append(start)
        elif start in need and start not in at:
            at[start] = i
        if comments:
            starts.append(start)
            ends.append(t.end + 1)

    def in_args(start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in args)

    for a, b in zip_longest(semicolons, sc.semicolons):
        if a != b:
            return min(x for x in (a, b) if x is not None)
    for start, end in sc.quoted:
        k = at.get(start)
        if (k is None or toks[k].end + 1 != end) and not in_args(start, end):
            return start
    for dollar, end in sc.params:
        k = at.get(dollar)
        if (
            k is None
            or k + 1 >= len(toks)
            or toks[k].token_type != TokenType.PARAMETER
            or toks[k].text != "$"
            or toks[k].end != dollar
            or toks[k + 1].token_type != TokenType.NUMBER
            or toks[k + 1].start != dollar + 1
            or toks[k + 1].end + 1 != end
        ) and not in_args(dollar, end):
            return dollar
    for c_start, c_end in sc.comments:
        k = bisect_right(ends, c_start)  # the first token that ends after the comment starts
        if k < len(starts) and starts[k] < c_end:
            return c_start
    for g_start, g_end in _between_comments(sc.comments, len(text)):
        # text after a comment that sqlglot made no token of: it read the comment on (nesting)
        k = bisect_left(starts, g_start)
        if (
            (k == len(starts) or starts[k] >= g_end)
            and text[g_start:g_end].strip(_BLANKS)
            and not any(a < g_end and g_start < b for a, b in args)
        ):
            return g_start
    return None


# PostgreSQL's whitespace (scan.l's space)
_BLANKS = " \t\n\r\f\v"


def _between_comments(comments: tuple[tuple[int, int], ...], n: int) -> list[tuple[int, int]]:
    """The spans of text after each comment up to the next one (or the end)."""
    return [(end, comments[k + 1][0] if k + 1 < len(comments) else n) for k, (_, end) in enumerate(comments)]


def tokenize(sql: str, dialect: str = "postgres") -> list[Token]:
    """sqlglot's tokens of sql (by the tokenizer of dialect: postgres or duckdb), agreeing with
    PostgreSQL's lexer on what `scan` finds; positions are sql's (a command's argument string keeps
    sqlglot's own, see statements._fix_positions). TokenError when the text does not tokenize or
    sqlglot's tokens cannot be made to agree."""
    d = _DIALECTS[dialect]
    sc = scan(sql)
    seen, tokenizer = sql, d.stock
    if sc.params:
        if _NUL in sql:
            raise TokenError("a query text cannot contain a NUL character")
        chars = list(sql)
        for dollar, _end in sc.params:
            chars[dollar] = _NUL
        seen, tokenizer = "".join(chars), d.protected
    attempts = 2 if sc.comments else 1
    at: int | None = None
    for k in range(attempts):
        text = seen if k == 0 else _blank(seen, sc.comments)
        try:
            toks = tokenizer.tokenize(text)
        except TokenError:
            if k + 1 < attempts:
                continue
            raise
        _read_back(d, sql, text, toks)
        at = _disagreement(d, sc, toks, text)
        if at is None:
            return toks
    assert at is not None
    raise TokenError(f'cannot tokenize the text at or near "{_near(sql, at)}"')


def parse_one(sql: str, read: str) -> exp.Expr:
    """sqlglot.parse_one(sql, read=...) (postgres or duckdb), from this module's tokens when the
    text has $n parameters (sqlglot's own may read `$1,$2 ... $1,$` as one dollar-quoted string,
    and a statement it reads so would hide what it does from the analysis)."""
    if not _has_params(sql):
        return sqlglot.parse_one(sql, read=read)
    result = Dialect.get_or_raise(read).parser().parse(tokenize(sql, read), sql)
    if not result or result[0] is None:
        raise ParseError(f"No expression was parsed from '{sql}'")
    return exp.Block(expressions=result) if len(result) > 1 else result[0]


def _has_params(sql: str) -> bool:
    if "$" not in sql:
        return False
    try:
        return bool(scan(sql).params)
    except TokenError:
        return False
