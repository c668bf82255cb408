"""Row comparisons and IS [NOT] NULL of row constructors with PostgreSQL's NULL rules.

DuckDB compares ROW(...) values as STRUCTs, where NULL fields are equal to each other and a
struct is NULL only as a whole: `ROW(1, NULL) = ROW(1, NULL)` is true there and
`ROW(NULL, NULL) IS NULL` false. PostgreSQL compares rows field by field (SQL's rule): `=` is the
AND of the fields' `=` (NULL when a field is NULL and no other field differs), `<>` their OR,
`<`, `<=`, `>`, `>=` compare the first pair that is unequal or NULL; `row IS NULL` holds when every
field is NULL and `row IS NOT NULL` when none is; `row IN (r1, r2)` is `row = r1 OR row = r2`.

A comparison whose both sides are row constructors (ROW(a, b) or (a, b)) of the same number of
fields becomes that field-by-field expression, over one struct holding both rows so that each
field is written (and evaluated) once: `list_transform([ROW(l, r)], lambda __pg_row: ...)[1]`.
Only the tokens around the rows change, so rewrites inside the fields still apply.

A table's whole row (`LEFT JOIN b ... WHERE b IS NULL`) is a STRUCT of NULLs in DuckDB when the
join found no row, which is not NULL there; PostgreSQL's `b IS NULL` holds. `name IS [NOT] NULL`
with name a FROM item's alias (or table name) becomes a test that reads the fields when DuckDB
binds the name to a STRUCT and is the plain test otherwise (DuckDB, like PostgreSQL, takes a
column of that name first), so a column that happens to share the name is tested as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import NAMES, Edit, Tokens

_OPS = {
    TokenType.EQ: "=",
    TokenType.NEQ: "<>",
    TokenType.LT: "<",
    TokenType.LTE: "<=",
    TokenType.GT: ">",
    TokenType.GTE: ">=",
}
# Tokens a row constructor may follow as a whole operand (nothing binding tighter than `=`).
_BEFORE = frozenset(
    {
        TokenType.SELECT,
        TokenType.WHERE,
        TokenType.HAVING,
        TokenType.ON,
        TokenType.AND,
        TokenType.OR,
        TokenType.NOT,
        TokenType.WHEN,
        TokenType.THEN,
        TokenType.ELSE,
        TokenType.COMMA,
        TokenType.L_PAREN,
        TokenType.DISTINCT,
        TokenType.RETURNING,
    }
)
# Tokens that would take the right-hand row as their operand first.
_BINDS_TIGHTER = frozenset({TokenType.DCOLON, TokenType.L_BRACKET, TokenType.DOT})
_ROW = "__pg_row"
# What may follow a row constructor for this module to have work.
_AFTER_ROW = frozenset(_OPS) | {TokenType.IS, TokenType.IN, TokenType.NOT}


def _fields(tk: Tokens, open_: int) -> int:
    """How many top-level fields the parenthesis at open_ holds."""
    close = tk.closing(open_)
    if close is None or close == open_ + 1:
        return 0
    return len(tk.split(open_ + 1, close, frozenset({TokenType.COMMA})))


def _row_ending_at(tk: Tokens, close: int) -> tuple[int, int] | None:
    """(first token, number of fields) of a row constructor whose ")" is token close, standing
    as a whole operand; None otherwise."""
    if tk.tt(close) != TokenType.R_PAREN or close not in tk.match:
        return None
    open_ = tk.match[close]
    first, n = open_, _fields(tk, open_)
    if tk.tt(open_ - 1) == TokenType.ROW:
        first = open_ - 1
    elif n < 2 or tk.tt(open_ + 1) in (TokenType.SELECT, TokenType.WITH):
        return None
    if n == 0 or (first > 0 and tk.tt(first - 1) not in _BEFORE):
        return None
    return first, n


def _row_starting_at(tk: Tokens, k: int) -> tuple[int, int] | None:
    """(last token, number of fields) of a row constructor starting at token k; None otherwise."""
    open_ = k + 1 if tk.tt(k) == TokenType.ROW else k
    if tk.tt(open_) != TokenType.L_PAREN:
        return None
    close, n = tk.closing(open_), _fields(tk, open_)
    if close is None or n == 0 or tk.tt(open_ + 1) in (TokenType.SELECT, TokenType.WITH):
        return None
    if open_ == k and n < 2:
        return None
    return close, n


def _field(side: int, k: int) -> str:
    return f"{_ROW}[{side}][{k}]"


def _compare(op: str, n: int, left: int = 1, right: int = 2) -> str:
    """PostgreSQL's row comparison of two n-field rows held in __pg_row[left] and [right]."""
    pairs = [(_field(left, k), _field(right, k)) for k in range(1, n + 1)]
    if op == "=":
        return "(" + " AND ".join(f"{a} = {b}" for a, b in pairs) + ")"
    if op == "<>":
        return "(" + " OR ".join(f"{a} <> {b}" for a, b in pairs) + ")"
    strict = op[0]  # < or >: every pair before the last decides only when unequal
    a, b = pairs[-1]
    out = f"{a} {op} {b}"
    for a, b in reversed(pairs[:-1]):
        out = f"{a} {strict} {b} OR ({a} = {b} AND ({out}))"
    return f"({out})"


