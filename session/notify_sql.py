"""LISTEN channel, UNLISTEN { channel | * }, NOTIFY channel [, 'payload'] as PostgreSQL reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pgwire.errors import DbError

_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_\x80-\uffff][A-Za-z0-9_$\x80-\uffff]*)'
_STATEMENT = re.compile(
    rf"^\s*(?P<kind>LISTEN|UNLISTEN|NOTIFY)\s+(?P<channel>{_IDENT}|\*)"
    r"(?:\s*,\s*(?P<escape>[Ee])?'(?P<payload>(?:[^']|'')*)')?\s*;?\s*$",
    re.I | re.S,
)


@dataclass(frozen=True)
class NotificationCommand:
    kind: str  # "listen", "unlisten" or "notify"
    channel: str | None  # None: UNLISTEN *
    payload: str = ""


def _channel(word: str) -> str:
    if word.startswith('"'):
        return word[1:-1].replace('""', '"')
    return word.lower()


def parse(text: str) -> NotificationCommand:
    m = _STATEMENT.match(text)
    if m is None:
        raise DbError("42601", f"syntax error in {text.split()[0].upper() if text.split() else 'statement'}")
    kind = m["kind"].lower()
    word = m["channel"]
    if word == "*":
        if kind != "unlisten":
            raise DbError("42601", 'syntax error at or near "*"')
        return NotificationCommand(kind, None)
    if m["payload"] is not None and kind != "notify":
        raise DbError("42601", 'syntax error at or near ","')
    if m["escape"]:
        raise DbError("0A000", "an E'' payload is not supported in NOTIFY; use pg_notify() or a plain string")
    payload = (m["payload"] or "").replace("''", "'")
    return NotificationCommand(kind, _channel(word), payload)


_ARG = r"'(?:[^']|'')*'|\$\d+(?:\s*::\s*(?:text|varchar|name))?"
_PG_NOTIFY = re.compile(
    rf"^\s*SELECT\s+(?:pg_catalog\s*\.\s*)?pg_notify\s*\(\s*(?P<channel>{_ARG})\s*,\s*(?P<payload>{_ARG})\s*\)"
    r"(?:\s+AS\s+\w+)?\s*;?\s*$",
    re.I | re.S,
)


def pg_notify_call(text: str) -> tuple[str, str] | None:
    """The two arguments of `SELECT pg_notify(channel, payload)` (literals or $n), else None."""
    if "pg_notify" not in text.lower():
        return None
    m = _PG_NOTIFY.match(text)
    return None if m is None else (m["channel"], m["payload"])


def argument(arg: str, values: list[str | None]) -> str | None:
    """A pg_notify argument's value: a string literal's, or parameter $n's."""
    if arg.startswith("'"):
        return arg[1:-1].replace("''", "'")
    n = int(re.match(r"\$(\d+)", arg).group(1))  # type: ignore[union-attr]
    if not 1 <= n <= len(values):
        raise DbError("42P02", f"there is no parameter ${n}")
    return values[n - 1]


def parameter_count(call: tuple[str, str]) -> int:
    return max((int(a[1:].split(":")[0].strip()) for a in call if a.startswith("$")), default=0)
