"""Escape corpus (issue 13): what a user granted SELECT, INSERT, UPDATE and DELETE on table t and
CREATE TABLE would try in order to read secret_t, reveal settings and server paths, read files,
or use a feature a lockdown profile disables. Data only: tests/test_escape_corpus.py runs it
through a real server and against the engine's DuckDB alone.

Each entry is (id, statements separated by ';' (set-up first, the attack last), what it tries).
The first 106 come from the research of the allow-list (DuckDB 2.0.1), the X entries after.
"""

from __future__ import annotations

SECRET = "TOPSECRET"

CORPUS: list[tuple[str, str, str]] = [
    # ---- query / query_table, every spelling
    ("Q01", "SELECT * FROM query_table('secret_t')", "read a table named in a string"),
    ("Q02", "SELECT * FROM query('SELECT * FROM secret_t')", "run SQL held in a string"),
    ("Q03", "SELECT * FROM QUERY_TABLE('secret_t')", "upper case name"),
    ("Q04", "SELECT * FROM \"QUERY_TABLE\"('secret_t')", "quoted name (the token scan skips quoted names)"),
    ("Q05", "SELECT * FROM \"query\"('SELECT * FROM secret_t')", "quoted lower-case name"),
    ("Q06", "SELECT * FROM main.query_table('secret_t')", "schema-qualified"),
    ("Q07", "SELECT * FROM system.main.query_table('secret_t')", "catalog.schema-qualified"),
    ("Q08", "SELECT * FROM system.query_table('secret_t')", "catalog-qualified"),
    ("Q09", "SELECT * FROM query_table/**/('secret_t')", "comment between name and parenthesis"),
    ("Q10", "SELECT * FROM query_table(secret_t)", "bare identifier turned into a string by DuckDB"),
    ("Q11", "SELECT * FROM query_table('secret' || '_t')", "name built by concatenation (constant-folded)"),
    ("Q12", "SELECT * FROM query_table(reverse('t_terces'))", "name computed by a function"),
    ("Q13", "SELECT * FROM query_table(from_base64('c2VjcmV0X3Q=')::VARCHAR)", "name hidden in base64"),
    ("Q14", "SELECT * FROM query_table({'a': 'secret_t'}.a)", "name in a struct field"),
    ("Q15", "SELECT * FROM query_table(MAP {'a': 'secret_t'}['a'])", "name in a map"),
    ("Q16", "SELECT * FROM query_table(['t', 'secret_t'])", "list of tables, one granted"),
    ("Q17", "SELECT * FROM query($$SELECT * FROM secret_t$$)", "dollar-quoted SQL string"),
    ("Q18", "SELECT * FROM query(E'SELECT * FROM secret\\x5ft')", "escape string hides the table name"),
    ("Q19", "SELECT * FROM query('SELECT * FROM query_table(''secret_t'')')", "nested in query()"),
    ("Q20", "FROM query_table('secret_t')", "FROM-first statement"),
    ("Q21", "WITH q AS (FROM query_table('secret_t')) SELECT * FROM q", "inside a CTE"),
    ("Q22", "SELECT * FROM t JOIN LATERAL (FROM query_table('secret_t')) q ON true", "LATERAL subquery"),
    ("Q23", "SELECT (FROM query_table('secret_t') SELECT s)", "scalar subquery"),
    ("Q24", "SELECT * FROM t WHERE v IN (FROM query('SELECT s FROM secret_t')) OR true", "IN subquery"),
    ("Q25", "SELECT {'x': (FROM query_table('secret_t') SELECT s)}", "struct literal holding a subquery"),
    ("Q26", "SELECT MAP {'k': (SELECT s FROM query('FROM secret_t'))}", "map literal holding a subquery"),
    ("Q27", "SET VARIABLE x = 'secret_t'; SELECT * FROM query_table(getvariable('x'))", "name in a variable"),
    ("Q28", "PREPARE p AS SELECT * FROM query_table($1); EXECUTE p('secret_t')", "name as a parameter"),
    ("Q29", "CALL query_table('secret_t')", "CALL of the table function"),
    ("Q30", "SELECT * FROM query('SUMMARIZE secret_t')", "SUMMARIZE inside query(): min/max of every column"),
    ("Q31", "SELECT * FROM query('DESCRIBE secret_t')", "columns of a table through query()"),
    ("Q32", "EXPLAIN SELECT * FROM query_table('secret_t')", "EXPLAIN shows the resolved table"),
    ("Q33", "SELECT CAST(s AS INT) FROM query_table('secret_t')", "error message carries the value"),
    # ---- writes that keep the secret
    ("W01", "INSERT INTO t FROM query_table('secret_t'); SELECT * FROM t", "copy into a granted table"),
    ("W02", "UPDATE t SET v = (FROM query_table('secret_t') SELECT s); SELECT v FROM t", "UPDATE from it"),
    ("W03", "CREATE TEMP TABLE x AS FROM query_table('secret_t'); FROM x", "CREATE TABLE AS"),
    ("W04", "COPY (FROM query_table('secret_t')) TO STDOUT", "COPY (query) TO STDOUT"),
    # ---- macros, views, DDL expressions
    ("M01", "CREATE MACRO m() AS TABLE FROM query_table('secret_t'); SELECT * FROM m()", "table macro body"),
    (
        "M02",
        "CREATE MACRO m(x) AS TABLE FROM query_table(x); SELECT * FROM m('secret_t')",
        "name as macro arg",
    ),
    ("M03", "CREATE MACRO m(x) AS TABLE FROM query(x); SELECT * FROM m('FROM secret_t')", "SQL as macro arg"),
    ("M04", "CREATE MACRO m() AS (SELECT s FROM secret_t); SELECT m()", "macro body reads the table itself"),
    ("M05", "CREATE MACRO m() AS TABLE FROM secret_t; SELECT * FROM m()", "table macro over the table"),
    (
        "M06",
        "CREATE MACRO c2(x) AS x + 1; CREATE MACRO d2() AS c2(1); "
        "CREATE OR REPLACE MACRO c2(x) AS (SELECT s FROM secret_t); SELECT d2()",
        "late binding: replace a macro another one calls",
    ),
    ("M07", "CREATE TEMP MACRO upper(x) AS (SELECT s FROM secret_t); SELECT upper('a')", "shadow a built-in"),
    ("M08", "CREATE VIEW vv AS FROM query_table('secret_t'); SELECT * FROM vv", "view body"),
    (
        "M09",
        "CREATE TABLE d(a VARCHAR DEFAULT current_setting('temp_directory')); "
        "INSERT INTO d DEFAULT VALUES; SELECT * FROM d",
        "setting through a column DEFAULT",
    ),
    (
        "M10",
        "CREATE TABLE g(a INT, b VARCHAR AS (current_setting('temp_directory'))); "
        "INSERT INTO g(a) VALUES (1); SELECT b FROM g",
        "setting through a generated column",
    ),
    (
        "M11",
        "CREATE TABLE c(a INT CHECK (a > 0 OR error(current_setting('temp_directory')) IS NULL)); "
        "INSERT INTO c VALUES (-1)",
        "setting through a CHECK that fails",
    ),
    ("M12", "CREATE TABLE d(a VARCHAR DEFAULT (SELECT s FROM secret_t))", "subquery in DEFAULT"),
    ("M13", "CREATE TABLE c(a INT CHECK (a < (SELECT count(*) FROM secret_t)))", "subquery in CHECK"),
    # ---- json
    (
        "J01",
        "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM secret_t'))",
        "run a serialized statement",
    ),
    (
        "J02",
        "SELECT * FROM json_execute_serialized_sql(json_serialize_sql("
        "'SELECT current_setting(''temp_directory'')'))",
        "setting through a serialized statement",
    ),
    ("J03", "SELECT json_serialize_plan('SELECT * FROM secret_t')", "plan shows columns and types"),
    ("J04", "SELECT 'SELECT * FROM secret_t'.json_serialize_plan()", "same, method syntax"),
    # ---- other functions reading a table named in a string
    ("N01", "SELECT * FROM histogram_values('secret_t', s)", "table macro built on query_table"),
    ("N02", "SELECT * FROM histogram('secret_t', s)", "histogram table macro (the aggregate is safe)"),
    ("N03", "SELECT * FROM histogram_values(secret_t, s)", "same, bare identifier"),
    ("N04", "SELECT column_name, stats FROM pragma_storage_info('secret_t')", "segment min/max statistics"),
    ("N05", "SELECT * FROM pragma_table_info('secret_t')", "columns of a table"),
    ("N06", "SELECT * FROM duckdb_table_sample('secret_t')", "DuckDB's stored sample rows of a table"),
    (
        "N07",
        "SELECT * FROM destroy_external_resource('query', 'SELECT error((SELECT s FROM secret_t))')",
        "calls the function named in a string; the error leaks the value",
    ),
    (
        "N08",
        "CREATE INDEX si ON secret_t(s); SELECT index_key({'table': 'secret_t'}, 'si', 'x')",
        "index probe",
    ),
    (
        "N09",
        "CREATE TABLE emp(owner VARCHAR, salary INT); INSERT INTO emp VALUES ('me', 1), ('boss', 999999); "
        "CREATE VIEW mine AS SELECT * FROM emp WHERE owner = 'me'; SELECT stats(salary) FROM mine",
        "stats() shows the whole table's min/max through a filtering view",
    ),
    # ---- statements naming the table outside any function
    ("T01", "SUMMARIZE secret_t", "min/max/approx_unique of every column"),
    ("T02", "SELECT * FROM (SUMMARIZE secret_t)", "SUMMARIZE as a subquery"),
    ("T03", "DESCRIBE secret_t", "columns"),
    ("T04", "SHOW secret_t", "columns (the proxy answers SHOW itself: never reaches DuckDB)"),
    ("T05", "PIVOT secret_t ON s USING first(id)", "PIVOT statement: values become column names"),
    ("T06", "UNPIVOT secret_t ON s INTO NAME k VALUE v2", "UNPIVOT statement"),
    ("T07", "SELECT * FROM (PIVOT secret_t ON s USING first(id))", "PIVOT as a subquery"),
    ("T08", "TABLE secret_t", "TABLE statement"),
    ("T09", "SELECT * FROM summary((FROM secret_t))", "summary() over a subquery"),
    # ---- settings, paths, server
    ("S01", "SELECT current_setting('temp_directory')", "setting with a path"),
    ("S02", "SELECT 'temp_directory'.current_setting()", "same, method syntax (no literal argument)"),
    ("S03", "SELECT system.main.current_setting('temp_directory')", "qualified: skips the shim rewrite"),
    ("S04", "SELECT \"current_setting\"('allowed_directories')", "quoted name"),
    ("S05", "SELECT current_setting('temp_' || 'directory')", "name by concatenation"),
    ("S06", "SELECT CAST(current_setting('temp_directory') AS INT)", "value through a cast error"),
    ("S07", "SELECT * FROM duckdb_settings() WHERE name = 'temp_directory'", "settings lister"),
    ("S08", "SELECT path FROM duckdb_databases", "catalog VIEW without parentheses: the PDB file path"),
    ("S09", "SELECT * FROM pragma_database_list", "view: the PDB file path"),
    ("S10", "SELECT * FROM system.main.duckdb_databases", "qualified view"),
    ("S11", "SELECT * FROM pragma_database_size()", "sizes and memory limit"),
    ("S12", "SELECT * FROM duckdb_memory()", "engine memory"),
    ("S13", "SELECT * FROM duckdb_temporary_files()", "temp files"),
    ("S14", "SELECT * FROM duckdb_connection_count()", "other sessions"),
    ("S15", "SELECT * FROM duckdb_profiling_settings()", "table macro over duckdb_settings"),
    ("S16", "SELECT get_block_size('x') IS NOT NULL", "macro over pragma_database_size"),
    ("S17", "SELECT * FROM pragma_user_agent()", "client and platform"),
    ("S18", "SELECT sql FROM sqlite_master", "DDL of every table (catalog view)"),
    (
        "S19",
        "SET VARIABLE userenv_is_dba = 'TRUE'; SELECT getvariable('userenv_is_dba')",
        "spoof USERENV (the proxy answers SET itself, refuses it)",
    ),
    # ---- files
    ("F01", "SELECT * FROM read_text('/etc/hostname')", "read a file"),
    ("F02", "FROM '/etc/hostname'", "replacement scan of a path"),
    ("F03", "SELECT * FROM secret_t.csv", "schema.table read as a file name"),
    ("F04", "SELECT * FROM read_duckdb('/etc/passwd')", "new reader: another DuckDB file"),
    ("F05", "SELECT * FROM parquet_full_metadata('/etc/passwd')", "new parquet lister"),
    ("F06", "SELECT * FROM read_single_csv_file('/etc/hostname')", "new single-file reader"),
    ("F07", "SELECT * FROM glob('/*')", "list files"),
    # ---- engine control / lockdown-disabled features / resources
    ("E01", "SELECT * FROM checkpoint()", "CHECKPOINT as a function (lockdown ALTER SYSTEM CHECKPOINT)"),
    ("E02", "SELECT * FROM enable_logging()", "turn on logging"),
    ("E03", "SELECT * FROM truncate_duckdb_logs()", "erase the engine logs"),
    ("E04", "SELECT write_log('x')", "write the engine log"),
    ("E05", "SELECT * FROM add_grammar_extension('x')", "change the parser"),
    ("E06", "SELECT * FROM summary(t)", "bare identifier: never ends, memory grows (DoS)"),
    ("E07", "SELECT nextval('seq1')", "sequence named in a string (sequence privilege?)"),
    ("E08", "SELECT 'seq1'.nextval()", "same, method syntax"),
]

