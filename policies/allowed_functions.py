"""The tenant function ALLOW-list: every function of DuckDB 2.0.1 in a category, and the two
sets a tenant may call (issue 13). Anything else, including any function a DuckDB upgrade
brings, is refused by policies.sandbox with 42501.

Written from `duckdb_functions()` of DuckDB 2.0.1 in a fresh database and in one opened like our
engines (both list the same 3327 rows, 1166 distinct lower-case names), and from running the
functions (the research behind it: tests/escape_corpus.py). tests/unit/test_allowed_functions.py
fails when duckdb_functions() or the built-in views have a name no category holds: a new
function is refused until someone classifies it here.

Names are lower case: DuckDB resolves function names case-insensitively, quoted or not, and
`system.main.x` / `main.x` / `'lit'.x` all call x. Scalar and table functions are separate
namespaces: `histogram` is a safe aggregate AND a table macro that reads any table named in a
string; `repeat`, `range`, `generate_series` and `unnest` exist in both. So the allow-list is two
sets, ALLOWED_CALLS (names called in expressions) and ALLOWED_TABLE_FUNCTIONS (names called in
FROM / JOIN / LATERAL).
"""

from __future__ import annotations

from functools import lru_cache

import duckdb

DUCKDB_VERSION = "2.0.1"

# ---------------------------------------------------------------- safe: reads only its arguments

# Scalar functions and operators that compute from their arguments only (math, string, date, list,
# struct, map, union, json, bit, hashing, regex, geometry, variant...).
_PLAIN_SCALAR = frozenset(
    {
        "!=", "!__postfix", "!~~", "!~~*", "%", "&", "&&", "*", "**", "+", "-", "->>", "/", "//", "<", "<->",
        "<<", "<=", "<=>", "<@", "=", ">", ">=", ">>", "@", "@>", "^", "^@", "abs", "acos", "acosh", "add",
        "age", "array_cat", "array_concat", "array_contains", "array_cosine_distance",
        "array_cosine_similarity", "array_cross_product", "array_distance", "array_distinct",
        "array_dot_product", "array_extract", "array_grade_up", "array_has", "array_has_all", "array_has_any",
        "array_indexof", "array_inner_product", "array_intersect", "array_length",
        "array_negative_dot_product", "array_negative_inner_product", "array_position", "array_resize",
        "array_reverse_sort", "array_select", "array_slice", "array_sort", "array_to_json", "array_unique",
        "array_value", "array_where", "array_zip", "ascii", "asin", "asinh", "atan", "atan2", "atanh", "bar",
        "base64", "bin", "binom", "bit_count", "bit_length", "bit_position", "bitstring",
        "bitstring_byte_comparable", "cardinality", "cbrt", "ceil", "ceiling", "century", "char_length",
        "character_length", "chr", "concat", "concat_ws", "constant_or_null", "contains", "cos", "cosh",
        "cot", "damerau_levenshtein", "date_diff", "date_part", "date_sub", "date_trunc", "datediff",
        "datepart", "datesub", "datetrunc", "day", "dayname", "dayofmonth", "dayofweek", "dayofyear",
        "decade", "decimal_division", "decode", "degrees", "divide", "editdist3", "element_at", "encode",
        "ends_with", "enum_code", "enum_first", "enum_last", "enum_range", "enum_range_boundary", "epoch",
        "epoch_ms", "epoch_ns", "epoch_us", "equi_width_bins", "era", "even", "exp", "factorial", "flatten",
        "floor", "fmod", "format", "format_bytes", "formatreadabledecimalsize", "formatreadablesize",
        "from_base64", "from_binary", "from_hex", "from_json", "from_json_strict", "gamma", "gcd", "get_bit",
        "grade_up", "greatest", "greatest_common_divisor", "hamming", "hex", "hour", "ilike_escape", "instr",
        "is distinct from", "is not distinct from", "is_histogram_other_bin", "isfinite", "isinf", "isnan",
        "isodow", "isoyear", "jaccard", "jaro_similarity", "jaro_winkler_similarity", "json_array",
        "json_array_length", "json_contains", "json_deep_merge", "json_exists", "json_extract",
        "json_extract_path", "json_extract_path_text", "json_extract_string", "json_insert", "json_keys",
        "json_merge_patch", "json_merge_patch_diff", "json_normalize", "json_object", "json_pretty",
        "json_quote", "json_remove", "json_replace", "json_set", "json_strip_nulls", "json_structure",
        "json_transform", "json_transform_strict", "json_type", "json_valid", "json_value", "julian",
        "last_day", "lcase", "lcm", "least", "least_common_multiple", "left", "left_grapheme", "len",
        "length", "length_grapheme", "levenshtein", "lgamma", "like_escape", "list_cat", "list_concat",
        "list_contains", "list_cosine_distance", "list_cosine_similarity", "list_distance", "list_distinct",
        "list_dot_product", "list_element", "list_extract", "list_grade_up", "list_has", "list_has_all",
        "list_has_any", "list_indexof", "list_inner_product", "list_intersect", "list_negative_dot_product",
        "list_negative_inner_product", "list_pack", "list_position", "list_resize", "list_reverse_sort",
        "list_select", "list_slice", "list_sort", "list_unique", "list_value", "list_where", "list_zip", "ln",
        "log", "log10", "log2", "lower", "lpad", "ltrim", "make_date", "make_time", "make_timestamp",
        "make_timestamp_ms", "make_timestamp_ns", "make_timestamptz", "map", "map_concat", "map_contains",
        "map_entries", "map_extract", "map_extract_value", "map_from_entries", "map_keys", "map_values",
        "md5_number", "microsecond", "millennium", "millisecond", "minute", "mismatches", "mod", "month",
        "monthname", "multiply", "nanosecond", "nextafter", "nfc_normalize", "normalized_interval",
        "not_ilike_escape", "not_like_escape", "octet_length", "ord", "overlay", "parse_formatted_bytes",
        "pi", "position", "pow", "power", "prefix", "printf", "quarter", "radians", "regexp_escape",
        "regexp_extract", "regexp_extract_all", "regexp_full_match", "regexp_matches", "regexp_replace",
        "regexp_split_to_array", "replace", "reverse", "right", "right_grapheme", "round", "round_even",
        "roundbankers", "row", "row_to_json", "rpad", "rtrim", "second", "set_bit", "sign", "signbit", "sin",
        "sinh", "split", "sqrt", "st_asbinary", "st_asgeojson", "st_astext", "st_aswkb", "st_aswkt", "st_crs",
        "st_geomfromgeojson", "st_geomfromwkb", "st_intersects_extent", "st_setcrs", "starts_with",
        "str_split", "str_split_regex", "strftime", "string_split", "string_split_regex", "string_to_array",
        "strip_accents", "strlen", "strpos", "strptime", "struct_concat", "struct_contains", "struct_extract",
        "struct_extract_at", "struct_has", "struct_indexof", "struct_insert", "struct_keys", "struct_pack",
        "struct_position", "struct_update", "struct_values", "substr", "substring", "substring_grapheme",
        "subtract", "suffix", "switch", "tan", "tanh", "time_bucket", "timetz_byte_comparable", "timezone",
        "timezone_hour", "timezone_minute", "to_base", "to_base64", "to_binary", "to_centuries", "to_days",
        "to_decades", "to_hex", "to_hours", "to_json", "to_microseconds", "to_millennia", "to_milliseconds",
        "to_minutes", "to_months", "to_quarters", "to_seconds", "to_timestamp", "to_weeks", "to_years",
        "translate", "trim", "trunc", "try_strptime", "ucase", "unbin", "unhex", "unicode", "union_extract",
        "union_tag", "union_value", "unpivot_list", "upper", "url_decode", "url_encode",
        "uuid_extract_timestamp", "uuid_extract_version", "variant_array_length", "variant_comparator",
        "variant_contains", "variant_exists", "variant_extract", "variant_extract_string", "variant_keys",
        "variant_normalize", "variant_type", "variant_typeof", "vertex_extract", "week", "weekday",
        "weekofyear", "xor", "year", "yearweek", "|", "||", "~", "~~", "~~*", "~~~",
    }
)  # fmt: skip

