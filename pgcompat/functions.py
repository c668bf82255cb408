"""PostgreSQL functions DuckDB lacks or answers differently, translated into DuckDB SQL.

- `to_char(value, 'format')`: dates, times and numbers (pgcompat/to_char.py);
- `format('... %s %I %L ...', ...)`: PostgreSQL's conversions (DuckDB's format is fmt-style);
- `parse_ident('a."B c"')`: the parts of a qualified identifier, as a list;
- `substring(text FROM 'regex')` and `substring(text, 'regex')`: a regular-expression match (the
  first parenthesised group, or the whole match), not a start position;
- a scalar function in FROM (`FROM string_to_array(x, ',') s`): one row whose column is named by
  the alias, as PostgreSQL gives it.

Each translator is a small function of one call; a call it cannot translate exactly (a format
that is not a literal, an unsupported pattern) is left as the client wrote it. Arguments are
copied verbatim (after their own translation), so the sandbox analysis of the translated text
sees every table and function the client named. Nothing here matches a statement without one of
the names above; those statements are returned unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import duckdb
from sqlglot.tokens import Token, TokenType

from pgcompat import jsonb, pg_builtins, pg_dates, pg_strings
from pgcompat import to_char as to_char_formats
from pgcompat.tokens import NAMES, Tokens, literal, quote
from pgwire.types import OUTPUT_TEXT

# Words after which a name is being defined or dropped, not called.
_DEFINING = frozenset({"macro", "function", "procedure", "table", "view", "type", "sequence", "index"})
# Set-returning functions the catalog shim gives their PostgreSQL column name (pg_rewrites._SRF).
_SET_RETURNING = frozenset(
    {"unnest", "generate_series", "generate_subscripts", "regexp_split_to_table", "regexp_matches"}
)
_FROM_CONTEXT = (TokenType.FROM, TokenType.JOIN, TokenType.LATERAL)


@dataclass
class Call:
    """One call of a function: its tokens and its arguments, as written and translated."""

    tk: Tokens
    name: str
    first: int  # first token (the pg_catalog qualifier, if any)
    open: int
    close: int
    args: list[str]  # comma-separated arguments, translated
    ranges: list[tuple[int, int]]  # their token ranges

    def string(self, k: int) -> str | None:
        """Argument k's value when it is one plain string literal."""
        lo, hi = self.ranges[k]
        return self.tk.string(lo) if hi == lo + 1 else None


# ---------------------------------------------------------------- translators


def to_char(call: Call) -> str | None:
    """to_char(value, 'format') with a literal format."""
    fmt = call.string(1) if len(call.args) == 2 else None
    if fmt is not None and pg_builtins.visibly_interval(call, 0):
        return pg_builtins.interval_to_char(call.args[0], fmt)
    return None if fmt is None else to_char_formats.to_char(call.args[0], fmt)


_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?(-?)(\d*)([sIL%])?")
_PG_CONVERSION = re.compile(r"%(?:\d+\$)?-?(?:\d*|\*)[sIL%]")


def format_(call: Call) -> str | None:
    """format('...', args): PostgreSQL's %s (text, NULL as nothing), %I (quoted identifier),
    %L (quoted literal, NULL as NULL), %% and positions (%2$s) and widths (%-10s). A format
    without any of these conversions is left to DuckDB's format ('{}' placeholders)."""
    fmt = call.string(0) if call.args else None
    if (
        fmt is None
        or not _PG_CONVERSION.search(fmt)
        or any(call.tk.word(lo) == "variadic" for lo, _ in call.ranges)
    ):
        return None
    args = call.args[1:]
    pieces: list[str] = []
    text, pos, nxt = "", 0, 0
    while pos < len(fmt):
        i = fmt.find("%", pos)
        if i < 0:
            text += fmt[pos:]
            break
        text += fmt[pos:i]
        m = _FORMAT_SPEC.match(fmt, i)
        assert m is not None  # the pattern matches any %
        index, left, width, conv = m.groups()
        star = None
        if conv is None and fmt[m.end() : m.end() + 1] == "*" and not width:
            # a width taken from the next argument (%*s, %-*s); %*n$s is left as it is
            conv = fmt[m.end() + 1 : m.end() + 2]
            if index or conv not in ("s", "I", "L"):
                return None
            if nxt >= len(args):
                return _raise("too few arguments for format()")
            star, nxt = args[nxt], nxt + 1
            m = re.compile(r"%-?\*[sIL]").match(fmt, i)
            assert m is not None
        if conv is None:
            return _raise(
                "unrecognized format() type specifier"
                if i + 1 < len(fmt)
                else "unterminated format() type specifier"
            )
        pos = m.end()
        if conv == "%":
            text += "%"
            continue
        k = int(index) - 1 if index else nxt
        nxt = k + 1
        if k < 0 or k >= len(args):
            return _raise("too few arguments for format()")
        if text:
            pieces.append(literal(text))
            text = ""
        pieces.append(_conversion(args[k], conv, left, width, star))
    if text or not pieces:
        pieces.append(literal(text))
    return "(" + " || ".join(pieces) + ")"


