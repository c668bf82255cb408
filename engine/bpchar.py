"""char(n) (bpchar) columns with PostgreSQL's semantics, over DuckDB's VARCHAR.

PostgreSQL keeps a char(n) value blank-padded to n and sends it so ('ab  '), but its trailing
blanks are insignificant: comparisons between bpchar values ignore them, and so do length(), the
cast to text, || and every text function. DuckDB has no such type, so DuckCDB keeps a char(n)
column's values without their trailing blanks (what all those operations see in PostgreSQL):

- writes strip them (INSERT ... VALUES, UPDATE ... SET, ON CONFLICT DO UPDATE SET, also
  SET (a, b) = (...) / ROW(...), MERGE's UPDATE SET and INSERT VALUES: `rtrim` around the values
  written into char(n) columns; COPY FROM: engine.copy; a literal DEFAULT: pgcompat.lengths);
- a result column that is the column itself is sent padded to n (engine.codec: the declared
  type bpchar(n) that engine.declared finds for a SELECT or COPY TO, `returning` below for
  INSERT / UPDATE / DELETE ... RETURNING);
- a comparison of the column with a literal ('..', E'..', $$..$$), a parameter (unless the
  client declared it text: PostgreSQL then compares as text) or a varchar(n) column (on either
  side, in an IN list, as the one column of a subquery) compares with the other side's trailing
  blanks removed (=, <>, <, <=, >, >=, [NOT] IN (...), [NOT] BETWEEN, IS [NOT] DISTINCT FROM,
  ANY / ALL (SELECT ...), row comparisons field by field), as PostgreSQL's bpchar comparison
  does; the column itself is untouched, so an index on it still serves the lookup. A text
  column or expression compares as text, which the stored value already is (PostgreSQL casts
  the bpchar to text: its blanks go);
- LIKE / ILIKE / SIMILAR TO / ~ / ~* (and their negations) read the padded value, as
  PostgreSQL's do.

So a value read ('ab  ') and written back (UPDATE ... WHERE code = 'ab  ') finds its row.
A statement that names no table with a char(n) column (nor a view, when the PDB has such
columns) costs one substring test per such name (nothing for a PDB without any); one that does
costs a tokenization (sqlglot) and a catalog read per table once per DDL. Which table a column is of comes from the statement's
FROM / JOIN / UPDATE / INTO / USING names and the catalog (engine.declared), and for a subquery,
CTE or table function from DuckDB's bind of it alone; an unqualified name that two sources have,
or that one DuckDB cannot bind alone (LATERAL) may have, is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlglot
from sqlglot.tokens import Token, TokenType

from pgwire import types as oids
from pgwire.types import OUTPUT_TEXT

# lookup(catalog, schema, name) -> the table's columns and declared types (engine.declared.Table)
# or None (not a table known here)
Edit = tuple[int, int, str]

_COMPARE = frozenset({TokenType.EQ, TokenType.NEQ, TokenType.LT, TokenType.LTE, TokenType.GT, TokenType.GTE})
# Tokens that bind tighter than a comparison: an operand next to one is part of a larger expression.
_BINDS = frozenset(
    {
        TokenType.DPIPE,
        TokenType.PLUS,
        TokenType.DASH,
        TokenType.STAR,
        TokenType.SLASH,
        TokenType.MOD,
        TokenType.DCOLON,
        TokenType.L_BRACKET,
        TokenType.DOT,
        TokenType.COLLATE,
        TokenType.CARET,
        TokenType.AMP,
        TokenType.PIPE,
        TokenType.L_PAREN,
    }
)
_NAMES = frozenset({TokenType.VAR, TokenType.IDENTIFIER})
# What compares a query's result values (a padded result would then differ from its bpchar).
_ROWS_COMPARED = frozenset(
    {TokenType.DISTINCT, TokenType.GROUP_BY, TokenType.UNION, TokenType.INTERSECT, TokenType.EXCEPT}
)
_JSON_VALUE = "__pg_jval"  # a value as json (pgcompat.jsonb, engine.jsonb)
# Calls whose result is bpchar when their arguments are (one a char(n) column, the others literals).
_BPCHAR_CALLS = frozenset({"coalesce", "nullif", "greatest", "least"})
# The types a literal or parameter may be cast to and still compare with a char(n) as bpchar.
_BPCHAR_COMPARED = frozenset({"varchar", "character varying", "char varying", "bpchar", "char", "character"})
# The pattern matches, which read a char(n) value blank-padded in PostgreSQL.
_PATTERNS = frozenset(
    {TokenType.LIKE, TokenType.ILIKE, TokenType.SIMILAR_TO, TokenType.TILDE, TokenType.IRLIKE}
)
_SOURCE_KEYWORDS = frozenset(
    {TokenType.FROM, TokenType.JOIN, TokenType.UPDATE, TokenType.INTO, TokenType.USING}
)
_NOT_ALIAS = frozenset(
    {
        TokenType.WHERE,
        TokenType.ON,
        TokenType.USING,
        TokenType.SET,
        TokenType.JOIN,
        TokenType.VALUES,
        TokenType.SELECT,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.LIMIT,
        TokenType.RETURNING,
        TokenType.DEFAULT,
    }
)


@dataclass
class _Source:
    binding: str  # lower case: the alias, else the table's name
    columns: tuple[str, ...] | None  # None: not known (a subquery, CTE, function, view not read)
    declared: dict[str, oids.PgType]


class _Statement:
    """The tokens of one statement with what its names refer to."""

    def __init__(
        self,
        sql: str,
        toks: list[Token],
        lookup: Callable[[str, str, str], object | None],
        columns_of: Callable[[str], tuple[str, ...] | None] = lambda query: None,
    ) -> None:
        self.columns_of = columns_of  # the (lower case) columns of a query, None when not known
        self.sql = sql
        self.toks = toks
        self.n = len(toks)
        self.match: dict[int, int] = {}
        self.enclosing: list[int] = []  # per token, its innermost "(" (-1: none)
        stack: list[int] = []
        for i, t in enumerate(toks):
            self.enclosing.append(stack[-1] if stack else -1)
            if t.token_type == TokenType.L_PAREN:
                stack.append(i)
            elif t.token_type == TokenType.R_PAREN and stack:
                self.match[stack.pop()] = i
        self.sources = self._sources(lookup)

    def items(self, open_: int) -> list[tuple[int, int]]:
        """The comma-separated items (first, last token) inside the parenthesis at open_."""
        close = self.match[open_]
        out: list[tuple[int, int]] = []
        first = j = open_ + 1
        while j < close:
            if self.tt(j) == TokenType.COMMA:
                if j > first:
                    out.append((first, j - 1))
                first = j + 1
            j = self.match[j] + 1 if j in self.match else j + 1
        if close > first:
            out.append((first, close - 1))
        return out

    def tt(self, i: int) -> TokenType | None:
        return self.toks[i].token_type if 0 <= i < self.n else None

    def word(self, i: int) -> str:
        return self.toks[i].text.lower() if 0 <= i < self.n else ""

    def name(self, i: int) -> str | None:
        """The (lower case unless quoted) name at token i, when it is one."""
        t = self.toks[i] if 0 <= i < self.n else None
        if t is None or t.token_type not in _NAMES:
            return None
        return t.text if t.token_type == TokenType.IDENTIFIER else t.text.lower()

    def start(self, i: int) -> int:
        return self.toks[i].start

    def end(self, i: int) -> int:
        return self.toks[i].end + 1

    def head(self) -> int:
        """The statement's verb: 0, or after WITH ... its INSERT / UPDATE / DELETE / SELECT."""
        if self.tt(0) != TokenType.WITH:
            return 0
        j = 1
        while j < self.n and self.tt(j) not in (
            TokenType.INSERT,
            TokenType.UPDATE,
            TokenType.DELETE,
            TokenType.MERGE,
            TokenType.SELECT,
        ):
            j = self.match[j] + 1 if j in self.match else j + 1
        return j

    def target(self) -> _Source | None:
        """The table INSERT INTO, UPDATE, DELETE FROM or MERGE INTO writes (columns known), else None."""
        h = self.head()
        at = h + 1 if self.tt(h) in (TokenType.INSERT, TokenType.DELETE, TokenType.MERGE) else h
        found = self.by_keyword.get(at)
        return found if found is not None and found.columns is not None else None

    def _sources(self, lookup: Callable[[str, str, str], object | None]) -> list[_Source]:
        out: list[_Source] = []
        self.by_keyword: dict[int, _Source] = {}  # keyword index -> the (first) source after it
        for i in range(self.n):
            if self.tt(i) in _SOURCE_KEYWORDS and self._names_sources(i):
                k: int | None = i + 1
                before = len(out)
                while k is not None:
                    k = self._source(k, lookup, out, self.tt(i) == TokenType.INTO)
                    if k is None or self.tt(k) != TokenType.COMMA or self.tt(i) != TokenType.FROM:
                        break
                    k += 1
                if len(out) > before:
                    self.by_keyword[i] = out[before]
        return out

    def _names_sources(self, i: int) -> bool:
        """Whether the FROM (JOIN, ...) at token i starts a query's sources: not IS DISTINCT FROM,
        nor the FROM of a call (extract(year FROM d), substring(s FROM 2), trim(FROM s))."""
        if self.tt(i) != TokenType.FROM:
            return True
        if self.tt(i - 1) == TokenType.DISTINCT:
            return False
        open_ = self.enclosing[i]
        return open_ < 0 or self.tt(open_ + 1) in (TokenType.SELECT, TokenType.WITH)

    def _source(
        self, k: int, lookup: Callable[[str, str, str], object | None], out: list[_Source], target: bool
    ) -> int | None:
        """Reads one FROM item at token k into out (target: INSERT's, whose parenthesis is a column
        list); the index after it."""
        if self.tt(k) == TokenType.LATERAL:
            k += 1
        first = k
        parts: list[str] = []
        table = None
        unknown = _Source("", None, {})  # what a source not read here stands for
        if self.tt(k) == TokenType.L_PAREN:  # a subquery, VALUES
            close = self.match.get(k)
            if close is None:
                out.append(unknown)
                return None
            k = close + 1
        else:
            while self.name(k) is not None:
                parts.append(str(self.name(k)).lower() if self.tt(k) == TokenType.VAR else str(self.name(k)))
                if self.tt(k + 1) != TokenType.DOT:
                    break
                k += 2
            if not parts or len(parts) > 3:
                out.append(unknown)
                return None
            if self.tt(k + 1) == TokenType.L_PAREN and not target:  # a table function
                close = self.match.get(k + 1)
                if close is None:
                    out.append(unknown)
                    return None
                k = close + 1
            else:
                k += 1
                catalog, schema = ("", "", *parts)[-3:-1]
                table = lookup(catalog, schema, parts[-1])
        if self.tt(k) == TokenType.ALIAS:
            k += 1
        alias = (
            self.name(k)
            if self.tt(k) not in _NOT_ALIAS and not (target and self.tt(k) == TokenType.L_PAREN)
            else None
        )
        if alias is not None:
            k += 1
        binding = (alias or (parts[-1] if parts else "")).lower()
        columns = getattr(table, "columns", None)
        declared = getattr(table, "declared", None) or {}
        if any(t.oid == oids.JSONB for t in declared.values()):  # jsonb, not jsonb[]: DuckDB's JSON
            json = getattr(table, "json", frozenset())
            declared = {c: t for c, t in declared.items() if t.oid != oids.JSONB or c in json}
        if self.tt(k) == TokenType.L_PAREN and alias is not None and not target and k in self.match:
            k = self.match[k] + 1
            columns, declared = None, {}  # t AS a(x, y): renamed columns (read below)
        if columns is None:  # what DuckDB says the source gives, where it can say it alone
            columns = self.columns_of(
                self.ctes() + "SELECT * FROM " + self.sql[self.start(first) : self.end(k - 1)]
            )
        out.append(_Source(binding, columns, declared))
        return k

    def ctes(self) -> str:
        """The statement's leading WITH clause (its names are visible to every source), or ''."""
        return self.sql[self.start(0) : self.start(self.head())] if self.tt(0) == TokenType.WITH else ""

    # ------------------------------------------------------------ column references

    def reference(self, i: int) -> tuple[int, int, oids.PgType | None] | None:
        """When a column reference ends at token i: (its first token, i, its declared type)."""
        col = self.name(i)
        if (
            col is None
            or self.tt(i + 1) in (TokenType.DOT, TokenType.L_PAREN)
            or self.tt(i - 1) == TokenType.ALIAS
        ):
            return None
        col = col.lower()
        if self.tt(i - 1) == TokenType.DOT:
            qualifier = self.name(i - 2)
            if qualifier is None:
                return None
            bound = [s for s in self.sources if s.binding == qualifier.lower()]
            if len(bound) != 1 or bound[0].columns is None or col not in bound[0].columns:
                return i - 2, i, None
            return i - 2, i, bound[0].declared.get(col)
        if any(s.columns is None for s in self.sources):
            return i, i, None  # a subquery's, CTE's or function's column perhaps
        having = [s for s in self.sources if s.columns is not None and col in s.columns]
        types = {s.declared.get(col) for s in having}
        return i, i, types.pop() if len(types) == 1 else None