# Collation functions (`x COLLATE de` calls collate_de / icu_collate_de): pure.
_LOCALES = (
    "aa", "af", "am", "ar", "ar_sa", "as", "az", "bal", "be", "bg", "blo", "bn", "bo", "br", "bs", "ca",
    "ceb", "chr", "cs", "cu", "cy", "da", "de", "de_at", "dsb", "dz", "ee", "el", "en", "en_us", "eo",
    "es", "et", "fa", "fa_af", "ff", "fi", "fil", "fo", "fr", "fr_ca", "fy", "ga", "gl", "gu", "ha",
    "haw", "he", "he_il", "hi", "hr", "hsb", "hu", "hy", "id", "id_id", "ig", "is", "it", "ja", "ka",
    "kk", "kl", "km", "kn", "ko", "kok", "ku", "ky", "lb", "lij", "lkt", "ln", "lo", "lt", "lv", "mk",
    "ml", "mn", "mr", "ms", "mt", "my", "nb", "nb_no", "ne", "nl", "nn", "no", "noaccent", "nso", "om",
    "or", "pa", "pa_in", "pl", "ps", "pt", "ro", "ru", "sa", "se", "sgs", "si", "sk", "sl", "smn", "sq",
    "sr", "sr_ba", "sr_me", "sr_rs", "ssy", "st", "sv", "sw", "ta", "te", "th", "tk", "tn", "to", "tr",
    "ug", "uk", "ur", "uz", "vi", "vo", "wae", "wo", "xh", "yi", "yo", "zh", "zh_cn", "zh_hk", "zh_mo",
    "zh_sg", "zh_tw", "zu",
)  # fmt: skip
COLLATIONS = frozenset(f"collate_{x}" for x in _LOCALES) | frozenset(f"icu_collate_{x}" for x in _LOCALES)

