"""float4/float8 text in PostgreSQL 12+'s shortest round-trip form, vectorized.

Arrow's float->string cast already yields the shortest round-trip digits; only the layout differs:
Arrow switches to exponent form at 1e10 and below 1e-6 with exponents like 'e+14'/'e-7', while
PostgreSQL uses exponent form when the decimal exponent is < -4 or >= 15 (float8) / >= 6 (float4),
with at least two exponent digits ('1e-05'), and spells 'Infinity', '-Infinity', 'NaN'. So rows in
those ranges are re-laid out from their digits with numpy on a small character matrix.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from engine.codec import _arrow as A

_ZERO, _DOT, _MINUS, _E = ord("0"), ord("."), ord("-"), ord("e")
_SPECIALS = [b"NaN", b"Infinity", b"-Infinity"]


def float_text(arr: pa.Array) -> pa.Array:
    """PostgreSQL text of a float32/float64 array (nulls stay null)."""
    single = arr.type == pa.float32()
    dtype = np.float32 if single else np.float64
    text = A.cast(arr, pa.string())
    x = A.values(arr, dtype)
    ax = np.abs(x)
    # Arrow's own layout matches PostgreSQL only for 1e-4 <= |x| < min(1e10, PG's exponent switch).
    high = dtype(1e6 if single else 1e10)
    low = dtype(1e-4)
    fix = ~(ax < high) | ((ax < low) & (ax != 0))
    valid = A.valid_mask(arr)
    if valid is not None:
        fix &= valid
    if not fix.any():
        return text
    rows = np.flatnonzero(fix)
    sub = A.call("take", text, pa.array(rows))
    fixed = _relayout(sub, x[rows], 6 if single else 15)
    return A.replace_rows(text, fix, fixed)


def _relayout(text: pa.Array, x: np.ndarray, exp_switch: int) -> pa.Array:
    """Re-lay out shortest-digit strings in PostgreSQL's format; `x` holds the same values."""
    n = len(x)
    mat, lens = A.to_matrix(text)
    w = mat.shape[1]
    out = np.zeros((n, 32), dtype=np.uint8)
    out_len = np.zeros(n, dtype=np.int64)

    special = ~np.isfinite(x)
    if special.any():
        kind = np.where(np.isnan(x), 0, np.where(x > 0, 1, 2))[special]
        table = np.zeros((3, 9), dtype=np.uint8)
        for i, s in enumerate(_SPECIALS):
            table[i, : len(s)] = np.frombuffer(s, np.uint8)
        out[special, :9] = table[kind]
        out_len[special] = np.array([len(s) for s in _SPECIALS])[kind]

    fin = np.flatnonzero(~special)
    if len(fin):
        m, ln = mat[fin], lens[fin]
        o, olen = _layout_finite(m, ln, w, exp_switch)
        out[fin] = o
        out_len[fin] = olen
    return A.matrix_to_array(out, out_len)


