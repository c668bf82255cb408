"""The declared type of a result column that is a table's varchar(n), char(n) or jsonb column,
or a jsonb expression.

DuckDB keeps no length for varchar(n) / char(n) (pgcompat.lengths gives each such column a
CHECK of one shape instead), so a result column of one is DuckDB's VARCHAR, sent as text.
PostgreSQL's RowDescription gives a plain column reference of the select list the column's own
type and typmod, character varying (1043) or bpchar (1042) with typmod n + 4, and clients read
the length there (psycopg's display_size, Django's inspectdb max_length, JDBC's getPrecision).
numeric(p,s) needs nothing here: DuckDB's DECIMAL(p,s) carries it (pgwire.types).

jsonb likewise: DuckDB's JSON is json and jsonb alike. A column declared jsonb carries a CHECK
that says so (pgcompat.lengths.jsonb_check), and the expressions that are jsonb are the engine's
jsonb functions the rewrites wrote (pgcompat.jsonb: pg_jsonb(...) for a cast to jsonb, to_jsonb,
jsonb_build_object, jsonb_agg, #>, ||, -, jsonb_array_elements...) and -> of a jsonb. Such a
result column of DuckDB's JSON is sent as jsonb (3802), in views and subqueries too.

Which result columns are plain references to which table's columns comes from DuckDB's own
parse of the statement (json_serialize_sql): the outermost SELECT list's column references and
stars, resolved against the base tables of its FROM clause as DuckDB resolves them (the search
path, temporary tables first, aliases, joins). A subquery, CTE, view or table function in FROM,
a USING or NATURAL join, a star with EXCLUDE / REPLACE / COLUMNS leave what they could supply
unresolved; the result is checked against the bound statement (the same number of columns, the
same names) before it is used, and only ever turns a VARCHAR column into varchar(n) / char(n)
or a JSON one into jsonb: on any doubt a column stays text (json), as before. Expressions stay
text (PostgreSQL: typmod -1).

Cost: nothing for a statement without a text result column (a point query on integers). Else,
once per catalog stamp (a DDL in the PDB, a SET or DDL of the session) a read of the tables
(~0.5 ms with 50 tables; a PDB without lengths stops there), of the views and search path (~0.5
ms), and once per statement shape a parse and a bind per table (~0.2 ms): the caller keeps the
answer with the prepared statement or the shape, so an execution pays nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb
import sqlglot
from duckdb import _seam
from sqlglot import exp

from engine import jsonb
from pgwire import types as oids
from pgwire.errors import DbError

# Per result column: the name DuckDB gives it (lower case) and its declared type, or None where
# nothing is known of it (an expression).
Origins = tuple[tuple[str | None, oids.PgType | None], ...]
Ctes = dict[str, dict[str, Any] | None]

_LENGTH_IN_SQL = re.compile(oids.LENGTH_CHECK_IN_SQL)
_JSONB_IN_SQL = re.compile(oids.JSONB_CHECK_IN_SQL)
# Every table (its SQL when it has a length or a jsonb column: the others' is not needed) and
# view, once per stamp.
_TABLES = (
    "SELECT database_name, schema_name, lower(table_name), CASE WHEN contains(sql, 'CHECK((len(')"
    " OR contains(sql, 'CHECK((typeof(') THEN sql END FROM duckdb_tables()"
)
_VIEW_SQL = (
    "SELECT sql FROM duckdb_views() WHERE database_name = ? AND schema_name = ? AND lower(view_name) = ?"
)
# CREATE VIEW name [(columns)] AS query; as DuckDB keeps it
_VIEW_QUERY = re.compile(
    r'\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?VIEW\s+(?:(?:"(?:[^"]|"")*"|[^\s(".]+)\.?)+'
    r"\s*(?:\([^)]*\))?\s*AS\s+(.*?);?\s*",
    re.I | re.S,
)
_JSONB = oids.pg_type(oids.JSONB)
# DuckDB's result types a declared type may stand for (text: varchar(n), char(n); JSON: jsonb)
ASKED = frozenset({oids.TEXT, oids.JSON, oids.JSON_ARRAY})
_JSONB_ARRAY = oids.pg_type(oids.JSONB_ARRAY)
# engine.jsonb's typed macros, which make a jsonb of operands the statement's text shows are jsonb
# (casts, literals, functions); its lazy family (__pg_jl...) only of a JSON column.
_TYPED_MACROS = ("__pg_jpick", "__pg_jminus", "__pg_jcontains")
# pgcompat.char_casts' cast to char(n): a bpchar(n) where it is a result column
_CHAR_CAST_MARKS = ("rtrim(substring(", "rpad(")
# The engine's functions (engine.jsonb, through pgcompat.jsonb) whose JSON result is jsonb: a cast
# to jsonb and the jsonb functions and operators; the typed macros of ||, - give JSON only when
# an operand is jsonb.
_JSONB_FUNCTIONS = frozenset({
    "pg_jsonb", "pg_jsonb_build_object", "pg_jsonb_build_array", "pg_jsonb_path", "pg_jsonb_concat", "pg_jsonb_chain", "pg_jsonb_minus", "pg_jsonb_delete_path",
    "pg_jsonb_set", "pg_jsonb_insert", "__pg_jpick", "__pg_jlpick", "__pg_jminus", "__pg_jlminus",
})  # fmt: skip
# Functions whose value is one of their arguments' (a char(n) column's stays padded).
_CHAR_KEEPING = frozenset({"max", "min", "first", "last", "any_value", "arbitrary", "greatest", "least"})
# jsonb_each(x) in FROM, as pgcompat.jsonb writes it: (SELECT __jsonb_each.key AS key,
# __jsonb_each.value AS value FROM (SELECT unnest(pg_jsonb_each(...)) AS __jsonb_each))
_EACH_VALUE = ["__jsonb_each", "value"]
# what pg_typeof's typeof(x) becomes where x is jsonb, and jsonb's - of a column that is not
# jsonb (engine.jsonb's macros of these names)
TYPEOF_JSONB = "__pg_typeof_jsonb"
JSON_MINUS = "__pg_jsonminus"
_MINUS_MACROS = ("__pg_jminus", "__pg_jlminus")
# what a statement's text holds when jsonb_calls may change it (a few substring looks per SELECT)
# (and where it may order or compare a jsonb or json: read only where a table with a JSON column,
# a view or a jsonb expression is named -- _may_order_jsonb)
ORDER_MARKS = ("ORDER", "order", "Order", "<", ">", "=", "max(", "min(", "MAX(", "MIN(", "DISTINCT", "distinct",
               "GROUP", "group", " IN ", " in ", " IN(", " in(", "BETWEEN", "between")  # fmt: skip
_CALL_MARKS = ("typeof(", "__pg_jminus(", "__pg_jlminus(", "->", "__pg_jval(", "::text", "::TEXT", " AS text)",
               " AS TEXT)", " AS VARCHAR)", "__pg_jcls(", "to_json(")  # fmt: skip
JSONB_CALL_MARKS = _CALL_MARKS + ORDER_MARKS
_TEXT_NAMES = frozenset({"text", "varchar", "string", "character varying"})
# the class engine.jsonb's || macros give a json operand (__pg_jcls(x) of a json x becomes it)
JSON_CLASS = "__pg_jclsjson"
# pgcompat.jsonb's functions for the operators PostgreSQL has for jsonb only: the operator, and
# its right operand's type where the operator fixes it (None: as the operand shows it)
_JSONB_ONLY: dict[str, tuple[str, str | None]] = {
    "pg_jsonb_exists": ("?", "unknown"),
    "pg_jsonb_exists_any": ("?|", "text[]"),
    "pg_jsonb_exists_all": ("?&", "text[]"),
    "pg_jsonb_delete_path": ("#-", "unknown"),
    "pg_jsonb_contains": ("@>", None),
    "pg_jsonb_contained": ("<@", None),
}
# what takes a FROM item's whole row and writes it as json (pgcompat.jsonb: to_json, json_agg and
# json_build_* call __pg_jval)
_ROW_TAKING = frozenset({"row_to_json", "__pg_jval"})
_ARRAY_TAKING = frozenset({"array_to_json", "__pg_jval"})
# what makes an array of its arguments (array_agg / list of one; ARRAY[...]: ARRAY_CONSTRUCTOR)
_ARRAY_BUILDERS = frozenset({"array_agg", "list", "list_value"})
# what joins two arrays, or an array and an element, into one
_ARRAY_JOINING = frozenset({"||", "array_cat", "list_concat", "array_concat", "array_append", "list_append",
                            "array_prepend", "list_prepend"})  # fmt: skip
# what jsonb_calls reads in any statement of a PDB with JSON columns (not only where a table with
# jsonb / length columns is named): json's -> and -, ||'s classes, a value or row made json
_READ_ANYWAY = ("->", "__pg_jcls(", "__pg_jval(", "to_json(", "__pg_jminus(", "__pg_jlminus(")
# engine.jsonb's macros of || and @> / <@ (their class witnesses: _class_of)
_PICKS = frozenset({"__pg_jpick", "__pg_jlpick"})
_CONTAINS = frozenset({"__pg_jcontains", "__pg_jlcontains"})
_CLASS_WORDS = {jsonb.JSON: "json", jsonb.JSONB: "jsonb", jsonb.UNKNOWN: "unknown", jsonb.TEXT: "text"}
# json #> / #>> (the rewrite writes jsonb's): json's own, which keep the member's text
_JSON_PATHS = {"pg_jsonb_path": "pg_json_path", "pg_jsonb_path_text": "pg_json_path_text"}
_VIEWS = "SELECT database_name, schema_name, lower(view_name) FROM duckdb_views() WHERE NOT internal"
_JSON_TABLES = "SELECT DISTINCT lower(table_name), lower(column_name) FROM duckdb_columns() WHERE data_type LIKE '%JSON%'"
# what orders, groups or compares a star's columns (a JSON column among them unnamed)
_WHOLE_ROWS = ("order", "distinct", "group", "union", "intersect", "except")
_SEARCH_PATH = "SELECT current_database(), current_schemas(false)"


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]  # lower case, in order
    declared: dict[str, oids.PgType]  # column (lower case) -> varchar(n) / char(n)
    complete: bool = True  # False: a subquery some of whose columns' names are not known here
    base: bool = False  # a base table's (its declared types all known: from its SQL)
    json: frozenset[str] = frozenset()  # a base table's columns of DuckDB's JSON type


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def lengths_of(sql: str) -> dict[str, oids.PgType]:
    """The varchar(n) / char(n) and jsonb columns of a table, from its CREATE TABLE as DuckDB
    keeps it."""
    out: dict[str, tuple[int, int]] = {}
    for m in _LENGTH_IN_SQL.finditer(sql or ""):
        varying, fixed, n = m.group(1), m.group(2), int(m.group(3))
        col = _unquote(varying or fixed).lower()
        oid = oids.VARCHAR if varying else oids.BPCHAR
        if col not in out or n < out[col][1]:
            out[col] = (oid, n)
    found = {c: oids.pg_type(oid, n + 4) for c, (oid, n) in out.items()}
    for m in _JSONB_IN_SQL.finditer(sql or ""):
        found[_unquote(m.group(1)).lower()] = _JSONB
    return found


@dataclass
class _Source:
    binding: str  # the name its columns are qualified with (lower case)
    table: Table | None  # None: its columns are not known (subquery, view, CTE, function, ...)


class _Scope(list[_Source]):
    """A query's FROM sources, and the sources of the query around it (a subquery's correlated
    names are theirs where none of its own has them)."""

    outer: list[_Source] | None = None


class _Unresolved(Exception):
    """The select list cannot be lined up with the result's columns."""


def _no_value(e: Any) -> bool:  # noqa: ANN401
    """A CASE branch that gives no value of its own: NULL, or error(...)."""
    if not isinstance(e, dict):
        return False
    if (e.get("literal") or {}).get("kind") == "NULL_LITERAL":
        return True
    return e.get("class") == "FUNCTION" and str(e.get("function_name") or "").lower() == "error"


