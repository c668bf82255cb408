"""The engine's macros of date/time values read as PostgreSQL reads them.

DATE_TRUNC_ARG, date_trunc's argument (pgcompat.pg_dates): PostgreSQL truncates a date as a
timestamptz (its only overload a date casts to), DuckDB as a timestamp.

DATETIME_LITERAL, an untyped literal compared with a column (pgcompat.datetime_literals
.compared_literals): DuckDB casts the literal to the column's type and reads 'BC' as a zone (year
44 AD) or cuts a 7th fractional digit; the macro takes the reading of the column's type, which
DuckDB's binder picks by the column's type, at no cost per row. Any other type keeps the literal.
"""

from __future__ import annotations

from pgwire.types import DATE_TRUNC_ARG, DATETIME_KINDS, DATETIME_LITERAL

# DuckDB's types of each kind's columns (timestamp(0) and timestamp(3) are TIMESTAMP_S and _MS).
_TYPES = {
    "timestamp": ("TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"),
    "timestamptz": ("TIMESTAMPTZ",),
    "date": ("DATE",),
    "time": ("TIME",),
    "timetz": ("TIMETZ",),
}


def _literal_macro() -> str:
    params = ", ".join(DATETIME_KINDS)
    over = [f"(a {t}, {params}, o) AS {kind}" for kind, types in _TYPES.items() for t in types]
    over += [f"(a VARCHAR, {params}, o) AS o", f"(a, {params}, o) AS o"]
    return f"CREATE OR REPLACE TEMP MACRO {DATETIME_LITERAL}" + ", ".join(over) + ";"


MACROS = (
    f"CREATE OR REPLACE TEMP MACRO {DATE_TRUNC_ARG}(x DATE) AS CAST(x AS TIMESTAMPTZ), (x) AS x;\n"
    + _literal_macro()
)
