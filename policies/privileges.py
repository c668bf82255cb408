"""Object privileges: who may read and write which tables of a PDB, checked before a statement runs.

A user holds what was granted to it, to PUBLIC and to its roles (recursively), in its container.
The ANY privileges (SELECT ANY TABLE, INSERT ANY TABLE, ...; PDB_DBA and DBA have them) cover
every table. Creating objects needs CREATE TABLE (or CREATE ANY TABLE); DuckDB keeps no owners,
so whoever may create tables may also alter and drop them.
"""

from __future__ import annotations

import dataclasses
import weakref

from pgcompat.analysis import Analysis, canonical_schema, tenant_tables
from pgcompat.statements import Statement
from policies.sandbox import Violation
from policies.source import PolicySource, Principal

_WRITES = {"insert": "INSERT", "update": "UPDATE", "delete": "DELETE", "merge": "UPDATE"}
_DDL_PRIVILEGES = ("CREATE TABLE", "CREATE ANY TABLE")


# Per store: (catalog change stamp, {(user, con_id): (system privileges, object privileges)}).
_CACHE: weakref.WeakKeyDictionary[
    PolicySource, tuple[tuple[int, int], dict[tuple[str, int], tuple[set[str], set[tuple[str, str, str]]]]]
] = weakref.WeakKeyDictionary()


def _held(store: PolicySource, user: Principal, con_id: int) -> tuple[set[str], set[tuple[str, str, str]]]:
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


# What PostgreSQL asks of a sequence's caller (USAGE, which we do not model, would do for both).
_SEQUENCE_PRIVILEGES = {"nextval": "UPDATE", "setval": "UPDATE", "currval": "SELECT"}


def _sequences(a: Analysis) -> list[tuple[str, str, str]]:
    """The privilege each sequence named in nextval / setval / currval('literal') needs."""
    out = []
    for fn, arg in a.string_args:
        priv = _SEQUENCE_PRIVILEGES.get(fn)
        if priv is None or fn not in a.calls:
            continue
        parts = [p.strip().strip('"') for p in arg.split(".")]
        schema, name = (parts[-2] if len(parts) > 1 else ""), parts[-1]
        out.append((priv, canonical_schema(schema.lower()), name.lower()))
    return out


def check(
    store: PolicySource,
    user: Principal,
    con_id: int,
    st: Statement,
    a: Analysis,
    dictionary_views: frozenset[str],
) -> Violation | None:
    if user.name == "SYS":
        return None
    system, held = _held(store, user, con_id)
    ddl = st.kind == "ddl" and st.tag.startswith(("CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT"))
    if ddl and not any(p in system for p in (*_DDL_PRIVILEGES, "DROP ANY TABLE")):
        return Violation("PRIVILEGE", f"{st.tag} needs the CREATE TABLE privilege")
    needed: list[tuple[str, str, str]] = []
    write = _WRITES.get(st.kind)
    target = (canonical_schema(a.target[1]), a.target[2]) if write and a.target is not None else None
    if target is not None:
        needed.append((write, *target))
    created = a.creates_from_query
    if created is not None:
        # CREATE TABLE / VIEW ... AS SELECT reads its tables: SELECT on them, as for the query alone.
        target = (canonical_schema(created[1]), created[2])
    if st.kind != "ddl" or created is not None:
        needed += [("SELECT", *t) for t in tenant_tables(a, dictionary_views) if t != target]
    elif a.ddl_reads:
        # A macro body, CREATE TYPE ... AS ENUM (SELECT ...): what the query reads, as for the query alone.
        reads = dataclasses.replace(a, tables=a.ddl_reads)
        needed += [("SELECT", *t) for t in tenant_tables(reads, dictionary_views)]
    needed += _sequences(a)
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