# Safe scalars whose safety is not obvious from the name.
_NOTED_SCALAR = frozenset(
    {
        # Volatile generators and clocks: safe (PostgreSQL has them too).
        "random", "uuid", "uuidv4", "uuidv7", "gen_random_uuid", "now", "today", "current_date",
        "get_current_time", "get_current_timestamp", "current_localtime", "current_localtimestamp",
        "transaction_timestamp",
        "hash", "md5", "sha1", "sha256",  # hashing of the argument
        # Lambda functions: a lambda body cannot hold a subquery ("subqueries in lambda expressions
        # are not supported"), and every function it calls is written in the statement, so checked.
        "list_transform", "apply", "array_apply", "array_transform", "list_apply",
        "list_filter", "filter", "array_filter", "list_reduce", "reduce", "array_reduce",
        "invoke",  # invoke(lambda x: ..., arg): calls the lambda written in the statement
        # Name an AGGREGATE function in a string (list_aggregate(l, 'max')): DuckDB looks it up among
        # aggregates only ('query', 'nextval', a macro: "Aggregate Function with name ... does not
        # exist"); every aggregate is safe.
        "aggregate", "list_aggregate", "array_aggregate", "list_aggr", "array_aggr",
        # Type helpers: compute on the type of their argument.
        "typeof", "can_cast_implicitly", "make_type", "get_type", "cast_to_type", "replace_type",
        "remap_struct",
        # Path STRING helpers: no file system call (path_join('/etc', 'passwd') is a string).
        "hive_partition_component", "parse_dirname", "parse_dirpath", "parse_filename", "parse_path",
        "path_join",
        "parse_duckdb_log_message",  # parses the string it is given; duckdb_logs itself is refused
        "create_sort_key", "icu_sort_key",  # binary sort keys of the arguments
        "alias",  # the text of its argument expression
        "vector_type",  # DuckDB's physical vector kind of the argument (CONSTANT_VECTOR, FLAT_VECTOR)
        # SQL <-> JSON syntax trees, no catalog and no execution (json_serialize_plan, which binds
        # against the catalog, and json_execute_serialized_sql, which runs, are not here).
        "json_serialize_sql", "json_deserialize_sql",
        "error",  # raises the error text it is given
        # sleep: PostgreSQL allows pg_sleep; the statement timeout (max_execution_time) bounds it.
        "sleep_ms",
    }
)  # fmt: skip

# DuckDB's built-in scalar macros (system.main): plain SQL over safe functions.
_MACRO_SCALAR = frozenset(
    {
        "ago", "array_append", "array_pop_back", "array_pop_front", "array_prepend", "array_push_back",
        "array_push_front", "array_reverse", "array_to_string", "array_to_string_comma_default",
        "assert_true", "date_add", "days_in_month", "fdiv", "if", "json", "list_any_value", "list_append",
        "list_approx_count_distinct", "list_avg", "list_bit_and", "list_bit_or", "list_bit_xor",
        "list_bool_and", "list_bool_or", "list_count", "list_entropy", "list_first", "list_histogram",
        "list_kurtosis", "list_kurtosis_pop", "list_last", "list_mad", "list_max", "list_median",
        "list_min", "list_mode", "list_prepend", "list_product", "list_reverse", "list_sem",
        "list_skewness", "list_stddev_pop", "list_stddev_samp", "list_string_agg", "list_sum",
        "list_var_pop", "list_var_samp", "map_contains_entry", "map_contains_value", "md5_number_lower",
        "md5_number_upper", "nullif", "split_part",
        # Set-returning macros (unnest(...) in the select list): generate rows from their arguments.
        "generate_subscripts", "regexp_split_to_table",
    }
)  # fmt: skip

# DuckDB's system.pg_catalog macros that are constants or pure expressions. (format_type,
# pg_get_constraintdef and pg_get_viewdef read the catalog: READS_CATALOG.)
_PG_CATALOG_MACROS = frozenset(
    {
        "col_description", "obj_description", "shobj_description",  # NULL
        "format_pg_type", "map_to_pg_oid", "map_type_id_to_pg_oid",  # CASE over their arguments
        # `true` constants: they tell a client nothing (DuckCDB's privileges are in the proxy).
        "has_any_column_privilege", "has_column_privilege", "has_database_privilege",
        "has_foreign_data_wrapper_privilege", "has_function_privilege", "has_language_privilege",
        "has_schema_privilege", "has_sequence_privilege", "has_server_privilege", "has_table_privilege",
        "has_tablespace_privilege", "pg_has_role",
        "inet_client_addr", "inet_client_port", "inet_server_addr", "inet_server_port",  # NULL
        "pg_collation_is_visible", "pg_conversion_is_visible", "pg_function_is_visible",
        "pg_opclass_is_visible", "pg_operator_is_visible", "pg_opfamily_is_visible",
        "pg_table_is_visible", "pg_ts_config_is_visible", "pg_ts_dict_is_visible",
        "pg_ts_parser_is_visible", "pg_ts_template_is_visible", "pg_type_is_visible",
        "pg_is_other_temp_schema", "pg_my_temp_schema",
        "pg_conf_load_time", "pg_postmaster_start_time",  # current_timestamp
        "pg_get_expr",  # returns its first argument
        "pg_size_pretty",  # format_bytes(x)
        "pg_sleep",  # sleep_ms(x * 1000)
        "pg_typeof",  # lower(typeof(x))
    }
)  # fmt: skip