def _null_test(negated: bool, n: int) -> str:
    test = "IS NOT NULL" if negated else "IS NULL"
    return "(" + " AND ".join(f"{_ROW}[{k}] {test}" for k in range(1, n + 1)) + ")"


def _comparison(tk: Tokens, i: int) -> list[Edit]:
    """ROW(...) op ROW(...) with op at token i."""
    left = _row_ending_at(tk, i - 1)
    right = _row_starting_at(tk, i + 1) if left is not None else None
    if left is None or right is None or left[1] != right[1] or tk.tt(right[0] + 1) in _BINDS_TIGHTER:
        return []
    body = _compare(_OPS[tk.toks[i].token_type], left[1])
    return [
        (tk.start(left[0]), tk.start(left[0]), "list_transform([ROW("),
        (tk.start(i), tk.end(i), ","),
        (tk.end(right[0]), tk.end(right[0]), f")], lambda {_ROW}: {body})[1]"),
    ]


def _is_null(tk: Tokens, i: int) -> list[Edit]:
    """ROW(...) IS [NOT] NULL with IS at token i."""
    negated = tk.tt(i + 1) == TokenType.NOT
    null = i + 2 if negated else i + 1
    left = _row_ending_at(tk, i - 1)
    if left is None or tk.tt(null) != TokenType.NULL:
        return []
    return [
        (tk.start(left[0]), tk.start(left[0]), "list_transform(["),
        (tk.end(i - 1), tk.end(null), f"], lambda {_ROW}: {_null_test(negated, left[1])})[1]"),
    ]


def _in_list(tk: Tokens, i: int) -> list[Edit]:
    """ROW(...) [NOT] IN (ROW(...), ...) with IN at token i."""
    negated = tk.tt(i - 1) == TokenType.NOT
    left = _row_ending_at(tk, i - 2 if negated else i - 1)
    close = tk.closing(i + 1) if tk.tt(i + 1) == TokenType.L_PAREN else None
    if left is None or close is None:
        return []
    items = tk.split(i + 2, close, frozenset({TokenType.COMMA}))
    for lo, hi, _ in items:
        row = _row_starting_at(tk, lo)
        if row is None or row[0] != hi - 1 or row[1] != left[1]:
            return []
    body = "(" + " OR ".join(_compare("=", left[1], 1, k) for k in range(2, len(items) + 2)) + ")"
    end_left = i - 2 if negated else i - 1
    return [
        (tk.start(left[0]), tk.start(left[0]), ("NOT " if negated else "") + "list_transform([ROW("),
        (tk.end(end_left), tk.end(i + 1), ", "),
        (tk.start(close), tk.end(close), f")], lambda {_ROW}: {body})[1]"),
    ]


# `x IS [NOT] NULL` for a name that may be a whole row: the fields' test when x is a STRUCT.
_WHOLE_ROW_TEST = (
    "(CASE WHEN typeof({x}) LIKE 'STRUCT(%' THEN {x} {test} {join} len(list_filter(json_extract(to_json({x}), "
    "'$.*'), lambda __pg_field: CAST(__pg_field AS VARCHAR) {op} 'null')) = 0 ELSE {x} {test} END)"
)


def _from_names(tk: Tokens) -> set[str]:
    """The names FROM items of the statement define: table names and aliases (lower case)."""
    names: set[str] = set()
    for k in range(tk.n):
        t = tk.tt(k)
        if t not in (TokenType.FROM, TokenType.JOIN, TokenType.COMMA):
            continue
        if t == TokenType.COMMA and tk.clause_of(k) != TokenType.FROM:
            continue
        if t == TokenType.FROM and tk.word(k - 1) == "distinct":
            continue
        j = k + 1
        if tk.tt(j) == TokenType.LATERAL:
            j += 1
        if tk.tt(j) == TokenType.L_PAREN and j in tk.match:
            j = tk.match[j] + 1
        else:
            while tk.tt(j + 1) == TokenType.DOT:
                j += 2
            if tk.name(j) is not None:
                names.add(tk.name(j) or "")
            j += 1
            if tk.tt(j) == TokenType.L_PAREN and j in tk.match:
                j = tk.match[j] + 1
        if tk.tt(j) == TokenType.ALIAS:
            j += 1
        if tk.tt(j) in NAMES and tk.name(j) is not None:
            names.add(tk.name(j) or "")
    return names


def _whole_row_tests(tk: Tokens, candidates: list[int]) -> list[Edit]:
    """name IS [NOT] NULL at the IS tokens given, name a FROM item's."""
    names: set[str] | None = None
    edits: list[Edit] = []
    for i in candidates:
        negated = tk.tt(i + 1) == TokenType.NOT
        null = i + 2 if negated else i + 1
        if tk.tt(null) != TokenType.NULL or tk.tt(i - 2) not in _BEFORE:
            continue
        names = _from_names(tk) if names is None else names
        if tk.name(i - 1) not in names:
            continue
        x = tk.src(i - 1)
        test = "IS NOT NULL" if negated else "IS NULL"
        join, op = ("AND", "=") if negated else ("OR", "<>")
        edits.append(
            (tk.start(i - 1), tk.end(null), _WHOLE_ROW_TEST.format(x=x, test=test, join=join, op=op))
        )
    return edits


