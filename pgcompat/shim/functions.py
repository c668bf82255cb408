"""pg_catalog's functions (pg_get_*, regclass and friends, format_type, ...) and keywords, as templates that build DuckDB expressions."""

from __future__ import annotations

from collections.abc import Callable

from pgcompat.params import PARAMS
from pgcompat.shim.relations import CUR, MINE, PROC_OID, VIEW_BODY
from pgcompat.shim.sql import (
    CATALOG_OIDS,
    CONIDX_BASE,
    OWNER_OID,
    PDB_NAME,
    SESSION_USER,
    VERSION_STRING,
    lit,
    lookup,
    qi,
    ref,
    string_value,
)
from pgcompat.shim.types import TYPE_ALIASES, TYPE_NAMES, format_type
from pgwire import types as oids

VIS_SRC = f"SELECT r.oid, n.__visible FROM {ref('rel_ns')} r JOIN {ref('ns')} n ON n.oid = r.ns"


def table_is_visible(x: str) -> str:
    """pg_table_is_visible: the relation's schema is on the search path (synthetic index oids
    count as their table)."""
    rel = f"CASE WHEN ({x}) >= {CONIDX_BASE} THEN (({x}) - {CONIDX_BASE}) // 1024 ELSE ({x}) END"
    return f"coalesce({lookup(ref('vis'), 'oid', '__visible', rel)}, false)"


CLASS_NS = f"""SELECT c.oid, c.relname, n.nspname, n.__visible,
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


def regclass_cast(x: str) -> str:
    """'name'::regclass: as regclass_in, but a relation that does not exist is PostgreSQL's 42P01
    (to_regclass answers NULL for it)."""
    s = f"CAST(({x}) AS VARCHAR)"
    missing = f"error('relation \"' || {s} || '\" does not exist')"
    return f"CASE WHEN ({x}) IS NOT NULL THEN coalesce({regclass_in(x)}, {missing}) END"


def regtype_in(x: str) -> str:
    names = {n: o for o, n in TYPE_NAMES.items()} | TYPE_ALIASES
    names |= {n: o for o, n in oids.PG_TYPE_NAMES.items()}
    whens = " ".join(f"WHEN {lit(n)} THEN {o}" for n, o in sorted(names.items()))
    s = f"lower(trim(CAST(({x}) AS VARCHAR)))"
    user = lookup("duckdb_types()", "lower(type_name)", "type_oid", s, "NOT internal")
    return f"CASE WHEN regexp_full_match({s}, '[0-9]+') THEN CAST({s} AS BIGINT) ELSE coalesce(CASE regexp_replace({s}, '^pg_catalog\\.', '') {whens} END, {user}) END"


def regproc_out(x: str) -> str:
    """oid::regproc as text (pg_am's amhandler is the handler's name already: it stays)."""
    found = lookup(
        "duckdb_functions()", PROC_OID, "function_name", f"TRY_CAST(CAST(({x}) AS VARCHAR) AS BIGINT)"
    )
    return f"coalesce({found}, CAST(({x}) AS VARCHAR))"


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
    "regclass": (regclass_cast, regclass_out),
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
    src = f"SELECT view_oid, view_name, {VIEW_BODY} AS body FROM duckdb_views() WHERE database_name = {CUR}"
    s = f"CAST(({v}) AS VARCHAR)"
    return f"coalesce({lookup(f'({src})', 'CAST(view_oid AS VARCHAR)', 'body', s)}, {lookup(f'({src})', 'view_name', 'body', s)})"


REL_COMMENTS = f"""SELECT table_oid AS objoid, comment FROM duckdb_tables() WHERE {MINE} AND comment IS NOT NULL
UNION ALL SELECT view_oid, comment FROM duckdb_views() WHERE {MINE} AND comment IS NOT NULL
UNION ALL SELECT sequence_oid, comment FROM duckdb_sequences() WHERE {MINE} AND comment IS NOT NULL
UNION ALL SELECT index_oid, comment FROM duckdb_indexes() WHERE {MINE} AND comment IS NOT NULL"""


def _description(oid: str, catalog: str = "NULL") -> str:
    """obj_description(oid, 'pg_class'): the COMMENT ON of a relation (or function, schema)."""
    cat = (string_value(catalog) or "").lower()
    if cat == "pg_class":
        src = ref("rel_comments")
    elif cat == "pg_namespace":
        src = f"(SELECT oid AS objoid, __comment AS comment FROM {ref('ns')})"
    elif cat == "pg_proc":
        src = f"(SELECT function_oid AS objoid, comment FROM duckdb_functions() WHERE database_name = {CUR})"
    else:
        src = f"(SELECT objoid, description AS comment FROM {ref('pg_description')} WHERE objsubid = 0)"
    return lookup(src, "objoid", "comment", oid)


def _col_description(oid: str, num: str) -> str:
    src = f"SELECT * FROM duckdb_columns() WHERE {MINE} AND comment IS NOT NULL"
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


# acldefault(kind, owner): the privileges an object of this kind has before any GRANT (PostgreSQL
# 15's defaults: the owner holds every right, PUBLIC some on databases, functions, languages, types).
_ACL_DEFAULTS = {
    "c": ("", ""),
    "r": ("", "arwdDxt"),
    "s": ("", "rwU"),
    "d": ("Tc", "CTc"),
    "f": ("X", "X"),
    "l": ("U", "U"),
    "L": ("", "rw"),
    "n": ("", "UC"),
    "t": ("", "C"),
    "F": ("", "U"),
    "S": ("", "U"),
    "T": ("U", "U"),
}


def _acldefault(kind: str, owner: str) -> str:
    """acldefault('r', owner) as aclitem[] text items ({owner=arwdDxt/owner}); the owner is the
    session's user (every object is its own, see the shim's notes)."""
    who = userbyid(owner)
    cases = []
    for k, (public, mine) in _ACL_DEFAULTS.items():
        items = ([f"'={public}/' || __o"] if public else []) + ([f"__o || '={mine}/' || __o"] if mine else [])
        cases.append(f"WHEN {lit(k)} THEN [{', '.join(items)}]")
    body = f"CASE CAST(({kind}) AS VARCHAR) {' '.join(cases)} END"
    return f"(SELECT CAST({body} AS VARCHAR[]) FROM (SELECT {who} AS __o))"


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
    "acldefault": _one(2)(_acldefault),
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
        f"(SELECT first(total_blocks * block_size) FROM pragma_database_size() WHERE database_name = {CUR})",
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


def _options_to_table(options: str) -> str:
    """pg_options_to_table(array of 'name=value'): a row (option_name, option_value) each."""
    o = "__opt"
    return (
        f"SELECT split_part({o}, '=', 1) AS option_name, "
        f"CASE WHEN strpos({o}, '=') > 0 THEN substr({o}, strpos({o}, '=') + 1) END AS option_value "
        f"FROM (SELECT unnest(CAST(({options}) AS VARCHAR[])) AS {o})"
    )


# Set-returning catalog functions with arguments, read in FROM: name -> template(arguments) -> SELECT.
TABLE_FUNCTION_TEMPLATES: dict[str, Callable[[list[str]], str | None]] = {
    "pg_options_to_table": _one(1)(_options_to_table),
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