# Grown from what the research above missed or what attackers try next (issue 13).
CORPUS += [
    ("X01", "SELECT * FROM t, LATERAL query_table('secret_t')", "LATERAL table function"),
    ("X02", "SELECT * FROM main . query_table ( 'secret_t' )", "spaces around the dots and parenthesis"),
    ("X03", "SELECT * FROM Query_Table('secret_t')", "mixed case"),
    ("X04", "COPY secret_t TO STDOUT", "COPY of a table not granted"),
    ("X05", "COPY (SELECT * FROM secret_t) TO STDOUT", "COPY of a query over a table not granted"),
    (
        "X06",
        "DROP MACRO TABLE query_table; SELECT * FROM query_table('secret_t')",
        "drop the engine's shadow",
    ),
    ("X07", "CREATE TEMP MACRO query_table(x) AS TABLE SELECT 1", "replace the engine's shadow"),
    ("X08", "SELECT * FROM system.main.histogram_values('secret_t', s)", "qualified table macro"),
    ("X09", 'SELECT * FROM "system"."main"."query"(\'FROM secret_t\')', "quoted qualified name"),
    ("X10", "SELECT * FROM duckdb_tables", "catalog view without parentheses"),
    ("X11", "SELECT sql FROM duckdb_views()", "view definitions of the PDB"),
    ("X12", "PREPARE p AS SELECT * FROM query_table('secret_t'); EXECUTE p", "PREPARE of the call"),
    ("X13", "CREATE VIEW vx AS SELECT * FROM secret_t", "view over a table not granted"),
    (
        "X14",
        "CREATE TABLE dx (a VARCHAR DEFAULT 'x', b VARCHAR DEFAULT (current_setting('temp_directory')))",
        "DEFAULT reading a setting",
    ),
    (
        "X15",
        "SELECT list_transform(['secret_t'], x -> x) AS l, * FROM query_table('secret_t')",
        "beside a lambda",
    ),
    ("X16", "SELECT * FROM query_table('secret_t') -- comment ( with parenthesis", "trailing comment"),
    (
        "X17",
        "CREATE MACRO mm(x) AS x + 1; CREATE OR REPLACE MACRO mm(x) AS current_setting('temp_directory'); "
        "SELECT mm(1)",
        "replace a harmless macro with a reading one",
    ),
    (
        "X19",
        "CREATE TYPE e AS ENUM (SELECT s FROM secret_t); SELECT enum_range(NULL::e)",
        "enum values from a query",
    ),
    (
        "X20",
        "CREATE MACRO m2() AS TABLE SELECT * FROM secret_t",
        "macro over a table not granted, never called",
    ),
    (
        "X18",
        "SELECT sum(v) FROM (SELECT 1 AS v) AS s GROUP BY ALL HAVING max(query_table) IS NULL",
        "a name, no call",
    ),
]
