"""pg_catalog's relations (pg_class, pg_attribute, pg_constraint, pg_index, ...) as DuckDB SELECTs over DuckDB's own catalog of the connected PDB."""

from __future__ import annotations

from pgcompat import lengths, session_tables
from pgcompat.params import PARAMS
from pgcompat.shim.sql import (
    ATTRDEF_BASE,
    CATALOG_OIDS,
    CON_BASE,
    CONIDX_BASE,
    IS_DBA,
    OWNER_OID,
    PDB_NAME,
    PROC_BASE,
    SESSION_USER,
    lit,
    qi,
    ref,
    unquote,
)
from pgcompat.shim.types import array_oid, duck_type_oid, scalar_oid, storage, typlen, typmod
from pgwire import types as oids

CUR = "current_database()"

# Schemas: the PDB's (main shown as public), the session's temporary schema, and the two
# catalogs clients filter on by name.
NS = f"""SELECT oid, CASE WHEN database_name = 'temp' THEN 'pg_temp_1'
    WHEN database_name = {CUR} AND schema_name = 'main' THEN 'public' ELSE schema_name END AS nspname,
    database_name AS __db, schema_name AS __schema,
    CASE WHEN database_name = {CUR} AND schema_name = 'main' AND coalesce(comment, '') = ''
        THEN 'standard public schema' ELSE comment END AS __comment,
    database_name <> {CUR} OR (CASE WHEN len(current_schemas(false)) = 0 THEN schema_name = 'main'
        ELSE list_contains(current_schemas(false), schema_name) END) AS __visible
FROM duckdb_schemas()
WHERE (database_name = {CUR} AND schema_name <> '__duckcdb') OR database_name = 'temp'
    OR (database_name = 'system' AND schema_name IN ('pg_catalog', 'information_schema'))"""

# (the schema __duckcdb holds DuckCDB's own tables, engine.foreign_keys: never shown)
MINE = f"((database_name = {CUR} OR database_name = 'temp') AND schema_name <> '__duckcdb')"

# The columns of each table, in order, for FOREIGN KEY and index column positions.
TABLE_COLS = f"""SELECT table_oid, database_name, schema_name, table_name,
    list(column_name ORDER BY column_index) AS __cols, list(lower(column_name) ORDER BY column_index) AS __lcols
FROM duckdb_columns() WHERE {MINE} AND NOT internal GROUP BY ALL"""


def nsp_display(db: str, schema: str) -> str:
    return f"CASE WHEN {db} = 'temp' THEN 'pg_temp_1' WHEN {schema} = 'main' THEN 'public' ELSE {schema} END"


def _qi_list(xs: str) -> str:
    return f"array_to_string(list_transform({xs}, lambda x: {qi('x')}), ', ')"


# varchar(n) and char(n) columns: DuckDB keeps no length, so policies/lengths.py gives each such
# column the CHECK `len(col) <= n` (`len(CAST(col AS BPCHAR)) <= n` for char(n)). That CHECK is
# the column's type here (character varying(n), atttypmod n + 4), never a constraint of its own.
# Its shape (lengths.SHAPE) is the expression of duckdb_constraints(); in the table's SQL it is
# CHECK((...)), followed by a comma or the closing parenthesis.
_LENGTH_IN_SQL = oids.LENGTH_CHECK_IN_SQL


# The PDB's constraints, the length and jsonb CHECKs marked (__length), the names given them (__given,
# engine.constraint_names), and the foreign keys the engine keeps
# (engine.foreign_keys: their names, actions, MATCH and timing in the __ columns): one scan of duckdb_constraints() per
# statement (it binds every CHECK of every table, some 13 us each), which the blocks below share.
# (The shape reads exactly one column, named bare or quoted: no constant, no other expression.)
# relchecks counts the constraints without the lengths, which it reads from the table's SQL.
CONS = f"""SELECT *, constraint_type = 'CHECK' AND len(constraint_column_names) = 1 AND ((starts_with(expression, '(len(')
    AND regexp_full_match(expression, {lit(lengths.SHAPE)})) OR (starts_with(expression, '(typeof(')
    AND regexp_full_match(expression, {lit(oids.JSONB_CHECK_SHAPE)}))) AS __length, NULL::VARCHAR AS __fkname, schema_name AS __refschema,
    'a' AS __deltype, 'a' AS __updtype, 's' AS __matchtype, false AS __deferrable, false AS __deferred,
    NULL::VARCHAR[] AS __delcols, NULL::SMALLINT[] AS __delkey,
    (SELECT min(n.name) FROM __duckcdb_constraint_names() n WHERE d.database_name = {CUR} AND n.schema_name = d.schema_name
        AND lower(n.table_name) = lower(d.table_name) AND n.kind = d.constraint_type AND n.text = d.constraint_text) AS __given
FROM duckdb_constraints() d WHERE {MINE}
UNION ALL BY NAME
SELECT t.database_name, t.database_oid, t.schema_name, t.schema_oid, t.table_name, t.table_oid,
    1000 + f.seq AS constraint_index, 'FOREIGN KEY' AS constraint_type,
    list_transform(f.child_cols, lambda x: list_position(c.__lcols, lower(x)) - 1) AS constraint_column_indexes,
    f.child_cols AS constraint_column_names, f.name AS constraint_name, f.parent_table AS referenced_table,
    f.parent_cols AS referenced_column_names, false AS __length, f.name AS __fkname, f.parent_schema AS __refschema,
    f.on_delete AS __deltype, f.on_update AS __updtype, f.match_type AS __matchtype, f.is_deferrable AS __deferrable,
    f.is_deferred AS __deferred, f.delete_set_cols AS __delcols,
    CASE WHEN len(f.delete_set_cols) > 0
        THEN CAST(list_transform(f.delete_set_cols, lambda x: list_position(c.__lcols, lower(x))) AS SMALLINT[]) END AS __delkey
FROM __duckcdb_foreign_keys() f
JOIN duckdb_tables() t ON t.database_name = {CUR} AND t.schema_name = f.child_schema AND lower(t.table_name) = lower(f.child_table)
JOIN {ref("table_cols")} c ON c.table_oid = t.table_oid"""