def _layout_finite(m: np.ndarray, ln: np.ndarray, w: int, exp_switch: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(ln)
    r = np.arange(n)
    j = np.arange(w)[None, :]
    neg = m[:, 0] == _MINUS
    # Split mantissa / exponent.
    is_e = m == _E
    has_e = is_e.any(1)
    epos = np.where(has_e, is_e.argmax(1), ln)
    exp_digit = (j >= (epos + 2)[:, None]) & (j < ln[:, None]) & has_e[:, None]
    power10 = np.where(exp_digit, 10 ** np.clip(ln[:, None] - 1 - j, 0, 18), 0)
    exp_abs = (np.where(exp_digit, m.astype(np.int64) - _ZERO, 0) * power10).sum(1)
    exp_neg = has_e & (m[r, np.minimum(epos + 1, w - 1)] == _MINUS)
    expv = np.where(exp_neg, -exp_abs, exp_abs)
    mant = j < epos[:, None]
    digit = mant & (m >= _ZERO) & (m <= _ZERO + 9)
    is_dot = mant & (m == _DOT)
    dpos = np.where(is_dot.any(1), is_dot.argmax(1), epos)
    # Significant digits: first to last non-zero mantissa digit (values here are never zero).
    nz = digit & (m != _ZERO)
    fnz = nz.argmax(1)
    lnz = w - 1 - nz[:, ::-1].argmax(1)
    power_first = np.where(fnz < dpos, dpos - fnz - 1, dpos - fnz)
    exp10 = power_first + expv
    sig = digit & (j >= fnz[:, None]) & (j <= lnz[:, None])
    nd = sig.sum(1)
    g = np.full((n, 20), _ZERO, dtype=np.uint8)
    srow, scol = np.nonzero(sig)
    g[srow, (np.cumsum(sig, 1) - 1)[srow, scol]] = m[srow, scol]

    out = np.zeros((n, 32), dtype=np.uint8)
    sgn = neg.astype(np.int64)
    out[neg, 0] = _MINUS
    length = np.zeros(n, dtype=np.int64)
    k = np.arange(20)[None, :]

    def put_digits(rows: np.ndarray, first: np.ndarray, count: np.ndarray, start: np.ndarray) -> None:
        """out[row, start + i] = g[row, first + i] for i < count."""
        sel = (k >= first[:, None]) & (k < (first + count)[:, None])
        rr, kk = np.nonzero(sel)
        out[rows[rr], (start - first)[rr] + kk] = g[rows[rr], kk]

    sci = (exp10 < -4) | (exp10 >= exp_switch)
    # d[.ddd]e±XX
    s = np.flatnonzero(sci)
    if len(s):
        b, cnt = sgn[s], nd[s]
        put_digits(s, np.zeros_like(b), np.ones_like(b), b)
        multi = cnt > 1
        out[s[multi], b[multi] + 1] = _DOT
        put_digits(s, np.ones_like(b), cnt - 1, b + 2)
        pos = b + np.where(multi, cnt + 1, 1)
        out[s, pos] = _E
        e = exp10[s]
        out[s, pos + 1] = np.where(e < 0, _MINUS, ord("+"))
        ae = np.abs(e)
        three = ae >= 100
        out[s[three], pos[three] + 2] = _ZERO + ae[three] // 100
        tail = pos + 2 + three
        out[s, tail] = _ZERO + (ae // 10) % 10
        out[s, tail + 1] = _ZERO + ae % 10
        length[s] = tail + 2
    # ddd[.ddd] (possibly zero-padded) for 0 <= exp10 < switch
    p = np.flatnonzero(~sci & (exp10 >= 0))
    if len(p):
        b, cnt, ints = sgn[p], nd[p], exp10[p] + 1
        out[p[:, None], b[:, None] + np.arange(20)[None, :]] = np.where(
            np.arange(20)[None, :] < ints[:, None], _ZERO, 0
        ).astype(np.uint8)
        put_digits(p, np.zeros_like(b), np.minimum(cnt, ints), b)
        frac = cnt > ints
        out[p[frac], (b + ints)[frac]] = _DOT
        put_digits(p, ints, np.maximum(cnt - ints, 0), b + ints + 1)
        length[p] = b + ints + np.where(frac, 1 + cnt - ints, 0)
    # 0.000ddd for -4 <= exp10 < 0
    q = np.flatnonzero(~sci & (exp10 < 0))
    if len(q):
        b, cnt, zeros = sgn[q], nd[q], -exp10[q] - 1
        out[q, b] = _ZERO
        out[q, b + 1] = _DOT
        for z in range(1, 4):
            has = zeros >= z
            out[q[has], (b + 1 + z)[has]] = _ZERO
        put_digits(q, np.zeros_like(b), cnt, b + 2 + zeros)
        length[q] = b + 2 + zeros + cnt
    return out, length
