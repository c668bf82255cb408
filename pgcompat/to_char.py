"""PostgreSQL's to_char(value, 'format') as DuckDB SQL, for a literal format.

A format with date/time fields (YYYY, MM, DD, HH24, MI, SS, MS, Mon, Month, Dy, Day, TZ, ...)
formats a timestamp, timestamptz or date with strftime; a format of digit positions (9, 0, '.',
',', D, G, FM, S, MI, PR, TH) formats a number. Which one is decided from the format, as the
value's type is not known before DuckDB binds it. A format this module cannot reproduce exactly
gives None, and the call is left as it is.

The value is evaluated once: expressions that need it several times read it through a lambda
(`list_transform([value], lambda __t: ...)[1]`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pgcompat.tokens import literal

# ---------------------------------------------------------------- date and time

# A field's SQL for the value `t` (with or without FM, fill mode: no padding): ("%", strftime
# code) or ("=", SQL expression).
Field = Callable[[str, bool], tuple[str, str]]


def _code(padded: str, fm: str | None = None) -> Field:
    """A field strftime writes: padded, or with FM unpadded."""
    return lambda t, fm_on: ("%", fm if fm_on and fm else padded)


def _num(expr: str, width: int = 0) -> Field:
    """A number field: expr over {t}, zero-padded to at least width digits unless FM."""

    def render(t: str, fm_on: bool) -> tuple[str, str]:
        value = expr.format(t=t)
        if fm_on or width == 0:
            return ("=", f"CAST({value} AS VARCHAR)")
        return ("=", f"printf('%0{width}d', CAST({value} AS BIGINT))")

    return render


def _text(expr: str, width: int = 0, case: str = "") -> Field:
    """A name field (Month, Day, ...): blank-padded to width unless FM, in the pattern's case."""

    def render(t: str, fm_on: bool) -> tuple[str, str]:
        value = expr.format(t=t)
        if case:
            value = f"{case}({value})"
        return ("=", value if fm_on or width == 0 else f"rpad({value}, {width}, ' ')")

    return render


def _const(sql: str) -> Field:
    return lambda t, fm_on: ("=", sql.format(t=t))


_MONTH = "strftime({t}, '%B')"
_DAY = "strftime({t}, '%A')"
_ROMAN = "['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'][month({t})]"
_MERIDIEM = "CASE WHEN hour({t}) < 12 THEN '{am}' ELSE '{pm}' END"
_ERA = "CASE WHEN year({t}) <= 0 THEN '{bc}' ELSE '{ad}' END"
_OFFSET = "strftime({t}, '%z')"