SAFE_SCALAR = _PLAIN_SCALAR | COLLATIONS | _NOTED_SCALAR | _MACRO_SCALAR | _PG_CATALOG_MACROS

SAFE_AGGREGATE = frozenset(
    {
        "any_value", "approx_count_distinct", "approx_quantile", "approx_top_k", "arbitrary", "arg_max",
        "arg_max_null", "arg_max_nulls_last", "arg_min", "arg_min_null", "arg_min_nulls_last", "argmax",
        "argmin", "array_agg", "avg", "bit_and", "bit_or", "bit_xor", "bitstring_agg", "bool_and", "bool_or",
        "corr", "count", "count_if", "count_star", "countif", "covar_pop", "covar_samp", "decimal_average",
        "entropy", "favg", "first", "fsum", "group_concat", "histogram", "histogram_exact", "kahan_sum",
        "kurtosis", "kurtosis_pop", "last", "list", "listagg", "lttb", "mad", "max", "max_by", "mean",
        "median", "min", "min_by", "mode", "product", "quantile", "quantile_cont", "quantile_disc",
        "regr_avgx", "regr_avgy", "regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx",
        "regr_sxy", "regr_syy", "reservoir_quantile", "sem", "skewness", "stddev", "stddev_pop",
        "stddev_samp", "string_agg", "sum", "sum_no_overflow", "sumkahan", "var_pop", "var_samp", "variance",
        "variant_group_object",
        # Aggregate macros (system.main): plain SQL over safe aggregates.
        "geomean", "geometric_mean", "wavg", "weighted_avg", "json_group_array", "json_group_object",
        "json_group_structure", "variant_group_array",
    }
)  # fmt: skip
# NB "histogram" is the aggregate histogram(x) here; the TABLE macro histogram(source, col) is in
# EXECUTES_SQL. Check the namespace (expression or FROM), not only the name.

SAFE_WINDOW = frozenset(
    {
        "cume_dist", "dense_rank", "fill", "first_value", "lag", "last_value", "lead", "nth_value", "ntile",
        "percent_rank", "rank", "rank_dense", "row_number",
    }
)  # fmt: skip

SAFE_TABLE = frozenset(
    {
        "range", "generate_series", "unnest", "repeat", "repeat_row",  # rows from the arguments
        "json_each", "json_tree",  # rows of the JSON value given
        "icu_calendar_names", "pg_timezone_names",  # static lists (calendars, time zones)
    }
)  # fmt: skip
# The scalar forms of the same names (range(1, 3) is a list; unnest([..]) in the select list).
_SCALAR_TWINS = frozenset({"range", "generate_series", "unnest", "repeat"})

# ---------------------------------------------------------------- dangerous

# Run SQL, or read a table or view named in a STRING (or in a bare identifier: DuckDB turns an
# unbound identifier argument of a table function into a string, query_table(secret_t), unless
# table_function_identifier_conversion = 'DISABLE_IMPLICIT_STRING'). The proxy never sees the
# table they read, so privileges cannot be checked: refuse.
EXECUTES_SQL = frozenset(
    {
        "query",  # query('SELECT ...'): one SELECT / DESCRIBE / SUMMARIZE / SHOW, any table
        "query_table",  # query_table('t') or query_table(['t1', 't2']): the rows of any table
        "json_execute_serialized_sql",  # runs the statement json_serialize_sql(...) encoded
        "histogram",  # the TABLE macro histogram(source, col): query_table(source) inside
        "histogram_values",  # table macro, query_table(source) inside: values of any column
        # destroy_external_resource(fn, payload) calls the table function named fn with payload:
        # destroy_external_resource('query', 'SELECT error((SELECT s FROM secret_t))') runs the
        # query (result dropped, errors reported: the error text leaks the value).
        "destroy_external_resource",
        # External-resource registry (new in 2.x): names functions to call later by string.
        "create_external_resource", "register_external_resource", "register_external_resource_type",
        "duckdb_table_sample",  # duckdb_table_sample('t'): the rows DuckDB sampled from table t
        "pragma_storage_info",  # pragma_storage_info('t'): per-segment min/max of t's columns
        # json_serialize_plan('SELECT ... FROM t'): binds and plans the query against the catalog
        # (names and types of any table's columns; no rows).
        "json_serialize_plan",
    }
)  # fmt: skip

