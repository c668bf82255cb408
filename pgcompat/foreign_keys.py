"""FOREIGN KEY clauses of CREATE TABLE and ALTER TABLE, taken out of what DuckDB runs and handed
to the engine as data (engine.foreign_keys enforces them with PostgreSQL's semantics).

DuckDB's own foreign keys carry out no referential action, count rows deleted earlier in the same
transaction and refuse an update of an indexed column of a referenced row. So a REFERENCES clause
is removed from the statement DuckDB runs, and its definition (columns, referenced table and
columns, ON DELETE / ON UPDATE actions, MATCH, DEFERRABLE / INITIALLY DEFERRED, the constraint's
name) goes to the engine in the statement's `alter` spec:

- CREATE TABLE: {"create_table": {schema, table}, "foreign_keys": [...]}
- ALTER TABLE t ADD [CONSTRAINT n] FOREIGN KEY ... [NOT VALID], and ADD COLUMN c t REFERENCES ...:
  "foreign_keys" added to the ALTER's spec (the column added first, by the statement itself)
- ALTER TABLE t DROP CONSTRAINT [IF EXISTS] n: {"drop_constraint": n, ...}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot.tokens import Token, TokenType

from pgcompat.tokens import apply

Edit = tuple[int, int, str]

# PostgreSQL's pg_constraint codes of the referential actions.
ACTIONS = {"NO ACTION": "a", "RESTRICT": "r", "CASCADE": "c", "SET NULL": "n", "SET DEFAULT": "d"}


class Unsupported(Exception):
    """A foreign key form DuckCDB does not carry out: (SQLSTATE, message)."""


def _word(text: str, t: Token, base: int) -> str:
    return "" if text[t.start - base] in "'\"" else t.text.upper()


def _name(text: str, t: Token, base: int) -> str:
    """An identifier as PostgreSQL reads it: quoted as written, unquoted in lower case."""
    return t.text if text[t.start - base] == '"' else t.text.lower()


def _paren_names(text: str, toks: Sequence[Token], i: int, base: int) -> tuple[list[str], int]:
    """The names of '(a, b)' starting at toks[i] (a left parenthesis), and the index after it."""
    names: list[str] = []
    k = i + 1
    while k < len(toks) and toks[k].token_type != TokenType.R_PAREN:
        if toks[k].token_type != TokenType.COMMA:
            names.append(_name(text, toks[k], base))
        k += 1
    return names, k + 1


def set_column_lists(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """ON DELETE SET NULL (a, ...) / SET DEFAULT (a, ...): the column lists taken out of the text
    the sandbox analyses (sqlglot does not parse PostgreSQL 15's form; names of columns only)."""
    edits: list[Edit] = []
    for k in range(len(toks) - 4):
        if (
            toks[k].token_type == TokenType.SET
            and toks[k + 2].token_type == TokenType.L_PAREN
            and _word(text, toks[k + 1], base) in ("NULL", "DEFAULT")
            and _word(text, toks[k - 1], base) == "DELETE"
        ):
            _, after = _paren_names(text, toks, k + 2, base)
            edits.append((toks[k + 2].start - base, toks[after - 1].end - base + 1, ""))
    return edits


def _references(text: str, toks: Sequence[Token], i: int, end: int, base: int) -> tuple[dict[str, Any], int]:
    """REFERENCES t [(cols)] [MATCH x] [ON DELETE a] [ON UPDATE a] [[NOT] DEFERRABLE]
    [INITIALLY DEFERRED | IMMEDIATE] [NOT VALID] starting at toks[i]; (fields, index after)."""
    w = [_word(text, t, base) for t in toks]
    k = i + 1
    schema, table = "", _name(text, toks[k], base)
    if k + 2 < end and toks[k + 1].token_type == TokenType.DOT:
        schema, table = table, _name(text, toks[k + 2], base)
        k += 2
    k += 1
    fk: dict[str, Any] = {
        "parent_schema": "main" if schema in ("", "public") else schema,
        "parent_table": table,
        "parent_cols": [],
        "on_delete": "a",
        "on_update": "a",
        "match": "s",
        "deferrable": False,
        "deferred": False,
        "not_valid": False,
        "delete_set_cols": None,  # ON DELETE SET NULL / SET DEFAULT (a, ...): the columns set
    }
    timing: list[tuple[int, int]] = []  # where its DEFERRABLE / INITIALLY words are in the text
    fk["_timing"] = timing
    if k < end and toks[k].token_type == TokenType.L_PAREN:
        fk["parent_cols"], k = _paren_names(text, toks, k, base)
    while k < end:
        if w[k] == "MATCH" and k + 1 < end:
            kind = w[k + 1]
            if kind == "PARTIAL":
                raise Unsupported("0A000", "MATCH PARTIAL not yet implemented")
            fk["match"] = "f" if kind == "FULL" else "s"
            k += 2
        elif w[k] == "ON" and k + 1 < end and w[k + 1] in ("DELETE", "UPDATE"):
            two = " ".join(w[k + 2 : k + 4])
            if two in ACTIONS:
                action, k2 = two, k + 4
            elif w[k + 2 : k + 3] and w[k + 2] in ACTIONS:
                action, k2 = w[k + 2], k + 3
            else:
                raise Unsupported(
                    "42601", f'syntax error at or near "{toks[k + 2].text if k + 2 < end else ""}"'
                )
            if k2 < end and toks[k2].token_type == TokenType.L_PAREN:
                # ON DELETE SET NULL (a, ...) / SET DEFAULT (a, ...): only these columns are set
                if action not in ("SET NULL", "SET DEFAULT"):
                    raise Unsupported("42601", 'syntax error at or near "("')
                if w[k + 1] != "DELETE":
                    raise Unsupported(
                        "0A000", f"a column list with {action} is only supported for ON DELETE actions"
                    )
                fk["delete_set_cols"], k2 = _paren_names(text, toks, k2, base)
            fk["on_delete" if w[k + 1] == "DELETE" else "on_update"] = ACTIONS[action]
            k = k2
        elif w[k] == "NOT" and k + 1 < end and w[k + 1] == "DEFERRABLE":
            fk["deferrable"] = False
            timing.append((toks[k].start - base, toks[k + 1].end - base + 1))
            k += 2
        elif w[k] == "DEFERRABLE":
            fk["deferrable"] = True
            timing.append((toks[k].start - base, toks[k].end - base + 1))
            k += 1
        elif w[k] == "INITIALLY" and k + 1 < end and w[k + 1] in ("DEFERRED", "IMMEDIATE"):
            fk["deferred"] = w[k + 1] == "DEFERRED"
            timing.append((toks[k].start - base, toks[k + 1].end - base + 1))
            k += 2
        elif w[k] == "NOT" and k + 1 < end and w[k + 1] == "VALID":
            fk["not_valid"] = True
            k += 2
        else:
            break
    if fk["deferred"] and not fk["deferrable"]:
        if any(w[j] == "NOT" and w[j + 1 : j + 2] == ["DEFERRABLE"] for j in range(i, k)):
            raise Unsupported("42601", "constraint declared INITIALLY DEFERRED must be DEFERRABLE")
        fk["deferrable"] = True
    return fk, k


def _items(toks: Sequence[Token], start: int, end: int) -> list[tuple[int, int]]:
    """(first, after-last) token indices of the comma-separated items between start and end."""
    items, depth, first = [], 0, start
    for k in range(start, end):
        tt = toks[k].token_type
        if tt == TokenType.L_PAREN:
            depth += 1
        elif tt == TokenType.R_PAREN:
            depth -= 1
        elif tt == TokenType.COMMA and depth == 0:
            items.append((first, k))
            first = k + 1
    if first < end:
        items.append((first, end))
    return items


def _constraint_name(text: str, toks: Sequence[Token], k: int, base: int) -> tuple[str | None, int]:
    """[CONSTRAINT name] at toks[k]: (name or None, index after)."""
    if k + 1 < len(toks) and _word(text, toks[k], base) == "CONSTRAINT":
        return _name(text, toks[k + 1], base), k + 2
    return None, k


def _in_item(
    text: str, toks: Sequence[Token], a: int, b: int, base: int
) -> tuple[dict[str, Any], Edit] | None:
    """The foreign key of one table item (a column with REFERENCES, or a FOREIGN KEY constraint)
    between token indices a and b, and the edit removing it from DuckDB's text."""
    w = [_word(text, t, base) for t in toks[: b + 1]]
    name, k = _constraint_name(text, toks, a, base)
    if k < b and toks[k].token_type == TokenType.FOREIGN_KEY or w[k : k + 2] == ["FOREIGN", "KEY"]:
        k += 1 if toks[k].token_type == TokenType.FOREIGN_KEY else 2
        cols, k = _paren_names(text, toks, k, base)
        if k >= b or toks[k].token_type != TokenType.REFERENCES:
            return None
        fk, _ = _references(text, toks, k, b, base)
        fk.update(name=name, child_cols=cols)
        return fk, (toks[a].start - base, toks[b - 1].end - base + 1, "")
    # a column: name type ... [CONSTRAINT n] REFERENCES ...
    depth = 0
    for j in range(a + 1, b):
        tt = toks[j].token_type
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tt, 0)
        if depth == 0 and tt == TokenType.REFERENCES:
            start = j - 2 if j - 2 > a and w[j - 2] == "CONSTRAINT" else j
            name = _name(text, toks[j - 1], base) if start == j - 2 else None
            fk, after = _references(text, toks, j, b, base)
            fk.update(name=name, child_cols=[_name(text, toks[a], base)])
            end = toks[after - 1].end - base + 1
            return fk, (toks[start - 1].end - base + 1, end, "")  # with the space before it
    return None