def _is_literal(st: _Statement, k: int) -> bool:
    """A string literal at token k: 'x', E'x', $$x$$ (not B'..' nor X'..', which are not text)."""
    tt = st.tt(k)
    if tt == TokenType.STRING:
        return st.sql[st.start(k)] == "'"
    return tt == TokenType.HEREDOC_STRING or (tt == TokenType.BYTE_STRING and st.sql[st.start(k)] in "eE")


def _char_length(t: oids.PgType | None) -> int | None:
    return t.typmod - 4 if t is not None and t.oid == oids.BPCHAR and t.typmod >= 5 else None


def _stored_as(t: oids.PgType | None) -> str | None:
    """How a value written into a column of declared type t is stored: "char" (char(n): without
    trailing blanks), "jsonb" (jsonb's text, as jsonb_in reads it: keys sorted and unique, the last
    duplicate kept), or None (as written)."""
    if _char_length(t) is not None:
        return "char"
    return "jsonb" if t is not None and t.oid == oids.JSONB else None


def _is_varchar(t: oids.PgType | None) -> bool:
    return t is not None and t.oid == oids.VARCHAR


class _Rewriter:
    def __init__(self, st: _Statement, text_params: frozenset[int]) -> None:
        self.st = st
        self.text_params = text_params
        self.edits: list[Edit] = []
        self.assigned: set[int] = set()  # the `=` tokens of SET assignments
        self.compares_rows: bool | None = None  # DISTINCT, GROUP BY, UNION ...: read once

    def trim(self, first: int, last: int) -> None:
        st = self.st
        self.edits.append((st.start(first), st.start(first), "rtrim("))
        self.edits.append((st.end(last), st.end(last), ")"))

    def operand(self, k: int) -> int | None:
        """When a literal string or a parameter PostgreSQL reads as bpchar starts at token k
        (or one cast to varchar or char, x::varchar, CAST(x AS varchar)): its last token."""
        st = self.st
        last = None
        if _is_literal(st, k):
            last = k
        elif (
            st.tt(k) == TokenType.PARAMETER and st.tt(k + 1) == TokenType.NUMBER and st.word(k + 1).isdigit()
        ):
            if int(st.toks[k + 1].text) in self.text_params:
                return None  # declared text: compared as text, as in PostgreSQL
            last = k + 1
        elif st.word(k) == "cast" and st.tt(k + 1) == TokenType.L_PAREN and k + 1 in st.match:
            inner = self.operand(k + 2)
            close = st.match[k + 1]
            if (
                inner is not None
                and st.tt(inner + 1) == TokenType.ALIAS
                and self._stringish(inner + 2) == close - 1
            ):
                return close
            return None
        if last is not None and st.tt(last + 1) == TokenType.DCOLON:
            return self._stringish(last + 2)
        return last

    def _stringish(self, k: int) -> int | None:
        """When the type at token k is varchar or char (with a length or not): its last token."""
        st = self.st
        if " ".join(st.word(k).split()) not in _BPCHAR_COMPARED:
            return None  # text (compared as text), or another type
        if st.tt(k + 1) == TokenType.L_PAREN and k + 1 in st.match:
            return st.match[k + 1]
        return k

    def varchar_column(self, k: int) -> int | None:
        """When a varchar(n) column reference starts at token k: its last token."""
        st = self.st
        for j in range(k, min(k + 3, st.n)):
            ref = st.reference(j)
            if ref is not None and ref[0] == k:
                return j if _is_varchar(ref[2]) else None
        return None

    def subquery_column(self, open_: int) -> None:
        """(SELECT [DISTINCT] v ...) compared with a char(n) column, v a varchar(n) column or a
        literal cast to varchar: PostgreSQL compares as bpchar, so v without its trailing blanks
        (a bare literal is text there: compared as text)."""
        st = self.st
        if st.tt(open_ + 1) != TokenType.SELECT:
            return
        k = open_ + 2 + (st.tt(open_ + 2) == TokenType.DISTINCT)
        last = self.varchar_column(k)
        if last is None and (st.tt(k + 1) == TokenType.DCOLON or st.word(k) == "cast"):
            last = self.operand(k)
        if last is not None and st.tt(last + 1) in (TokenType.FROM, TokenType.R_PAREN, TokenType.ALIAS):
            self.trim(k, last)

    def trimmed_operand(self, k: int) -> int | None:
        """Trims the operand at k (a literal, a parameter or a varchar(n) column) when it stands
        alone; its last token."""
        st = self.st
        last = self.operand(k)
        if last is None:
            last = self.varchar_column(k)
        if last is None or st.tt(last + 1) in _BINDS or st.tt(k - 1) in _BINDS - {TokenType.L_PAREN}:
            return None
        self.trim(k, last)
        return last

    def column(self, first: int, last: int, n: int) -> None:
        """What follows the char(n) column reference first..last."""
        st = self.st
        if st.tt(first - 1) in _BINDS - {TokenType.L_PAREN}:
            return
        k = last + 1
        negated = st.tt(k) == TokenType.NOT
        if negated:
            k += 1
        tt = st.tt(k)
        if tt in _COMPARE and not negated and k not in self.assigned:
            if st.word(k + 1) in ("any", "all", "some") and st.tt(k + 2) == TokenType.L_PAREN:
                self.subquery_column(k + 2)
            elif st.tt(k + 1) == TokenType.L_PAREN:
                self.subquery_column(k + 1)
            else:
                self.trimmed_operand(k + 1)
        elif tt == TokenType.IN and st.tt(k + 1) == TokenType.L_PAREN:
            close = st.match.get(k + 1)
            if close is None:
                return
            if st.tt(k + 2) in (TokenType.SELECT, TokenType.WITH):
                self.subquery_column(k + 1)
                return
            for item, end in st.items(k + 1):
                if self.operand(item) == end or self.varchar_column(item) == end:
                    self.trim(item, end)
        elif tt == TokenType.BETWEEN:
            low = self.operand(k + 1)
            if low is not None and st.tt(low + 1) == TokenType.AND:
                high = self.operand(low + 2)
                self.trim(k + 1, low)
                if high is not None and st.tt(high + 1) not in _BINDS:
                    self.trim(low + 2, high)
        elif tt == TokenType.IS and not negated:
            j = k + 1 + (st.tt(k + 1) == TokenType.NOT)
            if st.tt(j) == TokenType.DISTINCT and st.tt(j + 1) == TokenType.FROM:
                self.trimmed_operand(j + 2)
        elif (tt in _PATTERNS or self.output(first, last)) and n:
            self.edits.append((st.start(first), st.start(first), "rpad("))
            self.edits.append((st.end(last), st.end(last), f", {n}, ' ')"))
        elif (
            tt == TokenType.R_PAREN
            and st.tt(first - 1) == TokenType.L_PAREN
            and st.tt(first - 2) not in _NAMES
        ):
            self.column(first - 1, last + 1, n)  # (c) = 'ab '
        elif st.tt(first - 1) == TokenType.CASE and tt == TokenType.WHEN:
            self.simple_case(k)

    def result_branches(self, i: int) -> None:
        """A result column of the statement's SELECT that is CASE ... THEN c ... ELSE 'x' END or
        coalesce(c, 'x'), c a char(n) column beside string literals: PostgreSQL's value is c's,
        blank-padded, or the literal as written (bpchar without a length); so c is padded there.
        (Not in a statement that groups, dedups or combines rows: those compare the values.)"""
        st = self.st
        if st.enclosing[i] >= 0 or st.tt(i - 1) not in (TokenType.SELECT, TokenType.COMMA):
            return
        if st.tt(st.head()) != TokenType.SELECT:
            return  # (INSERT ... SELECT writes the value: a text column takes it without blanks)
        if self.compares_rows is None:
            self.compares_rows = any(st.tt(j) in _ROWS_COMPARED for j in range(st.n))
        if self.compares_rows:
            return
        if st.tt(i) == TokenType.CASE:
            results, end = self.case_results(i)
        elif st.word(i) == "coalesce" and st.tt(i + 1) == TokenType.L_PAREN and i + 1 in st.match:
            results, end = st.items(i + 1), st.match[i + 1]
        else:
            return
        if end is None or st.tt(end + 1) not in (TokenType.ALIAS, TokenType.COMMA, TokenType.FROM, None):
            return
        columns = [(a, b) for a, b in results if self.char_column(a, b)]
        lengths = {_char_length(st.reference(b)[2]) for _, b in columns}  # type: ignore[index]
        literals = [a for a, b in results if a == b and _is_literal(st, a)]
        if not columns or not literals or len(lengths) != 1 or len(columns) + len(literals) < len(results):
            return
        n = lengths.pop()
        for a, b in columns:
            self.edits.append((st.start(a), st.start(a), "rpad("))
            self.edits.append((st.end(b), st.end(b), f", {n}, ' ')"))

    def case_results(self, case: int) -> tuple[list[tuple[int, int]], int | None]:
        """The THEN and ELSE results (first, last token) of the CASE at token case, and its END."""
        st = self.st
        out: list[tuple[int, int]] = []
        start, depth, k = None, 0, case + 1
        while k < st.n:
            tt = st.tt(k)
            if tt == TokenType.L_PAREN and k in st.match:
                k = st.match[k] + 1
                continue
            if tt == TokenType.CASE:
                depth += 1
            elif tt == TokenType.END and depth:
                depth -= 1
            elif depth == 0 and tt in (TokenType.WHEN, TokenType.ELSE, TokenType.END):
                if start is not None:
                    out.append((start, k - 1))
                    start = None
                if tt == TokenType.END:
                    return out, k
                if tt == TokenType.ELSE:
                    start = k + 1
            elif depth == 0 and tt == TokenType.THEN:
                start = k + 1
            k += 1
        return out, None

    def simple_case(self, k: int) -> None:
        """CASE c WHEN 'ab ' THEN ... (c a char(n) column, the first WHEN at token k): each WHEN's
        value is compared with c as bpchar."""
        st = self.st
        depth = 0
        while k < st.n:
            tt = st.tt(k)
            if tt == TokenType.L_PAREN and k in st.match:
                k = st.match[k] + 1
                continue
            if tt == TokenType.CASE:
                depth += 1
            elif tt == TokenType.END:
                if depth == 0:
                    return
                depth -= 1
            elif tt == TokenType.WHEN and depth == 0:
                last = self.operand(k + 1)
                if last is None:
                    last = self.varchar_column(k + 1)
                if last is not None and st.tt(last + 1) == TokenType.THEN:
                    self.trim(k + 1, last)
            k += 1

    def reversed_comparison(self, k: int) -> None:
        """'ab  ' = code: a literal, parameter or varchar(n) column before a comparison with a
        char(n) column."""
        st = self.st
        last = self.operand(k)
        if last is None:
            last = self.varchar_column(k)
        if (
            last is None
            or st.tt(last + 1) not in _COMPARE
            or last + 1 in self.assigned
            or st.tt(k - 1) in _BINDS - {TokenType.L_PAREN}
        ):
            return
        for j in range(last + 2, min(last + 5, st.n)):
            ref = st.reference(j)
            if ref is not None and ref[0] == last + 2:
                if _char_length(ref[2]) is not None and st.tt(j + 1) not in _BINDS:
                    self.trim(k, last)
                return

    def output(self, first: int, last: int) -> bool:
        """Whether the column at first..last is written as its output text: CAST((c) AS
        OUTPUT_TEXT) (concat(), format(), octet_length(): pgcompat) or a json value
        (__pg_jval(c): to_json, json_build_object, ...), which PostgreSQL writes padded."""
        st = self.st
        if st.tt(first - 1) != TokenType.L_PAREN or st.tt(last + 1) != TokenType.R_PAREN:
            return False
        if st.word(first - 2) == _JSON_VALUE:
            return True
        return (
            st.tt(first - 2) == TokenType.L_PAREN
            and st.word(first - 3) == "cast"
            and st.tt(last + 2) == TokenType.ALIAS
            and st.word(last + 3) == OUTPUT_TEXT.lower()
            and st.tt(last + 4) == TokenType.R_PAREN
        )

    def bpchar_call(self, i: int) -> None:
        """coalesce(c, 'ab  ') = 'ab' (also nullif, greatest, least) whose first argument not a
        literal is a char(n) column: the call is bpchar in PostgreSQL, so its other arguments and
        what it is compared with lose their trailing blanks. (Only where the call is compared, or
        is nullif, which compares: a result column keeps its value.)"""
        st = self.st
        if st.word(i) not in _BPCHAR_CALLS or st.tt(i + 1) != TokenType.L_PAREN or i + 1 not in st.match:
            return
        close = st.match[i + 1]
        items = st.items(i + 1)
        after = close + 1 + (st.tt(close + 1) == TokenType.NOT)
        compared_after = st.tt(after) in _COMPARE | {TokenType.IN, TokenType.BETWEEN, TokenType.IS}
        compared_before = st.tt(i - 1) in _COMPARE and i - 1 not in self.assigned
        if not (compared_after or compared_before or st.word(i) == "nullif"):
            return  # (nullif compares its arguments wherever it stands)
        typed = [item for item in items if self.operand(item[0]) != item[1]]
        if st.tt(i - 1) == TokenType.DOT or not typed or not self.char_column(*typed[0]):
            return  # PostgreSQL's type of the call is its first typed argument's (bpchar wins no other)
        for item, end in items:
            if not self.char_column(item, end):
                self.trim(item, end)
        if compared_after:
            self.column(i, close, 0)
        for k in (i - 2, i - 3):  # 'ab ' = coalesce(...), $1 = coalesce(...)
            if self.operand(k) == i - 2 and st.tt(k - 1) not in _BINDS - {TokenType.L_PAREN}:
                self.trim(k, i - 2)
                break

    def row_comparison(self, open_: int) -> None:
        """(c, id) = ('ab ', 1), ROW(...) = ROW(...): the items compared with a char(n) column,
        pairwise; also as pgcompat.rows writes the comparison for PostgreSQL's NULL rules,
        list_transform([ROW((c, id), ('ab ', 1))], lambda __pg_row: ...)."""
        st = self.st
        close = st.match.get(open_)
        if close is None or (st.tt(open_ - 1) in _NAMES and st.word(open_ - 1) != "row"):
            return
        compared = st.tt(close + 1) in _COMPARE and close + 1 not in self.assigned
        lead = open_ - (st.word(open_ - 1) == "row")
        rows_held = st.tt(close + 1) == TokenType.COMMA and [st.word(j) for j in range(lead - 5, lead)] == [
            "list_transform",
            "(",
            "[",
            "row",
            "(",
        ]
        if not (compared or rows_held):
            return
        other = close + 2 + (st.word(close + 2) == "row")
        if st.tt(other) != TokenType.L_PAREN or other not in st.match:
            return
        left, right = st.items(open_), st.items(other)
        if len(left) != len(right) or len(left) < 2:
            return
        for a, b in (*zip(left, right, strict=True), *zip(right, left, strict=True)):
            if self.char_column(*a) and (self.operand(b[0]) == b[1] or self.varchar_column(b[0]) == b[1]):
                self.trim(*b)

    def char_column(self, first: int, last: int) -> bool:
        """Whether tokens first..last are a char(n) column reference."""
        ref = self.st.reference(last)
        return ref is not None and ref[0] == first and _char_length(ref[2]) is not None

    # ------------------------------------------------------------ writes

    def assignments(self, k: int, target: _Source) -> None:
        """SET a = x, (b, c) = (y, z) ... at token k (UPDATE's, ON CONFLICT DO UPDATE's, MERGE's)."""
        st = self.st
        while True:
            if st.tt(k) == TokenType.L_PAREN and k in st.match:
                j = self.tuple_assignment(k, target)
            else:
                col = st.name(k)
                if col is None or st.tt(k + 1) != TokenType.EQ:
                    return
                self.assigned.add(k + 1)
                start = k + 2
                j = self.assigned_value(start)
                kind = _stored_as(target.declared.get(col.lower()))
                if j > start and kind is not None:
                    self.stored(start, j - 1, kind)
            if j is None or st.tt(j) != TokenType.COMMA:
                return
            k = j + 1

    def assigned_value(self, start: int) -> int:
        """The token after the value of an assignment that starts at token start."""
        st = self.st
        j, cases = start, 0
        while j < st.n and (
            cases
            or st.tt(j)
            not in (TokenType.COMMA, TokenType.FROM, TokenType.WHERE, TokenType.RETURNING, TokenType.WHEN)
        ):
            cases += (st.tt(j) == TokenType.CASE) - (st.tt(j) == TokenType.END and cases > 0)
            j = st.match.get(j, j) + 1 if st.tt(j) == TokenType.L_PAREN else j + 1
        return j

    def tuple_assignment(self, k: int, target: _Source) -> int | None:
        """(a, b) = (x, y) or = ROW(x, y) at token k: the values written into char(n) columns stored
        trimmed (a subquery's, = (SELECT ...), are left as they are); the token after it."""
        st = self.st
        close = st.match[k]
        columns = [str(st.name(j)).lower() for j in range(k + 1, close) if st.name(j) is not None]
        if st.tt(close + 1) != TokenType.EQ:
            return None
        self.assigned.add(close + 1)
        v = close + 2 + (st.word(close + 2) == "row")
        if st.tt(v) != TokenType.L_PAREN or v not in st.match:
            return None
        if st.tt(v + 1) not in (TokenType.SELECT, TokenType.WITH):
            for position, (item, end) in enumerate(st.items(v)):
                column = columns[position] if position < len(columns) else ""
                kind = _stored_as(target.declared.get(column))
                if kind is not None:
                    self.stored(item, end, kind)
        return st.match[v] + 1

    def jsonb_literal_compared(self, first: int, last: int) -> None:
        """jsonb_column = '...' (or '...' <> jsonb_column): the literal read as jsonb, as PostgreSQL
        types it, into the text the column stores (stored())."""
        st = self.st
        for op, lit in ((last + 1, last + 2), (first - 1, first - 2)):
            if (
                st.tt(op) not in (TokenType.EQ, TokenType.NEQ)
                or op in self.assigned
                or not _is_literal(st, lit)
            ):
                continue  # (SET j = '...' is a write: stored())
            beyond = lit + 1 if lit > op else lit - 1
            if st.tt(beyond) in _BINDS - {TokenType.L_PAREN, TokenType.R_PAREN}:
                continue  # part of a larger operand ('...'::text, '...' || x)
            self.edits.append((st.start(lit), st.start(lit), "pg_jsonb("))
            self.edits.append((st.end(lit), st.end(lit), ")"))

    def stored(self, first: int, last: int, kind: str = "char") -> None:
        """The value first..last is written into a char(n) column: without its trailing blanks; into
        a jsonb column (kind "jsonb"): as jsonb's text (engine.jsonb's pg_jsonb), so that equal
        documents are equal values (=, DISTINCT, GROUP BY, joins) and a duplicate key's last value
        is the one kept, as in PostgreSQL."""
        st = self.st
        if first == last and st.tt(first) in (TokenType.NULL, TokenType.DEFAULT):
            return
        if kind == "jsonb":
            self.edits.append((st.start(first), st.start(first), "pg_jsonb(CAST(("))
            self.edits.append((st.end(last), st.end(last), ") AS VARCHAR))"))
            return
        if first == last and _is_literal(st, first):
            self.trim(first, last)
            return
        self.edits.append((st.start(first), st.start(first), "rtrim(CAST(("))
        self.edits.append((st.end(last), st.end(last), ") AS VARCHAR))"))

    def insert_values(self, target: _Source, at: int, query: bool = True) -> None:
        """INSERT INTO t [(columns)] VALUES (...), ...: at is the token after the table (and alias);
        query: whether a query may stand for VALUES (not in MERGE's INSERT)."""
        st = self.st
        columns = list(target.columns or ())
        k = at
        if st.tt(k) == TokenType.L_PAREN and k in st.match:
            close = st.match[k]
            columns = [str(st.name(j)).lower() for j in range(k + 1, close) if st.name(j) is not None]
            k = close + 1
        if query and st.tt(k) in (TokenType.SELECT, TokenType.WITH, TokenType.L_PAREN):
            self.insert_query(target, columns, k)
            return
        if st.tt(k) != TokenType.VALUES:
            return
        k += 1
        while st.tt(k) == TokenType.L_PAREN and k in st.match:
            for position, (item, end) in enumerate(st.items(k)):
                column = columns[position] if position < len(columns) else ""
                kind = _stored_as(target.declared.get(column))
                if kind is not None:
                    self.stored(item, end, kind)
            k = st.match[k] + 1
            if st.tt(k) != TokenType.COMMA:
                break
            k += 1

    def insert_query(self, target: _Source, columns: list[str], k: int) -> None:
        """INSERT INTO t [(columns)] SELECT ... (a query from token k, up to ON CONFLICT or
        RETURNING): the query's columns that go into char(n) columns are stored trimmed."""
        st = self.st
        end = k
        while end < st.n and not (
            st.tt(end) == TokenType.RETURNING
            or (st.tt(end) == TokenType.ON and st.word(end + 1) == "conflict")
        ):
            end = st.match[end] + 1 if end in st.match else end + 1
        # (WITH ... INSERT: its query reads the WITH's names)
        width = len(st.columns_of(st.ctes() + st.sql[st.start(k) : st.end(end - 1)]) or ())
        kinds = {i: _stored_as(target.declared.get(c)) for i, c in enumerate(columns[:width])}
        chars = [i for i, kind in kinds.items() if kind is not None]
        if not chars:
            return
        names = [f"__pg_c{i}" for i in range(chars[-1] + 1)]
        wrap = {"char": "rtrim(CAST({} AS VARCHAR))", "jsonb": "pg_jsonb(CAST({} AS VARCHAR))"}
        replaced = ", ".join(f"{wrap[str(kinds[i])].format(names[i])} AS {names[i]}" for i in chars)
        self.edits.append((st.start(k), st.start(k), f"SELECT * REPLACE ({replaced}) FROM ("))
        self.edits.append((st.end(end - 1), st.end(end - 1), f") AS __pg_src({', '.join(names)})"))


