"""PostgreSQL operators and literal forms neither DuckDB nor the analysis parses, in forms both do
(shapes of pgcompat.syntax: the statement is analysed and checked as rewritten).

- U&'d\\0061t' (Unicode escapes, UESCAPE): the plain string literal (a rewrite: REWRITES);
- |/ x and ||/ x (square and cube root): sqrt(x), cbrt(x);
- a # b (integer xor): xor(a, b);
- x [NOT] BETWEEN SYMMETRIC a AND b: (x BETWEEN a AND b OR x BETWEEN b AND a);
- INTERVAL 'y-m' YEAR TO MONTH: INTERVAL 'y years m months';
- (a, b) OVERLAPS (c, d): PostgreSQL's overlaps_timestamp as a CASE (b and d may be intervals);
- CUBE / ROLLUP (a, n > 15): each expression in parentheses;
- ORDER BY ... FETCH FIRST n ROWS WITH TIES: QUALIFY rank() OVER (ORDER BY ...) <= n (REWRITES).

Operands follow PostgreSQL's precedence: a prefix or other operator's operand takes in
arithmetic (+ - * / % ^), casts, subscripts, calls and parentheses; anything else ends it. A form
whose operands cannot be delimited so is left as written (DuckDB's error then stands).
"""

from __future__ import annotations

import re

from sqlglot.tokens import TokenType

from pgcompat import similar
from pgcompat.tokens import CLOSE, OPEN, Edit, Tokens, literal

TRIGGERS = frozenset({TokenType.PIPE_SLASH, TokenType.DPIPE_SLASH, TokenType.HASH})

# Tokens inside an operand of an operator of lower precedence than arithmetic.
_ARITHMETIC = frozenset(
    {
        TokenType.NUMBER,
        TokenType.VAR,
        TokenType.IDENTIFIER,
        TokenType.STRING,
        TokenType.DOT,
        TokenType.PLUS,
        TokenType.DASH,
        TokenType.STAR,
        TokenType.SLASH,
        TokenType.MOD,
        TokenType.CARET,
        TokenType.NULL,
        TokenType.TRUE,
        TokenType.FALSE,
    }
)


_VALUES = frozenset(
    {
        TokenType.NUMBER,
        TokenType.VAR,
        TokenType.IDENTIFIER,
        TokenType.STRING,
        TokenType.NULL,
        TokenType.TRUE,
        TokenType.FALSE,
    }
)


def _forward(tk: Tokens, i: int) -> int:
    """The index after the operand starting at token i (i itself when there is none)."""
    k, value = i, False  # value: the last thing taken was a value (an operator must follow)
    while k < tk.n:
        t = tk.tt(k)
        if t == TokenType.DCOLON and value:
            k += 2  # the type's name
            if tk.tt(k) == TokenType.L_PAREN and k in tk.match:
                k = tk.match[k] + 1
        elif t in OPEN and k in tk.match and (not value or t == TokenType.L_BRACKET):
            k = tk.match[k] + 1
            value = True
        elif t in _VALUES and not value:
            k += 1
            value = not (tk.tt(k) == TokenType.L_PAREN and t in (TokenType.VAR, TokenType.IDENTIFIER))
        elif t in _ARITHMETIC and t not in _VALUES and (value or t in (TokenType.PLUS, TokenType.DASH)):
            k += 1
            value = False
        else:
            break
    return k if value else i


def _backward(tk: Tokens, i: int) -> int:
    """The first index of the operand ending at token i (i + 1 when there is none)."""
    k, value = i, False  # value: the last thing taken was a value (an operator must come before)
    while k >= 0:
        t = tk.tt(k)
        if t in CLOSE and k in tk.match and not value:
            k = tk.match[k] - 1
            if k >= 0 and tk.tt(k) in (TokenType.VAR, TokenType.IDENTIFIER):
                k -= 1  # a call's name
            elif k >= 1 and tk.tt(k - 1) == TokenType.DCOLON:
                k -= 2  # numeric(10, 2): a cast's type
            value = True
        elif t in _VALUES and not value:
            k -= 1
            value = True
            if tk.tt(k) == TokenType.DCOLON:
                k -= 1
                value = False
        elif t in _ARITHMETIC and t not in _VALUES and value:
            k -= 1
            value = False
        else:
            break
    return k + 1 if value else i + 1


def _text(tk: Tokens, lo: int, hi: int) -> str:
    return tk.text[tk.start(lo) : tk.end(hi - 1)]


_UNICODE_ESCAPE = re.compile(r"\\(\\|[0-9A-Fa-f]{4}|\+[0-9A-Fa-f]{6})")


