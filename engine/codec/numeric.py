"""NUMERIC: text of Arrow decimals (vectorized) and PostgreSQL's binary NBASE-10000 format."""

from __future__ import annotations

import struct
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.codec import _arrow as A
from pgwire.types import is_bare_numeric

_NUMERIC_POS = 0x0000
_NUMERIC_NEG = 0x4000
_NUMERIC_NAN = 0xC000
_NUMERIC_PINF = 0xD000
_NUMERIC_NINF = 0xF000
_HEADER = struct.Struct(">hhHh")
_LTRIM_MINUS = pc.TrimOptions(characters="-")
_RTRIM_ZERO = pc.TrimOptions(characters="0")


def decimal_text(arr: pa.Array) -> pa.Array:
    """Plain decimal text with exactly the column's scale ('1.50', '-0.001', '123'), no exponent."""
    t = arr.type
    if not pa.types.is_decimal128(t):
        if pa.types.is_decimal(t):
            arr = A.cast(arr, pa.decimal128(38, t.scale))
            t = arr.type
        else:
            return A.cast(arr, pa.string())
    scale = t.scale
    # Arrow's cast switches to 'E' notation once the adjusted exponent is < -6, which only a scale
    # above 6 can produce; those columns are formatted from the unscaled integer instead.
    if scale <= 6:
        return A.cast(arr, pa.string())
    unscaled = pa.Array.from_buffers(
        pa.decimal128(38, 0), len(arr), arr.buffers(), arr.null_count, arr.offset
    )
    digits = A.cast(unscaled, pa.string())
    neg = A.call("starts_with", digits, options=pc.MatchSubstringOptions("-"))
    mag = A.call("utf8_ltrim", digits, options=_LTRIM_MINUS)
    mag = A.call("utf8_lpad", mag, options=pc.PadOptions(width=scale + 1, padding="0"))
    whole = A.call("utf8_slice_codeunits", mag, options=pc.SliceOptions(start=0, stop=-scale))
    frac = A.call("utf8_slice_codeunits", mag, options=pc.SliceOptions(start=-scale, stop=2**31 - 1))
    if is_bare_numeric(t.precision, scale):
        # PostgreSQL's bare numeric shows each value's own digits, not a fixed scale's zeros.
        frac = A.call("utf8_rtrim", frac, options=_RTRIM_ZERO)
        has_frac = A.call("greater", A.call("utf8_length", frac), pa.scalar(0, pa.int32()))
        text = A.call("if_else", has_frac, A.join(whole, b".", frac), whole)
        zero = A.call("equal", text, pa.scalar("0"))
        neg = A.call("and_kleene", neg, A.call("invert", zero))
    else:
        text = A.join(whole, b".", frac)
    return A.call("if_else", neg, A.join(b"-", text), text)


