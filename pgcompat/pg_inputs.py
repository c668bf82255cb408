"""Literal input that PostgreSQL reads and DuckDB refuses, written as DuckDB reads it (the same
value): string literals cast to boolean, interval or bytea, and AT TIME ZONE's numeric offsets.

- boolean: PostgreSQL's t/true/y/yes/on/1 and f/false/n/no/off/0, any case, unique prefixes,
  surrounding blanks: 'true' or 'false';
- interval: fields with their own signs ('-1 day +2 hours', '1 month - 1 day', '... ago') and ISO
  8601 ('P1Y2M3DT4H5M6S'): '<months> months <days> days <microseconds> microseconds';
- bytea in the escape format ('a\\\\b\\001'): its bytes, from_hex('615c6201');
- AT TIME ZONE '+02': a POSIX offset, hours WEST of Greenwich as PostgreSQL reads it: the zone
  Etc/GMT+2 (whose name follows the same convention).

Only literals (`'...'::type`, `CAST('...' AS type)`, `type '...'`) are read here; a value that
is not (a column, a parameter) is DuckDB's to convert. A literal this module cannot read exactly
is left as it is (DuckDB's 22P02 / 22007 stands).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import Edit, Tokens, literal

_TRUE, _FALSE = ("true", "yes", "on", "1", "t", "y"), ("false", "no", "off", "0", "f", "n")


def boolean_text(value: str) -> str | None:
    """'true' / 'false' for what PostgreSQL's boolin reads, else None."""
    v = value.strip().lower()
    if not v:
        return None
    if v in _TRUE:
        return "true"
    if v in _FALSE:
        return "false"
    hits = {w for w in ("true", "yes", "false", "no", "on", "off") if w.startswith(v)}
    if len(hits) != 1 or len(v) < 2 and v == "o":
        return None
    return "true" if hits <= {"true", "yes", "on"} else "false"


_UNITS = {
    **dict.fromkeys(("microsecond", "microseconds", "usec", "usecs", "us"), ("us", 1)),
    **dict.fromkeys(("millisecond", "milliseconds", "msec", "msecs", "ms"), ("us", 1_000)),
    **dict.fromkeys(("second", "seconds", "sec", "secs", "s"), ("us", 1_000_000)),
    **dict.fromkeys(("minute", "minutes", "min", "mins", "m"), ("us", 60_000_000)),
    **dict.fromkeys(("hour", "hours", "hr", "hrs", "h"), ("us", 3_600_000_000)),
    **dict.fromkeys(("day", "days", "d"), ("d", 1)),
    **dict.fromkeys(("week", "weeks", "w"), ("d", 7)),
    **dict.fromkeys(("month", "months", "mon", "mons"), ("mo", 1)),
    **dict.fromkeys(("year", "years", "yr", "yrs", "y"), ("mo", 12)),
    **dict.fromkeys(("decade", "decades"), ("mo", 120)),
    **dict.fromkeys(("century", "centuries"), ("mo", 1200)),
    **dict.fromkeys(("millennium", "millennia"), ("mo", 12000)),
}
_DAY_US = 86_400_000_000
_ITEM = re.compile(
    r"\s*(?P<sign>[+-]?)\s*(?:(?P<clock>\d+:\d{1,2}(?::\d{1,2}(?:\.\d*)?)?)|(?P<num>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>[a-z]+)?)"
)
_ISO = re.compile(
    r"^p(?:(?P<y>-?\d+)y)?(?:(?P<mo>-?\d+)m)?(?:(?P<w>-?\d+)w)?(?:(?P<d>-?\d+)d)?"
    r"(?:t(?:(?P<h>-?\d+)h)?(?:(?P<mi>-?\d+)m)?(?:(?P<s>-?\d+(?:\.\d+)?)s)?)?$"
)


def _micros(seconds: str) -> int:
    whole, _, frac = seconds.partition(".")
    us = int(whole or 0) * 1_000_000 + int((frac + "000000")[:6] or 0)
    return us


def _iso(v: str) -> tuple[int, int, int] | None:
    m = _ISO.match(v)
    if m is None or v in ("p", "pt") or v.endswith("t"):
        return None
    g = {k: x for k, x in m.groupdict().items() if x is not None}
    months = int(g.get("y", 0)) * 12 + int(g.get("mo", 0))
    days = int(g.get("w", 0)) * 7 + int(g.get("d", 0))
    s = g.get("s", "0")
    sec = -_micros(s[1:]) if s.startswith("-") else _micros(s)
    micros = int(g.get("h", 0)) * 3_600_000_000 + int(g.get("mi", 0)) * 60_000_000 + sec
    return months, days, micros