def _tokens(sql: str) -> list[Token] | None:
    try:
        return list(sqlglot.tokenize(sql, read="duckdb"))
    except Exception:  # sqlglot's tokenizer errors: DuckDB reads the statement as it is
        return None


def rewrite(
    sql: str,
    char_tables: frozenset[str],
    lookup: Callable[[str, str, str], object | None],
    text_params: Sequence[int] = (),
    release: Callable[[], None] = lambda: None,
    columns_of: Callable[[str], tuple[str, ...] | None] = lambda query: None,
) -> str:
    """sql with char(n) semantics (the module docstring). char_tables: the names (lower case) of
    the tables with char(n) columns; text_params: the numbers of the parameters declared text;
    release: called before lookup first reads the catalog; columns_of: the columns (lower case)
    a query gives when DuckDB can bind it alone (a subquery's, a CTE's, INSERT ... SELECT's), else
    None."""
    if not char_tables:
        return sql
    low = sql.lower()
    if not any(t in low for t in char_tables):
        return sql
    release()
    toks = _tokens(sql)
    if not toks:
        return sql
    st = _Statement(sql, toks, lookup, columns_of)
    if not any(_stored_as(t) is not None for s in st.sources for t in s.declared.values()):
        return sql
    rw = _Rewriter(st, frozenset(text_params))
    _writes(st, rw)
    for i in range(st.n):
        ref = st.reference(i)
        n = _char_length(ref[2]) if ref is not None else None
        if ref is not None and ref[1] == i and _stored_as(ref[2]) == "jsonb":
            rw.jsonb_literal_compared(ref[0], ref[1])
        if ref is not None and n is not None:
            rw.column(ref[0], ref[1], n)
        elif ref is None or (ref[0] == i and _is_varchar(ref[2])):
            rw.reversed_comparison(i)
        if st.tt(i) == TokenType.L_PAREN:
            rw.row_comparison(i)
        elif st.tt(i + 1) == TokenType.L_PAREN and st.tt(i) in _NAMES:
            rw.bpchar_call(i)
        if st.tt(i) == TokenType.CASE or st.word(i) == "coalesce":
            rw.result_branches(i)
    if not rw.edits:
        return sql
    out = sql
    for start, end, new in sorted(rw.edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:start] + new + out[end:]
    return out