# The declared lengths, from the tables' SQL (cheaper than duckdb_constraints(): nothing to bind):
# table, column (lower case), n, and whether it is char(n).
_LENGTH_RE = lit(_LENGTH_IN_SQL)
LENGTHS = f"""SELECT table_oid AS __rel, lower({unquote("coalesce(__v, __b)")}) AS __lcol, min(CAST(__n AS INTEGER)) AS __len,
    bool_or(__b IS NOT NULL) AS __bpchar
FROM (SELECT table_oid, unnest(regexp_extract_all(sql, {_LENGTH_RE}, 1)) AS __v, unnest(regexp_extract_all(sql, {_LENGTH_RE}, 2)) AS __b,
        unnest(regexp_extract_all(sql, {_LENGTH_RE}, 3)) AS __n
    FROM duckdb_tables() WHERE {MINE} AND NOT internal AND contains(sql, 'CHECK((len('))
GROUP BY ALL"""

# The columns declared jsonb (the CHECK pgcompat.lengths.jsonb_check writes; DuckDB's type is JSON):
# table, column (lower case).
_JSONB_RE = lit(oids.JSONB_CHECK_IN_SQL)
JSONBS = f"""SELECT DISTINCT table_oid AS __rel, lower({unquote("__c")}) AS __lcol
FROM (SELECT table_oid, unnest(regexp_extract_all(sql, {_JSONB_RE}, 1)) AS __c
    FROM duckdb_tables() WHERE {MINE} AND NOT internal AND contains(sql, 'CHECK((typeof('))"""

# Constraints (NOT NULL is a column property in PostgreSQL 15, not a constraint): their oids,
# names and kinds, and the index PostgreSQL would have made for PRIMARY KEY and UNIQUE.
CON_LITE = f"""SELECT {CON_BASE} + table_oid * 1024 + __k AS oid,
    CASE WHEN __fkname IS NOT NULL THEN __fkname WHEN __given IS NOT NULL THEN __given
        WHEN constraint_type = 'PRIMARY KEY' THEN table_name || '_pkey'
        WHEN constraint_type = 'CHECK' THEN table_name || CASE WHEN len(list_distinct(constraint_column_names)) = 1
            THEN '_' || constraint_column_names[1] ELSE '' END || '_check'
        WHEN constraint_type = 'FOREIGN KEY' THEN table_name || '_' || array_to_string(constraint_column_names, '_') || '_fkey'
        ELSE constraint_name END AS conname,
    schema_oid AS connamespace,
    CASE constraint_type WHEN 'PRIMARY KEY' THEN 'p' WHEN 'UNIQUE' THEN 'u' WHEN 'FOREIGN KEY' THEN 'f' ELSE 'c' END AS contype,
    table_oid AS conrelid,
    CASE WHEN constraint_type IN ('PRIMARY KEY', 'UNIQUE') THEN {CONIDX_BASE} + table_oid * 1024 + __k ELSE 0 END AS conindid,
    CAST(list_transform(constraint_column_indexes, lambda x: x + 1) AS SMALLINT[]) AS conkey,
    expression AS conbin, constraint_column_names AS __colnames, referenced_table AS __reftable,
    referenced_column_names AS __refcols, database_name AS __db, schema_name AS __schema, table_name AS __table,
    __refschema, __deltype, __updtype, __matchtype, __deferrable, __deferred, __delcols, __delkey
FROM (SELECT *, row_number() OVER (PARTITION BY table_oid ORDER BY constraint_index) AS __k
      FROM {ref("cons")}
      WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK') AND NOT __length)"""

