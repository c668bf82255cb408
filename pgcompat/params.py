"""Session parameters the proxy answers itself (SET/SHOW/RESET), and which ones clients are told about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from conf import PG_VERSION, PG_VERSION_NUM, VERSION


@dataclass(frozen=True)
class Param:
    name: str  # canonical spelling, as SHOW prints it
    default: str
    report: bool = False  # sent as ParameterStatus at start and on change (GUC_REPORT)
    read_only: bool = False
    engine: bool = False  # also set in the session's DuckDB connection
    boolean: bool = False  # on/off, as PostgreSQL spells a boolean setting


_PARAMS = [
    Param("server_version", f"{PG_VERSION} (DuckCDB {VERSION})", report=True, read_only=True),
    Param("server_version_num", PG_VERSION_NUM, read_only=True),
    Param("server_encoding", "UTF8", report=True, read_only=True),
    Param("client_encoding", "UTF8", report=True),
    Param("DateStyle", "ISO, MDY", report=True),
    Param("IntervalStyle", "postgres", report=True),
    Param("TimeZone", "UTC", report=True, engine=True),
    Param("integer_datetimes", "on", report=True, read_only=True),
    Param("standard_conforming_strings", "on", report=True, boolean=True),
    Param("application_name", "", report=True),
    Param("is_superuser", "off", report=True, read_only=True),
    Param("session_authorization", "", report=True, read_only=True),
    Param("default_transaction_read_only", "off", report=True, boolean=True),
    Param("in_hot_standby", "off", report=True, read_only=True),
    Param("search_path", '"$user", public'),
    Param("extra_float_digits", "1"),
    Param("statement_timeout", "0"),
    Param("lock_timeout", "0"),
    Param("idle_in_transaction_session_timeout", "0"),
    Param("idle_session_timeout", "0"),
    Param("client_min_messages", "notice"),
    Param("transaction_isolation", "read committed"),
    Param("default_transaction_isolation", "read committed"),
    Param("transaction_read_only", "off", boolean=True),
    Param("max_identifier_length", "63", read_only=True),
    Param("max_index_keys", "32", read_only=True),
    Param("bytea_output", "hex"),
    Param("datestyle", "ISO, MDY"),
    Param("lc_messages", "C"),
    Param("lc_monetary", "C"),
    Param("lc_numeric", "C"),
    Param("lc_time", "C"),
    Param("synchronous_commit", "on"),
    Param("jit", "off", boolean=True),
    Param("row_security", "on", boolean=True),
    Param("timezone_abbreviations", "Default"),
    Param("max_connections", "1000", read_only=True),
    Param("block_size", "8192", read_only=True),
    Param("password_encryption", "scram-sha-256"),
    # PostgreSQL settings that mean nothing to DuckDB: taken, kept for the session and shown, as
    # clients set them (pg_dump, pg_restore scripts, SQLAlchemy's reflection). Known names only:
    # anything else is an engine setting and refused.
    Param("synchronize_seqscans", "on", boolean=True),
    Param("default_table_access_method", "heap"),
    Param("default_tablespace", ""),
    Param("temp_tablespaces", ""),
    Param("default_toast_compression", "pglz"),
    Param("check_function_bodies", "on", boolean=True),
    Param("xmloption", "content"),
    Param("escape_string_warning", "on", boolean=True),
    Param("work_mem", "4MB"),
    Param("maintenance_work_mem", "64MB"),
    Param("effective_cache_size", "4GB"),
    Param("random_page_cost", "4"),
    Param("plan_cache_mode", "auto"),
    Param("enable_seqscan", "on", boolean=True),
    Param("enable_indexscan", "on", boolean=True),
    Param("enable_bitmapscan", "on", boolean=True),
    Param("enable_nestloop", "on", boolean=True),
    Param("enable_hashjoin", "on", boolean=True),
    Param("enable_mergejoin", "on", boolean=True),
    Param("enable_partitionwise_join", "off", boolean=True),
]
PARAMS: dict[str, Param] = {}
for _p in _PARAMS:
    PARAMS.setdefault(_p.name.lower(), _p)

# Time limits a client may set for itself (tighter than its PDB's, never looser).
DURATIONS = frozenset(
    {"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "idle_session_timeout"}
)
_ENCODINGS = {"UTF8", "UTF-8", "UNICODE", "SQL_ASCII"}


def lookup(name: str) -> Param | None:
    return PARAMS.get(name.lower())


# Isolation levels. DuckDB runs snapshot isolation; with the write gate (engine.write_gate) the
# read committed levels refresh a transaction's snapshot before its first write, the others
# keep it and fail with 40001 on a conflict, as PostgreSQL's do.
ISOLATION_LEVELS = ("read uncommitted", "read committed", "repeatable read", "serializable")

# PostgreSQL's spellings of a boolean setting (any unique prefix of these words too).
_TRUE = ("on", "true", "yes", "1")
_FALSE = ("off", "false", "no", "0")


def boolean(param: Param, value: str) -> str:
    """'on' or 'off' for any of PostgreSQL's spellings; ValueError for anything else."""
    v = value.strip().strip("'").lower()
    if len(v) >= 2 or v in ("t", "f", "y", "n", "1", "0"):
        if any(w.startswith(v) for w in _TRUE) and v not in ("o",):
            return "on"
        if any(w.startswith(v) for w in _FALSE) and v not in ("o",):
            return "off"
    raise ValueError(f'parameter "{param.name}" requires a Boolean value')


