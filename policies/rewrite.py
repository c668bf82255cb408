"""PostgreSQL-to-DuckDB rewrites of statement text: small named functions, one concern each.

Each rewrite looks at a statement's tokens and returns edits (start, end, replacement) in
statement-relative offsets; `rewrite` applies them. Statements without anything to rewrite
go to DuckDB exactly as the client wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from sqlglot.tokens import Token, TokenType

from policies import pg_rewrites
from policies.client_catalog import ASYNCPG_PARAM_OIDS, asyncpg_type_introspection

Edit = tuple[int, int, str]
_HEX = re.compile(r"^\\x([0-9A-Fa-f]*)$")


def _is_bytea(t: Token) -> bool:
    return t.token_type == TokenType.VARBINARY and t.text.upper() == "BYTEA"


def bytea_hex_literals(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """'\\x0102'::bytea is two bytes in PostgreSQL; DuckDB would read the characters '\\x01', '0', '2'."""
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if t.token_type != TokenType.STRING or text[t.start - base] != "'":
            continue
        m = _HEX.match(t.text)
        if m is None:
            continue
        nxt = toks[i + 1 : i + 3]
        prev = toks[i - 1] if i > 0 else None
        cast_follows = len(nxt) == 2 and (
            (nxt[0].token_type == TokenType.DCOLON and _is_bytea(nxt[1]))
            or (nxt[0].token_type == TokenType.ALIAS and _is_bytea(nxt[1]))
        )
        typed_literal = prev is not None and _is_bytea(prev)
        if cast_follows or typed_literal:
            edits.append((t.start - base, t.end - base + 1, f"from_hex('{m.group(1)}')"))
            if typed_literal:
                edits.append((prev.start - base, prev.end - base + 1, ""))
    return edits


def sys_context_userenv(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """SYS_CONTEXT('USERENV', 'CON_NAME') reads the session's USERENV, which the engine keeps in
    DuckDB variables (userenv_con_name, ...)."""
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if t.text.upper() != "SYS_CONTEXT" or i + 5 >= len(toks):
            continue
        lp, ns, comma, key, rp = toks[i + 1 : i + 6]
        if (
            lp.token_type == TokenType.L_PAREN
            and ns.token_type == TokenType.STRING
            and ns.text.upper() == "USERENV"
            and comma.token_type == TokenType.COMMA
            and key.token_type == TokenType.STRING
            and rp.token_type == TokenType.R_PAREN
        ):
            var = "userenv_" + re.sub(r"[^a-z0-9_]", "", key.text.lower())
            edits.append((t.start - base, rp.end - base + 1, f"getvariable('{var}')"))
    return edits


REWRITES: list[Callable[[str, Sequence[Token], int], list[Edit]]] = [
    bytea_hex_literals,
    sys_context_userenv,
    *pg_rewrites.REWRITES,
]


def rewrite(text: str, toks: Sequence[Token]) -> tuple[str, tuple[int, ...]]:
    """The statement as DuckDB should run it, and parameter type OIDs the rewrite fixes."""
    if not toks:
        return text, ()
    whole = asyncpg_type_introspection(text)
    if whole is not None:
        return whole, ASYNCPG_PARAM_OIDS
    base = toks[0].start
    edits = [e for rw in REWRITES for e in rw(text, toks, base)]
    if not edits:
        return text, ()
    out, pos = [], 0
    for start, end, repl in sorted(edits):
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    out.append(text[pos:])
    return "".join(out), ()
