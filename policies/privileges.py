"""Object privileges: who may read and write which tables of a PDB, checked before a statement runs.

A user holds what was granted to it, to PUBLIC and to its roles (recursively), in its container.
The ANY privileges (SELECT ANY TABLE, INSERT ANY TABLE, ...; PDB_DBA and DBA have them) cover
every table. Creating objects needs CREATE TABLE (or CREATE ANY TABLE); DuckDB keeps no owners,
so whoever may create tables may also alter and drop them.
"""

from __future__ import annotations

import weakref

from catalog.store import CatalogStore, User
from policies.analysis import Analysis
from policies.sandbox import Violation
from policies.statements import Statement

_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "temp", "system"})
_WRITES = {"insert": "INSERT", "update": "UPDATE", "delete": "DELETE", "merge": "UPDATE"}
_DDL_PRIVILEGES = ("CREATE TABLE", "CREATE ANY TABLE")


def _schema(schema: str) -> str:
    return "main" if schema in ("", "public") else schema


# Per store: (catalog change stamp, {(user, con_id): (system privileges, object privileges)}).
_CACHE: weakref.WeakKeyDictionary[
    CatalogStore, tuple[tuple[int, int], dict[tuple[str, int], tuple[set[str], set[tuple[str, str, str]]]]]
] = weakref.WeakKeyDictionary()


def _held(store: CatalogStore, user: User, con_id: int) -> tuple[set[str], set[tuple[str, str, str]]]:
    """What user holds in con_id (directly, through PUBLIC and roles), cached until the catalog changes."""
    stamp = store.change_stamp()
    entry = _CACHE.get(store) if stamp is not None else None
    if stamp is not None and (entry is None or entry[0] != stamp):
        entry = (stamp, {})
        _CACHE[store] = entry
    key = (user.name, con_id)
    if entry is not None and key in entry[1]:
        return entry[1][key]
    system = store.effective_privileges(user.name, con_id)
    objects = store.object_privileges(
        {user.name, "PUBLIC"} | store.effective_roles(user.name, con_id), con_id
    )
    if entry is not None:
        entry[1][key] = (system, objects)
    return system, objects


def check(
    store: CatalogStore, user: User, con_id: int, st: Statement, a: Analysis, dictionary_views: frozenset[str]
) -> Violation | None:
    if user.name == "SYS":
        return None
    system, held = _held(store, user, con_id)
    ddl = st.kind == "ddl" and st.tag.startswith(("CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT"))
    if ddl and not any(p in system for p in (*_DDL_PRIVILEGES, "DROP ANY TABLE")):
        return Violation("PRIVILEGE", f"{st.tag} needs the CREATE TABLE privilege")
    needed: list[tuple[str, str, str]] = []
    write = _WRITES.get(st.kind)
    if write and a.target is not None:
        needed.append((write, _schema(a.target[1]), a.target[2]))
    for _catalog, schema, name in a.tables:
        if not name or schema in _SYSTEM_SCHEMAS or name.startswith(("pg_", "duckdb_")):
            continue
        if not schema and (name in a.ctes or name.upper() in dictionary_views or name in a.file_tables):
            continue
        if a.target is not None and (schema, name) == (a.target[1], a.target[2]) and write:
            continue
        if st.kind != "ddl":
            needed.append(("SELECT", _schema(schema), name))
    if not needed:
        return None
    for priv, schema, name in needed:
        if f"{priv} ANY TABLE" in system:
            continue
        if (schema, name, priv) in held or (schema, "*", priv) in held:
            continue
        shown = "public" if schema == "main" else schema
        return Violation("PRIVILEGE", f"{priv} on {shown}.{name} is not granted to {user.name}")
    return None