def unicode_strings(tk: Tokens) -> list[Edit]:
    edits: list[Edit] = []
    for i in range(tk.n):
        if tk.tt(i) != TokenType.UNICODE_STRING:
            continue
        raw = tk.src(i)
        if raw[:3].upper() != "U&'" or not raw.endswith("'"):
            continue
        body = raw[3:-1].replace("''", "'")
        end, esc = i, "\\"
        if tk.word(i + 1) == "uescape" and tk.string(i + 2) is not None and len(tk.string(i + 2) or "") == 1:
            esc, end = tk.string(i + 2) or "\\", i + 2
        pattern = (
            _UNICODE_ESCAPE
            if esc == "\\"
            else re.compile(re.escape(esc) + r"(" + re.escape(esc) + r"|[0-9A-Fa-f]{4}|\+[0-9A-Fa-f]{6})")
        )
        if esc in pattern.sub("", body):
            continue  # an invalid escape: left to the error
        try:
            value = pattern.sub(
                lambda m, e=esc: e if m.group(1) == e else chr(int(m.group(1).lstrip("+"), 16)), body
            )
        except ValueError:
            continue
        edits.append((tk.start(i), tk.end(end), literal(value)))
    return edits


def roots(tk: Tokens) -> list[Edit]:
    edits: list[Edit] = []
    for i in range(tk.n):
        fn = {TokenType.PIPE_SLASH: "sqrt", TokenType.DPIPE_SLASH: "cbrt"}.get(tk.tt(i))  # type: ignore[arg-type]
        if fn is None or (edits and tk.start(i) < edits[-1][1]) or tk.text[tk.end(i) : tk.end(i) + 1] == "*":
            continue  # (||/* is || and a comment: an operator never holds /*)
        end = _forward(tk, i + 1)
        if end == i + 1:
            continue
        edits.append((tk.start(i), tk.end(end - 1), f"{fn}({_text(tk, i + 1, end)})"))
    return edits


def xor(tk: Tokens) -> list[Edit]:
    edits: list[Edit] = []
    for i in range(1, tk.n):
        if tk.tt(i) != TokenType.HASH:
            continue
        lo, hi = _backward(tk, i - 1), _forward(tk, i + 1)
        if lo > i - 1 or hi == i + 1 or (edits and tk.start(lo) < edits[-1][1]):
            continue  # (a # b # c: the second is left to DuckDB's error)
        edits.append((tk.start(lo), tk.end(hi - 1), f"xor({_text(tk, lo, i)}, {_text(tk, i + 1, hi)})"))
    return edits


def between_symmetric(tk: Tokens) -> list[Edit]:
    edits: list[Edit] = []
    for i in range(1, tk.n):
        if tk.tt(i) != TokenType.BETWEEN or tk.word(i + 1) != "symmetric":
            continue
        negated = tk.tt(i - 1) == TokenType.NOT
        x_end = i - 1 if negated else i
        lo = _backward(tk, x_end - 1)
        a_end = _forward(tk, i + 2)
        if lo >= x_end or a_end == i + 2 or tk.tt(a_end) != TokenType.AND:
            continue
        b_end = _forward(tk, a_end + 1)
        if b_end == a_end + 1:
            continue
        x, a, b = _text(tk, lo, x_end), _text(tk, i + 2, a_end), _text(tk, a_end + 1, b_end)
        either = f"({x} BETWEEN {a} AND {b} OR {x} BETWEEN {b} AND {a})"
        edits.append((tk.start(lo), tk.end(b_end - 1), f"(NOT {either})" if negated else either))
    return edits


_YEAR_MONTH = re.compile(r"^\s*([+-]?)(\d+)-(\d+)\s*$")


def interval_year_to_month(tk: Tokens) -> list[Edit]:
    edits: list[Edit] = []
    for i in range(tk.n):
        if tk.tt(i) != TokenType.INTERVAL or [tk.word(k) for k in (i + 2, i + 3, i + 4)] != [
            "year",
            "to",
            "month",
        ]:
            continue
        value = tk.string(i + 1)
        m = _YEAR_MONTH.match(value) if value is not None else None
        if m is None:
            continue
        sign = "-" if m.group(1) == "-" else ""
        if int(m.group(3)) > 11:
            bad = literal(f'DuckCDB 22015: interval field value out of range: "{value}"')
            edits.append((tk.start(i), tk.end(i + 4), f"CAST(error({bad}) AS INTERVAL)"))
            continue
        spelled = f"{sign}{int(m.group(2))} years {sign}{int(m.group(3))} months"
        edits.append((tk.start(i + 1), tk.end(i + 4), literal(spelled)))
    return edits


