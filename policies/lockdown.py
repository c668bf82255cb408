"""Lockdown profiles: what the PDB_LOCKDOWN in force lets a PDB's users do.

A statement is refused when a rule of the profile in force disables one of the Oracle statements,
clauses, options, features or database options it uses (ORA-01031, SQLSTATE 42501). The profile in
force in a PDB is the PDB's own PDB_LOCKDOWN, else the CDB-wide one (set in CDB$ROOT); nothing is
locked down in CDB$ROOT itself. A profile created with INCLUDING base applies base's rules first, as
they are at check time, then its own. Rules apply in the order they were added: the last rule that
matches decides, so a later ENABLE re-allows what an earlier DISABLE (or DISABLE ... ALL) forbade.
USERS = COMMON / LOCAL restricts a rule to common (C##, SYS) or local users. VALUE restricts a rule
to SET statements giving the option one of those values; MINVALUE / MAXVALUE give the allowed range:
a DISABLE rule refuses values outside it (and values that are not numbers), an ENABLE rule re-allows
values inside it. Numbers may carry K, M, G, T, P (powers of 1024).

The verdict is computed from the catalog for each statement, through a cache dropped whenever the
catalog changes, so a changed profile or PDB_LOCKDOWN applies to the next statement.

Statements (STATEMENT = ('name', ...)): what each name covers in DuckDB/PostgreSQL SQL.

| Oracle statement | DuckCDB statements | clauses (CLAUSE = ...) |
|---|---|---|
| SELECT | SELECT, WITH ... SELECT, VALUES, TABLE, FROM-first queries, SUMMARIZE, DESCRIBE, PIVOT/UNPIVOT, DECLARE ... CURSOR FOR a query | |
| INSERT / UPDATE / DELETE / MERGE | the DML statement, also behind WITH, PREPARE and EXPLAIN ANALYZE | |
| EXPLAIN PLAN | EXPLAIN [ANALYZE] (the statement explained is checked too) | |
| COPY | COPY ... FROM / COPY ... TO (STDIN/STDOUT, files) | FROM, TO |
| CREATE TABLE / ALTER TABLE / DROP TABLE / TRUNCATE TABLE | the same, with TEMP, OR REPLACE, IF [NOT] EXISTS, CREATE TABLE AS | ALTER TABLE: ADD COLUMN, DROP COLUMN, RENAME COLUMN, RENAME (the table), MODIFY (ALTER [COLUMN] ...), ADD CONSTRAINT, DROP CONSTRAINT, SET (SET/RESET of table options, SET SCHEMA), OWNER |
| CREATE VIEW / ALTER VIEW / DROP VIEW, CREATE MATERIALIZED VIEW / DROP MATERIALIZED VIEW | the same | |
| CREATE INDEX / ALTER INDEX / DROP INDEX | the same, with UNIQUE | |
| CREATE SEQUENCE / ALTER SEQUENCE / DROP SEQUENCE | the same | |
| CREATE FUNCTION / DROP FUNCTION (alias CREATE MACRO / DROP MACRO) | CREATE [OR REPLACE] [TEMP] MACRO, CREATE FUNCTION, DROP MACRO [TABLE], DROP FUNCTION | |
| CREATE TYPE / ALTER TYPE / DROP TYPE | the same (DuckDB ENUM, STRUCT types) | |
| CREATE SCHEMA / ALTER SCHEMA / DROP SCHEMA | the same | |
| CREATE TRIGGER / DROP TRIGGER, CREATE DATABASE / ALTER DATABASE / DROP DATABASE | the same | |
| CREATE USER / ALTER USER / DROP USER, CREATE ROLE / ALTER ROLE / DROP ROLE | the Oracle user and role commands (and PostgreSQL's ALTER ROLE ... PASSWORD) | |
| GRANT / REVOKE | system privileges and roles, and object privileges (GRANT ... ON ...) | |
| COMMENT | COMMENT ON ... | |
| ALTER SESSION | ALTER SESSION SET x = v (CONTAINER, CURRENT_SCHEMA, ...); PostgreSQL SET [SESSION / LOCAL] x {= / TO} v, SET TIME ZONE (option TIMEZONE), SET SCHEMA (SEARCH_PATH), SET NAMES (CLIENT_ENCODING), SET ROLE (ROLE), SET SESSION AUTHORIZATION (SESSION_AUTHORIZATION), SET SESSION CHARACTERISTICS (SESSION_CHARACTERISTICS), SET VARIABLE (VARIABLE); RESET x | SET, RESET; options: the parameter names (TIMEZONE, APPLICATION_NAME, SEARCH_PATH, CONTAINER, ...) |
| ALTER SYSTEM | ALTER SYSTEM SET / RESET x (CPU_COUNT, SGA_TARGET, SESSIONS, ...), DuckDB SET GLOBAL / RESET GLOBAL x, CHECKPOINT and FORCE CHECKPOINT (clause CHECKPOINT), ALTER SYSTEM FLUSH / KILL SESSION | SET, RESET, CHECKPOINT, FLUSH, KILL SESSION; options: the parameter names |
| CREATE PLUGGABLE DATABASE / ALTER PLUGGABLE DATABASE / DROP PLUGGABLE DATABASE | the container commands | ALTER: OPEN, CLOSE, SAVE STATE, DISCARD STATE, UNPLUG, STORAGE, RENAME GLOBAL_NAME |
| CREATE EXTENSION / DROP EXTENSION, CREATE SECRET / DROP SECRET | the same | |
| ATTACH, DETACH, USE, INSTALL (and FORCE INSTALL), LOAD, EXPORT DATABASE, IMPORT DATABASE, PRAGMA, CALL, VACUUM, ANALYZE | the DuckDB/PostgreSQL statements of those names | |

COPY ... FROM loads rows and CREATE TABLE ... AS fills a table: a profile that stops writes disables
them along with INSERT, UPDATE, DELETE and MERGE.

Never locked (a session must always be able to end a transaction and read its own state):
BEGIN/START TRANSACTION, SET TRANSACTION, COMMIT/END, ROLLBACK/ABORT, SAVEPOINT, RELEASE, FETCH,
MOVE, CLOSE, DEALLOCATE, DISCARD, SHOW, SHOW PDBS/CON_NAME/CON_ID, EXECUTE of a prepared statement
(its statement was checked at PREPARE), LISTEN/NOTIFY/UNLISTEN, and the lockdown commands themselves
(CREATE/ALTER/DROP LOCKDOWN PROFILE, ALTER SYSTEM SET/RESET PDB_LOCKDOWN: privileges govern them).
STATEMENT = ALL covers every other statement, including ones not named in the table.

Features (FEATURE = ('name', ...)); a bundle name covers each feature in it.

| feature (bundle) | what it covers |
|---|---|
| OS_ACCESS (bundle) | FILE_ACCESS, COPY_FILE_ACCESS, DATABASE_FILE_ACCESS |
| FILE_ACCESS | file readers and listers on server paths: read_csv/read_parquet/read_json/read_text/read_blob/glob/... (sandbox.FILE_FUNCTIONS), sqlite_scan, FROM 'file.csv' |
| COPY_FILE_ACCESS | COPY ... TO 'file' / FROM 'file', COPY ... PROGRAM |
| DATABASE_FILE_ACCESS | ATTACH of a database file, DETACH, EXPORT DATABASE, IMPORT DATABASE, COPY FROM DATABASE |
| NETWORK_ACCESS (bundle) | HTTP_ACCESS, CLOUD_STORAGE_ACCESS, REMOTE_DATABASE_ACCESS |
| HTTP_ACCESS | http://, https:// (and any other URL scheme) in readers, FROM 'url', COPY, ATTACH; http_get/http_post/http_head; INSTALL (downloads extensions) |
| CLOUD_STORAGE_ACCESS | s3://, gcs://, gs://, az://, azure://, abfss://, r2://, hf:// URLs; CREATE SECRET / DROP SECRET |
| REMOTE_DATABASE_ACCESS | postgres_scan/postgres_query/postgres_attach/mysql_scan/mysql_query/..., ATTACH 'postgres:...' / 'mysql:...' / 'md:...' or (TYPE postgres / mysql) |
| EXTENSIONS | INSTALL, FORCE INSTALL, LOAD, CREATE / DROP EXTENSION, UPDATE EXTENSIONS |
| LOB_FILE_ACCESS | read_blob, read_text (files as BLOB / text values, Oracle's BFILE) |
| COMMON_SCHEMA_ACCESS (bundle) | COMMON_USER_LOCAL_SCHEMA_ACCESS |
| COMMON_USER_LOCAL_SCHEMA_ACCESS | a common user (SYS, C##...) naming any table, view, sequence or macro of the PDB (dictionary views, pg_catalog, information_schema, duckdb_* and CTEs excepted) |
| CTX_LOGGING | the engine's logging: enable_logging, disable_logging, truncate_duckdb_logs, duckdb_logs, duckdb_log_contexts, logging settings |
| AWR_ACCESS | performance data: EXPLAIN ANALYZE, duckdb_memory, duckdb_temporary_files, pragma_storage_info, pragma_database_size, pragma_metadata_info, profiling settings and pragmas, V$RSRCPDBMETRIC |

Database options (OPTION = ('name', ...), outside a STATEMENT rule):

| option | what it covers |
|---|---|
| OLAP | PIVOT, UNPIVOT, GROUPING SETS, CUBE, ROLLUP, grouping()/grouping_id(), SUMMARIZE |
| SPATIAL | the spatial extension: st_* functions, the GEOMETRY type |
| TEXT | full-text search: match_bm25, stem, create_fts_index, drop_fts_index |

Several of these (files, URLs, extensions, ATTACH, PRAGMA, engine internals) are refused for every
tenant by the sandbox (policies.sandbox) whatever the profile; the profile is the DBA's own layer.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from sqlglot.tokens import TokenType

from pgcompat import analysis as _analysis
from pgcompat.analysis import Analysis
from pgcompat.container_commands import is_lockdown_ddl
from pgcompat.settings import parse_set, slice_text, split_items, unquote
from pgcompat.statements import SqlSyntaxError, Statement, split
from pgwire.oracle import ora
from policies import dictionary_views
from policies.sandbox import FILE_FUNCTIONS, Violation
from policies.source import ROOT_ID, SEED_ID, LockdownRule, PolicySource

# ------------------------------------------------------------------ the names a rule may use

STATEMENTS: tuple[str, ...] = (
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "EXPLAIN PLAN",
    "COPY",
    "CREATE TABLE",
    "ALTER TABLE",
    "DROP TABLE",
    "TRUNCATE TABLE",
    "CREATE VIEW",
    "ALTER VIEW",
    "DROP VIEW",
    "CREATE MATERIALIZED VIEW",
    "DROP MATERIALIZED VIEW",
    "CREATE INDEX",
    "ALTER INDEX",
    "DROP INDEX",
    "CREATE SEQUENCE",
    "ALTER SEQUENCE",
    "DROP SEQUENCE",
    "CREATE FUNCTION",
    "DROP FUNCTION",
    "CREATE TYPE",
    "ALTER TYPE",
    "DROP TYPE",
    "CREATE SCHEMA",
    "ALTER SCHEMA",
    "DROP SCHEMA",
    "CREATE TRIGGER",
    "DROP TRIGGER",
    "CREATE DATABASE",
    "ALTER DATABASE",
    "DROP DATABASE",
    "CREATE USER",
    "ALTER USER",
    "DROP USER",
    "CREATE ROLE",
    "ALTER ROLE",
    "DROP ROLE",
    "GRANT",
    "REVOKE",
    "COMMENT",
    "ALTER SESSION",
    "ALTER SYSTEM",
    "CREATE PLUGGABLE DATABASE",
    "ALTER PLUGGABLE DATABASE",
    "DROP PLUGGABLE DATABASE",
    "CREATE EXTENSION",
    "DROP EXTENSION",
    "CREATE SECRET",
    "DROP SECRET",
    "ATTACH",
    "DETACH",
    "USE",
    "INSTALL",
    "LOAD",
    "EXPORT DATABASE",
    "IMPORT DATABASE",
    "PRAGMA",
    "CALL",
    "VACUUM",
    "ANALYZE",
)
# Other spellings a rule may use for a statement.
STATEMENT_ALIASES = {"CREATE MACRO": "CREATE FUNCTION", "DROP MACRO": "DROP FUNCTION"}

CLAUSES: dict[str, tuple[str, ...]] = {
    "ALTER TABLE": (
        "ADD COLUMN",
        "DROP COLUMN",
        "RENAME COLUMN",
        "RENAME",
        "MODIFY",
        "ADD CONSTRAINT",
        "DROP CONSTRAINT",
        "SET",
        "OWNER",
    ),
    "ALTER SESSION": ("SET", "RESET"),
    "ALTER SYSTEM": ("SET", "RESET", "CHECKPOINT", "FLUSH", "KILL SESSION"),
    "ALTER PLUGGABLE DATABASE": (
        "OPEN",
        "CLOSE",
        "SAVE STATE",
        "DISCARD STATE",
        "UNPLUG",
        "STORAGE",
        "RENAME GLOBAL_NAME",
    ),
    "COPY": ("FROM", "TO"),
}
# The clauses whose options are parameter names (OPTION = ('CPU_COUNT', ...)).
OPTION_CLAUSES = frozenset({"SET", "RESET"})

BUNDLES: dict[str, tuple[str, ...]] = {
    "OS_ACCESS": ("FILE_ACCESS", "COPY_FILE_ACCESS", "DATABASE_FILE_ACCESS"),
    "NETWORK_ACCESS": ("HTTP_ACCESS", "CLOUD_STORAGE_ACCESS", "REMOTE_DATABASE_ACCESS"),
    "COMMON_SCHEMA_ACCESS": ("COMMON_USER_LOCAL_SCHEMA_ACCESS",),
}
FEATURES: tuple[str, ...] = (
    "FILE_ACCESS",
    "COPY_FILE_ACCESS",
    "DATABASE_FILE_ACCESS",
    "HTTP_ACCESS",
    "CLOUD_STORAGE_ACCESS",
    "REMOTE_DATABASE_ACCESS",
    "EXTENSIONS",
    "LOB_FILE_ACCESS",
    "COMMON_USER_LOCAL_SCHEMA_ACCESS",
    "CTX_LOGGING",
    "AWR_ACCESS",
)
BUNDLE_OF = {f: b for b, fs in BUNDLES.items() for f in fs}
DB_OPTIONS: tuple[str, ...] = ("OLAP", "SPATIAL", "TEXT")

# ------------------------------------------------------------------ capability groups

REMOTE_DB_FUNCTIONS = frozenset(
    {
        "postgres_scan", "postgres_scan_pushdown", "postgres_query", "postgres_execute", "postgres_attach",
        "mysql_scan", "mysql_query", "mysql_execute", "mysql_attach",
    }
)  # fmt: skip
HTTP_FUNCTIONS = frozenset({"http_get", "http_post", "http_head", "httpfs_read"})
READER_FUNCTIONS = (FILE_FUNCTIONS | {"sqlite_scan", "sqlite_attach"}) - REMOTE_DB_FUNCTIONS - HTTP_FUNCTIONS
LOB_FUNCTIONS = frozenset({"read_blob", "read_text"})
LOGGING_FUNCTIONS = frozenset(
    {
        "enable_logging",
        "disable_logging",
        "truncate_duckdb_logs",
        "duckdb_logs",
        "duckdb_log_contexts",
        "duckdb_logs_parsed",
    }
)
LOGGING_SETTINGS = frozenset(
    {
        "enable_logging",
        "logging_level",
        "logging_mode",
        "logging_storage",
        "enabled_log_types",
        "disabled_log_types",
    }
)
AWR_FUNCTIONS = frozenset(
    {
        "duckdb_memory", "duckdb_temporary_files", "pragma_storage_info", "pragma_database_size",
        "pragma_metadata_info", "duckdb_external_file_cache",
    }
)  # fmt: skip
AWR_SETTINGS = frozenset(
    {
        "enable_profiling", "disable_profiling", "profiling_mode", "profiling_output", "profile_output",
        "custom_profiling_settings", "enable_profile", "disable_profile",
    }
)  # fmt: skip
AWR_TABLES = frozenset({"v$rsrcpdbmetric"})
CLOUD_SCHEMES = frozenset({"s3", "s3a", "s3n", "gcs", "gs", "az", "azure", "abfss", "r2", "hf"})
REMOTE_DB_PREFIXES = ("postgres:", "postgresql:", "mysql:", "md:", "motherduck:")
OLAP_WORDS = frozenset({"PIVOT", "UNPIVOT", "CUBE", "ROLLUP"})
OLAP_FUNCTIONS = frozenset({"grouping", "grouping_id", "pivot", "unpivot", "cube", "rollup"})
TEXT_FUNCTIONS = frozenset({"match_bm25", "stem", "create_fts_index", "drop_fts_index"})
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
SYSTEM_CATALOGS = frozenset({"system", "temp"})

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_NUMBER = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*([KMGTP]?)(?:I?B)?\s*$", re.I)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50}
_EXPLAIN = re.compile(
    r"^\s*EXPLAIN\s+(?:\((?P<opts>[^)]*)\)\s*)?(?P<words>(?:(?:ANALYZE|ANALYSE|VERBOSE)\s+)*)(?P<q>.*)$",
    re.I | re.S,
)
_INNER = re.compile(
    r"^\s*(?:DECLARE\s.*?\bCURSOR\b.*?\bFOR\b|PREPARE\s+\S+?(?:\s*\([^)]*\))?\s+AS\b)(?P<q>.*)$", re.I | re.S
)
# Kinds of pgcompat.statements that no rule locks.
_UNLOCKED_KINDS = frozenset(
    {
        "begin", "commit", "rollback", "rollback_to", "savepoint", "release", "fetch", "move", "close",
        "deallocate", "discard", "show", "execute", "listen", "notify", "unlisten",
    }
)  # fmt: skip


# ------------------------------------------------------------------ what a statement uses


@dataclass(frozen=True)
class Action:
    """One Oracle statement a DuckCDB statement performs, with its clause, option and value."""

    statement: str
    clause: str | None = None
    option: str | None = None
    value: str | None = None

    def text(self) -> str:
        out = self.statement
        if self.clause:
            out += f" {self.clause}"
        if self.option:
            out += f" {self.option}"
        if self.value is not None:
            out += f" = {self.value}"
        return out


@dataclass(frozen=True)
class Usage:
    actions: tuple[Action, ...] = ()
    features: frozenset[str] = frozenset()  # leaf features (not bundles)
    options: frozenset[str] = frozenset()  # database options
    local_objects: frozenset[str] = frozenset()  # PDB objects named (for COMMON_USER_LOCAL_SCHEMA_ACCESS)

    def __or__(self, other: Usage) -> Usage:
        return Usage(
            self.actions + other.actions,
            self.features | other.features,
            self.options | other.options,
            self.local_objects | other.local_objects,
        )


def _words(stmt: Statement) -> tuple[str, ...]:
    """Every token of the statement as the keyword it spells, '' for a quoted string or identifier."""
    base = stmt.tokens[0].start if stmt.tokens else 0
    out = []
    for t in stmt.tokens:
        first = stmt.text[t.start - base] if t.start - base < len(stmt.text) else ""
        if first in "'\"$" or t.token_type in (TokenType.BYTE_STRING, TokenType.HEREDOC_STRING):
            out.append("")
        else:
            out.append(t.text.upper())
    return tuple(out)


def _split_values(raw: str) -> str:
    """'a', "b", c -> a, b, c (commas inside quotes kept)."""
    return ", ".join(unquote(p) for p in split_items(raw))


def _set_action(stmt: Statement) -> list[Action]:
    """PostgreSQL/DuckDB SET and RESET: ALTER SESSION (SET GLOBAL: ALTER SYSTEM) SET or RESET, with
    its option and value."""
    s = parse_set(stmt)
    scope = "ALTER SYSTEM" if s.system else "ALTER SESSION"
    clause = "RESET" if s.reset else "SET"
    if s.transaction and not s.characteristics:
        return []  # SET TRANSACTION: transaction control, never locked
    if not s.option:
        return [Action(scope, clause)]
    value = ", ".join(unquote(p) for p in s.items) if s.items else None
    return [Action(scope, clause, s.option, value)]


def _pairs(stmt: Statement, words: tuple[str, ...], i: int, stop: frozenset[str]) -> list[tuple[str, str]]:
    """name = value [,...] pairs from token i (Oracle ALTER SESSION/SYSTEM SET); stops at a word in stop."""
    toks = stmt.tokens
    n = len(toks)
    out: list[tuple[str, str]] = []
    while i < n and words[i] not in stop:
        name = toks[i].text.upper()
        i += 1
        if i < n and toks[i].token_type == TokenType.EQ:
            i += 1
        j = i
        # The value runs up to the next "name =" or a stop word.
        while j < n and words[j] not in stop and not (j + 1 < n and toks[j + 1].token_type == TokenType.EQ):
            j += 1
        if j == i and j < n and words[j] not in stop:
            j += 1
        out.append((name, _split_values(slice_text(stmt, i, j))))
        i = j
    return out


_SYSTEM_STOP = frozenset({"SCOPE", "SID", "CONTAINER", "COMMENT", "DEFERRED"})


def _alter_system(stmt: Statement, words: tuple[str, ...]) -> list[Action]:
    clause = words[2] if len(words) > 2 else ""
    if clause == "SET":
        pairs = _pairs(stmt, words, 3, _SYSTEM_STOP)
        return [Action("ALTER SYSTEM", "SET", k, v) for k, v in pairs] or [Action("ALTER SYSTEM", "SET")]
    if clause == "RESET":
        name = words[3] if len(words) > 3 else None
        return [Action("ALTER SYSTEM", "RESET", name or None)]
    if clause == "KILL":
        return [Action("ALTER SYSTEM", "KILL SESSION")]
    return [Action("ALTER SYSTEM", clause or None)]


def _alter_session(stmt: Statement, words: tuple[str, ...]) -> list[Action]:
    clause = words[2] if len(words) > 2 else ""
    if clause == "SET":
        pairs = _pairs(stmt, words, 3, frozenset())
        return [Action("ALTER SESSION", "SET", k, v) for k, v in pairs] or [Action("ALTER SESSION", "SET")]
    return [Action("ALTER SESSION", clause or None)]


def _alter_table(stmt: Statement, words: tuple[str, ...]) -> list[Action]:
    toks = stmt.tokens
    n = len(toks)
    i = 2
    if words[i : i + 2] == ("IF", "EXISTS"):
        i += 2
    if i < n and words[i] == "ONLY":
        i += 1
    i += 1  # the table's name
    while i + 1 < n and toks[i].token_type == TokenType.DOT:
        i += 2
    actions: list[Action] = []
    depth, start = 0, i
    for k in range(i, n + 1):
        if k < n:
            tt = toks[k].token_type
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tt, 0)
            if not (tt == TokenType.COMMA and depth == 0):
                continue
        action = words[start:k]
        start = k + 1
        if action:
            actions.append(Action("ALTER TABLE", _table_clause(action)))
    return actions or [Action("ALTER TABLE")]


def _table_clause(w: tuple[str, ...]) -> str:
    first = w[0]
    second = w[1].split(" ")[0] if len(w) > 1 else ""  # the tokenizer keeps PRIMARY KEY as one token
    if first == "ADD":
        if second in ("CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"):
            return "ADD CONSTRAINT"
        return "ADD COLUMN"
    if first == "DROP":
        return "DROP CONSTRAINT" if second == "CONSTRAINT" else "DROP COLUMN"
    if first == "RENAME":
        return (
            "RENAME"
            if second == "TO"
            else ("RENAME CONSTRAINT" if second == "CONSTRAINT" else "RENAME COLUMN")
        )
    if first == "ALTER":
        return "MODIFY"
    if first in ("SET", "RESET"):
        return "SET"
    if first == "OWNER":
        return "OWNER"
    return first or "OTHER"


def _pdb_clause(words: tuple[str, ...]) -> str | None:
    for k, w in enumerate(words[3:], start=3):
        nxt = words[k + 1] if k + 1 < len(words) else ""
        if w in ("OPEN", "CLOSE", "UNPLUG", "STORAGE"):
            return w
        if w in ("SAVE", "DISCARD") and nxt == "STATE":
            return f"{w} STATE"
        if w == "RENAME":
            return "RENAME GLOBAL_NAME"
    return None


def _copy_target(stmt: Statement, words: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(FROM or TO, target) of a COPY: the first FROM/TO outside parentheses and what follows it
    ('STDIN', 'STDOUT', 'PROGRAM', a file name or URL, or None)."""
    toks = stmt.tokens
    depth = 0
    for k in range(1, len(toks)):
        tt = toks[k].token_type
        if tt == TokenType.L_PAREN:
            depth += 1
        elif tt == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0 and words[k] in ("FROM", "TO"):
            if k + 1 >= len(toks):
                return words[k], None
            nxt = toks[k + 1]
            if words[k + 1] in ("STDIN", "STDOUT", "PROGRAM", "DATABASE"):
                return words[k], words[k + 1]
            return words[k], nxt.text
    return None, None


