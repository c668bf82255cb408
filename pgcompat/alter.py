"""ALTER TABLE and foreign keys: what PostgreSQL does that DuckDB's own statements refuse.

`plan_of` reads an ALTER TABLE and says what the engine must plan around it when it runs
(engine.alter: the table's indexes dropped and made again, or the table made again).
`deferrable_constraints` and `immediate_constraints` take PostgreSQL's constraint timing clauses
DuckDB's grammar lacks on UNIQUE and PRIMARY KEY; a foreign key's own (and its referential
actions) are pgcompat.foreign_keys', carried out by the engine (engine.foreign_keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot.tokens import Token, TokenType

from pgcompat import foreign_keys, lengths
from pgcompat.tokens import Tokens

Edit = tuple[int, int, str]


def _upper(t: Token, text: str, base: int) -> str:
    return "" if text[t.start - base] in "'\"" else t.text.upper()


def _constraint_timing(text: str, toks: Sequence[Token], base: int, deferred: bool) -> list[Edit]:
    if not toks or toks[0].text.upper() not in ("CREATE", "ALTER"):
        return []
    w = [_upper(t, text, base) for t in toks]
    fk = foreign_keys.clause_tokens(toks)  # a foreign key's timing is carried out (engine.foreign_keys)
    edits: list[Edit] = []
    i = 0
    while i < len(w):
        start = i
        if i in fk:
            i += 1
            continue
        if w[i] == "NOT" and i + 1 < len(w) and w[i + 1] == "DEFERRABLE":
            i, is_deferred = i + 2, False
        elif w[i] == "DEFERRABLE":
            i, is_deferred = i + 1, True
        elif w[i] == "INITIALLY" and i + 1 < len(w) and w[i + 1] in ("DEFERRED", "IMMEDIATE"):
            i, is_deferred = i, False
        else:
            i += 1
            continue
        if i + 1 < len(w) and w[i] == "INITIALLY" and w[i + 1] in ("DEFERRED", "IMMEDIATE"):
            is_deferred = is_deferred or w[i + 1] == "DEFERRED"
            i += 2
        if is_deferred == deferred:
            edits.append((toks[start].start - base, toks[i - 1].end - base + 1, ""))
    return edits


def deferrable_constraints(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """UNIQUE / PRIMARY KEY ... DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]: the constraint is taken
    and checked at each statement, as NOT DEFERRABLE is; what differs is said in a notice. (A
    foreign key's DEFERRABLE is carried out: engine.foreign_keys.)"""
    return _constraint_timing(text, toks, base, deferred=True)


deferrable_constraints.notice = (  # type: ignore[attr-defined]
    "DEFERRABLE UNIQUE and PRIMARY KEY constraints are checked at each row, not at commit: DuckDB cannot "
    "defer them (SET CONSTRAINTS ... DEFERRED has no effect on them; foreign keys are deferred)"
)


def immediate_constraints(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """NOT DEFERRABLE / INITIALLY IMMEDIATE: PostgreSQL's default, and how DuckDB checks."""
    return _constraint_timing(text, toks, base, deferred=False)


REWRITES = [deferrable_constraints, immediate_constraints]


def _name(text: str, t: Token, base: int) -> str:
    """An identifier as PostgreSQL reads it: quoted as written, unquoted in lower case."""
    return t.text if text[t.start - base] == '"' else t.text.lower()


def _retype(text: str, toks: Sequence[Token], i: int, w: list[str], jsonb: bool) -> dict[str, str] | None:
    """ALTER [COLUMN] c [SET DATA] TYPE t [USING e]: the column, DuckDB's type, the length CHECK
    a varchar(n) / char(n) takes, or the CHECK of a jsonb (pgcompat.lengths: the client wrote
    jsonb, DuckDB's JSON here), the USING expression."""
    base = toks[0].start
    k = i + 1
    if w[k : k + 1] == ["COLUMN"]:
        k += 1
    if k >= len(toks):
        return None
    column = _name(text, toks[k], base)
    t = w.index("TYPE", k) + 1
    using = w.index("USING", t) if "USING" in w[t:] else len(toks)
    if t >= using:
        return None
    declared = lengths.declared_length(Tokens(text, toks, base), t)
    if declared is not None:
        kind, n, _ = declared
        new_type, check = kind, lengths.length_check('"' + column.replace('"', '""') + '"', kind, n)
    else:
        new_type, check = text[toks[t].start - base : toks[using - 1].end - base + 1], ""
        if jsonb and new_type.upper() == "JSON":
            check = lengths.jsonb_check('"' + column.replace('"', '""') + '"')
    expr = text[toks[using + 1].start - base : toks[-1].end - base + 1] if using + 1 < len(toks) else ""
    return {"column": column, "type": new_type, "check": check, "using": expr}


def plan_of(text: str, toks: Sequence[Token], jsonb: bool = False) -> dict[str, Any] | None:
    """What the engine plans around ALTER TABLE [IF EXISTS] [ONLY] t <one action>, or None.
    jsonb: the client's statement names jsonb (text has DuckDB's JSON for it)."""
    if len(toks) < 4 or toks[0].text.upper() != "ALTER" or toks[1].text.upper() != "TABLE":
        return None
    base = toks[0].start
    w = [_upper(t, text, base) for t in toks]
    i = 2
    if w[i : i + 2] == ["IF", "EXISTS"]:
        i += 2
    if w[i : i + 1] == ["ONLY"]:
        i += 1
    schema, table = "main", _name(text, toks[i], base)
    if i + 2 < len(toks) and toks[i + 1].token_type == TokenType.DOT:
        schema, table = _name(text, toks[i], base), _name(text, toks[i + 2], base)
        i += 2
        if schema == "public":
            schema = "main"
    i += 1
    depth = 0
    for t in toks[i:]:
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(t.token_type, 0)
        if depth == 0 and t.token_type == TokenType.COMMA:
            return None  # several actions: DuckDB takes one at a time
    spec: dict[str, Any] = {"schema": schema, "table": table}
    act = w[i : i + 4]
    if act[:1] == ["ADD"]:
        k = i + 1
        if w[k : k + 1] == ["CONSTRAINT"]:
            k += 2
        if w[k : k + 2] == ["FOREIGN", "KEY"] or w[k : k + 1] == ["FOREIGN KEY"]:
            pass  # pgcompat.foreign_keys: kept by the engine, nothing for DuckDB to do
        elif w[k : k + 1] in (["PRIMARY"], ["UNIQUE"], ["CHECK"], ["EXCLUDE"]):
            return None
        elif jsonb:
            if w[k : k + 1] == ["COLUMN"]:
                k += 1
            if_not_exists = w[k : k + 3] == ["IF", "NOT", "EXISTS"]
            if if_not_exists:
                k += 3
            # ADD [COLUMN] [IF NOT EXISTS] c jsonb / jsonb[]: DuckDB adds no column with a CHECK;
            # the column added, the table is made again with the CHECK that says it is jsonb
            # (engine.alter); a column that was there already is left as it is
            array = w[k + 2 : k + 4] == ["[", "]"] and (k + 4 >= len(toks) or w[k + 4] != "[")
            if k + 1 < len(toks) and w[k + 1] == "JSON" and (array or k + 2 >= len(toks) or w[k + 2] != "["):
                column = _name(text, toks[k], base)
                check = lengths.jsonb_check('"' + column.replace('"', '""') + '"')
                spec["then_retype"] = {
                    "column": column,
                    "type": "JSON[]" if array else "JSON",
                    "check": check,
                    "using": "",
                }
                if if_not_exists:
                    spec["then_retype_if_added"] = True
    elif act[:1] == ["DROP"]:
        k = i + 1
        if w[k : k + 1] == ["CONSTRAINT"]:
            return None
        if w[k : k + 1] == ["COLUMN"]:
            k += 1
        if w[k : k + 2] == ["IF", "EXISTS"]:
            k += 2
        if k < len(toks):
            spec["drop_column"] = _name(text, toks[k], base)
            spec["fresh"] = True
    elif act[:1] == ["RENAME"]:
        k = i + 1
        if w[k : k + 1] == ["CONSTRAINT"]:
            return None
        if w[k : k + 1] == ["TO"] and k + 1 < len(toks):
            spec["rename_table"] = _name(text, toks[k + 1], base)
        else:
            if w[k : k + 1] == ["COLUMN"]:
                k += 1
            if k + 2 < len(toks) and w[k + 1] == "TO":
                spec["rename_column"] = [_name(text, toks[k], base), _name(text, toks[k + 2], base)]
    elif act[:1] == ["ALTER"]:
        if "TYPE" in w[i:]:
            spec["fresh"] = True
            retype = _retype(text, toks, i, w, jsonb)
            if retype is not None:
                spec["retype"] = retype
    else:
        return None
    return spec
