"""The PostgreSQL catalog shim: what psql, JDBC, SQLAlchemy and BI tools ask the catalog for,
written as DuckDB SQL over DuckDB's own catalog functions (duckdb_tables(), duckdb_columns(), ...).

Nothing is installed in the session: creating DuckDB objects costs about 0.2 ms a statement, and
a shim of some sixty views and macros would make every connection 10-15 ms slower (views would
not plan any faster either: DuckDB binds a view's SELECT at each use). Instead the statement
rewrite (pgcompat/catalog_rewrites.py) replaces each catalog relation a client names with the SELECT
below (`RELATIONS`, built from the named `BLOCKS`) and each catalog function with the expression
its template builds (`FUNCTIONS`), once per distinct statement text. The SQL only reads the
connected PDB's own catalog (`current_database()`) and the session's temporary objects, so
nothing about another PDB, nor any file path, can show through.

How DuckDB objects appear:
- schema `main` is `public`; the session's temporary schema is `pg_temp_1`; information_schema
  is PostgreSQL's (INFO_RELATIONS), not DuckDB's own, which says `main`;
- every object is owned by the connected user (oid 10): DuckDB has no owners;
- PRIMARY KEY and UNIQUE constraints get the index PostgreSQL would give them (`t_pkey`, ...);
  DuckDB's ART indexes are reported as btree and tables as heap, the access methods PostgreSQL
  clients know;
- column types are the PostgreSQL types the wire codec sends them as (VARCHAR is text: DuckDB
  2.0 keeps no length, not in duckdb_columns() nor in the table's SQL), but for a column with
  the length CHECK policies/lengths.py writes for varchar(n) / char(n): that is
  `character varying(n)` / `character(n)` (atttypmod n + 4), and the CHECK is no constraint of
  its own; what DuckDB has no counterpart for (sizes, ACLs, triggers, policies, partitions,
  publications) is empty or NULL;
- pg_proc has the PDB's macros, and DuckDB's aggregates as pg_catalog's (pg_aggregate);
- pg_depend links each PRIMARY KEY / UNIQUE index to its constraint.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import duckdb

from conf import PG_VERSION, VERSION
from pgcompat import lengths
from pgcompat.params import PARAMS
from pgwire import types as oids

# ---------------------------------------------------------------- session facts

PDB_NAME = "coalesce(getvariable('userenv_con_name'), current_database())"
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


_REF = re.compile("\x00(\\w+)\x00")


def expand(sql: str, used: set[str] | None) -> str:
    """The block references in sql as the names of WITH entries (noted in `used`, which the
    statement then defines once), or, with `used` None, as the blocks' SELECTs inline."""
    if used is None:
        return _REF.sub(lambda m: f"({expand(BLOCKS[m.group(1)], None)})", sql)
    used.update(_REF.findall(sql))
    return _REF.sub(lambda m: "__" + m.group(1), sql)


def with_entries(used: set[str]) -> str:
    """`__name AS (SELECT ...)` for the blocks used and those they read, each after its sources."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name not in order:
            for dep in _REF.findall(BLOCKS[name]):
                visit(dep)
            order.append(name)

    for name in sorted(used):
        visit(name)
    return ", ".join(f"__{n} AS ({expand(BLOCKS[n], set())})" for n in order)


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


def _unquote(x: str) -> str:
    """A DuckDB-quoted identifier ("name") back to its name; anything else unchanged."""
    return f"""CASE WHEN regexp_full_match({x}, '"([^"]|"")*"') THEN replace({x}[2:-2], '""', '"') ELSE {x} END"""


# ---------------------------------------------------------------- types

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
_TYPE_ALIASES = {
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


def _map(pairs: dict) -> str:
    """A DuckDB MAP literal (lookups in it cost far less to plan than a long CASE)."""
    items = ", ".join(
        f"{k if isinstance(k, int) else lit(k)}: {v if isinstance(v, int) else lit(v)}"
        for k, v in pairs.items()
    )
    return "MAP {" + items + "}"


_SCALAR_MAP = _map({n: oids.pg_type_for_duckdb(n).oid for n in _DUCK_SCALARS})
_ARRAY_MAP = _map(dict(sorted(oids.ARRAY_OF.items())))
_ELEM_MAP = _map(dict(sorted(oids.ELEMENT_OF.items())))
_NAME_MAP = _map(dict(sorted(TYPE_NAMES.items())))
_TYPLEN_MAP = _map(
    {o: oids.pg_type(o).typlen for o in sorted(oids.PG_TYPE_NAMES) if oids.pg_type(o).typlen > 0}
)
_VARLENA = sorted({oids.BYTEA, oids.TEXT, oids.JSON, oids.VARCHAR, oids.BPCHAR, oids.JSONB, *oids.ELEMENT_OF})


def _scalar_oid(e: str) -> str:
    return (
        f"coalesce({_SCALAR_MAP}[{e}], CASE WHEN {e} LIKE 'DECIMAL%' OR {e} LIKE 'NUMERIC(%' "
        f"THEN {oids.NUMERIC} ELSE {oids.TEXT} END)"
    )


def _array_oid(s: str) -> str:
    return f"coalesce({_ARRAY_MAP}[{s}], {oids.TEXT})"


# DuckDB type names as duckdb_functions() spells them (ANY is anyelement) -> PostgreSQL type oids.
_FUNCTION_TYPE_MAP = _map(
    {n: oids.pg_type_for_duckdb(n).oid for n in _DUCK_SCALARS}
    | {
        f"{n}[]": oids.ARRAY_OF[oids.pg_type_for_duckdb(n).oid]
        for n in _DUCK_SCALARS
        if oids.pg_type_for_duckdb(n).oid in oids.ARRAY_OF
    }
    | {"ANY": 2283, "DECIMAL": oids.NUMERIC, "DECIMAL[]": oids.NUMERIC_ARRAY}
)


def _duck_type_oid(e: str) -> str:
    """The PostgreSQL type oid of a type of duckdb_functions() (one MAP: each costs binding time)."""
    return f"coalesce({_FUNCTION_TYPE_MAP}[{e}], {oids.TEXT})"


def _typmod(dt: str) -> str:
    m = r"'^(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)'"
    return (
        f"CASE WHEN regexp_matches({dt}, {m}) THEN "
        f"CAST(regexp_extract({dt}, {m}, 1) AS INTEGER) * 65536 + CAST(regexp_extract({dt}, {m}, 2) AS INTEGER) + 4 "
        "ELSE -1 END"
    )


def _elem_of(t: str) -> str:
    return f"coalesce({_ELEM_MAP}[{t}], {t})"


def _storage(t: str) -> str:
    return (
        f"CASE WHEN {t} IN ({', '.join(map(str, _VARLENA))}) THEN 'x' "
        f"WHEN {t} = {oids.NUMERIC} THEN 'm' ELSE 'p' END"
    )


def _typlen(t: str) -> str:
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
        f"coalesce({_NAME_MAP}[{e}] || {mod}, {user}, '???') "
        f"|| CASE WHEN {e} <> ({t}) THEN '[]' ELSE '' END END"
    )


# ---------------------------------------------------------------- relations

_CUR = "current_database()"

# Schemas: the PDB's (main shown as public), the session's temporary schema, and the two
# catalogs clients filter on by name.
_NS = f"""SELECT oid, CASE WHEN database_name = 'temp' THEN 'pg_temp_1'
    WHEN database_name = {_CUR} AND schema_name = 'main' THEN 'public' ELSE schema_name END AS nspname,
    database_name AS __db, schema_name AS __schema, comment AS __comment,
    database_name <> {_CUR} OR (CASE WHEN len(current_schemas(false)) = 0 THEN schema_name = 'main'
        ELSE list_contains(current_schemas(false), schema_name) END) AS __visible
FROM duckdb_schemas()
WHERE database_name = {_CUR} OR database_name = 'temp'
    OR (database_name = 'system' AND schema_name IN ('pg_catalog', 'information_schema'))"""

_MINE = f"(database_name = {_CUR} OR database_name = 'temp')"

# The columns of each table, in order, for FOREIGN KEY and index column positions.
_TABLE_COLS = f"""SELECT table_oid, database_name, schema_name, table_name,
    list(column_name ORDER BY column_index) AS __cols, list(lower(column_name) ORDER BY column_index) AS __lcols
FROM duckdb_columns() WHERE {_MINE} AND NOT internal GROUP BY ALL"""


def _nsp_display(db: str, schema: str) -> str:
    return f"CASE WHEN {db} = 'temp' THEN 'pg_temp_1' WHEN {schema} = 'main' THEN 'public' ELSE {schema} END"


def _qi_list(xs: str) -> str:
    return f"array_to_string(list_transform({xs}, lambda x: {qi('x')}), ', ')"


# varchar(n) and char(n) columns: DuckDB keeps no length, so policies/lengths.py gives each such
# column the CHECK `len(col) <= n` (`len(CAST(col AS BPCHAR)) <= n` for char(n)). That CHECK is
# the column's type here (character varying(n), atttypmod n + 4), never a constraint of its own.
# Its shape (lengths.SHAPE) is the expression of duckdb_constraints(); in the table's SQL it is
# CHECK((...)), followed by a comma or the closing parenthesis.
_LENGTH_IN_SQL = r"CHECK\(" + lengths.SHAPE + r"\)[,)]"


# The PDB's constraints, the length CHECKs marked (__length): one scan of duckdb_constraints() per
# statement (it binds every CHECK of every table, some 13 us each), which the blocks below share.
# (The shape reads exactly one column, named bare or quoted: no constant, no other expression.)
# relchecks counts the constraints without the lengths, which it reads from the table's SQL.
_CONS = f"""SELECT *, constraint_type = 'CHECK' AND len(constraint_column_names) = 1 AND starts_with(expression, '(len(')
    AND regexp_full_match(expression, {lit(lengths.SHAPE)}) AS __length
FROM duckdb_constraints() WHERE {_MINE}"""

# The declared lengths, from the tables' SQL (cheaper than duckdb_constraints(): nothing to bind):
# table, column (lower case), n, and whether it is char(n).
_LENGTH_RE = lit(_LENGTH_IN_SQL)
_LENGTHS = f"""SELECT table_oid AS __rel, lower({_unquote("coalesce(__v, __b)")}) AS __lcol, min(CAST(__n AS INTEGER)) AS __len,
    bool_or(__b IS NOT NULL) AS __bpchar
FROM (SELECT table_oid, unnest(regexp_extract_all(sql, {_LENGTH_RE}, 1)) AS __v, unnest(regexp_extract_all(sql, {_LENGTH_RE}, 2)) AS __b,
        unnest(regexp_extract_all(sql, {_LENGTH_RE}, 3)) AS __n
    FROM duckdb_tables() WHERE {_MINE} AND NOT internal AND contains(sql, 'CHECK((len('))
GROUP BY ALL"""

# Constraints (NOT NULL is a column property in PostgreSQL 15, not a constraint): their oids,
# names and kinds, and the index PostgreSQL would have made for PRIMARY KEY and UNIQUE.
_CON_LITE = f"""SELECT {CON_BASE} + table_oid * 1024 + __k AS oid,
    CASE constraint_type WHEN 'PRIMARY KEY' THEN table_name || '_pkey'
        WHEN 'FOREIGN KEY' THEN table_name || '_' || array_to_string(constraint_column_names, '_') || '_fkey'
        ELSE constraint_name END AS conname,
    schema_oid AS connamespace,
    CASE constraint_type WHEN 'PRIMARY KEY' THEN 'p' WHEN 'UNIQUE' THEN 'u' WHEN 'FOREIGN KEY' THEN 'f' ELSE 'c' END AS contype,
    table_oid AS conrelid,
    CASE WHEN constraint_type IN ('PRIMARY KEY', 'UNIQUE') THEN {CONIDX_BASE} + table_oid * 1024 + __k ELSE 0 END AS conindid,
    CAST(list_transform(constraint_column_indexes, lambda x: x + 1) AS SMALLINT[]) AS conkey,
    expression AS conbin, constraint_column_names AS __colnames, referenced_table AS __reftable,
    referenced_column_names AS __refcols, database_name AS __db, schema_name AS __schema, table_name AS __table
