"""SQL-level cursors (DECLARE / FETCH / MOVE / CLOSE) on top of the session's portals.

DuckDB has no cursors; a PostgreSQL cursor is a named portal, so DECLARE makes one in the
session's portal table (where the extended protocol finds it too: psycopg describes a
server-side cursor with Describe Portal), FETCH streams rows from it, CLOSE drops it.
Only forward movement is supported, as for a NO SCROLL cursor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pgwire.errors import DbError

_DECLARE = re.compile(
    r"^\s*DECLARE\s+(?P<name>\"(?:[^\"]|\"\")+\"|[^\s]+)\s+(?P<opts>.*?)\bCURSOR\b(?P<hold>.*?)\bFOR\b\s+(?P<query>.*)$",
    re.I | re.S,
)
_FETCH = re.compile(
    r"^\s*(?P<verb>FETCH|MOVE)\s+(?:(?P<dir>NEXT|FORWARD|ALL|PRIOR|FIRST|LAST|BACKWARD|ABSOLUTE|RELATIVE)\s+)?"
    r"(?P<count>ALL|[+-]?\d+)?\s*(?:FROM\s+|IN\s+)?(?P<name>\"(?:[^\"]|\"\")+\"|[^\s;]+)\s*$",
    re.I | re.S,
)
_CLOSE = re.compile(r"^\s*CLOSE\s+(?P<name>\"(?:[^\"]|\"\")+\"|[^\s;]+)\s*$", re.I | re.S)


def _ident(text: str) -> str:
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    return text.lower()


@dataclass
class Declare:
    name: str
    query: str
    binary: bool
    hold: bool


@dataclass
class Fetch:
    name: str
    count: int | None  # None: ALL
    move: bool


def parse_declare(sql: str) -> Declare:
    m = _DECLARE.match(sql)
    if m is None:
        raise DbError(
            "42601",
            "syntax error in DECLARE: expected DECLARE name [BINARY] [NO SCROLL] CURSOR [WITH HOLD] FOR query",
        )
    opts = m.group("opts").upper().split()
    if "SCROLL" in opts and "NO" not in opts:
        raise DbError("0A000", "SCROLL cursors are not supported; declare the cursor NO SCROLL")
    return Declare(
        _ident(m.group("name")),
        m.group("query").strip(),
        "BINARY" in opts,
        "WITH HOLD" in " ".join(m.group("hold").upper().split()),
    )


def parse_fetch(sql: str) -> Fetch:
    m = _FETCH.match(sql)
    if m is None:
        raise DbError("42601", f"syntax error in {sql.split()[0].upper()}")
    direction = (m.group("dir") or "NEXT").upper()
    count_text = (m.group("count") or "").upper()
    if direction in ("PRIOR", "FIRST", "LAST", "BACKWARD", "ABSOLUTE", "RELATIVE") or count_text.startswith(
        "-"
    ):
        raise DbError("55000", "cursor can only scan forward: DuckCDB cursors are NO SCROLL")
    if direction == "ALL" or count_text == "ALL":
        count: int | None = None
    elif count_text:
        count = int(count_text)
    else:
        count = 1
    return Fetch(_ident(m.group("name")), count, m.group("verb").upper() == "MOVE")


def parse_close(sql: str) -> str | None:
    """The cursor CLOSE names, or None for CLOSE ALL."""
    m = _CLOSE.match(sql)
    if m is None:
        raise DbError("42601", "syntax error in CLOSE")
    name = m.group("name")
    return None if name.upper() == "ALL" else _ident(name)
