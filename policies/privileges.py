"""Object privileges: who may read and write which tables of a PDB, checked before a statement runs.

A user holds what was granted to it, to PUBLIC and to its roles (recursively), in its container.
The ANY privileges (SELECT ANY TABLE, INSERT ANY TABLE, ...; PDB_DBA and DBA have them) cover
every table. Creating objects needs CREATE TABLE (or CREATE ANY TABLE); DuckDB keeps no owners,
so whoever may create tables may also alter and drop them.
"""

from __future__ import annotations

from catalog.store import CatalogStore, User
from policies.analysis import Analysis
from policies.sandbox import Violation
from policies.statements import Statement

_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "temp", "system"})
_WRITES = {"insert": "INSERT", "update": "UPDATE", "delete": "DELETE", "merge": "UPDATE"}
_DDL_PRIVILEGES = ("CREATE TABLE", "CREATE ANY TABLE")


def _schema(schema: str) -> str:
    return "main" if schema in ("", "public") else schema


def check(
    store: CatalogStore, user: User, con_id: int, st: Statement, a: Analysis, dictionary_views: frozenset[str]
) -> Violation | None:
    if user.name == "SYS":
        return None
    system = store.effective_privileges(user.name, con_id)
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
    held: set[tuple[str, str, str]] | None = None
    for priv, schema, name in needed:
        if f"{priv} ANY TABLE" in system:
            continue
        if held is None:
            grantees = {user.name, "PUBLIC"} | store.effective_roles(user.name, con_id)
            held = store.object_privileges(grantees, con_id)
        if (schema, name, priv) in held or (schema, "*", priv) in held:
            continue
        shown = "public" if schema == "main" else schema
        return Violation("PRIVILEGE", f"{priv} on {shown}.{name} is not granted to {user.name}")
    return None