# Read the catalog. Every tenant may see the catalog in PostgreSQL, but DuckDB's listers also show
# view SQL, macro bodies, defaults and index expressions, and take table names in strings. Tenants
# read the catalog through the pg_catalog / information_schema shim instead; SHIM_USES are the
# ones our rewritten SQL (pgcompat/shim) calls: ours, not the tenant's, never checked.
READS_CATALOG = frozenset(
    {
        "duckdb_columns", "duckdb_constraints", "duckdb_dependencies", "duckdb_functions",
        "duckdb_indexes", "duckdb_schemas", "duckdb_sequences", "duckdb_tables", "duckdb_triggers",
        "duckdb_types", "duckdb_views",
        "duckdb_keywords", "duckdb_optimizers",  # static lists (harmless)
        "duckdb_prepared_statements", "duckdb_variables",  # the session's own (harmless)
        "pragma_table_info", "pragma_show",  # columns of a table named in a string
        "pragma_collations",  # static list (harmless)
        # index_key({'table': 't'}, 'idx', key...): looks up a named index of a table named in a
        # struct (tells whether it exists); computes the key from the arguments, reads no rows.
        "index_key",
        # system.pg_catalog macros over duckdb_types() / duckdb_constraints() / duckdb_views(); the
        # shim replaces calls by these names with its own (PG_CLIENT_FUNCTIONS).
        "format_type", "pg_get_constraintdef", "pg_get_viewdef",
    }
)  # fmt: skip
SHIM_USES = frozenset(
    {
        "duckdb_columns", "duckdb_constraints", "duckdb_functions", "duckdb_indexes", "duckdb_keywords",
        "duckdb_schemas", "duckdb_sequences", "duckdb_tables", "duckdb_types", "duckdb_views",
        "duckdb_databases", "pragma_database_size",  # REVEALS_SERVER, filtered to the PDB by the shim
        "current_setting", "getvariable",
    }
)  # fmt: skip
# Catalog VIEWS of system.main, read without parentheses (FROM duckdb_databases): relations, not
# function calls, so a function allow-list never sees them. The proxy must refuse them as
# relations (today tenant_tables() skips every duckdb_* name, and sandbox.REVEALING_FUNCTIONS is
# only matched against calls).
CATALOG_VIEWS = frozenset(
    {
        "duckdb_columns", "duckdb_constraints", "duckdb_indexes", "duckdb_schemas", "duckdb_tables",
        "duckdb_types", "duckdb_views", "sqlite_master", "sqlite_schema", "sqlite_temp_master",
        "sqlite_temp_schema",
    }
)  # fmt: skip
REVEALING_VIEWS = frozenset({"duckdb_databases", "pragma_database_list", "duckdb_logs"})  # file paths, logs

# Files (every reader takes paths, lists or globs; a URL would need httpfs, not built in).
READS_FILES = frozenset(
    {
        "read_csv", "read_csv_auto", "read_single_csv_file", "sniff_csv",
        "read_parquet", "parquet_scan", "read_single_parquet_file", "parquet_metadata", "parquet_schema",
        "parquet_file_metadata", "parquet_kv_metadata", "parquet_bloom_probe", "parquet_full_metadata",
        "parquet_page_index",
        "read_json", "read_json_auto", "read_json_objects", "read_json_objects_auto", "read_ndjson",
        "read_ndjson_auto", "read_ndjson_objects", "read_single_json_file",
        "read_text", "read_blob", "glob",
        "read_duckdb",  # new in 2.x: reads a table out of another DuckDB database FILE
    }
)  # fmt: skip
NETWORK = frozenset()  # none built in (no httpfs); an extension would add http_get, ... (refused: unknown)

# Reveal the server: settings (paths), databases and their files, memory, temp files, logs,
# extensions, secrets, other sessions.
REVEALS_SERVER = frozenset(
    {
        "duckdb_settings", "duckdb_databases", "duckdb_extensions", "duckdb_extension_repositories",
        "duckdb_secrets", "duckdb_secret_types", "duckdb_secret_type_parameters", "which_secret",
        "duckdb_temporary_files", "duckdb_memory", "duckdb_external_file_cache", "duckdb_eviction_queues",
        "duckdb_logs", "duckdb_log_contexts", "duckdb_logs_parsed", "duckdb_profiling_settings",
        "duckdb_live_query_metrics", "duckdb_available_metrics",
        "duckdb_connection_count", "duckdb_approx_database_count",  # other sessions of the PDB
        "duckdb_external_resources", "duckdb_external_resource_types", "duckdb_grammar_extensions",
        "duckdb_dialects", "duckdb_coordinate_systems",
        "pragma_database_size", "pragma_metadata_info", "pragma_platform", "pragma_user_agent",
        "pragma_version",
        "get_block_size",  # macro over pragma_database_size()
        # current_setting('temp_directory' / 'allowed_directories' / ...): server paths. Allowed
        # only as the shim rewrites it (CHECKED_ARGUMENT).
        "current_setting",
        "version",  # 'v2.0.1'
    }
)  # fmt: skip
# Of those, what tells a tenant nothing worth hiding (the DuckDB version is in our version()).
REVEALS_SERVER_HARMLESS = frozenset(
    {"version", "pragma_version", "pragma_platform", "duckdb_coordinate_systems", "duckdb_dialects"}
)