def interval_fields(value: str) -> tuple[int, int, int] | None:
    """(months, days, microseconds) of PostgreSQL's interval input, None when not read here
    (fractions of months or years, other forms)."""
    v = value.strip().lower()
    if v.startswith("p"):
        return _iso(v)
    ago = v.endswith(" ago")
    if ago:
        v = v[:-4]
    months = days = micros = 0
    pos = 0
    while pos < len(v.rstrip()):
        m = _ITEM.match(v, pos)
        if m is None or m.end() == pos:
            return None
        pos = m.end()
        sign = -1 if m.group("sign") == "-" else 1
        if m.group("clock"):
            parts = m.group("clock").split(":")
            us = int(parts[0]) * 3_600_000_000 + int(parts[1]) * 60_000_000
            us += _micros(parts[2]) if len(parts) > 2 else 0
            micros += sign * us
            continue
        field, factor = _UNITS.get(m.group("unit") or "s", (None, 0))
        num = m.group("num")
        if field is None:
            return None
        if field == "us":
            micros += sign * round(float(num) * factor) if "." in num else sign * int(num) * factor
        elif field == "d":
            whole, _, frac = num.partition(".")
            days += sign * int(whole or 0) * factor
            if frac.strip("0"):
                micros += sign * round(float("0." + frac) * factor * _DAY_US)
        elif "." in num and num.split(".")[1].strip("0"):
            return None  # fractional months and years: PostgreSQL's cascade is not repeated here
        else:
            months += sign * int(num.split(".")[0]) * factor
    if ago:
        months, days, micros = -months, -days, -micros
    return months, days, micros


def interval_text(value: str) -> str | None:
    """The literal as DuckDB reads it, for the forms DuckDB does not read (own signs after the
    first field, 'ago', ISO 8601); None for the others (DuckDB reads them itself)."""
    v = value.strip().lower()
    if not (v.startswith("p") or "+" in v or "-" in v.lstrip("+- ") or v.endswith(" ago")):
        return None
    fields = interval_fields(value)
    if fields is None:
        return None
    return "{} months {} days {} microseconds".format(*fields)


_POSIX_OFFSET = re.compile(r"^\s*([+-])(\d{1,2})(?::?00)?\s*$")


def zone_text(value: str) -> str | None:
    """AT TIME ZONE '+02' / '-5': Etc/GMT+2 / Etc/GMT-5 (POSIX signs, as PostgreSQL reads them)."""
    m = _POSIX_OFFSET.match(value)
    if m is None or int(m.group(2)) > 14:
        return None
    hours = int(m.group(2))
    return "UTC" if hours == 0 else f"Etc/GMT{m.group(1)}{hours}"


_ESCAPED_BYTE = re.compile(r"\\(\\|[0-3][0-7]{2})|\\|[^\\]+", re.S)


def bytea_escape(value: str) -> str | None:
    """bytea's escape format ('a\\\\b\\001': backslashes doubled, bytes as three octal digits) as
    from_hex(...); None for the hex format ('\\x...', pgcompat.rewrite's) and for text DuckDB
    reads as it is (no backslash). A lone backslash is left to DuckDB's 22P02."""
    if "\\" not in value or value.startswith("\\x"):
        return None
    out = bytearray()
    for m in _ESCAPED_BYTE.finditer(value):
        if m.group(1) == "\\":
            out += b"\\"
        elif m.group(1):
            out.append(int(m.group(1), 8))
        elif m.group(0) == "\\":
            return None
        else:
            out += m.group(0).encode()
    return f"from_hex('{out.hex()}')"


_KINDS = {TokenType.BOOLEAN: boolean_text, TokenType.INTERVAL: interval_text}


def _literal_kind(tk: Tokens, i: int):
    """The reader of the string literal at token i when it is cast to boolean or interval."""
    nxt, prev = tk.tt(i + 1), tk.tt(i - 1)
    if nxt in (TokenType.DCOLON,) and tk.tt(i + 2) in _KINDS and tk.tt(i + 3) != TokenType.L_BRACKET:
        return _KINDS[tk.tt(i + 2)]  # type: ignore[index]
    cast = prev == TokenType.L_PAREN and tk.word(i - 2) == "cast"
    if cast and nxt == TokenType.ALIAS and tk.tt(i + 2) in _KINDS and tk.tt(i + 3) == TokenType.R_PAREN:
        return _KINDS[tk.tt(i + 2)]  # type: ignore[index]
    if prev in _KINDS and tk.tt(i - 2) not in (TokenType.DCOLON, TokenType.ALIAS):
        return _KINDS[prev]  # type: ignore[index]
    return None


def _bytea_cast(tk: Tokens, i: int) -> bool:
    """'...'::bytea or CAST('...' AS bytea)."""
    nxt = tk.tt(i + 1)
    if nxt not in (TokenType.DCOLON, TokenType.ALIAS) or tk.word(i + 2) != "bytea":
        return False
    return nxt == TokenType.DCOLON or (tk.tt(i - 1) == TokenType.L_PAREN and tk.word(i - 2) == "cast")


def literal_inputs(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    kinds = (*_KINDS, TokenType.TIME, TokenType.VARBINARY)
    if not any(t.token_type in kinds for t in toks):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in range(tk.n):
        value = tk.string(i)
        if value is None:
            continue
        if _bytea_cast(tk, i):
            hexed = bytea_escape(value)
            if hexed is not None:
                edits.append((tk.start(i), tk.end(i), hexed))
            continue
        if tk.word(i - 3) == "at" and tk.tt(i - 2) == TokenType.TIME and tk.word(i - 1) == "zone":
            new = zone_text(value)
        else:
            reader = _literal_kind(tk, i)
            new = reader(value) if reader is not None else None
        if new is not None and new != value:
            edits.append((tk.start(i), tk.end(i), literal(new)))
    return edits


REWRITES = [literal_inputs]