_WORTH = frozenset(
    {
        *TRIGGERS,
        TokenType.BETWEEN,
        TokenType.INTERVAL,
        TokenType.OVERLAPS,
        TokenType.CUBE,
        TokenType.ROLLUP,
        TokenType.ESCAPE,
    }
)


def worth_a_look(toks) -> bool:
    """Whether a statement has any of the forms above (one pass over token types; a closer look
    at the rare ones that may start a form)."""
    n = len(toks)
    for k, t in enumerate(toks):
        tt = t.token_type
        if tt not in _WORTH:
            continue
        if tt == TokenType.BETWEEN:
            if k + 1 < n and toks[k + 1].text.lower() == "symmetric":
                return True
        elif tt == TokenType.INTERVAL:
            if k + 2 < n and toks[k + 2].text.lower() == "year":
                return True
        elif tt == TokenType.ESCAPE:
            if k >= 2 and toks[k - 2].text.lower() == "similar":
                return True
        else:
            return True
    return False


def _pair(tk: Tokens, open_: int) -> tuple[str, str] | None:
    """(start, end) of a row (a, b) of OVERLAPS: b added to a when it is visibly an interval."""
    close = tk.match.get(open_)
    if close is None:
        return None
    parts = tk.split(open_ + 1, close, frozenset({TokenType.COMMA}))
    if len(parts) != 2 or any(lo >= hi for lo, hi, _ in parts):
        return None
    (alo, ahi, _), (blo, bhi, _) = parts
    a, b = f"({_text(tk, alo, ahi)})", f"({_text(tk, blo, bhi)})"
    interval = tk.tt(blo) == TokenType.INTERVAL or any(
        tk.tt(k) == TokenType.DCOLON and tk.tt(k + 1) == TokenType.INTERVAL for k in range(blo, bhi)
    )
    return (a, f"({a} + {b})") if interval else (a, b)


def _overlaps_sql(first: tuple[str, str], second: tuple[str, str]) -> str:
    """PostgreSQL's overlaps_timestamp: each row's ends ordered (a NULL end: the other is its
    start), then the starts compared; NULL where the answer depends on a NULL end."""

    def ends(a: str, b: str) -> tuple[str, str]:
        start = (
            f"CASE WHEN {a} IS NULL THEN {b} WHEN {b} IS NULL THEN {a} WHEN {a} > {b} THEN {b} ELSE {a} END"
        )
        end = f"CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL WHEN {a} > {b} THEN {a} ELSE {b} END"
        return f"({start})", f"({end})"

    s1, e1 = ends(*first)
    s2, e2 = ends(*second)
    return (
        f"(CASE WHEN {s1} IS NULL OR {s2} IS NULL THEN NULL "
        f"WHEN {s1} > {s2} THEN CASE WHEN {e2} IS NULL THEN NULL WHEN {s1} < {e2} THEN true "
        f"WHEN {e1} IS NULL THEN NULL ELSE false END "
        f"WHEN {s1} < {s2} THEN CASE WHEN {e1} IS NULL THEN NULL WHEN {s2} < {e1} THEN true "
        f"WHEN {e2} IS NULL THEN NULL ELSE false END "
        f"ELSE CASE WHEN {e1} IS NULL OR {e2} IS NULL THEN NULL ELSE true END END)"
    )


def overlaps(tk: Tokens) -> list[Edit]:
    edits: list[Edit] = []
    for i in range(1, tk.n - 1):
        if tk.word(i) != "overlaps" or tk.tt(i - 1) != TokenType.R_PAREN or tk.tt(i + 1) != TokenType.L_PAREN:
            continue
        open_ = tk.match.get(i - 1)
        first = _pair(tk, open_) if open_ is not None else None
        second = _pair(tk, i + 1)
        if first is None or second is None:
            continue
        edits.append((tk.start(open_), tk.end(tk.match[i + 1]), _overlaps_sql(first, second)))
    return edits


def grouping_expressions(tk: Tokens) -> list[Edit]:
    """CUBE (a, n > 15) / ROLLUP (...): an expression of several tokens in parentheses, which
    the analysis's parser needs (PostgreSQL reads it the same)."""
    edits: list[Edit] = []
    for i in range(tk.n - 1):
        if tk.word(i) not in ("cube", "rollup") or tk.tt(i + 1) != TokenType.L_PAREN or i + 1 not in tk.match:
            continue
        if tk.clause_of(i) != TokenType.GROUP_BY:
            continue  # (a function or a column named cube elsewhere)
        for lo, hi, _ in tk.split(i + 2, tk.match[i + 1], frozenset({TokenType.COMMA})):
            single = hi == lo + 1 or (tk.tt(lo) == TokenType.L_PAREN and tk.match.get(lo) == hi - 1)
            if hi > lo and not single and not (hi == lo + 3 and tk.tt(lo + 1) == TokenType.DOT):
                edits += [(tk.start(lo), tk.start(lo), "("), (tk.end(hi - 1), tk.end(hi - 1), ")")]
    return edits


