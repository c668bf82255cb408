"""Text of dates, times, timestamps and intervals in PostgreSQL's ISO output style.

Arrow's casts to string give 'YYYY-MM-DD HH:MM:SS.ffffff' for years 1..9999; the fraction's
trailing zeros are cut with numpy. Infinities, BC dates and years past 9999 (rare) are formatted
from a copy shifted by whole 400-year Gregorian cycles into 1970..2369 (same month/day/weekday
layout) and given back their real year.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.value.constant import TimeTimeZoneValue

from engine.codec import _arrow as A
from engine.codec.errors import EncodeError, ParamError

DATE_INF = 2**31 - 1  # DuckDB's date 'infinity'; '-infinity' is its negation
TS_INF = 2**63 - 1  # DuckDB's timestamp 'infinity'; '-infinity' is its negation
US_PER_SEC = 1_000_000
US_PER_DAY = 86_400 * US_PER_SEC
CYCLE_DAYS = 146_097  # days in 400 Gregorian years
CYCLE_US = CYCLE_DAYS * US_PER_DAY
FIRST_DAY = -719_162  # 0001-01-01 as days since 1970-01-01
LAST_DAY = 2_932_896  # 9999-12-31
PG_EPOCH_DAYS = 10_957  # 2000-01-01 as days since 1970-01-01
PG_EPOCH_US = PG_EPOCH_DAYS * US_PER_DAY
TIMETZ_ZONE_LIMIT = 15 * 3600 + 59 * 60 + 59  # PostgreSQL's TZDISP_LIMIT

_PAD4 = pc.PadOptions(width=4, padding="0")
_FROM_4 = pc.SliceOptions(start=4, stop=2**31 - 1)


# ---- unit normalisation -------------------------------------------------------------------------

_TS_SCALE = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": None}


def timestamp_us(arr: pa.Array) -> np.ndarray:
    """int64 microseconds since 1970 of a timestamp array of any unit (infinities kept)."""
    unit = arr.type.unit
    raw = A.values(arr, np.int64)
    if unit == "us":
        return raw
    inf = np.abs(raw) == TS_INF
    with np.errstate(over="ignore"):
        us = raw // 1000 if unit == "ns" else raw * _TS_SCALE[unit]
    return np.where(inf, raw, us)


def time_us(arr: pa.Array) -> np.ndarray:
    if pa.types.is_time32(arr.type):
        raw = A.values(arr, np.int32).astype(np.int64)
        return raw * (1000 if arr.type.unit == "ms" else US_PER_SEC)
    raw = A.values(arr, np.int64)
    return raw // 1000 if arr.type.unit == "ns" else raw


# ---- fractional seconds -------------------------------------------------------------------------


def _frac_len(us: np.ndarray) -> np.ndarray:
    """Length of '.ffffff' without trailing zeros for each value (0 when the fraction is zero)."""
    frac = us % US_PER_SEC
    zeros = np.zeros(len(us), dtype=np.int64)
    for p in (10, 100, 1000, 10_000, 100_000):
        zeros += frac % p == 0
    return np.where(frac == 0, 0, 7 - zeros)


def _trim(text: pa.Array, keep: np.ndarray) -> pa.Array:
    """Keep the first keep[i] bytes of each value of a null-free string array."""
    mat, lens = A.to_matrix(text)
    return A.matrix_to_array(mat, np.minimum(keep, lens))


# ---- years outside 1..9999 ----------------------------------------------------------------------


def _odd_years(text_of_shifted: pa.Array, years: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Replace the 4-digit year of 'YYYY...' texts with `years` (astronomical); BC rows flagged."""
    bc = years <= 0
    shown = np.where(bc, 1 - years, years)
    year_text = A.call("utf8_lpad", A.cast(pa.array(shown), pa.string()), options=_PAD4)
    tail = A.call("utf8_slice_codeunits", text_of_shifted, options=_FROM_4)
    return A.join(year_text, tail), bc