def _conversion(arg: str, conv: str, left: str, width: str, star: str | None = None) -> str:
    value = f"CAST(({arg}) AS {OUTPUT_TEXT})"  # (format() writes each output: char(n) padded)
    if conv == "s":
        value = pg_strings.text_of(arg, OUTPUT_TEXT)  # booleans as t/f
        out = f"coalesce({value}, '')"
    elif conv == "I":
        # PostgreSQL refuses to quote a NULL identifier
        out = f"coalesce(quote_ident({value}), error('null values cannot be formatted as an SQL identifier'))"
    else:
        out = f"coalesce({pg_strings.quoted_literal(value)}, 'NULL')"
    if star is not None:  # a negative width pads on the right, as a '-' flag does; NULL is 0
        w = f"coalesce(CAST(({star}) AS INTEGER), 0)"
        spec = f"'%-' || CAST(abs({w}) AS VARCHAR)" if left else f"'%' || CAST({w} AS VARCHAR)"
        return f"printf({spec} || 's', {out})"
    return f"printf('%{left}{width}s', {out})" if width else out


def _raise(message: str) -> str:
    return f"error({literal(message)})"


def parse_ident(call: Call) -> str | None:
    """parse_ident('a."B c"') -> ['a', 'B c']: worked out here for a literal, else in SQL."""
    if not call.args or len(call.args) > 2:
        return None
    value = call.string(0)
    if value is None:
        part = r"""(?:^|\.)\s*("(?:[^"]|"")*"|[^."\s]+)"""
        return (
            f"list_transform(regexp_extract_all(({call.args[0]}), {literal(part)}, 1), lambda __p: "
            """CASE WHEN starts_with(__p, '"') THEN replace(substr(__p, 2, length(__p) - 2), '""', '"') """
            "ELSE lower(__p) END)"
        )
    strict = len(call.args) < 2 or call.args[1].strip().lower() not in ("false", "'f'", "'false'")
    parts = ident_parts(value, strict)
    if isinstance(parts, str):
        return _raise(parts)
    return "CAST([" + ", ".join(literal(p) for p in parts) + "] AS VARCHAR[])"


def ident_parts(s: str, strict: bool = True) -> list[str] | str:
    """PostgreSQL's parse_ident: the parts, or the error message."""
    parts: list[str] = []
    i, n = 0, len(s)
    invalid = f'string is not a valid identifier: "{s}"'
    while True:
        while i < n and s[i].isspace():
            i += 1
        if i < n and s[i] == '"':
            j, name = i + 1, ""
            while True:
                k = s.find('"', j)
                if k < 0:
                    return invalid
                name += s[j:k]
                if s.startswith('""', k):
                    name += '"'
                    j = k + 2
                    continue
                i = k + 1
                break
            if not name:
                return invalid
            parts.append(name)
        elif i < n and (s[i].isalpha() or s[i] == "_" or ord(s[i]) > 127):
            j = i
            while i < n and (s[i].isalnum() or s[i] in "_$" or ord(s[i]) > 127):
                i += 1
            parts.append("".join(c.lower() if "A" <= c <= "Z" else c for c in s[j:i]))
        else:
            return invalid
        while i < n and s[i].isspace():
            i += 1
        if i < n and s[i] == ".":
            i += 1
            continue
        if i >= n or not strict:
            break
        return invalid
    return parts