# Session state.
SESSION_STATE = frozenset(
    {
        "current_setting", "getvariable", "setseed", "nextval", "currval", "setval",
        "current_database", "current_catalog", "current_schema", "current_schemas", "in_search_path",
        "current_user", "current_role", "session_user", "user",  # macros: the constant 'duckdb'
        "current_query",  # the statement's own text
        "current_connection_id", "current_query_id", "current_transaction_id", "txid_current",
    }
)  # fmt: skip
SESSION_STATE_ALLOWED = SESSION_STATE - {"current_setting", "nextval", "currval", "setval"}
# getvariable reads the session's variables: the userenv_* ones the engine sets (SYS_CONTEXT, the
# shim's current_user / rolsuper) are the session's own facts. Tenants cannot change them: the proxy
# answers SET itself (proxy/set_show.py) and refuses SET VARIABLE x (not a PostgreSQL parameter),
# and query() accepts no SET. Keep it that way: DuckDB would accept SET VARIABLE userenv_is_dba.

# Sequences named in a STRING (must be a constant, but constant folding accepts 'se' || 'q1' and
# getvariable('x')): the privilege PostgreSQL asks for, on the sequence the literal names.
SEQUENCE_FUNCTIONS = {
    "nextval": "USAGE or UPDATE",
    "currval": "USAGE or SELECT",
    "setval": "UPDATE",
}

# Change the engine: not for tenants (checkpoint() bypasses lockdown's ALTER SYSTEM CHECKPOINT;
# the locked configuration already refuses enable_logging(), disable_logging(), enable_profiling(),
# disable_profiling(), add_grammar_extension(): "the configuration has been locked").
ENGINE_CONTROL = frozenset(
    {
        "checkpoint", "force_checkpoint", "enable_logging", "disable_logging", "truncate_duckdb_logs",
        "enable_profiling", "disable_profiling", "add_grammar_extension", "remove_grammar_extension",
        "deregister_external_resource",
        "write_log",  # scalar with a side effect: writes the DuckDB log (fills it)
    }
)  # fmt: skip

# PRAGMA functions (the PRAGMA statement is refused by the sandbox; CALL too).
PRAGMAS = frozenset(
    {
        "add_parquet_key", "collations", "copy_database", "database_list", "database_size",
        "disable_checkpoint_on_shutdown", "disable_object_cache", "disable_optimizer",
        "disable_print_progress_bar", "disable_profile", "disable_profiling", "disable_progress_bar",
        "disable_verification", "disable_verify_parallelism", "enable_checkpoint_on_shutdown",
        "enable_object_cache", "enable_optimizer", "enable_print_progress_bar", "enable_profile",
        "enable_profiling", "enable_progress_bar", "enable_verification", "extension_versions",
        "force_checkpoint", "functions", "import_database", "json_execute_serialized_sql",
        "metadata_info", "platform", "show", "show_databases", "show_tables", "show_tables_expanded",
        "storage_info", "table_info", "user_agent", "verify_parallelism", "version",
    }
)  # fmt: skip

# Not classified as safe with confidence: refused.
OTHER = frozenset(
    {
        # stats(col) shows the statistics of the BASE column: through a view that filters rows
        # (CREATE VIEW mine AS SELECT * FROM emp WHERE owner = 'me') it returns the min/max of
        # the whole table.
        "stats",
        # summary(t): t becomes the string 't' and summary runs forever, memory growing until the
        # kernel kills the engine (an OOM kill here); summary((SELECT ...)) is SUMMARIZE (lockdown
        # OLAP option).
        "summary",
        # Python client scans: take raw pointers / Python objects.
        "arrow_scan", "arrow_scan_dumb", "python_arrow_scan", "pandas_scan", "python_map_function",
        "seq_scan",  # internal, no bind function
        "test_all_types", "test_vector_types",  # DuckDB's test generators (harmless, nobody needs them)
        # Aggregate states as values (decoding blobs of internal formats).
        "finalize", "combine", "combine_aggr", "to_aggregate_state",
        "variant_bytes_to_variant", "variant_to_parquet_variant",  # parquet's internal encodings
        "json_copy_strftime_if_date", "json_copy_strftime_if_timestamp",  # COPY ... TO json helpers
        "__internal_json_copy_to_json", "__internal_json_copy_to_geojson",
        "__cast", "__between", "__internal_barrier",
        "__pg_exact_div",  # DuckCDB's numeric quotient (engine.pgmath): for the rewrites, not tenants
        "__pg_to_numeric", "__pg_float_numeric", "__pg_float_cast", "__pg_cast_any",  # engine.pgmath's exact numeric writes: the same
        "__pg_interval_text",  # engine.pgmath's interval text (x::text): the same
        # engine.jsonb's json_each / json_array_elements (pgcompat.jsonb, after the analysis): the same
        "pg_json_each", "pg_json_each_text", "pg_json_array_elements", "pg_json_array_elements_text",
        "pg_json_pretty_row", "pg_json_pretty_array",  # row_to_json / array_to_json(x, true)'s layout: the same
        "pg_jsonb_sortkey",  # ORDER BY a jsonb column (engine.declared): the same
    }
)  # fmt: skip
INTERNAL_PREFIX = "__internal_"  # compressed materialization, table filters: "for internal use only"

# ---------------------------------------------------------------- what clients call

