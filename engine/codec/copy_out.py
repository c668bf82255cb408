"""COPY TO STDOUT line bodies in PostgreSQL's text and CSV formats, vectorized over columns."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.codec import _arrow as A

# CopyAttributeOutText escapes these (and the delimiter) with a backslash.
_TEXT_ESCAPES = [
    ("\\", "\\\\"),
    ("\b", "\\b"),
    ("\f", "\\f"),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    ("\v", "\\v"),
]


def _char_class(chars: str) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(set(chars))) + "]"


def _replace(arr: pa.Array, old: str, new: str) -> pa.Array:
    return A.call("replace_substring", arr, options=pc.ReplaceSubstringOptions(old, new))


def _escape_text(col: pa.Array, delimiter: str) -> pa.Array:
    specials = "".join(c for c, _ in _TEXT_ESCAPES) + delimiter
    found = A.call("match_substring_regex", col, options=pc.MatchSubstringOptions(_char_class(specials)))
    if not A.call("any", found).as_py():
        return col
    for old, new in _TEXT_ESCAPES:  # backslash first, so later escapes are not doubled
        col = _replace(col, old, new)
    if delimiter not in "\b\f\n\r\t\v\\":
        col = _replace(col, delimiter, "\\" + delimiter)
    return col


def _quote_csv(col: pa.Array, delimiter: str, null: str, quote: str, escape: str, single: bool) -> pa.Array:
    # CopyAttributeOutCSV: quote when the value holds delimiter, quote, CR or LF, equals the NULL
    # string, or (single-column output) is the end-of-data marker \. .
    needs = A.call(
        "match_substring_regex",
        col,
        options=pc.MatchSubstringOptions(_char_class(delimiter + quote + "\r\n")),
    )
    needs = A.call("or", needs, A.call("equal", col, pa.scalar(null)))
    if single:
        needs = A.call("or", needs, A.call("equal", col, pa.scalar("\\.")))
    if not A.call("any", needs).as_py():
        return col
    body = col
    if escape != quote:
        body = _replace(body, escape, escape + escape)
    body = _replace(body, quote, escape + quote)
    return A.call("if_else", needs, A.join(quote.encode(), body, quote.encode()), col)


def copy_lines(
    texts: list[pa.Array], n: int, csv: bool, delimiter: str, null: str, quote: str, escape: str | None
) -> pa.Array:
    """One string per row: the escaped/quoted fields joined by `delimiter`, NULLs as `null`, + '\\n'."""
    if not texts:
        return A.fixed_binary(np.full(n, ord("\n"), dtype=np.uint8), 1, None, n)
    if csv:
        esc = quote if escape is None else escape
        cols = [_quote_csv(c, delimiter, null, quote, esc, len(texts) == 1) for c in texts]
    else:
        cols = [_escape_text(c, delimiter) for c in texts]
    args: list[pa.Array | bytes] = []
    for i, c in enumerate(cols):
        if i:
            args.append(delimiter.encode())
        args.append(c)
    args.append(b"\n")
    return A.join(*args, null_as=null.encode())
