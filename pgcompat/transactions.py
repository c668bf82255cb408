"""Transaction modes as PostgreSQL writes them: BEGIN / START TRANSACTION [mode, ...],
SET TRANSACTION mode, ..., SET SESSION CHARACTERISTICS AS TRANSACTION mode, ...
where a mode is ISOLATION LEVEL {SERIALIZABLE | REPEATABLE READ | READ COMMITTED |
READ UNCOMMITTED}, READ WRITE | READ ONLY, or [NOT] DEFERRABLE."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pgwire.errors import DbError

_LEVELS = ("SERIALIZABLE", "REPEATABLE READ", "READ COMMITTED", "READ UNCOMMITTED")


@dataclass(frozen=True)
class Modes:
    read_only: bool | None = None  # None: not said
    isolation: str | None = None  # lower case, as SHOW transaction_isolation says it
    deferrable: bool | None = None


def parse_modes(words: Sequence[str]) -> Modes:
    """The modes in words (upper case, comments left out), commas optional; 42601 for anything else."""
    read_only = isolation = deferrable = None
    i = 0
    while i < len(words):
        w = words[i]
        if w in (",", ";"):
            i += 1
        elif w == "ISOLATION" and words[i + 1 : i + 2] == ["LEVEL"]:
            rest = " ".join(words[i + 2 : i + 4])
            level = next((lv for lv in _LEVELS if rest.startswith(lv)), None)
            if level is None:
                raise DbError("42601", f'syntax error at or near "{" ".join(words[i + 2 : i + 3])}"')
            isolation = level.lower()
            i += 2 + len(level.split())
        elif w == "READ" and words[i + 1 : i + 2] in (["ONLY"], ["WRITE"]):
            read_only = words[i + 1] == "ONLY"
            i += 2
        elif w == "DEFERRABLE":
            deferrable, i = True, i + 1
        elif w == "NOT" and words[i + 1 : i + 2] == ["DEFERRABLE"]:
            deferrable, i = False, i + 2
        elif w in ("TRANSACTION", "WORK"):
            i += 1
        else:
            raise DbError("42601", f'syntax error at or near "{w.lower()}"')
    return Modes(read_only, isolation, deferrable)


def begin_modes(words: Sequence[str]) -> Modes:
    """The modes of BEGIN [WORK | TRANSACTION] ... or START TRANSACTION ..."""
    return parse_modes(words[1:])


def set_modes(words: Sequence[str]) -> Modes:
    """The modes of SET TRANSACTION ... or SET SESSION CHARACTERISTICS AS TRANSACTION ..."""
    return parse_modes(words[list(words).index("TRANSACTION") + 1 :])