def _shift(days_or_us: np.ndarray, cycle: int) -> tuple[np.ndarray, np.ndarray]:
    cycles = days_or_us // cycle
    return days_or_us - cycles * cycle, cycles * 400


# ---- dates --------------------------------------------------------------------------------------


def date_text(arr: pa.Array) -> pa.Array:
    if arr.type != pa.date32():
        arr = A.cast(arr, pa.date32())
    days = A.values(arr, np.int32).astype(np.int64)
    vm = A.valid_mask(arr)
    special = (days < FIRST_DAY) | (days > LAST_DAY)
    if vm is not None:
        special &= vm
    if not special.any():
        return A.cast(arr, pa.string())
    clean = np.where(special, 0, days).astype(np.int32)
    text = A.cast(
        pa.Array.from_buffers(pa.date32(), len(days), [A.validity(arr), pa.py_buffer(clean)]), pa.string()
    )
    return A.replace_rows(text, special, _special_dates(days[special]))


def _special_dates(days: np.ndarray) -> pa.Array:
    out = np.empty(len(days), dtype=object)
    inf, ninf = days == DATE_INF, days == -DATE_INF
    out[inf] = "infinity"
    out[ninf] = "-infinity"
    odd = ~(inf | ninf)
    if odd.any():
        shifted, add_years = _shift(days[odd], CYCLE_DAYS)
        sh = pa.array(shifted.astype(np.int32), pa.date32())
        years = A.values(A.call("year", sh), np.int64) + add_years
        text, bc = _odd_years(A.cast(sh, pa.string()), years)
        text = A.call("if_else", pa.array(bc), A.join(text, b" BC"), text)
        out[odd] = text.to_numpy(zero_copy_only=False)  # few rows: the odd ones only
    return pa.array(out, pa.string())


# ---- times --------------------------------------------------------------------------------------


def time_text(arr: pa.Array) -> pa.Array:
    us = time_us(arr)
    vm = A.valid_mask(arr)
    midnight = us == US_PER_DAY  # DuckDB and PostgreSQL allow 24:00:00
    clean = np.where(midnight | ((us < 0) | (us > US_PER_DAY)) | (vm is not None and ~vm), 0, us)
    text = A.cast(pa.array(clean, pa.time64("us")), pa.string())
    text = _trim(text, 8 + _frac_len(clean))
    if midnight.any():
        text = A.replace_rows(text, midnight, pa.array(["24:00:00"] * int(midnight.sum())))
    return A.with_validity(text, A.validity(arr))


def timetz_parts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, pa.Buffer | None]:
    """(local microseconds, offset seconds east of UTC, validity) of TIME WITH TIME ZONE values.

    They arrive as the struct {us, tz} engine.timetz reads them as: DuckDB's own Arrow form of a
    timetz is the local time without its offset, and a value without its offset is refused here
    rather than printed as +00 (a quiet wrong value)."""
    if not pa.types.is_struct(arr.type) or arr.type.get_field_index("tz") < 0:
        raise EncodeError("XX000", "internal error: a time with time zone value arrived without its offset")
    us_arr, tz_arr = arr.flatten()  # (children re-based to the array's offset, parent nulls merged)
    us = A.values(us_arr, np.int64)
    tz = A.values(A.cast(tz_arr, pa.int32()), np.int32).astype(np.int64)
    vm = A.valid_mask(us_arr)
    if vm is not None:  # (slots under nulls hold arbitrary values)
        us, tz = np.where(vm, us, 0), np.where(vm, tz, 0)
    return us, tz, A.validity(us_arr)


def offsets_text(offsets: np.ndarray) -> pa.Array:
    """'+02', '-05:30', '+05:30:15' of UTC offsets in seconds east (one string per distinct one)."""
    uniq, inverse = np.unique(offsets, return_inverse=True)
    names = pa.array([_offset_text(int(s)) for s in uniq], pa.string())
    return A.call("take", names, pa.array(inverse.astype(np.int32)))


