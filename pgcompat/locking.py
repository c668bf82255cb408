"""Row locks as PostgreSQL writes them, and which statements write.

DuckDB has no row locks and does not parse `FOR UPDATE`: the engine makes conflicting writers
wait on one write gate per PDB (engine.write_gate) instead. A locking clause
(`FOR {UPDATE | NO KEY UPDATE | SHARE | KEY SHARE} [OF t, ...] [NOWAIT | SKIP LOCKED]`, possibly
several) takes part in that gate as a write does; the clause itself is removed from the text
DuckDB runs (the `locking_clauses` rewrite).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgwire.control import LOCK_NOWAIT, LOCK_SKIP, LOCK_WAIT
from pgwire.tags import LOCK_TABLE

Edit = tuple[int, int, str]

# How a statement waits for the write gate: "" (it does not take it), or one of these.
WAIT, NOWAIT, SKIP = LOCK_WAIT, LOCK_NOWAIT, LOCK_SKIP

_STRENGTHS = (("UPDATE",), ("NO", "KEY", "UPDATE"), ("SHARE",), ("KEY", "SHARE"))
# Statement kinds that only read (anything else is taken to write: the safe side).
READ_KINDS = frozenset(
    {
        "select",
        "explain",
        "show",
        "set",
        "reset",
        "discard",
        "begin",
        "commit",
        "rollback",
        "savepoint",
        "release",
        "rollback_to",
        "declare",
        "fetch",
        "move",
        "close",
        "deallocate",
        "prepare",
        "admin",
        "listen",
        "unlisten",
        "notify",
        "copy",  # COPY FROM takes the gate itself (engine.copy); COPY TO reads
        LOCK_TABLE,  # the modes that keep writers out say FOR UPDATE (pgcompat.syntax.lock_table)
    }
)
_WRITE_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE"})


def _upper(t: Token) -> str:
    return t.text.upper() if t.token_type != TokenType.STRING else ""


def _clause_at(toks: Sequence[Token], i: int) -> int | None:
    """The end (exclusive) of a locking clause's strength words starting after FOR at i."""
    for words in _STRENGTHS:
        end = i + 1 + len(words)
        if tuple(_upper(t) for t in toks[i + 1 : end]) == words:
            return end
    return None


def locking_spans(toks: Sequence[Token]) -> tuple[list[tuple[int, int]], str]:
    """The token spans [start, end) of the locking clauses, and how they wait (WAIT, NOWAIT,
    SKIP; "" without any)."""
    spans: list[tuple[int, int]] = []
    mode = ""
    i = 0
    while i < len(toks):
        t = toks[i]
        end = _clause_at(toks, i) if t.token_type == TokenType.FOR or _upper(t) == "FOR" else None
        if end is None:
            i += 1
            continue
        if end + 1 < len(toks) and _upper(toks[end]) == "OF":
            end += 2  # OF and the first table name; then .name and , name
            while end + 1 < len(toks) and toks[end].token_type in (TokenType.DOT, TokenType.COMMA):
                end += 2
        wait = WAIT
        if end < len(toks) and _upper(toks[end]) == "NOWAIT":
            wait, end = NOWAIT, end + 1
        elif end + 1 < len(toks) and _upper(toks[end]) == "SKIP" and _upper(toks[end + 1]) == "LOCKED":
            wait, end = SKIP, end + 2
        # The strictest of several clauses: NOWAIT errors, SKIP LOCKED skips, else wait.
        mode = wait if not mode or wait == NOWAIT or (wait == SKIP and mode == WAIT) else mode
        spans.append((i, end))
        i = end
    return spans, mode


def lock_mode(kind: str, toks: Sequence[Token]) -> str:
    """How a SELECT waits for the write gate; "" when it locks nothing."""
    if kind != "select":
        return ""
    return locking_spans(toks)[1]


def writes(kind: str, toks: Sequence[Token]) -> bool:
    """Whether a statement may write (and so takes the write gate): its kind, or a SELECT/WITH
    that holds INSERT, UPDATE, DELETE or MERGE (WITH ... INSERT INTO ...)."""
    if kind not in READ_KINDS:
        return True
    if kind == "select":
        return any(t.token_type != TokenType.STRING and t.text.upper() in _WRITE_WORDS for t in toks)
    return False


def locking_clauses(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """Remove FOR UPDATE / FOR SHARE ... clauses: DuckDB does not parse them, and the engine's
    write gate gives what they promise (no other writer until the transaction ends)."""
    spans, _ = locking_spans(toks)
    return [(toks[a].start - base, toks[b - 1].end - base + 1, "") for a, b in spans]
