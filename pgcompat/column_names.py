"""Result column names as PostgreSQL gives them, where DuckDB names columns differently.

DuckDB names `SELECT count(*)` "count_star()" and `SELECT 1` "1"; PostgreSQL says "count" and
"?column?", and clients read rows by those names. Names come from the outermost SELECT list;
a statement with `*` or anything unrecognised keeps DuckDB's names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sqlglot import exp

from pgcompat import lexer

# sqlglot's names for functions whose PostgreSQL output name differs from sqlglot's SQL name.
_FUNCTION_NAMES = {
    "count_star": "count",
    "avg": "avg",
    "stddev_samp": "stddev_samp",
    "time_to_str": "to_char",
    "group_concat": "string_agg",
    "str_position": "position",
    "j_s_o_n_array_agg": "json_agg",  # (sqlglot's JSONArrayAgg keeps no position of its name)
}
_TYPE_NAMES = {
    "INT": "int4",
    "INTEGER": "int4",
    "BIGINT": "int8",
    "SMALLINT": "int2",
    "TEXT": "text",
    "VARCHAR": "varchar",
    "DOUBLE": "float8",
    "FLOAT": "float4",
    "DECIMAL": "numeric",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMPNTZ": "timestamp",  # sqlglot's name for TIMESTAMP when the tree came from DuckDB's dialect
    "TIMESTAMPTZ": "timestamptz",
    "UUID": "uuid",
    "JSON": "json",
    "JSONB": "jsonb",
    "INTERVAL": "interval",
    "VARBINARY": "bytea",
}


# Operators and literal forms sqlglot makes other nodes of: E'b', $$c$$, 'foo' 'bar', IN, BETWEEN,
# ^@ (a call's own name was taken first, see _spelled: concat(a, b) is "concat").
_OPERATORS = exp.ByteString | exp.RawString | exp.Concat | exp.In | exp.Between | exp.StartsWith
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def _spelled(e: exp.Func, text: str) -> str | None:
    """The function's name as the client wrote it (sqlglot may call lpad Pad, substr Substring),
    from the name's position in the text, when sqlglot kept it."""
    start, end = e.meta.get("start"), e.meta.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end < len(text):
        return None
    word = text[start : end + 1]
    if len(word) > 1 and word[0] == word[-1] == '"':
        return word[1:-1]
    if not _WORD.fullmatch(word):
        return None
    return word.lower()


# PostgreSQL's identifiers are at most NAMEDATALEN - 1 bytes (longer ones are truncated).
_NAMEDATALEN = 64


def _identifier(node: exp.Expression | None, name: str) -> str:
    """A name as PostgreSQL's parser keeps it: unquoted ones folded to lower case, at most 63
    bytes (cut at a character's boundary)."""
    if not (isinstance(node, exp.Identifier) and node.quoted):
        name = name.lower()
    raw = name.encode()
    if len(raw) >= _NAMEDATALEN:
        name = raw[: _NAMEDATALEN - 1].decode(errors="ignore")
    return name