def substring_regex(call: Call) -> str | None:
    """substring(text FROM 'regex') / substring(text, 'regex'): with a text pattern, PostgreSQL
    matches a regular expression; None (no match) where DuckDB's regexp_extract would give ''."""
    parts = call.tk.split(
        call.open + 1, call.close, frozenset({TokenType.COMMA, TokenType.FROM, TokenType.FOR})
    )
    if len(parts) != 2:
        return None
    (lo, hi, _), (plo, phi, sep) = parts
    pattern = call.tk.string(plo) if phi == plo + 1 else None
    if pattern is None or sep not in (TokenType.FROM, TokenType.COMMA):
        return None
    group = 1 if _capturing_groups(pattern) else 0
    value = render_range(call.tk, lo, hi)
    return f"regexp_extract_all(({value}), {call.tk.src(plo)}, {group})[1]"


def substring(call: Call) -> str | None:
    """substring(): a regular expression's match (substring_regex), or characters by position
    as PostgreSQL counts them (pg_strings.substring_positions)."""
    regex = substring_regex(call)
    if regex is not None:
        return regex
    parts = call.tk.split(
        call.open + 1, call.close, frozenset({TokenType.COMMA, TokenType.FROM, TokenType.FOR})
    )
    seps = [sep for _, _, sep in parts[1:]]
    bytea = pg_builtins.bytea_substring(call, parts)
    if bytea is not None:
        return bytea
    if seps not in (
        [TokenType.COMMA],
        [TokenType.COMMA] * 2,
        [TokenType.FROM],
        [TokenType.FROM, TokenType.FOR],
    ):
        return None
    if call.tk.string(parts[1][0]) is not None and parts[1][1] == parts[1][0] + 1:
        return None  # a text pattern
    args = [render_range(call.tk, lo, hi) for lo, hi, _ in parts]
    return pg_strings.substring_positions(call, args[0], args[1], args[2] if len(args) == 3 else None)


def _capturing_groups(pattern: str) -> int:
    """How many capturing groups a regular expression has ((?:...) and [(] excepted)."""
    n, i, in_class = 0, 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif c == "(" and pattern[i + 1 : i + 2] != "?":
            n += 1
        i += 1
    return n


# pg_typeof's answers: PostgreSQL's name of the type each DuckDB type is sent as.
_PG_TYPE_NAMES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric",
    "UHUGEINT": "numeric",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "BLOB": "bytea",
    "DATE": "date",
    "TIME": "time without time zone",
    "TIME WITH TIME ZONE": "time with time zone",
    "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "json",
    "JSONB": "jsonb",  # (engine.declared.jsonb_typeof: typeof of a jsonb column)
    '"NULL"': "unknown",
}


def pg_typeof(call: Call) -> str | None:
    """pg_typeof(x): PostgreSQL's type names (DuckDB's typeof says DOUBLE, HUGEINT). DuckDB's
    JSON is json, or jsonb where x shows it (a cast to jsonb, a jsonb function: a column's
    declared jsonb is not seen here)."""
    if len(call.args) != 1:
        return None
    t = f"typeof({call.args[0]})"
    type_names = _PG_TYPE_NAMES
    if jsonb.shows_jsonb(call.args[0]):
        type_names = {**_PG_TYPE_NAMES, "JSON": "jsonb"}
    names = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in type_names.items())
    element = f"regexp_replace({t}, '(\\[\\d*\\])+$', '')"
    dims = f"repeat('[]', (length({t}) - length({element})) // 2)"
    scalar = (
        f"coalesce(MAP {{{names}}}[{element}], CASE WHEN {element} LIKE 'DECIMAL%' THEN 'numeric' "
        f"WHEN {element} LIKE 'STRUCT%' OR {element} LIKE 'TUPLE%' THEN 'record' ELSE lower({element}) END)"
    )
    return f"({scalar} || {dims})"


def octet_length(call: Call) -> str | None:
    """octet_length(x): the bytes of text in UTF-8, of bytea, of a bit string. DuckDB has it for
    BLOB and BIT only, and a string is both to its binder (ambiguous); strlen counts a VARCHAR's
    bytes. typeof() is a constant, so DuckDB keeps the one branch that applies."""
    if len(call.args) != 1:
        return None
    x = f"({call.args[0]})"
    return (  # PostgreSQL's result is an integer
        f"CAST(CASE WHEN typeof({x}) = 'BLOB' THEN octet_length(TRY_CAST({x} AS BLOB)) "
        f"WHEN typeof({x}) = 'BIT' THEN octet_length(TRY_CAST({x} AS BIT)) "
        f"ELSE strlen(CAST({x} AS {OUTPUT_TEXT})) END AS INTEGER)"  # (a char(n)'s blanks count)
    )


