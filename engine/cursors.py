"""SQL-level cursors (DECLARE / FETCH / MOVE / CLOSE) on top of the session's portals.

DuckDB has no cursors; a PostgreSQL cursor is a named portal, so DECLARE makes one in the
session's portal table (where the extended protocol finds it too: psycopg describes a
server-side cursor with Describe Portal), FETCH streams rows from it, CLOSE drops it.
A SCROLL cursor's rows are read once, at its first FETCH, and kept: PRIOR, FIRST, LAST, ABSOLUTE,
RELATIVE and BACKWARD move over them as in PostgreSQL. Any other cursor only scans forward (55000
for the rest, as PostgreSQL says of a NO SCROLL cursor).
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
    scroll: bool = False


# FETCH directions that go back (or may): only a SCROLL cursor takes them.
BACKWARD_DIRECTIONS = frozenset({"PRIOR", "FIRST", "LAST", "BACKWARD", "ABSOLUTE", "RELATIVE"})


@dataclass
class Fetch:
    name: str
    count: int | None  # None: ALL
    move: bool
    direction: str = "FORWARD"  # FORWARD, BACKWARD, ABSOLUTE or RELATIVE (count: the position / offset)

    @property
    def backward(self) -> bool:
        return self.direction != "FORWARD" or (self.count is not None and self.count < 0)


def parse_declare(sql: str) -> Declare:
    m = _DECLARE.match(sql)
    if m is None:
        raise DbError(
            "42601",
            "syntax error in DECLARE: expected DECLARE name [BINARY] [[NO] SCROLL] CURSOR [WITH HOLD] FOR query",
        )
    opts = m.group("opts").upper().split()
    return Declare(
        _ident(m.group("name")),
        m.group("query").strip(),
        "BINARY" in opts,
        "WITH HOLD" in " ".join(m.group("hold").upper().split()),
        "SCROLL" in opts and "NO" not in opts,
    )


def parse_fetch(sql: str) -> Fetch:
    """FETCH / MOVE [direction] [FROM | IN] name, with PostgreSQL's directions: NEXT, PRIOR, FIRST,
    LAST, ABSOLUTE n, RELATIVE n, n, ALL, FORWARD [n | ALL], BACKWARD [n | ALL]."""
    m = _FETCH.match(sql)
    if m is None:
        raise DbError("42601", f"syntax error in {sql.split()[0].upper()}")
    word = (m.group("dir") or "NEXT").upper()
    count_text = (m.group("count") or "").upper()
    every = word == "ALL" or count_text == "ALL"
    number = int(count_text) if count_text and not every else None
    move = m.group("verb").upper() == "MOVE"
    name = _ident(m.group("name"))
    if word in ("ABSOLUTE", "RELATIVE"):
        if number is None:
            raise DbError("42601", f"syntax error in {sql.split()[0].upper()}: {word} needs a number")
        return Fetch(name, number, move, word)
    if word in ("FIRST", "LAST"):
        return Fetch(name, 1 if word == "FIRST" else -1, move, "ABSOLUTE")
    if word == "PRIOR":
        return Fetch(name, 1, move, "BACKWARD")
    if word == "BACKWARD":
        return Fetch(name, None if every else (1 if number is None else number), move, "BACKWARD")
    count = None if every else (1 if number is None else number)
    if count is not None and count < 0:  # FETCH -2 / FORWARD -2 go back
        return Fetch(name, -count, move, "BACKWARD")
    return Fetch(name, count, move)


def scroll(pos: int, total: int, f: Fetch) -> tuple[list[int], int]:
    """A SCROLL cursor's rows for f (0-based indexes, in the order sent) and its new position
    (0: before the first row, total + 1: after the last), as PostgreSQL moves it."""
    if f.direction in ("ABSOLUTE", "RELATIVE"):
        n = f.count or 0
        target = (n if n >= 0 else total + 1 + n) if f.direction == "ABSOLUTE" else pos + n
        if 1 <= target <= total:
            return [target - 1], target
        return [], 0 if target < 1 else total + 1
    k = f.count
    if f.direction == "BACKWARD":
        if k == 0:
            return ([pos - 1], pos) if 1 <= pos <= total else ([], pos)
        start = min(pos, total + 1) - 1
        stop = 1 if k is None else max(start - k + 1, 1)
        rows = list(range(start, stop - 1, -1)) if start >= 1 else []
        new = 0 if k is None or len(rows) < k else start - k + 1
        return [r - 1 for r in rows], new
    if k == 0:
        return ([pos - 1], pos) if 1 <= pos <= total else ([], pos)
    first = max(pos, 0) + 1
    last = total if k is None else min(pos + k, total)
    rows = list(range(first, last + 1))
    new = total + 1 if k is None or len(rows) < k else pos + k
    return [r - 1 for r in rows], new


def parse_close(sql: str) -> str | None:
    """The cursor CLOSE names, or None for CLOSE ALL."""
    m = _CLOSE.match(sql)
    if m is None:
        raise DbError("42601", "syntax error in CLOSE")
    name = m.group("name")
    return None if name.upper() == "ALL" else _ident(name)
