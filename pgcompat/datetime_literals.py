"""Date/time literals and casts read as PostgreSQL 15 reads them.

DuckDB differs from PostgreSQL on a literal's text, quietly:
- 'BC' (and 'AD') after a timestamp is taken for a time zone name and ignored: TIMESTAMP
  '0044-03-15 12:00:00 BC' is year 44 AD. DuckDB reads the astronomical year ('-0043-03-15'), so
  the literal is written so (a date too: DuckDB refuses 'BC' there).
- More than 6 fractional digits are cut; PostgreSQL rounds (rint of the fraction, as
  ParseFractionalSecond), carrying into the seconds ('23:59:59.9999999' is the next day).
- A date past PostgreSQL's range (5874897-12-31 AD, 4714-11-24 BC) is accepted; PostgreSQL
  refuses it, 22008.
And on precisions: timestamp(p), timestamptz(p), time(p), timetz(p) round to p fractional
digits in PostgreSQL (half away from zero, counted from 2000-01-01: AdjustTimestampForTypmod);
DuckDB refuses the typmod of all but timestamp, whose own rounding counts from 1970 and keeps 3
digits for 1 and 2. A cast or typed literal with a precision below 6 is the cast without it,
rounded by plain SQL (rounded(): a view can hold it, where the session's macros are unknown).

A table column's precision: DuckDB stores timestamp(0) as TIMESTAMP_S and timestamp(1..3) as
TIMESTAMP_MS, and refuses the others' typmods. A precision of 6 or more is the type's own (it is
dropped); timestamp(0) and timestamp(3) stay DuckDB's (rounded from 1970, not 2000: they differ
only on an exact half between 1970 and 2000); any other below 6 is refused with 0A000, since
DuckDB would keep more digits than the column declares (nothing rounds a written value).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.char_casts import _primary_start
from pgcompat.tokens import NAMES, Edit, Tokens, apply, literal
from pgwire.types import DATETIME_KINDS, DATETIME_LITERAL

_TYPE_TOKENS = frozenset(
    {TokenType.DATE, TokenType.TIMESTAMP, TokenType.TIMESTAMPTZ, TokenType.TIME, TokenType.TIMETZ}
)
# DuckDB's name of each kind
_DUCK = {
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "time": "TIME",
    "timetz": "TIMETZ",
}
MAX_PRECISION = 6

_ERA = re.compile(r"\s+(BC|AD)\s*$", re.IGNORECASE)
_DATE_PART = r"(?P<y>\d{4,})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
_TIME_PART = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d*))?)?"
_ZONE = r"(?P<zone>\s*(?:[+-]\d{1,2}(?::?\d{2}){0,2}|[A-Za-z][A-Za-z0-9_/+\-]*))?"
_DATETIME = re.compile(rf"^\s*{_DATE_PART}(?:(?:\s+|T){_TIME_PART}{_ZONE})?\s*$", re.IGNORECASE)
_TIME = re.compile(rf"^\s*{_TIME_PART}{_ZONE}\s*$", re.IGNORECASE)

LAST_YEAR = {"date": 5_874_897, "timestamp": 294_276, "timestamptz": 294_276}  # AD
FIRST_BC = (4714, 11, 24)  # the first day both take (Julian day 0)


def _type_at(tk: Tokens, i: int) -> tuple[str, int | None, int, tuple[int, int] | None] | None:
    """The date/time type named from token i: (kind, precision, its last token, the tokens of
    its '(p)'), else None. timestamp [(p)] [with[out] time zone], timestamptz [(p)], time ...,
    timetz [(p)], date."""
    t = tk.tt(i)
    if t not in _TYPE_TOKENS:
        return None
    kind = {
        TokenType.DATE: "date",
        TokenType.TIMESTAMP: "timestamp",
        TokenType.TIMESTAMPTZ: "timestamptz",
        TokenType.TIME: "time",
        TokenType.TIMETZ: "timetz",
    }[t]
    last, precision, typmod = i, None, None
    if kind != "date" and tk.tt(i + 1) == TokenType.L_PAREN:
        if tk.tt(i + 2) != TokenType.NUMBER or tk.tt(i + 3) != TokenType.R_PAREN:
            return None
        precision, typmod, last = int(tk.src(i + 2)), (i + 1, i + 3), i + 3
    if kind in ("timestamp", "time") and tk.word(last + 1) in ("with", "without"):
        if tk.tt(last + 2) != TokenType.TIME or tk.word(last + 3) != "zone":
            return None
        if tk.word(last + 1) == "with":
            kind += "tz"
        last += 3
    if tk.tt(last + 1) in (TokenType.L_BRACKET, TokenType.DOT):
        return None  # an array of it, or not a type
    return kind, precision, last, typmod


def _bad_date(text: str, kind: str) -> str:
    what = "date" if kind == "date" else "timestamp"
    return f"error({literal(f'DuckCDB 22008: {what} out of range: {chr(34)}{text}{chr(34)}')})"


def _clock(h: int, mi: int, s: int, us: int) -> str:
    return f"{h:02d}:{mi:02d}:{s:02d}" + (f".{us:06d}".rstrip("0") if us else "")


def _fraction(f: str | None) -> tuple[int, bool]:
    """PostgreSQL's microseconds of a fraction's digits (rint, as ParseFractionalSecond), and
    whether they carry into the next second."""
    if not f:
        return 0, False
    us = int(round(float("0." + f) * 1_000_000)) if len(f) > MAX_PRECISION else int(f.ljust(6, "0"))
    return (0, True) if us == 1_000_000 else (us, False)


def pg_literal(text: str, kind: str) -> str | None:
    """The SQL DuckDB reads as PostgreSQL reads the literal `text` of a date/time type: a new
    literal (quoted), an expression, or error(...); None when DuckDB reads it as it is."""
    era = _ERA.search(text) if kind in ("date", "timestamp", "timestamptz") else None
    body = text[: era.start()] if era else text
    bc = era is not None and era.group(1).upper() == "BC"
    if kind in ("time", "timetz"):
        m = _TIME.match(body)
        short = m is not None and m.group("s") is None and bool(m.group("zone"))  # DuckDB wants :SS
        if m is None or not short and (not m.group("f") or len(m.group("f")) <= MAX_PRECISION):
            return None
        us, carry = _fraction(m.group("f"))
        h, mi, s = int(m.group("h")), int(m.group("mi")), int(m.group("s") or 0) + carry
        mi, s = mi + s // 60, s % 60
        h, mi = h + mi // 60, mi % 60
        return literal(_clock(h, mi, s, us) + (m.group("zone") or "").strip())
    m = _DATETIME.match(body)
    if m is None:
        return other_date(body) if kind == "date" else None
    y, mo, d = int(m.group("y")), int(m.group("mo")), int(m.group("d"))
    if bc and (y > FIRST_BC[0] or y == FIRST_BC[0] and (mo, d) < FIRST_BC[1:]):
        return _bad_date(text, kind)
    if not bc and y > LAST_YEAR[kind]:
        return _bad_date(text, kind)
    if bc and y == 0:
        return None  # (no year 0 BC: DuckDB's refusal stands)
    frac = m.group("f") or ""
    long_fraction = kind != "date" and len(frac) > MAX_PRECISION
    if era is None and not long_fraction:
        return None
    year = 1 - y if bc else y
    day = f"{'-' if year < 0 else ''}{abs(year):04d}-{mo:02d}-{d:02d}"
    if m.group("h") is None or kind == "date":
        return literal(day)
    us, carry = _fraction(frac) if long_fraction else (int(frac.ljust(6, "0")[:6] or 0), False)
    clock = _clock(int(m.group("h")), int(m.group("mi")), int(m.group("s") or 0), us)
    new = literal(f"{day} {clock}{(m.group('zone') or '').rstrip()}")
    return f"(CAST({new} AS {_DUCK[kind]}) + INTERVAL 1 SECOND)" if carry else new


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
)  # fmt: skip
_OTHER_DATES = (  # (pattern, order of year, month, day): DateStyle ISO, MDY
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "ymd"),
    (re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$"), "mdy"),
    (re.compile(r"^(\d{1,2})[\s-]([a-z]+)\.?[\s-](\d{4})$"), "dmy"),
    (re.compile(r"^(\d{4})-([a-z]+)-(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "mdy"),
)


def _month(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if len(word) >= 3 and word[:3] in _MONTHS:
        k = _MONTHS.index(word[:3])
        if _MONTH_NAMES[k].startswith(word) or word == "sept":
            return k + 1
    return None


def other_date(text: str) -> str | None:
    """PostgreSQL's other date spellings ('20240105', 'Jan 5 2024', '5 Jan 2024', '1/5/2024'
    month first) as ISO literals; None for anything else (DuckDB's error stands)."""
    import datetime

    body = text.strip().lower()
    for pattern, order in _OTHER_DATES:
        m = pattern.match(body)
        if m is None:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        month = _month(parts["m"])
        if month is None:
            return None
        try:
            day = datetime.date(int(parts["y"]), month, int(parts["d"]))
        except ValueError:  # PostgreSQL's DTERR_FIELD_OVERFLOW
            return f"error({literal(f'DuckCDB 22008: date/time field value out of range: {chr(34)}{text}{chr(34)}')})"
        return literal(day.isoformat())
    return None


PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in microseconds since 1970
US_PER_DAY = 86_400_000_000


def rounded(kind: str, value: str, precision: int) -> str:
    """SQL of `value` (an expression of type `kind`) rounded to `precision` fractional digits as
    PostgreSQL's typmod does: half away from zero, timestamps counted from 2000-01-01
    (AdjustTimestampForTypmod; DuckDB's // truncates as C's /), infinities kept, a time up to
    24:00:00. Plain SQL (the value is repeated), so that a view can hold it."""
    v = f"({value})"
    s = 10 ** (MAX_PRECISION - max(precision, 0))
    h = s // 2
    if kind in ("timestamp", "timestamptz"):
        t = f"(epoch_us({v}) - {PG_EPOCH_US})"
        return f"({v} + to_microseconds(coalesce(({t} + sign({t}) * {h}) // {s} * {s} - {t}, 0)))"
    t = f"epoch_us({v})"
    if kind == "time":
        return (
            f"(CASE WHEN ({t} + {h}) // {s} * {s} >= {US_PER_DAY} THEN make_time(24, 0, 0)"
            f" ELSE {v} + to_microseconds(({t} + {h}) // {s} * {s} - {t}) END)"
        )
    return f"({v} + to_microseconds(({t} + {h}) // {s} * {s} - {t}))"


def _site(
    edits: list[Edit], tk: Tokens, local: list[Edit], first: int, last: int, kind: str, precision: int | None
) -> None:
    """The edits of one cast or typed literal (tokens first..last); with a precision below 6 the
    whole of it, rounded, in one edit (which takes in the edits of casts nested in it)."""
    if precision is None or precision >= MAX_PRECISION or kind == "date":
        edits += local
        return
    lo, hi = tk.start(first), tk.end(last)
    inner = [e for e in edits if lo <= e[0] and e[1] <= hi]
    edits[:] = [e for e in edits if not (lo <= e[0] and e[1] <= hi)]
    body = apply(tk.text[lo:hi], [(a - lo, b - lo, r) for a, b, r in inner + local])
    edits.append((lo, hi, rounded(kind, body, precision)))


def _drop_typmod(tk: Tokens, typmod: tuple[int, int] | None) -> list[Edit]:
    return [] if typmod is None else [(tk.start(typmod[0]), tk.end(typmod[1]), "")]


def _string_at(tk: Tokens, i: int) -> bool:
    return tk.tt(i) == TokenType.STRING and tk.src(i).startswith("'")


def datetime_literals(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """Typed literals (TIMESTAMP '...'), literal casts ('...'::date, CAST('...' AS time)) and
    casts with a precision (x::timestamp(0)) as PostgreSQL reads them."""
    if not any(t.token_type in _TYPE_TOKENS for t in toks):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in range(tk.n):
        if tk.tt(i) not in _TYPE_TOKENS:
            continue
        before = tk.tt(i - 1)
        typed = _type_at(tk, i)
        if typed is None:
            continue
        kind, precision, last, typmod = typed
        local: list[Edit] = []
        if before == TokenType.DCOLON:
            first = _primary_start(tk, i - 2)
            if first is None:
                continue
            if first == i - 2 and _string_at(tk, i - 2):
                new = pg_literal(tk.toks[i - 2].text, kind)
                if new is not None:
                    local.append((tk.start(i - 2), tk.end(i - 2), new))
            _site(edits, tk, local + _drop_typmod(tk, typmod), first, last, kind, precision)
        elif before == TokenType.ALIAS and tk.tt(last + 1) == TokenType.R_PAREN:
            close = last + 1
            opening = tk.match.get(close)
            if opening is None or tk.word(opening - 1) != "cast":
                continue
            if opening + 2 == i - 1 and _string_at(tk, opening + 1):
                new = pg_literal(tk.toks[opening + 1].text, kind)
                if new is not None:
                    local.append((tk.start(opening + 1), tk.end(opening + 1), new))
            _site(edits, tk, local + _drop_typmod(tk, typmod), opening - 1, close, kind, precision)
        elif _string_at(tk, last + 1) and before not in NAMES and before != TokenType.ALIAS:
            new = pg_literal(tk.toks[last + 1].text, kind)
            if new is not None and not new.startswith("'"):
                local.append((tk.start(i), tk.end(last + 1), new))  # an expression or error(...)
            else:
                if new is not None:
                    local.append((tk.start(last + 1), tk.end(last + 1), new))
                local += _drop_typmod(tk, typmod)
            _site(edits, tk, local, i, last + 1, kind, precision)
    return edits


_DEFINITIONS = (TokenType.CREATE, TokenType.ALTER)
_KEPT_BY_DUCKDB = {("timestamp", 0), ("timestamp", 3)}  # TIMESTAMP_S, TIMESTAMP_MS


def _column_types(
    text: str, toks: Sequence[Token], base: int | None = None
) -> Iterator[tuple[Tokens, str, int, tuple[int, int] | None]]:
    """(tokens, kind, precision, its '(p)' tokens) of each column type with a precision in a
    CREATE / ALTER statement (after a column's name, or ALTER ... TYPE)."""
    if not toks or toks[0].token_type not in _DEFINITIONS:
        return
    if not any(t.token_type in _TYPE_TOKENS for t in toks):
        return
    tk = Tokens(text, toks, base)
    for i in range(1, tk.n):
        if tk.tt(i) not in _TYPE_TOKENS or (tk.tt(i - 1) not in NAMES and tk.word(i - 1) != "type"):
            continue
        typed = _type_at(tk, i)
        if typed is not None and typed[1] is not None:
            yield tk, typed[0], typed[1], typed[3]


def column_precisions(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """timestamptz(6), time(6), ... as a column's type: the type without its precision (6 and
    above are every digit DuckDB keeps)."""
    edits: list[Edit] = []
    for tk, _, precision, typmod in _column_types(text, toks, base):
        if precision >= MAX_PRECISION:
            edits += _drop_typmod(tk, typmod)
    return edits


def column_precision_refusal(text: str, toks: Sequence[Token]) -> tuple[str, str] | None:
    """A column type whose precision DuckDB cannot keep (timestamp(1), timestamptz(3), time(0)):
    refused, 0A000, rather than written with more digits than it declares."""
    for _, kind, precision, _ in _column_types(text, toks):
        if precision < MAX_PRECISION and (kind, precision) not in _KEPT_BY_DUCKDB:
            return (
                "0A000",
                f"{kind}({precision}) columns are not supported: DuckCDB cannot round the values written"
                f" to {precision} fractional digits as PostgreSQL does; declare {kind} (6 digits)"
                + (" or timestamp(0) / timestamp(3)" if kind == "timestamp" else ""),
            )
    return None


REWRITES = [datetime_literals, column_precisions]


# ------------------------------------------------- untyped literals of a date/time column's type

# What a literal must show for pg_literal to read it otherwise than DuckDB (an era, more than 6
# fractional digits, a year of 5 digits and more, a time without seconds before its zone): one
# search per string literal keeps the common statement's cost at that.
_SUSPECT = re.compile(r"\s(?:BC|AD)\s*$|\.\d{7}|\d{5,}-|^\s*\d{1,2}:\d{2}\s*[+A-Za-z-]", re.IGNORECASE)


# The same in a whole statement's text (a literal's end is its quote): most statements stop here.
_SUSPECT_TEXT = re.compile(r"\s(?:BC|AD)\s*'|\.\d{7}|\d{5,}-|\d:\d\d\s*[+A-Za-z-]", re.IGNORECASE)


def may_hold_readings(text: str) -> bool:
    """Whether a statement's text may hold a literal readings() reads otherwise (one search)."""
    return "'" in text and _SUSPECT_TEXT.search(text) is not None


def readings(text: str) -> dict[str, str] | None:
    """{kind: SQL} of an untyped literal's content for each date/time type that PostgreSQL
    reads otherwise than DuckDB's implicit cast (pg_literal); None when there is none. The
    engine picks the reading of the column's type (engine.pgmath.exact_writes)."""
    if _SUSPECT.search(text) is None:
        return None
    found = {kind: new for kind in DATETIME_KINDS if (new := pg_literal(text, kind)) is not None}
    return found or None


def string_readings(tok: Token, source: str) -> dict[str, str] | None:
    """readings() of a plain '...' string token (source: its text as written), else None."""
    if tok.token_type != TokenType.STRING or not source.startswith("'"):
        return None
    return readings(tok.text)


_COMPARISONS = frozenset(
    {TokenType.EQ, TokenType.NEQ, TokenType.LT, TokenType.LTE, TokenType.GT, TokenType.GTE}
)
# What may stand before a column (or after a literal) for the comparison to be just those two.
_BOUNDARY = frozenset(
    {
        TokenType.WHERE,
        TokenType.AND,
        TokenType.OR,
        TokenType.NOT,
        TokenType.L_PAREN,
        TokenType.R_PAREN,
        TokenType.ON,
        TokenType.HAVING,
        TokenType.WHEN,
        TokenType.THEN,
        TokenType.ELSE,
        TokenType.END,
        TokenType.COMMA,
        TokenType.SELECT,
        TokenType.SEMICOLON,
        TokenType.ORDER_BY,
        TokenType.GROUP_BY,
        TokenType.LIMIT,
        TokenType.RETURNING,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
    }
)


def _column_before(tk: Tokens, i: int) -> int | None:
    """The first token of a column reference (a, t.a, s.t.a) ending at token i that stands alone
    as a comparison's operand, else None."""
    j = i
    if tk.tt(j) not in NAMES:
        return None
    while tk.tt(j - 1) == TokenType.DOT and tk.tt(j - 2) in NAMES:
        j -= 2
    return j if j == 0 or tk.tt(j - 1) in _BOUNDARY else None


def _column_after(tk: Tokens, i: int) -> int | None:
    """The last token of a column reference starting at token i that stands alone, else None."""
    j = i
    if tk.tt(j) not in NAMES:
        return None
    while tk.tt(j + 1) == TokenType.DOT and tk.tt(j + 2) in NAMES:
        j += 2
    return j if j + 1 >= tk.n or tk.tt(j + 1) in _BOUNDARY else None


def _in_list(tk: Tokens, i: int) -> int | None:
    """The IN token of the IN ('...', ...) list of literals whose item token i is, else None."""
    depth, j = 0, i - 1
    while j >= 0:
        tt = tk.tt(j)
        if tt == TokenType.R_PAREN:
            depth += 1
        elif tt == TokenType.L_PAREN:
            if depth == 0:
                return j - 1 if tk.tt(j - 1) == TokenType.IN else None
            depth -= 1
        elif depth == 0 and tt != TokenType.COMMA and tt != TokenType.STRING:
            return None
        j -= 1
    return None


def _between(tk: Tokens, i: int) -> int | None:
    """The BETWEEN token whose bound token i is (x BETWEEN '...' AND '...'), else None."""
    if tk.tt(i - 1) == TokenType.BETWEEN and tk.tt(i + 1) == TokenType.AND:
        return i - 1
    if tk.tt(i - 1) == TokenType.AND and tk.tt(i - 3) == TokenType.BETWEEN:
        return i - 3 if i + 1 >= tk.n or tk.tt(i + 1) in _BOUNDARY else None
    return None


def _subject(tk: Tokens, keyword: int) -> tuple[int, int] | None:
    """The column standing alone before IN or BETWEEN (or NOT IN, NOT BETWEEN) at keyword."""
    k = keyword - 1 - (tk.tt(keyword - 1) == TokenType.NOT)
    first = _column_before(tk, k)
    return None if first is None else (first, k)


def _compared(tk: Tokens) -> Iterator[tuple[int, dict[str, str], tuple[int, int] | None]]:
    """(token, readings, the column's tokens or None) of each untyped literal DuckDB would read
    otherwise than PostgreSQL that a comparison, BETWEEN or IN puts beside a value."""
    for i in range(tk.n):
        if tk.tt(i) != TokenType.STRING or tk.tt(i + 1) == TokenType.DCOLON or tk.tt(i - 1) in _TYPE_TOKENS:
            continue
        before, after = tk.tt(i - 1), tk.tt(i + 1)
        compared = before in _COMPARISONS or after in _COMPARISONS
        ranged = before == TokenType.BETWEEN or (
            before == TokenType.AND and tk.tt(i - 3) == TokenType.BETWEEN
        )
        listed = None if compared or ranged else _in_list(tk, i)
        if not (compared or ranged or listed is not None):
            continue
        if before == TokenType.EQ and tk.clause_of(i) == TokenType.SET:
            continue  # UPDATE ... SET c = '...' (a write: engine.pgmath.exact_writes)
        found = string_readings(tk.toks[i], tk.src(i))
        if found is None:
            continue
        column = None
        if listed is not None:
            column = _subject(tk, listed)
        elif ranged:
            keyword = _between(tk, i)
            column = None if keyword is None else _subject(tk, keyword)
        elif before in _COMPARISONS and (i + 1 >= tk.n or after in _BOUNDARY):
            first = _column_before(tk, i - 2)
            column = None if first is None else (first, i - 2)
        elif after in _COMPARISONS and (i == 0 or before in _BOUNDARY):
            last = _column_after(tk, i + 2)
            column = None if last is None else (i + 2, last)
        yield i, found, column


def _suspects(toks: Sequence[Token]) -> bool:
    """Whether a string may read otherwise as a date/time: one regex search each, before any
    look at the statement's structure (the common statement's whole cost here)."""
    return any(t.token_type == TokenType.STRING and _SUSPECT.search(t.text) is not None for t in toks)


def _definition(toks: Sequence[Token]) -> bool:
    return bool(toks) and toks[0].token_type in _DEFINITIONS


def compared_literals(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """`col op '0044-03-15 BC'` (and `'...' op col`): the literal through the engine's macro
    DATETIME_LITERAL, which takes the reading of the column's type (DuckDB casts the literal to
    it and read 'BC' as a zone). Not in CREATE (a view cannot hold a session's macro: refused
    there by compared_literal_refusal)."""
    if not may_hold_readings(text) or _definition(toks) or not _suspects(toks):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i, found, column in _compared(tk):
        if column is None:
            continue
        col = tk.text[tk.start(column[0]) : tk.end(column[1])]
        quoted = tk.src(i)
        args = ", ".join(found.get(kind, quoted) for kind in DATETIME_KINDS)
        edits.append((tk.start(i), tk.end(i), f"{DATETIME_LITERAL}({col}, {args}, {quoted})"))
    return edits


def compared_literal_refusal(text: str, toks: Sequence[Token]) -> tuple[str, str] | None:
    """An untyped literal DuckDB would misread ('...BC', more than 6 fractional digits) compared
    with a value whose type the rewrite cannot know (an expression, BETWEEN, IN, or a view's
    definition): refused, 0A000, rather than compared as year 44 AD."""
    if not may_hold_readings(text) or not _suspects(toks):
        return None
    tk = Tokens(text, toks)
    for i, _, column in _compared(tk):
        if column is None or _definition(toks):
            return (
                "0A000",
                f"the untyped literal {tk.src(i)} is compared with a value whose type DuckCDB cannot tell"
                " here, and DuckDB would read it otherwise than PostgreSQL (an era, more than 6"
                " fractional digits); write its type: TIMESTAMP '...', DATE '...' or '...'::timestamptz",
            )
    return None


REWRITES.append(compared_literals)