# PostgreSQL functions the proxy translates before DuckDB sees them (pgcompat/shim FUNCTIONS and
# TABLE_FUNCTIONS, pgcompat/functions.py TRANSLATORS, pgcompat/rewrite.py). The sandbox analyses
# the client's text with only pgcompat.functions' translations applied, so these names ARE in what
# it judges (tests/unit/test_allowed_functions.py checks the shim's names are here).
PG_CLIENT_FUNCTIONS = frozenset(
    {
        "acldefault", "array_lower", "array_remove", "array_upper", "col_description", "current_database",
        "current_schema", "current_schemas", "current_setting", "format_type", "getdatabaseencoding",
        "obj_description", "pg_backend_pid", "pg_blocking_pids", "pg_char_to_encoding",
        "pg_client_encoding", "pg_database_size", "pg_encoding_to_char", "pg_function_is_visible",
        "pg_get_constraintdef", "pg_get_expr", "pg_get_function_arguments",
        "pg_get_function_identity_arguments", "pg_get_function_result", "pg_get_function_sqlbody",
        "pg_get_functiondef", "pg_get_indexdef", "pg_get_partition_constraintdef", "pg_get_partkeydef",
        "pg_get_ruledef", "pg_get_serial_sequence", "pg_get_statisticsobjdef_columns",
        "pg_get_triggerdef", "pg_get_userbyid", "pg_get_viewdef", "pg_get_wal_replay_pause_state",
        "pg_indexes_size", "pg_is_in_recovery", "pg_is_wal_replay_paused", "pg_last_wal_receive_lsn",
        "pg_last_wal_replay_lsn", "pg_last_xact_replay_timestamp", "pg_partition_ancestors",
        "pg_partition_root", "pg_relation_filenode", "pg_relation_filepath", "pg_relation_is_publishable",
        "pg_relation_size", "pg_size_pretty", "pg_stat_get_analyze_count", "pg_stat_get_autoanalyze_count",
        "pg_stat_get_autovacuum_count", "pg_stat_get_blocks_fetched", "pg_stat_get_blocks_hit",
        "pg_stat_get_dead_tuples", "pg_stat_get_last_analyze_time", "pg_stat_get_last_autoanalyze_time",
        "pg_stat_get_last_autovacuum_time", "pg_stat_get_last_scan", "pg_stat_get_last_vacuum_time",
        "pg_stat_get_live_tuples", "pg_stat_get_numscans", "pg_stat_get_tuples_deleted",
        "pg_stat_get_tuples_fetched", "pg_stat_get_tuples_hot_updated", "pg_stat_get_tuples_inserted",
        "pg_stat_get_tuples_returned", "pg_stat_get_tuples_updated", "pg_stat_get_vacuum_count",
        "pg_statistics_obj_is_visible", "pg_table_is_visible", "pg_table_size", "pg_tablespace_location",
        "pg_total_relation_size", "pg_type_is_visible", "quote_ident", "quote_literal", "set_config",
        "shobj_description", "to_regclass", "to_regnamespace", "to_regproc", "to_regtype", "version",
        # pgcompat/functions.py TRANSLATORS (left as written when not translatable: then DuckDB's
        # own format / substring run, both safe; to_char and parse_ident DuckDB lacks).
        "to_char", "format", "parse_ident", "substring",
        # pgcompat/pg_builtins.py: TRANSLATORS (into DuckDB's own functions) and MACRO_CALLS (into
        # engine.pgmath's macros, after the analysis)
        "array_dims", "array_ndims", "array_replace", "btrim", "convert_from", "convert_to", "date_bin",
        "every", "float4", "float8", "initcap", "int2", "int4", "int8", "json_agg", "json_object_agg", "json_object_keys",
        "json_typeof", "make_interval", "quote_nullable", "regexp_count", "regexp_like", "regexp_match",
        "regexp_substr", "scale", "string_to_table", "text", "to_date", "trim_scale",
        "div", "justify_days", "justify_hours", "width_bucket", "get_byte", "to_number",
        # pgcompat/rewrite.py
        "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
        # pgcompat/jsonb.py (over the engine's pg_jsonb_* functions, engine.jsonb)
        "jsonb_agg", "jsonb_object_agg", "to_jsonb", "jsonb_strip_nulls", "jsonb_pretty", "jsonb_typeof",
        "jsonb_array_length", "jsonb_object_keys", "jsonb_array_elements", "jsonb_array_elements_text",
        "jsonb_each", "jsonb_each_text", "jsonb_set", "jsonb_insert",
        "json_each", "json_each_text", "json_array_elements", "json_array_elements_text",  # (json's own text)
        "jsonb_extract_path", "jsonb_extract_path_text",  # (json_extract_path / _text: DuckDB's names too)
        "sys_context",  # SYS_CONTEXT('USERENV', 'X') -> getvariable('userenv_x')
        "_pg_expandarray",  # information_schema._pg_expandarray(a) -> unnest(list_transform(...))
        "pg_advisory_unlock_all",
    }
)  # fmt: skip
PG_CLIENT_TABLE_FUNCTIONS = frozenset(
    {
        "pg_show_all_settings", "pg_get_keywords", "pg_options_to_table",
        "jsonb_array_elements", "jsonb_array_elements_text", "jsonb_each", "jsonb_each_text", "jsonb_object_keys",
        "json_each_text", "json_array_elements", "json_array_elements_text",
    }
)  # fmt: skip
# Of those, names DuckDB also has: when the shim's rewrite does not fire (x.current_setting(),
# system.main.current_setting(...), "current_setting"(...)), DuckDB's own runs. Only
# current_setting is harmful that way (server paths); the others read the catalog.
SHIM_FALLBACK_RISK = frozenset({"current_setting", "format_type", "pg_get_constraintdef", "pg_get_viewdef"})

