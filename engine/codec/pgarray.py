"""Parsing PostgreSQL array values (text '{...}' literals and array_send binary) into lists."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any


class ArraySyntaxError(ValueError):
    pass


def parse_array_text(text: str, element: Callable[[str], Any], delimiter: str = ",") -> list[Any]:
    """array_in: nested lists of element(text) values, None for NULL."""
    s = text.strip()
    if s.startswith("["):  # optional dimension decoration: [1:2][1:3]={...}
        eq = s.find("=")
        if eq < 0:
            raise ArraySyntaxError(text)
        s = s[eq + 1 :].strip()
    if not s.startswith("{"):
        raise ArraySyntaxError(text)
    value, pos = _parse_level(s, 0, element, delimiter)
    if s[pos:].strip():
        raise ArraySyntaxError(text)
    return value


def _parse_level(s: str, pos: int, element: Callable[[str], Any], delim: str) -> tuple[list[Any], int]:
    assert s[pos] == "{"
    pos += 1
    out: list[Any] = []
    n = len(s)
    expect_item = True
    while True:
        while pos < n and s[pos].isspace():
            pos += 1
        if pos >= n:
            raise ArraySyntaxError(s)
        c = s[pos]
        if c == "}":
            if expect_item and out:
                raise ArraySyntaxError(s)
            return out, pos + 1
        if not expect_item:
            if c != delim:
                raise ArraySyntaxError(s)
            pos += 1
            expect_item = True
            continue
        if c == "{":
            sub, pos = _parse_level(s, pos, element, delim)
            out.append(sub)
        elif c == '"':
            chars = []
            pos += 1
            while True:
                if pos >= n:
                    raise ArraySyntaxError(s)
                ch = s[pos]
                if ch == "\\":
                    pos += 1
                    if pos >= n:
                        raise ArraySyntaxError(s)
                    chars.append(s[pos])
                elif ch == '"':
                    pos += 1
                    break
                else:
                    chars.append(ch)
                pos += 1
            out.append(element("".join(chars)))
        else:
            chars = []
            escaped_any = False
            while pos < n and s[pos] not in (delim, "}"):
                ch = s[pos]
                if ch == "\\":
                    pos += 1
                    if pos >= n:
                        raise ArraySyntaxError(s)
                    chars.append(s[pos])
                    escaped_any = True
                elif ch in '{"':
                    raise ArraySyntaxError(s)
                else:
                    chars.append(ch)
                pos += 1
            raw = "".join(chars).strip()
            if not raw:
                raise ArraySyntaxError(s)
            out.append(None if raw.upper() == "NULL" and not escaped_any else element(raw))
        expect_item = False


_HEAD = struct.Struct(">iii")
_INT = struct.Struct(">i")


def parse_array_binary(buf: bytes | memoryview, element: Callable[[int, bytes], Any]) -> list[Any]:
    """array_recv: nested lists; element(elem_oid, raw) decodes one non-null element."""
    mv = memoryview(buf)
    ndim, _flags, elem_oid = _HEAD.unpack_from(mv, 0)
    if ndim < 0 or ndim > 6:
        raise ValueError("invalid number of dimensions")
    pos = 12
    dims = []
    for _ in range(ndim):
        size, _lbound = struct.unpack_from(">ii", mv, pos)
        if size < 0:
            raise ValueError("invalid array dimension")
        dims.append(size)
        pos += 8
    total = 1
    for d in dims:
        total *= d
    if ndim == 0:
        total = 0
    flat: list[Any] = []
    for _ in range(total):
        (length,) = _INT.unpack_from(mv, pos)
        pos += 4
        if length < 0:
            flat.append(None)
            continue
        if pos + length > len(mv):
            raise ValueError("array element exceeds buffer")
        flat.append(element(elem_oid, bytes(mv[pos : pos + length])))
        pos += length
    if pos != len(mv):
        raise ValueError("trailing bytes after array")
    return _reshape(flat, dims) if dims else []


def _reshape(flat: list[Any], dims: list[int]) -> list[Any]:
    if len(dims) == 1:
        return flat
    step = len(flat) // dims[0] if dims[0] else 0
    return [_reshape(flat[i * step : (i + 1) * step], dims[1:]) for i in range(dims[0])]