def substring_similar(tk: Tokens) -> list[Edit]:
    """substring(x SIMILAR 'pattern' ESCAPE 'e'): the part of x matched between the pattern's two
    e" separators, the whole pattern matching the whole text (NULL otherwise); as PostgreSQL's
    similar_escape builds it, the part before is matched as short as it can be, the part itself
    as long. A pattern or escape that is not a literal is left as written."""
    from pgcompat.functions import _capturing_groups  # (functions imports syntax, which imports this)

    edits: list[Edit] = []
    for i in range(tk.n - 7):
        if tk.word(i) != "substring" or tk.tt(i + 1) != TokenType.L_PAREN or i + 1 not in tk.match:
            continue
        close = tk.match[i + 1]
        sim = next((k for k in range(i + 2, close) if tk.word(k) == "similar"), None)
        if sim is None or sim + 4 != close or tk.tt(sim + 2) != TokenType.ESCAPE:
            continue
        pattern, escape = tk.string(sim + 1), tk.string(sim + 3)
        if pattern is None or escape is None or len(escape) != 1 or sim == i + 2:
            continue
        parts = pattern.split(escape + '"')
        if len(parts) > 3:
            bad = literal(
                "DuckCDB 2200C: SQL regular expression may not contain more than two escape-double-quote separators"
            )
            edits.append((tk.start(i), tk.end(close), f"CAST(error({bad}) AS VARCHAR)"))
            continue
        try:
            if len(parts) == 3:
                first = similar.to_regex(parts[0], escape, lazy=True)
                regex = f"^(?:{first})({similar.to_regex(parts[1], escape)})(?:{similar.to_regex(parts[2], escape)})$"
                group = _capturing_groups(first) + 1
            elif len(parts) == 1:
                regex, group = f"^(?:{similar.to_regex(pattern, escape)})$", 0
            else:
                continue
        except Exception:  # pgwire's DbError of an invalid escape: left to DuckDB's error
            continue
        value = _text(tk, i + 2, sim)
        edits.append(
            (
                tk.start(i),
                tk.end(close),
                f"regexp_extract_all(CAST(({value}) AS VARCHAR), {literal(regex)}, {group})[1]",
            )
        )
    return edits


SHAPES = [
    substring_similar,
    roots,
    xor,
    between_symmetric,
    interval_year_to_month,
    overlaps,
    grouping_expressions,
]


def unicode_literals(text: str, toks, base: int) -> list[Edit]:
    """U&'...' strings, in the rewrite (the statement's text, and its split, stay the client's:
    the analysis reads U&'' itself)."""
    if not any(t.token_type == TokenType.UNICODE_STRING for t in toks):
        return []
    return unicode_strings(Tokens(text, toks, base))


REWRITES = [unicode_literals]


_SET_OPERATIONS = frozenset({TokenType.UNION, TokenType.EXCEPT, TokenType.INTERSECT})


def _with_ties(tk: Tokens) -> list[Edit]:
    """... ORDER BY keys FETCH FIRST n ROWS WITH TIES (at the end of a plain SELECT): the rows
    whose rank() by the keys is at most n, which are the first n and those tied with the n-th.
    Left as written (DuckDB's error) with OFFSET, DISTINCT (the rank would count duplicates), a
    set operation, a positional key or a key that names a select-list alias (a window's ORDER BY
    would read the column)."""
    depth, order, fetch, aliases = 0, None, None, set()
    for k in range(tk.n):
        t = tk.tt(k)
        if t in OPEN:
            depth += 1
        elif t in CLOSE:
            depth -= 1
        elif depth == 0:
            if (
                t in _SET_OPERATIONS
                or t in (TokenType.OFFSET, TokenType.QUALIFY, TokenType.DISTINCT)
                or tk.word(k) == "offset"
            ):
                return []
            if t == TokenType.ORDER_BY:
                order = k
            elif t == TokenType.ALIAS and tk.word(k + 1) is not None:
                aliases.add(tk.word(k + 1))
            elif tk.word(k) == "fetch":
                fetch = k
    if order is None or fetch is None or order > fetch:
        return []
    words = [tk.word(k) for k in range(fetch, tk.n)]
    count = "1"
    if len(words) == 6 and tk.tt(fetch + 2) == TokenType.NUMBER:
        count = tk.src(fetch + 2)
        words = words[:2] + words[3:]
    if (
        len(words) != 5
        or words[1] not in ("first", "next")
        or words[2] not in ("row", "rows")
        or words[3:] != ["with", "ties"]
    ):
        return []
    keys = tk.split(order + 1, fetch, frozenset({TokenType.COMMA}))
    for lo, hi, _ in keys:
        first = tk.word(lo)
        if tk.tt(lo) == TokenType.NUMBER and (hi == lo + 1 or tk.word(lo + 1) in ("asc", "desc", "nulls")):
            return []
        if first in aliases:
            return []
    order_text = _text(tk, order + 1, fetch).strip()
    return [
        (tk.start(order), tk.start(order), f"QUALIFY rank() OVER (ORDER BY {order_text}) <= {count} "),
        (tk.end(fetch - 1), tk.end(tk.n - 1), ""),
    ]