class DeclaredTypes:
    """One session's reader of declared column types; its answers hold for one catalog stamp."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._stamp: Any = None
        self._length_tables: frozenset[str] = frozenset()  # (and the tables with jsonb columns)
        self._char_tables: frozenset[str] = frozenset()  # the tables with char(n) or jsonb columns
        self._jsonb_tables: frozenset[str] = frozenset()  # the tables with jsonb columns
        self._json_tables: frozenset[str] | None = None  # the tables with JSON columns (read when asked)
        self._json_names: frozenset[str] = frozenset()  # and the names of those columns
        self._char_names: tuple[object, frozenset[str]] | None = None  # (views read, and their names)
        self._tables: dict[tuple[str, str, str], str | None] = {}  # (db, schema, name) -> SQL
        self._views: frozenset[tuple[str, str, str]] | None = None
        self._scope: tuple[str, str] | None = None  # (db, schema) of the view being read
        self._path: tuple[str, list[tuple[str, str]]] | None = None
        self._known: dict[tuple[str, str, str], Table | None] = {}
        self._resolving: set[tuple[str, str, str]] = set()  # the views being read (a view of a view)

    def _fresh(self, stamp: Any) -> None:
        if stamp != self._stamp:
            tables = {
                (str(db).lower(), str(sch).lower(), str(name)): sql
                for db, sch, name, sql in self.con.execute(_TABLES).fetchall()
            }
            self._tables = tables
            self._length_tables = frozenset(name for (_, _, name), sql in tables.items() if sql)
            self._char_tables = frozenset(
                name
                for (_, _, name), sql in tables.items()
                if sql and any(t.oid in (oids.BPCHAR, oids.JSONB) for t in lengths_of(sql).values())
            )
            self._jsonb_tables = frozenset(
                name
                for (_, _, name), sql in tables.items()
                if sql and any(t.oid == oids.JSONB for t in lengths_of(sql).values())
            )
            self._json_tables = None
            self._views = None
            self._path = None
            self._known = {}
            self._stamp = stamp

    def relevant(self, sql: str, stamp: Any, release: Callable[[], None]) -> bool:
        """Whether the statement may read a table with varchar(n) / char(n) or jsonb columns (a
        PDB without any answers from a cache until its next DDL), or a view of one, or compute a
        jsonb (the engine's jsonb functions in its text)."""
        low = sql.lower()
        # (not the lazy family, __pg_jl...: JSON only from a column, whose table is looked for below)
        jsonb_expression = (
            "pg_jsonb" in low
            or any(m in low for m in _TYPED_MACROS)
            or any(m in low for m in _CHAR_CAST_MARKS)
        )
        if stamp != self._stamp:
            release()
            try:
                self._fresh(stamp)
            except duckdb.Error:
                return False
        if jsonb_expression:
            return True
        if not self._length_tables:
            return False
        if any(t in low for t in self._length_tables):
            return True
        return self._names_a_view(low, release)

    def _names_a_view(self, low: str, release: Callable[[], None]) -> bool:
        """Whether a statement's lower-case text names one of the PDB's views (read once per stamp)."""
        if self._views is None:
            release()
            try:
                self._views = self._view_names()
            except duckdb.Error:
                return False
        return any(v in low for _, _, v in self._views)

    def char_tables(self, stamp: Any, release: Callable[[], None]) -> frozenset[str]:
        """The names (lower case) of the tables with char(n) or jsonb columns, and of every view
        when there are some (a view may read one): a statement that names none reads or writes no
        such column (engine.bpchar). Empty for a PDB without any."""
        if stamp != self._stamp:
            release()
            try:
                self._fresh(stamp)
            except duckdb.Error:
                return frozenset()
        if not self._char_tables:
            return self._char_tables
        if self._views is None:
            release()
            try:
                self._views = self._view_names()
            except duckdb.Error:
                return self._char_tables
        if self._char_names is None or self._char_names[0] is not self._views:
            self._char_names = (self._views, self._char_tables | {v for _, _, v in self._views})
        return self._char_names[1]

    def lookup(self, catalog: str, schema: str, name: str) -> Table | None:
        """The table (or view) a name reads, as DuckDB resolves it, with its declared types; None
        when not sure (the catalog as of the last char_tables())."""
        try:
            return self._table(catalog.lower(), schema.lower(), name.lower())
        except duckdb.Error:
            return None

    def origins(self, sql: str, stamp: Any, release: Callable[[], None]) -> Origins | None:
        """What each result column of a SELECT is, or None when none is a length's column."""
        if not self.relevant(sql, stamp, release):
            return None
        release()
        try:
            # (every result read to its end: this connection takes no statement while one is open)
            rows = self.con.execute("SELECT json_serialize_sql($1)", [sql]).fetchall()
            tree = json.loads(rows[0][0]) if rows else {}
            if tree.get("error") or len(tree.get("statements", [])) != 1:
                return None
            found = self._select_list(tree["statements"][0]["node"])
        except (_Unresolved, duckdb.Error, KeyError, TypeError, ValueError, RecursionError):
            return None
        if not any(t is not None for _, t in found):
            return None
        return found

    def jsonb_calls(self, sql: str, stamp: Any, release: Callable[[], None]) -> str:
        """sql with the calls whose meaning depends on whether a column is jsonb or json made
        so: typeof(x) of a jsonb x (a column, -> of one) __pg_typeof_jsonb(x), which says JSONB
        (pg_typeof's rewrite, pgcompat.functions, calls typeof(), which says JSON for both); and
        jsonb's - (engine.jsonb's minus macros) of a table's column that is not jsonb
        __pg_jsonminus, which refuses a json (PostgreSQL: json has no -). sql as it is when there
        is none (or where the statement is not read). An UPDATE, DELETE, INSERT ... SELECT or
        CREATE TABLE AS is read as the SELECT of what it reads (select_of_edit): jsonb's order
        only (its comparisons' and ORDER BYs' sort keys, its refusals)."""
        if (
            sql.lstrip()[:6].upper() == "INSERT"
            and _SELECT_WORD.search(sql) is None
            and _DO_UPDATE.search(sql) is None
        ):
            return sql  # (INSERT ... VALUES: no query to read)
        ordering = self._may_order_jsonb(sql, stamp, release)
        if not ordering and not any(m in sql for m in _CALL_MARKS):
            return sql
        # (jsonb's - and json's -> may be of a table with no jsonb column: its JSON columns count;
        # so may json's order)
        if ordering or any(m in sql for m in _READ_ANYWAY):
            if stamp != self._stamp:
                release()
                try:
                    self._fresh(stamp)
                except duckdb.Error:
                    return sql
        elif not self.relevant(sql, stamp, release):
            return sql
        edit = select_of_edit(sql) if _is_edit(sql) else None
        if edit is None and (sql.lstrip()[:6].upper() in _EDIT_HEADS or _is_merge(sql)):
            if ordering and (_is_merge(sql) or _DO_UPDATE.search(sql) is not None):
                _edit_refused()  # (conditions that may compare jsonb, not read here)
            return sql  # (a write with no query of its own: INSERT ... VALUES)
        query = sql if edit is None else edit.query
        release()
        try:
            rows = self.con.execute("SELECT json_serialize_sql($1)", [query]).fetchall()
            tree = json.loads(rows[0][0]) if rows else {}
            if tree.get("error") or len(tree.get("statements", [])) != 1:
                return sql
            sites: dict[int, tuple[int, bytes]] = {}
            self._call_sites(tree["statements"][0]["node"], [], {}, sites, query.encode())
        except (duckdb.Error, KeyError, TypeError, ValueError, RecursionError):
            return sql
        raw = sql.encode()
        if edit is not None:
            sites = edit.sites_in_edit({at: site for at, site in sites.items() if site[1].startswith(_KEYS)})
        out, pos = [], 0
        for at in sorted(sites):
            end, new = sites[at]
            if at < pos:
                continue  # inside a span already replaced (its own text goes with it)
            out += [raw[pos:at], new]
            pos = end
        return (b"".join(out) + raw[pos:]).decode() if out else sql

    # ---------------------------------------------------------------- select-list aliases in subqueries
    # DuckDB reads a name no column has as a select-list alias, in a subquery of the WHERE too
    # (SELECT a AS x FROM t WHERE a IN (SELECT x FROM u)); PostgreSQL reads columns only: 42703.
    # (The same SELECT's own WHERE: pgcompat.pg_refusals.where_alias_references.)

    def outer_alias_refusal(self, sql: str, stamp: Any, release: Callable[[], None]) -> None:
        """Raises PostgreSQL's 42703 where a subquery of a WHERE names an alias of the select list
        around it that no column of a FROM in scope has (every FROM item known here: base tables,
        subqueries and CTEs of them); nothing where not sure."""
        if stamp != self._stamp:
            release()
            try:
                self._fresh(stamp)
            except duckdb.Error:
                return
        release()
        try:
            rows = self.con.execute("SELECT json_serialize_sql($1)", [sql]).fetchall()
            tree = json.loads(rows[0][0]) if rows else {}
            if tree.get("error") or len(tree.get("statements", [])) != 1:
                return
            missing = self._alias_walk(tree["statements"][0]["node"], [], {}, frozenset())
        except (duckdb.Error, KeyError, TypeError, ValueError, RecursionError):
            return
        if missing is not None:
            raise DbError("42703", f'column "{missing}" does not exist')

    def _alias_walk(
        self, n: Any, scopes: list[list[_Source] | None], ctes: Ctes, aliases: frozenset[str]
    ) -> str | None:  # noqa: ANN401
        """The first name of aliases (the select lists' around) that a subquery below n names
        and no FROM in scopes has; None when there is none (or a scope is not known)."""
        if isinstance(n, list):
            for x in n:
                found = self._alias_walk(x, scopes, ctes, aliases)
                if found is not None:
                    return found
            return None
        if not isinstance(n, dict):
            return None
        if n.get("class") == "LAMBDA" and n.get("syntax_type") != "SINGLE_ARROW":
            return None  # (a lambda's parameters are names of its own)
        if n.get("type") == "SELECT_NODE" and "select_list" in n:
            ctes = dict(ctes)
            for e in n.get("cte_map", {}).get("map", []):
                value = e.get("value") or {}
                ctes[str(e["key"]).lower()] = None if value.get("aliases") else value.get("query_node")
            inner: list[_Source] | None = []
            try:
                self._sources(n.get("from_table"), ctes, inner)
            except _Unresolved:
                inner = None
            scopes = [inner, *scopes]
            own = frozenset(
                str(i.get("alias")).lower()
                for i in n["select_list"]
                if i.get("alias")
                and not (
                    i.get("class") == "COLUMN_REF"
                    and str(i["column_names"][-1]).lower() == str(i.get("alias")).lower()
                )
            )
            for key, v in n.items():
                if key == "where_clause":
                    found = self._alias_walk(v, scopes, ctes, aliases | own)
                elif key == "select_list":
                    found = self._alias_walk(v, scopes, ctes, aliases)
                elif isinstance(v, (dict, list)):
                    found = self._alias_walk(v, scopes, ctes, frozenset())  # (FROM, CTEs, ...: their own)
                else:
                    continue
                if found is not None:
                    return found
            return None
        if n.get("class") == "SUBQUERY":
            return self._alias_walk((n.get("subquery") or {}).get("node"), scopes, ctes, aliases)
        if n.get("class") == "COLUMN_REF" and len(scopes) > 1 and len(n.get("column_names") or []) == 1:
            name = str(n["column_names"][0]).lower()
            if name in aliases and self._no_column(name, scopes):
                return name
        for v in n.values():
            if isinstance(v, (dict, list)):
                found = self._alias_walk(v, scopes, ctes, aliases)
                if found is not None:
                    return found
        return None

    @staticmethod
    def _no_column(name: str, scopes: list[list[_Source] | None]) -> bool:
        """Whether no FROM item of scopes has a column name (all of them known)."""
        for sources in scopes:
            if sources is None or any(s.table is None or not s.table.complete for s in sources):
                return False
            if any(name in s.table.columns for s in sources if s.table is not None):
                return False
        return True

    def _may_order_jsonb(self, sql: str, stamp: Any, release: Callable[[], None]) -> bool:
        """Whether a statement may order or compare a jsonb or json: its text computes one (a cast,
        the engine's jsonb functions), or it names a table with a JSON column and that column
        (or a star, where it orders, groups or compares rows), or a view."""
        low = sql.lower()
        if "json" in low or any(m in low for m in _TYPED_MACROS):
            return True
        if stamp != self._stamp:
            release()
            try:
                self._fresh(stamp)
            except duckdb.Error:
                return False
        if self._json_tables is None:
            release()
            try:
                found = self.con.execute(_JSON_TABLES).fetchall()
            except duckdb.Error:
                return False
            self._json_tables = frozenset(str(t) for t, _ in found)
            self._json_names = frozenset(str(c) for _, c in found)
        if not self._json_tables:
            return False
        if any(t in low for t in self._json_tables) and (
            any(c in low for c in self._json_names) or ("*" in low and any(w in low for w in _WHOLE_ROWS))
        ):
            return True  # (a jsonb column, or a json one: which has no order)
        return self._names_a_view(low, release)

    def _call_sites(
        self, n: Any, sources: list[_Source], ctes: Ctes, sites: dict[int, tuple[int, bytes]], raw: bytes
    ) -> None:
        """Where jsonb_calls changes the text in a parse tree (any depth): byte offset -> (the
        offset after the text it replaces, the new text). Only where the tree's positions are
        the text's, checked."""
        if isinstance(n, list):
            for x in n:
                self._call_sites(x, sources, ctes, sites, raw)
            return
        if not isinstance(n, dict):
            return
        if n.get("type") == "SELECT_NODE" and "select_list" in n:
            ctes = dict(ctes)
            for e in n.get("cte_map", {}).get("map", []):
                value = e.get("value") or {}
                ctes[str(e["key"]).lower()] = None if value.get("aliases") else value.get("query_node")
            inner = _Scope()
            try:
                self._sources(n.get("from_table"), ctes, inner)
                inner.outer = sources  # (a subquery's correlated names: _column_table)
            except _Unresolved:
                inner = _Scope()
            sources = inner
            self._json_equality(n, sources)
            self._query_orders(n, sources, ctes, sites, raw)
        elif n.get("type") == "SET_OPERATION_NODE":
            self._query_orders(n, [], ctes, sites, raw)  # (its ORDER BY names its result columns)
        elif n.get("class") == "COMPARISON" and n.get("type") in _JSONB_COMPARISONS:
            self._comparison_site(n, sources, n.get("left"), [n.get("right")], sites, raw)
        elif n.get("class") == "OPERATOR" and n.get("type") in ("COMPARE_IN", "COMPARE_NOT_IN"):
            items = n.get("children") or []
            if len(items) > 1:
                self._comparison_site(n, sources, items[0], items[1:], sites, raw)
        elif n.get("class") == "BETWEEN":
            self._comparison_site(n, sources, n.get("input"), [n.get("lower"), n.get("upper")], sites, raw)
        elif n.get("class") == "SUBQUERY" and n.get("subquery_type") == "ANY":
            self._subquery_comparison_site(n, sources, ctes, sites, raw)
        elif n.get("class") == "WINDOW" and str(n.get("function_name") or "").lower() in ("min", "max"):
            args = _arguments(n)
            if len(args) == 1 and self._is_jsonb(args[0], sources):
                _no_function(f"{str(n['function_name']).lower()}(jsonb)")
        # ORDER BY of a window, of an aggregate (a query's: _query_orders)
        for orders in (
            n.get("orders") if n.get("class") == "WINDOW" else None,
            (n.get("order_bys") or {}).get("orders"),
        ):
            for o in orders if isinstance(orders, list) else ():
                self._order_key(o.get("expression") if isinstance(o, dict) else None, sources, sites, raw)
        if n.get("class") == "FUNCTION" and isinstance(n.get("query_location"), int):
            self._function_site(n, sources, sites, raw)
        elif n.get("class") == "LAMBDA" and n.get("syntax_type") == "SINGLE_ARROW":
            at = n.get("query_location")
            new = self._json_arrow(n, at, sources, raw, "pg_json_arrow") if isinstance(at, int) else None
            if new is not None:
                sites.setdefault(at, (at + int(n.get("query_location_length") or 0), new))
        elif n.get("class") == "CAST" and not n.get("try_cast"):
            kind = str((n.get("type_expr") or {}).get("type_name") or "").lower()
            child = n.get("child")
            if kind in _TEXT_NAMES and self._jsonb_column(child, sources):
                self._wrap(child, "pg_jsonb(", ")", sites, raw)  # jsonb's text, not as inserted
        for v in n.values():
            if isinstance(v, (dict, list)):
                self._call_sites(v, sources, ctes, sites, raw)

    # ---------------------------------------------------------------- jsonb's order
    # PostgreSQL orders and compares jsonb by its own btree order (engine.jsonb.sort_key), DuckDB a
    # JSON by its text: an ORDER BY key, and both operands of a comparison, that is jsonb is
    # ordered by pg_jsonb_sortkey. Where this cannot say which expression an ORDER BY names, and
    # it is jsonb, the statement is refused (0A000), never ordered by the text.

    def _order_key(
        self,
        e: Any,
        sources: list[_Source],
        sites: dict[int, tuple[int, bytes]],
        raw: bytes,  # noqa: ANN401
    ) -> None:
        """An ORDER BY key: jsonb's by its sort key; a json's is PostgreSQL's 42883 (json has no
        order); any other as it is."""
        if self._is_jsonb(e, sources):
            self._sort_key(e, sites, raw)
        elif self._is_json(e, sources):
            _no_order("ordering", "json")

    def _sort_key(self, e: dict[str, Any], sites: dict[int, tuple[int, bytes]], raw: bytes) -> None:
        text = _span(e, raw)
        if text is None:
            _order_refused()
        at = e["query_location"]
        sites.setdefault(at, (at + e["query_location_length"], _keyed(text).encode()))

    def _query_orders(
        self,
        n: dict[str, Any],
        sources: list[_Source],
        ctes: Ctes,
        sites: dict[int, tuple[int, bytes]],
        raw: bytes,
    ) -> None:
        """A query's ORDER BY items that name a result column (by its position or its name) that
        is jsonb: ordered by its sort key, by its name (the result column's own name) or the
        select list's expression."""
        orders = [
            o.get("expression")
            for m in n.get("modifiers") or []
            if isinstance(m, dict) and m.get("type") == "ORDER_MODIFIER"
            for o in m.get("orders") or []
            if isinstance(o, dict)
        ]
        if not orders:
            return
        origins: Origins | None = None
        try:
            origins = self._select_list(n, ctes)
        except _Unresolved:
            pass
        items = n.get("select_list") if n.get("type") == "SELECT_NODE" else None
        for e in orders:
            if not isinstance(e, dict):
                continue
            if e.get("class") == "CONSTANT" and (e.get("literal") or {}).get("kind") == "INTEGER":
                k = int((e.get("literal") or {}).get("text") or 0)
            elif e.get("class") == "COLUMN_REF" and len(e.get("column_names") or []) == 1:
                # a name: the result column's of that name first (PostgreSQL), else a table's
                name = str(e["column_names"][0]).lower()
                ks = [i + 1 for i, (c, _) in enumerate(origins or ()) if c == name]
                if len(ks) != 1:
                    self._order_key(e, sources, sites, raw)
                    continue
                k = ks[0]
            else:
                self._order_key(e, sources, sites, raw)
                continue
            if origins is None or not 1 <= k <= len(origins) or origins[k - 1][1] != _JSONB:
                continue
            target = self._result_column(origins, items, k, sources, raw)
            text = target if target is not None else raw.decode(errors="replace")
            if any(m in text for m in _MAY_BE_JSONB):
                continue  # (|| or - of columns: jsonb only if they are, unknown here; see _keyed)
            if target is None:
                _order_refused()
            at, length = e.get("query_location"), e.get("query_location_length")
            if isinstance(at, int) and isinstance(length, int) and length > 0:
                sites.setdefault(at, (at + length, _keyed(target).encode()))

    def _result_column(
        self,
        origins: Origins,
        items: list[dict[str, Any]] | None,
        k: int,
        sources: list[_Source],
        raw: bytes,
    ) -> str | None:
        """How an ORDER BY expression names the k-th result column: the select list's expression
        (a query's own), or the result column's name where no table column has it (a set
        operation's); None when neither can."""
        if items is not None and not any(i.get("class") == "STAR" for i in items) and k <= len(items):
            return _span(items[k - 1], raw)
        # a set operation's result column by its name; a star's column by its own, which one
        # table has
        name = origins[k - 1][0]
        if name is None or any(s.table is None for s in sources):
            return None
        having = sum(name in s.table.columns for s in sources if s.table is not None)
        if having > 1 or (having == 0 and items is not None):
            return None
        return _quote(name)

    def _json_equality(self, n: dict[str, Any], sources: list[_Source]) -> None:
        """SELECT DISTINCT / GROUP BY of a json: PostgreSQL's 42883 (json has no equality)."""
        distinct = any(
            isinstance(m, dict) and m.get("type") == "DISTINCT_MODIFIER" and not m.get("distinct_on_targets")
            for m in n.get("modifiers") or []
        )
        grouped = [
            e
            for e in n.get("group_expressions") or []
            if isinstance(e, dict) and e.get("class") != "CONSTANT"
        ]
        if (distinct and any(self._is_json(i, sources) for i in n["select_list"])) or any(
            self._is_json(e, sources) for e in grouped
        ):
            _no_order("equality", "json")

    def _comparison_site(
        self,
        n: dict[str, Any],
        sources: list[_Source],
        left: Any,  # noqa: ANN401
        others: list[Any],
        sites: dict[int, tuple[int, bytes]],
        raw: bytes,
    ) -> None:
        """jsonb < > <= >= = <> jsonb, [NOT] IN (...), [NOT] BETWEEN (beside literals or
        parameters, which PostgreSQL reads as jsonb): every side's sort key compared. json has
        none of them (42883)."""
        sides = [left, *others]
        json_sides = [self._is_json(x, sources) for x in sides]
        if any(json_sides):
            listed = n.get("class") == "OPERATOR"  # (IN's literals are read as the column's type)
            words = [
                "json" if j or (listed and _untyped(x)) else _type_word(x)
                for x, j in zip(sides, json_sides, strict=True)
            ]
            # (IN is =, BETWEEN >= first, in PostgreSQL's words)
            op = _COMPARISON_WORDS.get(n.get("type") or "", "=" if n.get("class") == "OPERATOR" else ">=")
            _no_operator(f"{words[0]} {op} {words[1]}")
        jsonb_sides = [self._is_jsonb(x, sources) for x in sides]
        if not any(jsonb_sides):
            return
        for x, is_jsonb in zip(sides, jsonb_sides, strict=True):
            if not is_jsonb and not _untyped(x):
                return  # (jsonb beside another type: as DuckDB binds it)
        for x in sides:
            text = _span(x, raw)
            if text is None or any(m in text for m in _MAY_BE_JSONB):
                return  # (|| and - of operands that may not be jsonb: both sides' types unknown here)
        for x in sides:
            self._wrap(x, f"{SORT_KEY}(CAST(", " AS VARCHAR))", sites, raw)

    def _subquery_comparison_site(
        self,
        n: dict[str, Any],
        sources: list[_Source],
        ctes: Ctes,
        sites: dict[int, tuple[int, bytes]],
        raw: bytes,
    ) -> None:
        """jsonb [NOT] IN (SELECT ...), jsonb op ANY / ALL (SELECT ...): the operand's sort key
        compared with the subquery's one column's (a jsonb, or a literal or parameter beside a
        jsonb subquery column; each branch's, of a set operation). Refused (0A000) where that
        column's expression cannot be keyed (a star, a set operation's ORDER BY). json has no =
        nor order (42883)."""
        child, node = n.get("child"), (n.get("subquery") or {}).get("node") or {}
        if n.get("comparison_type") not in _JSONB_COMPARISONS or not isinstance(child, dict):
            return
        if self._is_json(child, sources):
            _no_operator(f"json {_COMPARISON_WORDS.get(n['comparison_type'], '=')} {_type_word(child)}")
        array = _any_array(node)
        if array is not None:
            op = _COMPARISON_WORDS.get(n["comparison_type"], "=")
            self._array_comparison_site(child, array, op, sources, sites, raw)
            return
        try:
            column = self._select_list(node, ctes)
        except _Unresolved:
            column = ()
        of_jsonb = len(column) == 1 and column[0][1] == _JSONB
        if not (self._is_jsonb(child, sources) and of_jsonb) and not (of_jsonb and _untyped(child)):
            return  # (jsonb beside another type, or an unknown one: as DuckDB binds it)
        items = _one_columns(node)
        if items is not None and self._of_arrays(node, items, sources, ctes):
            # (x = ANY ((SELECT array_agg(j) ...)): PostgreSQL's array, DuckDB's subquery of lists)
            raise DbError("0A000", "a comparison of jsonb with this array is not supported", hint=_ARRAY_HINT)
        texts = [_span(x, raw) for x in [child, *(items or ())]]
        if items is None or None in texts:
            raise DbError("0A000", "a comparison of jsonb with this subquery is not supported")
        if any(m in str(t) for t in texts for m in _MAY_BE_JSONB):
            return  # (as _comparison_site: || and - of operands that may not be jsonb)
        for x in [child, *items]:
            self._wrap(x, f"{SORT_KEY}(CAST(", " AS VARCHAR))", sites, raw)

    def _of_arrays(self, node: dict[str, Any], items: list[Any], outer: list[_Source], ctes: Ctes) -> bool:
        """Whether a subquery's one column may be a jsonb[] (an array of jsonb, as its select list
        shows it; a set operation's branches: any array)."""
        if node.get("type") != "SELECT_NODE":
            return any(self._array_of(i, [], lambda e, _: True) for i in items)
        inner = _Scope()
        try:
            self._sources(node.get("from_table"), ctes, inner)
            inner.outer = outer
        except _Unresolved:
            return True
        return self._is_jsonb_array(items[0], inner)

    def _array_comparison_site(
        self,
        child: dict[str, Any],
        array: Any,  # noqa: ANN401
        op: str,
        sources: list[_Source],
        sites: dict[int, tuple[int, bytes]],
        raw: bytes,
    ) -> None:
        """jsonb op ANY / ALL (array): the operand's sort key compared with each element's (the
        array's elements keyed: list_transform); an ARRAY[...] of jsonb or literals, a parameter,
        a jsonb[]. Refused (0A000) where the array's elements cannot be read as jsonb here (a
        string literal's array syntax, an expression of unknown type)."""
        listed = (
            isinstance(array, dict)
            and array.get("class") == "OPERATOR"
            and array.get("type") == "ARRAY_CONSTRUCTOR"
        )
        elements = (array.get("children") or []) if listed else []
        child_jsonb = self._is_jsonb(child, sources)
        if listed:
            kinds = [self._is_jsonb(x, sources) or (None if _untyped(x) else False) for x in elements]
            if child_jsonb and kinds and all(k is None for k in kinds):
                _no_operator(f"jsonb {op} text")  # (ARRAY of literals only: text[])
            typed = [x for x, k in zip(elements, kinds, strict=True) if k is False]
            if child_jsonb and not any(kinds) and all(x.get("class") == "CONSTANT" for x in typed):
                _no_operator(f"jsonb {op} {_type_word(typed[0])}")  # (ARRAY[1, 2]: integer[])
            array_jsonb = any(kinds)
            if (child_jsonb or array_jsonb) and False in kinds:
                raise DbError(
                    "0A000", "a comparison of jsonb with this array is not supported", hint=_ARRAY_HINT
                )
        else:
            array = _jsonb_array_cast(array) or array
            array_jsonb = self._is_jsonb_array(array, sources) or array.get("class") == "JSONB_ARRAY_CAST"
        if not child_jsonb and not (array_jsonb and _untyped(child)):
            return  # (no jsonb compared, or one beside another type: as DuckDB binds it)
        keyed = listed or array_jsonb or (isinstance(array, dict) and array.get("class") == "PARAMETER")
        texts = [_span(x, raw) for x in (child, array)]
        if not keyed or None in texts:
            raise DbError("0A000", "a comparison of jsonb with this array is not supported", hint=_ARRAY_HINT)
        if any(m in str(t) for t in texts for m in _MAY_BE_JSONB):
            return  # (as _comparison_site: || and - of operands that may not be jsonb)
        self._wrap(child, f"{SORT_KEY}(CAST(", " AS VARCHAR))", sites, raw)
        self._wrap(array, "list_transform(CAST(", f" AS VARCHAR[]), lambda __k: {SORT_KEY}(__k))", sites, raw)

    def _function_site(
        self, n: dict[str, Any], sources: list[_Source], sites: dict[int, tuple[int, bytes]], raw: bytes
    ) -> None:
        at = n["query_location"]
        name = str(n.get("function_name") or "").lower()
        args = [
            a.get("expression") if "expression" in a else a
            for a in n.get("arguments") or n.get("children") or []
        ]
        if name in ("min", "max") and len(args) == 1 and self._is_jsonb(args[0], sources):
            _no_function(f"{name}(jsonb)")  # (DuckDB's says json)
        if name == "count" and n.get("distinct") and len(args) == 1:
            # count(DISTINCT j): jsonb's equality (1.0 = 1), not the documents' text
            if self._is_jsonb(args[0], sources) and _span(args[0], raw) is not None:
                self._wrap(args[0], f"{SORT_KEY}(CAST(", " AS VARCHAR))", sites, raw)
            elif self._is_json(args[0], sources):
                _no_order("equality", "json")
        if (
            name == "typeof"
            and len(args) == 1
            and (self._is_jsonb(args[0], sources) or self._is_jsonb_array(args[0], sources))
        ):
            if raw[at : at + 7].lower() == b"typeof(":
                sites.setdefault(at, (at + 6, TYPEOF_JSONB.encode()))
        elif name in _MINUS_MACROS and len(args) in (3, 5) and self._class_of(args[0], sources) == jsonb.JSON:
            _no_operator(f"json - {_type_word(args[-1])}")  # json has no -
        elif name in _MINUS_MACROS and len(args) in (3, 5) and isinstance(args[1], dict):
            # (a base table's column only: a view's or subquery's declared types may be unknown,
            # and then its column is not known to be json)
            if args[1].get("class") != "COLUMN_REF" or raw[at : at + len(name) + 1] != name.encode() + b"(":
                return
            col, table = self._column_table(args[1]["column_names"], sources)
            if col is not None and table is not None and table.base and table.declared.get(col) != _JSONB:
                sites.setdefault(at, (at + len(name), JSON_MINUS.encode()))
        elif name == "->>" and len(args) == 2 and self._is_json(args[0], sources):
            # json ->> key: its text as written (DuckDB's is compact)
            node = {"lhs": args[0], "expr": args[1], "query_location_length": n.get("query_location_length")}
            new = self._json_arrow(node, at, sources, raw, "pg_json_arrow_text", "->>")
            if new is not None:
                sites.setdefault(at, (at + int(n.get("query_location_length") or 0), new))
        elif name == "->>" and len(args) == 2 and self._is_jsonb(args[0], sources):
            # jsonb ->> key: an object or array in jsonb's text (DuckDB's is compact)
            key = args[1]
            end, kat, klen = (
                at + int(n.get("query_location_length") or 0),
                key.get("query_location"),
                key.get("query_location_length"),
            )
            if not isinstance(kat, int) or not isinstance(klen, int) or kat + klen != end or kat <= at:
                return
            left = raw[at:kat].rstrip()
            if not left.endswith(b"->>"):
                return
            new = (
                b"pg_jsonb_arrow_text(CAST("
                + left[:-3]
                + b" AS VARCHAR), CAST(to_json("
                + raw[kat:end]
                + b") AS VARCHAR))"
            )
            sites.setdefault(at, (end, new))
        elif name == "__pg_jval" and len(args) == 1 and self._jsonb_column(args[0], sources):
            self._wrap(args[0], "pg_jsonb(", ")", sites, raw)  # to_json, json_build_*: jsonb's text
        elif (
            name in _ARRAY_TAKING
            and len(args) == 1
            and (self._is_jsonb_array(args[0], sources) or self._array_of(args[0], sources, self._is_json))
        ):
            # to_json / array_to_json of a jsonb[] or json[]: its elements in jsonb's text or as
            # written, as PostgreSQL's array_to_json writes them (DuckDB's to_json prints them compact)
            if name == "array_to_json" and raw[at : at + 14].lower() == b"array_to_json(":
                sites.setdefault(at, (at + 13, b""))
            element = (
                "pg_jsonb(CAST(e AS VARCHAR))"
                if self._is_jsonb_array(args[0], sources)
                else "CAST(e AS VARCHAR)"
            )
            self._wrap(
                args[0],
                "CAST('[' || array_to_string(list_transform(",
                f", lambda e: coalesce({element}, 'null')), ',') || ']' AS JSON)",
                sites,
                raw,
            )
        elif name in _ROW_TAKING and len(args) == 1 and self._whole_row(args[0], sources, sites, raw):
            if name == "row_to_json" and raw[at : at + 12].lower() == b"row_to_json(":
                sites.setdefault(at, (at + 11, b""))  # (its argument is the row's json now)
        elif name in _PICKS and len(args) == 4:
            self._chain_refusal(args[2], sources)
        elif name in _CONTAINS and len(args) == 4:
            sides = [self._class_of(a, sources) for a in args[:2]]
            if jsonb.JSON in sides:
                words = [_CLASS_WORDS.get(c or "", "unknown") for c in sides]
                _no_operator(f"{words[0]} @> {words[1]}")
        elif name == "__pg_jcls" and len(args) == 1 and self._is_json(args[0], sources):
            # || of a json (engine.jsonb's class JSON: json || json is no operator, json || text text)
            if raw[at : at + 10] == b"__pg_jcls(":
                sites.setdefault(at, (at + 9, JSON_CLASS.encode()))
        elif name in _JSONB_ONLY and len(args) == 2:
            self._json_operator(name, args, sources)
        elif (
            name in _JSON_PATHS
            and len(args) == 2
            and self._is_json(_uncast(args[0]), sources)
            and raw[at : at + len(name) + 1] == name.encode() + b"("
        ):
            # json #> / #>> path: the member's text as written, json (not jsonb)
            sites.setdefault(at, (at + len(name), _JSON_PATHS[name].encode()))

    def _whole_row(
        self,
        e: Any,
        sources: list[_Source],
        sites: dict[int, tuple[int, bytes]],
        raw: bytes,  # noqa: ANN401
    ) -> bool:
        """A FROM item's whole row (t, or pgcompat.outer_rows' CASE ... ELSE t END) as to_json,
        row_to_json, json_agg and json_build_* take it: PostgreSQL's composite text, each field
        as to_json writes it (a jsonb field in jsonb's text, a json one as written, a numeric with
        its scale, a timestamp in ISO 8601); DuckDB's to_json of the STRUCT prints its own. True
        where it is replaced (the item's columns known here)."""
        if not isinstance(e, dict):
            return False
        if e.get("class") == "CASE":
            checks = e.get("case_checks") or []
            if len(checks) != 1 or not _no_value(checks[0].get("then_expr")):
                return False
            e = e.get("else_expr")  # (the NULL of a missing outer row stays NULL)
        if not isinstance(e, dict) or e.get("class") != "COLUMN_REF" or len(e.get("column_names") or []) != 1:
            return False
        binding = str(e["column_names"][0]).lower()
        if any(s.table is None or binding in s.table.columns for s in sources):
            return False  # (a column of that name is the column)
        chosen = [s for s in sources if s.binding == binding]
        if len(chosen) != 1 or chosen[0].table is None or not chosen[0].table.complete:
            return False
        table = chosen[0].table
        at, length = e.get("query_location"), e.get("query_location_length")
        if not isinstance(at, int) or not isinstance(length, int) or length <= 0:
            return False
        ref = raw[at : at + length].decode()
        if ref.lower().strip('"') != binding or not table.columns:
            return False
        fields = []
        for i, col in enumerate(table.columns, 1):
            field = f"struct_extract_at({ref}, {i})"
            kind = table.declared.get(col)
            if kind == _JSONB:
                fields.append(f"CAST(pg_jsonb(CAST({field} AS VARCHAR)) AS VARCHAR)")
            elif kind is not None and kind.oid == oids.BPCHAR and kind.typmod > 4:
                # a char(n) as PostgreSQL keeps it: padded with blanks to n (engine.bpchar's rpad)
                fields.append(
                    f"CAST(__pg_jval(rpad(CAST({field} AS VARCHAR), {kind.typmod - 4}, ' ')) AS VARCHAR)"
                )
            else:
                fields.append(f"CAST(__pg_jval({field}) AS VARCHAR)")
        new = f"pg_json_row(struct_keys({ref}), [{', '.join(fields)}])"
        sites.setdefault(at, (at + length, new.encode()))
        return True

    def _class_of(self, e: Any, sources: list[_Source]) -> str | None:  # noqa: ANN401
        """The class (engine.jsonb) a witness of || / @> / - stands for, where the tree shows it:
        __pg_jX() as written, __pg_jcls(x) of a json or jsonb x; None where not known here."""
        if not isinstance(e, dict) or e.get("class") != "FUNCTION":
            return None
        name = str(e.get("function_name") or "").lower()
        args = _arguments(e)
        if name == "__pg_jcls" and len(args) == 1:
            if self._is_json(args[0], sources):
                return jsonb.JSON
            return jsonb.JSONB if self._is_jsonb(args[0], sources) else None
        if name.startswith("__pg_j") and len(name) == 7 and not args:
            return name[6].upper()
        return None

    def _chain_refusal(self, spec: Any, sources: list[_Source]) -> None:  # noqa: ANN401
        """a || b || ...: PostgreSQL's error when the operands' classes (the chain's spec, its
        letters or the witnesses of them) are all known here and one step has no operator (json ||
        json, jsonb || json, json || integer), raised as PostgreSQL raises it, before any row."""
        if not isinstance(spec, dict) or str(spec.get("function_name") or "").lower() != "concat":
            return
        classes = []
        for a in _arguments(spec):
            if isinstance(a, dict) and a.get("class") == "CONSTANT":
                letter = str((a.get("literal") or {}).get("text") or "")
            elif isinstance(a, dict) and str(a.get("function_name") or "").lower() == "__pg_jletter":
                inner = _arguments(a)
                letter = (self._class_of(inner[0], sources) if len(inner) == 1 else None) or ""
            else:
                return
            if len(letter) != 1:
                return
            classes.append(letter)
        if jsonb.JSON not in classes or len(classes) < 2:
            return
        cls = classes[0]
        for c in classes[1:]:
            nxt = jsonb.fold(cls, c)
            if nxt == jsonb.REFUSED:
                state, _, message = jsonb.refusal(cls, c).partition(": ")
                message, _, hint = message.partition("\n")
                raise DbError(state, message, hint=hint or None)
            cls = nxt

    def _json_operator(self, name: str, args: list[Any], sources: list[_Source]) -> None:
        """jsonb's ?, ?|, ?&, #-, @> and <@ (pgcompat.jsonb.jsonb_operators) of a json operand:
        PostgreSQL has them for jsonb only (42883), as it says when it parses the statement."""
        op, right = _JSONB_ONLY[name]
        left_json = self._is_json(_uncast(args[0]), sources)
        right_json = name in ("pg_jsonb_contains", "pg_jsonb_contained") and self._is_json(
            _uncast(args[1]), sources
        )
        if not (left_json or right_json):
            return
        if right is None:  # @> / <@: either side may be the json
            right = "json" if right_json else _type_word(_uncast(args[1]))
        left = "json" if left_json else _type_word(_uncast(args[0]))
        if name == "pg_jsonb_contained":
            left, right = right, left  # (the rewrite wrote x <@ y as pg_jsonb_contained(x, y))
        _no_operator(f"{left} {op} {right}")

    def _is_json(self, e: Any, sources: list[_Source]) -> bool:
        """Whether an expression is a json (not jsonb) as far as its tree shows: a base table's
        JSON column not declared jsonb, a cast to json, -> of one."""
        if not isinstance(e, dict):
            return False
        cls = e.get("class")
        if cls == "COLUMN_REF":
            col, table = self._column_table(e["column_names"], sources)
            return (
                col is not None
                and table is not None
                and table.base
                and col in table.json
                and table.declared.get(col) != _JSONB
            )
        if cls == "CAST":
            return (
                not e.get("try_cast")
                and str((e.get("type_expr") or {}).get("type_name") or "").lower() == "json"
            )
        if cls == "LAMBDA" and e.get("syntax_type") == "SINGLE_ARROW":
            return self._is_json(e.get("lhs"), sources)
        return False

    def _json_arrow(
        self, n: dict[str, Any], start: int, sources: list[_Source], raw: bytes, fn: str, op: str = "->"
    ) -> bytes | None:
        """json -> key (fn pg_json_arrow) or ->> key (pg_json_arrow_text) over the text from start,
        a chain of json -> made the same way; None where the text does not line up with the tree."""
        lhs, key = n.get("lhs"), n.get("expr")
        if not self._is_json(lhs, sources) or not isinstance(key, dict) or raw[start : start + 1] == b"(":
            return None
        kat, klen = key.get("query_location"), key.get("query_location_length")
        if not isinstance(kat, int) or not isinstance(klen, int) or kat <= start:
            return None
        length = n.get("query_location_length")
        if isinstance(length, int) and length and start + length != kat + klen:
            return None
        left = raw[start:kat].rstrip()
        if not left.endswith(op.encode()) or (op == "->" and left.endswith(b"->>")):
            return None
        left = left[: -len(op)].rstrip()
        if isinstance(lhs, dict) and lhs.get("class") == "LAMBDA":
            inner = dict(lhs, query_location_length=0)
            left = self._json_arrow(inner, start, sources, raw, "pg_json_arrow") or b""
            if not left:
                return None
        return (
            fn.encode()
            + b"(CAST("
            + left
            + b" AS VARCHAR), CAST(to_json("
            + raw[kat : kat + klen]
            + b") AS VARCHAR))"
        )

    def _jsonb_column(self, e: Any, sources: list[_Source]) -> bool:
        return (
            isinstance(e, dict)
            and e.get("class") == "COLUMN_REF"
            and self._column(e["column_names"], sources)[1] == _JSONB
        )

    @staticmethod
    def _wrap(
        e: dict[str, Any], head: str, tail: str, sites: dict[int, tuple[int, bytes]], raw: bytes
    ) -> None:
        at, length = e.get("query_location"), e.get("query_location_length")
        if isinstance(at, int) and isinstance(length, int) and length > 0 and at + length <= len(raw):
            sites.setdefault(at, (at + length, head.encode() + raw[at : at + length] + tail.encode()))

    # ---------------------------------------------------------------- the parse tree

    def _select_list(self, node: dict[str, Any], outer: Ctes | None = None) -> Origins:
        """Origins of a query's columns. CTEs in scope: name -> its query (None: not resolved)."""
        ctes: Ctes = dict(outer or {})
        for e in node.get("cte_map", {}).get("map", []):
            value = e.get("value") or {}
            # (a CTE that renames its columns is not followed; in its own body it is unknown)
            ctes[str(e["key"]).lower()] = None if value.get("aliases") else value.get("query_node")
        if node.get("type") == "SET_OPERATION_NODE":
            # UNION / INTERSECT / EXCEPT: a column keeps a declared type all branches agree on
            branches = [self._select_list(child, ctes) for child in node.get("children") or ()]
            if not branches or len({len(b) for b in branches}) != 1:
                raise _Unresolved
            return tuple(
                (name, t if all(b[i][1] == t for b in branches) else None)
                for i, (name, t) in enumerate(branches[0])
            )
        if node.get("type") != "SELECT_NODE":
            raise _Unresolved
        sources: list[_Source] = []
        merged = self._sources(node.get("from_table"), ctes, sources)
        out: list[tuple[str | None, oids.PgType | None]] = []
        for item in node["select_list"]:
            cls = item.get("class")
            alias = str(item.get("alias") or "").lower() or None
            if cls == "STAR":
                if (
                    merged
                    or item.get("columns")
                    or item.get("expr") is not None
                    or item.get("exclude_list")
                    or item.get("replace_list")
                    or item.get("qualified_exclude_list")
                    or item.get("rename_list")
                ):
                    raise _Unresolved
                rel = str(item.get("relation_name") or "").lower()
                chosen = [s for s in sources if not rel or s.binding == rel]
                if not chosen or any(s.table is None or not s.table.complete for s in chosen):
                    raise _Unresolved
                for s in chosen:
                    assert s.table is not None
                    out += [(c, s.table.declared.get(c)) for c in s.table.columns]
            elif cls == "COLUMN_REF":
                col, declared = self._column(item["column_names"], sources)
                if [str(n).lower() for n in item["column_names"]] == _EACH_VALUE:
                    declared = _JSONB  # jsonb_each's value (jsonb_each_text's is VARCHAR: text)
                out.append((alias or col, declared))
            else:
                jsonb_valued = self._is_jsonb(item, sources) or self._is_jsonb_array(item, sources)
                out.append((alias, _JSONB if jsonb_valued else self._bpchar_of(item, sources)))
        return tuple(out)

    def _is_jsonb_array(self, e: Any, sources: list[_Source]) -> bool:  # noqa: ANN401
        """Whether an expression is a jsonb[] as its tree shows it: array_agg / list of a jsonb,
        ARRAY[jsonb, ...] (its result column is jsonb[], each element in jsonb's text)."""
        if self._array_of(e, sources, self._is_jsonb):
            return True
        if not isinstance(e, dict):
            return False
        if e.get("class") == "COLUMN_REF":
            return self._column(e["column_names"], sources)[1] == _JSONB_ARRAY
        args = _arguments(e)
        if e.get("class") != "FUNCTION" or str(e.get("function_name") or "").lower() not in _ARRAY_JOINING:
            return False
        # jsonb[] || jsonb[] (|| jsonb), array_cat, array_append, array_prepend: jsonb[]
        arrays = [self._is_jsonb_array(a, sources) for a in args]
        return (
            len(args) == 2
            and any(arrays)
            and all(
                y or self._is_jsonb(a, sources) or _no_value(a) for a, y in zip(args, arrays, strict=True)
            )
        )

    def _array_of(self, e: Any, sources: list[_Source], kind: Callable[[Any, list[_Source]], bool]) -> bool:  # noqa: ANN401
        """Whether an expression is an array built of elements of a kind (_is_jsonb, _is_json)."""
        if not isinstance(e, dict):
            return False
        args = _arguments(e)
        built = (e.get("class") == "OPERATOR" and e.get("type") == "ARRAY_CONSTRUCTOR") or (
            e.get("class") == "FUNCTION" and str(e.get("function_name") or "").lower() in _ARRAY_BUILDERS
        )
        if not built or not args:
            return False
        return all(kind(a, sources) or _no_value(a) for a in args) and not all(_no_value(a) for a in args)

    def _bpchar_of(self, e: dict[str, Any] | None, sources: list[_Source]) -> oids.PgType | None:
        """The char(n) of an expression whose values are a char(n) column's own, which PostgreSQL
        types bpchar and sends blank-padded: the column, max / min / greatest / least / nullif of
        it, coalesce and CASE of such columns (NULL beside them). (PostgreSQL's typmod is -1 for
        max, min and a CASE with a NULL branch; here n, which pads the values.)"""
        if not isinstance(e, dict):
            return None
        cls = e.get("class")
        if cls == "COLUMN_REF":
            t = self._column(e["column_names"], sources)[1]
            return t if t is not None and t.oid == oids.BPCHAR else None
        if cls == "FUNCTION":
            name = str(e.get("function_name") or "").lower()
            args = [
                a.get("expression") if "expression" in a else a
                for a in e.get("arguments") or e.get("children") or []
            ]
            cast = _char_cast(e)
            if cast is not None:
                return oids.pg_type(oids.BPCHAR, cast + 4)
            if name == "nullif" and len(args) == 2:
                return self._bpchar_of(args[0], sources)
            return self._same_bpchar(args, sources, False) if name in _CHAR_KEEPING and args else None
        if cls == "OPERATOR" and e.get("type") == "OPERATOR_COALESCE":
            return self._same_bpchar(e.get("children") or [], sources, False)
        if cls == "CASE":
            branches = [c.get("then_expr") for c in e.get("case_checks") or []] + [e.get("else_expr")]
            return self._same_bpchar(branches, sources, True)
        return None

    def _same_bpchar(self, exprs: list[Any], sources: list[_Source], nulls: bool) -> oids.PgType | None:
        """The char(n) all of exprs are (nulls: NULL literals and error() calls among them too:
        a branch that raises gives no value, as pgcompat's refusals write them), else None."""
        found = {self._bpchar_of(x, sources) for x in exprs if not (nulls and _no_value(x))}
        return found.pop() if len(found) == 1 else None

    def _is_jsonb(self, e: dict[str, Any] | None, sources: list[_Source]) -> bool:
        """Whether an expression of the select list is a jsonb (as far as its tree shows)."""
        if not isinstance(e, dict):
            return False
        cls = e.get("class")
        if cls == "FUNCTION":
            name = str(e.get("function_name") or "").lower()
            if name in _JSONB_FUNCTIONS:
                return True
            args = [
                a.get("expression") if "expression" in a else a
                for a in e.get("arguments") or e.get("children") or []
            ]
            # jsonb_array_elements: unnest(pg_jsonb_array_elements(...)), and WITH ORDINALITY's
            # unnest(__jsonb_elements) (pgcompat.jsonb._with_ordinality)
            return (
                name == "unnest"
                and len(args) == 1
                and isinstance(args[0], dict)
                and (
                    str(args[0].get("function_name") or "").lower() == "pg_jsonb_array_elements"
                    or [str(c).lower() for c in args[0].get("column_names") or []] == ["__jsonb_elements"]
                )
            )
        if cls == "LAMBDA" and e.get("syntax_type") == "SINGLE_ARROW":
            return self._is_jsonb(e.get("lhs"), sources)  # jsonb -> key is jsonb; json's json
        if cls == "COLUMN_REF":
            return self._column(e["column_names"], sources)[1] == _JSONB
        if cls == "OPERATOR" and e.get("type") == "OPERATOR_COALESCE":
            return any(self._is_jsonb(c, sources) for c in e.get("children") or [])
        if cls == "CASE":
            branches = [c.get("then_expr") for c in e.get("case_checks") or []] + [e.get("else_expr")]
            return any(self._is_jsonb(b, sources) for b in branches)
        if cls == "SUBQUERY" and e.get("subquery_type") == "SCALAR":
            # (SELECT j FROM t ...): its one column's
            try:
                inner = self._select_list((e.get("subquery") or {}).get("node") or {})
            except _Unresolved:
                return False
            return len(inner) == 1 and inner[0][1] == _JSONB
        return False

    @classmethod
    def _column(cls, parts: list[str], sources: list[_Source]) -> tuple[str | None, oids.PgType | None]:
        col, table = cls._column_table(parts, sources)
        return (None, None) if col is None or table is None else (col, table.declared.get(col))

    @staticmethod
    def _column_table(parts: list[str], sources: list[_Source]) -> tuple[str | None, Table | None]:
        """The column a reference names and the table (or view, subquery) it is of."""
        names = [str(p).lower() for p in parts]
        col = names[-1]
        outer = getattr(sources, "outer", None)
        if len(names) == 1:
            having = [s for s in sources if s.table is not None and col in s.table.columns]
            if (
                not having
                and outer is not None
                and all(s.table is not None and s.table.complete for s in sources)
            ):
                return DeclaredTypes._column_table(parts, outer)  # (none of the query's own has it)
            if len(having) != 1:
                return None, None  # not a known table's, or in two (a USING column): no length
            table = having[0].table
        elif len(names) == 2:
            bound = [s for s in sources if s.binding == names[0]]
            if not bound and outer is not None:
                return DeclaredTypes._column_table(parts, outer)
            if len(bound) != 1 or bound[0].table is None or col not in bound[0].table.columns:
                return None, None  # a struct's field, or a column not known
            table = bound[0].table
        else:
            return None, None
        return col, table

    def _sources(self, ref: dict[str, Any] | None, ctes: Ctes, out: list[_Source]) -> bool:
        """The FROM clause's sources, in order; True when a USING / NATURAL join merges columns
        (a star then does not line up with the tables' columns)."""
        if ref is None or ref.get("type") == "EMPTY":
            return False
        kind = ref.get("type")
        if kind == "JOIN":
            merged = bool(ref.get("using_columns")) or ref.get("ref_type") == "NATURAL"
            merged |= self._sources(ref.get("left"), ctes, out)
            merged |= self._sources(ref.get("right"), ctes, out)
            return merged
        alias = str(ref.get("alias") or "").lower()
        if kind == "SUBQUERY" and not ref.get("column_name_alias"):
            # (SELECT ...) AS s: its plain column references keep their types (as in PostgreSQL)
            out.append(_Source(alias, self._derived(ref["subquery"]["node"], ctes)))
            return False
        if kind == "SUBQUERY":
            # (VALUES ...) AS v(a, b): jsonb where its rows' values are; (SELECT ...) AS s(a, b)
            # and other VALUES lists: the columns renamed
            values = self._values_table(ref["subquery"]["node"], ref["column_name_alias"])
            out.append(_Source(alias, values if values is not None else self._renamed(ref, ctes)))
            return False
        if kind != "BASE_TABLE":
            out.append(_Source(alias, None))
            return False
        name = str(ref["table_name"]).lower()
        schema = str(ref.get("schema_name") or "").lower()
        catalog = str(ref.get("catalog_name") or "").lower()
        table = None
        if not ref.get("column_name_alias") and ref.get("at_clause") is None:
            if not (catalog or schema) and name in ctes:
                body = ctes[name]
                # in its own body a CTE is not known (a recursive one reads itself)
                table = None if body is None else self._derived(body, {**ctes, name: None})
            else:
                table = self._table(catalog, schema, name)
        out.append(_Source(alias or name, table))
        return False

    def _values_table(self, node: dict[str, Any], aliases: list[str]) -> Table | None:
        """(VALUES (...), ...) AS v(a, b): its columns, jsonb where a row's value is and every
        other's is too, or a literal or NULL (which PostgreSQL reads as the column's type)."""
        ref = node.get("from_table") or {}
        items = node.get("select_list") or []
        rows = ref.get("values") if ref.get("type") == "EXPRESSION_LIST" else None
        if (
            not rows
            or len(items) != 1
            or items[0].get("class") != "STAR"
            or node.get("where_clause") is not None
            or any(len(r) != len(aliases) for r in rows)
        ):
            return None
        columns = tuple(str(a).lower() for a in aliases)
        declared = {
            c: _JSONB
            for i, c in enumerate(columns)
            if all(self._is_jsonb(r[i], []) or _no_value(r[i]) or _untyped(r[i]) for r in rows)
            and any(self._is_jsonb(r[i], []) for r in rows)
            and columns.count(c) == 1
        }
        return Table(columns, declared)

    def _renamed(self, ref: dict[str, Any], ctes: Ctes) -> Table | None:
        """A subquery's columns under its alias's column names (the first ones: the others keep
        theirs), where all are known: a VALUES list's as many as its first row has."""
        names = [str(n).lower() for n in ref.get("column_name_alias") or []]
        node = ref["subquery"]["node"]
        source = node.get("from_table") or {}
        items = node.get("select_list") or []
        if (
            node.get("type") == "SELECT_NODE"
            and source.get("type") == "EXPRESSION_LIST"
            and len(items) == 1
            and items[0].get("class") == "STAR"
        ):
            values = source.get("values") or []
            return Table(tuple(names), {}) if values and len(values[0]) == len(names) else None
        try:
            inner = self._select_list(node, ctes)
        except _Unresolved:
            return None
        if len(inner) < len(names) or any(n is None for n, _ in inner[len(names) :]):
            return None  # (a column the alias leaves unnamed keeps a name not known here)
        columns = (*names, *(str(n) for n, _ in inner[len(names) :]))
        declared = {
            new: t
            for new, (_, t) in zip(columns, inner, strict=True)
            if t is not None and columns.count(new) == 1
        }
        return Table(columns, declared)

    def _derived(self, node: dict[str, Any], ctes: Ctes) -> Table | None:
        """A subquery's or CTE's columns as a table's: their names where known, and the declared
        types of those that are plain column references."""
        try:
            inner = self._select_list(node, ctes)
        except _Unresolved:
            return None
        named = [(n, t) for n, t in inner if n is not None]
        columns = tuple(n for n, _ in named)
        declared = {n: t for n, t in named if t is not None and columns.count(n) == 1}
        return Table(columns, declared, len(named) == len(inner))

    # ---------------------------------------------------------------- the catalog

    def _search_path(self) -> tuple[str, list[tuple[str, str]]]:
        if self._path is None:
            rows = self.con.execute(_SEARCH_PATH).fetchall()
            db, schemas = rows[0] if rows else ("", [])
            path = []
            for s in schemas or ["main"]:
                d, _, sch = str(s).rpartition(".")
                path.append(((d or str(db)).lower(), sch.lower()))
            self._path = (str(db).lower(), path)
        return self._path

    def _table(self, catalog: str, schema: str, name: str) -> Table | None:
        """The table a name reads, as DuckDB resolves it; None for a view or anything unsure."""
        if self._views is None:
            self._views = self._view_names()
        db, path = self._search_path()
        if catalog or schema:
            # db.schema.name, schema.name, or db.name (its main schema): DuckDB says which of the
            # last two; where both exist nothing is assumed
            options = [(catalog, schema or "main")] if catalog else [(db, schema), (schema, "main")]
        else:
            # the first schema of the path that has it (inside a view: the view's schema first)
            options = [*([self._scope] if self._scope else []), ("temp", "main"), *path]
        hits = [(d, s) for d, s in options if (d, s, name) in self._tables or (d, s, name) in self._views]
        if not hits or (catalog or schema) and len(hits) > 1:
            return None
        d, s = hits[0]
        where = (d, s, name)
        if where in self._views:
            if where not in self._known:
                self._known[where] = self._view(where)
            return self._known[where]
        if where not in self._known:
            try:
                sig = _seam.bind(self.con, f"SELECT * FROM {_quote(d)}.{_quote(s)}.{_quote(name)}")
                columns = tuple(str(c).lower() for c in sig.names)
                json_columns = frozenset(
                    c for c, t in zip(columns, sig.types, strict=True) if str(t) == "JSON"
                )
                self._known[where] = Table(
                    columns, lengths_of(self._tables[where] or ""), base=True, json=json_columns
                )
            except duckdb.Error:
                self._known[where] = None
        return self._known[where]

    def _view_names(self) -> frozenset[tuple[str, str, str]]:
        return frozenset(
            (str(db).lower(), str(sch).lower(), str(v)) for db, sch, v in self.con.execute(_VIEWS).fetchall()
        )

    def _view(self, where: tuple[str, str, str]) -> Table | None:
        """A view's columns as a table's: the declared types of its query's select list, by
        position (a view may name its columns), its names resolved in its own schema first as DuckDB
        does; None when its query is not read."""
        if where in self._resolving:
            return None
        self._resolving.add(where)
        outer, self._scope = self._scope, where[:2]  # its names resolve in its own schema first
        try:
            rows = self.con.execute(_VIEW_SQL, list(where)).fetchall()
            m = _VIEW_QUERY.fullmatch(str(rows[0][0])) if len(rows) == 1 else None
            if m is None:
                return None
            found = self.con.execute("SELECT json_serialize_sql($1)", [m.group(1)]).fetchall()
            tree = json.loads(found[0][0]) if found else {}
            if tree.get("error") or len(tree.get("statements", [])) != 1:
                return None
            inner = self._select_list(tree["statements"][0]["node"])
            d, s, name = where
            sig = _seam.bind(self.con, f"SELECT * FROM {_quote(d)}.{_quote(s)}.{_quote(name)}")
            columns = tuple(str(c).lower() for c in sig.names)
            if len(columns) != len(inner):
                return None
            declared = {c: t for c, (_, t) in zip(columns, inner, strict=True) if t is not None}
            return Table(columns, declared)
        except (_Unresolved, duckdb.Error, KeyError, TypeError, ValueError, RecursionError):
            return None
        finally:
            self._resolving.discard(where)
            self._scope = outer


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


SORT_KEY = "pg_jsonb_sortkey"  # engine.jsonb.sort_key
# the macros whose value is jsonb only where an operand is (engine.jsonb: ||, -)
_MAY_BE_JSONB = ("__pg_jpick", "__pg_jlpick", "__pg_jminus", "__pg_jlminus")


def _keyed(text: str) -> str:
    """An ORDER BY key that is jsonb: its sort key; through the class macro where it may not be."""
    if any(m in text for m in _MAY_BE_JSONB):
        return f"{jsonb.SORT}({jsonb.CLS}({text}), {text})"
    return f"{SORT_KEY}(CAST({text} AS VARCHAR))"


_JSONB_COMPARISONS = frozenset({
    "COMPARE_LESSTHAN", "COMPARE_GREATERTHAN", "COMPARE_LESSTHANOREQUALTO", "COMPARE_GREATERTHANOREQUALTO",
    "COMPARE_EQUAL", "COMPARE_NOTEQUAL", "COMPARE_DISTINCT_FROM", "COMPARE_NOT_DISTINCT_FROM",
})  # fmt: skip


def _untyped(e: Any) -> bool:  # noqa: ANN401
    """A string literal, NULL or a parameter: PostgreSQL gives it the other operand's type."""
    if not isinstance(e, dict):
        return False
    if e.get("class") == "PARAMETER":
        return True
    return e.get("class") == "CONSTANT" and (e.get("literal") or {}).get("kind") in ("STRING", "NULL_LITERAL")


_ARRAY_HINT = "Write the array as ARRAY[...] of jsonb values, or compare with a subquery."


def _any_array(node: dict[str, Any]) -> Any:  # noqa: ANN401
    """x op ANY / ALL (array) as DuckDB's parse writes it, SELECT unnest(array) (the unnest at no
    place of the text): the array's expression; None for a subquery of the statement's own."""
    items = node.get("select_list") if node.get("type") == "SELECT_NODE" else None
    if not items or len(items) != 1 or (node.get("from_table") or {}).get("type") != "EMPTY":
        return None
    f = items[0]
    at = f.get("query_location") if isinstance(f, dict) else None
    if (
        f.get("class") != "FUNCTION"
        or f.get("function_name") != "unnest"
        or (isinstance(at, int) and at < 1 << 62)
    ):
        return None
    args = _arguments(f)
    return args[0] if len(args) == 1 and node.get("where_clause") is None else None


def _jsonb_array_cast(e: Any) -> dict[str, Any] | None:  # noqa: ANN401
    """x::jsonb[] / CAST(x AS jsonb[]) (pgcompat.jsonb writes jsonb JSON, json as written): the
    whole cast's place in the text (x::'s parse places it at the ::); else None."""
    if not isinstance(e, dict) or e.get("class") != "CAST" or e.get("try_cast"):
        return None
    t = e.get("type_expr") or {}
    inner = t.get("children") or []
    if t.get("type_name") != "list" or len(inner) != 1 or (inner[0] or {}).get("type_name") != "JSON":
        return None
    child = e.get("child") or {}
    at, length, start = e.get("query_location"), e.get("query_location_length"), child.get("query_location")
    if not all(isinstance(x, int) for x in (at, length, start)):
        return None
    if start > at:  # (CAST(x AS jsonb[]): the cast's own place)
        start = at
    return {
        "class": "JSONB_ARRAY_CAST",
        "query_location": start,
        "query_location_length": at + length - start,
    }


def _one_columns(node: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A subquery's one select-list expression (each branch's, of a set operation without an ORDER
    BY of its own); None where one is a star or there is not one."""
    if node.get("type") == "SET_OPERATION_NODE":
        if any(
            isinstance(m, dict) and m.get("type") == "ORDER_MODIFIER" for m in node.get("modifiers") or []
        ):
            return None
        out: list[dict[str, Any]] = []
        for child in node.get("children") or ():
            items = _one_columns(child)
            if items is None:
                return None
            out += items
        return out or None
    items = node.get("select_list") if node.get("type") == "SELECT_NODE" else None
    if not items or len(items) != 1 or not isinstance(items[0], dict) or items[0].get("class") == "STAR":
        return None
    return [items[0]]


def _span(e: Any, raw: bytes) -> str | None:  # noqa: ANN401
    """An expression's own text, where the parse tree's position gives a whole expression
    (balanced parentheses and quotes, no AND / OR of its own at its top level); else None."""
    if not isinstance(e, dict):
        return None
    at, length = e.get("query_location"), e.get("query_location_length")
    if not isinstance(at, int) or not isinstance(length, int) or length <= 0 or at + length > len(raw):
        return None
    text = raw[at : at + length].decode(errors="replace")
    depth, quote, word = 0, "", []
    for ch in text + " ":
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return None
        if depth == 0 and (ch.isalnum() or ch == "_"):
            word.append(ch)
            continue
        if depth == 0 and "".join(word).upper() in ("AND", "OR", "NOT", "AS"):
            return None
        word = []
    return text if depth == 0 and not quote else None


_COMPARISON_WORDS = {
    "COMPARE_LESSTHAN": "<", "COMPARE_GREATERTHAN": ">", "COMPARE_LESSTHANOREQUALTO": "<=",
    "COMPARE_GREATERTHANOREQUALTO": ">=", "COMPARE_EQUAL": "=", "COMPARE_NOTEQUAL": "<>",
}  # fmt: skip


def _no_order(kind: str, type_name: str) -> None:
    raise DbError("42883", f"could not identify an {kind} operator for type {type_name}")


def _order_refused() -> None:
    raise DbError(
        "0A000",
        "ORDER BY of a jsonb result column that DuckCDB cannot name is not supported",
        hint="Order by the expression itself, or by a column alias that no table column has.",
    )


def _no_function(what: str) -> None:
    raise DbError(
        "42883",
        f"function {what} does not exist",
        hint="No function matches the given name and argument types. You might need to add explicit type casts.",
    )


# (DuckDB's parse names char(n) VARCHAR(n): the rtrim / rpad around it says char)
_CHAR_NAMES = frozenset({"char", "character", "bpchar", "nchar", "varchar"})


def _char_length(e: Any) -> int | None:  # noqa: ANN401
    """n of CAST(x AS char(n))."""
    if not isinstance(e, dict) or e.get("class") != "CAST" or e.get("try_cast"):
        return None
    t = e.get("type_expr") or {}
    kids = t.get("children") or []
    if str(t.get("type_name") or "").lower() not in _CHAR_NAMES or len(kids) != 1:
        return None
    text = (kids[0].get("literal") or {}).get("text")
    return int(text) if isinstance(text, str) and text.isdigit() else None


def _char_cast(e: dict[str, Any]) -> int | None:
    """n of pgcompat.char_casts' explicit cast to char(n): rpad(CAST(x AS char(n)), n, ' ') as a
    result column, rtrim(substring(CAST(x AS char(n)), 1, n), ' ') elsewhere."""
    name = str(e.get("function_name") or "").lower()
    args = _arguments(e)
    if name == "rtrim" and len(args) == 2 and isinstance(args[0], dict) and _constant(args[1]) == " ":
        inner = _arguments(args[0])
        if str(args[0].get("function_name") or "").lower() == "substring" and len(inner) == 3:
            n = _char_length(inner[0])
            return n if n is not None and _constant(inner[2]) == str(n) else None
    if name == "rpad" and len(args) == 3 and _constant(args[2]) == " ":
        n = _char_length(args[0])
        return n if n is not None and _constant(args[1]) == str(n) else None
    return None


def _constant(e: Any) -> str | None:  # noqa: ANN401
    return (
        (e.get("literal") or {}).get("text") if isinstance(e, dict) and e.get("class") == "CONSTANT" else None
    )


# what a statement holds when it may name a select-list alias in a subquery of a WHERE, or in a
# subquery's own WHERE (read once per shape)
_SUBQUERY_WHERE = re.compile(r"\(\s*SELECT\b.*\bWHERE\b|\bWHERE\b.*\(\s*SELECT\b", re.I | re.S)
_AS = re.compile(r"\bAS\s", re.I)


def may_name_outer_alias(sql: str) -> bool:
    return _AS.search(sql) is not None and _SUBQUERY_WHERE.search(sql) is not None


def _no_operator(what: str) -> None:
    raise DbError(
        "42883",
        f"operator does not exist: {what}",
        hint="No operator matches the given name and argument types. You might need to add explicit type casts.",
    )


def _uncast(e: Any) -> Any:  # noqa: ANN401
    """The operand inside the rewrite's CAST(x AS VARCHAR) / CAST(to_json(x) AS VARCHAR)."""
    while isinstance(e, dict):
        if (
            e.get("class") == "CAST"
            and str((e.get("type_expr") or {}).get("type_name") or "").lower() in _TEXT_NAMES
        ):
            e = e.get("child")
        elif e.get("class") == "FUNCTION" and str(e.get("function_name") or "").lower() == "to_json":
            args = _arguments(e)
            if len(args) != 1:
                return e
            e = args[0]
        else:
            return e
    return e


def _arguments(e: dict[str, Any]) -> list[Any]:
    return [
        a.get("expression") if "expression" in a else a for a in e.get("arguments") or e.get("children") or []
    ]


def _type_word(e: Any) -> str:  # noqa: ANN401
    """How PostgreSQL names an operand's type in "operator does not exist" (a literal: unknown)."""
    if isinstance(e, dict):
        if e.get("class") == "CONSTANT":
            return "integer" if (e.get("literal") or {}).get("kind") == "INTEGER" else "unknown"
        if e.get("class") == "FUNCTION" and str(e.get("function_name") or "").lower() == "pg_jsonb":
            return "jsonb"
        if e.get("class") == "COLUMN_REF":
            return "jsonb"  # (a json one is named json by the caller)
    return "unknown"


_QUERY_START = frozenset({"SELECT", "WITH", "L_PAREN", "VALUES"})
_TABLE_AS_HEAD = frozenset({"OR", "REPLACE", "TEMPORARY", "TEMP", "IF", "NOT", "EXISTS"})


@dataclass(frozen=True)
class TableAs:
    """CREATE [OR REPLACE] [TEMP] TABLE [IF NOT EXISTS] name [(columns)] AS query, in parts."""

    head: str  # the text before the column list (or AS)
    name: str  # the table's name as written (schema.name too)
    last: str  # its last part as PostgreSQL names it in a notice (unquoted, or folded to lower case)
    columns: tuple[str, ...]  # the column list's names as written (empty: none)
    query: str  # the text after AS
    if_not_exists: bool
    or_replace: bool
    plain_query: bool  # SELECT, WITH, VALUES or a parenthesised query (not TABLE t)


@lru_cache(maxsize=256)
def table_as(sql: str) -> TableAs | None:
    """A CREATE TABLE AS (any of its forms, query SELECT, WITH, VALUES, TABLE or a parenthesised
    one), which PostgreSQL tags SELECT n; None for any other statement."""
    if sql.lstrip()[:6].upper() != "CREATE":
        return None
    try:
        toks = sqlglot.Dialect.get_or_raise("duckdb").tokenize(sql)
    except (sqlglot.errors.SqlglotError, ValueError):
        return None
    i = 1
    while i < len(toks) and toks[i].text.upper() in _TABLE_AS_HEAD:
        i += 1
    if i + 2 >= len(toks) or toks[i].text.upper() != "TABLE":
        return None
    words = {t.text.upper() for t in toks[:i]}
    i += 1
    while i < len(toks) and toks[i].text.upper() in _TABLE_AS_HEAD:
        words.add(toks[i].text.upper())
        i += 1  # IF NOT EXISTS
    first = i
    while i + 2 < len(toks) and toks[i + 1].token_type.name == "DOT":
        i += 2  # schema.name
    if i >= len(toks):
        return None
    last = sql[toks[i].start : toks[i].end + 1]
    name_end = i
    i += 1
    columns: list[str] = []
    if i < len(toks) and toks[i].token_type.name == "L_PAREN":
        j = i + 1
        while j + 1 < len(toks) and toks[j + 1].token_type.name in ("COMMA", "R_PAREN"):
            columns.append(sql[toks[j].start : toks[j].end + 1])
            j += 2
            if toks[j - 1].token_type.name == "R_PAREN":
                break
        else:
            return None  # not a list of names: a table's definition
        if toks[j - 1].token_type.name != "R_PAREN":
            return None
        i = j
    if i + 1 >= len(toks) or toks[i].token_type.name != "ALIAS":
        return None
    nxt = toks[i + 1]
    plain = nxt.token_type.name in _QUERY_START
    if not plain and nxt.text.upper() != "TABLE":
        return None
    return TableAs(
        head=sql[: toks[name_end + 1].start],
        name=sql[toks[first].start : toks[name_end].end + 1],
        last=_unquote(last) if last.startswith('"') else last.lower(),
        columns=tuple(columns),
        query=sql[toks[i].end + 1 :],
        if_not_exists="EXISTS" in words,
        or_replace="REPLACE" in words,
        plain_query=plain,
    )


def created_as(sql: str) -> TableAs | None:
    """A CREATE TABLE AS that made_by_query may make itself: not OR REPLACE (its query may read
    the table it replaces) and of a query INSERT takes (not TABLE t); None for the others (left
    to DuckDB as they are)."""
    parts = table_as(sql)
    return parts if parts is not None and parts.plain_query and not parts.or_replace else None


def made_by_query(
    con: duckdb.DuckDBPyConnection, sql: str, origins_of: Callable[[str], Origins | None]
) -> list[str] | None:
    """CREATE TABLE name AS query whose query has jsonb or varchar(n) / char(n) columns (a
    table's, or jsonb expressions): the table made with their CHECKs (pgwire.types), as
    PostgreSQL's new table has those columns' types, then filled by the query. None for any
    other statement, or where nothing is declared (DuckDB makes it as it is)."""
    parts = created_as(sql)
    if parts is None:
        return None
    query = parts.query
    origins = origins_of(query)
    if origins is None:
        return None
    try:
        sig = _seam.bind(con, query)
    except duckdb.Error:
        return None
    names, types = list(sig.names), [str(t) for t in sig.types]
    if len(parts.columns) > len(names):
        return None  # DuckDB's error (PostgreSQL's: too many column names)
    # a column list names the first columns (an unquoted name folded to lower case, as PostgreSQL does)
    named = [_unquote(c) if c.startswith('"') else c.lower() for c in parts.columns]
    final = named + names[len(named) :]
    if len({n.lower() for n in final}) != len(final) or any(t == '"NULL"' or "ENUM(" in t for t in types):
        return None  # DuckDB's own answer (or error) for these
    if parts.if_not_exists:
        try:
            _seam.bind(con, f"SELECT * FROM {parts.name}")
            return None  # it exists: DuckDB's statement does nothing (PostgreSQL's notice)
        except duckdb.Error:
            pass
    cols = [(n, oids.pg_type_for_duckdb(t)) for n, t in zip(names, types, strict=True)]
    checks = []
    for n, (_, pg) in zip(final, apply(names, cols, origins), strict=True):
        if pg.oid in (oids.JSONB, oids.JSONB_ARRAY):
            checks.append(oids.jsonb_check(_quote(n)))
        elif pg.oid in (oids.VARCHAR, oids.BPCHAR) and pg.typmod > 4:
            checks.append(oids.length_check(_quote(n), pg.oid, pg.typmod - 4))
    if not checks:
        return None
    columns = [f"{_quote(n)} {t}" for n, t in zip(final, types, strict=True)]
    return [f"{parts.head}({', '.join(columns + checks)})", f"INSERT INTO {parts.name} {query}"]


# ---------------------------------------------------------------- UPDATE and DELETE read as a SELECT
# DuckDB's json_serialize_sql serializes SELECTs only: jsonb_calls reads an UPDATE or DELETE as the
# SELECT of what it reads (its SET values and RETURNING list over its target, FROM / USING and
# WHERE), with each of those texts kept as written, and maps its edits back onto the statement.

_EDIT_HEADS = frozenset({"UPDATE", "DELETE", "INSERT", "CREATE"})
_WRITE_HEADS = frozenset({"UPDATE", "DELETE", "INSERT", "MERGE"})  # (what a WITH's statement is)
_WITH = re.compile(r"\s*with\b", re.I)
_DO_UPDATE = re.compile(r"\bdo\s+update\b", re.I)  # (INSERT ... ON CONFLICT ... DO UPDATE)
_SELECT_WORD = re.compile(r"\bselect\b", re.I)
_EDIT_WORD = re.compile(r"\b(?:update|delete|insert|merge)\b", re.I)
# where each clause of an UPDATE / DELETE ends (at its top level)
_UPDATE_CLAUSES = ("SET", "FROM", "WHERE", "RETURNING")
_DELETE_CLAUSES = ("USING", "WHERE", "RETURNING")


# the edits jsonb_calls makes in a write's query: jsonb's order (a comparison's or ORDER BY's sort
# keys; _keyed); its other edits are a SELECT's result columns', and the engine's own rewrites of a
# write (engine.bpchar's values written) are not a SELECT's to read so
_KEYS = (
    SORT_KEY.encode(),
    jsonb.SORT.encode(),
    b"list_transform(CAST(",
)  # (an array's: _array_comparison_site)


@dataclass(frozen=True)
class EditAsSelect:
    """An UPDATE / DELETE's SELECT (query) and where its pieces are the statement's text: (offset
    in the query's bytes, offset in the statement's bytes, length in bytes)."""

    query: str
    pieces: tuple[tuple[int, int, int], ...]

    def sites_in_edit(self, sites: dict[int, tuple[int, bytes]]) -> dict[int, tuple[int, bytes]]:
        """The query's edits (jsonb_calls' sites) at their places in the statement; an edit that
        is not inside one piece (none is: each is of one expression) is refused, never dropped."""
        out: dict[int, tuple[int, bytes]] = {}
        for at, (end, new) in sites.items():
            piece = next((p for p in self.pieces if p[0] <= at and end <= p[0] + p[2]), None)
            if piece is None:
                raise DbError("0A000", "this write's comparison of jsonb is not supported")
            shift = piece[1] - piece[0]
            out[at + shift] = (end + shift, new)
        return out


def _is_merge(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    return head[:5] == "MERGE" and not (head[5:].isalnum() or head[5:] == "_")


def _edit_refused() -> None:
    raise DbError(
        "0A000",
        "this MERGE or INSERT ... ON CONFLICT's comparison of jsonb is not supported",
        hint="Write it as UPDATE / INSERT ... SELECT statements, or compare jsonb in a subquery.",
    )


def _is_edit(sql: str) -> bool:
    """Whether sql may be an UPDATE, DELETE, INSERT, MERGE or CREATE TABLE AS (a cheap look:
    select_of_edit reads it)."""
    if sql.lstrip()[:6].upper() in _EDIT_HEADS or _is_merge(sql):
        return True
    return _WITH.match(sql) is not None and _EDIT_WORD.search(sql) is not None


@lru_cache(maxsize=256)
def select_of_edit(sql: str) -> EditAsSelect | None:
    """[WITH ...] UPDATE target SET c = v, ... [FROM f] [WHERE w] [RETURNING r] as
    [WITH ...] SELECT v, ..., r FROM target, f WHERE w; [WITH ...] DELETE FROM target [USING u]
    [WHERE w] [RETURNING r] as [WITH ...] SELECT r FROM target, u WHERE w. None for any other
    statement (or one not read here)."""
    if sql.lstrip()[:6].upper() == "CREATE":
        made = table_as(sql)
        if made is None or not made.plain_query:
            return None
        return _assembled(sql, [(len(sql) - len(made.query), len(sql))])
    try:
        toks = sqlglot.Dialect.get_or_raise("duckdb").tokenize(sql)
    except (sqlglot.errors.SqlglotError, ValueError):
        return None
    top: list[tuple[str, int, int]] = []  # (the top-level token's type, its start, its end + 1)
    depth = 0
    for t in toks:
        kind = t.token_type.name
        if kind in ("L_PAREN", "L_BRACKET"):
            depth += 1
        elif kind in ("R_PAREN", "R_BRACKET"):
            depth -= 1
        elif depth == 0:
            top.append((kind, t.start, t.end + 1))
    head = next((i for i, t in enumerate(top) if t[0] in _WRITE_HEADS), None)
    if head is None or (head > 0 and top[0][0] != "WITH"):
        return None
    end = next((t[1] for t in top[head:] if t[0] == "SEMICOLON"), len(sql))
    body = [t for t in top[head:] if t[1] < end]
    prefix: list[str | tuple[int, int]] = [(top[0][1], top[head][1])] if head > 0 else []
    if top[head][0] == "INSERT":
        return _insert_query(sql, body, end, prefix)
    if top[head][0] == "MERGE":
        return _merge_query(sql, body, end, prefix)
    if top[head][0] == "UPDATE":
        clauses, first = _UPDATE_CLAUSES, 1
    elif len(body) > 1 and body[1][0] == "FROM":
        clauses, first = _DELETE_CLAUSES, 2
    else:
        return None
    if len(body) > first and body[first][0] == "ONLY":
        first += 1
    # each clause's text: (start, end) in characters; "" for the target
    spans: dict[str, tuple[int, int]] = {}
    name, start = "", body[first][1] if len(body) > first else end
    order = ("", *clauses)
    for k, (kind, at, after) in enumerate(body[first:], first):
        # (clauses in their order; IS [NOT] DISTINCT FROM's FROM is an operator's)
        if kind in clauses and order.index(kind) > order.index(name) and body[k - 1][0] != "DISTINCT":
            spans[name] = (start, at)
            name, start = kind, after
    spans[name] = (start, end)
    if "" not in spans or (clauses is _UPDATE_CLAUSES and "SET" not in spans):
        return None
    values = _set_values(body, spans["SET"]) if "SET" in spans else []
    if values is None:
        return None
    items = values + ([spans["RETURNING"]] if "RETURNING" in spans else [])
    extra = spans.get("FROM") or spans.get("USING")
    parts = [*prefix, "SELECT "]
    for k, item in enumerate(items):
        parts += [", " if k else "", item, "\n"]
    parts += ["" if items else "NULL", " FROM ", spans[""], "\n"]
    if extra is not None:
        parts += [", ", extra, "\n"]
    if "WHERE" in spans:
        parts += [" WHERE ", spans["WHERE"], "\n"]
    return _assembled(sql, parts)


def _insert_query(
    sql: str, body: list[tuple[str, int, int]], end: int, prefix: list[str | tuple[int, int]]
) -> EditAsSelect | None:
    """INSERT INTO target [(columns)] query [ON CONFLICT ...] [RETURNING r]: its query (SELECT or
    WITH), with RETURNING's list over the target beside it; and ON CONFLICT ... DO UPDATE's SET
    values and WHERE (_conflict_update). None where neither is read (VALUES without DO UPDATE)."""
    start = next((k for k, t in enumerate(body) if t[0] in ("SELECT", "WITH", "VALUES", "DEFAULT")), None)
    if start is None or start < 3:
        return None
    stop = next((k for k in range(start + 1, len(body)) if _ends_insert_query(sql, body, k)), len(body))
    into = 2 if body[1][0] == "INTO" else 1
    target = (body[into][1], body[start - 1][2])
    conflict = _conflict_update(sql, body, stop, end, target)
    parts: list[str | tuple[int, int]] = []
    if body[start][0] in ("SELECT", "WITH"):
        query = (body[start][1], body[stop][1] if stop < len(body) else end)
        returning = next((t for t in body[stop:] if t[0] == "RETURNING"), None)
        if returning is None:
            parts = [query]
        else:
            parts = ["SELECT ", (returning[2], end), "\n FROM ", target, "\n, (", query, "\n) AS __q"]
    if conflict is None:
        return _assembled(sql, [*prefix, *parts]) if parts else None
    if not parts:
        return _assembled(sql, [*prefix, *conflict])
    return _assembled(sql, [*prefix, "SELECT 1 FROM (", *parts, "\n) AS __i WHERE EXISTS (", *conflict, ")"])


def _merge_query(
    sql: str, body: list[tuple[str, int, int]], end: int, prefix: list[str | tuple[int, int]]
) -> EditAsSelect | None:
    """MERGE INTO target USING source ON c WHEN [NOT] MATCHED [...] [AND w] THEN UPDATE SET
    c = v, ... | INSERT [(columns)] VALUES (v, ...) | DELETE | DO NOTHING ... as SELECT w, ...,
    v, ..., (v, ...) FROM target, source WHERE c. None where a clause is not read so (a source
    with a join of its own, RETURNING, an action not known here)."""
    if len(body) < 2 or body[1][0] != "INTO":
        return None
    using = next((k for k, t in enumerate(body) if t[0] == "USING"), None)
    on = next((k for k in range(using or len(body), len(body)) if body[k][0] == "ON"), None)
    if using is None or on is None or any(t[0] in ("JOIN", "RETURNING") for t in body):
        return None
    level, case = [0] * len(body), 0  # (a CASE's WHEN / THEN are its own)
    for k in range(on + 1, len(body)):
        case += body[k][0] == "CASE"
        level[k] = case
        case -= body[k][0] == "END" and case > 0
    whens = [k for k in range(on + 1, len(body)) if level[k] == 0 and body[k][0] == "WHEN"]
    if not whens:
        return None
    items: list[tuple[int, int]] = []
    for w, stop in zip(whens, [*whens[1:], len(body)], strict=True):
        clause_end = body[stop][1] if stop < len(body) else end
        then = next((k for k in range(w, stop) if body[k][0] == "THEN" and level[k] == 0), None)
        if then is None or then + 1 >= stop:
            return None
        cond = next((k for k in range(w, then) if body[k][0] == "AND"), None)
        if cond is not None:
            items.append((body[cond][2], body[then][1]))
        action = body[then + 1][0]
        if action == "UPDATE" and then + 2 < stop and body[then + 2][0] == "SET":
            values = _set_values(body, (body[then + 2][2], clause_end))
            if values is None:
                return None
            items += values
        elif action == "INSERT":
            values_at = next((k for k in range(then + 1, stop) if body[k][0] == "VALUES"), None)
            if values_at is not None:
                items.append((body[values_at][2], clause_end))
            elif not any(body[k][0] == "DEFAULT" for k in range(then + 1, stop)):
                return None
        elif action not in ("DELETE", "VAR"):  # (DO NOTHING: DO is a name to the tokenizer)
            return None
    parts: list[str | tuple[int, int]] = [*prefix, "SELECT "]
    for k, item in enumerate(items):
        parts += [", " if k else "", item, "\n"]
    parts += [
        "" if items else "NULL",
        " FROM ",
        (body[2][1], body[using][1]),
        "\n, ",
        (body[using][2], body[on][1]),
    ]
    parts += ["\n WHERE ", (body[on][2], body[whens[0]][1]), "\n"]
    return _assembled(sql, parts)


def _conflict_update(
    sql: str, body: list[tuple[str, int, int]], k: int, end: int, target: tuple[int, int]
) -> list[str | tuple[int, int]] | None:
    """ON CONFLICT [...] DO UPDATE SET c = v, ... [WHERE w] [RETURNING ...] (from body's token k)
    as SELECT 1 FROM target's table AS excluded WHERE EXISTS (SELECT v, ... FROM target WHERE w):
    the target's columns named alone are its own (the inner query's), excluded's the outer one's."""
    if k + 1 >= len(body) or body[k][0] != "ON":
        return None
    do = next((i for i in range(k + 2, len(body)) if sql[body[i][1] : body[i][2]].lower() == "do"), None)
    if do is None or do + 2 >= len(body) or body[do + 1][0] != "UPDATE" or body[do + 2][0] != "SET":
        return None
    stops = [i for i in range(do + 3, len(body)) if body[i][0] in ("WHERE", "RETURNING")]
    set_end = body[stops[0]][1] if stops else end
    values = _set_values(body, (body[do + 2][2], set_end))
    if values is None:
        return None
    where = stops[0] if stops and body[stops[0]][0] == "WHERE" else None
    where_end = next((body[i][1] for i in stops if body[i][0] == "RETURNING"), end)
    named = [t for t in body if target[0] <= t[1] < target[1]]
    alias = next((i for i, t in enumerate(named) if t[0] == "ALIAS"), len(named))
    table = (named[0][1], named[alias - 1][2]) if alias > 0 else target
    parts: list[str | tuple[int, int]] = ["SELECT 1 FROM ", table, " AS excluded WHERE EXISTS (SELECT "]
    for i, value in enumerate(values):
        parts += [", " if i else "", value, "\n"]
    parts += ["" if values else "NULL", " FROM ", target, "\n"]
    if where is not None:
        parts += [" WHERE ", (body[where][2], where_end), "\n"]
    return [*parts, ")"]


def _ends_insert_query(sql: str, body: list[tuple[str, int, int]], k: int) -> bool:
    """Whether INSERT's top-level token k ends its query: RETURNING, or ON CONFLICT's ON (not a join's)."""
    if body[k][0] == "RETURNING":
        return True
    return (
        body[k][0] == "ON"
        and k + 1 < len(body)
        and sql[body[k + 1][1] : body[k + 1][2]].lower() == "conflict"
    )


def _set_values(body: list[tuple[str, int, int]], span: tuple[int, int]) -> list[tuple[int, int]] | None:
    """The values of SET c = v, (c, d) = (v, w), ...: their spans (a DEFAULT's none); None when an
    assignment has no = at its top level."""
    values: list[tuple[int, int]] = []
    item = [t for t in body if span[0] <= t[1] < span[1]]
    groups: list[list[tuple[str, int, int]]] = [[]]
    for t in item:
        if t[0] == "COMMA":
            groups.append([])
        else:
            groups[-1].append(t)
    bounds = [t[1] for t in item if t[0] == "COMMA"] + [span[1]]
    for group, stop in zip(groups, bounds, strict=True):
        eq = next((t for t in group if t[0] == "EQ"), None)
        if eq is None:
            return None
        rest = [t for t in group if t[1] > eq[1]]
        if len(rest) == 1 and rest[0][0] == "DEFAULT" and rest[0][2] == rest[0][1] + 7:
            continue
        values.append((eq[2], stop))
    return values


def _assembled(sql: str, parts: list[str | tuple[int, int]]) -> EditAsSelect:
    """The query of parts (new text, or a span of sql's characters kept as written) and where its
    kept pieces are in sql, in bytes."""
    out: list[bytes] = []
    pieces: list[tuple[int, int, int]] = []
    size = 0
    for part in parts:
        if isinstance(part, str):
            data = part.encode()
        else:
            data = sql[part[0] : part[1]].encode()
            pieces.append((size, len(sql[: part[0]].encode()), len(data)))
        out.append(data)
        size += len(data)
    return EditAsSelect(b"".join(out).decode(), tuple(pieces))


_RETURNING = re.compile(r"\breturning\b", re.I)


@lru_cache(maxsize=1024)
def returning_query(sql: str) -> str | None:
    """INSERT / UPDATE / DELETE ... RETURNING list as a SELECT of its target table (and of an
    UPDATE's FROM, a DELETE's USING): its origins are the RETURNING columns' (PostgreSQL gives a
    RETURNING column of a jsonb or varchar(n) column that column's type). None without RETURNING
    or where the statement is not read."""
    if _RETURNING.search(sql) is None:
        return None
    try:
        tree = sqlglot.parse_one(sql, dialect="duckdb")
    except (sqlglot.errors.SqlglotError, ValueError, RecursionError):
        return None
    if not isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        return None
    returning = tree.args.get("returning")
    target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    if not isinstance(returning, exp.Returning) or not isinstance(target, exp.Table) or tree.args.get("with"):
        return None
    sources = [target.copy()]
    extra = tree.args.get("from_") if isinstance(tree, exp.Update) else tree.args.get("using")
    if isinstance(extra, exp.From):
        sources.append(extra.this.copy())
    elif isinstance(extra, list):
        sources += [e.copy() for e in extra]
    try:
        query = exp.select(*(e.copy() for e in returning.expressions)).from_(sources[0])
        for s in sources[1:]:
            query = query.join(s, join_type="cross")
        return query.sql(dialect="duckdb")
    except (sqlglot.errors.SqlglotError, ValueError):
        return None


def apply(
    names: Sequence[str], cols: list[tuple[str, oids.PgType]], origins: Origins | None
) -> list[tuple[str, oids.PgType]]:
    """The result columns with their declared types, where DuckDB's column is text (or JSON, for
    a jsonb) and the statement's select list says which table column or jsonb expression it is.
    names: DuckDB's own column names."""
    if origins is None or len(origins) != len(cols) or len(names) != len(cols):
        return cols
    for n, (expected, _) in zip(names, origins, strict=True):
        if expected is not None and n.lower() != expected:
            return cols  # the select list did not line up: nothing is assumed
    return [(name, _declared(t, declared)) for (name, t), (_, declared) in zip(cols, origins, strict=True)]


def _declared(t: oids.PgType, declared: oids.PgType | None) -> oids.PgType:
    if declared is None:
        return t
    if declared.oid == oids.JSONB:  # a jsonb column, or jsonb[]
        return declared if t.oid == oids.JSON else _JSONB_ARRAY if t.oid == oids.JSON_ARRAY else t
    return declared if t.oid == oids.TEXT and t.typmod == -1 else t