# The referenced columns' positions (DuckDB keeps the names as the REFERENCES clause spelled them).
_confkey = "CAST(list_transform(c.__refcols, lambda x: list_position(r.__lcols, lower(x))) AS SMALLINT[])"

# ... with, for foreign keys, the PRIMARY KEY or UNIQUE constraint on exactly the referenced columns
# (the primary key first) and its index, which is the foreign key's conindid. A window over one
# scan: a join of the constraints with themselves would double what pg_constraint costs.
CON_REF = f"""SELECT c.*,
    CASE WHEN c.contype = 'f' THEN coalesce(max(CASE WHEN c.contype = 'p' THEN c.conindid END) OVER w,
        max(CASE WHEN c.contype = 'u' THEN c.conindid END) OVER w) END AS __refidx,
    CASE WHEN c.contype = 'f' THEN coalesce(max(CASE WHEN c.contype = 'p' THEN c.conname END) OVER w,
        max(CASE WHEN c.contype = 'u' THEN c.conname END) OVER w) END AS __refname
FROM (SELECT *, CASE WHEN contype = 'f' THEN __refschema ELSE __schema END AS __keyschema,
        lower(CASE WHEN contype = 'f' THEN __reftable ELSE __table END) || '(' || array_to_string(list_sort(
        list_transform(CASE WHEN contype = 'f' THEN __refcols ELSE __colnames END, lambda x: lower(x))), ',') || ')' AS __key
    FROM {ref("con_lite")}) c
WINDOW w AS (PARTITION BY c.__db, c.__keyschema, c.__key)"""

_ACTION_WORDS = "CASE {} WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END"
# what pg_get_constraintdef prints after a foreign key's REFERENCES clause
_FK_TAIL = (
    "CASE WHEN c.__matchtype = 'f' THEN ' MATCH FULL' ELSE '' END"
    f" || coalesce(' ON UPDATE ' || {_ACTION_WORDS.format('c.__updtype')}, '')"
    f" || coalesce(' ON DELETE ' || {_ACTION_WORDS.format('c.__deltype')}, '')"
    f" || CASE WHEN len(c.__delcols) > 0 THEN ' (' || {_qi_list('c.__delcols')} || ')' ELSE '' END"
    " || CASE WHEN c.__deferrable THEN ' DEFERRABLE' ELSE '' END || CASE WHEN c.__deferred THEN ' INITIALLY DEFERRED' ELSE '' END"
)

# ... with the referenced table of foreign keys and the definition pg_get_constraintdef prints.
CON = f"""SELECT c.*, coalesce(r.table_oid, 0) AS confrelid,
    CASE WHEN r.table_oid IS NOT NULL THEN {_confkey} END AS confkey,
    CASE c.contype
        WHEN 'p' THEN 'PRIMARY KEY (' || {_qi_list("c.__colnames")} || ')'
        WHEN 'u' THEN 'UNIQUE (' || {_qi_list("c.__colnames")} || ')'
        WHEN 'f' THEN 'FOREIGN KEY (' || {_qi_list("c.__colnames")} || ') REFERENCES '
            || CASE WHEN c.__db = 'temp' OR c.__refschema = 'main' THEN '' ELSE {qi("c.__refschema")} || '.' END
            || {qi("c.__reftable")} || '(' || {_qi_list("c.__refcols")} || ')' || {_FK_TAIL}
        ELSE 'CHECK ' || CASE WHEN c.conbin LIKE '(%)' THEN c.conbin ELSE '(' || c.conbin || ')' END
    END AS __def
FROM {ref("con_lite")} c
LEFT JOIN {ref("table_cols")} r ON c.contype = 'f' AND r.database_name = c.__db
    AND r.schema_name = c.__refschema AND lower(r.table_name) = lower(c.__reftable)"""

# Indexes: DuckDB's own, and one per PRIMARY KEY / UNIQUE constraint as in PostgreSQL.
IDX_RAW = f"""SELECT i.index_oid AS oid, i.index_name AS relname, i.schema_oid AS relnamespace, i.table_oid AS indrelid,
    i.is_unique, i.is_primary, i.database_name AS __db, i.schema_name AS __schema, i.table_name AS __table,
    list_transform(CAST(i.expressions AS VARCHAR[]), lambda e: {unquote("e")}) AS __cols
FROM duckdb_indexes() i WHERE {MINE}
UNION ALL
SELECT conindid, conname, connamespace, conrelid, true, contype = 'p', __db, __schema, __table, __colnames
FROM {ref("con_lite")} WHERE contype IN ('p', 'u')"""


