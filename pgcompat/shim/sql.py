"""SQL helpers of the catalog shim: literals, identifiers, references between blocks, and the facts of the session (PDB name, user) as DuckDB expressions."""

from __future__ import annotations

import re

import duckdb

from conf import PG_VERSION, VERSION

PDB_NAME = (
    "coalesce(getvariable('userenv_client_database'), getvariable('userenv_con_name'), current_database())"
)
# (no current_user fallback: DuckDB would read it as a select-list alias of that name)
SESSION_USER = "coalesce(getvariable('userenv_session_user'), 'duckdb')"
IS_DBA = "coalesce(getvariable('userenv_is_dba') = 'TRUE', false)"
OWNER_OID = 10
VERSION_STRING = (
    f"PostgreSQL {PG_VERSION} (DuckCDB {VERSION}) on x86_64-pc-linux-gnu, "
    f"compiled by DuckDB {duckdb.__version__}, 64-bit"
)

# Synthetic object ids: constraints and the indexes behind PRIMARY KEY / UNIQUE constraints have
# no DuckDB oid; theirs are derived from their table's oid and their position in it.
CON_BASE = 1 << 40
CONIDX_BASE = 1 << 41
ATTRDEF_BASE = 1 << 42
# DuckDB's aggregates share one oid among their overloads; PostgreSQL gives each overload its own.
PROC_BASE = 1 << 43  # + 40 bits of a hash of the signature

# PostgreSQL's fixed oids of the catalogs themselves ('pg_catalog.pg_class'::regclass, ...).
CATALOG_OIDS = {
    "pg_type": 1247,
    "pg_attribute": 1249,
    "pg_proc": 1255,
    "pg_class": 1259,
    "pg_authid": 1260,
    "pg_database": 1262,
    "pg_namespace": 2615,
    "pg_constraint": 2606,
    "pg_index": 2610,
    "pg_description": 2609,
    "pg_depend": 2608,
    "pg_aggregate": 2600,
    "pg_attrdef": 2604,
    "pg_am": 2601,
    "pg_trigger": 2620,
    "pg_rewrite": 2618,
    "pg_inherits": 2611,
    "pg_sequence": 2224,
    "pg_collation": 3456,
    "pg_extension": 3079,
}


def lit(s: str) -> str:
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


_DOLLAR = re.compile(r"^\$([A-Za-z_]\w*)?\$(.*)\$\1\$$", re.S)


def string_value(sql: str) -> str | None:
    """The value of a string literal ('x', E'x' without escapes, $$x$$), or None for anything else."""
    sql = sql.strip()
    if len(sql) >= 2 and sql[0] == "'" and sql[-1] == "'":
        return sql[1:-1].replace("''", "'")
    m = _DOLLAR.match(sql)
    return m.group(2) if m else None


def ref(block: str) -> str:
    """A reference to one of BLOCKS, resolved by expand(). NUL marks it: client SQL never holds one."""
    return f"\x00{block}\x00"


def lookup(source: str, key: str, value: str, arg: str, where: str = "true") -> str:
    """The value of the first row of source (a FROM item) whose key equals arg, as a scalar subquery.

    The argument (client SQL such as `oid` or `c.oid`) is compared in a scope that only has the
    columns __k and __v, so no column of source can capture a name the client meant from its own
    query.
    """
    return f"(SELECT first(__v) FROM (SELECT {key} AS __k, {value} AS __v FROM {source} WHERE {where}) WHERE __k = ({arg}))"


# ---------------------------------------------------------------- identifiers

# PostgreSQL 15's reserved, type/function-name and column-name keywords: quote_ident quotes them.
_KEYWORDS = (
    "all|analyse|analyze|and|any|array|as|asc|asymmetric|authorization|between|bigint|binary|bit|"
    "boolean|both|case|cast|char|character|check|coalesce|collate|collation|column|concurrently|"
    "constraint|create|cross|current_catalog|current_date|current_role|current_schema|current_time|"
    "current_timestamp|current_user|dec|decimal|default|deferrable|desc|distinct|do|else|end|"
    "except|exists|extract|false|fetch|float|for|foreign|freeze|from|full|grant|greatest|group|"
    "grouping|having|ilike|in|initially|inner|inout|int|integer|intersect|interval|into|is|isnull|"
    "join|lateral|leading|least|left|like|limit|localtime|localtimestamp|national|natural|nchar|"
    "none|normalize|not|notnull|null|nullif|numeric|offset|on|only|or|order|out|outer|overlaps|"
    "overlay|placing|position|precision|primary|real|references|returning|right|row|select|"
    "session_user|setof|similar|smallint|some|substring|symmetric|table|tablesample|then|time|"
    "timestamp|to|trailing|treat|trim|true|union|unique|user|using|values|varchar|variadic|verbose|"
    "when|where|window|with|xmlattributes|xmlconcat|xmlelement|xmlexists|xmlforest|xmlnamespaces|"
    "xmlparse|xmlpi|xmlroot|xmlserialize|xmltable"
)


def qi(x: str) -> str:
    """quote_ident(x): x as PostgreSQL would print the identifier (quoted when it must be)."""
    return (
        f"CASE WHEN regexp_full_match({x}, '[a-z_][a-z0-9_$]*') AND strpos('|{_KEYWORDS}|', '|' || {x} || '|') = 0 "
        f"THEN {x} ELSE '\"' || replace({x}, '\"', '\"\"') || '\"' END"
    )


def unquote(x: str) -> str:
    """A DuckDB-quoted identifier ("name") back to its name; anything else unchanged."""
    return f"""CASE WHEN regexp_full_match({x}, '"([^"]|"")*"') THEN replace({x}[2:-2], '""', '"') ELSE {x} END"""