def _url_feature(target: str) -> str | None:
    """The network feature a URL needs, None for a plain path ('file://' included)."""
    low = target.strip().lower()
    if low.startswith(REMOTE_DB_PREFIXES):
        return "REMOTE_DATABASE_ACCESS"
    m = _URL.match(low)
    if m is None or m.group(1) == "file":
        return None
    return "CLOUD_STORAGE_ACCESS" if m.group(1) in CLOUD_SCHEMES else "HTTP_ACCESS"


def _looks_like_path(s: str) -> bool:
    return any(ch in s for ch in "/\\.*") or s.startswith("~")


def _statement_actions(stmt: Statement, words: tuple[str, ...], a: Analysis) -> list[Action]:
    kind = stmt.kind
    w0 = words[0] if words else ""
    w1 = words[1] if len(words) > 1 else ""
    if kind in _UNLOCKED_KINDS or is_lockdown_ddl(words):
        return []
    if words[:2] == ("UPDATE", "EXTENSIONS"):
        return [Action("INSTALL")]
    if words[:2] == ("ALTER", "SESSION"):
        return _alter_session(stmt, words)
    if words[:2] == ("ALTER", "SYSTEM"):
        return _alter_system(stmt, words)
    if kind == "select":
        if a.kind in ("Insert", "Update", "Delete", "Merge"):
            return [Action(a.kind.upper())]
        return [Action("SELECT"), *_nested_dml(words)]
    if kind in ("insert", "update", "delete", "merge"):
        return [Action(kind.upper())]
    if kind == "copy":
        direction, _ = _copy_target(stmt, words)
        return [Action("COPY", direction)]
    if kind == "set":
        return _set_action(stmt)
    if kind == "reset":
        return _set_action(stmt)
    if kind == "admin":
        if w1 == "PLUGGABLE":
            name = f"{w0} PLUGGABLE DATABASE"
            return [Action(name, _pdb_clause(words) if w0 == "ALTER" else None)]
        if w0 == "SELECT":
            return [Action("SELECT")]
        return []  # SHOW PDBS / CON_NAME / CON_ID
    if kind == "ddl":
        tag = stmt.tag
        if tag == "ALTER TABLE":
            return _alter_table(stmt, words)
        if tag in ("CREATE", "ALTER", "DROP") and w1:
            tag = f"{tag} {w1}"
        return [Action(tag)]
    if w0 == "CHECKPOINT" or words[:2] == ("FORCE", "CHECKPOINT"):
        return [Action("ALTER SYSTEM", "CHECKPOINT")]
    if words[:2] == ("FORCE", "INSTALL"):
        return [Action("INSTALL")]
    if w0 in ("EXPORT", "IMPORT"):
        return [Action(f"{w0} DATABASE")]
    return [Action(stmt.tag or w0)] if (stmt.tag or w0) else []