_REGCLASS_LITERAL = re.compile(r"^\s*('(?:[^']|'')*')\s*::\s*(?:pg_catalog\s*\.\s*)?regclass\s*$", re.I)


_PUBLIC_LITERAL = re.compile(r"^'public\.", re.I)


def sequence_call(call: Call) -> str | None:
    """nextval('s'::regclass) (pg_dump's and psql's spelling of a serial's default): the sequence
    by its name, as DuckDB (and the sandbox's check of the argument) takes it; 'public.s' is
    DuckDB's main.s (pg_dump's setval('public.s', n, true))."""
    m = _REGCLASS_LITERAL.match(call.args[0]) if call.args else None
    first = m.group(1) if m is not None else call.args[0].strip() if call.args else ""
    named = _PUBLIC_LITERAL.sub("'main.", first)
    if m is None and named == first:
        return None
    return f"{call.name}({', '.join([named, *call.args[1:]])})"


TRANSLATORS: dict[str, Callable[[Call], str | tuple[str, int] | None]] = {
    "nextval": sequence_call,
    "currval": sequence_call,
    "setval": sequence_call,
    "octet_length": octet_length,
    "pg_typeof": pg_typeof,
    "to_char": to_char,
    "format": format_,
    "parse_ident": parse_ident,
    "substring": substring,
    "substr": pg_strings.substr,
    "concat": pg_strings.concat,
    "concat_ws": pg_strings.concat_ws,
    "split_part": pg_strings.split_part,
    "to_hex": pg_strings.to_hex,
    "chr": pg_strings.chr_,
    "decode": pg_strings.decode,
    "sha256": pg_strings.sha256,
    "quote_literal": pg_strings.quote_literal,
    "array_length": pg_strings.array_length,
    **dict.fromkeys(
        (
            "length",
            "char_length",
            "character_length",
            "bit_length",
            "strpos",
            "position",
            "json_array_length",
            "grouping",
        ),
        pg_strings.integer_result,
    ),
    "array_upper": pg_strings.array_upper,
    "cardinality": pg_strings.cardinality,
    "upper": pg_strings.upper,
    "regexp_matches": pg_strings.regexp_matches,
    "extract": pg_dates.extract,
    "date_trunc": pg_dates.date_trunc,
    **pg_builtins.TRANSLATORS,
}


# ---------------------------------------------------------------- scalar functions in FROM


@lru_cache(maxsize=1)
def scalar_functions() -> frozenset[str]:
    """DuckDB's scalar functions that are not also table functions, and the ones translated
    here: in FROM, PostgreSQL gives one row of their value."""
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT function_name, list(DISTINCT function_type) FROM duckdb_functions() GROUP BY ALL"
        ).fetchall()
    scalar = {name.lower() for name, kinds in rows if set(kinds) <= {"scalar", "macro"}}
    return frozenset((scalar | set(TRANSLATORS)) - _SET_RETURNING)


def _query_from(tk: Tokens, p: int) -> bool:
    """Whether the FROM, JOIN or LATERAL at p starts a query's table list (not the FROM of
    EXTRACT(x FROM y), substring(x FROM y) or IS DISTINCT FROM)."""
    if tk.tt(p) != TokenType.FROM:
        return True
    if tk.word(p - 1) == "distinct":
        return False
    return p == 0 or tk.tt(p - 1) == TokenType.L_PAREN or tk.clause_index(p) is not None


def _in_from(tk: Tokens, i: int) -> bool:
    """Whether a table reference starting at token i stands in a query's FROM clause."""
    prev = tk.tt(i - 1)
    if prev in _FROM_CONTEXT:
        return _query_from(tk, i - 1)
    if prev != TokenType.COMMA:
        return False
    k = tk.clause_index(i - 1)
    if k is None or tk.tt(k) not in (*_FROM_CONTEXT, TokenType.ON):
        return False
    return _query_from(tk, k)