def _create_table(text: str, toks: Sequence[Token]) -> tuple[str, dict[str, Any]] | None:
    base = toks[0].start
    w = [_word(text, t, base) for t in toks]
    k = 1
    while k < len(w) and w[k] in ("TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL"):
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
    items = _items(toks, k + 1, close)
    found: list[dict[str, Any]] = []
    edits: list[Edit] = []
    for n, (a, b) in enumerate(items):
        if a >= b:
            continue
        got = _in_item(text, toks, a, b, base)
        if got is None:
            continue
        fk, (s, e, _) = got
        found.append(fk)
        if (
            fk["name"] is None
            and fk["child_cols"]
            and toks[a].start - base == s
            and toks[b - 1].end - base + 1 == e
        ):
            pass
        if s == toks[a].start - base:
            # a whole table constraint: the comma before it (or after it, for the first) goes too
            if n > 0:
                s = toks[items[n - 1][1]].start - base
            elif n + 1 < len(items):
                e = toks[items[n + 1][0]].start - base
        edits.append((s, e, ""))
    if not found:
        return None
    if schema == "public":
        schema = "main"
    if any(x in ("TEMP", "TEMPORARY") for x in w[1:3]):
        return _temporary(text, found)
    for fk in found:
        del fk["_timing"]
    return apply(text, edits), {
        "create_table": {"schema": schema, "table": table},
        "foreign_keys": found,
    }