def stored_columns(table: str, lookup: Callable[[str, str, str], object | None]) -> dict[str, str]:
    """The columns (lower case) of the table a name (as SQL writes it) reads whose values are
    stored otherwise than written -> how: "char" (char(n)) or "jsonb" (stored())."""
    toks = _tokens(f"INSERT INTO {table}")
    st = _Statement(f"INSERT INTO {table}", toks, lookup) if toks else None
    if st is None or len(st.sources) != 1:
        return {}
    declared = st.sources[0].declared
    return {c: kind for c, t in declared.items() if (kind := _stored_as(t)) is not None}


def _writes(st: _Statement, rw: _Rewriter) -> None:
    """The values INSERT, UPDATE, ON CONFLICT DO UPDATE and MERGE write into char(n) columns."""
    target = st.target()
    h = st.head()
    if target is None:
        return
    if st.tt(h) == TokenType.INSERT and st.tt(h + 1) == TokenType.INTO:
        k = h + 2
        while st.name(k) is not None and st.tt(k + 1) == TokenType.DOT:
            k += 2
        k += 1
        if st.tt(k) == TokenType.ALIAS:
            k += 2
        rw.insert_values(target, k)
        for j in range(k, st.n):
            if st.tt(j) == TokenType.SET and st.word(j - 1) == "update":
                rw.assignments(j + 1, target)
    elif st.tt(h) == TokenType.UPDATE:
        for j in range(h + 1, st.n):
            if st.tt(j) == TokenType.SET:
                rw.assignments(j + 1, target)
                break
    elif st.tt(h) == TokenType.MERGE:
        _merge_actions(st, rw, target, h)


def _merge_actions(st: _Statement, rw: _Rewriter, target: _Source, h: int) -> None:
    """MERGE INTO t ... WHEN [NOT] MATCHED ... THEN UPDATE SET ... | INSERT [(columns)] VALUES (...):
    the values its actions write into char(n) columns (the actions' tokens are at the top level)."""
    j = h + 1
    while j < st.n:
        if st.tt(j) == TokenType.THEN and st.enclosing[j] < 0:
            if st.tt(j + 1) == TokenType.UPDATE and st.tt(j + 2) == TokenType.SET:
                rw.assignments(j + 3, target)
            elif st.tt(j + 1) == TokenType.INSERT:
                rw.insert_values(target, j + 2, query=False)
        j = st.match[j] + 1 if j in st.match else j + 1