def row_null_semantics(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """Comparisons, IS [NOT] NULL and IN of row constructors, and IS [NOT] NULL of whole rows,
    with PostgreSQL's NULL rules."""
    whole: list[int] = []  # IS after a bare name
    after_row: list[int] = []  # an operator after ")"
    is_, r_paren, dot, not_ = TokenType.IS, TokenType.R_PAREN, TokenType.DOT, TokenType.NOT
    for i in range(2, len(toks)):  # one cheap pass for the statements without any
        t, p = toks[i].token_type, toks[i - 1].token_type
        if p == r_paren and t in _AFTER_ROW or t == TokenType.IN and p == not_:
            after_row.append(i)
        elif t == is_ and p in NAMES and toks[i - 2].token_type != dot:
            whole.append(i)
    if not (whole or after_row):
        return []
    tk = Tokens(text, toks, base)
    edits: list[Edit] = _whole_row_tests(tk, whole) if whole else []
    for i in after_row:
        t = tk.toks[i].token_type
        if t in _OPS:
            edits += _comparison(tk, i)
        elif t == TokenType.IS:
            edits += _is_null(tk, i)
        elif t == TokenType.IN:
            edits += _in_list(tk, i)
    return edits


def unequal_rows(text: str, toks: Sequence[Token]) -> tuple[str, str] | None:
    """ROW(1, 2) = ROW(1, 2, 3): PostgreSQL's 42601 (DuckDB compares STRUCTs, and refuses two of
    different sizes with 42804)."""
    ops = [
        i
        for i in range(1, len(toks) - 1)
        if toks[i].token_type in _OPS and toks[i - 1].token_type == TokenType.R_PAREN
    ]
    if not ops:
        return None
    tk = Tokens(text, toks)
    for i in ops:
        left = _row_ending_at(tk, i - 1)
        right = _row_starting_at(tk, i + 1) if left is not None else None
        if left is not None and right is not None and left[1] != right[1]:
            return "42601", "unequal number of entries in row expressions"
    return None


def _row_subquery_assignments(toks: Sequence[Token]) -> list[int]:
    """The "(" of each SET (a, b) = (SELECT ...) assignment."""
    out = []
    for i in range(1, len(toks) - 4):
        if toks[i].token_type != TokenType.L_PAREN or toks[i - 1].token_type not in (
            TokenType.SET,
            TokenType.COMMA,
        ):
            continue
        j = i + 1
        while j + 1 < len(toks) and toks[j].token_type in NAMES and toks[j + 1].token_type == TokenType.COMMA:
            j += 2
        if (
            j + 3 < len(toks)
            and toks[j].token_type in NAMES
            and toks[j + 1].token_type == TokenType.R_PAREN
            and toks[j + 2].token_type == TokenType.EQ
            and toks[j + 3].token_type == TokenType.L_PAREN
            and j + 4 < len(toks)
            and toks[j + 4].token_type in (TokenType.SELECT, TokenType.WITH)
        ):
            out.append(i)
    return out


def assigns_row_subquery(toks: Sequence[Token]) -> bool:
    """A cheap look: whether the statement has SET (a, b) = (SELECT ...)."""
    return any(t.token_type == TokenType.SET for t in toks) and bool(_row_subquery_assignments(toks))


def row_subquery_assignments(text: str, toks: Sequence[Token]) -> list[Edit]:
    """UPDATE t SET (a, b) = (SELECT x, y ...): DuckDB takes one column from a subquery, so each
    column gets its own: a = (SELECT __pg_c1 FROM (SELECT x, y ...) AS __pg_s(__pg_c1, __pg_c2)),
    b = (... __pg_c2 ...), the subquery as written (correlated or not; more than one row is
    21000 as in PostgreSQL). On the rewritten text: the subquery is written once per column."""
    tk = Tokens(text, toks, 0)
    edits: list[Edit] = []
    for i in _row_subquery_assignments(toks):
        close = tk.match.get(i)
        if close is None or close + 2 not in tk.match:
            continue
        sub_open, sub_close = close + 2, tk.match[close + 2]
        columns = [tk.src(k) for k in range(i + 1, close) if tk.tt(k) in NAMES]
        names = [f"__pg_c{n + 1}" for n in range(len(columns))]
        query = text[tk.start(sub_open) : tk.end(sub_close)]
        source = f"{query} AS __pg_s({', '.join(names)})"
        parts = [f"{c} = (SELECT {n} FROM {source})" for c, n in zip(columns, names, strict=True)]
        edits.append((tk.start(i), tk.end(sub_close), ", ".join(parts)))
    return edits


REWRITES = [row_null_semantics]