def _name(e: exp.Expression, text: str) -> str | None:
    if isinstance(e, exp.Alias):
        return _identifier(e.args.get("alias"), e.alias)
    if isinstance(e, exp.Column):
        return _identifier(e.this, e.name)
    if isinstance(e, exp.Bracket):  # a[1], (ARRAY[1, 2])[1]: named after what is subscripted
        inner = e.this
        while isinstance(inner, exp.Paren):
            inner = inner.this
        return "array" if isinstance(inner, exp.Array) else _name(inner, text)
    if isinstance(e, exp.Dot) and isinstance(e.expression, exp.Identifier):  # (t).y: the field's
        return _identifier(e.expression, e.expression.name)
    if isinstance(e, exp.Subquery) and isinstance(e.this, exp.Select) and e.this.expressions:
        return _name(e.this.expressions[0], text)  # (SELECT n ...): its column's name
    if isinstance(e, exp.Exists):
        return "exists"
    if isinstance(e, exp.Array):  # ARRAY[...] and ARRAY(SELECT ...)
        return "array"
    if isinstance(e, exp.Interval):  # INTERVAL '1 day': a typed literal, named by its type
        return "interval"
    if isinstance(e, exp.AtTimeZone):  # x AT TIME ZONE z is timezone(z, x)
        return "timezone"
    if isinstance(e, exp.Dot) and isinstance(e.expression, exp.Func):  # pg_catalog.version()
        return _name(e.expression, text)
    if isinstance(e, exp.Cast):
        # PostgreSQL keeps the name of a column or function under a cast; a cast of a cast or
        # of a literal is named after the outer type (FigureColname's strengths)
        inner = None if isinstance(e.this, exp.Cast) else _name(e.this, text)
        if inner is not None and inner != "?column?":
            return inner
        to = e.to
        if to.this == exp.DataType.Type.ARRAY and to.expressions:  # '{}'::int[]: the element's
            to = to.expressions[0]
        kind = getattr(to.this, "name", None) or str(to.this)
        if kind.upper() == "USERDEFINED" and to.args.get("kind"):  # regclass, ... (unknown to sqlglot)
            kind = str(to.args["kind"]).split(".")[-1].strip('"')
        return _TYPE_NAMES.get(kind.upper(), kind.lower())
    if isinstance(e, exp.Extract):
        return _extract_name(e, text)
    if isinstance(e, exp.Trim):  # trim(...) is btrim, trim(LEADING ...) ltrim, trim(TRAILING ...) rtrim
        position = str(e.args.get("position") or "").upper()
        return {"LEADING": "ltrim", "TRAILING": "rtrim"}.get(position, "btrim")
    if isinstance(e, exp.Func | exp.Binary) and (spelled := _spelled(e, text)) is not None:
        # before Binary: mod(7, 2) and corr(a, b) are binary nodes to sqlglot (which keeps a
        # position only for the name of a call, never for an operator such as %)
        return spelled
    if isinstance(e, exp.Literal | exp.Boolean | exp.Null | exp.Binary | exp.Unary | _OPERATORS):
        return "?column?"
    if isinstance(e, exp.Case):
        return "case"
    if isinstance(e, exp.Filter | exp.Window | exp.WithinGroup):
        return _name(e.this, text)  # count(*) FILTER (...), rank() OVER (...), mode() WITHIN GROUP
    if isinstance(e, exp.Anonymous):
        return str(e.this).lower()
    if isinstance(e, exp.Count):
        return "count"
    if isinstance(e, exp.Func):
        name = _FUNCTION_NAMES.get(e.sql_name().lower(), e.sql_name().lower())
        # sqlglot may have renamed the function (now() -> CURRENT_TIMESTAMP): then keep DuckDB's.
        return name if re.search(rf"\b{re.escape(name)}\s*\(", text, re.I) else None
    return None


def _extract_name(e: exp.Extract, text: str) -> str:
    """extract(f FROM x) or date_part('f', x), both Extract to sqlglot: the call that opens
    nearest before the first argument token sqlglot kept a position for."""
    for node in e.walk():
        start = node.meta.get("start") if isinstance(node, exp.Expression) else None
        if isinstance(start, int) and 0 <= start <= len(text):
            before = text[:start].lower()
            at = max(before.rfind("extract"), before.rfind("date_part"))
            if at >= 0:
                return "date_part" if before.startswith("date_part", at) else "extract"
    return "extract"


def from_tree(tree: exp.Expression, text: str) -> tuple[str | None, ...] | None:
    """PostgreSQL's names for a SELECT's columns from its parsed tree (None where DuckDB's name is
    kept), or None when DuckDB's names all stay; text: what the tree was parsed from."""
    while isinstance(tree, exp.SetOperation | exp.Subquery):  # UNION ...: the first branch's names
        tree = tree.this
    if isinstance(tree, exp.Values) and tree.expressions:  # VALUES (...): column1, column2, ...
        first = tree.expressions[0]
        n = len(first.expressions) if isinstance(first, exp.Tuple) else 1
        return tuple(f"column{k}" for k in range(1, n + 1))
    returning = tree.args.get("returning") if isinstance(tree, exp.Insert | exp.Update | exp.Delete) else None
    items = returning.expressions if isinstance(returning, exp.Returning) else None
    if items is None and not isinstance(tree, exp.Select):
        return None
    out: list[str | None] = []
    for e in items if items is not None else tree.expressions:
        if isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star)):
            return None
        try:
            out.append(_name(e, text))
        except Exception:  # an odd node: the name is cosmetic, DuckDB's stays
            out.append(None)
    if all(n is None for n in out):
        return None
    return tuple(out)


@lru_cache(maxsize=1024)
def of_text(text: str) -> tuple[str | None, ...] | None:
    """from_tree() of a text of its own: for statements whose checked form (pgcompat.analysis) is not
    the client's text, since the names are those of the functions the client wrote."""
    for dialect in ("postgres", "duckdb"):  # (sqlglot's postgres reads no jsonb_object_agg(DISTINCT k, v))
        try:
            tree = lexer.parse_one(text, dialect)
        except Exception:  # unparseable here: DuckDB's names stay
            continue
        return from_tree(tree, text)
    return None