def timetz_text(arr: pa.Array) -> pa.Array:
    """PostgreSQL's timetz_out: the local time, then its offset ('10:20:30.5+02')."""
    us, tz, valid = timetz_parts(arr)
    clock = time_text(pa.Array.from_buffers(pa.time64("us"), len(us), [None, pa.py_buffer(us)]))
    return A.with_validity(A.join(clock, offsets_text(tz)), valid)


def timetz_spelling(us: int, east: int) -> str:
    """A timetz as DuckDB and PostgreSQL read it: 'HH:MM:SS.ffffff+HH:MM:SS' (offset east of UTC)."""
    s, micro = divmod(us, US_PER_SEC)
    a = abs(east)
    zone = f"{'-' if east < 0 else '+'}{a // 3600:02d}:{a // 60 % 60:02d}:{a % 60:02d}"
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{micro:06d}{zone}"


def timetz_value(us: int, east: int) -> TimeTimeZoneValue:
    """A timetz parameter. Not an aware datetime.time: DuckDB refuses those west of UTC (their
    utcoffset is a negative timedelta), and 24:00:00 is no datetime.time."""
    if not 0 <= us <= US_PER_DAY:
        raise ParamError("22008", "time out of range")
    if abs(east) > TIMETZ_ZONE_LIMIT:
        raise ParamError("22009", "time zone displacement out of range")
    return TimeTimeZoneValue(timetz_spelling(us, east))


# ---- timestamps ---------------------------------------------------------------------------------


def _ts_core(us: np.ndarray, vm: np.ndarray | None) -> tuple[pa.Array, np.ndarray]:
    """Null-free texts of wall-clock microsecond values and the BC flags; nulls become epoch."""
    inf, ninf = us == TS_INF, us == -TS_INF
    first, last = FIRST_DAY * US_PER_DAY, (LAST_DAY + 1) * US_PER_DAY
    odd = ((us < first) | (us >= last)) & ~inf & ~ninf
    if vm is not None:
        inf &= vm
        ninf &= vm
        odd &= vm
    special = inf | ninf | odd
    clean = us if not special.any() and vm is None else np.where(special | (vm is not None and ~vm), 0, us)
    text = A.cast(pa.array(clean, pa.timestamp("us")), pa.string())
    text = _trim(text, 19 + _frac_len(clean))
    bc = np.zeros(len(us), dtype=bool)
    if not special.any():
        return text, bc
    out = np.empty(int(special.sum()), dtype=object)
    sub_inf, sub_ninf, sub_odd = inf[special], ninf[special], odd[special]
    out[sub_inf] = "infinity"
    out[sub_ninf] = "-infinity"
    if sub_odd.any():
        shifted, add_years = _shift(us[odd], CYCLE_US)
        sh = pa.array(shifted, pa.timestamp("us"))
        years = A.values(A.call("year", sh), np.int64) + add_years
        sh_text = _trim(A.cast(sh, pa.string()), 19 + _frac_len(shifted))
        odd_text, odd_bc = _odd_years(sh_text, years)
        out[sub_odd] = odd_text.to_numpy(zero_copy_only=False)  # few rows: the odd ones only
        bc[np.flatnonzero(odd)[odd_bc]] = True
    return A.replace_rows(text, special, pa.array(out, pa.string())), bc


def timestamp_text(arr: pa.Array) -> pa.Array:
    vm = A.valid_mask(arr)
    text, bc = _ts_core(timestamp_us(arr), vm)
    if bc.any():
        text = A.call("if_else", pa.array(bc), A.join(text, b" BC"), text)
    return A.with_validity(text, A.validity(arr))


def _offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    a = abs(seconds)
    h, m, s = a // 3600, a % 3600 // 60, a % 60
    text = f"{sign}{h:02d}"
    if m or s:
        text += f":{m:02d}"
    if s:
        text += f":{s:02d}"
    return text


