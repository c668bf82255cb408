"""Text cast to an integer type is read as PostgreSQL 15 reads it.

DuckDB's cast from text rounds '1.5'::int to 2 and takes '1_000' as 1000; PostgreSQL 15 takes
blanks, a sign and decimal digits only (pg_strtoint32), and refuses anything else (22P02) or a
value beyond the type (22003). The literal is checked here, where its text is known: a bad one
becomes an error() with PostgreSQL's message (engine.errors maps it to the SQLSTATE); a good one
is left as it is.

A column cast to an integer type (`t.s::int`, `CAST(s AS bigint)`) is checked when it is text:
`typeof(s)` is a constant to DuckDB, which drops the check for columns of other types; a text
column's values are matched against PostgreSQL's form and a non-integer is refused (22P02).
Statements on the catalog (names pg_*, information_schema) are left to the catalog emulation.

A string written by INSERT ... VALUES or UPDATE ... SET into an integer column is read by the
column's type in PostgreSQL, where DuckDB would cast it ('2.5' stored as 3): a string DuckDB reads
as a number that PostgreSQL's integer input refuses is checked against the column's type when the
statement runs (a statement run first, as pgcompat.numeric.literal_checks does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlglot.parser import Parser
from sqlglot.tokens import Token, TokenType

from pgcompat.numeric import column_check, written_literals
from pgcompat.tokens import NAMES, Edit, literal

# Each integer type's name in PostgreSQL's messages, and its range.
_TYPES = {
    "smallint": ("smallint", 16),
    "int2": ("smallint", 16),
    "int": ("integer", 32),
    "integer": ("integer", 32),
    "int4": ("integer", 32),
    "bigint": ("bigint", 64),
    "int8": ("bigint", 64),
}
_INTEGER = re.compile(r"^[ \t\n\r\f\v]*[+-]?[0-9]+[ \t\n\r\f\v]*$")


def refusal(value: str, type_name: str) -> str | None:
    """PostgreSQL's error for value as an integer type, or None when it is a good one."""
    name, bits = _TYPES[type_name]
    if not _INTEGER.match(value):
        return f'invalid input syntax for type {name}: "{value}"'
    if not -(2 ** (bits - 1)) <= int(value) < 2 ** (bits - 1):
        return f'value "{value.strip()}" is out of range for type {name}'
    return None


def _integer_type(toks: Sequence[Token], i: int) -> str | None:
    """The integer type named at toks[i] (not an array of it, nor a function call)."""
    if i >= len(toks) or toks[i].text.lower() not in _TYPES:
        return None
    nxt = toks[i + 1].token_type if i + 1 < len(toks) else None
    return None if nxt in (TokenType.L_BRACKET, TokenType.L_PAREN, TokenType.DOT) else toks[i].text.lower()


_TYPE_TOKENS = Parser.TYPE_TOKENS