def _nested_dml(words: tuple[str, ...]) -> list[Action]:
    """Data-modifying statements inside a query (WITH x AS (DELETE FROM t RETURNING *) SELECT ...):
    each one is checked as its own statement. SELECT ... FOR UPDATE is not one."""
    found: list[Action] = []
    for k, w in enumerate(words[1:], start=1):
        nxt = words[k + 1] if k + 1 < len(words) else ""
        prev = words[k - 1]
        if (w in ("INSERT", "MERGE") and nxt == "INTO") or (w == "DELETE" and nxt == "FROM"):
            found.append(Action(w))
        elif w == "UPDATE" and prev not in ("FOR", "KEY", "ON") and "SET" in words[k + 2 :]:
            found.append(Action("UPDATE"))
    return list(dict.fromkeys(found))


def _features(
    stmt: Statement, words: tuple[str, ...], a: Analysis, files: set[str]
) -> tuple[set[str], set[str]]:
    """(leaf features, database options) the statement uses."""
    feats: set[str] = set()
    opts: set[str] = set()
    w0 = words[0] if words else ""
    w1 = words[1] if len(words) > 1 else ""
    args: dict[str, list[str]] = {}
    for fn, arg in a.string_args:
        args.setdefault(fn, []).append(arg)
    for fn in a.functions:
        if fn in REMOTE_DB_FUNCTIONS:
            feats.add("REMOTE_DATABASE_ACCESS")
        elif fn in HTTP_FUNCTIONS:
            feats.add("HTTP_ACCESS")
        elif fn in READER_FUNCTIONS:
            urls = {f for f in map(_url_feature, args.get(fn, [])) if f}
            feats |= urls
            if not urls or any(_url_feature(x) is None and _looks_like_path(x) for x in args.get(fn, [])):
                feats.add("FILE_ACCESS")
        if fn in LOB_FUNCTIONS:
            feats.add("LOB_FILE_ACCESS")
        if fn in LOGGING_FUNCTIONS:
            feats.add("CTX_LOGGING")
        if fn in AWR_FUNCTIONS:
            feats.add("AWR_ACCESS")
        if fn.startswith("st_"):
            opts.add("SPATIAL")
        if fn in TEXT_FUNCTIONS:
            opts.add("TEXT")
        if fn in OLAP_FUNCTIONS:
            opts.add("OLAP")
    for target in a.file_tables | files:
        feats.add(_url_feature(target) or "FILE_ACCESS")
    if w0 == "CALL" and len(stmt.tokens) > 1:
        # The tokenizer keeps what follows CALL as one string: find the calls in it.
        for fn in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", stmt.tokens[1].text):
            if fn.lower() in LOGGING_FUNCTIONS:
                feats.add("CTX_LOGGING")
            if fn.lower() in AWR_FUNCTIONS:
                feats.add("AWR_ACCESS")
    settings = {s.lower() for s in a.settings}
    if stmt.kind in ("set", "reset"):
        settings |= {act.option.lower() for act in _statement_actions(stmt, words, a) if act.option}
    if w0 == "PRAGMA" and w1:
        settings.add(w1.lower())
        if w1.lower() in TEXT_FUNCTIONS:
            opts.add("TEXT")
    if settings & LOGGING_SETTINGS:
        feats.add("CTX_LOGGING")
    if settings & AWR_SETTINGS:
        feats.add("AWR_ACCESS")
    tables = {name for _, _, name in a.tables}
    if tables & (AWR_TABLES | AWR_FUNCTIONS):
        feats.add("AWR_ACCESS")
    if tables & LOGGING_FUNCTIONS:  # duckdb_logs is a view too
        feats.add("CTX_LOGGING")
    if stmt.kind == "copy":
        direction, target = _copy_target(stmt, words)
        if target == "DATABASE":  # COPY FROM DATABASE a TO b
            feats.add("DATABASE_FILE_ACCESS")
        elif target == "PROGRAM":
            feats.add("COPY_FILE_ACCESS")
        elif target not in (None, "STDIN", "STDOUT"):
            feats.add(_url_feature(target) or "COPY_FILE_ACCESS")
    if w0 == "ATTACH":
        target = next((t.text for t in stmt.tokens if t.token_type == TokenType.STRING), "")
        remote = "TYPE" in words and any(w in ("POSTGRES", "MYSQL", "POSTGRESQL") for w in words)
        feats.add("REMOTE_DATABASE_ACCESS" if remote else (_url_feature(target) or "DATABASE_FILE_ACCESS"))
    if w0 == "DETACH":
        feats.add("DATABASE_FILE_ACCESS")
    if w0 in ("EXPORT", "IMPORT") and w1 == "DATABASE":
        target = next((t.text for t in stmt.tokens if t.token_type == TokenType.STRING), "")
        feats.add("DATABASE_FILE_ACCESS")
        remote = _url_feature(target)
        if remote is not None:
            feats.add(remote)
    if w0 == "INSTALL" or (w0 == "FORCE" and w1 == "INSTALL") or (w0 == "UPDATE" and w1 == "EXTENSIONS"):
        feats |= {"EXTENSIONS", "HTTP_ACCESS"}
    if w0 == "LOAD" or (w0 in ("CREATE", "DROP") and "EXTENSION" in words[1:4]):
        feats.add("EXTENSIONS")
    if w0 in ("CREATE", "DROP") and "SECRET" in words[1:4]:
        feats.add("CLOUD_STORAGE_ACCESS")
    if (
        OLAP_WORDS & set(words)
        or w0 == "SUMMARIZE"
        or "GROUPING SETS" in words
        or any(w == "GROUPING" and nxt == "SETS" for w, nxt in zip(words, words[1:], strict=False))
    ):
        opts.add("OLAP")
    if "GEOMETRY" in words:
        opts.add("SPATIAL")
    return feats, opts


