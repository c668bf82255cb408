"""Parsing PostgreSQL interval input into exact (months, days, microseconds), and the DuckDB value.

Intervals are bound as `duckdb.value.constant.IntervalValue('<m> months <d> days <us> microseconds')`:
DuckDB types that parameter as INTERVAL without a CAST and keeps months, days and microseconds
apart, which a datetime.timedelta cannot (it has no months).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from duckdb.value.constant import IntervalValue

US_PER_SEC = 1_000_000
_US = {
    "microsecond": Decimal(1),
    "millisecond": Decimal(1000),
    "second": Decimal(US_PER_SEC),
    "minute": Decimal(60 * US_PER_SEC),
    "hour": Decimal(3600 * US_PER_SEC),
}
_DAYS = {"day": 1, "week": 7}
_MONTHS = {"month": 1, "year": 12, "decade": 120, "century": 1200, "millennium": 12000}
_UNIT_ALIASES = {
    "us": "microsecond", "usec": "microsecond", "usecs": "microsecond", "microseconds": "microsecond",
    "microsecon": "microsecond", "ms": "millisecond", "msec": "millisecond", "msecs": "millisecond",
    "milliseconds": "millisecond", "millisecon": "millisecond", "s": "second", "sec": "second",
    "secs": "second", "seconds": "second", "m": "minute", "min": "minute", "mins": "minute",
    "minutes": "minute", "h": "hour", "hr": "hour", "hrs": "hour", "hours": "hour", "d": "day",
    "days": "day", "w": "week", "weeks": "week", "mon": "month", "mons": "month", "months": "month",
    "y": "year", "yr": "year", "yrs": "year", "years": "year", "decades": "decade", "dec": "decade",
    "decs": "decade", "centuries": "century", "c": "century", "cent": "century",
    "millennia": "millennium", "mil": "millennium", "mils": "millennium",
}  # fmt: skip
_TOKEN = re.compile(
    r"\s*(?:(?P<time>[+-]?\d+:\d+(?::\d+(?:\.\d*)?)?)|(?P<num>[+-]?(?:\d+\.?\d*|\.\d+))\s*(?P<unit>[a-zA-Z]+)?)"
)
_ISO = re.compile(
    r"^(?P<sign>-)?P(?:(?P<Y>[+-]?[\d.]+)Y)?(?:(?P<M>[+-]?[\d.]+)M)?(?:(?P<W>[+-]?[\d.]+)W)?(?:(?P<D>[+-]?[\d.]+)D)?"
    r"(?:T(?:(?P<h>[+-]?[\d.]+)H)?(?:(?P<m>[+-]?[\d.]+)M)?(?:(?P<s>[+-]?[\d.]+)S)?)?$"
)
_YEAR_MONTH = re.compile(r"^([+-]?)(\d+)-(\d+)$")


class IntervalSyntaxError(ValueError):
    pass


class _Acc:
    """Accumulates fields, spilling fractions down as PostgreSQL does (1 month = 30 days)."""

    def __init__(self) -> None:
        self.months = 0
        self.days = 0
        self.us = Decimal(0)

    def add(self, value: Decimal, unit: str) -> None:
        if unit in _MONTHS:
            total = value * _MONTHS[unit]
            whole = int(total)
            self.months += whole
            self.add_days((total - whole) * 30)
        elif unit in _DAYS:
            self.add_days(value * _DAYS[unit])
        else:
            self.us += value * _US[unit]

    def add_days(self, value: Decimal) -> None:
        whole = int(value)
        self.days += whole
        self.us += (value - whole) * 86_400 * US_PER_SEC


def parse_interval(text: str) -> tuple[int, int, int]:
    """(months, days, microseconds) of PostgreSQL interval input; raises IntervalSyntaxError."""
    s = text.strip().lower()
    if s.startswith("@"):
        s = s[1:].strip()
    if not s:
        raise IntervalSyntaxError(text)
    acc = _Acc()
    try:
        if s.startswith(("p", "-p")):
            _parse_iso(s, acc)
        elif (m := _YEAR_MONTH.match(s)) is not None:
            sign = -1 if m.group(1) == "-" else 1
            acc.months = sign * (int(m.group(2)) * 12 + int(m.group(3)))
        else:
            _parse_verbose(s, acc)
    except (InvalidOperation, KeyError) as exc:
        raise IntervalSyntaxError(text) from exc
    return acc.months, acc.days, int(acc.us.to_integral_value())


def _parse_iso(s: str, acc: _Acc) -> None:
    m = _ISO.match(s.upper())
    if m is None or s.upper() in ("P", "-P") or s.upper().endswith("T"):
        raise IntervalSyntaxError(s)
    sign = -1 if m.group("sign") else 1
    for key, unit in (
        ("Y", "year"),
        ("M", "month"),
        ("W", "week"),
        ("D", "day"),
        ("h", "hour"),
        ("m", "minute"),
        ("s", "second"),
    ):
        if m.group(key) is not None:
            acc.add(sign * Decimal(m.group(key)), unit)


def _parse_verbose(s: str, acc: _Acc) -> None:
    ago = False
    if s.endswith(" ago") or s == "ago":
        ago = True
        s = s[:-3].strip()
    pos = 0
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if m is None or m.end() == pos:
            raise IntervalSyntaxError(s)
        pos = m.end()
        if m.group("time"):
            acc.us += _clock_us(m.group("time"))
            continue
        value = Decimal(m.group("num"))
        unit = m.group("unit")
        if unit is None:
            acc.us += value * US_PER_SEC  # a bare number is seconds
            continue
        unit = _UNIT_ALIASES.get(unit, unit)
        if unit not in _US and unit not in _DAYS and unit not in _MONTHS:
            raise IntervalSyntaxError(s)
        acc.add(value, unit)
    if ago:
        acc.months, acc.days, acc.us = -acc.months, -acc.days, -acc.us


def _clock_us(text: str) -> Decimal:
    neg = text.startswith("-")
    parts = text.lstrip("+-").split(":")
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = Decimal(parts[2]) if len(parts) > 2 else Decimal(0)
    total = (hours * 3600 + minutes * 60) * US_PER_SEC + seconds * US_PER_SEC
    return -total if neg else total


def interval_value(months: int, days: int, us: int) -> IntervalValue:
    """The DuckDB parameter for an interval (exact; typed INTERVAL without a CAST)."""
    return IntervalValue(f"{months} months {days} days {us} microseconds")
