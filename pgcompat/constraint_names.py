"""CONSTRAINT name before a PRIMARY KEY, UNIQUE or CHECK of CREATE TABLE and ALTER TABLE ... ADD:
which constraints are named, for the engine to record (engine.constraint_names; DuckDB takes the
syntax and drops the name).

A constraint is told by its kind and its place among the statement's constraints of that kind (the
n-th CHECK of the text DuckDB runs is DuckDB's n-th CHECK of the table). The spec handed to the
engine, in the statement's `alter`:

- CREATE TABLE: {"create_table": {schema, table}, "constraint_names": [{kind, ordinal, name}]}
- ALTER TABLE t ADD CONSTRAINT n PRIMARY KEY / UNIQUE: {schema, table, "add_named": [{kind, name}]}
- ALTER TABLE t ADD [CONSTRAINT n] CHECK (...) [NOT VALID]: {schema, table, "add_check": "CHECK (...)",
  "not_valid", ["add_named"]} (DuckDB adds no CHECK to a table: the engine makes it again with it)
- ALTER TABLE t RENAME CONSTRAINT a TO b: {schema, table, "rename_constraint": [a, b]} (DuckDB has no
  such statement: the engine renames what it keeps)

Temporary tables are left alone (the engine's hidden table is the PDB's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot.tokens import Token, TokenType

from pgcompat.foreign_keys import _items, _name, _word, altered_table


def _kind(text: str, t: Token, base: int) -> str | None:
    w = _word(text, t, base)
    if t.token_type == TokenType.PRIMARY_KEY or w == "PRIMARY":
        return "PRIMARY KEY"
    if w in ("UNIQUE", "CHECK"):
        return w
    return None


def _named_in(
    text: str, toks: Sequence[Token], a: int, b: int, base: int, counts: dict[str, int]
) -> list[dict[str, Any]]:
    """The named constraints of one table item (tokens a..b), counting each kind met in counts."""
    found: list[dict[str, Any]] = []
    pending: str | None = None
    depth = 0
    k = a
    while k < b:
        tt = toks[k].token_type
        if tt == TokenType.L_PAREN:
            depth += 1
        elif tt == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0:
            w = _word(text, toks[k], base)
            kind = _kind(text, toks[k], base)
            if w == "CONSTRAINT" and k + 1 < b:
                pending = _name(text, toks[k + 1], base)
                k += 2
                continue
            if kind is not None:
                counts[kind] = counts.get(kind, 0) + 1
                if pending is not None:
                    found.append({"kind": kind, "ordinal": counts[kind], "name": pending})
                pending = None
            elif w in ("NOT", "NULL", "DEFAULT", "REFERENCES", "GENERATED", "EXCLUDE", "FOREIGN"):
                pending = None
        k += 1
    return found


def _create_table(text: str, toks: Sequence[Token]) -> dict[str, Any] | None:
    base = toks[0].start
    w = [_word(text, t, base) for t in toks]
    k = 1
    while k < len(w) and w[k] in ("TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL"):
        if w[k] in ("TEMP", "TEMPORARY"):
            return None
        k += 1
    if w[k : k + 1] != ["TABLE"]:
        return None
    k += 1
    if w[k : k + 3] == ["IF", "NOT", "EXISTS"]:
        k += 3
    if k >= len(toks):
        return None
    schema, table = "main", _name(text, toks[k], base)
    if k + 2 < len(toks) and toks[k + 1].token_type == TokenType.DOT:
        schema, table = _name(text, toks[k], base), _name(text, toks[k + 2], base)
        k += 2
    if schema in ("pg_temp", "temp"):
        return None
    k += 1
    if k >= len(toks) or toks[k].token_type != TokenType.L_PAREN:
        return None
    depth, close = 0, None
    for j in range(k, len(toks)):
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(toks[j].token_type, 0)
        if depth == 0:
            close = j
            break
    if close is None:
        return None
    counts: dict[str, int] = {}
    found: list[dict[str, Any]] = []
    for a, b in _items(toks, k + 1, close):
        found += _named_in(text, toks, a, b, base, counts)
    if not found:
        return None
    return {
        "create_table": {"schema": "main" if schema == "public" else schema, "table": table},
        "constraint_names": found,
    }


def _alter_table(text: str, toks: Sequence[Token]) -> dict[str, Any] | None:
    head = altered_table(text, toks)
    if head is None:
        return None
    w, target, k = head
    base = toks[0].start
    if w[k : k + 2] == ["RENAME", "CONSTRAINT"] and k + 5 == len(toks) and w[k + 3] == "TO":
        return {
            **target,
            "rename_constraint": [_name(text, toks[k + 2], base), _name(text, toks[k + 4], base)],
        }
    if w[k : k + 1] != ["ADD"]:
        return None
    j, name = k + 1, None
    if w[j : j + 1] == ["CONSTRAINT"] and j + 2 < len(toks):
        name, j = _name(text, toks[j + 1], base), j + 2
    kind = _kind(text, toks[j], base) if j < len(toks) else None
    named = {"add_named": [{"kind": kind, "name": name}]} if name is not None else {}
    if kind == "CHECK":
        # ADD [CONSTRAINT n] CHECK (...) [NOT VALID]: DuckDB adds none; the engine makes the table again
        end, not_valid = len(toks), w[-2:] == ["NOT", "VALID"]
        end -= 2 if not_valid else 0
        if w[end - 2 : end] == ["NO", "INHERIT"]:
            end -= 2
        check = text[toks[j].start - base : toks[end - 1].end - base + 1]
        return {**target, "add_check": check, "not_valid": not_valid, **named}
    if name is None or kind not in ("PRIMARY KEY", "UNIQUE"):
        return None
    return {**target, **named}


def extract(text: str, toks: Sequence[Token]) -> dict[str, Any] | None:
    """The named constraints of a CREATE TABLE or ALTER TABLE ... ADD CONSTRAINT (the text DuckDB
    runs), as the engine's spec; None where there are none."""
    if len(toks) < 4 or not any(_word(text, t, toks[0].start) in ("CONSTRAINT", "CHECK") for t in toks):
        return None
    first, second = toks[0].text.upper(), toks[1].text.upper()
    if first == "CREATE":
        return _create_table(text, toks)
    if first == "ALTER" and second == "TABLE":
        return _alter_table(text, toks)
    return None