def _temporary(text: str, found: list[dict[str, Any]]) -> tuple[str, None]:
    """A temporary table's foreign keys stay DuckDB's own (the hidden table is the PDB's, a
    temporary table its session's): NO ACTION and RESTRICT only, checked at each statement
    (their DEFERRABLE taken out); an action DuckDB would not carry out is refused."""
    for fk in found:
        for which in ("on_delete", "on_update"):
            if fk[which] not in ("a", "r"):
                action = next(k for k, v in ACTIONS.items() if v == fk[which])
                raise Unsupported(
                    "0A000",
                    f"FOREIGN KEY ... ON {which[3:].upper()} {action} of a temporary table is not supported: "
                    "its foreign keys are DuckDB's, which carries out no referential action",
                )
    spans = [span for fk in found for span in fk["_timing"]]
    return apply(text, [(a, b, "") for a, b in spans]), None


def altered_table(text: str, toks: Sequence[Token]) -> tuple[list[str], dict[str, str], int] | None:
    """ALTER TABLE [IF EXISTS] [ONLY] [schema.]name ...: its tokens' words, the table it alters
    ({"schema", "table"}, public read as main) and where what it does begins."""
    base = toks[0].start
    w = [_word(text, t, base) for t in toks]
    k = 2
    if w[k : k + 2] == ["IF", "EXISTS"]:
        k += 2
    if w[k : k + 1] == ["ONLY"]:
        k += 1
    if k >= len(toks):
        return None
    schema, table = "main", _name(text, toks[k], base)
    if k + 2 < len(toks) and toks[k + 1].token_type == TokenType.DOT:
        schema, table = _name(text, toks[k], base), _name(text, toks[k + 2], base)
        k += 2
    return w, {"schema": "main" if schema == "public" else schema, "table": table}, k + 1