def literal_int_casts(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """'1.5'::int, CAST('1.5' AS integer), ...: PostgreSQL's error for a string that is not one."""
    edits: list[Edit] = []
    for i, t in enumerate(toks[:-2]):
        if t.token_type != TokenType.STRING or text[t.start - base] != "'":
            continue
        if i > 0 and (toks[i - 1].token_type in _TYPE_TOKENS or toks[i - 1].token_type == TokenType.VAR):
            continue  # DATE '2024-01-01'::int: a typed literal, not a string (its cast is the type's)
        cast = toks[i + 1].token_type == TokenType.DCOLON or (
            toks[i + 1].token_type == TokenType.ALIAS
            and i >= 2
            and toks[i - 1].token_type == TokenType.L_PAREN
            and toks[i - 2].text.lower() == "cast"
            and i + 3 < len(toks)
            and toks[i + 3].token_type == TokenType.R_PAREN
        )
        kind = _integer_type(toks, i + 2) if cast else None
        message = refusal(t.text, kind) if kind is not None else None
        if message is not None:
            edits.append((t.start - base, t.end - base + 1, f"error({literal(message)})"))
    return edits


_PG_INTEGER = r"^\s*[+-]?[0-9]+\s*$"  # (DuckDB's regexp: \s as PostgreSQL's isspace)
_QUERIES = frozenset({TokenType.SELECT, TokenType.WITH, TokenType.INSERT, TokenType.UPDATE, TokenType.DELETE})


def _checked(column: str, type_text: str, type_name: str) -> str:
    name = _TYPES[type_name][0]
    x = f"({column})"
    message = f"'invalid input syntax for type {name}: \"' || CAST({x} AS VARCHAR) || '\"'"
    return (
        f"CAST(CASE WHEN typeof({x}) = 'VARCHAR' AND NOT regexp_matches(CAST({x} AS VARCHAR), "
        f"{literal(_PG_INTEGER)}) THEN error({message}) ELSE {x} END AS {type_text})"
    )


def _catalog_statement(toks: Sequence[Token]) -> bool:
    return any(t.text.lower().startswith("pg_") or t.text.lower() == "information_schema" for t in toks)


def column_int_casts(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """col::int, CAST(t.col AS bigint), ...: a text column's values checked as PostgreSQL's."""
    if not toks or toks[0].token_type not in _QUERIES:
        return []
    casts = [i for i, t in enumerate(toks) if t.token_type in (TokenType.DCOLON, TokenType.ALIAS)]
    casts = [i for i in casts if _integer_type(toks, i + 1) is not None]
    if not casts or _catalog_statement(toks):
        return []
    edits: list[Edit] = []
    for i in casts:
        first = i - 1
        if first < 0 or toks[first].token_type not in NAMES:
            continue
        while (
            first >= 2 and toks[first - 1].token_type == TokenType.DOT and toks[first - 2].token_type in NAMES
        ):
            first -= 2
        if first > 0 and toks[first - 1].token_type in (TokenType.DOT, TokenType.DCOLON):
            continue
        is_cast = toks[i].token_type == TokenType.DCOLON
        if not is_cast and not (
            first >= 2
            and toks[first - 1].token_type == TokenType.L_PAREN
            and toks[first - 2].text.lower() == "cast"
            and i + 2 < len(toks)
            and toks[i + 2].token_type == TokenType.R_PAREN
        ):
            continue
        column = text[toks[first].start - base : toks[i - 1].end - base + 1]
        type_text = toks[i + 1].text
        replacement = _checked(column, type_text, toks[i + 1].text.lower())
        if is_cast:
            edits.append((toks[first].start - base, toks[i + 1].end - base + 1, replacement))
        else:
            edits.append((toks[first - 2].start - base, toks[i + 2].end - base + 1, replacement))
    return edits


REWRITES = [literal_int_casts, column_int_casts]


# What DuckDB's cast from text to an integer reads as a number (it rounds a fraction, takes an
# exponent and digit-group underscores): such a string that PostgreSQL refuses is checked.
_DUCKDB_NUMBER = re.compile(r"^\s*[+-]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$")
# bytea's hex format, which DuckDB's cast from text reads as escapes ('\\x6869' is h, 6, 9).
_BYTEA_HEX = re.compile(r"^\\x[0-9a-fA-F]*$")


def _number_text_at(toks: Sequence[Token], i: int) -> tuple[str, int] | None:
    """A string at i, a whole value, that DuckDB would read as a number and PostgreSQL's integer
    input refuses, or in bytea's hex format: (its text, the index after it)."""
    if i >= len(toks) or toks[i].token_type != TokenType.STRING:
        return None
    value = toks[i].text
    if _BYTEA_HEX.match(value) or (_DUCKDB_NUMBER.match(value) and not _INTEGER.match(value)):
        return value, i + 1
    return None


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def written_text_checks(text: str, toks: Sequence[Token]) -> list[str]:
    """Statements run first that fail as PostgreSQL does (22P02) when a string that is not an
    integer is written into an integer column, and clearly when bytea's hex format is written into
    a bytea column (the catalog knows the column's type when it runs)."""
    if not toks or toks[0].token_type not in (TokenType.INSERT, TokenType.UPDATE):
        return []
    found = written_literals(text, toks, toks[0].start, _number_text_at)
    if found is None:
        return []
    schema, table, items = found
    checks = []
    for target, value in items:
        if _BYTEA_HEX.match(value):
            message = _quote(
                f"bytea hex input '{value}' written into a bytea column is not read as PostgreSQL"
                f" reads it here: write '{value}'::bytea"
            )
            types = "IN ('BLOB')"
        else:
            shown = _quote(f': "{value}"')
            message = (
                "'invalid input syntax for type ' || CASE data_type WHEN 'SMALLINT' THEN 'smallint'"
                f" WHEN 'INTEGER' THEN 'integer' ELSE 'bigint' END || {shown}"
            )
            types = "IN ('SMALLINT', 'INTEGER', 'BIGINT')"
        checks.append(column_check(schema, table, target, message, types))
    return checks