def clean_ascii(value: str) -> str:
    """PostgreSQL's pg_clean_ascii: each byte outside printable ASCII becomes '?' (a startup
    packet's undecodable bytes arrive as surrogates, one per byte)."""
    if value.isascii() and value.isprintable():
        return value
    raw = value.encode("utf-8", "surrogateescape")
    return "".join(chr(b) if 32 <= b < 127 else "?" for b in raw)


def normalize(param: Param, value: str) -> str:
    """The value as SHOW reports it; raises ValueError for values DuckCDB cannot honour."""
    if param.boolean:
        value = boolean(param, value)
    if param.name == "client_encoding":
        value = value.strip("'\"")  # asyncpg sends 'utf-8' with its quotes
        if value.upper() not in _ENCODINGS:
            raise ValueError(
                f'invalid value for parameter "client_encoding": "{value}"; only UTF8 is supported'
            )
        return "UTF8" if value.upper() != "SQL_ASCII" else "SQL_ASCII"
    if param.name == "standard_conforming_strings" and value.lower() in ("off", "false", "0"):
        raise ValueError("standard_conforming_strings cannot be turned off")
    if param.name in ("transaction_isolation", "default_transaction_isolation"):
        level = " ".join(value.strip("'\"").lower().split())
        if level not in ISOLATION_LEVELS:
            raise ValueError(f'invalid value for parameter "{param.name}": "{value}"')
        return level
    if param.name == "application_name":
        return clean_ascii(value)
    if param.name in DURATIONS:
        duration_ms(value)  # raises ValueError for what is not a duration
        return value.strip("'")
    if param.name == "TimeZone" and value.upper() in ("LOCAL", "DEFAULT"):
        return "UTC"
    return value


def startup_options(options: str) -> list[tuple[str, str]]:
    """The settings in a startup packet's `options` (PGOPTIONS): `-c name=value` and
    `--name=value`, separated by blanks, a backslash keeping the next character (a blank too)."""
    args, cur, escaped, started = [], "", False, False
    for ch in options:
        if escaped:
            cur, escaped, started = cur + ch, False, True
        elif ch == "\\":
            escaped = True
        elif ch.isspace():
            if started:
                args.append(cur)
            cur, started = "", False
        else:
            cur, started = cur + ch, True
    if started:
        args.append(cur)
    out, i = [], 0
    while i < len(args):
        a = args[i]
        if a == "-c" and i + 1 < len(args):
            a, i = "--" + args[i + 1], i + 1
        elif a.startswith("-c") and len(a) > 2:
            a = "--" + a[2:]
        if a.startswith("--") and "=" in a:
            name, _, value = a[2:].partition("=")
            out.append((name.replace("-", "_"), value))
        i += 1
    return out


# PostgreSQL's duration syntax: a number with an optional unit (ms when none).
TIME_PATTERN = re.compile(r"^\s*(\d+)\s*(ms|s|min|h|d)?\s*$", re.I)
TIME_UNITS_MS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}


@lru_cache(maxsize=256)
def duration_ms(text: str) -> int:
    """A PostgreSQL duration setting ('5s', '1min', '250' = ms) in milliseconds; 0 = none."""
    m = TIME_PATTERN.match(text.strip().strip("'"))
    if not m:
        raise ValueError(f'invalid value "{text}": a number with ms, s, min, h or d')
    return int(m.group(1)) * TIME_UNITS_MS[(m.group(2) or "ms").lower()]