def _expr_shown(e: str) -> str:
    """An index expression as PostgreSQL shows it: a function call bare, anything else in parentheses
    (DuckDB keeps it in parentheses of its own)."""
    bare = f"CASE WHEN {e} LIKE '(%)' THEN {e}[2:-2] ELSE {e} END"
    return f"CASE WHEN regexp_full_match({bare}, '\\w+\\(.*\\)') THEN {bare} ELSE '(' || {bare} || ')' END"


# ... with the table column each key is (0: an expression), as PostgreSQL shows them.
IDX_KEYS = f"""SELECT x.*, list_transform(x.__cols, lambda e: coalesce(list_position(t.__cols, e), 0)) AS __keys,
    list_transform(x.__cols, lambda e: CASE WHEN list_contains(t.__cols, e) THEN {qi("e")} ELSE {_expr_shown("e")} END) AS __shown
FROM {ref("idx_raw")} x LEFT JOIN {ref("table_cols")} t ON t.table_oid = x.indrelid"""

# ... and the CREATE INDEX statement pg_get_indexdef prints.
IDX = f"""SELECT x.*, 'CREATE ' || CASE WHEN x.is_unique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || {qi("x.relname")}
        || ' ON ' || {qi("x.__nsp")} || '.' || {qi("x.__table")} || ' USING btree (' || array_to_string(x.__shown, ', ') || ')' AS __def
FROM (SELECT *, {nsp_display("__db", "__schema")} AS __nsp FROM {ref("idx_keys")}) x"""

# Tables, views and sequences. PostgreSQL implements foreign keys with triggers, and psql lists a
# table's foreign keys (and the ones referencing it) only when relhastriggers says it has some.
RELS = f"""SELECT t.table_oid AS oid, t.table_name AS relname, t.schema_oid AS relnamespace, 2 AS relam,
    t.estimated_size AS reltuples, t.index_count > 0 AS relhasindex,
    CASE WHEN t.temporary THEN 't' ELSE 'p' END AS relpersistence, 'r' AS relkind, t.column_count AS relnatts,
    t.check_constraint_count - CASE WHEN contains(t.sql, 'CHECK((len(') THEN len(regexp_extract_all(t.sql, {_LENGTH_RE})) ELSE 0 END
        - CASE WHEN contains(t.sql, 'CHECK((typeof(') THEN len(regexp_extract_all(t.sql, {_JSONB_RE})) ELSE 0 END
        AS relchecks, t.table_oid IN (
        SELECT table_oid FROM {ref("cons")} WHERE constraint_type = 'FOREIGN KEY'
        UNION ALL SELECT r.table_oid FROM {ref("cons")} k JOIN duckdb_tables() r
            ON k.constraint_type = 'FOREIGN KEY' AND lower(r.table_name) = lower(k.referenced_table)
            AND r.schema_name = k.__refschema AND r.database_name = k.database_name) AS relhastriggers
FROM duckdb_tables() t WHERE (t.database_name = {CUR} OR t.temporary) AND NOT t.internal AND t.schema_name <> '__duckcdb'
UNION ALL
SELECT view_oid, view_name, schema_oid, 0, 0, false, 'p', 'v', column_count, 0, false
FROM duckdb_views() WHERE database_name = {CUR} AND NOT internal
UNION ALL
SELECT sequence_oid, sequence_name, schema_oid, 0, 0, false, CASE WHEN temporary THEN 't' ELSE 'p' END, 'S', 3, 0, false
FROM duckdb_sequences() WHERE database_name = {CUR} OR temporary"""

_CLASS_COLS = f"""oid, relname, relnamespace, 0::BIGINT AS reltype, 0::BIGINT AS reloftype, {OWNER_OID}::BIGINT AS relowner,
    relam::BIGINT AS relam, oid AS relfilenode, 0::BIGINT AS reltablespace, 0 AS relpages, CAST(reltuples AS FLOAT) AS reltuples,
    0 AS relallvisible, 0::BIGINT AS reltoastrelid, relhasindex, false AS relisshared, relpersistence, relkind,
    CAST(relnatts AS SMALLINT) AS relnatts, CAST(relchecks AS SMALLINT) AS relchecks, false AS relhasrules,
    relhastriggers, false AS relhassubclass, false AS relrowsecurity, false AS relforcerowsecurity,
    true AS relispopulated, CASE WHEN relkind = 'r' THEN 'd' ELSE 'n' END AS relreplident, false AS relispartition,
    0::BIGINT AS relrewrite, 0::BIGINT AS relfrozenxid, 0::BIGINT AS relminmxid, NULL::VARCHAR[] AS relacl,
    NULL::VARCHAR[] AS reloptions, NULL::VARCHAR AS relpartbound"""