# DDL on a PDB's own objects: a common user running it reaches into the PDB's local schemas.
_OBJECT_DDL = frozenset(
    f"{verb} {obj}"
    for verb in ("CREATE", "ALTER", "DROP")
    for obj in (
        "TABLE",
        "VIEW",
        "MATERIALIZED VIEW",
        "INDEX",
        "SEQUENCE",
        "FUNCTION",
        "TYPE",
        "SCHEMA",
        "TRIGGER",
    )
) | {"TRUNCATE TABLE", "COMMENT"}


def _local_objects(
    stmt: Statement, words: tuple[str, ...], a: Analysis, actions: list[Action], files: set[str]
) -> frozenset[str]:
    """The PDB objects (tables, views, macros, ...) stmt names; dictionary views, system catalogs,
    CTEs and files excepted."""
    if words[:2] == ("UPDATE", "EXTENSIONS") or (words[:1] == ("COPY",) and "DATABASE" in words[1:3]):
        return frozenset()
    out = set()
    for catalog, schema, name in a.tables:
        if not name or schema in SYSTEM_SCHEMAS or catalog in SYSTEM_CATALOGS or name in files:
            continue
        if name.upper() in dictionary_views.NAMES or name.startswith(("pg_", "duckdb_", "sqlite_")):
            continue
        out.add(f"{schema}.{name}" if schema else name)
    if out and "WITH" in words:
        out -= a.ctes
    if not out and any(act.statement in _OBJECT_DDL for act in actions):
        out.add(actions[0].statement.split(" ", 1)[-1].lower())  # sqlglot kept the DDL as a Command
    return frozenset(out)


