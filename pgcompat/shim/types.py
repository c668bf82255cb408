"""pg_type as PostgreSQL shows it: DuckDB's types mapped to PostgreSQL's OIDs, names and lengths, as SQL expressions."""

from __future__ import annotations

from pgcompat.shim.sql import lit, lookup
from pgwire import types as oids

# DuckDB type names -> the PostgreSQL type the codec sends them as.
_DUCK_SCALARS = (
    "BOOLEAN",
    "TINYINT",
    "UTINYINT",
    "SMALLINT",
    "USMALLINT",
    "INTEGER",
    "UINTEGER",
    "BIGINT",
    "UBIGINT",
    "HUGEINT",
    "UHUGEINT",
    "BIGNUM",
    "VARINT",
    "FLOAT",
    "DOUBLE",
    "VARCHAR",
    "BLOB",
    "DATE",
    "TIME",
    "TIME_NS",
    "TIMESTAMP",
    "TIMESTAMP_NS",
    "TIMESTAMP_MS",
    "TIMESTAMP_S",
    "TIMESTAMP WITH TIME ZONE",
    "TIME WITH TIME ZONE",
    "INTERVAL",
    "UUID",
    "JSON",
)

# PostgreSQL's names of the types format_type() spells out.
TYPE_NAMES: dict[int, str] = {
    oids.BOOL: "boolean",
    oids.BYTEA: "bytea",
    oids.CHAR: '"char"',
    oids.NAME: "name",
    oids.INT8: "bigint",
    oids.INT2: "smallint",
    oids.INT4: "integer",
    24: "regproc",
    oids.TEXT: "text",
    oids.OID: "oid",
    oids.JSON: "json",
    142: "xml",
    oids.FLOAT4: "real",
    oids.FLOAT8: "double precision",
    oids.UNKNOWN: "unknown",
    oids.BPCHAR: "character",
    oids.VARCHAR: "character varying",
    oids.DATE: "date",
    oids.TIME: "time without time zone",
    oids.TIMESTAMP: "timestamp without time zone",
    oids.TIMESTAMPTZ: "timestamp with time zone",
    oids.INTERVAL: "interval",
    oids.TIMETZ: "time with time zone",
    1560: "bit",
    1562: "bit varying",
    oids.NUMERIC: "numeric",
    2205: "regclass",
    2206: "regtype",
    oids.UUID: "uuid",
    oids.JSONB: "jsonb",
    4089: "regnamespace",
    2249: "record",
    2276: '"any"',
    2283: "anyelement",
    2278: "void",
}
# Names typname has where format_type spells them differently, for ::regtype input.
TYPE_ALIASES = {
    "int": oids.INT4,
    "int4": oids.INT4,
    "int2": oids.INT2,
    "int8": oids.INT8,
    "float4": oids.FLOAT4,
    "float8": oids.FLOAT8,
    "bool": oids.BOOL,
    "varchar": oids.VARCHAR,
    "bpchar": oids.BPCHAR,
    "char": oids.BPCHAR,
    "decimal": oids.NUMERIC,
    "timestamp": oids.TIMESTAMP,
    "timestamptz": oids.TIMESTAMPTZ,
    "time": oids.TIME,
    "timetz": oids.TIMETZ,
}


def sql_map(pairs: dict) -> str:
    """A DuckDB MAP literal (lookups in it cost far less to plan than a long CASE)."""
    items = ", ".join(
        f"{k if isinstance(k, int) else lit(k)}: {v if isinstance(v, int) else lit(v)}"
        for k, v in pairs.items()
    )
    return "MAP {" + items + "}"


