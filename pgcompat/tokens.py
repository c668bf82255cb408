"""One statement's sqlglot tokens with what rewrites ask of them: source text, words, matching
parentheses, the clause a token stands in, a call's arguments.

Offsets are relative to the statement text (`base` is the first token's offset in the message).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from pgcompat import lexer

Edit = tuple[int, int, str]
WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
OPEN = (TokenType.L_PAREN, TokenType.L_BRACKET)
CLOSE = (TokenType.R_PAREN, TokenType.R_BRACKET)
# What may end a select-list item (and so follow its alias).
ITEM_END = frozenset(
    {
        TokenType.COMMA,
        TokenType.FROM,
        TokenType.R_PAREN,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.ORDER_BY,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.LIMIT,
        TokenType.WHERE,
        TokenType.INTO,
        TokenType.WINDOW,
        TokenType.FETCH,
        TokenType.SEMICOLON,
    }
)
NAMES = (TokenType.VAR, TokenType.IDENTIFIER)
# Keywords that start a clause of a query (what `clause_of` reports).
CLAUSES = frozenset(
    {
        TokenType.SELECT,
        TokenType.FROM,
        TokenType.JOIN,
        TokenType.WHERE,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.ORDER_BY,
        TokenType.LIMIT,
        TokenType.UNION,
        TokenType.EXCEPT,
        TokenType.INTERSECT,
        TokenType.WINDOW,
        TokenType.VALUES,
        TokenType.RETURNING,
        TokenType.INTO,
        TokenType.ON,
        TokenType.USING,
        TokenType.SET,
        TokenType.INSERT,
        TokenType.UPDATE,
        TokenType.DELETE,
        TokenType.MERGE,
        TokenType.CREATE,
        TokenType.WITH,
    }
)


def tokenize(text: str) -> list[Token] | None:
    """The tokens of a statement text (pgcompat.lexer), or None when it does not tokenize."""
    try:
        return lexer.tokenize(text)
    except TokenError:
        return None


def apply(text: str, edits: Sequence[Edit]) -> str:
    """text with non-overlapping edits (start, end, replacement) applied."""
    out, pos = [], 0
    for start, end, repl in sorted(edits):
        out.append(text[pos:start])
        out.append(repl)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class Tokens:
    """A statement's tokens; indices out of range read as nothing."""

    def __init__(self, text: str, toks: Sequence[Token], base: int | None = None) -> None:
        self.text = text
        self.toks = toks
        self.base = toks[0].start if base is None and toks else (base or 0)
        self.n = len(toks)
        self.match: dict[int, int] = {}
        stack: list[int] = []
        for i, t in enumerate(toks):
            if t.token_type in OPEN:
                stack.append(i)
            elif t.token_type in CLOSE and stack:
                j = stack.pop()
                self.match[i] = j
                self.match[j] = i

    def tt(self, i: int) -> TokenType | None:
        return self.toks[i].token_type if 0 <= i < self.n else None

    def start(self, i: int) -> int:
        return self.toks[i].start - self.base

    def end(self, i: int) -> int:
        """Offset just after token i."""
        return self.toks[i].end - self.base + 1

    def src(self, i: int) -> str:
        return self.text[self.start(i) : self.end(i)] if 0 <= i < self.n else ""

    def word(self, i: int) -> str | None:
        """The unquoted word token i spells, lower case, else None."""
        s = self.src(i)
        return s.lower() if WORD.match(s) else None

    def name(self, i: int) -> str | None:
        """The identifier token i spells (lower case unless quoted), else None."""
        s = self.src(i)
        if len(s) > 1 and s[0] == s[-1] == '"':
            return s[1:-1].replace('""', '"')
        return s.lower() if WORD.match(s) else None

    def string(self, i: int) -> str | None:
        """The value of a plain '...' string literal at token i, else None."""
        s = self.src(i)
        if self.tt(i) != TokenType.STRING or len(s) < 2 or s[0] != "'" or s[-1] != "'":
            return None
        return s[1:-1].replace("''", "'")

    def closing(self, open_: int) -> int | None:
        return self.match.get(open_) if self.tt(open_) in OPEN else None

    def clause_index(self, i: int) -> int | None:
        """Index of the clause keyword token i stands in at its own nesting level; None when an
        enclosing parenthesis comes first (a call's arguments, a CAST). The FROM of IS DISTINCT
        FROM and a keyword used as an alias are no clauses."""
        return self.back_at_level(
            i - 1,
            lambda k, t: (
                t in CLAUSES
                and self.tt(k - 1) != TokenType.ALIAS  # `AS update`: a name, not a clause
                and not (t == TokenType.FROM and self.word(k - 1) == "distinct")
            ),
        )

    def render_with(self, lo: int, hi: int, transform: Callable[[int, int], tuple[int, str] | None]) -> str:
        """Tokens lo..hi-1 with the text between them kept; where transform(i, hi) gives (index
        after the construct, replacement), the replacement stands for tokens i.. instead."""
        out: list[str] = []
        i = lo
        while i < hi:
            if i > lo:
                out.append(self.text[self.end(i - 1) : self.start(i)])
            r = transform(i, hi)
            if r is None:
                out.append(self.src(i))
                i += 1
            else:
                i, s = r
                out.append(s)
        return "".join(out)

    def back_at_level(self, k: int, found: Callable[[int, TokenType], bool]) -> int | None:
        """The nearest token at or before k, at k's nesting level, for which found(index, type)
        holds (balanced parentheses are stepped over); None when an enclosing one comes first."""
        while k >= 0:
            t = self.toks[k].token_type
            if t in CLOSE and k in self.match:
                k = self.match[k] - 1
                continue
            if t in OPEN:
                return None
            if found(k, t):
                return k
            k -= 1
        return None

    def clause_of(self, i: int) -> TokenType | None:
        """The clause keyword (SELECT, FROM, WHERE, ...) token i stands in, see clause_index."""
        k = self.clause_index(i)
        return None if k is None else self.toks[k].token_type

    def split(self, lo: int, hi: int, seps: frozenset[TokenType]) -> list[tuple[int, int, TokenType | None]]:
        """Token ranges lo..hi split at top-level separators: (start, end, separator before)."""
        out: list[tuple[int, int, TokenType | None]] = []
        first, sep, k = lo, None, lo
        while k < hi:
            t = self.toks[k].token_type
            if t in OPEN and k in self.match:
                k = self.match[k] + 1
                continue
            if t in seps:
                out.append((first, k, sep))
                first, sep = k + 1, t
            k += 1
        out.append((first, hi, sep))
        return out