def _string_tables(stmt: Statement, words: tuple[str, ...], a: Analysis) -> set[str]:
    """Files or URLs named as tables (FROM 'data.csv', JOIN 's3://...'): string literals after FROM,
    JOIN or a comma that sqlglot read as table names."""
    names = {name for _, _, name in a.tables}
    out = set()
    toks = stmt.tokens
    for k in range(1, len(toks)):
        t = toks[k]
        if t.token_type != TokenType.STRING or t.text.lower() not in names:
            continue
        prev = words[k - 1]
        if prev.endswith("JOIN") or prev in ("FROM", ",") or toks[k - 1].token_type == TokenType.COMMA:
            out.add(t.text.lower())
    return out


def _inner(stmt: Statement) -> tuple[tuple[Statement, ...], bool]:
    """The statement inside EXPLAIN / PREPARE / DECLARE, and whether EXPLAIN runs it (ANALYZE)."""
    m = _EXPLAIN.match(stmt.text) if stmt.kind == "explain" else _INNER.match(stmt.text)
    if m is None:
        return (), False
    analyze = False
    if stmt.kind == "explain":
        opts = (m.group("opts") or "").upper()
        analyze = (
            "ANALY" in (m.group("words") or "").upper()
            or re.search(r"\bANALY[SZ]E\b(?!\s+(FALSE|OFF|0))", opts) is not None
        )
    try:
        return split(m.group("q")), analyze
    except SqlSyntaxError:
        return (), analyze


