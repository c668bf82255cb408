"""PostgreSQL's answers of date/time functions whose DuckDB namesakes differ (translators of
one call each, as pgcompat.pg_strings').

- extract(hour FROM date) (and the other time-of-day fields) is refused, 0A000, where DuckDB
  says 0; `typeof(x)` is a constant to DuckDB, so other types keep the plain extract;
- date_trunc('century' | 'millennium', x): PostgreSQL's centuries start in years 1, 101, ...
  2001 (DuckDB's in 2000).
- date_trunc(unit, date) is timestamptz in PostgreSQL (the date is cast to its only timestamptz
  overload's type, midnight in the session's zone); DuckDB answers a timestamp. A rewrite (after
  the translations) gives date_trunc's second argument to the engine's macro
  pgwire.types.DATE_TRUNC_ARG, which casts a DATE to TIMESTAMPTZ and leaves any other type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlglot.tokens import Token, TokenType

from pgcompat.char_casts import _primary_start
from pgcompat.tokens import Edit, Tokens, literal
from pgwire.types import DATE_TRUNC_ARG

if TYPE_CHECKING:
    from pgcompat.functions import Call

# Fields PostgreSQL's extract() refuses for a date (extract_date: "not supported for type date").
_NOT_OF_A_DATE = frozenset(
    {
        "hour",
        "minute",
        "second",
        "milliseconds",
        "microseconds",
        "timezone",
        "timezone_hour",
        "timezone_minute",
    }
)


def extract(call: Call) -> str | None:
    """extract(field FROM x): a time-of-day field of a date is refused, as PostgreSQL does."""
    parts = call.tk.split(call.open + 1, call.close, frozenset({TokenType.FROM}))
    if len(parts) != 2 or parts[0][1] != parts[0][0] + 1:
        return None
    field = (call.tk.word(parts[0][0]) or call.tk.string(parts[0][0]) or "").lower()
    if field not in _NOT_OF_A_DATE:
        return None
    from pgcompat.functions import render_range  # (functions imports this module)

    x = f"({render_range(call.tk, parts[1][0], parts[1][1])})"
    message = literal(f'unit "{field}" not supported for type date')
    return (
        f"extract({call.tk.src(parts[0][0])} FROM "
        f"CASE WHEN typeof({x}) = 'DATE' THEN error({message}) ELSE {x} END)"
    )


_SPANS = {"century": 100, "millennium": 1000}


def date_trunc(call: Call) -> str | None:
    """date_trunc('century' | 'millennium', x): the first year of PostgreSQL's century (2001 for
    2024), years after year 0 (BC years keep DuckDB's answer)."""
    unit = call.string(0) if len(call.args) == 2 else None
    span = _SPANS.get((unit or "").lower())
    if span is None:
        return None
    x = f"({call.args[1]})"
    return (
        f"(CASE WHEN year({x}) > 0 THEN date_trunc('year', {x}) - "
        f"to_years(CAST((year({x}) - 1) % {span} AS INTEGER)) ELSE date_trunc({call.args[0]}, {x}) END)"
    )


_DDL = frozenset({TokenType.CREATE, TokenType.ALTER})


def _a_date(tk: Tokens, lo: int, hi: int) -> bool:
    """Whether tokens lo..hi are written as a date: DATE '...', current_date, x::date,
    CAST(x AS date) (what a definition can cast to timestamptz without the session's macro)."""
    if lo == hi:
        return tk.word(lo) == "current_date"
    if hi == lo + 1 and tk.tt(lo) == TokenType.DATE and tk.tt(hi) == TokenType.STRING:
        return True
    if tk.tt(hi) == TokenType.DATE and tk.tt(hi - 1) == TokenType.DCOLON:
        return _primary_start(tk, hi - 2) == lo
    return (
        tk.word(lo) == "cast"
        and tk.closing(lo + 1) == hi
        and tk.tt(hi - 1) == TokenType.DATE
        and tk.tt(hi - 2) == TokenType.ALIAS
    )


def date_trunc_of_a_date(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """date_trunc(unit, x): x through DATE_TRUNC_ARG, so that a date is truncated as timestamptz."""
    if "date_trunc" not in text.lower():
        return []
    ddl = toks[0].token_type in _DDL
    tk = Tokens(text, toks, base)
    edits: list[Edit] = []
    for i in range(tk.n - 1):
        if tk.word(i) != "date_trunc" or tk.tt(i + 1) != TokenType.L_PAREN or tk.tt(i - 1) == TokenType.DOT:
            continue
        close = tk.closing(i + 1)
        parts = tk.split(i + 2, close, frozenset({TokenType.COMMA})) if close is not None else []
        if len(parts) != 2 or parts[1][0] >= parts[1][1]:
            continue
        lo, hi = parts[1][0], parts[1][1] - 1
        if not ddl:
            opening = f"{DATE_TRUNC_ARG}("
        elif _a_date(tk, lo, hi):
            opening = "CAST("  # plain SQL: a view or CREATE TABLE AS can hold it
        else:
            continue  # (a view keeps DuckDB's date_trunc of a value whose type is not written)
        closing = ")" if opening != "CAST(" else " AS TIMESTAMPTZ)"
        edits += [(tk.start(lo), tk.start(lo), opening), (tk.end(hi), tk.end(hi), closing)]
    return edits


REWRITES = [date_trunc_of_a_date]
