"""Parameters a client declares json or jsonb are json or jsonb in the statement.

A driver that sends a JSON value says so in its Parse (psycopg's Json and Jsonb: OIDs 114 and
3802), and PostgreSQL types the parameter by it: `SELECT $1` is a jsonb, `$1 -> 'a'` jsonb's
operator. DuckDB types a parameter by its value, which reaches it as text, so the statement would
answer text (and json's operators). Each such `$n` is written with its cast (`$n::jsonb`), which
the jsonb rewrites then read as they read any jsonb cast; a cast the client wrote after it
(`$1::text`) then casts the jsonb, as in PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import TokenType

from pgcompat.tokens import apply, tokenize
from pgwire.types import JSON, JSONB

_CAST = {JSON: "json", JSONB: "jsonb"}


def declares_json(param_oids: Sequence[int]) -> bool:
    """Whether a Parse declares a json or jsonb parameter (most declare none: nothing to do)."""
    return JSON in param_oids or JSONB in param_oids


def typed(sql: str, param_oids: Sequence[int]) -> str:
    """sql with each json/jsonb parameter cast to its declared type."""
    toks = tokenize(sql)
    if not toks:
        return sql
    edits = []
    for k in range(len(toks) - 1):
        t, n = toks[k], toks[k + 1]
        if t.token_type != TokenType.PARAMETER or n.token_type != TokenType.NUMBER or n.start != t.end + 1:
            continue
        index = int(n.text) - 1 if n.text.isdigit() else -1
        cast = _CAST.get(param_oids[index]) if 0 <= index < len(param_oids) else None
        if cast is not None:
            edits.append((t.start, n.end + 1, f"(${n.text}::{cast})"))
    return apply(sql, edits) if edits else sql