def usage(stmt: Statement, a: Analysis | None = None) -> Usage:
    """What stmt does, in lockdown terms (once per statement text)."""
    hit = stmt.memo.get("lockdown_usage")
    if hit is not None:
        return hit
    if a is None:
        a = _analysis.analyze(stmt)
    words = _words(stmt)
    if stmt.kind in ("explain", "prepare", "declare"):
        inner, runs = _inner(stmt)
        u = Usage((Action("EXPLAIN PLAN"),)) if stmt.kind == "explain" else Usage()
        if runs:
            u = u | Usage(features=frozenset({"AWR_ACCESS"}))
        for st in inner:
            u = u | usage(st)
        if not inner and stmt.kind != "explain":
            u = u | Usage((Action("SELECT" if stmt.kind == "declare" else "PREPARE"),))
    else:
        files = _string_tables(stmt, words, a)
        feats, opts = _features(stmt, words, a, files)
        actions = _statement_actions(stmt, words, a)
        u = Usage(
            tuple(actions), frozenset(feats), frozenset(opts), _local_objects(stmt, words, a, actions, files)
        )
    stmt.memo["lockdown_usage"] = u
    return u


# ------------------------------------------------------------------ the profile in force


@dataclass(frozen=True)
class InForce:
    profile: str  # the PDB_LOCKDOWN in force (it may name a dropped profile: then no rules)
    rules: tuple[tuple[LockdownRule, bool], ...] = ()  # (rule, inherited through INCLUDING), in order


