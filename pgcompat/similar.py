"""SIMILAR TO as PostgreSQL reads it.

DuckDB's SIMILAR TO takes a regular expression ('A.*'); PostgreSQL's takes an SQL regular
expression, where % is any string, _ any character, and . is itself ('A%'). A literal pattern is
translated to the regular expression PostgreSQL derives from it (its similar_escape); a pattern
that is not a literal cannot be translated before it runs and is refused (0A000), never
matched with the other meaning.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot.tokens import Token, TokenType

from pgwire.errors import DbError

Edit = tuple[int, int, str]

# Characters that are ordinary in an SQL regular expression but special in a POSIX one.
_LITERAL_IN_SQL = frozenset(".^$\\")


def to_regex(pattern: str, escape: str | None = "\\", lazy: bool = False) -> str:
    """PostgreSQL's translation of an SQL regular expression to a POSIX one (whole-string match).
    lazy: its quantifiers (%, *, +, ?) match as little as they can (substring's first part)."""
    more = "?" if lazy else ""
    if escape is not None and len(escape) > 1:
        raise DbError("22025", "invalid escape string", hint="Escape string must be empty or one character.")
    out: list[str] = []
    in_bracket = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if escape and c == escape and not in_bracket:
            i += 1
            if i >= len(pattern):
                raise DbError("22025", "invalid escape string")
            nxt = pattern[i]
            out.append("\\" + nxt if not nxt.isalnum() else nxt)
        elif in_bracket:
            out.append("\\\\" if c == "\\" else c)
            if c == "]":
                in_bracket = False
        elif c == "[":
            in_bracket = True
            out.append(c)
        elif c == "%":
            out.append(".*" + more)
        elif c in "*+?":
            out.append(c + more)
        elif c == "_":
            out.append(".")
        elif c in _LITERAL_IN_SQL:
            out.append("\\" + c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def similar_to(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """x [NOT] SIMILAR TO 'pattern' [ESCAPE 'e'] -> DuckDB's SIMILAR TO with the translated regex."""
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if t.token_type != TokenType.SIMILAR_TO:
            continue
        pat = toks[i + 1] if i + 1 < len(toks) else None
        if pat is None or pat.token_type != TokenType.STRING:
            raise DbError(
                "0A000",
                "SIMILAR TO with a pattern that is not a literal is not supported",
                hint="Write the pattern as a string literal, or use ~ with a POSIX regular expression.",
            )
        escape: str | None = "\\"
        end = pat.end
        if (
            i + 3 < len(toks)
            and toks[i + 2].token_type == TokenType.ESCAPE
            and toks[i + 3].token_type == TokenType.STRING
        ):
            escape = toks[i + 3].text or None
            end = toks[i + 3].end
        edits.append((pat.start - base, end - base + 1, _quote(to_regex(pat.text, escape))))
    return edits