_SCALAR_MAP = sql_map({n: oids.pg_type_for_duckdb(n).oid for n in _DUCK_SCALARS})
_ARRAY_MAP = sql_map(dict(sorted(oids.ARRAY_OF.items())))
_ELEM_MAP = sql_map(dict(sorted(oids.ELEMENT_OF.items())))
NAME_MAP = sql_map(dict(sorted(TYPE_NAMES.items())))
_TYPLEN_MAP = sql_map(
    {o: oids.pg_type(o).typlen for o in sorted(oids.PG_TYPE_NAMES) if oids.pg_type(o).typlen > 0}
)
_VARLENA = sorted({oids.BYTEA, oids.TEXT, oids.JSON, oids.VARCHAR, oids.BPCHAR, oids.JSONB, *oids.ELEMENT_OF})


def scalar_oid(e: str) -> str:
    return (
        f"coalesce({_SCALAR_MAP}[{e}], CASE WHEN {e} LIKE 'DECIMAL%' OR {e} LIKE 'NUMERIC(%' "
        f"THEN {oids.NUMERIC} ELSE {oids.TEXT} END)"
    )


def array_oid(s: str) -> str:
    return f"coalesce({_ARRAY_MAP}[{s}], {oids.TEXT})"


# DuckDB type names as duckdb_functions() spells them (ANY is anyelement) -> PostgreSQL type oids.
_FUNCTION_TYPE_MAP = sql_map(
    {n: oids.pg_type_for_duckdb(n).oid for n in _DUCK_SCALARS}
    | {
        f"{n}[]": oids.ARRAY_OF[oids.pg_type_for_duckdb(n).oid]
        for n in _DUCK_SCALARS
        if oids.pg_type_for_duckdb(n).oid in oids.ARRAY_OF
    }
    | {"ANY": 2283, "DECIMAL": oids.NUMERIC, "DECIMAL[]": oids.NUMERIC_ARRAY}
)


def duck_type_oid(e: str) -> str:
    """The PostgreSQL type oid of a type of duckdb_functions() (one MAP: each costs binding time)."""
    return f"coalesce({_FUNCTION_TYPE_MAP}[{e}], {oids.TEXT})"


def typmod(dt: str) -> str:
    m = r"'^(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)'"
    return (
        f"CASE WHEN {dt} = '{oids.UNCONSTRAINED_NUMERIC}' THEN -1 "  # PostgreSQL's bare numeric
        f"WHEN regexp_matches({dt}, {m}) THEN "
        f"CAST(regexp_extract({dt}, {m}, 1) AS INTEGER) * 65536 + CAST(regexp_extract({dt}, {m}, 2) AS INTEGER) + 4 "
        "ELSE -1 END"
    )


def _elem_of(t: str) -> str:
    return f"coalesce({_ELEM_MAP}[{t}], {t})"


def storage(t: str) -> str:
    return (
        f"CASE WHEN {t} IN ({', '.join(map(str, _VARLENA))}) THEN 'x' "
        f"WHEN {t} = {oids.NUMERIC} THEN 'm' ELSE 'p' END"
    )


def typlen(t: str) -> str:
    return f"coalesce({_TYPLEN_MAP}[{t}], -1)"


def format_type(t: str, m: str) -> str:
    """format_type(type_oid, typmod) as PostgreSQL spells it (integer, numeric(10,2), text[], ...)."""
    e = f"({_elem_of(f'({t})')})"
    mod = (
        f"CASE WHEN ({m}) IS NULL OR ({m}) < 4 THEN '' "
        f"WHEN {e} = {oids.NUMERIC} THEN '(' || ((({m}) - 4) >> 16) || ',' || ((({m}) - 4) & 65535) || ')' "
        f"WHEN {e} IN ({oids.BPCHAR}, {oids.VARCHAR}) THEN '(' || (({m}) - 4) || ')' ELSE '' END"
    )
    user = lookup("duckdb_types()", "type_oid", "type_name", e, "NOT internal")
    return (
        f"CASE WHEN ({t}) IS NULL THEN NULL ELSE "
        f"coalesce({NAME_MAP}[{e}] || {mod}, {user}, '???') "
        f"|| CASE WHEN {e} <> ({t}) THEN '[]' ELSE '' END END"
    )
