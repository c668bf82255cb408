"""A cursor over the words of an admin statement (users, roles, lockdown profiles), from sqlglot's
tokens: adjacent unquoted tokens form one word (C##BOB, PDB$SEED), quoted ones stay as written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.tokens import TokenType

from pgcompat.statements import Statement
from pgwire.errors import DbError
from pgwire.oracle import ora

_WORDLIKE = re.compile(r"^[A-Za-z0-9_$#]+$")


@dataclass
class Item:
    """One word of the statement: adjacent unquoted tokens joined, or one quoted token."""

    text: str
    quoted: bool  # "identifier" or 'string'
    string: bool  # 'string'
    punct: bool  # , = ( ) and other operators

    @property
    def word(self) -> str:
        return "" if self.quoted else self.text.upper()


def items(stmt: Statement) -> list[Item]:
    base = stmt.tokens[0].start
    out: list[Item] = []
    prev_end = -2
    for t in stmt.tokens:
        first = stmt.text[t.start - base]
        string = t.token_type.name.endswith("STRING")  # 'x', E'x', $$x$$
        quoted = string or (first == '"' and t.token_type == TokenType.IDENTIFIER)
        wordlike = not quoted and _WORDLIKE.match(t.text) is not None
        if (
            wordlike
            and out
            and t.start == prev_end + 1
            and not out[-1].quoted
            and not out[-1].punct
            and t.token_type != TokenType.PARAMETER
        ):
            out[-1].text += t.text
        else:
            out.append(Item(t.text, quoted, string, not quoted and not wordlike))
        prev_end = t.end
    return out


def syntax_error(option: str) -> DbError:
    return ora(922, option=option or "unexpected end of statement")


class Words:
    """The statement's words with the usual look-ahead and accept/expect helpers."""

    def __init__(self, stmt: Statement) -> None:
        self.items = items(stmt)
        self.i = 0

    def at_end(self) -> bool:
        return self.i >= len(self.items)

    def peek(self, ahead: int = 0) -> Item | None:
        j = self.i + ahead
        return self.items[j] if j < len(self.items) else None

    def peek_word(self, ahead: int = 0) -> str:
        it = self.peek(ahead)
        return it.word if it is not None else ""

    def next(self) -> Item:
        if self.at_end():
            raise syntax_error("")
        it = self.items[self.i]
        self.i += 1
        return it

    def accept(self, *words: str) -> bool:
        for k, w in enumerate(words):
            if self.peek_word(k) != w:
                return False
        self.i += len(words)
        return True

    def expect(self, *words: str) -> None:
        for w in words:
            if not self.accept(w):
                raise syntax_error(f"expected {w}, found {self.peek_word() or 'end of statement'}")

    def accept_punct(self, text: str) -> bool:
        it = self.peek()
        if it is not None and it.punct and it.text == text:
            self.i += 1
            return True
        return False


def split_commas(text: str) -> list[str]:
    """text split at the commas outside '...' strings (the items of a SET list, call arguments)."""
    out, cur, quote = [], "", False
    for ch in text:
        if ch == "'":
            quote = not quote
        if ch == "," and not quote:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out