FROM (SELECT *, row_number() OVER (PARTITION BY table_oid ORDER BY constraint_index) AS __k
      FROM {ref("cons")}
      WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK') AND NOT __length)"""

# The referenced columns' positions (DuckDB keeps the names as the REFERENCES clause spelled them).
_confkey = "CAST(list_transform(c.__refcols, lambda x: list_position(r.__lcols, lower(x))) AS SMALLINT[])"

# ... with, for foreign keys, the PRIMARY KEY or UNIQUE constraint on exactly the referenced columns
# (the primary key first) and its index, which is the foreign key's conindid. A window over one
# scan: a join of the constraints with themselves would double what pg_constraint costs.
_CON_REF = f"""SELECT c.*,
    CASE WHEN c.contype = 'f' THEN coalesce(max(CASE WHEN c.contype = 'p' THEN c.conindid END) OVER w,
        max(CASE WHEN c.contype = 'u' THEN c.conindid END) OVER w) END AS __refidx,
    CASE WHEN c.contype = 'f' THEN coalesce(max(CASE WHEN c.contype = 'p' THEN c.conname END) OVER w,
        max(CASE WHEN c.contype = 'u' THEN c.conname END) OVER w) END AS __refname
FROM (SELECT *, lower(CASE WHEN contype = 'f' THEN __reftable ELSE __table END) || '(' || array_to_string(list_sort(
        list_transform(CASE WHEN contype = 'f' THEN __refcols ELSE __colnames END, lambda x: lower(x))), ',') || ')' AS __key
    FROM {ref("con_lite")}) c
WINDOW w AS (PARTITION BY c.__db, c.__schema, c.__key)"""

# ... with the referenced table of foreign keys and the definition pg_get_constraintdef prints.
_CON = f"""SELECT c.*, coalesce(r.table_oid, 0) AS confrelid,
    CASE WHEN r.table_oid IS NOT NULL THEN {_confkey} END AS confkey,
    CASE c.contype
        WHEN 'p' THEN 'PRIMARY KEY (' || {_qi_list("c.__colnames")} || ')'
        WHEN 'u' THEN 'UNIQUE (' || {_qi_list("c.__colnames")} || ')'
        WHEN 'f' THEN 'FOREIGN KEY (' || {_qi_list("c.__colnames")} || ') REFERENCES '
            || CASE WHEN c.__db = 'temp' OR c.__schema = 'main' THEN '' ELSE {qi("c.__schema")} || '.' END
            || {qi("c.__reftable")} || '(' || {_qi_list("c.__refcols")} || ')'
        ELSE 'CHECK ' || CASE WHEN c.conbin LIKE '(%)' THEN c.conbin ELSE '(' || c.conbin || ')' END
    END AS __def
FROM {ref("con_lite")} c
LEFT JOIN {ref("table_cols")} r ON c.contype = 'f' AND r.database_name = c.__db
    AND r.schema_name = c.__schema AND lower(r.table_name) = lower(c.__reftable)"""

# Indexes: DuckDB's own, and one per PRIMARY KEY / UNIQUE constraint as in PostgreSQL.
_IDX_RAW = f"""SELECT i.index_oid AS oid, i.index_name AS relname, i.schema_oid AS relnamespace, i.table_oid AS indrelid,
    i.is_unique, i.is_primary, i.database_name AS __db, i.schema_name AS __schema, i.table_name AS __table,
    list_transform(CAST(i.expressions AS VARCHAR[]), lambda e: {_unquote("e")}) AS __cols
FROM duckdb_indexes() i WHERE {_MINE}
UNION ALL
SELECT conindid, conname, connamespace, conrelid, true, contype = 'p', __db, __schema, __table, __colnames
FROM {ref("con_lite")} WHERE contype IN ('p', 'u')"""


def _expr_shown(e: str) -> str:
    """An index expression as PostgreSQL shows it: a function call bare, anything else in parentheses
    (DuckDB keeps it in parentheses of its own)."""
    bare = f"CASE WHEN {e} LIKE '(%)' THEN {e}[2:-2] ELSE {e} END"
    return f"CASE WHEN regexp_full_match({bare}, '\\w+\\(.*\\)') THEN {bare} ELSE '(' || {bare} || ')' END"


# ... with the table column each key is (0: an expression), as PostgreSQL shows them.
_IDX_KEYS = f"""SELECT x.*, list_transform(x.__cols, lambda e: coalesce(list_position(t.__cols, e), 0)) AS __keys,
    list_transform(x.__cols, lambda e: CASE WHEN list_contains(t.__cols, e) THEN {qi("e")} ELSE {_expr_shown("e")} END) AS __shown
FROM {ref("idx_raw")} x LEFT JOIN {ref("table_cols")} t ON t.table_oid = x.indrelid"""

# ... and the CREATE INDEX statement pg_get_indexdef prints.
_IDX = f"""SELECT x.*, 'CREATE ' || CASE WHEN x.is_unique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || {qi("x.relname")}
        || ' ON ' || {qi("x.__nsp")} || '.' || {qi("x.__table")} || ' USING btree (' || array_to_string(x.__shown, ', ') || ')' AS __def
FROM (SELECT *, {_nsp_display("__db", "__schema")} AS __nsp FROM {ref("idx_keys")}) x"""

# Tables, views and sequences. PostgreSQL implements foreign keys with triggers, and psql lists a
# table's foreign keys (and the ones referencing it) only when relhastriggers says it has some.
_RELS = f"""SELECT t.table_oid AS oid, t.table_name AS relname, t.schema_oid AS relnamespace, 2 AS relam,
    t.estimated_size AS reltuples, t.index_count > 0 AS relhasindex,
    CASE WHEN t.temporary THEN 't' ELSE 'p' END AS relpersistence, 'r' AS relkind, t.column_count AS relnatts,
    t.check_constraint_count - CASE WHEN contains(t.sql, 'CHECK((len(') THEN len(regexp_extract_all(t.sql, {_LENGTH_RE})) ELSE 0 END
        AS relchecks, t.table_oid IN (
        SELECT table_oid FROM {ref("cons")} WHERE constraint_type = 'FOREIGN KEY'
        UNION ALL SELECT r.table_oid FROM {ref("cons")} k JOIN duckdb_tables() r
            ON k.constraint_type = 'FOREIGN KEY' AND r.table_name = k.referenced_table
            AND r.schema_name = k.schema_name AND r.database_name = k.database_name) AS relhastriggers
FROM duckdb_tables() t WHERE (t.database_name = {_CUR} OR t.temporary) AND NOT t.internal
UNION ALL
SELECT view_oid, view_name, schema_oid, 0, 0, false, 'p', 'v', column_count, 0, false
FROM duckdb_views() WHERE database_name = {_CUR} AND NOT internal
UNION ALL
SELECT sequence_oid, sequence_name, schema_oid, 0, 0, false, CASE WHEN temporary THEN 't' ELSE 'p' END, 'S', 3, 0, false
FROM duckdb_sequences() WHERE database_name = {_CUR} OR temporary"""

_CLASS_COLS = f"""oid, relname, relnamespace, 0::BIGINT AS reltype, 0::BIGINT AS reloftype, {OWNER_OID}::BIGINT AS relowner,
    relam::BIGINT AS relam, oid AS relfilenode, 0::BIGINT AS reltablespace, 0 AS relpages, CAST(reltuples AS FLOAT) AS reltuples,
    0 AS relallvisible, 0::BIGINT AS reltoastrelid, relhasindex, false AS relisshared, relpersistence, relkind,
    CAST(relnatts AS SMALLINT) AS relnatts, CAST(relchecks AS SMALLINT) AS relchecks, false AS relhasrules,
    relhastriggers, false AS relhassubclass, false AS relrowsecurity, false AS relforcerowsecurity,
    true AS relispopulated, CASE WHEN relkind = 'r' THEN 'd' ELSE 'n' END AS relreplident, false AS relispartition,
    0::BIGINT AS relrewrite, 0::BIGINT AS relfrozenxid, 0::BIGINT AS relminmxid, NULL::VARCHAR[] AS relacl,
    NULL::VARCHAR[] AS reloptions, NULL::VARCHAR AS relpartbound"""

_CLASS_LITE = f"""SELECT * FROM {ref("rels")}
UNION ALL
SELECT oid, relname, relnamespace, 403, 0, false, CASE WHEN __db = 'temp' THEN 't' ELSE 'p' END, 'i', len(__cols), 0,
    false
FROM {ref("idx_raw")}"""

PG_CLASS = f"SELECT {_CLASS_COLS} FROM {ref('class_lite')}"
# ... with rows for the system catalogs too, for statements that name one (see SYS_CLASS_BLOCK).
_PG_CLASS_SYS = f"SELECT {_CLASS_COLS} FROM (SELECT * FROM {ref('class_lite')} UNION ALL SELECT * FROM {ref('sys_classes')})"

# relation oid -> its schema, without the constraint machinery (for visibility checks).
_REL_NS = f"""SELECT table_oid AS oid, schema_oid AS ns FROM duckdb_tables() WHERE {_MINE}
UNION ALL SELECT view_oid, schema_oid FROM duckdb_views() WHERE {_MINE}
UNION ALL SELECT sequence_oid, schema_oid FROM duckdb_sequences() WHERE {_MINE}
UNION ALL SELECT index_oid, schema_oid FROM duckdb_indexes() WHERE {_MINE}"""

_COLUMNS = f"""SELECT c.*, CASE WHEN c.__arr THEN {_array_oid("c.__s")} ELSE c.__s END AS __typ FROM (
    SELECT c.*, CASE WHEN l.__bpchar THEN {oids.BPCHAR} WHEN l.__len IS NOT NULL THEN {oids.VARCHAR}
            ELSE {_scalar_oid("c.__e")} END AS __s, coalesce(l.__len + 4, c.__mod) AS __typmod FROM (
        SELECT table_oid, column_name, column_index, data_type, is_nullable, column_default, is_generated,
            generation_expression, comment, database_name AS __db, schema_name AS __schema, table_name AS __table,
            regexp_replace(data_type, '(\\[\\d*\\])+$', '') AS __e,
            data_type LIKE '%]' AS __arr, {_typmod("data_type")} AS __mod
        FROM duckdb_columns() WHERE {_MINE} AND NOT internal) c
    LEFT JOIN {ref("lengths")} l ON l.__rel = c.table_oid AND l.__lcol = lower(c.column_name) AND c.data_type = 'VARCHAR') c"""

_ATT_COLS = f"""attrelid, attname, atttypid, -1 AS attstattarget, CAST({_typlen("atttypid")} AS SMALLINT) AS attlen,
    CAST(attnum AS SMALLINT) AS attnum, CASE WHEN atttypid IN ({", ".join(map(str, sorted(oids.ELEMENT_OF)))}) THEN 1 ELSE 0 END AS attndims,
    -1 AS attcacheoff, atttypmod, false AS attbyval, 'i' AS attalign, {_storage("atttypid")} AS attstorage,
    '' AS attcompression, attnotnull, atthasdef, false AS atthasmissing, '' AS attidentity, attgenerated,
    false AS attisdropped, true AS attislocal, 0 AS attinhcount, 0::BIGINT AS attcollation, NULL::VARCHAR[] AS attacl,
    NULL::VARCHAR[] AS attoptions, NULL::VARCHAR[] AS attfdwoptions, NULL::VARCHAR[] AS attmissingval"""

# Columns of tables and views, and of indexes (their keys, typed as the table's columns).
PG_ATTRIBUTE = f"""SELECT {_ATT_COLS} FROM (
SELECT table_oid AS attrelid, column_name AS attname, __typ AS atttypid, column_index AS attnum, __typmod AS atttypmod,
    NOT is_nullable AS attnotnull, column_default IS NOT NULL AS atthasdef, CASE WHEN is_generated THEN 'v' ELSE '' END AS attgenerated
FROM {ref("columns")} c
UNION ALL
SELECT x.oid, CASE WHEN c.column_name IS NULL THEN 'expr' ELSE c.column_name END, coalesce(c.__typ, {oids.TEXT}), x.n,
    coalesce(c.__typmod, -1), coalesce(NOT c.is_nullable, false), false, ''
FROM (SELECT oid, indrelid, unnest(__cols) AS col, generate_subscripts(__cols, 1) AS n FROM {ref("idx_raw")}) x
LEFT JOIN {ref("columns")} c ON c.table_oid = x.indrelid AND c.column_name = x.col)"""

_DEFAULT = r"""CASE WHEN is_generated THEN generation_expression
    WHEN lower(column_default) IN ('current_timestamp', 'current_date', 'current_time', 'localtimestamp', 'localtime')
        THEN upper(column_default)
    ELSE regexp_replace(column_default, '^nextval\(''([^'']*)''\)$', 'nextval(''\1''::regclass)') END"""

PG_ATTRDEF = f"""SELECT {ATTRDEF_BASE} + table_oid * 4096 + column_index AS oid, table_oid AS adrelid,
    CAST(column_index AS SMALLINT) AS adnum, {_DEFAULT} AS adbin
FROM duckdb_columns() WHERE {_MINE} AND NOT internal AND column_default IS NOT NULL"""

PG_INDEX = f"""SELECT oid AS indexrelid, indrelid, CAST(len(__cols) AS SMALLINT) AS indnatts,
    CAST(len(__cols) AS SMALLINT) AS indnkeyatts, is_unique AS indisunique, false AS indnullsnotdistinct,
    is_primary AS indisprimary, false AS indisexclusion, true AS indimmediate, false AS indisclustered,
    true AS indisvalid, false AS indcheckxmin, true AS indisready, true AS indislive, false AS indisreplident,
    CAST(__keys AS SMALLINT[]) AS indkey, list_transform(__keys, lambda k: 0::BIGINT) AS indcollation, list_transform(__keys, lambda k: 0::BIGINT) AS indclass,
    array_to_string(list_transform(__keys, lambda k: '0'), ' ') AS indoption,
    CASE WHEN list_contains(__keys, 0) THEN array_to_string(list_filter(__cols, lambda e, i: __keys[i] = 0), ', ') END AS indexprs,
    NULL::VARCHAR AS indpred
FROM (SELECT x.*, list_transform(x.__cols, lambda e: coalesce(list_position(t.__cols, e), 0)) AS __keys
      FROM {ref("idx_raw")} x LEFT JOIN {ref("table_cols")} t ON t.table_oid = x.indrelid)"""

PG_CONSTRAINT = f"""SELECT c.oid, c.conname, c.connamespace, c.contype, false AS condeferrable, false AS condeferred,
    true AS convalidated, c.conrelid, 0::BIGINT AS contypid,
    CASE WHEN c.contype = 'f' THEN coalesce(c.__refidx, 0) ELSE c.conindid END AS conindid, 0::BIGINT AS conparentid,
    coalesce(r.table_oid, 0) AS confrelid,
    CASE WHEN c.contype = 'f' THEN 'a' ELSE ' ' END AS confupdtype, CASE WHEN c.contype = 'f' THEN 'a' ELSE ' ' END AS confdeltype,
    CASE WHEN c.contype = 'f' THEN 's' ELSE ' ' END AS confmatchtype, true AS conislocal, 0 AS coninhcount,
    false AS connoinherit, c.conkey,
    CASE WHEN r.table_oid IS NOT NULL THEN {_confkey} END AS confkey,
    NULL::BIGINT[] AS conpfeqop, NULL::BIGINT[] AS conppeqop,
    NULL::BIGINT[] AS conffeqop, NULL::SMALLINT[] AS confdelsetcols, NULL::BIGINT[] AS conexclop, c.conbin
FROM {ref("con_ref")} c
LEFT JOIN {ref("table_cols")} r ON c.contype = 'f' AND r.database_name = c.__db
    AND r.schema_name = c.__schema AND lower(r.table_name) = lower(c.__reftable)"""

# Dependencies PostgreSQL clients follow: the index of a PRIMARY KEY or UNIQUE constraint depends
# on the constraint (deptype 'i'; pgAdmin finds constraint indexes by it).
PG_DEPEND = f"""SELECT {CATALOG_OIDS["pg_class"]}::BIGINT AS classid, conindid AS objid, 0 AS objsubid,
    {CATALOG_OIDS["pg_constraint"]}::BIGINT AS refclassid, oid AS refobjid, 0 AS refobjsubid, 'i' AS deptype
FROM {ref("con_lite")} WHERE contype IN ('p', 'u')"""

PG_NAMESPACE = (
    f"SELECT oid, nspname, {OWNER_OID}::BIGINT AS nspowner, NULL::VARCHAR[] AS nspacl FROM {ref('ns')}"
)

PG_DATABASE = f"""SELECT database_oid AS oid, {PDB_NAME} AS datname, {OWNER_OID}::BIGINT AS datdba, 6 AS encoding,
    'c' AS datlocprovider, false AS datistemplate, true AS datallowconn, -1 AS datconnlimit,
    0::BIGINT AS datfrozenxid, 0::BIGINT AS datminmxid, 1663::BIGINT AS dattablespace, 'C' AS datcollate,
    'C' AS datctype, NULL::VARCHAR AS daticulocale, NULL::VARCHAR AS datcollversion, NULL::VARCHAR[] AS datacl
FROM duckdb_databases() WHERE database_name = {_CUR}"""

PG_ROLES = f"""SELECT {SESSION_USER} AS rolname, {IS_DBA} AS rolsuper, true AS rolinherit, false AS rolcreaterole,
    false AS rolcreatedb, true AS rolcanlogin, false AS rolreplication, -1 AS rolconnlimit,
    '********' AS rolpassword, NULL::TIMESTAMPTZ AS rolvaliduntil, false AS rolbypassrls,
    NULL::VARCHAR[] AS rolconfig, {OWNER_OID}::BIGINT AS oid"""

PG_USER = f"""SELECT {SESSION_USER} AS usename, {OWNER_OID}::BIGINT AS usesysid, false AS usecreatedb, {IS_DBA} AS usesuper,
    false AS userepl, false AS usebypassrls, '********' AS passwd, NULL::TIMESTAMPTZ AS valuntil,
    NULL::VARCHAR[] AS useconfig"""

PG_AM = """SELECT * FROM (VALUES (2::BIGINT, 'heap', 'heap_tableam_handler', 't'),
    (403::BIGINT, 'btree', 'bthandler', 'i')) am(oid, amname, amhandler, amtype)"""

# pg_catalog's namespace oid.
_PG_CATALOG_NS = (
    "(SELECT first(oid) FROM duckdb_schemas() WHERE database_name = 'system' AND schema_name = 'pg_catalog')"
)

# Functions: the PDB's macros, and DuckDB's aggregates as built-in functions of pg_catalog (BI tools
# look aggregates up in pg_proc), each overload with an oid of its own (a hash of its signature:
# stable from one statement to the next, and cheaper than numbering them). One scan of
# duckdb_functions(): it is slow (some 13 ms).
_PROC_OID = (
    f"CASE WHEN internal AND function_type = 'aggregate' THEN CAST({PROC_BASE} + hash(function_name, return_type, "
    "CAST(parameter_types AS VARCHAR)) % 1099511627776 AS BIGINT) ELSE function_oid END"
)
_PROCS = f"""SELECT *, {_PROC_OID} AS __oid
FROM duckdb_functions() WHERE (database_name = {_CUR} AND NOT internal) OR (internal AND function_type = 'aggregate')"""

PG_PROC = f"""SELECT f.__oid AS oid, f.function_name AS proname, s.oid AS pronamespace,
    {OWNER_OID}::BIGINT AS proowner, CASE WHEN f.internal THEN 12 ELSE 14 END::BIGINT AS prolang, 100.0::FLOAT AS procost,
    CASE WHEN f.function_type = 'table_macro' THEN 1000.0 ELSE 0.0 END::FLOAT AS prorows, 0::BIGINT AS provariadic,
    0::BIGINT AS prosupport, CASE WHEN f.internal THEN 'a' ELSE 'f' END AS prokind, false AS prosecdef,
    false AS proleakproof, false AS proisstrict, f.function_type = 'table_macro' AS proretset,
    CASE WHEN f.internal THEN 'i' ELSE 'v' END AS provolatile, 'u' AS proparallel,
    CAST(len(f.parameters) AS SMALLINT) AS pronargs, 0::SMALLINT AS pronargdefaults,
    CASE WHEN f.internal THEN {_duck_type_oid("f.return_type")} WHEN f.function_type = 'table_macro' THEN 2249 ELSE 0 END::BIGINT AS prorettype,
    CASE WHEN f.internal THEN CAST(list_transform(f.parameter_types, lambda p: {_duck_type_oid("p")}) AS BIGINT[]) END AS proargtypes,
    NULL::BIGINT[] AS proallargtypes, NULL::VARCHAR[] AS proargmodes,
    CASE WHEN NOT f.internal THEN f.parameters END AS proargnames, NULL::VARCHAR AS proargdefaults, NULL::BIGINT[] AS protrftypes,
    CASE WHEN f.internal THEN 'aggregate_dummy' ELSE f.macro_definition END AS prosrc, NULL::VARCHAR AS probin,
    NULL::VARCHAR AS prosqlbody, NULL::VARCHAR[] AS proconfig, NULL::VARCHAR[] AS proacl
FROM {ref("procs")} f JOIN duckdb_schemas() s ON s.database_name = f.database_name
    AND s.schema_name = CASE WHEN f.internal THEN 'pg_catalog' ELSE f.schema_name END"""

PG_AGGREGATE = f"""SELECT __oid AS aggfnoid, 'n' AS aggkind, 0::SMALLINT AS aggnumdirectargs, 0::BIGINT AS aggtransfn,
    0::BIGINT AS aggfinalfn, 0::BIGINT AS aggcombinefn, 0::BIGINT AS aggserialfn, 0::BIGINT AS aggdeserialfn,
    0::BIGINT AS aggmtransfn, 0::BIGINT AS aggminvtransfn, 0::BIGINT AS aggmfinalfn, false AS aggfinalextra,
    false AS aggmfinalextra, 'r' AS aggfinalmodify, 'r' AS aggmfinalmodify, 0::BIGINT AS aggsortop,
    0::BIGINT AS aggtranstype, 0 AS aggtransspace, 0::BIGINT AS aggmtranstype, 0 AS aggmtransspace,
    NULL::VARCHAR AS agginitval, NULL::VARCHAR AS aggminitval
FROM {ref("procs")} WHERE internal"""

PG_SEQUENCE = f"""SELECT sequence_oid AS seqrelid, {oids.INT8}::BIGINT AS seqtypid, start_value AS seqstart,
    increment_by AS seqincrement, max_value AS seqmax, min_value AS seqmin, 1::BIGINT AS seqcache, cycle AS seqcycle
FROM duckdb_sequences() WHERE database_name = {_CUR} OR temporary"""

PG_SEQUENCES = f"""SELECT {_nsp_display("database_name", "schema_name")} AS schemaname, sequence_name AS sequencename,
    {SESSION_USER} AS sequenceowner, 'bigint' AS data_type, start_value, min_value, max_value, increment_by,
    cycle, 1::BIGINT AS cache_size, last_value
FROM duckdb_sequences() WHERE database_name = {_CUR} OR temporary"""

PG_TABLES = f"""SELECT {_nsp_display("database_name", "schema_name")} AS schemaname, table_name AS tablename,
    {SESSION_USER} AS tableowner, NULL::VARCHAR AS tablespace, index_count > 0 AS hasindexes, false AS hasrules,
    false AS hastriggers, false AS rowsecurity
FROM duckdb_tables() WHERE (database_name = {_CUR} OR temporary) AND NOT internal"""

_VIEW_BODY = r"regexp_replace(sql, '^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\w*\s+)?VIEW\s+.*?\s+AS\s+', ' ')"

PG_VIEWS = f"""SELECT {_nsp_display("database_name", "schema_name")} AS schemaname, view_name AS viewname,
    {SESSION_USER} AS viewowner, {_VIEW_BODY} AS definition
FROM duckdb_views() WHERE database_name = {_CUR} AND NOT internal"""

PG_INDEXES = f"""SELECT {_nsp_display("__db", "__schema")} AS schemaname, __table AS tablename, relname AS indexname,
    NULL::VARCHAR AS tablespace, __def AS indexdef FROM {ref("idx")}"""

PG_DESCRIPTION = f"""SELECT table_oid AS objoid, 1259::BIGINT AS classoid, 0 AS objsubid, comment AS description
FROM duckdb_tables() WHERE {_MINE} AND comment IS NOT NULL AND NOT internal
UNION ALL SELECT view_oid, 1259, 0, comment FROM duckdb_views() WHERE {_MINE} AND comment IS NOT NULL AND NOT internal
UNION ALL SELECT sequence_oid, 1259, 0, comment FROM duckdb_sequences() WHERE {_MINE} AND comment IS NOT NULL
UNION ALL SELECT index_oid, 1259, 0, comment FROM duckdb_indexes() WHERE {_MINE} AND comment IS NOT NULL
UNION ALL SELECT table_oid, 1259, column_index, comment FROM duckdb_columns() WHERE {_MINE} AND comment IS NOT NULL AND NOT internal
UNION ALL SELECT function_oid, 1255, 0, comment FROM duckdb_functions() WHERE database_name = {_CUR} AND comment IS NOT NULL
UNION ALL SELECT oid, 2615, 0, __comment FROM {ref("ns")} WHERE __comment IS NOT NULL"""

PG_TYPE_ROWS = []
for _oid, _name in sorted(oids.PG_TYPE_NAMES.items()):
    _elem = oids.ELEMENT_OF.get(_oid, 0)
    _cat = (
        "A"
        if _elem
        else {
            oids.BOOL: "B",
            oids.INT2: "N",
            oids.INT4: "N",
            oids.INT8: "N",
            oids.FLOAT4: "N",
            oids.FLOAT8: "N",
            oids.NUMERIC: "N",
            oids.OID: "N",
            oids.TEXT: "S",
            oids.VARCHAR: "S",
            oids.BPCHAR: "S",
            oids.NAME: "S",
            oids.CHAR: "Z",
            oids.DATE: "D",
            oids.TIME: "D",
            oids.TIMESTAMP: "D",
            oids.TIMESTAMPTZ: "D",
            oids.TIMETZ: "D",
            oids.INTERVAL: "T",
        }.get(_oid, "U")
    )
    PG_TYPE_ROWS.append(
        f"({_oid}, {lit(_name)}, {oids.pg_type(_oid).typlen}, '{_cat}', {_elem}, {oids.ARRAY_OF.get(_oid, 0)})"
    )

PG_TYPE = f"""SELECT t.oid::BIGINT AS oid, t.typname, n.oid AS typnamespace, {OWNER_OID}::BIGINT AS typowner,
    CAST(t.typlen AS SMALLINT) AS typlen, t.typlen > 0 AND t.typlen <= 8 AS typbyval, 'b' AS typtype,
    t.typcategory, false AS typispreferred, true AS typisdefined, ',' AS typdelim, 0::BIGINT AS typrelid,
    NULL::VARCHAR AS typsubscript, t.typelem::BIGINT AS typelem, t.typarray::BIGINT AS typarray,
    NULL::VARCHAR AS typinput, NULL::VARCHAR AS typoutput, NULL::VARCHAR AS typreceive, NULL::VARCHAR AS typsend,
    NULL::VARCHAR AS typmodin, NULL::VARCHAR AS typmodout, NULL::VARCHAR AS typanalyze,
    CASE WHEN t.typlen = 8 THEN 'd' WHEN t.typlen = 2 THEN 's' WHEN t.typlen = 1 THEN 'c' ELSE 'i' END AS typalign,
    CASE WHEN t.typlen > 0 THEN 'p' ELSE 'x' END AS typstorage, false AS typnotnull, 0::BIGINT AS typbasetype,
    -1 AS typtypmod, 0 AS typndims, 0::BIGINT AS typcollation, NULL::VARCHAR AS typdefaultbin,
    NULL::VARCHAR AS typdefault, NULL::VARCHAR[] AS typacl
FROM (VALUES {", ".join(PG_TYPE_ROWS)}) t(oid, typname, typlen, typcategory, typelem, typarray)
CROSS JOIN (SELECT oid FROM duckdb_schemas() WHERE database_name = 'system' AND schema_name = 'pg_catalog') n
UNION ALL
SELECT type_oid, type_name, schema_oid, {OWNER_OID}, 4, true, 'e', 'E', false, true, ',', 0, NULL, 0, 0, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL, 'i', 'p', false, 0, -1, 0, 0, NULL, NULL, NULL
FROM duckdb_types() WHERE {_MINE} AND NOT internal AND logical_type = 'ENUM'"""

PG_ENUM = f"""SELECT NULL::BIGINT AS oid, type_oid AS enumtypid, CAST(generate_subscripts(labels, 1) AS FLOAT) AS enumsortorder,
    unnest(labels) AS enumlabel
FROM duckdb_types() WHERE {_MINE} AND NOT internal AND logical_type = 'ENUM'"""

_SETTINGS_ROWS = ", ".join(
    f"({lit(p.name)}, {lit(p.default)}, {lit('internal' if p.read_only else 'user')})"
    for p in PARAMS.values()
)
PG_SETTINGS = f"""SELECT name, setting, NULL::VARCHAR AS unit, 'Client Connection Defaults' AS category,
    '' AS short_desc, NULL::VARCHAR AS extra_desc, context, 'string' AS vartype, 'default' AS source,
    NULL::VARCHAR AS min_val, NULL::VARCHAR AS max_val, NULL::VARCHAR[] AS enumvals, setting AS boot_val,
    setting AS reset_val, NULL::VARCHAR AS sourcefile, NULL::INTEGER AS sourceline, false AS pending_restart
FROM (VALUES {_SETTINGS_ROWS}) s(name, setting, context)"""

PG_STAT_ACTIVITY = f"""SELECT d.database_oid AS datid, {PDB_NAME} AS datname,
    CAST(getvariable('userenv_sessionid') AS INTEGER) AS pid, NULL::INTEGER AS leader_pid,
    {OWNER_OID}::BIGINT AS usesysid, {SESSION_USER} AS usename, '' AS application_name,
    getvariable('userenv_ip_address') AS client_addr, NULL::VARCHAR AS client_hostname, NULL::INTEGER AS client_port,
    NULL::TIMESTAMPTZ AS backend_start, NULL::TIMESTAMPTZ AS xact_start, now() AS query_start,
    now() AS state_change, NULL::VARCHAR AS wait_event_type, NULL::VARCHAR AS wait_event, 'active' AS state,
    NULL::BIGINT AS backend_xid, NULL::BIGINT AS backend_xmin, NULL::BIGINT AS query_id,
    current_query() AS query, 'client backend' AS backend_type
FROM duckdb_databases() d WHERE d.database_name = {_CUR}"""

PG_TABLESPACE = """SELECT * FROM (VALUES (1663::BIGINT, 'pg_default', 10::BIGINT, NULL::VARCHAR[], NULL::VARCHAR[]),
    (1664::BIGINT, 'pg_global', 10::BIGINT, NULL::VARCHAR[], NULL::VARCHAR[])) t(oid, spcname, spcowner, spcacl, spcoptions)"""

PG_LANGUAGE = f"""SELECT oid, lanname, {OWNER_OID}::BIGINT AS lanowner, false AS lanispl, lanname = 'sql' AS lanpltrusted,
    0::BIGINT AS lanplcallfoid, 0::BIGINT AS laninline, 0::BIGINT AS lanvalidator, NULL::VARCHAR[] AS lanacl
FROM (VALUES (12::BIGINT, 'internal'), (13::BIGINT, 'c'), (14::BIGINT, 'sql')) l(oid, lanname)"""


# Catalogs (and views) DuckDB has nothing for: PostgreSQL 15's columns, no rows.
# name -> (the catalog's oid in PostgreSQL, for tableoid and ::regclass; its columns and types)
EMPTY_CATALOGS: dict[str, tuple[int, str]] = {
    "pg_auth_members": (1261, "roleid oid, member oid, grantor oid, admin_option boolean"),
    "pg_shdescription": (2396, "objoid oid, classoid oid, description text"),
    "pg_inherits": (2611, "inhrelid oid, inhparent oid, inhseqno integer, inhdetachpending boolean"),
    "pg_partitioned_table": (
        3350,
        "partrelid oid, partstrat char, partnatts smallint, partdefid oid, partattrs int2vector, partclass oidvector, partcollation oidvector, partexprs pg_node_tree",
    ),
    "pg_trigger": (
        2620,
        "oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype smallint, tgenabled char, tgisinternal boolean, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable boolean, tginitdeferred boolean, tgnargs smallint, tgattr int2vector, tgargs bytea, tgqual pg_node_tree, tgoldtable name, tgnewtable name",
    ),
    "pg_rewrite": (
        2618,
        "oid oid, rulename name, ev_class oid, ev_type char, ev_enabled char, is_instead boolean, ev_qual pg_node_tree, ev_action pg_node_tree",
    ),
    "pg_policy": (
        3256,
        "oid oid, polname name, polrelid oid, polcmd char, polpermissive boolean, polroles oid[], polqual pg_node_tree, polwithcheck pg_node_tree",
    ),
    "pg_statistic_ext": (
        3381,
        "oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget integer, stxkeys int2vector, stxkind char[], stxexprs pg_node_tree",
    ),
    "pg_publication": (
        6104,
        "oid oid, pubname name, pubowner oid, puballtables boolean, pubinsert boolean, pubupdate boolean, pubdelete boolean, pubtruncate boolean, pubviaroot boolean",
    ),
    "pg_publication_rel": (
        6106,
        "oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs int2vector",
    ),
    "pg_publication_namespace": (6237, "oid oid, pnpubid oid, pnnspid oid"),
    "pg_subscription": (
        6100,
        "oid oid, subdbid oid, subskiplsn pg_lsn, subname name, subowner oid, subenabled boolean, subbinary boolean, substream boolean, subtwophasestate char, subdisableonerr boolean, subconninfo text, subslotname name, subsynccommit text, subpublications text[]",
    ),
    "pg_extension": (
        3079,
        "oid oid, extname name, extowner oid, extnamespace oid, extrelocatable boolean, extversion text, extconfig oid[], extcondition text[]",
    ),
    "pg_collation": (
        3456,
        "oid oid, collname name, collnamespace oid, collowner oid, collprovider char, collisdeterministic boolean, collencoding integer, collcollate text, collctype text, colliculocale text, collversion text",
    ),
    "pg_range": (
        3541,
        "rngtypid oid, rngsubtype oid, rngmultitypid oid, rngcollation oid, rngsubopc oid, rngcanonical regproc, rngsubdiff regproc",
    ),
    "pg_foreign_table": (3118, "ftrelid oid, ftserver oid, ftoptions text[]"),
    "pg_foreign_server": (
        1417,
        "oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, srvacl aclitem[], srvoptions text[]",
    ),
    "pg_foreign_data_wrapper": (
        2328,
        "oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, fdwacl aclitem[], fdwoptions text[]",
    ),
    "pg_user_mapping": (1418, "oid oid, umuser oid, umserver oid, umoptions text[]"),
    "pg_event_trigger": (
        3466,
        "oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, evtenabled char, evttags text[]",
    ),
    "pg_opclass": (
        2616,
        "oid oid, opcmethod oid, opcname name, opcnamespace oid, opcowner oid, opcfamily oid, opcintype oid, opcdefault boolean, opckeytype oid",
    ),
    "pg_opfamily": (2753, "oid oid, opfmethod oid, opfname name, opfnamespace oid, opfowner oid"),
    "pg_operator": (
        2617,
        "oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind char, oprcanmerge boolean, oprcanhash boolean, oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid, oprcode regproc, oprrest regproc, oprjoin regproc",
    ),
    "pg_cast": (
        2605,
        "oid oid, castsource oid, casttarget oid, castfunc oid, castcontext char, castmethod char",
    ),
    "pg_conversion": (
        2607,
        "oid oid, conname name, connamespace oid, conowner oid, conforencoding integer, contoencoding integer, conproc regproc, condefault boolean",
    ),
    "pg_db_role_setting": (2964, "setdatabase oid, setrole oid, setconfig text[]"),
    "pg_ts_config": (3602, "oid oid, cfgname name, cfgnamespace oid, cfgowner oid, cfgparser oid"),
    "pg_ts_config_map": (3603, "mapcfg oid, maptokentype integer, mapseqno integer, mapdict oid"),
    "pg_ts_dict": (
        3600,
        "oid oid, dictname name, dictnamespace oid, dictowner oid, dicttemplate oid, dictinitoption text",
    ),
    "pg_ts_parser": (
        3601,
        "oid oid, prsname name, prsnamespace oid, prsstart regproc, prstoken regproc, prsend regproc, prsheadline regproc, prslextype regproc",
    ),
    "pg_ts_template": (
        3764,
        "oid oid, tmplname name, tmplnamespace oid, tmplinit regproc, tmpllexize regproc",
    ),
    "pg_default_acl": (
        826,
        "oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype char, defaclacl aclitem[]",
    ),
    "pg_largeobject_metadata": (2995, "oid oid, lomowner oid, lomacl aclitem[]"),
    "pg_amop": (
        2602,
        "oid oid, amopfamily oid, amoplefttype oid, amoprighttype oid, amopstrategy smallint, amoppurpose char, amopopr oid, amopmethod oid, amopsortfamily oid",
    ),
    "pg_amproc": (
        2603,
        "oid oid, amprocfamily oid, amproclefttype oid, amprocrighttype oid, amprocnum smallint, amproc regproc",
    ),
    "pg_init_privs": (3394, "objoid oid, classoid oid, objsubid integer, privtype char, initprivs aclitem[]"),
    "pg_seclabel": (3596, "objoid oid, classoid oid, objsubid integer, provider text, label text"),
    "pg_shseclabel": (3592, "objoid oid, classoid oid, provider text, label text"),
    "pg_transform": (3576, "oid oid, trftype oid, trflang oid, trffromsql regproc, trftosql regproc"),
    "pg_subscription_rel": (6102, "srsubid oid, srrelid oid, srsubstate char, srsublsn pg_lsn"),
    "pg_replication_origin": (6000, "roident oid, roname text"),
    "pg_shdepend": (
        1214,
        "dbid oid, classid oid, objid oid, objsubid integer, refclassid oid, refobjid oid, deptype char",
    ),
    "pg_user_mappings": (0, "umid oid, srvid oid, srvname name, umuser oid, usename name, umoptions text[]"),
    "pg_stat_ssl": (
        0,
        "pid integer, ssl boolean, version text, cipher text, bits integer, client_dn text, client_serial numeric, issuer_dn text",
    ),
    "pg_stat_gssapi": (0, "pid integer, gss_authenticated boolean, principal text, encrypted boolean"),
    "pg_group": (0, "groname name, grosysid oid, grolist oid[]"),
    "pg_shadow": (
        0,
        "usename name, usesysid oid, usecreatedb boolean, usesuper boolean, userepl boolean, usebypassrls boolean, passwd text, valuntil timestamp with time zone, useconfig text[]",
    ),
    "pg_locks": (
        0,
        "locktype text, database oid, relation oid, page integer, tuple smallint, virtualxid text, transactionid xid, classid oid, objid oid, objsubid smallint, virtualtransaction text, pid integer, mode text, granted boolean, fastpath boolean, waitstart timestamp with time zone",
    ),
    "pg_prepared_xacts": (
        0,
        "transaction xid, gid text, prepared timestamp with time zone, owner name, database name",
    ),
    "pg_stat_replication": (
        0,
        "pid integer, usesysid oid, usename name, application_name text, client_addr inet, client_hostname text, client_port integer, backend_start timestamp with time zone, backend_xmin xid, state text, sent_lsn pg_lsn, write_lsn pg_lsn, flush_lsn pg_lsn, replay_lsn pg_lsn, write_lag interval, flush_lag interval, replay_lag interval, sync_priority integer, sync_state text, reply_time timestamp with time zone",
    ),
    "pg_replication_slots": (
        0,
        "slot_name name, plugin name, slot_type text, datoid oid, database name, temporary boolean, active boolean, active_pid integer, xmin xid, catalog_xmin xid, restart_lsn pg_lsn, confirmed_flush_lsn pg_lsn, wal_status text, safe_wal_size bigint, two_phase boolean",
    ),
    "pg_matviews": (
        0,
        "schemaname name, matviewname name, matviewowner name, tablespace name, hasindexes boolean, ispopulated boolean, definition text",
    ),
    "pg_policies": (
        0,
        "schemaname name, tablename name, policyname name, permissive text, roles name[], cmd text, qual text, with_check text",
    ),
    "pg_rules": (0, "schemaname name, tablename name, rulename name, definition text"),
    "pg_available_extensions": (0, "name name, default_version text, installed_version text, comment text"),
    "pg_stat_user_tables": (
        0,
        "relid oid, schemaname name, relname name, seq_scan bigint, seq_tup_read bigint, idx_scan bigint, idx_tup_fetch bigint, n_tup_ins bigint, n_tup_upd bigint, n_tup_del bigint, n_tup_hot_upd bigint, n_live_tup bigint, n_dead_tup bigint, n_mod_since_analyze bigint, n_ins_since_vacuum bigint, last_vacuum timestamp with time zone, last_autovacuum timestamp with time zone, last_analyze timestamp with time zone, last_autoanalyze timestamp with time zone, vacuum_count bigint, autovacuum_count bigint, analyze_count bigint, autoanalyze_count bigint",
    ),
    "pg_statio_user_tables": (
        0,
        "relid oid, schemaname name, relname name, heap_blks_read bigint, heap_blks_hit bigint, idx_blks_read bigint, idx_blks_hit bigint, toast_blks_read bigint, toast_blks_hit bigint, tidx_blks_read bigint, tidx_blks_hit bigint",
    ),
    "pg_stat_user_indexes": (
        0,
        "relid oid, indexrelid oid, schemaname name, relname name, indexrelname name, idx_scan bigint, idx_tup_read bigint, idx_tup_fetch bigint",
    ),
    "pg_stat_database": (
        0,
        "datid oid, datname name, numbackends integer, xact_commit bigint, xact_rollback bigint, blks_read bigint, blks_hit bigint, tup_returned bigint, tup_fetched bigint, tup_inserted bigint, tup_updated bigint, tup_deleted bigint, conflicts bigint, temp_files bigint, temp_bytes bigint, deadlocks bigint, checksum_failures bigint, checksum_last_failure timestamp with time zone, blk_read_time double precision, blk_write_time double precision, session_time double precision, active_time double precision, idle_in_transaction_time double precision, sessions bigint, sessions_abandoned bigint, sessions_fatal bigint, sessions_killed bigint, stats_reset timestamp with time zone",
    ),
    "pg_cursors": (
        0,
        "name text, statement text, is_holdable boolean, is_binary boolean, is_scrollable boolean, creation_time timestamp with time zone",
    ),
    "pg_seclabels": (
        0,
        "objoid oid, classoid oid, objsubid integer, objtype text, objnamespace oid, objname text, provider text, label text",
    ),
}

_PG_TO_DUCK = {
    "oid": "BIGINT",
    "regproc": "BIGINT",
    "xid": "BIGINT",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "boolean": "BOOLEAN",
    "real": "FLOAT",
    "double precision": "DOUBLE",
    "numeric": "DOUBLE",
    "interval": "INTERVAL",
    "timestamp with time zone": "TIMESTAMPTZ",
    "bytea": "BLOB",
    "int2vector": "SMALLINT[]",
    "oidvector": "BIGINT[]",
}


def _duck_type(pg: str) -> str:
    if pg.endswith("[]"):
        elem = _duck_type(pg[:-2])
        return ("BIGINT" if elem == "BIGINT" else elem) + "[]"
    return _PG_TO_DUCK.get(pg, "VARCHAR")


def _empty(columns: str) -> str:
    """A relation with these PostgreSQL columns and no rows."""
    cols = (c.strip().split(" ", 1) for c in columns.split(","))
    return "SELECT " + ", ".join(f"NULL::{_duck_type(t)} AS {n}" for n, t in cols) + " WHERE false"


RELATIONS: dict[str, str] = {
    "pg_class": PG_CLASS,
    "pg_namespace": PG_NAMESPACE,
    "pg_attribute": PG_ATTRIBUTE,
    "pg_attrdef": PG_ATTRDEF,
    "pg_index": PG_INDEX,
    "pg_constraint": PG_CONSTRAINT,
    "pg_database": PG_DATABASE,
    "pg_roles": PG_ROLES,
    "pg_user": PG_USER,
    "pg_authid": PG_ROLES,
    "pg_am": PG_AM,
    "pg_proc": PG_PROC,
    "pg_aggregate": PG_AGGREGATE,
    "pg_depend": PG_DEPEND,
    "pg_sequence": PG_SEQUENCE,
    "pg_sequences": PG_SEQUENCES,
    "pg_tables": PG_TABLES,
    "pg_views": PG_VIEWS,
    "pg_indexes": PG_INDEXES,
    "pg_description": PG_DESCRIPTION,
    "pg_type": PG_TYPE,
    "pg_enum": PG_ENUM,
    "pg_settings": PG_SETTINGS,
    "pg_stat_activity": PG_STAT_ACTIVITY,
    "pg_tablespace": PG_TABLESPACE,
    "pg_language": PG_LANGUAGE,
    **{name: _empty(cols) for name, (_, cols) in EMPTY_CATALOGS.items()},
}

CATALOG_OIDS.update({name: oid for name, (oid, _) in EMPTY_CATALOGS.items() if oid})
CATALOG_OIDS.update({"pg_language": 2612, "pg_tablespace": 1213})

# The system catalogs themselves, in pg_catalog: clients look their oids up by name
# (`SELECT oid FROM pg_class WHERE relname = 'pg_constraint'`). They cost every pg_class query some
# 0.5 ms, so pg_class has them only in statements with a catalog's name in a string literal.
SYS_CLASS_BLOCK = "pg_class_sys"
_SYS_CLASSES = f"""SELECT c.oid::BIGINT AS oid, c.relname, {_PG_CATALOG_NS} AS relnamespace, 2 AS relam,
    0 AS reltuples, false AS relhasindex, 'p' AS relpersistence, 'r' AS relkind, 0 AS relnatts, 0 AS relchecks,
    false AS relhastriggers
FROM (VALUES {", ".join(f"({oid}, {lit(name)})" for name, oid in sorted(CATALOG_OIDS.items()))}) c(oid, relname)"""

# ---------------------------------------------------------------- information_schema

# PostgreSQL's information_schema over the same sources as pg_catalog: schema `main` is `public`,
# types are the PostgreSQL types the codec sends, constraint names are pg_constraint's. Only the
# PDB's own objects and the session's temporary tables are listed (not the session's temporary
# views: every session has `dual`, which pg_class does not list either).

_TYPNAME_MAP = _map(dict(sorted(oids.PG_TYPE_NAMES.items())))


def _info_nsp(db: str = "__db", schema: str = "__schema") -> str:
    return _nsp_display(db, schema)


_INT_PRECISION = {oids.INT2: 16, oids.INT4: 32, oids.INT8: 64, oids.FLOAT4: 24, oids.FLOAT8: 53}
_TIME_TYPES = (oids.TIME, oids.TIMETZ, oids.TIMESTAMP, oids.TIMESTAMPTZ, oids.INTERVAL)
_TEXT_TYPES = (oids.TEXT, oids.VARCHAR, oids.BPCHAR)


def _numeric_precision(t: str, m: str) -> str:
    whens = " ".join(f"WHEN {o} THEN {p}" for o, p in _INT_PRECISION.items())
    return f"CASE {t} {whens} WHEN {oids.NUMERIC} THEN CASE WHEN {m} >= 4 THEN ({m} - 4) >> 16 END END"


def _numeric_scale(t: str, m: str) -> str:
    ints = ", ".join(str(o) for o in (oids.INT2, oids.INT4, oids.INT8))
    return (
        f"CASE WHEN {t} IN ({ints}) THEN 0 WHEN {t} = {oids.NUMERIC} AND {m} >= 4 THEN ({m} - 4) & 65535 END"
    )


INFO_SCHEMATA = f"""SELECT {PDB_NAME} AS catalog_name, nspname AS schema_name, {SESSION_USER} AS schema_owner,
    NULL::VARCHAR AS default_character_set_catalog, NULL::VARCHAR AS default_character_set_schema,
    NULL::VARCHAR AS default_character_set_name, NULL::VARCHAR AS sql_path
FROM {ref("ns")} WHERE __db <> 'temp'"""

INFO_TABLES = f"""SELECT {PDB_NAME} AS table_catalog, {_info_nsp("database_name", "schema_name")} AS table_schema,
    table_name, table_type, NULL::VARCHAR AS self_referencing_column_name, NULL::VARCHAR AS reference_generation,
    NULL::VARCHAR AS user_defined_type_catalog, NULL::VARCHAR AS user_defined_type_schema,
    NULL::VARCHAR AS user_defined_type_name, CASE WHEN table_type = 'VIEW' THEN 'NO' ELSE 'YES' END AS is_insertable_into,
    'NO' AS is_typed, CASE WHEN table_type = 'LOCAL TEMPORARY' THEN 'PRESERVE' END AS commit_action
FROM (SELECT database_name, schema_name, table_name, CASE WHEN temporary THEN 'LOCAL TEMPORARY' ELSE 'BASE TABLE' END AS table_type
      FROM duckdb_tables() WHERE {_MINE} AND NOT internal
      UNION ALL
      SELECT database_name, schema_name, view_name, 'VIEW' FROM duckdb_views() WHERE database_name = {_CUR} AND NOT internal)"""

INFO_COLUMNS = f"""SELECT {PDB_NAME} AS table_catalog, {_info_nsp()} AS table_schema, __table AS table_name,
    column_name, column_index AS ordinal_position,
    CASE WHEN NOT is_generated THEN {_DEFAULT} END AS column_default,
    CASE WHEN is_nullable THEN 'YES' ELSE 'NO' END AS is_nullable,
    CASE WHEN __arr THEN 'ARRAY' ELSE coalesce({_NAME_MAP}[__typ], 'text') END AS data_type,
    CASE WHEN __typ IN ({oids.VARCHAR}, {oids.BPCHAR}) AND __typmod >= 4 THEN __typmod - 4 END AS character_maximum_length,
    CASE WHEN __typ IN ({", ".join(map(str, _TEXT_TYPES))}) THEN
        CASE WHEN __typmod >= 4 THEN (__typmod - 4) * 4 ELSE 1073741824 END END AS character_octet_length,
    {_numeric_precision("__typ", "__typmod")} AS numeric_precision,
    CASE WHEN __typ = {oids.NUMERIC} THEN 10 WHEN __typ IN ({", ".join(map(str, _INT_PRECISION))}) THEN 2 END AS numeric_precision_radix,
    {_numeric_scale("__typ", "__typmod")} AS numeric_scale,
    CASE WHEN __typ = {oids.DATE} THEN 0 WHEN __typ IN ({", ".join(map(str, _TIME_TYPES))}) THEN 6 END AS datetime_precision,
    NULL::VARCHAR AS interval_type, NULL::INTEGER AS interval_precision,
    NULL::VARCHAR AS character_set_catalog, NULL::VARCHAR AS character_set_schema, NULL::VARCHAR AS character_set_name,
    NULL::VARCHAR AS collation_catalog, NULL::VARCHAR AS collation_schema, NULL::VARCHAR AS collation_name,
    NULL::VARCHAR AS domain_catalog, NULL::VARCHAR AS domain_schema, NULL::VARCHAR AS domain_name,
    {PDB_NAME} AS udt_catalog, 'pg_catalog' AS udt_schema, coalesce({_TYPNAME_MAP}[__typ], 'text') AS udt_name,
    NULL::VARCHAR AS scope_catalog, NULL::VARCHAR AS scope_schema, NULL::VARCHAR AS scope_name,
    NULL::INTEGER AS maximum_cardinality, CAST(column_index AS VARCHAR) AS dtd_identifier, 'NO' AS is_self_referencing,
    'NO' AS is_identity, NULL::VARCHAR AS identity_generation, NULL::VARCHAR AS identity_start,
    NULL::VARCHAR AS identity_increment, NULL::VARCHAR AS identity_maximum, NULL::VARCHAR AS identity_minimum,
    'NO' AS identity_cycle, CASE WHEN is_generated THEN 'ALWAYS' ELSE 'NEVER' END AS is_generated,
    generation_expression, 'YES' AS is_updatable
FROM {ref("columns")} WHERE __db <> 'temp' OR table_oid IN (SELECT table_oid FROM duckdb_tables() WHERE temporary)"""

INFO_VIEWS = f"""SELECT {PDB_NAME} AS table_catalog, {_info_nsp("database_name", "schema_name")} AS table_schema,
    view_name AS table_name, {_VIEW_BODY} AS view_definition, 'NONE' AS check_option, 'NO' AS is_updatable,
    'NO' AS is_insertable_into, 'NO' AS is_trigger_updatable, 'NO' AS is_trigger_deletable,
    'NO' AS is_trigger_insertable_into
FROM duckdb_views() WHERE database_name = {_CUR} AND NOT internal"""

# constraint_catalog, constraint_schema, constraint_name of a con_lite row.
_CON_ID = f"{PDB_NAME} AS constraint_catalog, {_info_nsp()} AS constraint_schema, conname AS constraint_name"
_CON_TABLE = f"{PDB_NAME} AS table_catalog, {_info_nsp()} AS table_schema"

INFO_TABLE_CONSTRAINTS = f"""SELECT {_CON_ID}, {_CON_TABLE}, __table AS table_name,
    CASE contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' WHEN 'f' THEN 'FOREIGN KEY' ELSE 'CHECK' END AS constraint_type,
    'NO' AS is_deferrable, 'NO' AS initially_deferred, 'YES' AS enforced,
    CASE WHEN contype IN ('p', 'u') THEN 'YES' END AS nulls_distinct
FROM {ref("con_lite")}"""

# (a foreign key's position_in_unique_constraint: its own position, as the referenced key has its
# columns in the order the REFERENCES clause names them but for unusual schemas)
INFO_KEY_COLUMN_USAGE = f"""SELECT {_CON_ID}, {_CON_TABLE}, __table AS table_name, column_name,
    CAST(__n AS INTEGER) AS ordinal_position, CASE WHEN contype = 'f' THEN CAST(__n AS INTEGER) END AS position_in_unique_constraint
FROM (SELECT *, unnest(__colnames) AS column_name, generate_subscripts(__colnames, 1) AS __n
      FROM {ref("con_lite")} WHERE contype IN ('p', 'u', 'f'))"""

INFO_REFERENTIAL_CONSTRAINTS = f"""SELECT {_CON_ID}, {PDB_NAME} AS unique_constraint_catalog,
    CASE WHEN __refname IS NOT NULL THEN {_info_nsp()} END AS unique_constraint_schema,
    __refname AS unique_constraint_name, 'NONE' AS match_option, 'NO ACTION' AS update_rule, 'NO ACTION' AS delete_rule
FROM {ref("con_ref")} WHERE contype = 'f'"""

# The columns (and tables) each constraint constrains: a foreign key's are those it references.
INFO_CONSTRAINT_COLUMN_USAGE = f"""SELECT {_CON_TABLE}, CASE WHEN contype = 'f' THEN __reftable ELSE __table END AS table_name,
    unnest(CASE WHEN contype = 'f' THEN __refcols ELSE __colnames END) AS column_name, {_CON_ID}
FROM {ref("con_lite")}"""

INFO_CONSTRAINT_TABLE_USAGE = f"""SELECT {_CON_TABLE}, CASE WHEN contype = 'f' THEN __reftable ELSE __table END AS table_name,
    {_CON_ID}
FROM {ref("con_lite")}"""

INFO_CHECK_CONSTRAINTS = f"""SELECT {_CON_ID}, CASE WHEN conbin LIKE '(%)' THEN conbin ELSE '(' || conbin || ')' END AS check_clause
FROM {ref("con_lite")} WHERE contype = 'c'"""

INFO_SEQUENCES = f"""SELECT {PDB_NAME} AS sequence_catalog, {_info_nsp("database_name", "schema_name")} AS sequence_schema,
    sequence_name, 'bigint' AS data_type, 64 AS numeric_precision, 2 AS numeric_precision_radix, 0 AS numeric_scale,
    CAST(start_value AS VARCHAR) AS start_value, CAST(min_value AS VARCHAR) AS minimum_value,
    CAST(max_value AS VARCHAR) AS maximum_value, CAST(increment_by AS VARCHAR) AS increment,
    CASE WHEN cycle THEN 'YES' ELSE 'NO' END AS cycle_option
FROM duckdb_sequences() WHERE {_MINE}"""

INFO_ROUTINES = f"""SELECT {PDB_NAME} AS specific_catalog, {_info_nsp("database_name", "schema_name")} AS specific_schema,
    function_name || '_' || function_oid AS specific_name, {PDB_NAME} AS routine_catalog,
    {_info_nsp("database_name", "schema_name")} AS routine_schema, function_name AS routine_name,
    'FUNCTION' AS routine_type, CASE WHEN function_type = 'table_macro' THEN 'record' END AS data_type,
    {PDB_NAME} AS type_udt_catalog, 'pg_catalog' AS type_udt_schema,
    CASE WHEN function_type = 'table_macro' THEN 'record' END AS type_udt_name, 'SQL' AS routine_body,
    macro_definition AS routine_definition, NULL::VARCHAR AS external_name, 'SQL' AS external_language,
    'GENERAL' AS parameter_style, 'NO' AS is_deterministic, 'MODIFIES' AS sql_data_access, 'NO' AS is_null_call,
    'INVOKER' AS security_type, 'NO' AS is_user_defined_cast, 'NO' AS is_implicitly_invocable
FROM duckdb_functions() WHERE database_name = {_CUR} AND NOT internal"""

INFO_ENABLED_ROLES = f"SELECT {SESSION_USER} AS role_name"

INFO_CHARACTER_SETS = f"""SELECT NULL::VARCHAR AS character_set_catalog, NULL::VARCHAR AS character_set_schema,
    'UTF8' AS character_set_name, 'UCS' AS character_repertoire, 'UTF8' AS form_of_use,
    {PDB_NAME} AS default_collate_catalog, 'pg_catalog' AS default_collate_schema, 'C' AS default_collate_name"""

# information_schema views of what DuckDB has none of: PostgreSQL 15's columns, no rows. (No
# privilege views: privileges live in the proxy, and an empty list would say there are none.)
_INFO_EMPTY: dict[str, str] = {
    "triggers": "trigger_catalog name, trigger_schema name, trigger_name name, event_manipulation text, event_object_catalog name, event_object_schema name, event_object_table name, action_order integer, action_condition text, action_statement text, action_orientation text, action_timing text, action_reference_old_table name, action_reference_new_table name, created timestamp with time zone",
    "domains": "domain_catalog name, domain_schema name, domain_name name, data_type text, character_maximum_length integer, numeric_precision integer, numeric_scale integer, domain_default text, udt_catalog name, udt_schema name, udt_name name",
    "foreign_tables": "foreign_table_catalog name, foreign_table_schema name, foreign_table_name name, foreign_server_catalog name, foreign_server_name name",
}

INFO_RELATIONS: dict[str, str] = {
    "schemata": INFO_SCHEMATA,
    "tables": INFO_TABLES,
    "columns": INFO_COLUMNS,
    "views": INFO_VIEWS,
    "table_constraints": INFO_TABLE_CONSTRAINTS,
    "key_column_usage": INFO_KEY_COLUMN_USAGE,
    "referential_constraints": INFO_REFERENTIAL_CONSTRAINTS,
    "constraint_column_usage": INFO_CONSTRAINT_COLUMN_USAGE,
    "constraint_table_usage": INFO_CONSTRAINT_TABLE_USAGE,
    "check_constraints": INFO_CHECK_CONSTRAINTS,
    "sequences": INFO_SEQUENCES,
    "routines": INFO_ROUTINES,
    "enabled_roles": INFO_ENABLED_ROLES,
    "character_sets": INFO_CHARACTER_SETS,
    **{name: _empty(cols) for name, cols in _INFO_EMPTY.items()},
}


def info_block(name: str) -> str:
    """The BLOCKS name of information_schema.<name>."""
    return "info_" + name


# ---------------------------------------------------------------- functions

_VIS_SRC = f"SELECT r.oid, n.__visible FROM {ref('rel_ns')} r JOIN {ref('ns')} n ON n.oid = r.ns"


def table_is_visible(x: str) -> str:
    """pg_table_is_visible: the relation's schema is on the search path (synthetic index oids
    count as their table)."""
    rel = f"CASE WHEN ({x}) >= {CONIDX_BASE} THEN (({x}) - {CONIDX_BASE}) // 1024 ELSE ({x}) END"
    return f"coalesce({lookup(ref('vis'), 'oid', '__visible', rel)}, false)"


_CLASS_NS = f"""SELECT c.oid, c.relname, n.nspname, n.__visible,
    CASE WHEN n.__visible THEN {qi("c.relname")} ELSE {qi("n.nspname")} || '.' || {qi("c.relname")} END AS __shown
FROM {ref("class_lite")} c JOIN {ref("ns")} n ON n.oid = c.relnamespace"""


def regclass_out(x: str) -> str:
    """oid::regclass as text: the relation's name, schema-qualified when not on the search path."""
    return f"coalesce({lookup(ref('class_ns'), 'oid', '__shown', x)}, CAST(({x}) AS VARCHAR))"


def regclass_in(x: str) -> str:
    """'name'::regclass: the relation's oid (a number stays that number)."""
    cats = " ".join(f"WHEN {lit(k)} THEN {v}" for k, v in sorted(CATALOG_OIDS.items()))
    s = f"CAST(({x}) AS VARCHAR)"
    parts = f"string_split({s}, '.')"
    rel = f"lower(trim({parts}[-1], '\"'))"
    nsp = f"CASE WHEN len({parts}) > 1 THEN lower(trim({parts}[-2], '\"')) END"
    look = (
        f"(SELECT first(__o ORDER BY __vis DESC) FROM (SELECT oid AS __o, lower(relname) AS __r, lower(nspname) AS __n, "
        f"__visible AS __vis FROM {ref('class_ns')}) WHERE __r = {rel} AND (({nsp}) IS NULL AND __vis OR __n = ({nsp})))"
    )
    return (
        f"CASE WHEN regexp_full_match({s}, '\\s*[0-9]+\\s*') THEN CAST(trim({s}) AS BIGINT) "
        f"ELSE coalesce(CASE {rel} {cats} END, {look}) END"
    )


def regtype_in(x: str) -> str:
    names = {n: o for o, n in TYPE_NAMES.items()} | _TYPE_ALIASES
    names |= {n: o for o, n in oids.PG_TYPE_NAMES.items()}
    whens = " ".join(f"WHEN {lit(n)} THEN {o}" for n, o in sorted(names.items()))
    s = f"lower(trim(CAST(({x}) AS VARCHAR)))"
    user = lookup("duckdb_types()", "lower(type_name)", "type_oid", s, "NOT internal")
    return f"CASE WHEN regexp_full_match({s}, '[0-9]+') THEN CAST({s} AS BIGINT) ELSE coalesce(CASE regexp_replace({s}, '^pg_catalog\\.', '') {whens} END, {user}) END"


def regproc_out(x: str) -> str:
    return f"coalesce({lookup('duckdb_functions()', _PROC_OID, 'function_name', x)}, CAST(({x}) AS VARCHAR))"


def regproc_in(x: str) -> str:
    s = f"CAST(({x}) AS VARCHAR)"
    name = f"regexp_replace({s}, '^.*\\.|\\(.*$', '', 'g')"
    found = lookup("duckdb_functions()", "function_name", "function_oid", name)
    return f"CASE WHEN regexp_full_match({s}, '[0-9]+') THEN CAST({s} AS BIGINT) ELSE {found} END"


def regnamespace_out(x: str) -> str:
    return f"coalesce({lookup(ref('ns'), 'oid', 'nspname', x)}, CAST(({x}) AS VARCHAR))"


def regnamespace_in(x: str) -> str:
    s = f"CAST(({x}) AS VARCHAR)"
    found = lookup(ref("ns"), "nspname", "oid", f"trim({s}, '\"')")
    return f"CASE WHEN regexp_full_match({s}, '[0-9]+') THEN CAST({s} AS BIGINT) ELSE {found} END"


def userbyid(x: str) -> str:
    return f"CASE WHEN ({x}) = {OWNER_OID} THEN {SESSION_USER} WHEN ({x}) IS NOT NULL THEN 'unknown (OID=' || ({x}) || ')' END"


def regrole_in(x: str) -> str:
    s = f"CAST(({x}) AS VARCHAR)"
    return f"CASE WHEN regexp_full_match({s}, '[0-9]+') THEN CAST({s} AS BIGINT) WHEN upper(trim({s}, '\"')) = upper({SESSION_USER}) THEN {OWNER_OID} END"


# cast target -> (text -> oid, oid -> text)
REG_CASTS: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {
    "regclass": (regclass_in, regclass_out),
    "regtype": (regtype_in, lambda x: format_type(x, "NULL")),
    "regproc": (regproc_in, regproc_out),
    "regprocedure": (regproc_in, regproc_out),
    "regnamespace": (regnamespace_in, regnamespace_out),
    "regrole": (regrole_in, userbyid),
    "regoper": (lambda x: "0::BIGINT", lambda x: f"CAST(({x}) AS VARCHAR)"),
    "regoperator": (lambda x: "0::BIGINT", lambda x: f"CAST(({x}) AS VARCHAR)"),
    "regconfig": (lambda x: "0::BIGINT", lambda x: f"CAST(({x}) AS VARCHAR)"),
    "regdictionary": (lambda x: "0::BIGINT", lambda x: f"CAST(({x}) AS VARCHAR)"),
    "regcollation": (lambda x: "0::BIGINT", lambda x: f"CAST(({x}) AS VARCHAR)"),
}

# PostgreSQL types DuckDB has no name for, as cast targets.
TYPE_MAP: dict[str, str] = {
    "name": "VARCHAR",
    "xid": "BIGINT",
    "xid8": "BIGINT",
    "cid": "BIGINT",
    "tid": "VARCHAR",
    "int2vector": "SMALLINT[]",
    "oidvector": "BIGINT[]",
    "pg_node_tree": "VARCHAR",
    "aclitem": "VARCHAR",
    "pg_lsn": "VARCHAR",
    "regclass": "BIGINT",
    "regtype": "BIGINT",
    "regproc": "BIGINT",
    "regprocedure": "BIGINT",
    "regnamespace": "BIGINT",
    "regrole": "BIGINT",
    "oid": "BIGINT",
}


def _one(*arities: int) -> Callable[[Callable[..., str]], Callable[[list[str]], str | None]]:
    """A template for calls with one of these argument counts (other calls are left alone)."""

    def wrap(fn: Callable[..., str]) -> Callable[[list[str]], str | None]:
        def tmpl(args: list[str]) -> str | None:
            return fn(*args) if len(args) in arities else None

        return tmpl

    return wrap


def _const(value: str, *arities: int) -> Callable[[list[str]], str | None]:
    return lambda args: value if len(args) in (arities or (len(args),)) else None


def size_pretty(x: str) -> str:
    """pg_size_pretty: bytes, kB, MB, GB, TB with PostgreSQL's half-up rounding."""
    v = f"CAST(({x}) AS BIGINT)"

    def half(n: str) -> str:
        return f"(({n}) + CASE WHEN ({n}) < 0 THEN -1 ELSE 1 END) // 2"

    h = f"({v} >> 9)"
    return (
        f"CASE WHEN ({x}) IS NULL THEN NULL WHEN abs({v}) < 10240 THEN {v} || ' bytes' "
        f"WHEN abs({h}) < 20479 THEN {half(h)} || ' kB' "
        f"WHEN abs({h} >> 10) < 20479 THEN {half(f'{h} >> 10')} || ' MB' "
        f"WHEN abs({h} >> 20) < 20479 THEN {half(f'{h} >> 20')} || ' GB' "
        f"ELSE {half(f'{h} >> 30')} || ' TB' END"
    )


def _constraintdef(oid: str, pretty: str = "false") -> str:
    return lookup(ref("con"), "oid", "__def", oid)


def _indexdef(oid: str, col: str = "0", pretty: str = "false") -> str:
    return (
        f"(SELECT first(CASE WHEN coalesce(({col}), 0) = 0 THEN __v ELSE __w[({col})] END) "
        f"FROM (SELECT oid AS __k, __def AS __v, __shown AS __w FROM {ref('idx')}) WHERE __k = ({oid}))"
    )


def _viewdef(v: str, pretty: str = "false") -> str:
    """pg_get_viewdef(oid or name): the view's SELECT, as PostgreSQL prints it (leading space)."""
    src = f"SELECT view_oid, view_name, {_VIEW_BODY} AS body FROM duckdb_views() WHERE database_name = {_CUR}"
    s = f"CAST(({v}) AS VARCHAR)"
    return f"coalesce({lookup(f'({src})', 'CAST(view_oid AS VARCHAR)', 'body', s)}, {lookup(f'({src})', 'view_name', 'body', s)})"


_REL_COMMENTS = f"""SELECT table_oid AS objoid, comment FROM duckdb_tables() WHERE {_MINE} AND comment IS NOT NULL
UNION ALL SELECT view_oid, comment FROM duckdb_views() WHERE {_MINE} AND comment IS NOT NULL
UNION ALL SELECT sequence_oid, comment FROM duckdb_sequences() WHERE {_MINE} AND comment IS NOT NULL
UNION ALL SELECT index_oid, comment FROM duckdb_indexes() WHERE {_MINE} AND comment IS NOT NULL"""


def _description(oid: str, catalog: str = "NULL") -> str:
    """obj_description(oid, 'pg_class'): the COMMENT ON of a relation (or function, schema)."""
    cat = (string_value(catalog) or "").lower()
    if cat == "pg_class":
        src = ref("rel_comments")
    elif cat == "pg_namespace":
        src = f"(SELECT oid AS objoid, __comment AS comment FROM {ref('ns')})"
    elif cat == "pg_proc":
        src = f"(SELECT function_oid AS objoid, comment FROM duckdb_functions() WHERE database_name = {_CUR})"
    else:
        src = f"(SELECT objoid, description AS comment FROM {ref('pg_description')} WHERE objsubid = 0)"
    return lookup(src, "objoid", "comment", oid)


def _col_description(oid: str, num: str) -> str:
    src = f"SELECT * FROM duckdb_columns() WHERE {_MINE} AND comment IS NOT NULL"
    return (
        f"(SELECT first(__v) FROM (SELECT table_oid AS __k, column_index AS __n, comment AS __v FROM ({src})) "
        f"WHERE __k = ({oid}) AND __n = ({num}))"
    )


_FUNCS = "duckdb_functions()"


def _function_result(oid: str) -> str:
    value = (
        "CASE WHEN function_type = 'table_macro' THEN 'SETOF record' "
        "WHEN return_type IS NULL THEN '' ELSE lower(return_type) END"
    )
    return lookup(_FUNCS, "function_oid", value, oid)


# pg_get_functiondef: the statement that makes the macro again.
_FUNCTION_DEF = (
    "'CREATE OR REPLACE MACRO ' || CASE WHEN schema_name = 'main' THEN '' ELSE schema_name || '.' END "
    "|| function_name || '(' || array_to_string(parameters, ', ') || ') AS ' "
    "|| CASE WHEN function_type = 'table_macro' THEN 'TABLE ' ELSE '' END || macro_definition || E'\\n'"
)


def _function_arguments(oid: str) -> str:
    value = (
        "array_to_string(list_transform(list_zip(parameters, parameter_types), "
        "lambda p: p[1] || coalesce(' ' || lower(p[2]), '')), ', ')"
    )
    return lookup(_FUNCS, "function_oid", value, oid)


def _current_setting(name: str, missing_ok: str = "false") -> str | None:
    """current_setting('x') for PostgreSQL parameters DuckDB does not know (their defaults);
    DuckDB's own settings are left to DuckDB."""
    value = string_value(name)
    if value is None:
        return f"coalesce({lookup(ref('pg_settings'), 'lower(name)', 'setting', f'lower({name})')}, '')"
    p = PARAMS.get(value.lower())
    if p is None:
        return None
    if p.engine:
        return f"current_setting({lit(p.name)})"
    if p.name == "server_version":
        return lit(p.default)
    return f"coalesce(getvariable({lit('pg_' + p.name.lower())}), {lit(p.default)})"


def _partition_ancestors(x: str) -> str:
    return f"unnest([CAST(({x}) AS BIGINT)])"


def _quote_literal(x: str) -> str:
    return f"'''' || replace(CAST(({x}) AS VARCHAR), '''', '''''') || ''''"


_STAT_COUNTERS = (
    "numscans",
    "tuples_returned",
    "tuples_fetched",
    "tuples_inserted",
    "tuples_updated",
    "tuples_deleted",
    "tuples_hot_updated",
    "live_tuples",
    "dead_tuples",
    "blocks_fetched",
    "blocks_hit",
    "vacuum_count",
    "autovacuum_count",
    "analyze_count",
    "autoanalyze_count",
)
_STAT_TIMES = (
    "last_scan",
    "last_vacuum_time",
    "last_autovacuum_time",
    "last_analyze_time",
    "last_autoanalyze_time",
)

# pg_get_keywords(): DuckDB's parser is PostgreSQL's, and so are its keyword categories.
PG_GET_KEYWORDS = """SELECT keyword_name AS word,
    CASE keyword_category WHEN 'reserved' THEN 'R' WHEN 'type_function' THEN 'T' WHEN 'column_name' THEN 'C' ELSE 'U' END AS catcode,
    true AS barelabel,
    CASE keyword_category WHEN 'reserved' THEN 'reserved' WHEN 'type_function' THEN 'reserved (can be function or type name)'
        WHEN 'column_name' THEN 'unreserved (cannot be function or type name)' ELSE 'unreserved' END AS catdesc,
    'can be bare label' AS baredesc
FROM duckdb_keywords()"""

# name -> template(rendered arguments) -> DuckDB SQL, or None to leave the call as it is.
FUNCTIONS: dict[str, Callable[[list[str]], str | None]] = {
    "version": _const(lit(VERSION_STRING), 0),
    "current_database": _const(PDB_NAME, 0),
    "current_schema": _const(
        "CASE WHEN current_schema() = 'main' THEN 'public' ELSE current_schema() END", 0
    ),
    "current_schemas": _one(1)(lambda b: f"CASE WHEN {b} THEN ['pg_catalog', 'public'] ELSE ['public'] END"),
    "current_setting": _one(1, 2)(_current_setting),
    "set_config": _one(3)(lambda n, v, local: f"CAST(({v}) AS VARCHAR)"),
    "pg_backend_pid": _const("CAST(getvariable('userenv_sessionid') AS INTEGER)", 0),
    "pg_get_userbyid": _one(1)(userbyid),
    "pg_encoding_to_char": _one(1)(
        lambda e: f"CASE ({e}) WHEN 6 THEN 'UTF8' WHEN 0 THEN 'SQL_ASCII' WHEN NULL THEN NULL ELSE '' END"
    ),
    "pg_char_to_encoding": _one(1)(
        lambda e: f"CASE upper({e}) WHEN 'UTF8' THEN 6 WHEN 'SQL_ASCII' THEN 0 ELSE -1 END"
    ),
    "getdatabaseencoding": _const("'UTF8'", 0),
    "pg_client_encoding": _const("'UTF8'", 0),
    "pg_table_is_visible": _one(1)(table_is_visible),
    "pg_type_is_visible": _const("true", 1),
    "pg_function_is_visible": _const("true", 1),
    "pg_statistics_obj_is_visible": _const("true", 1),
    "array_remove": _one(2)(lambda a, x: f"list_filter({a}, lambda __e: __e IS DISTINCT FROM ({x}))"),
    "pg_is_in_recovery": _const("false", 0),
    "format_type": _one(2)(format_type),
    "pg_get_expr": _one(2, 3)(lambda e, rel, pretty="false": f"CAST(({e}) AS VARCHAR)"),
    "pg_get_indexdef": _one(1, 3)(_indexdef),
    "pg_get_constraintdef": _one(1, 2)(_constraintdef),
    "pg_get_viewdef": _one(1, 2)(_viewdef),
    "pg_get_ruledef": _const("NULL::VARCHAR"),
    "pg_get_triggerdef": _const("NULL::VARCHAR"),
    "pg_get_functiondef": _one(1)(lambda oid: lookup(_FUNCS, "function_oid", _FUNCTION_DEF, oid)),
    "pg_get_statisticsobjdef_columns": _const("NULL::VARCHAR"),
    "pg_get_partkeydef": _const("NULL::VARCHAR"),
    "pg_get_function_sqlbody": _const("NULL::VARCHAR", 1),
    "pg_relation_filepath": _const("NULL::VARCHAR", 1),
    "pg_relation_filenode": _const("NULL::BIGINT", 1),
    "pg_get_partition_constraintdef": _const("NULL::VARCHAR"),
    "pg_get_serial_sequence": _const("NULL::VARCHAR", 2),
    "pg_get_function_result": _one(1)(_function_result),
    "pg_get_function_arguments": _one(1)(_function_arguments),
    "pg_get_function_identity_arguments": _one(1)(_function_arguments),
    "pg_relation_is_publishable": _const("false", 1),
    "pg_partition_ancestors": _one(1)(_partition_ancestors),
    "pg_partition_root": _one(1)(lambda x: f"CAST(({x}) AS BIGINT)"),
    "obj_description": _one(1, 2)(_description),
    "col_description": _one(2)(_col_description),
    "shobj_description": _const("NULL::VARCHAR", 2),
    "pg_table_size": _const("NULL::BIGINT", 1),
    "pg_relation_size": _const("NULL::BIGINT"),
    "pg_total_relation_size": _const("NULL::BIGINT", 1),
    "pg_indexes_size": _const("NULL::BIGINT", 1),
    "pg_database_size": _const(
        f"(SELECT first(total_blocks * block_size) FROM pragma_database_size() WHERE database_name = {_CUR})",
        1,
    ),
    "pg_size_pretty": _one(1)(size_pretty),
    "pg_tablespace_location": _const("''", 1),
    "quote_ident": _one(1)(lambda x: qi(f"CAST(({x}) AS VARCHAR)")),
    "quote_literal": _one(1)(_quote_literal),
    "array_upper": _one(2)(lambda a, d: f"CASE WHEN len({a}) > 0 THEN len({a}) END"),
    "array_lower": _one(2)(lambda a, d: f"CASE WHEN len({a}) > 0 THEN 1 END"),
    "to_regclass": _one(1)(regclass_in),
    "to_regtype": _one(1)(regtype_in),
    "to_regproc": _one(1)(regproc_in),
    "to_regnamespace": _one(1)(regnamespace_in),
    "pg_blocking_pids": _const("CAST([] AS INTEGER[])", 1),
    "pg_is_wal_replay_paused": _const("false", 0),
    "pg_get_wal_replay_pause_state": _const("'not paused'", 0),
    "pg_last_wal_receive_lsn": _const("NULL::VARCHAR", 0),
    "pg_last_wal_replay_lsn": _const("NULL::VARCHAR", 0),
    "pg_last_xact_replay_timestamp": _const("NULL::TIMESTAMPTZ", 0),
    # DuckDB keeps no access statistics: every counter is zero, every time NULL.
    **{f"pg_stat_get_{name}": _const("0::BIGINT", 1) for name in _STAT_COUNTERS},
    **{f"pg_stat_get_{name}": _const("NULL::TIMESTAMPTZ", 1) for name in _STAT_TIMES},
}

# Set-returning catalog functions clients read in FROM, and the shim block each one is.
TABLE_FUNCTIONS: dict[str, str] = {
    "pg_show_all_settings": "pg_settings",
    "pg_get_keywords": "pg_get_keywords",
}

# Keywords PostgreSQL evaluates without parentheses.
KEYWORDS: dict[str, str] = {
    "current_user": SESSION_USER,
    "session_user": SESSION_USER,
    "current_role": SESSION_USER,
    "current_catalog": PDB_NAME,
    "current_schema": FUNCTIONS["current_schema"]([]) or "",
}


# The SELECTs a statement may read, by name: the catalog relations and what they are built from.
BLOCKS: dict[str, str] = {
    **RELATIONS,
    "ns": _NS,
    "table_cols": _TABLE_COLS,
    "cons": _CONS,
    "lengths": _LENGTHS,
    "con_lite": _CON_LITE,
    "con": _CON,
    "pg_get_keywords": PG_GET_KEYWORDS,
    "procs": _PROCS,
    "sys_classes": _SYS_CLASSES,
    SYS_CLASS_BLOCK: _PG_CLASS_SYS,
    "con_ref": _CON_REF,
    "idx_raw": _IDX_RAW,
    "idx_keys": _IDX_KEYS,
    "idx": _IDX,
    "rels": _RELS,
    "class_lite": _CLASS_LITE,
    "rel_ns": _REL_NS,
    "columns": _COLUMNS,
    "vis": _VIS_SRC,
    "class_ns": _CLASS_NS,
    "rel_comments": _REL_COMMENTS,
    **{info_block(name): sql for name, sql in INFO_RELATIONS.items()},
}
