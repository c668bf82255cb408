"""SET and RESET statements, read once: which parameter, which scope, which value.

One reading serves every judge: the session (which parameter to change, to what), the lockdown
profiles (the ALTER SESSION / ALTER SYSTEM option and value a rule may name) and the sandbox
(sqlglot's tree, in pgcompat.analysis, names the settings touched).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot.tokens import TokenType

from pgcompat.statements import Statement
from pgcompat.transactions import Modes, set_modes

# SET forms whose first word is not the parameter: the Oracle option each one is.
_SPECIAL = {"SCHEMA": "SEARCH_PATH", "NAMES": "CLIENT_ENCODING", "ROLE": "ROLE", "VARIABLE": "VARIABLE"}


@dataclass(frozen=True)
class SetStatement:
    """SET [SESSION | LOCAL | GLOBAL] name {= | TO} value[, ...], RESET [scope] {name | ALL}."""

    reset: bool
    system: bool  # SET GLOBAL / RESET GLOBAL: the engine's whole database (ALTER SYSTEM)
    name: str  # the parameter as written, dotted parts joined ("timezone" for TIME ZONE); "" for ALL
    option: str  # its Oracle option name, upper-case (SEARCH_PATH for SET SCHEMA); "" for ALL
    items: tuple[str, ...] = ()  # the value's comma-separated items, as written (quotes kept)
    transaction: bool = False  # SET TRANSACTION ... / SET SESSION CHARACTERISTICS ...
    characteristics: bool = False  # SET SESSION CHARACTERISTICS AS TRANSACTION ...
    modes: Modes | None = None  # the transaction modes those two set


def unquote(raw: str) -> str:
    """'x' / "x" / E'x' -> x (doubled quotes undone); anything else stripped of blanks."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1].replace(raw[0] * 2, raw[0])
    if raw[:2].upper() == "E'" and raw.endswith("'"):
        return raw[2:-1]
    return raw


def split_items(raw: str) -> tuple[str, ...]:
    """'a', "b", c -> the three items as written (commas inside quotes kept)."""
    parts, cur, quote = [], "", ""
    for ch in raw:
        if quote:
            cur += ch
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            cur += ch
        elif ch == ",":
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return tuple(p.strip() for p in parts if p.strip())


def slice_text(stmt: Statement, i: int, j: int) -> str:
    """The statement's text from token i to token j (exclusive)."""
    toks = stmt.tokens
    if i >= j or i >= len(toks):
        return ""
    base = toks[0].start
    return stmt.text[toks[i].start - base : toks[j - 1].end - base + 1]


def parse_set(stmt: Statement) -> SetStatement:
    """The SET or RESET statement stmt (stmt.kind "set" or "reset"), once per statement text."""
    hit = stmt.memo.get("set")
    if hit is None:
        hit = stmt.memo["set"] = _parse_reset(stmt) if stmt.kind == "reset" else _parse_set(stmt)
    return hit


def _parse_set(stmt: Statement) -> SetStatement:
    toks, words = stmt.tokens, stmt.words
    n = len(toks)

    def word(k: int) -> str:
        return words[k] if k < len(words) else toks[k].text.upper()

    system, i = False, 1
    if n > 1 and word(1) == "GLOBAL":
        system, i = True, 2
    elif n > 1 and word(1) in ("SESSION", "LOCAL"):
        i = 2
    if i >= n:
        return SetStatement(False, system, "", "")
    w = word(i)
    if w in ("TRANSACTION", "CHARACTERISTICS"):
        modes = set_modes([t.text.upper() for t in toks])
        if w == "TRANSACTION":
            return SetStatement(False, system, "", "", transaction=True, modes=modes)
        return SetStatement(
            False, system, "", "SESSION_CHARACTERISTICS", transaction=True, characteristics=True, modes=modes
        )
    if w == "TIME" and i + 1 < n and word(i + 1) == "ZONE":
        name, option, j = "timezone", "TIMEZONE", i + 2
    elif w == "AUTHORIZATION":
        name, option, j = "session_authorization", "SESSION_AUTHORIZATION", i + 1
    elif w in _SPECIAL and not (i + 1 < n and toks[i + 1].token_type == TokenType.EQ):
        name, option, j = toks[i].text, _SPECIAL[w], i + 1
        if w == "VARIABLE":
            j += 1  # the variable's name
    else:
        name, j = toks[i].text, i + 1
        while j + 1 < n and toks[j].token_type == TokenType.DOT:
            name += "." + toks[j + 1].text
            j += 2
        option = name.upper()
    if j < n and (word(j) == "TO" or toks[j].token_type == TokenType.EQ):
        j += 1
    return SetStatement(False, system, name, option, split_items(slice_text(stmt, j, n)) if j < n else ())


def _parse_reset(stmt: Statement) -> SetStatement:
    # The tokenizer may keep the rest of a RESET as one token: read the words from the text.
    words = [w.strip('"') for w in stmt.text.replace(";", " ").split()[1:]]
    upper = [w.upper() for w in words]
    system, i = False, 0
    if upper[:1] == ["GLOBAL"]:
        system, i = True, 1
    elif upper[:1] in (["SESSION"], ["LOCAL"]):
        i = 1
    if i >= len(upper) or upper[i] == "ALL":
        return SetStatement(True, system, "", "")
    if upper[i : i + 2] == ["TIME", "ZONE"]:
        return SetStatement(True, system, "timezone", "TIMEZONE")
    return SetStatement(True, system, words[i], upper[i])
