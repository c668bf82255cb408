"""Simple-protocol texts that differ only in their numbers, run as one parsed statement with those
numbers as parameters (issue 18: the repeat path of `SELECT ... WHERE id = 42` sent as a Query).

A shape (pgcompat.statements' template: its text but for its numbers) is read once: each number
that stands right after a comparison operator or LIMIT / OFFSET, and ends its comparison (no
operator or cast follows it), becomes a parameter, where a
literal integer and an integer parameter of the type DuckDB infers there mean the same (the
engine checks that inference when it learns the shape, EngineSession._learn_simple); every other
number stays written in the text and must be the same in each text that uses the reading (an
ORDER BY 1 is an ordinal, a 1 in a function call a constant of its own type). A number inside a
string, a name or a comment disqualifies the shape: the lexer must find each number where the
template's pattern does.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot.tokens import TokenType

from pgcompat import lexer
from pgcompat.statements import number_spans

# What may stand before a number that becomes a parameter.
_BEFORE_PARAMETER = frozenset(
    {
        TokenType.EQ,
        TokenType.NEQ,
        TokenType.LT,
        TokenType.LTE,
        TokenType.GT,
        TokenType.GTE,
        TokenType.LIMIT,
        TokenType.OFFSET,
    }
)
# What may follow it: the end of the comparison (a number followed by an operator or a cast is
# part of an expression whose type and overflow are the literal's own).
_AFTER_PARAMETER = frozenset(
    {
        TokenType.R_PAREN,
        TokenType.AND,
        TokenType.OR,
        TokenType.ORDER_BY,
        TokenType.GROUP_BY,
        TokenType.HAVING,
        TokenType.LIMIT,
        TokenType.OFFSET,
        TokenType.SEMICOLON,
    }
)
# Longest integer text taken for a parameter (BIGINT's digits); longer ones stay on the long path.
_MAX_DIGITS = 18


@dataclass(frozen=True, slots=True)
class Numbered:
    """A shape's reading: its text with parameters for the numbers that may be ($1, $2, ...), and
    for each number of a text in order, None (a parameter) or the literal it must be."""

    text: str
    fixed: tuple[str | None, ...]

    def values(self, sql: str) -> list[int] | None:
        """The parameters' values of a text of this shape; None when its fixed numbers differ or
        a parameter's number is not a plain integer (the text goes the long way)."""
        spans = number_spans(sql)
        if len(spans) != len(self.fixed):
            return None
        out: list[int] = []
        for (start, end), fixed in zip(spans, self.fixed, strict=True):
            digits = sql[start:end]
            if fixed is None:
                if not digits.isdigit() or len(digits) > _MAX_DIGITS:
                    return None
                out.append(int(digits))
            elif digits != fixed:
                return None
        return out


def numbered(sql: str) -> Numbered | None:
    """The reading of sql's shape; None when no number can be a parameter or a number is not
    where the lexer finds one."""
    if "$" in sql:
        return None  # (parameters or dollar quotes of its own)
    spans = number_spans(sql)
    if not spans:
        return None
    try:
        tokens = lexer.tokenize(sql)
    except Exception:  # (the statement's own reading reports what the lexer finds)
        return None
    numbers = [(t.start, t.end + 1, i) for i, t in enumerate(tokens) if t.token_type == TokenType.NUMBER]
    if [(s, e) for s, e, _ in numbers] != spans:
        return None
    parts: list[str] = []
    fixed: list[str | None] = []
    at = 0
    for start, end, i in numbers:
        digits = sql[start:end]
        before = tokens[i - 1].token_type if i > 0 else None
        after = tokens[i + 1].token_type if i + 1 < len(tokens) else TokenType.SEMICOLON
        if (
            before in _BEFORE_PARAMETER
            and after in _AFTER_PARAMETER
            and digits.isdigit()
            and len(digits) <= _MAX_DIGITS
        ):
            parts.append(f"{sql[at:start]}${fixed.count(None) + 1}")
            fixed.append(None)
        else:
            parts.append(sql[at:end])
            fixed.append(digits)
        at = end
    if None not in fixed:
        return None
    parts.append(sql[at:])
    return Numbered("".join(parts), tuple(fixed))
