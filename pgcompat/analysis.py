"""What a statement does, from sqlglot's syntax tree: kind, tables, functions, settings, commands.

The analysis depends only on the statement text and is cached by it; verdicts (policies.sandbox)
combine it with the current policy, so a changed policy applies to the next statement.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.tokens import TokenType

from pgcompat import calls, column_names, lexer
from pgcompat.statements import SqlSyntaxError, Statement, split

logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its "falling back to Command" warnings

# A table "name" that is a file DuckDB would read (FROM 'data.csv').
_FILE_NAME = re.compile(
    r"\.(csv|tsv|txt|parquet|json|jsonl|ndjson|gz|zst|xlsx|arrow|feather|avro|duckdb|db|sqlite3?)(\.|$)", re.I
)

# Statement kinds sqlglot keeps as an opaque Command: first words name them.
_COMMAND_WORDS = ("ATTACH", "DETACH", "USE", "INSTALL", "FORCE", "LOAD", "EXPORT", "IMPORT", "PRAGMA", "CALL")


@dataclass(frozen=True)
class Analysis:
    kind: str  # sqlglot's expression class (Select, Insert, Create, Command, ...)
    command: str  # leading keywords for commands (ATTACH, INSTALL, CREATE SECRET, ...), else ""
    tables: frozenset[tuple[str, str, str]]  # (catalog, schema, name), lower-case, "" when absent
    functions: frozenset[str]  # every function and table function called, lower-case
    settings: frozenset[str]  # settings SET / RESET / PRAGMA touch, lower-case
    string_args: tuple[tuple[str, str], ...]  # (function, string literal argument)
    file_tables: frozenset[str] = frozenset()  # FROM 'file.csv': DuckDB reads a file named as a table
    ctes: frozenset[str] = frozenset()  # names a WITH clause defines (not tables of any schema)
    target: tuple[str, str, str] | None = None  # the table an INSERT/UPDATE/DELETE/MERGE writes
    parse_error: str | None = None
    # CREATE TABLE / VIEW ... AS <query> (and SELECT INTO): the object it creates, whose query
    # reads the other tables.
    creates_from_query: tuple[str, str, str] | None = None
    # PostgreSQL's result column names of a SELECT where DuckDB's differ (pgcompat.column_names).
    column_names: tuple[str | None, ...] | None = None
    # Every function called, unquoted and lower-case as DuckDB resolves it (pgcompat.calls): in
    # expressions, and in FROM / JOIN / LATERAL (table functions, a separate namespace).
    calls: frozenset[str] = frozenset()
    table_calls: frozenset[str] = frozenset()
    # Functions whose first argument is judged (current_setting, nextval, ...) called otherwise
    # than name('literal', ...).
    loose_calls: frozenset[str] = frozenset()
    # DDL other than CREATE TABLE / VIEW AS: the tables its queries read (CREATE MACRO bodies,
    # CREATE TYPE ... AS ENUM (SELECT ...)), which need SELECT as the query alone would.
    ddl_reads: frozenset[tuple[str, str, str]] = frozenset()
    # CREATE / DROP MACRO / FUNCTION: the name it creates or drops, lower-case.
    creates_function: str | None = None


def _name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower() if not isinstance(node, exp.Anonymous) else str(node.name).lower()
    return ""


def _parse(text: str) -> exp.Expression:
    last: Exception | None = None
    for dialect in ("duckdb", "postgres"):
        try:
            tree = lexer.parse_one(text, dialect)
            if tree is not None:
                return tree
        except sqlglot.errors.SqlglotError as e:
            last = e
    raise last or ValueError("empty statement")


@lru_cache(maxsize=4096)
def _analyze_text(text: str, words: tuple[str, ...]) -> Analysis:
    try:
        tree = _parse(text)
    except Exception as e:  # sqlglot's errors, and the rare internal failure on odd input
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        return Analysis("Unparsed", "", frozenset(), frozenset(), frozenset(), (), parse_error=message)
    tables = set()
    file_tables = set()
    for t in tree.find_all(exp.Table):
        tables.add((str(t.catalog or "").lower(), str(t.db or "").lower(), str(t.name or "").lower()))
        name = str(t.name or "")
        if isinstance(t.this, exp.Literal) or any(ch in name for ch in "/:\\") or _FILE_NAME.search(name):
            file_tables.add(str(t.name))
    functions: set[str] = set()
    string_args: list[tuple[str, str]] = []
    for f in tree.find_all(exp.Func):
        fname = _name(f)
        # sqlglot parses read_csv('x') as ReadCSV, table functions as Anonymous inside Table.
        sql_name = getattr(f, "sql_name", None)
        if isinstance(f, exp.Anonymous):
            fname = calls.unquote(str(f.this))
        elif sql_name:
            fname = f.sql_name().lower()
        functions.add(fname)
        for lit in f.find_all(exp.Literal):
            if lit.is_string:
                string_args.append((fname, lit.this))
    settings: set[str] = set()
    if isinstance(tree, exp.Set):
        for item in tree.expressions:
            target = item.this if isinstance(item, exp.SetItem) else item
            left = target.this if isinstance(target, exp.EQ) else target
            settings.add(str(left.name if hasattr(left, "name") else left).lower())
    scalar_calls, table_calls = calls.from_tree(tree)
    command = ""
    if words and words[0] in _COMMAND_WORDS:
        command = " ".join(w for w in words[:2] if w)
    if (
        words[:2] in (("CREATE", "SECRET"), ("CREATE", "PERSISTENT"))
        or "SECRET" in words[:4]
        and words[0] == "CREATE"
    ):
        command = "CREATE SECRET"
    if isinstance(tree, exp.Pragma):
        command = "PRAGMA"
    return Analysis(
        type(tree).__name__,
        command,
        frozenset(tables),
        frozenset(functions),
        frozenset(settings),
        tuple(string_args),
        frozenset(file_tables),
        frozenset(str(c.alias).lower() for c in tree.find_all(exp.CTE)),
        _target(tree),
        creates_from_query=_created_from_query(tree),
        column_names=column_names.from_tree(tree, text),
        calls=frozenset(scalar_calls),
        table_calls=frozenset(table_calls),
        ddl_reads=_queried_tables(tree) if isinstance(tree, exp.Create | exp.Alter) else frozenset(),
    )


def _queried_tables(tree: exp.Expression) -> frozenset[tuple[str, str, str]]:
    """The tables the queries inside a statement read (not the object a DDL statement names)."""
    ctes = {str(c.alias).lower() for c in tree.find_all(exp.CTE)}
    out = set()
    for q in tree.find_all(exp.Query):
        for t in q.find_all(exp.Table):
            name = str(t.name or "").lower()
            if isinstance(t.this, exp.Identifier) and not (name in ctes and not t.db):
                out.add((str(t.catalog or "").lower(), str(t.db or "").lower(), name))
    return frozenset(out)


def _created_from_query(tree: exp.Expression) -> tuple[str, str, str] | None:
    if not isinstance(tree, exp.Create) or not isinstance(tree.expression, exp.Query):
        return None
    t = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    if not isinstance(t, exp.Table):
        return None
    return (str(t.catalog or "").lower(), str(t.db or "").lower(), str(t.name or "").lower())


def _target(tree: exp.Expression) -> tuple[str, str, str] | None:
    if not isinstance(tree, exp.Insert | exp.Update | exp.Delete | exp.Merge):
        return None
    t = tree.this
    if isinstance(t, exp.Schema):  # INSERT INTO t (a, b)
        t = t.this
    if not isinstance(t, exp.Table):
        return None
    return (str(t.catalog or "").lower(), str(t.db or "").lower(), str(t.name or "").lower())


# Statement kinds that name no table, function or file (cursor, transaction and session control).
_TRIVIAL_KINDS = frozenset(
    {
        "begin",
        "commit",
        "rollback",
        "savepoint",
        "release",
        "rollback_to",
        "fetch",
        "move",
        "close",
        "deallocate",
        "discard",
        "unlisten",
    }
)
# DECLARE c CURSOR FOR <query>, PREPARE p AS <query>: the query inside is what runs.
_INNER = re.compile(
    r"^\s*(?:DECLARE\s.*?\bCURSOR\b.*?\bFOR\b|PREPARE\s+\S+(?:\s*\([^)]*\))?\s+AS\b)(?P<q>.*)$", re.I | re.S
)
_EXPLAIN = re.compile(
    r"^\s*EXPLAIN\s+(?:\([^)]*\)\s*)?(?:(?:ANALYZE|ANALYSE|VERBOSE)\s+)*(?P<q>.*)$", re.I | re.S
)
_NUMBER = re.compile(r"(?<![\w$.])\d+(?:\.\d+)?(?![\w.])")
_TRIVIAL = Analysis("Trivial", "", frozenset(), frozenset(), frozenset(), ())


def _called(st: Statement) -> frozenset[str]:
    """Every name written as a call (name followed by '('), whatever sqlglot made of the statement."""
    toks = st.tokens
    return frozenset(
        t.text.lower()
        for t, nxt in zip(toks, toks[1:], strict=False)
        if nxt.token_type == TokenType.L_PAREN and st.text[t.start - toks[0].start] not in "'\""
    )


# Schemas that are the system's, not the tenant's; `main` is DuckDB's default schema, which
# clients know as `public`.
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "temp", "system"})
DEFAULT_SCHEMA = "main"


def canonical_schema(schema: str) -> str:
    return DEFAULT_SCHEMA if schema in ("", "public", DEFAULT_SCHEMA) else schema


def tenant_tables(a: Analysis, dictionary_views: frozenset[str]) -> list[tuple[str, str]]:
    """(schema, name) of the tenant's own tables a statement names: not the catalogs, not the
    dictionary views, not its CTEs, not files; schema canonical (main for public or none)."""
    out = set()
    for _catalog, schema, name in a.tables:
        if not name or schema in SYSTEM_SCHEMAS or name.startswith(("pg_", "duckdb_")):
            continue
        if not schema and (name in a.ctes or name.upper() in dictionary_views or name in a.file_tables):
            continue
        out.add((canonical_schema(schema), name))
    return sorted(out)


def analyze(st: Statement) -> Analysis:
    """The analysis of the client's own text, with PostgreSQL's syntax and functions in DuckDB
    terms (pgcompat.syntax, pgcompat.functions: what runs is what is judged); what the catalog
    rewrites add after that is ours, and trusted. Computed once per statement text: the one parse
    that the verdicts, lockdown and column naming share."""
    a = st.memo.get("analysis")
    if a is None:
        a = st.memo["analysis"] = _analyze(st)
    return a


def _analyze(st: Statement) -> Analysis:
    if st.kind in _TRIVIAL_KINDS:
        return _TRIVIAL
    if st.tokens and st.tokens[0].token_type == TokenType.COMMAND:
        # The tokenizer keeps the rest of EXPLAIN ... as one string: analyse the statement inside.
        m = _EXPLAIN.match(st.text)
        try:
            inner = split(m.group("q")) if m is not None else ()
        except SqlSyntaxError as e:  # refused, as the statement on its own would be
            return Analysis(
                "Unparsed",
                "",
                frozenset(),
                frozenset(),
                frozenset(),
                (),
                parse_error=str(e).removeprefix("syntax error: "),
            )
        if len(inner) == 1:
            return analyze(inner[0])
    text = st.checked or st.text
    if st.kind in ("declare", "prepare"):
        m = _INNER.match(text)
        if m is not None:
            text = m.group("q")
    # Statements that differ only in numbers (point queries with literal ids) share one analysis:
    # no verdict depends on a number.
    a = _analyze_text(_NUMBER.sub("0", text), st.words[:4])
    called = _called(st)
    scalar, table = calls.from_tokens(st.tokens, opaque=a.kind in ("Command", "Unparsed"))
    loose = _loose_calls(st, scalar | a.calls)
    created = _created_function(st)
    reads = _inner_query_reads(st) if st.kind == "ddl" and a.kind == "Command" else frozenset()
    if reads:  # sqlglot kept the DDL opaque: what its queries read counts as named too
        a = dataclasses.replace(a, tables=a.tables | reads, ddl_reads=reads)
    if called - a.functions or scalar - a.calls or table - a.table_calls or loose or created:
        a = dataclasses.replace(
            a,
            functions=a.functions | called,
            calls=a.calls | scalar,
            table_calls=a.table_calls | table,
            loose_calls=loose,
            creates_function=created,
        )
    return a


_QUERY_WORDS = frozenset({"SELECT", "FROM", "WITH", "TABLE", "VALUES"})


def _inner_query_reads(st: Statement) -> frozenset[tuple[str, str, str]]:
    """Tables read by the parenthesized queries of a DDL statement sqlglot could not parse
    (CREATE TYPE t AS ENUM (SELECT ...)); an inner query that does not parse reads `?`, which no
    one holds a privilege on."""
    toks = st.tokens
    base = toks[0].start
    out: set[tuple[str, str, str]] = set()
    for i in range(len(toks) - 1):
        if toks[i].token_type != TokenType.L_PAREN or toks[i + 1].text.upper() not in _QUERY_WORDS:
            continue
        end = calls.matching(toks, i)
        if end >= len(toks):
            continue
        inner = st.text[toks[i + 1].start - base : toks[end].start - base]
        try:
            out |= _queried_tables(_parse(inner))
        except Exception:  # noqa: BLE001 - unparsable: refused by the privilege check
            out.add(("", "", "?"))
    return frozenset(out)


# Functions whose first argument names what they touch (a parameter, a sequence): judged only
# when it is a plain literal.
_LITERAL_ONLY = ("current_setting", "nextval", "currval", "setval")


def _loose_calls(st: Statement, called: frozenset[str] | set[str]) -> frozenset[str]:
    """_LITERAL_ONLY functions that will run otherwise than name('literal'). Judged on the SQL the
    engine runs: the catalog emulation answers current_setting(expr) from its own pg_settings and
    leaves current_setting('engine parameter') to DuckDB (then the literal is judged)."""
    names = [n for n in _LITERAL_ONLY if n in called]
    if not names:
        return frozenset()
    try:
        toks = tuple(lexer.tokenize(st.engine_sql, "duckdb"))
    except Exception:  # what cannot be tokenized is not judged loose here: the parse refuses it
        return frozenset(names)
    return frozenset(n for n in names if not calls.literal_only(toks, n))


_CREATE_SKIP = frozenset({"OR", "REPLACE", "TEMP", "TEMPORARY", "IF", "NOT", "EXISTS", "TABLE"})


def _created_function(st: Statement) -> str | None:
    """The function a CREATE / DROP MACRO / FUNCTION names (last part of a dotted name)."""
    if st.kind != "ddl" or st.tag not in ("CREATE FUNCTION", "DROP FUNCTION"):
        return None
    toks = st.tokens
    for i, t in enumerate(toks):
        if t.text.upper() in ("MACRO", "FUNCTION") and t.token_type != TokenType.IDENTIFIER:
            j = i + 1
            while j + 1 < len(toks) and toks[j].text.upper() in _CREATE_SKIP and toks[j + 1].text != ".":
                j += 1
            while j + 2 < len(toks) and toks[j + 1].token_type == TokenType.DOT:
                j += 2
            return toks[j].text.lower() if j < len(toks) else None
    return None


_NAMED_KINDS = frozenset({"select", "insert", "update", "delete"})


def result_names(st: Statement) -> list[str | None] | None:
    """PostgreSQL's names for the columns of a SELECT (or of RETURNING) where DuckDB's differ, else
    None. A statement whose PostgreSQL functions were translated is named after the functions the
    client wrote."""
    if st.kind not in _NAMED_KINDS:
        return None
    names = column_names.of_text(st.text) if st.checked else analyze(st).column_names
    return list(names) if names is not None else None