def scalar_in_from(call: Call, sql: str) -> tuple[int, str] | None:
    """`FROM f(...) [AS] s [(c)]` for a scalar f: `(SELECT f(...)) AS s(s)`, the one row PostgreSQL
    gives, its column named by the alias (or by the function, without one)."""
    tk = call.tk
    if not _in_from(tk, call.first) or call.name not in scalar_functions():
        return None
    k = call.close + 1
    if tk.word(k) == "with" and tk.word(k + 1) == "ordinality":
        return None
    if tk.tt(k) == TokenType.ALIAS:
        k += 1
    if tk.tt(k) in NAMES:
        alias = tk.src(k)
        if tk.tt(k + 1) == TokenType.L_PAREN and k + 1 in tk.match:
            close = tk.match[k + 1]
            return close + 1, f"(SELECT {sql}) AS {alias}{tk.text[tk.start(k + 1) : tk.end(close)]}"
        return k + 1, f"(SELECT {sql}) AS {alias}({alias})"
    if tk.tt(call.close + 1) == TokenType.ALIAS:
        return None
    return call.close + 1, f"(SELECT {sql}) AS {quote(call.name)}({quote(call.name)})"


# ---------------------------------------------------------------- rendering


def _call_at(tk: Tokens, i: int, hi: int) -> tuple[str, int, int, int] | None:
    """(name, first token, name token, open parenthesis) of a function call starting at token i."""
    if tk.tt(i - 1) == TokenType.DOT:
        return None
    f = i + 2 if tk.word(i) == "pg_catalog" and tk.tt(i + 1) == TokenType.DOT else i
    name = tk.word(f)
    if name is None or tk.tt(f + 1) != TokenType.L_PAREN or (tk.closing(f + 1) or hi) >= hi:
        return None
    if tk.word(i - 1) in _DEFINING:
        return None
    return name, i, f, f + 1


def _construct(tk: Tokens, i: int, hi: int) -> tuple[int, str] | None:
    """(index after it, replacement) when a call to translate, or a scalar call in FROM, starts at i."""
    found = _call_at(tk, i, hi)
    if found is None:
        return None
    name, first, f, open_ = found
    translate = TRANSLATORS.get(name)
    if translate is None and not (_in_from(tk, first) and name in scalar_functions()):
        return None
    close = tk.match[open_]
    ranges = [(lo, end) for lo, end, _ in tk.split(open_ + 1, close, frozenset({TokenType.COMMA}))]
    if ranges == [(open_ + 1, close)] and close == open_ + 1:
        ranges = []
    call = Call(tk, name, first, open_, close, [render_range(tk, lo, end) for lo, end in ranges], ranges)
    sql = translate(call) if translate is not None else None
    if isinstance(sql, tuple):  # (SQL, its last token): the translation took in what follows the call
        return sql[1] + 1, sql[0]
    if sql is None:
        sql = tk.text[tk.start(first) : tk.end(open_)] + render_range(tk, open_ + 1, close) + ")"
    wrapped = scalar_in_from(call, sql)
    if wrapped is not None:
        return wrapped
    return close + 1, sql


def render_range(tk: Tokens, lo: int, hi: int) -> str:
    """Tokens lo..hi-1 with their calls translated and the text between tokens kept."""
    return tk.render_with(lo, hi, lambda i, h: _construct(tk, i, h))


def _worth_a_look(toks: list[Token] | tuple[Token, ...]) -> bool:
    """Whether a statement calls a function translated here, or calls a function right after
    FROM, JOIN, LATERAL or a comma (most statements do neither)."""
    for k in range(1, len(toks)):
        if toks[k].token_type != TokenType.L_PAREN:
            continue
        name = toks[k - 1].text.lower()
        if name in TRANSLATORS:
            return True
        first = k - 3 if k >= 3 and toks[k - 2].token_type == TokenType.DOT else k - 1
        in_from = first > 0 and toks[first - 1].token_type in (*_FROM_CONTEXT, TokenType.COMMA)
        if in_from and name in scalar_functions():
            return True
    return False


def translate(text: str, toks: list[Token] | tuple[Token, ...]) -> str:
    """The statement with its PostgreSQL function calls in DuckDB terms (text itself when none)."""
    if not toks or not _worth_a_look(toks):
        return text
    tk = Tokens(text, toks)
    return render_range(tk, 0, tk.n)