def fetch_with_ties(text: str, toks, base: int) -> list[Edit]:
    if not any(t.text.lower() == "ties" for t in toks):
        return []
    return _with_ties(Tokens(text, toks, base))


REWRITES.append(fetch_with_ties)


_INT4 = range(-(2**31), 2**31)
_TIGHTER = frozenset(
    {
        TokenType.STAR,
        TokenType.SLASH,
        TokenType.MOD,
        TokenType.CARET,
        TokenType.DCOLON,
        TokenType.L_BRACKET,
        TokenType.DOT,
        TokenType.DPIPE,
    }
)

_TIGHTER_AFTER = _TIGHTER - {TokenType.DPIPE}  # (|| is left-associative: one may follow)


def _integer_at(tk: Tokens, lo: int, hi: int) -> bool:
    """Tokens lo..hi-1 are one int4 literal (with its sign)."""
    s = _text(tk, lo, hi).replace(" ", "") if hi > lo else ""
    return bool(re.fullmatch(r"-?\d+", s)) and int(s) in _INT4


def _int4_array(tk: Tokens, lo: int, hi: int) -> bool:
    """Tokens lo..hi-1 are ARRAY[...] of int4 literals."""
    if tk.tt(lo) != TokenType.ARRAY or tk.tt(lo + 1) != TokenType.L_BRACKET or tk.match.get(lo + 1) != hi - 1:
        return False
    parts = tk.split(lo + 2, hi - 1, frozenset({TokenType.COMMA}))
    return all(_integer_at(tk, a, b) for a, b, _ in parts)


def array_element_concat(text: str, toks, base: int) -> list[Edit]:
    """ARRAY[1, 2] || 3 and 0 || ARRAY[1, 2] (int4 literals on both sides: their types are
    visible): array_append and array_prepend, as PostgreSQL's anyarray || anyelement. Other
    operands are left to DuckDB, which concatenates arrays only."""
    if not any(t.token_type == TokenType.DPIPE for t in toks):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in range(1, tk.n - 1):
        if tk.tt(i) != TokenType.DPIPE:
            continue
        if tk.tt(i - 1) == TokenType.R_BRACKET and i - 1 in tk.match:
            lo = tk.match[i - 1] - 1
            hi = i + 2 if tk.tt(i + 1) == TokenType.NUMBER else i + 3
            if (
                _int4_array(tk, lo, i)
                and _integer_at(tk, i + 1, hi)
                and tk.tt(lo - 1) not in _TIGHTER
                and tk.tt(hi) not in _TIGHTER_AFTER
            ):
                edits.append(
                    (tk.start(lo), tk.end(hi - 1), f"list_append({_text(tk, lo, i)}, {_text(tk, i + 1, hi)})")
                )
        elif tk.tt(i + 1) == TokenType.ARRAY and tk.tt(i + 2) == TokenType.L_BRACKET and i + 2 in tk.match:
            hi = tk.match[i + 2] + 1
            lo = i - 1 if tk.tt(i - 2) != TokenType.DASH else i - 2
            if (
                _int4_array(tk, i + 1, hi)
                and _integer_at(tk, lo, i)
                and tk.tt(lo - 1) not in _TIGHTER
                and tk.tt(hi) not in _TIGHTER_AFTER
            ):
                edits.append(
                    (
                        tk.start(lo),
                        tk.end(hi - 1),
                        f"list_prepend({_text(tk, lo, i)}, {_text(tk, i + 1, hi)})",
                    )
                )
    return [e for k, e in enumerate(edits) if k == 0 or e[0] >= edits[k - 1][1]]


REWRITES.append(array_element_concat)
