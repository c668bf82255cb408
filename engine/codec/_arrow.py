"""Low-level Arrow/numpy helpers shared by the encoders.

pyarrow.compute's Python wrappers cost ~50 µs per call (signature handling); calling the resolved
Function objects directly costs ~5 µs, which is what keeps one-row batches cheap.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_FUNCS: dict[str, Any] = {}


def call(name: str, *args: Any, options: Any = None) -> Any:
    fn = _FUNCS.get(name)
    if fn is None:
        fn = _FUNCS[name] = pc.get_function(name)
    return fn.call(list(args), options)


@lru_cache(maxsize=64)
def _cast_options(target: pa.DataType) -> pc.CastOptions:
    return pc.CastOptions(target_type=target)


def cast(arr: pa.Array, target: pa.DataType) -> pa.Array:
    return call("cast", arr, options=_cast_options(target))


@lru_cache(maxsize=64)
def _join_options(null_replacement: bytes | None) -> pc.JoinOptions:
    if null_replacement is None:
        return pc.JoinOptions()
    return pc.JoinOptions(null_handling="replace", null_replacement=null_replacement.decode())


def join(*args: Any, sep: bytes = b"", null_as: bytes | None = None) -> pa.Array:
    """Element-wise concatenation of same-typed binary/string arrays and bytes constants.

    A null in any array gives null, unless `null_as` is set, which then stands for it.
    """
    typ = next(a.type for a in args if not isinstance(a, bytes))
    text = typ in (pa.string(), pa.large_string())
    pieces = [pa.scalar(a.decode() if text else a, typ) if isinstance(a, bytes) else a for a in args]
    pieces.append(pa.scalar(sep.decode() if text else sep, typ))
    return call("binary_join_element_wise", *pieces, options=_join_options(null_as))


LARGE_TYPES = (pa.large_binary(), pa.large_string())


def as_binary(arr: pa.Array) -> pa.Array:
    """Reinterpret a string array as binary (zero copy); large types stay large."""
    t = arr.type
    if t == pa.binary() or t == pa.large_binary():
        return arr
    if t == pa.string():
        return pa.Array.from_buffers(pa.binary(), len(arr), arr.buffers(), arr.null_count, arr.offset)
    if t == pa.large_string():
        return pa.Array.from_buffers(pa.large_binary(), len(arr), arr.buffers(), arr.null_count, arr.offset)
    if pa.types.is_string_view(t) or pa.types.is_binary_view(t):
        return cast(arr, pa.binary())
    if pa.types.is_fixed_size_binary(t):
        return cast(arr, pa.binary())
    raise TypeError(f"not a binary-like array: {t}")


def as_string(arr: pa.Array) -> pa.Array:
    """Reinterpret a binary array holding UTF-8 as string (zero copy, no validation)."""
    t = arr.type
    if t == pa.string() or t == pa.large_string():
        return arr
    if t == pa.binary():
        return pa.Array.from_buffers(pa.string(), len(arr), arr.buffers(), arr.null_count, arr.offset)
    if t == pa.large_binary():
        return pa.Array.from_buffers(pa.large_string(), len(arr), arr.buffers(), arr.null_count, arr.offset)
    return cast(arr, pa.string())


def validity(arr: pa.Array) -> pa.Buffer | None:
    """The validity bitmap of `arr` re-based to bit 0, or None when it has no nulls."""
    if arr.null_count == 0:
        return None
    if arr.offset == 0 and arr.buffers()[0] is not None:
        return arr.buffers()[0]
    return call("is_valid", arr).buffers()[1]


def valid_mask(arr: pa.Array) -> np.ndarray | None:
    """Boolean numpy mask of non-null slots, or None when there are none."""
    buf = validity(arr)
    if buf is None:
        return None
    bits = np.frombuffer(buf, dtype=np.uint8)
    return np.unpackbits(bits, count=len(arr), bitorder="little").view(np.bool_)


def values(arr: pa.Array, dtype: Any) -> np.ndarray:
    """The fixed-width value buffer of `arr` as numpy (slots under nulls hold arbitrary values)."""
    n = len(arr)
    return np.frombuffer(arr.buffers()[1], dtype=dtype, count=arr.offset + n)[arr.offset :]


def bool_values(arr: pa.Array) -> np.ndarray:
    bits = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
    return np.unpackbits(bits, count=arr.offset + len(arr), bitorder="little")[arr.offset :].view(np.bool_)


def offsets(arr: pa.Array) -> np.ndarray:
    """The n+1 value offsets of a (large) binary/string/list array, not re-based."""
    dtype = np.int64 if arr.type in LARGE_TYPES or pa.types.is_large_list(arr.type) else np.int32
    return np.frombuffer(arr.buffers()[1], dtype=dtype, count=arr.offset + len(arr) + 1)[arr.offset :]


def data(arr: pa.Array) -> np.ndarray:
    buf = arr.buffers()[2]
    if buf is None:
        return np.zeros(0, dtype=np.uint8)
    return np.frombuffer(buf, dtype=np.uint8)


def fixed_binary(raw: np.ndarray, width: int, valid: pa.Buffer | None, n: int) -> pa.Array:
    """A binary array whose i-th value is raw bytes [i*width, (i+1)*width)."""
    offs = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), n, [valid, pa.py_buffer(offs), pa.py_buffer(raw)])


def from_offsets(
    offs: np.ndarray, buf: np.ndarray | bytes, valid: pa.Buffer | None, string: bool = False
) -> pa.Array:
    n = len(offs) - 1
    large = offs.dtype == np.int64 and int(offs[-1]) > 2**31 - 1
    typ = (
        (pa.large_string() if large else pa.string())
        if string
        else (pa.large_binary() if large else pa.binary())
    )
    offs = offs.astype(np.int64 if large else np.int32, copy=False)
    return pa.Array.from_buffers(typ, n, [valid, pa.py_buffer(offs), pa.py_buffer(buf)])


def matrix_to_array(
    mat: np.ndarray, lengths: np.ndarray, valid: pa.Buffer | None = None, string: bool = True
) -> pa.Array:
    """Strings from the first lengths[i] bytes of each row of a (n, w) uint8 matrix."""
    n, w = mat.shape
    if n and int(lengths.min()) == w:
        buf = np.ascontiguousarray(mat).reshape(-1)
    else:
        buf = mat[np.arange(w)[None, :] < lengths[:, None]]
    offs = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offs[1:])
    return from_offsets(offs, buf, valid, string)


def to_matrix(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A (n, max_len) uint8 matrix of the bytes of a string array, and the lengths (nulls -> 0)."""
    offs = offsets(arr).astype(np.int64)
    lens = np.diff(offs)
    n = len(lens)
    w = int(lens.max()) if n else 0
    mat = np.zeros((n, max(w, 1)), dtype=np.uint8)
    if n and w:
        raw = data(arr)[offs[0] : offs[-1]]
        if int(lens.min()) == w:
            mat[:, :w] = raw.reshape(n, w)
        else:
            rows = np.repeat(np.arange(n), lens)
            cols = np.arange(len(raw)) - np.repeat(offs[:-1] - offs[0], lens)
            mat[rows, cols] = raw
    return mat, lens


def replace_rows(arr: pa.Array, mask: np.ndarray, replacement: pa.Array) -> pa.Array:
    """`arr` with the rows where `mask` is set taken, in order, from `replacement`."""
    if replacement.type != arr.type:
        replacement = cast(replacement, arr.type)
    return call("replace_with_mask", arr, pa.array(mask, pa.bool_()), replacement)


def with_validity(arr: pa.Array, valid: pa.Buffer | None) -> pa.Array:
    """`arr` (offset 0, no nulls) with the given validity bitmap applied."""
    if valid is None:
        return arr
    bufs = arr.buffers()
    return pa.Array.from_buffers(arr.type, len(arr), [valid, *bufs[1:]])