def profile_in_force(store: PolicySource, con_id: int) -> str | None:
    """The PDB's own PDB_LOCKDOWN, else the CDB-wide one; None in CDB$ROOT."""
    if con_id == ROOT_ID:
        return None
    return store.pdb_lockdown(con_id) or store.pdb_lockdown(ROOT_ID)


def resolved_rules(store: PolicySource, profile: str) -> list[tuple[LockdownRule, bool]]:
    """The rules of profile in the order they apply: those of its INCLUDING base (recursively, marked
    inherited), then its own. A missing profile or base has no rules."""

    def walk(name: str, seen: frozenset[str]) -> list[LockdownRule]:
        p = store.lockdown_profile(name)
        if p is None or name in seen:
            return []
        base = walk(p.base, seen | {name}) if p.base else []
        return base + store.lockdown_rules(name)

    p = store.lockdown_profile(profile)
    if p is None:
        return []
    inherited = walk(p.base, frozenset({profile})) if p.base else []
    return [(r, True) for r in inherited] + [(r, False) for r in store.lockdown_rules(profile)]


# Per store: (catalog change stamp, {con_id: InForce or None}). Any write to the catalog (this
# connection's total_changes, or another connection's commit: data_version) drops the cache.
_CACHE: weakref.WeakKeyDictionary[PolicySource, tuple[tuple[int, int], dict[int, InForce | None]]] = (
    weakref.WeakKeyDictionary()
)


def in_force(store: PolicySource, con_id: int) -> InForce | None:
    """The profile in force in con_id with its resolved rules, or None when nothing is locked down."""
    if con_id in (ROOT_ID, SEED_ID):
        return None
    stamp = store.change_stamp()
    if stamp is None:
        return _compute(store, con_id)
    entry = _CACHE.get(store)
    if entry is None or entry[0] != stamp:
        entry = (stamp, {})
        _CACHE[store] = entry
    views = entry[1]
    if con_id not in views:
        views[con_id] = _compute(store, con_id)
    return views[con_id]


