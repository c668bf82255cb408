"""PostgreSQL constructs DuckDB cannot parse or answers differently, rewritten for the catalog
queries clients send (psql's backslash commands, tab completion, drivers' metadata queries).

Each rewrite has the signature of pgcompat.rewrite: (text, tokens, base) -> [(start, end, replacement)].

`pg_catalog_shim` replaces, token by token:
- catalog relations (`pg_catalog.pg_class`, or a bare `pg_class` after FROM/JOIN) with the SELECT
  that computes them from DuckDB's catalog (pgcompat/shim/relations.py). In a SELECT (or WITH) the
  SELECTs go in a WITH clause put in front, one entry each however often the statement reads them
  (DuckDB plans an entry once); anywhere else (COPY (...), EXPLAIN, CREATE VIEW) they are inline;
- catalog functions (`pg_get_userbyid(...)`, `format_type(...)`, `version()`, ...) and keywords
  (`current_user`, ...) with equivalent DuckDB expressions (pgcompat/shim/functions.py);
- `x::regclass` / `::regtype` / `::regproc` / `::regnamespace` / `::regrole` casts: a literal
  becomes an oid, anything else the object's name;
- `OPERATOR(pg_catalog.~)` with `~`; `COLLATE pg_catalog.default` (and "C", "POSIX") with nothing;
- the `pg_catalog.` qualifier of everything else (types, functions DuckDB has by that name);
- types DuckDB lacks (`name`, `xid`, `oidvector`, ...) in casts;
- `LIKE 'a\\_b'`: PostgreSQL's default escape character is a backslash, DuckDB has none;
- `FROM generate_series(...) g` / `unnest(...) u`: in PostgreSQL the alias also names the column;
- `information_schema.tables` and the other information_schema views with PostgreSQL's
  (pgcompat/shim/info_schema.py: schema `public`, PostgreSQL type names);
- set-returning catalog functions in FROM (`pg_show_all_settings()`, `pg_get_keywords()`);
- subscripts of int2vector/oidvector columns (`indkey[0]`), which start at 0, and their
  `generate_subscripts`;
- array literals in PostgreSQL's text form (`'{a,b}'::text[]`) as DuckDB lists.

`quoted_public_schema` reads `"public".t` as `main.t`.

Statements without any of these are left exactly as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from sqlglot.tokens import Token, TokenType

from pgcompat import shim
from pgcompat.tokens import CLOSE, ITEM_END, OPEN, Tokens

Edit = tuple[int, int, str]

_COMPARISONS = frozenset({TokenType.EQ, TokenType.NEQ})
_DIGITS = re.compile(r"^\s*[0-9]+\s*$")

# Names other rewrites in pgcompat/rewrite.py replace with their qualifier: left to them.
_NOT_MINE = frozenset({"pg_advisory_unlock_all"})
# Set-returning functions whose alias in FROM names their one column, as in PostgreSQL.
_SRF = frozenset({"unnest", "generate_series", "generate_subscripts", "regexp_split_to_table"})
_COLLATIONS = frozenset({"default", "c", "posix", "ucs_basic"})
_STRINGS = (TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.HEREDOC_STRING)
_FROM = (TokenType.FROM, TokenType.JOIN, TokenType.LATERAL)
_CLAUSES = frozenset(
    {
        TokenType.SELECT,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.HAVING,
        TokenType.ON,
        TokenType.USING,
        TokenType.VALUES,
        TokenType.LIMIT,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.WINDOW,
        TokenType.SET,
        TokenType.RETURNING,
        TokenType.INTO,
    }
)
# Token types a function name (before its parenthesis) may have.
_FUNC_NAME = frozenset(
    {TokenType.VAR, TokenType.IDENTIFIER, TokenType.ARRAY, TokenType.LEFT, TokenType.RIGHT, TokenType.REPLACE}
)
_ALIAS_NAME = (TokenType.VAR, TokenType.IDENTIFIER)
# Words after which a name is being defined (CREATE MACRO version() ...), not called.
_DEFINING = frozenset({"macro", "function", "procedure", "table", "view", "type", "sequence"})

# int2vector and oidvector columns of the catalogs (subscripts from 0), and the type of an element.
_VECTORS = {
    "indkey": "SMALLINT",
    "indoption": "SMALLINT",
    "indclass": "BIGINT",
    "indcollation": "BIGINT",
    "proargtypes": "BIGINT",
    "stxkeys": "SMALLINT",
    "partattrs": "SMALLINT",
    "partclass": "BIGINT",
    "partcollation": "BIGINT",
    "tgattr": "SMALLINT",
}

# Words whose presence makes a statement worth a closer look (most statements have none).
_TRIGGERS = frozenset(
    {"pg_catalog", "information_schema", "operator", "collate"}
    | set(shim.RELATIONS)
    | set(shim.TABLE_FUNCTIONS)
    | set(shim.FUNCTIONS)
    | set(shim.KEYWORDS)
    | _SRF
)
_TYPEWORDS = frozenset(shim.TYPE_MAP) | frozenset(shim.REG_CASTS)


def _worth_a_look(text: str, toks: Sequence[Token], base: int) -> bool:
    for i, t in enumerate(toks):
        if t.text.lower() in _TRIGGERS:
            return True
        if i + 1 == len(toks):
            break
        nxt = toks[i + 1]
        if t.token_type in (TokenType.DCOLON, TokenType.ALIAS) and nxt.text.lower() in _TYPEWORDS:
            return True
        if (
            t.token_type in (TokenType.LIKE, TokenType.ILIKE)
            and "\\" in text[nxt.start - base : nxt.end - base + 1]
        ):
            return True
        if (
            t.token_type == TokenType.STRING
            and t.text.startswith("{")
            and (
                nxt.token_type == TokenType.DCOLON
                or (
                    nxt.token_type == TokenType.R_PAREN
                    and i + 2 < len(toks)
                    and toks[i + 2].token_type == TokenType.DCOLON
                )
            )
        ):
            return True
    return False


class _ArrayText:
    """PostgreSQL's text form of an array ('{a,"b c",NULL}', '{{1,2},{3,4}}') read into Python
    lists (None for NULL); ValueError when the text is not one, or its sub-arrays' dimensions do
    not match (PostgreSQL's 22P02 then stands)."""

    def __init__(self, text: str) -> None:
        self.s, self.i = text, 0

    def parse(self) -> list:
        value = self._array()
        self._space()
        if self.i != len(self.s):
            raise ValueError("junk after array")
        _shape_of(value)
        return value

    def _space(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def _array(self) -> list:
        self._space()
        if self.s[self.i : self.i + 1] != "{":
            raise ValueError("no array")
        self.i += 1
        out: list[str | None] = []
        self._space()
        if self.s[self.i : self.i + 1] == "}":
            self.i += 1
            return out
        while True:
            out.append(self._element())
            self._space()
            c = self.s[self.i : self.i + 1]
            self.i += 1
            if c == "}":
                return out
            if c != ",":
                raise ValueError("bad array")

    def _element(self) -> str | list | None:
        self._space()
        c = self.s[self.i : self.i + 1]
        if c == "{":
            return self._array()
        if c == '"':
            return self._quoted()
        start = self.i
        while self.i < len(self.s) and self.s[self.i] not in ',}{"':
            self.i += 1
        word = self.s[start : self.i].strip()
        if not word:
            raise ValueError("empty element")
        return None if word.upper() == "NULL" else word

    def _quoted(self) -> str:
        self.i += 1
        out: list[str] = []
        while self.i < len(self.s):
            c = self.s[self.i]
            self.i += 1
            if c == "\\" and self.i < len(self.s):
                out.append(self.s[self.i])
                self.i += 1
            elif c == '"':
                return "".join(out)
            else:
                out.append(c)
        raise ValueError("unterminated quote")


def _shape_of(items: list) -> tuple[int, ...]:
    """The dimensions of a parsed array: its sub-arrays must all have the same (PostgreSQL's
    arrays are rectangular), ValueError otherwise."""
    if not any(isinstance(v, list) for v in items):
        return (len(items),)
    if not all(isinstance(v, list) for v in items):
        raise ValueError("elements and sub-arrays mixed")
    shapes = {_shape_of(v) for v in items}
    if len(shapes) != 1:
        raise ValueError("sub-arrays of different dimensions")
    return (len(items), *shapes.pop())


def _list_literal(items: list) -> str:
    """A DuckDB list of string literals (DuckDB casts it to the array type the client named)."""
    return (
        "["
        + ", ".join(
            "NULL"
            if v is None
            else _list_literal(v)
            if isinstance(v, list)
            else "'" + v.replace("'", "''") + "'"
            for v in items
        )
        + "]"
    )


class _Statement(Tokens):
    """One statement's tokens, with what the rewrite needs to know about their structure."""

    def __init__(self, text: str, toks: Sequence[Token], base: int) -> None:
        super().__init__(text, toks, base)
        # operand start -> [(index of '::', index after the type, type name)] for reg* casts
        self.casts: dict[int, list[tuple[int, int, str]]] = {}
        self.srf_alias: set[int] = set()
        # alias (or name) of each catalog relation read -> that catalog's oid, for alias.tableoid
        self.catalogs: dict[str, int] = {}
        # The catalog SELECTs a query reads go in a WITH clause, each once however often it is read
        # (DuckDB plans a WITH entry once); other statements get them inline.
        self.used: set[str] | None = (
            set() if toks[0].token_type in (TokenType.SELECT, TokenType.WITH) else None
        )
        # whether a string literal names a system catalog: pg_class then lists the catalogs too
        self.names_catalog = False
        for i, t in enumerate(toks):
            if t.token_type in _STRINGS and t.text.lower() in shim.CATALOG_OIDS:
                self.names_catalog = True
            if t.token_type == TokenType.DCOLON:
                self._note_cast(i)
            elif t.token_type == TokenType.L_PAREN and i > 0 and self.name(i - 1) in _SRF:
                self._note_srf(i)
            elif self.name(i) in shim.CATALOG_OIDS and (
                self.tt(i - 1) == TokenType.DOT and self.name(i - 2) == "pg_catalog" or self.in_from(i)
            ):
                self._note_catalog(i)

    # ------------------------------------------------------------ tokens (tt, src, name: Tokens)

    def qualified(self, i: int, schema: str = "pg_catalog") -> int | None:
        """Index of the object name when tokens at i read `pg_catalog . name` (or another schema)."""
        if (
            self.name(i) == schema
            and self.tt(i + 1) == TokenType.DOT
            and i + 2 < self.n
            and self.tt(i - 1) != TokenType.DOT
        ):
            return i + 2
        return None

    def clause_of(self, i: int) -> TokenType | None:
        """The clause keyword (FROM, SELECT, WHERE, ...) token i belongs to at its nesting level;
        JOIN counts as FROM."""
        k = self.back_at_level(i, lambda _, t: t in _FROM or t in _CLAUSES)
        if k is None:
            return None
        t = self.toks[k].token_type
        return TokenType.FROM if t in _FROM else t

    def in_from(self, i: int) -> bool:
        """Whether a table reference starting at token i stands in a FROM clause."""
        p = self.tt(i - 1)
        if p in _FROM:
            return True
        return p == TokenType.COMMA and self.clause_of(i - 1) == TokenType.FROM

    def select_item(self, lo: int, hi: int) -> bool:
        """Whether tokens lo..hi-1 are a whole select-list item without an alias."""
        before = self.tt(lo - 1)
        if before == TokenType.SELECT or before == TokenType.DISTINCT:
            pass
        elif before != TokenType.COMMA or self.clause_of(lo - 1) != TokenType.SELECT:
            return False
        return hi >= self.n or self.tt(hi) in ITEM_END

    # ------------------------------------------------------------ structure

    def _operand_start(self, d: int) -> int | None:
        """First token of the primary expression a '::' at d casts."""
        p = d - 1
        t = self.tt(p)
        if t is None:
            return None
        if t in CLOSE:
            if p not in self.match:
                return None
            p = self.match[p]
            # a function's name, or the list an index expression reads
            if self.tt(p - 1) in _FUNC_NAME or (
                self.tt(p) == TokenType.L_BRACKET and self.name(p - 1) is not None
            ):
                p -= 1
            else:
                return p
        elif t == TokenType.NUMBER and self.tt(p - 1) == TokenType.PARAMETER:
            return p - 1
        elif t not in _STRINGS and t != TokenType.NUMBER and self.name(p) is None:
            return None
        while self.tt(p - 1) == TokenType.DOT and self.name(p - 2) is not None:
            p -= 2
        return p

    def _note_cast(self, d: int) -> None:
        t = d + 1
        if self.qualified(t) is not None:
            t += 2
        kind = self.name(t)
        if kind not in shim.REG_CASTS or self.tt(t + 1) == TokenType.L_BRACKET:
            return
        s = self._operand_start(d)
        if s is not None:
            self.casts.setdefault(s, []).append((d, t + 1, kind))

    def _note_srf(self, p: int) -> None:
        f = p - 1
        start = f - 2 if self.tt(f - 1) == TokenType.DOT and self.name(f - 2) == "pg_catalog" else f
        if self.tt(f - 1) == TokenType.DOT and start == f or not self.in_from(start) or p not in self.match:
            return
        k = self.match[p] + 1
        if self.tt(k) == TokenType.ALIAS:
            k += 1
        if self.tt(k) in _ALIAS_NAME and self.tt(k + 1) != TokenType.L_PAREN:
            self.srf_alias.add(k)

    def _note_catalog(self, r: int) -> None:
        name = self.name(r) or ""
        k = r + 1
        if self.tt(k) == TokenType.ALIAS:
            k += 1
        alias = self.name(k) if self.tt(k) in _ALIAS_NAME else name
        self.catalogs[alias or name] = shim.CATALOG_OIDS[name]

    def args(self, open_: int) -> list[tuple[int, int]]:
        """Token ranges of the top-level comma-separated arguments in the parentheses at open_."""
        close = self.match[open_]
        if close == open_ + 1:
            return []
        out, lo, k = [], open_ + 1, open_ + 1
        while k < close:
            t = self.toks[k].token_type
            if t in OPEN and k in self.match:
                k = self.match[k] + 1
                continue
            if t == TokenType.COMMA:
                out.append((lo, k))
                lo = k + 1
            k += 1
        out.append((lo, close))
        return out

    # ------------------------------------------------------------ rewriting

    def render(self, lo: int, hi: int) -> str:
        """Tokens lo..hi-1 as DuckDB should read them, with the text between them kept."""
        return self.render_with(lo, hi, self.transform)

    def _named(self, lo: int, hi: int, sql: str, name: str) -> str:
        if self.select_item(lo, hi):
            return f'{sql} AS "{name}"'
        return sql

    def transform(self, i: int, hi: int) -> tuple[int, str] | None:
        """(index after the construct, replacement) when a construct to rewrite starts at token i
        (and ends before hi). The first kind that matches wins; later ones are not tried."""
        for kind in (
            self._reg_cast,
            self._cast_call,
            self._vector_item,
            self._vector_shown,
            self._vector_subscripts,
            self._function,
        ):
            r = kind(i, hi)
            if r is not None:
                return r
        for simple in (
            self._keyword,
            self._tableoid,
            self._table_function,
            self._relation,
            self._info_schema,
            self._operator,
            self._collate,
            self._type,
            self._like,
            self._array_literal,
            self._srf,
            self._qualifier,
        ):
            r = simple(i)
            if r is not None:
                return r
        return None

    def _reg_cast(self, i: int, hi: int) -> tuple[int, str] | None:
        cands = [c for c in self.casts.get(i, ()) if c[1] <= hi]
        if not cands:
            return None
        d, after, kind = max(cands)
        return after, shim.expand(self._reg(i, d, after, kind), self.used)

    def _reg(self, lo: int, d: int, after: int, kind: str) -> str:
        to_oid, to_name = shim.REG_CASTS[kind]
        literal = (d - lo == 1 and self.tt(lo) in _STRINGS) or (
            d - lo == 2 and self.tt(lo) == TokenType.PARAMETER
        )
        operand = self.render(lo, d)
        if literal:
            # 't'::regclass as a result column (or cast to text): PostgreSQL prints the name
            # (regclass_out); elsewhere it is compared as the oid.
            shown = (
                self.tt(after) == TokenType.DCOLON and self.name(after + 1) in ("text", "varchar", "name")
            ) or self._shown_item(lo, after)
            oid = f"({to_oid(operand)})"
            value = shim.string_value(self.src(lo))
            if value is not None:
                cat = value.lower().removeprefix("pg_catalog.")
                if _DIGITS.match(value):
                    oid = f"CAST({operand} AS BIGINT)"
                elif kind == "regclass" and cat in shim.CATALOG_OIDS:
                    if shown:
                        return self._named(lo, after, shim.lit(cat), kind)
                    return f"CAST({shim.CATALOG_OIDS[cat]} AS BIGINT)"
            return self._named(lo, after, f"({to_name(oid)})", kind) if shown else oid
        last = next((self.name(k) for k in range(d - 1, lo - 1, -1) if self.name(k)), kind)
        # A name (relname::regclass, Metabase) or an oid: what the operand's type says. Compared
        # with = or <> it is the object's oid (c.oid = (s || '.' || t)::regclass), as in PostgreSQL;
        # anywhere else its name (regclass_out: shown, concatenated, formatted).
        oid = f"(CASE WHEN typeof({operand}) = 'VARCHAR' THEN {to_oid(operand)} ELSE TRY_CAST({operand} AS BIGINT) END)"
        if self.tt(lo - 1) in _COMPARISONS or self.tt(after) in _COMPARISONS:
            return oid
        return self._named(lo, after, f"({to_name(oid)})", last or kind)

    def _shown_item(self, lo: int, hi: int) -> bool:
        """Whether tokens lo..hi-1 are a whole select-list item (aliased or not)."""
        if self.tt(hi) == TokenType.ALIAS or (
            self.tt(hi) in _ALIAS_NAME and hi + 1 < self.n and self.tt(hi + 1) in ITEM_END
        ):
            before = self.tt(lo - 1)
            return before in (TokenType.SELECT, TokenType.DISTINCT) or (
                before == TokenType.COMMA and self.clause_of(lo - 1) == TokenType.SELECT
            )
        return self.select_item(lo, hi)

    def _cast_call(self, i: int, hi: int) -> tuple[int, str] | None:
        """CAST(x AS regclass) and friends."""
        if self.name(i) != "cast" or self.tt(i + 1) != TokenType.L_PAREN or i + 1 not in self.match:
            return None
        close = self.match[i + 1]
        if close >= hi:
            return None
        a = next(
            (
                k
                for k in range(close - 1, i + 1, -1)
                if self.tt(k) == TokenType.ALIAS and self._depth_ok(k, i + 1)
            ),
            None,
        )
        if a is None:
            return None
        t = a + 1
        if self.qualified(t) is not None:
            t += 2
        kind = self.name(t)
        if kind not in shim.REG_CASTS or t + 1 != close:
            return None
        return close + 1, shim.expand(self._reg(i + 2, a, close + 1, kind), self.used)

    def _depth_ok(self, k: int, open_: int) -> bool:
        """Whether token k sits directly inside the parentheses opened at open_."""
        j = open_ + 1
        while j < k:
            if self.tt(j) in OPEN and j in self.match:
                j = self.match[j] + 1
                continue
            j += 1
        return j == k

    def _vector_subscripts(self, i: int, hi: int) -> tuple[int, str] | None:
        """generate_subscripts(indkey, 1) outside FROM: an int2vector's subscripts start at 0
        (SQLAlchemy passes them on to pg_get_indexdef(..., ord + 1))."""
        f = self.qualified(i) or i
        if self.name(f) != "generate_subscripts" or self.tt(i - 1) == TokenType.DOT or self.in_from(i):
            return None
        if self.tt(f + 1) != TokenType.L_PAREN or f + 1 not in self.match or self.match[f + 1] >= hi:
            return None
        args = self.args(f + 1)
        if len(args) != 2 or not any((self.name(args[0][1] - 1) or "").endswith(col) for col in _VECTORS):
            return None
        close = self.match[f + 1]
        sql = f"(generate_subscripts({self.render(args[0][0], args[0][1])}, {self.render(args[1][0], args[1][1])}) - 1)"
        return close + 1, self._named(i, close + 1, sql, "generate_subscripts")

    def _function(self, i: int, hi: int) -> tuple[int, str] | None:
        f = self.qualified(i)
        if f is None:
            if self.tt(i - 1) == TokenType.DOT:
                return None
            f = i
        name = self.name(f)
        tmpl = shim.FUNCTIONS.get(name or "")
        if tmpl is None or self.tt(f + 1) != TokenType.L_PAREN or f + 1 not in self.match:
            return None
        if self.name(i - 1) in _DEFINING:
            return None
        close = self.match[f + 1]
        if close >= hi:
            return None
        sql = tmpl([self.render(lo, end) for lo, end in self.args(f + 1)])
        if sql is None:
            return None
        return close + 1, self._named(i, close + 1, shim.expand(sql, self.used), name or "")

    def _keyword(self, i: int) -> tuple[int, str] | None:
        name = self.name(i)
        if name not in shim.KEYWORDS or self.src(i).startswith('"'):
            return None
        if self.tt(i - 1) in (TokenType.DOT, TokenType.ALIAS) or self.tt(i + 1) in (
            TokenType.L_PAREN,
            TokenType.DOT,
        ):
            return None
        return i + 1, self._named(i, i + 1, f"({shim.KEYWORDS[name]})", name)

    def _tableoid(self, i: int) -> tuple[int, str] | None:
        """alias.tableoid of a catalog relation (a system column in PostgreSQL): that catalog's oid;
        a bare tableoid too when the statement reads one catalog only (pg_dump's queries)."""
        if (
            self.name(i) == "tableoid"
            and not self.src(i).startswith('"')
            and self.tt(i - 1) not in (TokenType.DOT, TokenType.ALIAS)
            and self.tt(i + 1) not in (TokenType.DOT, TokenType.L_PAREN)
        ):
            oid = self._from_catalog(i)
            if oid is not None:
                return i + 1, self._named(i, i + 1, f"CAST({oid} AS BIGINT)", "tableoid")
        if (
            self.tt(i + 1) != TokenType.DOT
            or self.name(i + 2) != "tableoid"
            or self.tt(i - 1) == TokenType.DOT
        ):
            return None
        oid = self.catalogs.get(self.name(i) or "")
        return None if oid is None else (i + 3, f"CAST({oid} AS BIGINT)")

    def _from_catalog(self, i: int) -> int | None:
        """The oid of the catalog the FROM of token i's own query level reads first, if any."""
        k = i + 1
        while k < self.n:
            t = self.tt(k)
            if t in OPEN and k in self.match:
                k = self.match[k] + 1
                continue
            if t in CLOSE:
                return None
            if t == TokenType.FROM:
                r = self.qualified(k + 1)
                return shim.CATALOG_OIDS.get(self.name(r if r is not None else k + 1) or "")
            k += 1
        return None

    def _relation(self, i: int) -> tuple[int, str] | None:
        r = self.qualified(i)
        if r is None:
            if self.tt(i - 1) == TokenType.DOT or not self.in_from(i):
                return None
            r = i
        name = self.name(r) or ""
        if name not in shim.RELATIONS or self.tt(r + 1) in (TokenType.L_PAREN, TokenType.DOT):
            return None
        block = shim.SYS_CLASS_BLOCK if name == "pg_class" and self.names_catalog else name
        return r + 1, self._shim_relation(r + 1, block, name)

    def _shim_relation(self, after: int, block: str, name: str) -> str:
        """The SELECT of a shim block standing for a relation the client named, aliased by its name
        unless the client gave it an alias."""
        aliased = self.tt(after) in (TokenType.ALIAS, *_ALIAS_NAME)
        return shim.expand(shim.ref(block), self.used) + ("" if aliased else f' AS "{name}"')

    def _info_schema(self, i: int) -> tuple[int, str] | None:
        """information_schema.tables and friends: PostgreSQL's, where DuckDB's own say `main`."""
        r = self.qualified(i, "information_schema")
        if r is None:
            return None
        name = self.name(r) or ""
        if name not in shim.INFO_RELATIONS or self.tt(r + 1) in (TokenType.L_PAREN, TokenType.DOT):
            return None
        return r + 1, self._shim_relation(r + 1, shim.info_block(name), name)

    def _table_function(self, i: int) -> tuple[int, str] | None:
        """pg_show_all_settings(), pg_get_keywords(): set-returning catalog functions in FROM."""
        f = self.qualified(i)
        if f is None:
            if self.tt(i - 1) == TokenType.DOT or not self.in_from(i):
                return None
            f = i
        tmpl = shim.TABLE_FUNCTION_TEMPLATES.get(self.name(f) or "")
        if tmpl is not None and self.tt(f + 1) == TokenType.L_PAREN and f + 1 in self.match:
            close = self.match[f + 1]
            sql = tmpl([self.render(lo, end) for lo, end in self.args(f + 1)])
            if sql is None:
                return None
            aliased = self.tt(close + 1) in (TokenType.ALIAS, *_ALIAS_NAME)
            return close + 1, f"({sql})" + ("" if aliased else f' AS "{self.name(f)}"')
        block = shim.TABLE_FUNCTIONS.get(self.name(f) or "")
        if block is None or self.tt(f + 1) != TokenType.L_PAREN or self.tt(f + 2) != TokenType.R_PAREN:
            return None
        return f + 3, self._shim_relation(f + 3, block, self.name(f) or block)

    def _vector_shown(self, i: int, hi: int) -> tuple[int, str] | None:
        """[alias.]indkey as a select-list item: an int2vector / oidvector prints its elements
        separated by spaces (`1 2`), which pg_dump parses; the shim's lists would print {1,2}
        (indoption is such a string already)."""
        n = i + 2 if self.tt(i + 1) == TokenType.DOT and self.tt(i - 1) != TokenType.DOT else i
        name = self.name(n) or ""
        if name not in _VECTORS or name == "indoption" or self.src(n).startswith('"') or n + 1 > hi:
            return None
        before = self.tt(i - 1)
        if not (
            before in (TokenType.SELECT, TokenType.DISTINCT)
            or (before == TokenType.COMMA and self.clause_of(i - 1) == TokenType.SELECT)
        ):
            return None
        if not (n + 1 >= self.n or self.tt(n + 1) in ITEM_END or self.tt(n + 1) == TokenType.ALIAS):
            return None
        sql = f"array_to_string({self.text[self.start(i) : self.end(n)]}, ' ')"
        aliased = self.tt(n + 1) == TokenType.ALIAS
        return n + 1, sql if aliased else f'{sql} AS "{name}"'

    def _vector_item(self, i: int, hi: int) -> tuple[int, str] | None:
        """indkey[0]: int2vector and oidvector subscripts start at 0 (the shim's lists at 1). Aliases
        ending in the column's name (pgjdbc's I_INDOPTION) count too; a list or a space-separated
        string (indoption, as SQLAlchemy reads it) both work."""
        if self.tt(i - 1) == TokenType.DOT or self.name(i) is None:
            return None
        n = i + 2 if self.tt(i + 1) == TokenType.DOT else i
        name = self.name(n) or ""
        kind = next((k for col, k in _VECTORS.items() if name.endswith(col)), None)
        o = n + 1
        if kind is None or self.tt(o) != TokenType.L_BRACKET or o not in self.match or self.match[o] >= hi:
            return None
        close = self.match[o]
        if any(self.tt(k) == TokenType.COLON for k in range(o + 1, close)):
            return None
        vec = self.render(i, o)
        idx = self.render(o + 1, close)
        items = f"regexp_extract_all(CAST(({vec}) AS VARCHAR), '-?[0-9]+')"
        return close + 1, self._named(i, close + 1, f"CAST({items}[({idx}) + 1] AS {kind})", name)

    def _operator(self, i: int) -> tuple[int, str] | None:
        if self.tt(i) != TokenType.OPERATOR or self.tt(i + 1) != TokenType.L_PAREN or i + 1 not in self.match:
            return None
        close = self.match[i + 1]
        k = close - 1
        while k > i + 1 and self.tt(k - 1) != TokenType.DOT:
            k -= 1
        op = "".join(self.src(j) for j in range(k, close))
        return close + 1, op

    def _collate(self, i: int) -> tuple[int, str] | None:
        if self.tt(i) != TokenType.COLLATE:
            return None
        c = self.qualified(i + 1)
        c = i + 1 if c is None else c
        if (self.name(c) or "").lower() in _COLLATIONS:
            return c + 1, ""
        if c != i + 1:
            return c + 1, "COLLATE " + self.src(c)
        return None

    def _type(self, i: int) -> tuple[int, str] | None:
        """::name, ::pg_catalog.text, CAST(x AS xid): types DuckDB lacks or qualified types."""
        t = self.tt(i)
        if t == TokenType.ALIAS:
            if not self._in_cast(i):
                return None
        elif t != TokenType.DCOLON:
            return None
        q = self.qualified(i + 1)
        k = i + 1 if q is None else q
        name = self.name(k)
        if name is None:
            return None
        lead = "::" if t == TokenType.DCOLON else "AS "
        if name == "jsonb":
            return None  # pgcompat.jsonb.jsonb_casts (a query) or pgcompat.rewrite.jsonb_type (DDL)
        if name in shim.TYPE_MAP and not self.src(k).startswith('"'):
            return k + 1, lead + shim.TYPE_MAP[name]
        if q is not None:
            return k + 1, lead + self.src(k)
        return None

    def _in_cast(self, i: int) -> bool:
        """Whether token i sits directly inside the parentheses of a CAST(...)."""
        return any(
            open_ < i < close
            and self.tt(open_) == TokenType.L_PAREN
            and self.name(open_ - 1) in ("cast", "try_cast")
            and self._depth_ok(i, open_)
            for open_, close in self.match.items()
        )

    def _like(self, i: int) -> tuple[int, str] | None:
        t = self.tt(i)
        if t not in (*_STRINGS, TokenType.BYTE_STRING) or i == 0:
            return None
        if self.src(i - 1).upper() not in ("LIKE", "ILIKE") or "\\" not in self.src(i):
            return None
        if self.tt(i + 1) == TokenType.ESCAPE:
            return None
        return i + 1, self.src(i) + " ESCAPE '\\'"

    def _array_literal(self, i: int) -> tuple[int, str] | None:
        """'{a,b}'::text[] (and ('{a,b}')::text[], as Django writes it): DuckDB reads no
        PostgreSQL array text, so the literal becomes a list."""
        if self.tt(i) != TokenType.STRING or not self.src(i).startswith("'"):
            return None
        cast = i + 1
        if self.tt(i + 1) == TokenType.R_PAREN and i > 0 and self.tt(i - 1) == TokenType.L_PAREN:
            cast = i + 2
        if self.tt(cast) != TokenType.DCOLON:
            return None
        t = self.qualified(cast + 1) or cast + 1
        if self.name(t) is None or self.tt(t + 1) != TokenType.L_BRACKET:
            return None
        value = shim.string_value(self.src(i))
        if value is None or not value.lstrip().startswith("{"):
            return None
        try:
            items = _ArrayText(value).parse()
        except ValueError:
            return None
        depth = len(_shape_of(items)) if items else 1
        if depth == 1:
            return i + 1, _list_literal(items)
        # a multi-dimensional array: DuckDB's type has one [] per dimension (int[] is int[][] here)
        last, pairs = t + 2, 1
        while self.tt(last + 1) == TokenType.L_BRACKET and self.tt(last + 2) == TokenType.R_BRACKET:
            last, pairs = last + 2, pairs + 1
        if self.tt(last) != TokenType.R_BRACKET:
            return None
        cast = self.text[self.end(i) : self.end(last)] + "[]" * max(depth - pairs, 0)
        return last + 1, _list_literal(items) + cast

    def _srf(self, i: int) -> tuple[int, str] | None:
        if i not in self.srf_alias:
            return None
        s = self.src(i)
        return i + 1, f"{s}({s})"

    def _qualifier(self, i: int) -> tuple[int, str] | None:
        k = self.qualified(i)
        if k is None or self.name(k) in _NOT_MINE or self.name(k) == "jsonb":
            return None  # (pg_catalog.jsonb: pgcompat.jsonb's and pgcompat.rewrite.jsonb_type's)
        return k, ""


def pg_catalog_shim(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """Catalog relations, functions, casts and operators of PostgreSQL, in DuckDB terms."""
    if not _worth_a_look(text, toks, base):
        return []
    st = _Statement(text, toks, base)
    edits: list[Edit] = []
    i = 0
    while i < st.n:
        r = st.transform(i, st.n)
        if r is None:
            i += 1
            continue
        j, s = r
        edits.append((st.start(i), st.end(j - 1), s))
        i = j
    if st.used:
        entries = shim.with_entries(st.used)
        if toks[0].token_type == TokenType.WITH:
            k = 1 if st.name(1) == "recursive" else 0
            edits.append((st.end(k), st.end(k), f" {entries},"))
        else:
            edits.append((0, 0, f"WITH {entries} "))
    return edits


def quoted_public_schema(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """A quoted "public".t is DuckDB's main.t, as public.t is (pgcompat.rewrite.public_schema):
    Metabase and Grafana quote every identifier."""
    edits: list[Edit] = []
    for i, t in enumerate(toks[:-2]):
        if (
            t.token_type == TokenType.IDENTIFIER
            and text[t.start - base : t.end - base + 1] == '"public"'
            and toks[i + 1].token_type == TokenType.DOT
            and (i == 0 or toks[i - 1].token_type != TokenType.DOT)
        ):
            edits.append((t.start - base, t.end - base + 1, "main"))
    return edits


REWRITES: list[Callable[[str, Sequence[Token], int], list[Edit]]] = [quoted_public_schema, pg_catalog_shim]