CLASS_LITE = f"""SELECT * FROM {ref("rels")}
UNION ALL
SELECT oid, relname, relnamespace, 403, 0, false, CASE WHEN __db = 'temp' THEN 't' ELSE 'p' END, 'i', len(__cols), 0,
    false
FROM {ref("idx_raw")}"""

PG_CLASS = f"SELECT {_CLASS_COLS} FROM {ref('class_lite')}"
# ... with rows for the system catalogs too, for statements that name one (see SYS_CLASS_BLOCK).
PG_CLASS_SYS = f"SELECT {_CLASS_COLS} FROM (SELECT * FROM {ref('class_lite')} UNION ALL SELECT * FROM {ref('sys_classes')})"

# relation oid -> its schema, without the constraint machinery (for visibility checks).
REL_NS = f"""SELECT table_oid AS oid, schema_oid AS ns FROM duckdb_tables() WHERE {MINE}
UNION ALL SELECT view_oid, schema_oid FROM duckdb_views() WHERE {MINE}
UNION ALL SELECT sequence_oid, schema_oid FROM duckdb_sequences() WHERE {MINE}
UNION ALL SELECT index_oid, schema_oid FROM duckdb_indexes() WHERE {MINE}"""

COLUMNS = f"""SELECT c.*, CASE WHEN c.__arr THEN {array_oid("c.__s")} ELSE c.__s END AS __typ FROM (
    SELECT c.*, CASE WHEN l.__bpchar THEN {oids.BPCHAR} WHEN l.__len IS NOT NULL THEN {oids.VARCHAR}
            WHEN j.__lcol IS NOT NULL THEN {oids.JSONB} ELSE {scalar_oid("c.__e")} END AS __s,
            coalesce(l.__len + 4, c.__mod) AS __typmod FROM (
        SELECT table_oid, column_name, column_index, data_type, is_nullable, column_default, is_generated,
            generation_expression, comment, database_name AS __db, schema_name AS __schema, table_name AS __table,
            regexp_replace(data_type, '(\\[\\d*\\])+$', '') AS __e,
            data_type LIKE '%]' AS __arr, {typmod("data_type")} AS __mod
        FROM duckdb_columns() WHERE {MINE} AND NOT internal) c
    LEFT JOIN {ref("lengths")} l ON l.__rel = c.table_oid AND l.__lcol = lower(c.column_name) AND c.data_type = 'VARCHAR'
    LEFT JOIN {ref("jsonbs")} j ON j.__rel = c.table_oid AND j.__lcol = lower(c.column_name) AND c.__e = 'JSON') c"""

_ATT_COLS = f"""attrelid, attname, atttypid, -1 AS attstattarget, CAST({typlen("atttypid")} AS SMALLINT) AS attlen,
    CAST(attnum AS SMALLINT) AS attnum, CASE WHEN atttypid IN ({", ".join(map(str, sorted(oids.ELEMENT_OF)))}) THEN 1 ELSE 0 END AS attndims,
    -1 AS attcacheoff, atttypmod, false AS attbyval, 'i' AS attalign, {storage("atttypid")} AS attstorage,
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

DEFAULT = r"""CASE WHEN is_generated THEN generation_expression
    WHEN lower(column_default) IN ('current_timestamp', 'current_date', 'current_time', 'localtimestamp', 'localtime')
        THEN upper(column_default)
    ELSE regexp_replace(column_default, '^nextval\(''([^'']*)''\)$', 'nextval(''\1''::regclass)') END"""

PG_ATTRDEF = f"""SELECT {ATTRDEF_BASE} + table_oid * 4096 + column_index AS oid, table_oid AS adrelid,
    CAST(column_index AS SMALLINT) AS adnum, {DEFAULT} AS adbin
FROM duckdb_columns() WHERE {MINE} AND NOT internal AND column_default IS NOT NULL"""

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

PG_CONSTRAINT = f"""SELECT c.oid, c.conname, c.connamespace, c.contype, coalesce(c.__deferrable, false) AS condeferrable,
    coalesce(c.__deferred, false) AS condeferred,
    true AS convalidated, c.conrelid, 0::BIGINT AS contypid,
    CASE WHEN c.contype = 'f' THEN coalesce(c.__refidx, 0) ELSE c.conindid END AS conindid, 0::BIGINT AS conparentid,
    coalesce(r.table_oid, 0) AS confrelid,
    CASE WHEN c.contype = 'f' THEN c.__updtype ELSE ' ' END AS confupdtype, CASE WHEN c.contype = 'f' THEN c.__deltype ELSE ' ' END AS confdeltype,
    CASE WHEN c.contype = 'f' THEN c.__matchtype ELSE ' ' END AS confmatchtype, true AS conislocal, 0 AS coninhcount,
    false AS connoinherit, c.conkey,
    CASE WHEN r.table_oid IS NOT NULL THEN {_confkey} END AS confkey,
    NULL::BIGINT[] AS conpfeqop, NULL::BIGINT[] AS conppeqop,
    NULL::BIGINT[] AS conffeqop, c.__delkey AS confdelsetcols, NULL::BIGINT[] AS conexclop, c.conbin
