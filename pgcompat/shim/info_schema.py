"""information_schema as PostgreSQL shows it (schema public, PostgreSQL type names), over DuckDB's catalog of the connected PDB."""

from __future__ import annotations

from pgcompat.shim.relations import CUR, DEFAULT, MINE, VIEW_BODY, empty, nsp_display
from pgcompat.shim.sql import PDB_NAME, SESSION_USER, ref
from pgcompat.shim.types import NAME_MAP, sql_map
from pgwire import types as oids

# PostgreSQL's information_schema over the same sources as pg_catalog: schema `main` is `public`,
# types are the PostgreSQL types the codec sends, constraint names are pg_constraint's. Only the
# PDB's own objects and the session's temporary tables are listed (not the session's temporary
# views: every session has `dual`, which pg_class does not list either).

_TYPNAME_MAP = sql_map(dict(sorted(oids.PG_TYPE_NAMES.items())))


def _info_nsp(db: str = "__db", schema: str = "__schema") -> str:
    return nsp_display(db, schema)


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
      FROM duckdb_tables() WHERE {MINE} AND NOT internal
      UNION ALL
      SELECT database_name, schema_name, view_name, 'VIEW' FROM duckdb_views() WHERE database_name = {CUR} AND NOT internal)"""

INFO_COLUMNS = f"""SELECT {PDB_NAME} AS table_catalog, {_info_nsp()} AS table_schema, __table AS table_name,
    column_name, column_index AS ordinal_position,
    CASE WHEN NOT is_generated THEN {DEFAULT} END AS column_default,
    CASE WHEN is_nullable THEN 'YES' ELSE 'NO' END AS is_nullable,
    CASE WHEN __arr THEN 'ARRAY' ELSE coalesce({NAME_MAP}[__typ], 'text') END AS data_type,
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
    view_name AS table_name, {VIEW_BODY} AS view_definition, 'NONE' AS check_option, 'NO' AS is_updatable,
    'NO' AS is_insertable_into, 'NO' AS is_trigger_updatable, 'NO' AS is_trigger_deletable,
    'NO' AS is_trigger_insertable_into
FROM duckdb_views() WHERE database_name = {CUR} AND NOT internal"""

# constraint_catalog, constraint_schema, constraint_name of a con_lite row.
_CON_ID = f"{PDB_NAME} AS constraint_catalog, {_info_nsp()} AS constraint_schema, conname AS constraint_name"
_CON_TABLE = f"{PDB_NAME} AS table_catalog, {_info_nsp()} AS table_schema"

INFO_TABLE_CONSTRAINTS = f"""SELECT {_CON_ID}, {_CON_TABLE}, __table AS table_name,
    CASE contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' WHEN 'f' THEN 'FOREIGN KEY' ELSE 'CHECK' END AS constraint_type,
    CASE WHEN __deferrable THEN 'YES' ELSE 'NO' END AS is_deferrable,
    CASE WHEN __deferred THEN 'YES' ELSE 'NO' END AS initially_deferred, 'YES' AS enforced,
    CASE WHEN contype IN ('p', 'u') THEN 'YES' END AS nulls_distinct
FROM {ref("con_lite")}"""

# (a foreign key's position_in_unique_constraint: its own position, as the referenced key has its
# columns in the order the REFERENCES clause names them but for unusual schemas)
INFO_KEY_COLUMN_USAGE = f"""SELECT {_CON_ID}, {_CON_TABLE}, __table AS table_name, column_name,
    CAST(__n AS INTEGER) AS ordinal_position, CASE WHEN contype = 'f' THEN CAST(__n AS INTEGER) END AS position_in_unique_constraint
FROM (SELECT *, unnest(__colnames) AS column_name, generate_subscripts(__colnames, 1) AS __n
      FROM {ref("con_lite")} WHERE contype IN ('p', 'u', 'f'))"""


def _rule(code: str) -> str:
    return (
        f"CASE {code} WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' "
        f"WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END"
    )


INFO_REFERENTIAL_CONSTRAINTS = f"""SELECT {_CON_ID}, {PDB_NAME} AS unique_constraint_catalog,
    CASE WHEN __refname IS NOT NULL THEN {_info_nsp()} END AS unique_constraint_schema,
    __refname AS unique_constraint_name, CASE WHEN __matchtype = 'f' THEN 'FULL' ELSE 'NONE' END AS match_option,
    {_rule("__updtype")} AS update_rule, {_rule("__deltype")} AS delete_rule
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
FROM duckdb_sequences() WHERE {MINE}"""

INFO_ROUTINES = f"""SELECT {PDB_NAME} AS specific_catalog, {_info_nsp("database_name", "schema_name")} AS specific_schema,
    function_name || '_' || function_oid AS specific_name, {PDB_NAME} AS routine_catalog,
    {_info_nsp("database_name", "schema_name")} AS routine_schema, function_name AS routine_name,
    'FUNCTION' AS routine_type, CASE WHEN function_type = 'table_macro' THEN 'record' END AS data_type,
    {PDB_NAME} AS type_udt_catalog, 'pg_catalog' AS type_udt_schema,
    CASE WHEN function_type = 'table_macro' THEN 'record' END AS type_udt_name, 'SQL' AS routine_body,
    macro_definition AS routine_definition, NULL::VARCHAR AS external_name, 'SQL' AS external_language,
    'GENERAL' AS parameter_style, 'NO' AS is_deterministic, 'MODIFIES' AS sql_data_access, 'NO' AS is_null_call,
    'INVOKER' AS security_type, 'NO' AS is_user_defined_cast, 'NO' AS is_implicitly_invocable
FROM duckdb_functions() WHERE database_name = {CUR} AND NOT internal"""

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
    **{name: empty(cols) for name, cols in _INFO_EMPTY.items()},
}


def info_block(name: str) -> str:
    """The BLOCKS name of information_schema.<name>."""
    return "info_" + name
