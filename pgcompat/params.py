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


_PARAMS = [
    Param("server_version", f"{PG_VERSION} (DuckCDB {VERSION})", report=True, read_only=True),
    Param("server_version_num", PG_VERSION_NUM, read_only=True),
    Param("server_encoding", "UTF8", report=True, read_only=True),
    Param("client_encoding", "UTF8", report=True),
    Param("DateStyle", "ISO, MDY", report=True),
    Param("IntervalStyle", "postgres", report=True),
    Param("TimeZone", "UTC", report=True, engine=True),
    Param("integer_datetimes", "on", report=True, read_only=True),
    Param("standard_conforming_strings", "on", report=True),
    Param("application_name", "", report=True),
    Param("is_superuser", "off", report=True, read_only=True),
    Param("session_authorization", "", report=True, read_only=True),
    Param("default_transaction_read_only", "off", report=True),
    Param("in_hot_standby", "off", report=True, read_only=True),
    Param("search_path", '"$user", public'),
    Param("extra_float_digits", "1"),
    Param("statement_timeout", "0"),
    Param("lock_timeout", "0"),
    Param("idle_in_transaction_session_timeout", "0"),
    Param("idle_session_timeout", "0"),
    Param("client_min_messages", "notice"),
    Param("transaction_isolation", "serializable", read_only=True),
    Param("default_transaction_isolation", "serializable"),
    Param("transaction_read_only", "off"),
    Param("max_identifier_length", "63", read_only=True),
    Param("max_index_keys", "32", read_only=True),
    Param("bytea_output", "hex"),
    Param("datestyle", "ISO, MDY"),
    Param("lc_messages", "C"),
    Param("lc_monetary", "C"),
    Param("lc_numeric", "C"),
    Param("lc_time", "C"),
    Param("synchronous_commit", "on"),
    Param("jit", "off"),
    Param("row_security", "on"),
    Param("timezone_abbreviations", "Default"),
    Param("max_connections", "1000", read_only=True),
    Param("block_size", "8192", read_only=True),
    Param("password_encryption", "scram-sha-256"),
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


def normalize(param: Param, value: str) -> str:
    """The value as SHOW reports it; raises ValueError for values DuckCDB cannot honour."""
    if param.name == "client_encoding":
        value = value.strip("'\"")  # asyncpg sends 'utf-8' with its quotes
        if value.upper() not in _ENCODINGS:
            raise ValueError(
                f'invalid value for parameter "client_encoding": "{value}"; only UTF8 is supported'
            )
        return "UTF8" if value.upper() != "SQL_ASCII" else "SQL_ASCII"
    if param.name == "standard_conforming_strings" and value.lower() in ("off", "false", "0"):
        raise ValueError("standard_conforming_strings cannot be turned off")
    if param.name in DURATIONS:
        duration_ms(value)  # raises ValueError for what is not a duration
        return value.strip("'")
    if param.name == "TimeZone" and value.upper() in ("LOCAL", "DEFAULT"):
        return "UTC"
    return value


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