FROM {ref("con_ref")} c
LEFT JOIN {ref("table_cols")} r ON c.contype = 'f' AND r.database_name = c.__db
    AND r.schema_name = c.__refschema AND lower(r.table_name) = lower(c.__reftable)"""

# Dependencies PostgreSQL clients follow: the index of a PRIMARY KEY or UNIQUE constraint depends
# on the constraint (deptype 'i'; pgAdmin finds constraint indexes by it).
PG_DEPEND = f"""SELECT {CATALOG_OIDS["pg_class"]}::BIGINT AS classid, conindid AS objid, 0 AS objsubid,
    {CATALOG_OIDS["pg_constraint"]}::BIGINT AS refclassid, oid AS refobjid, 0 AS refobjsubid, 'i' AS deptype
FROM {ref("con_lite")} WHERE contype IN ('p', 'u')
UNION ALL SELECT {CATALOG_OIDS["pg_attrdef"]}::BIGINT, __def_oid, 0, {CATALOG_OIDS["pg_class"]}::BIGINT, sequence_oid,
    0, 'n'
FROM {ref("serial_defaults")}
UNION ALL SELECT {CATALOG_OIDS["pg_class"]}::BIGINT, sequence_oid, 0, {CATALOG_OIDS["pg_class"]}::BIGINT, table_oid,
    column_index, 'a'
FROM {ref("serial_defaults")} WHERE sequence_name = table_name || '_' || column_name || '_seq'"""

# Column defaults that take a sequence's nextval (SERIAL and identity columns, pgcompat.rewrite):
# the default depends on the sequence, and a sequence named <table>_<column>_seq is owned by its
# column, as PostgreSQL records them in pg_depend (pg_dump orders its output by them).
SERIAL_DEFAULTS = rf"""SELECT {ATTRDEF_BASE} + c.table_oid * 4096 + c.column_index AS __def_oid, c.table_oid,
    c.table_name, c.column_name, c.column_index, s.sequence_oid, s.sequence_name
FROM duckdb_columns() c JOIN duckdb_sequences() s ON s.database_name = c.database_name
    AND s.sequence_name = regexp_extract(c.column_default, '^nextval\(''(?:[^.'']+\.)?([^.'']+)''', 1)
WHERE c.database_name = {CUR} AND NOT c.internal AND c.column_default LIKE 'nextval(%'"""

# The public schema's ACL as PostgreSQL 15 creates it (its owner may create, everyone may use it:
# pg_dump would REVOKE that usage from PUBLIC on restore otherwise); the other schemas' default.
PG_NAMESPACE = f"""SELECT oid, nspname, {OWNER_OID}::BIGINT AS nspowner,
    CASE WHEN nspname = 'public' THEN CAST([__u || '=UC/' || __u, '=U/' || __u] AS VARCHAR[]) END AS nspacl
FROM {ref("ns")}, (SELECT {SESSION_USER} AS __u)"""

# The connected database; in CDB$ROOT the PDBs too (the session registers them there only,
# pgcompat.session_tables: a PDB's list is empty).
PG_DATABASE = f"""SELECT oid, datname, {OWNER_OID}::BIGINT AS datdba, 6 AS encoding,
    'c' AS datlocprovider, false AS datistemplate, true AS datallowconn, -1 AS datconnlimit,
    0::BIGINT AS datfrozenxid, 0::BIGINT AS datminmxid, 1663::BIGINT AS dattablespace, 'C' AS datcollate,
    'C' AS datctype, NULL::VARCHAR AS daticulocale, NULL::VARCHAR AS datcollversion, NULL::VARCHAR[] AS datacl