def _compute(store: PolicySource, con_id: int) -> InForce | None:
    name = profile_in_force(store, con_id)
    if name is None:
        return None
    return InForce(name, tuple(resolved_rules(store, name)))


# ------------------------------------------------------------------ matching


def parse_number(v: str | None) -> float | None:
    """A number, with K/M/G/T/P (powers of 1024) and an optional B; None when v is not one."""
    if v is None:
        return None
    m = _NUMBER.match(unquote(v))
    if m is None:
        return None
    return float(m.group(1)) * _UNITS[m.group(2).upper()]


def _same(value: str, listed: str) -> bool:
    a, b = parse_number(value), parse_number(listed)
    if a is not None and b is not None:
        return a == b
    return unquote(value).strip().lower() == unquote(listed).strip().lower()


def _picks(name: str, rule: str, excepts: tuple[str, ...], bundle: str | None = None) -> bool:
    if rule == "ALL":
        return name not in excepts and (bundle is None or bundle not in excepts)
    return rule == name or (bundle is not None and rule == bundle)


def _users(r: LockdownRule, common: bool) -> bool:
    return r.users == "ALL" or (r.users == "COMMON") == common


def _action_matches(r: LockdownRule, act: Action, common: bool) -> bool:
    if not _users(r, common) or not _picks(act.statement, r.rule, r.rule_except):
        return False
    if r.clause is None:
        return True
    if act.clause is None or not _picks(act.clause, r.clause, r.clause_except):
        return False
    if r.clause_option is None:
        return True
    if act.option is None or not _picks(act.option, r.clause_option, r.option_except):
        return False
    if r.option_values:
        return act.value is not None and any(_same(act.value, v) for v in r.option_values)
    if r.min_value is not None or r.max_value is not None:
        n = parse_number(act.value)
        lo, hi = parse_number(r.min_value), parse_number(r.max_value)
        inside = n is not None and (lo is None or n >= lo) and (hi is None or n <= hi)
        return not inside if r.status == "DISABLE" else inside
    return True


def describe_rule(r: LockdownRule) -> str:
    """The rule as the ALTER LOCKDOWN PROFILE text that makes it."""

    def sel(word: str, name: str, excepts: tuple[str, ...]) -> str:
        if name == "ALL":
            out = f"{word} = ALL"
            if excepts:
                out += " EXCEPT = (" + ", ".join(_q(x) for x in excepts) + ")"
            return out
        return f"{word} = ({_q(name)})"

    out = f"{r.status} " + sel(r.rule_type, r.rule, r.rule_except)
    if r.clause is not None:
        out += " " + sel("CLAUSE", r.clause, r.clause_except)
    if r.clause_option is not None:
        out += " " + sel("OPTION", r.clause_option, r.option_except)
    if r.option_values:
        out += " VALUE = (" + ", ".join(_q(v) for v in r.option_values) + ")"
    if r.min_value is not None:
        out += f" MINVALUE = {_q(r.min_value)}"
    if r.max_value is not None:
        out += f" MAXVALUE = {_q(r.max_value)}"
    if r.users != "ALL":
        out += f" USERS = {r.users}"
    return out


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _violation(profile: str, what: str, rule: LockdownRule, inherited: bool) -> Violation:
    origin = f", a rule of {rule.profile} included by {profile}" if inherited else ""
    because = f"{what} is disabled by lockdown profile {profile} ({describe_rule(rule)}{origin})"
    return Violation(f"LOCKDOWN_{rule.rule_type}", ora(1031, because).message)


def _last(
    rules: list[tuple[LockdownRule, bool]], test: Callable[[LockdownRule], bool]
) -> tuple[LockdownRule, bool] | None:
    """The last rule that matches: it decides."""
    found = None
    for r, inherited in rules:
        if test(r):
            found = (r, inherited)
    return found


def check(
    store: PolicySource, con_id: int, user_common: bool, stmt: Statement, analysis: Analysis | None = None
) -> Violation | None:
    """The lockdown rule that refuses stmt in container con_id for a common or local user, or None."""
    force = in_force(store, con_id)
    if force is None or not force.rules:
        return None
    u = usage(stmt, analysis)
    by_type: dict[str, list[tuple[LockdownRule, bool]]] = {"STATEMENT": [], "FEATURE": [], "OPTION": []}
    for r, inherited in force.rules:
        by_type.setdefault(r.rule_type, []).append((r, inherited))
    for act in u.actions:
        hit = _last(by_type["STATEMENT"], lambda r, act=act: _action_matches(r, act, user_common))
        if hit is not None and hit[0].status == "DISABLE":
            return _violation(force.profile, act.text(), *hit)
    features = set(u.features)
    if user_common and u.local_objects:
        features.add("COMMON_USER_LOCAL_SCHEMA_ACCESS")
    for f in sorted(features):
        bundle = BUNDLE_OF.get(f)
        hit = _last(
            by_type["FEATURE"],
            lambda r, f=f, bundle=bundle: _users(r, user_common) and _picks(f, r.rule, r.rule_except, bundle),
        )
        if hit is not None and hit[0].status == "DISABLE":
            what = f"feature {bundle} ({f})" if bundle else f"feature {f}"
            return _violation(force.profile, what, *hit)
    for o in sorted(u.options):
        hit = _last(
            by_type["OPTION"], lambda r, o=o: _users(r, user_common) and _picks(o, r.rule, r.rule_except)
        )
        if hit is not None and hit[0].status == "DISABLE":
            return _violation(force.profile, f"option {o}", *hit)
    return None