# PostgreSQL's date/time patterns, longest first where one is a prefix of another (as PostgreSQL
# matches them). Case matters for names: Month, MONTH, month.
_DATE_FIELDS: dict[str, Field] = {
    "HH24": _code("%H", "%-H"),
    "HH12": _code("%I", "%-I"),
    "HH": _code("%I", "%-I"),
    "MI": _code("%M", "%-M"),
    "SSSSS": _num("(hour({t}) * 3600 + minute({t}) * 60 + second({t}))"),
    "SSSS": _num("(hour({t}) * 3600 + minute({t}) * 60 + second({t}))"),
    "SS": _code("%S", "%-S"),
    "MS": _code("%g"),
    "US": _code("%f"),
    **{f"FF{n}": _const(f"substr(strftime({{t}}, '%f'), 1, {n})") for n in range(1, 7)},
    "AM": _code("%p"),
    "PM": _code("%p"),
    "am": _const("lower(strftime({t}, '%p'))"),
    "pm": _const("lower(strftime({t}, '%p'))"),
    "A.M.": _const(_MERIDIEM.replace("{am}", "A.M.").replace("{pm}", "P.M.")),
    "P.M.": _const(_MERIDIEM.replace("{am}", "A.M.").replace("{pm}", "P.M.")),
    "a.m.": _const(_MERIDIEM.replace("{am}", "a.m.").replace("{pm}", "p.m.")),
    "p.m.": _const(_MERIDIEM.replace("{am}", "a.m.").replace("{pm}", "p.m.")),
    "Y,YYY": _const(
        "CAST(year({t}) // 1000 AS VARCHAR) || ',' || lpad(CAST(year({t}) % 1000 AS VARCHAR), 3, '0')"
    ),
    "YYYY": lambda t, fm_on: ("=", f"CAST(year({t}) AS VARCHAR)") if fm_on else ("%", "%Y"),
    "YYY": _num("(year({t}) % 1000)", 3),
    "YY": _num("(year({t}) % 100)", 2),
    "Y": _num("(year({t}) % 10)"),
    "IYYY": _num("isoyear({t})", 4),
    "IYY": _num("(isoyear({t}) % 1000)", 3),
    "IY": _num("(isoyear({t}) % 100)", 2),
    "IW": _num("week({t})", 2),
    "IDDD": _num("((week({t}) - 1) * 7 + isodow({t}))", 3),
    "ID": _num("isodow({t})"),
    "I": _num("(isoyear({t}) % 10)"),
    "BC": _const(_ERA.replace("{bc}", "BC").replace("{ad}", "AD")),
    "AD": _const(_ERA.replace("{bc}", "BC").replace("{ad}", "AD")),
    "bc": _const(_ERA.replace("{bc}", "bc").replace("{ad}", "ad")),
    "ad": _const(_ERA.replace("{bc}", "bc").replace("{ad}", "ad")),
    "B.C.": _const(_ERA.replace("{bc}", "B.C.").replace("{ad}", "A.D.")),
    "A.D.": _const(_ERA.replace("{bc}", "B.C.").replace("{ad}", "A.D.")),
    "b.c.": _const(_ERA.replace("{bc}", "b.c.").replace("{ad}", "a.d.")),
    "a.d.": _const(_ERA.replace("{bc}", "b.c.").replace("{ad}", "a.d.")),
    "MONTH": _text(_MONTH, 9, "upper"),
    "Month": _text(_MONTH, 9),
    "month": _text(_MONTH, 9, "lower"),
    "MON": _const("upper(strftime({t}, '%b'))"),
    "Mon": _code("%b"),
    "mon": _const("lower(strftime({t}, '%b'))"),
    "MM": _code("%m", "%-m"),
    "DAY": _text(_DAY, 9, "upper"),
    "Day": _text(_DAY, 9),
    "day": _text(_DAY, 9, "lower"),
    "DY": _const("upper(strftime({t}, '%a'))"),
    "Dy": _code("%a"),
    "dy": _const("lower(strftime({t}, '%a'))"),
    "DDD": _code("%j", "%-j"),
    "DD": _code("%d", "%-d"),
    "D": _num("(dayofweek({t}) + 1)"),
    "WW": _num("((dayofyear({t}) - 1) // 7 + 1)", 2),
    "W": _num("((day({t}) - 1) // 7 + 1)"),
    "CC": _num("((year({t}) - 1) // 100 + 1)", 2),
    "J": _num("CAST(julian(CAST({t} AS DATE)) AS BIGINT)"),
    "Q": _num("quarter({t})"),
    "RM": _text(_ROMAN, 4),
    "rm": _text(_ROMAN, 4, "lower"),
    "TZH": _const(f"substr({_OFFSET}, 1, 3)"),
    "TZM": _const(f"CASE WHEN length({_OFFSET}) > 3 THEN right({_OFFSET}, 2) ELSE '00' END"),
    "TZ": _code("%Z"),
    "tz": _const("lower(strftime({t}, '%Z'))"),
    "OF": _code("%z"),
}
# Lower-case spellings PostgreSQL also accepts for its numeric fields.
for _k in ("HH24", "HH12", "HH", "MI", "SSSSS", "SSSS", "SS", "MS", "US", "YYYY", "YYY", "YY", "Y", "IYYY",
           "IYY", "IY", "IW", "IDDD", "ID", "I", "MM", "DDD", "DD", "D", "WW", "W", "CC", "J", "Q", "OF",
           "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "Y,YYY"):  # fmt: skip
    _DATE_FIELDS.setdefault(_k.lower(), _DATE_FIELDS[_k])
# Fields an ordinal suffix (TH, th) may follow: their integer value over {t}.
_ORDINALS = {
    "HH24": "hour({t})", "HH12": "(hour({t}) + 11) % 12 + 1", "HH": "(hour({t}) + 11) % 12 + 1",
    "MI": "minute({t})", "SS": "second({t})", "YYYY": "year({t})", "YYY": "year({t}) % 1000",
    "YY": "year({t}) % 100", "Y": "year({t}) % 10", "MM": "month({t})", "DDD": "dayofyear({t})",
    "DD": "day({t})", "D": "dayofweek({t}) + 1", "ID": "isodow({t})", "IW": "week({t})",
    "WW": "(dayofyear({t}) - 1) // 7 + 1", "W": "(day({t}) - 1) // 7 + 1", "CC": "(year({t}) - 1) // 100 + 1",
    "Q": "quarter({t})", "IYYY": "isoyear({t})", "J": "CAST(julian(CAST({t} AS DATE)) AS BIGINT)",
}  # fmt: skip
_FIELD_NAMES = sorted(_DATE_FIELDS, key=len, reverse=True)
_PREFIXES = ("FM", "fm", "FX", "fx", "TM", "tm")


def _suffix(value: str, upper: bool) -> str:
    """The English ordinal suffix (st, nd, rd, th) of an integer expression."""
    s = (
        f"CASE WHEN ({value}) % 100 IN (11, 12, 13) THEN 'th' WHEN ({value}) % 10 = 1 THEN 'st' "
        f"WHEN ({value}) % 10 = 2 THEN 'nd' WHEN ({value}) % 10 = 3 THEN 'rd' ELSE 'th' END"
    )
    return f"upper({s})" if upper else s


@dataclass
class _Pieces:
    """The output as strftime text and SQL expressions over the value, in order."""

    parts: list[tuple[str, str]]  # ("%", strftime text) or ("=", SQL expression)

    def add(self, kind: str, s: str) -> None:
        if kind == "%" and self.parts and self.parts[-1][0] == "%":
            self.parts[-1] = ("%", self.parts[-1][1] + s)
        else:
            self.parts.append((kind, s))

    def text(self, s: str) -> None:
        self.add("%", s.replace("%", "%%"))


def _date_pieces(fmt: str, t: str) -> _Pieces:
    """The output pieces of a date/time format: PostgreSQL's fields, "quoted text" and any other
    character as itself."""
    out = _Pieces([])
    i, fm = 0, False
    while i < len(fmt):
        prefix = fmt[i : i + 2]
        if prefix in _PREFIXES and any(fmt.startswith(n, i + 2) for n in _FIELD_NAMES):
            fm = fm or prefix.upper() in ("FM", "TM")  # TM names are not padded either
            i += 2
            continue
        if fmt[i] == '"':
            j = i + 1
            while j < len(fmt) and fmt[j] != '"':
                if fmt[j] == "\\" and j + 1 < len(fmt):
                    j += 1
                out.text(fmt[j])
                j += 1
            i = j + 1
            continue
        name = next((n for n in _FIELD_NAMES if fmt.startswith(n, i)), None)
        if name is None:
            out.text(fmt[i])
            i += 1
            continue
        kind, sql = _DATE_FIELDS[name](t, fm)
        out.add(kind, sql)
        i += len(name)
        th = fmt[i : i + 2]
        if th in ("TH", "th") and name.upper() in _ORDINALS:
            out.add("=", _suffix(_ORDINALS[name.upper()].format(t=t), th == "TH"))
            i += 2
        fm = False
    return out


def date_to_char(value: str, fmt: str) -> str:
    """to_char(timestamp | timestamptz | date, fmt) in DuckDB."""
    parts = _date_pieces(fmt, "__t").parts or [("%", "")]
    if len(parts) == 1 and parts[0][0] == "%":
        return f"strftime({value}, {literal(parts[0][1])})"
    sql = " || ".join(f"strftime(__t, {literal(s)})" if kind == "%" else f"({s})" for kind, s in parts)
    return f"list_transform([{value}], lambda __t: {sql})[1]"


# ---------------------------------------------------------------- numbers

_NUMBER_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|FM|fm|TH|th|PR|pr|MI|mi|[Ss]|[90.D,G]|[A-Za-z]|.', re.S)
_DIGITS = frozenset("90")
_SIGNS = ("S", "MI", "PR")


def is_number_format(fmt: str) -> bool:
    """Whether a to_char format formats a number: digit positions, no date field."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"?', "", fmt)
    words = re.sub(r"FM|fm|TH|th|PR|pr|MI|mi|[SsDG]|EEEE|[VL]|RN|rn|PL|pl|SG|sg", "", bare)
    return any(c in _DIGITS for c in bare) and not re.search(r"[A-Za-z]", words)


@dataclass
class _NumFormat:
    items: list[str]  # '9', '0', '.', ',', 'S', 'MI', 'PR', 'TH', 'th', or literal text as '"x'
    fm: bool


def _parse_number(fmt: str) -> _NumFormat | None:
    """The format's items, or None for what is not reproduced (V, EEEE, RN, L, PL, SG, ...)."""
    items: list[str] = []
    fm = False
    for m in _NUMBER_TOKEN.finditer(fmt):
        tok = m.group(0)
        up = tok.upper()
        if tok.startswith('"'):
            items.append('"' + re.sub(r"\\(.)", r"\1", tok[1:].removesuffix('"')))
        elif up == "FM":
            fm = True
        elif tok in ("9", "0", ".", ",", "TH", "th") or up in _SIGNS:
            items.append(up if up in _SIGNS else tok)
        elif tok in ("D", "G"):
            items.append("." if tok == "D" else ",")
        elif tok.isalpha():
            return None
        else:
            items.append('"' + tok)
    return _NumFormat(items, fm)


@dataclass
class _Layout:
    """Where things stand in a number format."""

    prefix: list[str]  # items before the first digit, point or separator
    integer: list[str]  # digit positions and separators before the point
    fraction: list[str]  # digit positions after the point (empty: no point)
    point: bool
    suffix: list[str]  # items after the last digit
    sign: str | None  # S, MI, PR or None
    sign_leads: bool  # the sign comes before the digits


def _layout(f: _NumFormat) -> _Layout | None:
    numeric = [k for k, i in enumerate(f.items) if i in _DIGITS or i in (".", ",")]
    signs = [k for k, i in enumerate(f.items) if i in _SIGNS]
    if not numeric or len(signs) > 1 or f.items.count(".") > 1:
        return None
    lo, hi = numeric[0], numeric[-1]
    region = f.items[lo : hi + 1]
    if any(i not in _DIGITS and i not in (".", ",") for i in region):
        return None  # text between digit positions: not reproduced
    point = region.index(".") if "." in region else len(region)
    fraction = region[point + 1 :]
    if any(i not in _DIGITS for i in fraction):
        return None
    sign = f.items[signs[0]] if signs else None
    leads = bool(signs) and signs[0] < lo
    if sign == "PR" and leads:
        return None
    return _Layout(f.items[:lo], region[:point], fraction, "." in region, f.items[hi + 1 :], sign, leads)


def _integer_sql(lay: _Layout, fm: bool) -> str:
    """The positions before the point over __i (the integer digits, '' for a zero integer part)
    and __z (write a lone 0 for a zero integer part)."""
    pad = "''" if fm else "' '"
    items = lay.integer
    digits = [k for k, i in enumerate(items) if i in _DIGITS]
    first_zero = next((k for k in digits if items[k] == "0"), len(items))
    out: list[str] = []
    for k, item in enumerate(items):
        right = sum(1 for d in digits if d > k)
        if item in _DIGITS:
            fill = "'0'" if k >= first_zero else pad
            if right == 0 and k < first_zero:
                fill = f"CASE WHEN __z THEN '0' ELSE {pad} END"
            out.append(f"CASE WHEN length(__i) > {right} THEN __i[length(__i) - {right}] ELSE {fill} END")
        else:
            out.append(
                "','" if k > first_zero else f"CASE WHEN length(__i) > {right} THEN ',' ELSE {pad} END"
            )
    return " || ".join(out) or "''"


def _fraction_sql(lay: _Layout, fm: bool) -> str:
    """The point and the positions after it over __f (exactly as many digits as positions); FM
    drops the trailing zeros of the 9 positions after the last 0 position."""
    if not lay.point:
        return "''"
    n = len(lay.fraction)
    if not fm or n == 0:
        return "'.' || __f" if n else "'.'"
    kept = max((k + 1 for k, i in enumerate(lay.fraction) if i == "0"), default=0)
    head = f"__f[1:{kept}] || " if kept else ""
    return f"'.' || {head}rtrim(__f[{kept + 1}:], '0')" if kept < n else "'.' || __f"


def _zero_sql(lay: _Layout, fm: bool) -> str:
    """When a zero integer part is written as 0, as PostgreSQL does: with no point in the
    format, or with FM when nothing of the fraction would show either."""
    if not lay.point:
        return "__i = ''"
    if fm and "0" not in lay.fraction:
        return "__i = '' AND rtrim(__f, '0') = ''"
    return "false"


def _marks(items: list[str], sign_sql: str, ordinal_sql: str) -> list[str]:
    """SQL of the items written where they stand: literal text, a sign mark, an ordinal suffix."""
    out = []
    for i in items:
        if i.startswith('"'):
            out.append(literal(i[1:]))
        elif i in _SIGNS:
            out.append(sign_sql)
        elif i in ("TH", "th"):
            out.append(ordinal_sql)
    return out


def number_to_char(value: str, fmt: str) -> str | None:
    """to_char(number, fmt) in DuckDB, or None for a format it does not reproduce."""
    f = _parse_number(fmt)
    lay = _layout(f) if f else None
    if f is None or lay is None:
        return None
    blank = "''" if f.fm else "' '"
    pre = sum(i in _DIGITS for i in lay.integer)
    post = len(lay.fraction)
    minus = f"CASE WHEN __neg THEN '-' ELSE {blank} END"
    plus_minus = "CASE WHEN __neg THEN '-' ELSE '+' END"
    # The sign written next to the digits (after the blanks of unused positions) ...
    anchored = minus
    if lay.sign == "S":
        anchored = plus_minus if lay.sign_leads else "''"
    elif lay.sign == "PR":
        anchored = f"CASE WHEN __neg THEN '<' ELSE {blank} END"
    elif lay.sign == "MI":
        anchored = "''"
    # ... and the mark written where the format has it.
    placed = {"MI": minus, "S": plus_minus, "PR": f"CASE WHEN __neg THEN '>' ELSE {blank} END"}.get(
        lay.sign or "", "''"
    )
    if lay.sign == "S" and lay.sign_leads:
        placed = "''"
    th = next((i for i in f.items if i in ("TH", "th")), None)
    whole = "CAST(split_part(__d, '.', 1) AS HUGEINT)"
    ordinal = f"CASE WHEN __neg THEN '' ELSE {_suffix(whole, th == 'TH')} END"

    def around(core: str, ordinal_sql: str) -> str:
        return " || ".join(
            [*_marks(lay.prefix, placed, ordinal_sql), core, *_marks(lay.suffix, placed, ordinal_sql)]
        )

    body = f"{_integer_sql(lay, f.fm)} || {_fraction_sql(lay, f.fm)}"
    numeral = (
        f"list_transform([{body}], lambda __b: "
        f"repeat(' ', length(__b) - length(ltrim(__b, ' '))) || {anchored} || ltrim(__b, ' '))[1]"
    )
    hashes = literal(
        "".join("#" if i in _DIGITS else i for i in lay.integer) + ("." + "#" * post if lay.point else "")
    )
    rounded = f"CASE WHEN typeof(__n) IN ('DOUBLE', 'FLOAT') THEN round_even(__n, {post}) ELSE round(__n, {post}) END"
    digits = f"CAST(CAST(abs(__r) AS DECIMAL(38, {post})) AS VARCHAR)"
    formatted = (
        f"list_transform([{digits}], lambda __d: "
        "list_transform([CASE WHEN split_part(__d, '.', 1) = '0' THEN '' ELSE split_part(__d, '.', 1) END], "
        "lambda __i: list_transform([split_part(__d, '.', 2)], lambda __f: "
        f"list_transform([{_zero_sql(lay, f.fm)}], lambda __z: {around(numeral, ordinal)})[1])[1])[1])[1]"
    )
    # A number too wide for the format is written as #, as PostgreSQL does (always, with no
    # digit position before the point: even 0 needs one there).
    overflow = "true" if pre == 0 else f"abs(__r) >= 1e{pre}"
    result = (
        f"CASE WHEN {overflow} THEN {around(f'{anchored} || {hashes}', chr(39) * 2)} ELSE {formatted} END"
    )
    return (
        f"list_transform([{value}], lambda __n: list_transform([{rounded}], lambda __r: "
        f"list_transform([__r < 0], lambda __neg: CASE WHEN __n IS NULL THEN NULL ELSE {result} END)[1])[1])[1]"
    )


def to_char(value: str, fmt: str) -> str | None:
    """to_char(value, fmt) for a literal fmt: a number's when fmt is one, else a date/time's."""
    if is_number_format(fmt):
        return number_to_char(value, fmt)
    return date_to_char(value, fmt)