def utc_offsets(us: np.ndarray, timezone: str) -> np.ndarray:
    """UTC offsets in seconds of instants (microseconds since 1970 UTC) in `timezone`."""
    if timezone.upper() in ("UTC", "ETC/UTC", "GMT", "Z", "ETC/GMT", "UCT", "ZULU"):
        return np.zeros(len(us), dtype=np.int64)
    # Arrow's tz database covers years -32767..32767; keep far instants at offset 0.
    limit = 30_000 * 365 * US_PER_DAY
    safe = np.abs(us) < limit
    clean = np.where(safe, us, 0)
    utc = pa.array(clean, pa.timestamp("us", tz=timezone))
    local = A.values(A.call("local_timestamp", utc), np.int64)
    return np.where(safe, (local - clean) // US_PER_SEC, 0)


def timestamptz_text(arr: pa.Array, timezone: str) -> pa.Array:
    us = timestamp_us(arr)
    vm = A.valid_mask(arr)
    finite = np.abs(us) != TS_INF
    offs = utc_offsets(np.where(finite, us, 0), timezone)
    local = np.where(finite, us + offs * US_PER_SEC, us)
    text, bc = _ts_core(local, vm)
    if offs.min(initial=0) == offs.max(initial=0):
        suffix: pa.Array | bytes = _offset_text(int(offs[0]) if len(offs) else 0).encode()
    else:
        suffix = offsets_text(offs)
    if not finite.all():
        # 'infinity' takes no offset
        if isinstance(suffix, bytes):
            suffix = pa.array([suffix.decode()] * len(us))
        suffix = A.replace_rows(suffix, ~finite, pa.array([""] * int((~finite).sum())))
    text = A.join(text, suffix)
    if bc.any():
        text = A.call("if_else", pa.array(bc), A.join(text, b" BC"), text)
    return A.with_validity(text, A.validity(arr))


# ---- intervals (per value: rare type) -------------------------------------------------------------

_MDN = np.dtype([("months", "<i4"), ("days", "<i4"), ("nanos", "<i8")])


def interval_parts(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(months, days, microseconds) of a month_day_nano_interval array."""
    raw = np.frombuffer(arr.buffers()[1], dtype=_MDN, count=arr.offset + len(arr))[arr.offset :]
    nanos = raw["nanos"]
    us = np.where(nanos < 0, -((-nanos) // 1000), nanos // 1000)
    return raw["months"].astype(np.int64), raw["days"].astype(np.int64), us


def interval_str(months: int, days: int, us: int) -> str:
    """One interval in IntervalStyle 'postgres' (PostgreSQL's default output)."""
    parts: list[str] = []
    is_before = False
    is_zero = True
    year = abs(months) // 12 * (1 if months >= 0 else -1)
    mon = months - year * 12
    for value, unit in ((year, "year"), (mon, "mon"), (days, "day")):
        if value == 0:
            continue
        plus = "+" if not is_zero and is_before and value > 0 else ""
        parts.append(f"{plus}{value} {unit}{'' if value == 1 else 's'}")
        is_before = value < 0
        is_zero = False
    if is_zero or us != 0:
        sign = "-" if us < 0 else ("+" if is_before else "")
        a = abs(us)
        hours, rem = divmod(a, 3600 * US_PER_SEC)
        minutes, rem = divmod(rem, 60 * US_PER_SEC)
        seconds, frac = divmod(rem, US_PER_SEC)
        text = f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"
        if frac:
            text += f".{frac:06d}".rstrip("0")
        parts.append(text)
    return " ".join(parts)


def interval_text(arr: pa.Array) -> pa.Array:
    # Per-value fallback (intervals are rare): PostgreSQL's layout has too many cases to vectorize.
    months, days, us = interval_parts(arr)
    vm = A.valid_mask(arr)
    texts = [
        interval_str(int(m), int(d), int(u))
        for m, d, u in zip(months.tolist(), days.tolist(), us.tolist(), strict=True)
    ]
    return pa.array(texts, pa.string(), mask=None if vm is None else ~vm)
