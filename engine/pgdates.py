"""The engine's macro for date_trunc's argument (pgcompat.pg_dates): PostgreSQL truncates a
date as a timestamptz (its only overload a date casts to), DuckDB as a timestamp."""

from __future__ import annotations

from pgwire.types import DATE_TRUNC_ARG

MACROS = f"CREATE OR REPLACE TEMP MACRO {DATE_TRUNC_ARG}(x DATE) AS CAST(x AS TIMESTAMPTZ), (x) AS x;"