FROM (SELECT database_oid AS oid, {PDB_NAME} AS datname FROM duckdb_databases() WHERE database_name = {CUR}
    UNION ALL SELECT oid, datname FROM {session_tables.DATABASES} WHERE datname <> {PDB_NAME})"""

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
PROC_OID = (
    f"CASE WHEN internal AND function_type = 'aggregate' THEN CAST({PROC_BASE} + hash(function_name, return_type, "
    "CAST(parameter_types AS VARCHAR)) % 1099511627776 AS BIGINT) ELSE function_oid END"
)
PROCS = f"""SELECT *, {PROC_OID} AS __oid
FROM duckdb_functions() WHERE (database_name = {CUR} AND NOT internal) OR (internal AND function_type = 'aggregate')"""

PG_PROC = f"""SELECT f.__oid AS oid, f.function_name AS proname, s.oid AS pronamespace,
    {OWNER_OID}::BIGINT AS proowner, CASE WHEN f.internal THEN 12 ELSE 14 END::BIGINT AS prolang, 100.0::FLOAT AS procost,
    CASE WHEN f.function_type = 'table_macro' THEN 1000.0 ELSE 0.0 END::FLOAT AS prorows, 0::BIGINT AS provariadic,
    0::BIGINT AS prosupport, CASE WHEN f.internal THEN 'a' ELSE 'f' END AS prokind, false AS prosecdef,
    false AS proleakproof, false AS proisstrict, f.function_type = 'table_macro' AS proretset,
    CASE WHEN f.internal THEN 'i' ELSE 'v' END AS provolatile, 'u' AS proparallel,
    CAST(len(f.parameters) AS SMALLINT) AS pronargs, 0::SMALLINT AS pronargdefaults,
    CASE WHEN f.internal THEN {duck_type_oid("f.return_type")} WHEN f.function_type = 'table_macro' THEN 2249 ELSE 0 END::BIGINT AS prorettype,
    CASE WHEN f.internal THEN CAST(list_transform(f.parameter_types, lambda p: {duck_type_oid("p")}) AS BIGINT[]) END AS proargtypes,
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
FROM duckdb_sequences() WHERE database_name = {CUR} OR temporary"""

PG_SEQUENCES = f"""SELECT {nsp_display("database_name", "schema_name")} AS schemaname, sequence_name AS sequencename,
    {SESSION_USER} AS sequenceowner, 'bigint' AS data_type, start_value, min_value, max_value, increment_by,
    cycle, 1::BIGINT AS cache_size, last_value
FROM duckdb_sequences() WHERE database_name = {CUR} OR temporary"""

PG_TABLES = f"""SELECT {nsp_display("database_name", "schema_name")} AS schemaname, table_name AS tablename,
    {SESSION_USER} AS tableowner, NULL::VARCHAR AS tablespace, index_count > 0 AS hasindexes, false AS hasrules,
    false AS hastriggers, false AS rowsecurity
FROM duckdb_tables() WHERE (database_name = {CUR} OR temporary) AND NOT internal"""

VIEW_BODY = r"regexp_replace(sql, '^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\w*\s+)?VIEW\s+.*?\s+AS\s+', ' ')"

PG_VIEWS = f"""SELECT {nsp_display("database_name", "schema_name")} AS schemaname, view_name AS viewname,
    {SESSION_USER} AS viewowner, {VIEW_BODY} AS definition
FROM duckdb_views() WHERE database_name = {CUR} AND NOT internal"""

PG_INDEXES = f"""SELECT {nsp_display("__db", "__schema")} AS schemaname, __table AS tablename, relname AS indexname,
    NULL::VARCHAR AS tablespace, __def AS indexdef FROM {ref("idx")}"""

PG_DESCRIPTION = f"""SELECT table_oid AS objoid, 1259::BIGINT AS classoid, 0 AS objsubid, comment AS description
FROM duckdb_tables() WHERE {MINE} AND comment IS NOT NULL AND NOT internal
UNION ALL SELECT view_oid, 1259, 0, comment FROM duckdb_views() WHERE {MINE} AND comment IS NOT NULL AND NOT internal
UNION ALL SELECT sequence_oid, 1259, 0, comment FROM duckdb_sequences() WHERE {MINE} AND comment IS NOT NULL
UNION ALL SELECT index_oid, 1259, 0, comment FROM duckdb_indexes() WHERE {MINE} AND comment IS NOT NULL
UNION ALL SELECT table_oid, 1259, column_index, comment FROM duckdb_columns() WHERE {MINE} AND comment IS NOT NULL AND NOT internal
UNION ALL SELECT function_oid, 1255, 0, comment FROM duckdb_functions() WHERE database_name = {CUR} AND comment IS NOT NULL
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
    {storage("t.oid")} AS typstorage, false AS typnotnull, 0::BIGINT AS typbasetype,
    -1 AS typtypmod, 0 AS typndims, 0::BIGINT AS typcollation, NULL::VARCHAR AS typdefaultbin,
    NULL::VARCHAR AS typdefault, NULL::VARCHAR[] AS typacl
FROM (VALUES {", ".join(PG_TYPE_ROWS)}) t(oid, typname, typlen, typcategory, typelem, typarray)
CROSS JOIN (SELECT oid FROM duckdb_schemas() WHERE database_name = 'system' AND schema_name = 'pg_catalog') n
UNION ALL
SELECT type_oid, type_name, schema_oid, {OWNER_OID}, 4, true, 'e', 'E', false, true, ',', 0, NULL, 0, 0, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL, 'i', 'p', false, 0, -1, 0, 0, NULL, NULL, NULL
FROM duckdb_types() WHERE {MINE} AND NOT internal AND logical_type = 'ENUM'"""

PG_ENUM = f"""SELECT NULL::BIGINT AS oid, type_oid AS enumtypid, CAST(generate_subscripts(labels, 1) AS FLOAT) AS enumsortorder,
    unnest(labels) AS enumlabel