# Calls the PARSER handles (no duckdb_functions() row): the name a checker sees for them.
PARSER_FORMS = frozenset(
    {
        "cast", "try_cast", "coalesce", "ifnull", "extract", "grouping", "grouping_id", "columns",
        "exists", "array", "current_time", "current_timestamp", "localtime", "localtimestamp", "try",
        "date",  # date('2020-01-01'): a cast
        # Ordered-set aggregates: percentile_cont(0.5) WITHIN GROUP (ORDER BY x) is quantile_cont(x, 0.5)
        "percentile_cont", "percentile_disc",
    }
)  # fmt: skip

# Arguments that must be checked, not only the name: a plain string literal, judged.
CHECKED_ARGUMENT = {
    "current_setting": "a literal naming a PostgreSQL parameter (pgcompat.params), else refuse",
    **{
        name: f"a literal naming a sequence the user holds {priv} on"
        for name, priv in SEQUENCE_FUNCTIONS.items()
    },
}

# ---------------------------------------------------------------- the allow-list

# Names a tenant may call in an expression (select list, WHERE, DEFAULT, CHECK, macro bodies...);
# CHECKED_ARGUMENT names pass only with the argument check too.
ALLOWED_CALLS = (
    SAFE_SCALAR
    | _SCALAR_TWINS
    | SAFE_AGGREGATE
    | SAFE_WINDOW
    | SESSION_STATE_ALLOWED
    | frozenset({"version"})  # the one REVEALS_SERVER_HARMLESS name clients call (the shim answers it)
    | PG_CLIENT_FUNCTIONS
    | PARSER_FORMS
    | frozenset(CHECKED_ARGUMENT)
)
# Names a tenant may call in FROM / JOIN / LATERAL: the safe table functions, and the allowed
# scalar functions (PostgreSQL gives one row of their value; pgcompat rewrites them so) except
# those DuckDB also has as a table function that is not safe (the table macro histogram).
TABLE_TWINS_REFUSED = frozenset({"histogram"})
ALLOWED_TABLE_FUNCTIONS = SAFE_TABLE | PG_CLIENT_TABLE_FUNCTIONS | (ALLOWED_CALLS - TABLE_TWINS_REFUSED)

CATEGORIES = {
    "SAFE_SCALAR": SAFE_SCALAR,
    "SAFE_AGGREGATE": SAFE_AGGREGATE,
    "SAFE_WINDOW": SAFE_WINDOW,
    "SAFE_TABLE": SAFE_TABLE,
    "EXECUTES_SQL": EXECUTES_SQL,
    "READS_CATALOG": READS_CATALOG,
    "READS_FILES": READS_FILES,
    "NETWORK": NETWORK,
    "REVEALS_SERVER": REVEALS_SERVER,
    "SESSION_STATE": SESSION_STATE,
    "ENGINE_CONTROL": ENGINE_CONTROL,
    "PRAGMAS": PRAGMAS,
    "OTHER": OTHER,
}


def category_of(name: str) -> list[str]:
    """The categories a function name is in (lower-cased; __internal_* is OTHER)."""
    n = name.lower()
    found = [c for c, names in CATEGORIES.items() if n in names]
    if n.startswith(INTERNAL_PREFIX) and "OTHER" not in found:
        found.append("OTHER")
    return found


# DuckDB's built-in views of system.main, read without parentheses (FROM duckdb_databases): the
# engine's catalog, file paths and logs. Tenants read the catalog through the pg_catalog /
# information_schema emulation; these are refused as relations.
SYSTEM_VIEWS = CATALOG_VIEWS | REVEALING_VIEWS


@lru_cache(maxsize=1)
def duckdb_names() -> frozenset[str]:
    """Every function name of the DuckDB installed, read once: a name it has that no category
    holds (a DuckDB upgrade's new function) is refused until classified here."""
    with duckdb.connect() as con:
        rows = con.execute("SELECT DISTINCT lower(function_name) FROM duckdb_functions()").fetchall()
    return frozenset(r[0] for r in rows)


def is_builtin(name: str) -> bool:
    """Whether DuckDB (or our PostgreSQL emulation) has a function of this name: a call of it
    is judged by the allow-list, and a tenant macro of the same name would shadow it."""
    n = name.lower()
    return n in duckdb_names() or bool(category_of(n)) or n in ALLOWED_CALLS or n in ALLOWED_TABLE_FUNCTIONS
