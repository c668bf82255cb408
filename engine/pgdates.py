"""Macros that round date/time values to a precision as PostgreSQL's typmods do.

timestamp(p) and timestamptz(p) round half away from zero counted from PostgreSQL's epoch,
2000-01-01 (AdjustTimestampForTypmod): 1999-12-31 23:59:59.5 is 23:59:59 at p = 0, where
DuckDB's own TIMESTAMP_S (counted from 1970) gives the next day. time(p) and timetz(p) round half
up (AdjustTimeForTypmod), and time may reach 24:00:00. Infinities stay. pgcompat.datetime_literals
writes the calls: (value without its precision, 10 ** (6 - p)).

And date_trunc's argument (pgcompat.pg_dates): PostgreSQL truncates a date as a timestamptz.
"""

from __future__ import annotations

from pgwire.types import DATE_TRUNC_ARG, TIME_ROUND, TIMESTAMP_ROUND, TIMETZ_ROUND

PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in microseconds since 1970
US_PER_DAY = 86_400_000_000
_DELTA = "__pg_round_delta"  # (t, scale): what rounding t to a multiple of scale adds to it

MACROS = "\n".join(
    [
        f"CREATE OR REPLACE TEMP MACRO {_DELTA}(t, scale) AS (CASE WHEN t >= 0 THEN (t + scale // 2) // scale * scale"
        f" ELSE -((-t + scale // 2) // scale * scale) END) - t;",
        f"CREATE OR REPLACE TEMP MACRO {TIMESTAMP_ROUND}(v, scale) AS"
        f" coalesce(v + to_microseconds({_DELTA}(epoch_us(v) - {PG_EPOCH_US}, scale)), v);",
        f"CREATE OR REPLACE TEMP MACRO {TIME_ROUND}(v, scale) AS CASE"
        f" WHEN epoch_us(v) + {_DELTA}(epoch_us(v), scale) >= {US_PER_DAY} THEN make_time(24, 0, 0)"
        f" ELSE v + to_microseconds({_DELTA}(epoch_us(v), scale)) END;",
        f"CREATE OR REPLACE TEMP MACRO {TIMETZ_ROUND}(v, scale) AS v + to_microseconds({_DELTA}(epoch_us(v), scale));",
        f"CREATE OR REPLACE TEMP MACRO {DATE_TRUNC_ARG}(x DATE) AS CAST(x AS TIMESTAMPTZ), (x) AS x;",
    ]
)