FROM duckdb_types() WHERE {MINE} AND NOT internal AND logical_type = 'ENUM'"""

_SETTINGS_ROWS = ", ".join(
    f"({lit(p.name)}, {lit(p.default)}, {lit('internal' if p.read_only else 'user')})"
    for p in PARAMS.values()
)
PG_SETTINGS = f"""SELECT name, setting, NULL::VARCHAR AS unit, 'Client Connection Defaults' AS category,
    '' AS short_desc, NULL::VARCHAR AS extra_desc, context, 'string' AS vartype, 'default' AS source,
    NULL::VARCHAR AS min_val, NULL::VARCHAR AS max_val, NULL::VARCHAR[] AS enumvals, setting AS boot_val,
    setting AS reset_val, NULL::VARCHAR AS sourcefile, NULL::INTEGER AS sourceline, false AS pending_restart
FROM (VALUES {_SETTINGS_ROWS}) s(name, setting, context)"""

# The PDB's sessions, as the session serving this statement registers them (pgcompat.session_tables):
# another user's query and state are PostgreSQL's "<insufficient privilege>".
PG_STAT_ACTIVITY = f"""SELECT d.database_oid AS datid, {PDB_NAME} AS datname,
    a.pid, NULL::INTEGER AS leader_pid, {OWNER_OID}::BIGINT AS usesysid, a.usename, a.application_name,
    a.client_addr, NULL::VARCHAR AS client_hostname, a.client_port,
    CAST(a.backend_start AS TIMESTAMPTZ) AS backend_start, CAST(a.xact_start AS TIMESTAMPTZ) AS xact_start,
    CAST(a.query_start AS TIMESTAMPTZ) AS query_start, CAST(a.state_change AS TIMESTAMPTZ) AS state_change,
    CASE WHEN a.state LIKE 'idle%' THEN 'Client' END AS wait_event_type,
    CASE WHEN a.state LIKE 'idle%' THEN 'ClientRead' END AS wait_event,
    a.state, NULL::BIGINT AS backend_xid, NULL::BIGINT AS backend_xmin, NULL::BIGINT AS query_id,
    a.query, 'client backend' AS backend_type
FROM {session_tables.ACTIVITY} a, duckdb_databases() d WHERE d.database_name = {CUR}"""

# The session's named prepared statements: protocol-level ones (Parse with a name) as the session
# registers them, and SQL PREPARE ones from DuckDB.
PG_PREPARED_STATEMENTS = f"""SELECT name, statement, CAST(prepare_time AS TIMESTAMPTZ) AS prepare_time,
    CAST(CASE WHEN parameter_types = '' THEN [] ELSE string_split(parameter_types, ',') END AS VARCHAR[]) AS parameter_types,
    false AS from_sql, 0::BIGINT AS generic_plans, 0::BIGINT AS custom_plans
FROM {session_tables.PREPARED}
UNION ALL SELECT name, statement, NULL::TIMESTAMPTZ, coalesce(list_transform(parameter_types, lambda t: lower(t)), []), true,
    0::BIGINT, 0::BIGINT
FROM duckdb_prepared_statements()"""

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


def empty(columns: str) -> str:
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
    "pg_prepared_statements": PG_PREPARED_STATEMENTS,
    "pg_tablespace": PG_TABLESPACE,
    "pg_language": PG_LANGUAGE,
    **{name: empty(cols) for name, (_, cols) in EMPTY_CATALOGS.items()},
}

CATALOG_OIDS.update({name: oid for name, (oid, _) in EMPTY_CATALOGS.items() if oid})
CATALOG_OIDS.update({"pg_language": 2612, "pg_tablespace": 1213})

# The system catalogs themselves, in pg_catalog: clients look their oids up by name
# (`SELECT oid FROM pg_class WHERE relname = 'pg_constraint'`). They cost every pg_class query some
# 0.5 ms, so pg_class has them only in statements with a catalog's name in a string literal.
SYS_CLASS_BLOCK = "pg_class_sys"
SYS_CLASSES = f"""SELECT c.oid::BIGINT AS oid, c.relname, {_PG_CATALOG_NS} AS relnamespace, 2 AS relam,
    0 AS reltuples, false AS relhasindex, 'p' AS relpersistence, 'r' AS relkind, 0 AS relnatts, 0 AS relchecks,
    false AS relhastriggers
FROM (VALUES {", ".join(f"({oid}, {lit(name)})" for name, oid in sorted(CATALOG_OIDS.items()))}) c(oid, relname)"""