def numeric_send(value: Decimal | int, dscale: int | None = None) -> bytes:
    """PostgreSQL's numeric_send: int16 ndigits, int16 weight, uint16 sign, int16 dscale, digits."""
    if isinstance(value, int):
        value = Decimal(value)
    if value.is_nan():
        return _HEADER.pack(0, 0, _NUMERIC_NAN, 0)
    if value.is_infinite():
        return _HEADER.pack(0, 0, _NUMERIC_NINF if value < 0 else _NUMERIC_PINF, 0)
    sign, digit_tuple, exp = value.as_tuple()
    assert isinstance(exp, int)
    if dscale is None:
        dscale = max(0, -exp)
    digits = "".join(map(str, digit_tuple))
    if exp >= 0:
        whole, frac = digits + "0" * exp, ""
    else:
        digits = digits.rjust(-exp, "0")
        whole, frac = digits[:exp], digits[exp:]
    whole = whole.lstrip("0")
    whole = whole.rjust(-(-len(whole) // 4) * 4, "0")
    frac = frac.ljust(-(-len(frac) // 4) * 4, "0")
    groups = [int(whole[i : i + 4]) for i in range(0, len(whole), 4)]
    weight = len(groups) - 1
    groups += [int(frac[i : i + 4]) for i in range(0, len(frac), 4)]
    lead = 0
    while lead < len(groups) and groups[lead] == 0:
        lead += 1
    groups = groups[lead:]
    weight -= lead
    while groups and groups[-1] == 0:
        groups.pop()
    if not groups:
        weight = 0
    return _HEADER.pack(
        len(groups), weight, _NUMERIC_NEG if sign and groups else _NUMERIC_POS, dscale
    ) + struct.pack(f">{len(groups)}H", *groups)


def numeric_recv(buf: bytes | memoryview) -> Decimal:
    """Decode PostgreSQL's binary numeric (raises struct.error / ValueError when malformed)."""
    ndigits, weight, sign, dscale = _HEADER.unpack_from(buf, 0)
    if sign == _NUMERIC_NAN:
        return Decimal("NaN")
    if sign == _NUMERIC_PINF:
        return Decimal("Infinity")
    if sign == _NUMERIC_NINF:
        return Decimal("-Infinity")
    if sign not in (_NUMERIC_POS, _NUMERIC_NEG) or ndigits < 0 or dscale < 0:
        raise ValueError("invalid numeric sign or size")
    if len(buf) != 8 + 2 * ndigits:
        raise ValueError("numeric length mismatch")
    groups = struct.unpack_from(f">{ndigits}H", buf, 8)
    if any(g >= 10000 for g in groups):
        raise ValueError("invalid numeric digit")
    n = int("".join(f"{g:04d}" for g in groups)) if groups else 0
    shift = 4 * (weight - ndigits + 1) + dscale  # n * 10^(4*(weight-ndigits+1)) at exponent -dscale
    m = n * 10**shift if shift >= 0 else n // 10**-shift
    return Decimal((1 if sign == _NUMERIC_NEG else 0, tuple(int(c) for c in str(m)), -dscale))


_GROUPS = 6  # base-10000 groups of an int64 (<= 19 digits) shifted by up to 3 digits


def _nbase_int64(unscaled: np.ndarray, scale: int, valid: pa.Buffer | None) -> pa.Array:
    """numeric_send of int64 unscaled values at a fixed scale, vectorized over the column."""
    n = len(unscaled)
    neg = unscaled < 0
    mag = np.abs(unscaled)
    pad = -scale % 4  # shift so the fraction fills whole groups of 4 digits
    frac_groups = (scale + pad) // 4
    g = np.empty((n, _GROUPS), dtype=np.int64)  # g[:, k]: k-th group from the least significant
    g[:, 0] = (mag % 10 ** (4 - pad)) * 10**pad
    for k in range(1, _GROUPS):
        e = 4 * k - pad
        g[:, k] = (mag // 10**e) % 10000 if e <= 18 else 0
    nz = g != 0
    any_nz = nz.any(1)
    hi = _GROUPS - 1 - nz[:, ::-1].argmax(1)
    lo = nz.argmax(1)
    ndigits = np.where(any_nz, hi - lo + 1, 0)
    head = np.empty((n, 4), dtype=">i2")
    head[:, 0] = ndigits
    head[:, 1] = np.where(any_nz, hi - frac_groups, 0)
    head[:, 2] = np.where(neg & any_nz, _NUMERIC_NEG, _NUMERIC_POS)
    head[:, 3] = scale
    digits = np.zeros((n, _GROUPS), dtype=">u2")
    rows = np.arange(n)
    for j in range(_GROUPS):  # most significant group first
        digits[:, j] = np.where(j < ndigits, g[rows, np.maximum(hi - j, 0)], 0)
    out = np.concatenate([head.view(np.uint8), digits.view(np.uint8)], axis=1)
    return A.matrix_to_array(out, 8 + 2 * ndigits, valid, string=False)


def numeric_binary(arr: pa.Array) -> pa.Array:
    t = arr.type
    if pa.types.is_decimal128(t) and t.precision <= 18:
        # the low 8 bytes of a decimal128 holding < 10^18 are its int64 unscaled value
        raw = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=2 * (arr.offset + len(arr)))
        return _nbase_int64(raw[2 * arr.offset :: 2], t.scale, A.validity(arr))
    if pa.types.is_signed_integer(t) and (len(arr) == 0 or (A.call("min", arr).as_py() or 0) > -(2**63)):
        return _nbase_int64(A.values(A.cast(arr, pa.int64()), np.int64), 0, A.validity(arr))
    if pa.types.is_unsigned_integer(t) and (len(arr) == 0 or (A.call("max", arr).as_py() or 0) < 2**63):
        return _nbase_int64(A.values(A.cast(arr, pa.int64()), np.int64), 0, A.validity(arr))
    # Per-value fallback (wide decimals, huge integers, text): NBASE grouping with Python ints.
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pa.array(
            [None if v is None else numeric_send(Decimal(v)) for v in arr.to_pylist()], pa.binary()
        )
    if pa.types.is_floating(t):
        return pa.array(
            [None if v is None else numeric_send(Decimal(repr(v))) for v in arr.to_pylist()], pa.binary()
        )
    scale = t.scale if pa.types.is_decimal(t) else 0
    if pa.types.is_decimal(t) and is_bare_numeric(t.precision, t.scale):
        # each value with its own display scale, as PostgreSQL's bare numeric sends it
        return pa.array(
            [None if v is None else numeric_send(_trimmed(v)) for v in arr.to_pylist()], pa.binary()
        )
    return pa.array([None if v is None else numeric_send(v, scale) for v in arr.to_pylist()], pa.binary())


def _trimmed(v: Decimal) -> Decimal:
    """v without the trailing zeros of its fraction (1.5000000000 -> 1.5, 100.0000000000 -> 100)."""
    sign, digits, exp = v.as_tuple()
    assert isinstance(exp, int)
    end = len(digits)
    while exp < 0 and end > 1 and digits[end - 1] == 0:  # exact: no context rounding (normalize())
        end -= 1
        exp += 1
    return Decimal((sign, digits[:end], exp))


def is_bignum(t: pa.DataType) -> bool:
    """DuckDB's arbitrary-precision integer (BIGNUM, an integer literal beyond HUGEINT): Arrow
    carries it as an opaque extension over its own bytes."""
    return isinstance(t, pa.BaseExtensionType) and getattr(t, "type_name", "") == "bignum"


def bignum_ints(arr: pa.Array) -> list[int | None]:
    """The integers of a BIGNUM array. DuckDB's bytes: a 3-byte header whose top bit is set for
    a value >= 0, then the magnitude big-endian; a negative value has all its bytes inverted."""
    out: list[int | None] = []
    for raw in arr.storage.to_pylist():
        if raw is None:
            out.append(None)
        elif raw[0] & 0x80:
            out.append(int.from_bytes(raw[3:], "big"))
        else:
            out.append(-int.from_bytes(bytes(b ^ 0xFF for b in raw[3:]), "big"))
    return out


def bignum_text(arr: pa.Array) -> pa.Array:
    return pa.array([None if v is None else str(v) for v in bignum_ints(arr)], pa.string())


def bignum_binary(arr: pa.Array) -> pa.Array:
    return pa.array([None if v is None else numeric_send(v) for v in bignum_ints(arr)], pa.binary())