def _alter_table(text: str, toks: Sequence[Token]) -> tuple[str, dict[str, Any]] | None:
    head = altered_table(text, toks)
    if head is None:
        return None
    w, target, k = head
    base = toks[0].start
    if w[k : k + 2] == ["DROP", "CONSTRAINT"]:
        j = k + 2
        if_exists = w[j : j + 2] == ["IF", "EXISTS"]
        j += 2 if if_exists else 0
        if j >= len(toks):
            return None
        return text, {**target, "drop_constraint": _name(text, toks[j], base), "if_exists": if_exists}
    if w[k : k + 1] != ["ADD"]:
        return None
    a = k + 1
    if w[a : a + 1] == ["COLUMN"]:
        a += 1
        if w[a : a + 3] == ["IF", "NOT", "EXISTS"]:
            a += 3
    got = _in_item(text, toks, a, len(toks), base)
    if got is None:
        return None
    fk, (s, e, _) = got
    del fk["_timing"]
    if s == toks[a].start - base:  # ADD [CONSTRAINT n] FOREIGN KEY: nothing for DuckDB to run
        return text, {**target, "foreign_keys": [fk], "only_foreign_keys": True}
    return apply(text, [(s, e, "")]), {**target, "foreign_keys": [fk]}


def extract(text: str, toks: Sequence[Token]) -> tuple[str, dict[str, Any] | None]:
    """(the text DuckDB runs, the foreign-key spec for the engine or None: a temporary table's
    stay DuckDB's). Raises Unsupported."""
    if len(toks) < 4:
        return text, None
    first, second = toks[0].text.upper(), toks[1].text.upper()
    if first == "CREATE" and any(t.token_type == TokenType.REFERENCES for t in toks):
        got = _create_table(text, toks)
    elif first == "ALTER" and second == "TABLE":
        got = _alter_table(text, toks)
    else:
        return text, None
    return got if got is not None else (text, None)


def clause_tokens(toks: Sequence[Token]) -> set[int]:
    """Indices of the tokens of REFERENCES clauses (to the end of their item): their DEFERRABLE
    and INITIALLY are this module's, not the timing rewrite's (pgcompat.alter)."""
    inside: set[int] = set()
    depth, in_ref, ref_depth = 0, False, 0
    for k, t in enumerate(toks):
        tt = t.token_type
        if tt == TokenType.REFERENCES:
            in_ref, ref_depth = True, depth
        elif in_ref and depth == ref_depth and tt in (TokenType.COMMA, TokenType.R_PAREN):
            in_ref = False
        if tt == TokenType.L_PAREN:
            depth += 1
        elif tt == TokenType.R_PAREN:
            depth -= 1
        if in_ref:
            inside.add(k)
    return inside
