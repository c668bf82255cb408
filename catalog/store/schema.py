"""The catalog's schema: the baseline tables, then numbered migrations, each applied once, in
order, in one transaction with the schema version (PRAGMA user_version) it brings the file to."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from catalog.store.models import SHIPPED_LOCKDOWN_PROFILES

BASELINE = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS containers (
    con_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    guid TEXT NOT NULL UNIQUE,
    dbid INTEGER NOT NULL,
    status TEXT NOT NULL,
    open_mode TEXT NOT NULL,
    restricted INTEGER NOT NULL DEFAULT 0,
    saved_state TEXT,
    last_open_mode TEXT,
    pending_op TEXT,
    tier TEXT NOT NULL,
    max_size INTEGER,
    max_temp_size INTEGER,
    creation_scn INTEGER NOT NULL,
    created_at REAL NOT NULL,
    open_time REAL
);
CREATE TABLE IF NOT EXISTS users (
    name TEXT NOT NULL,
    con_id INTEGER NOT NULL,
    common INTEGER NOT NULL,
    scram TEXT NOT NULL,
    md5 TEXT,
    account_status TEXT NOT NULL DEFAULT 'OPEN',
    created_at REAL NOT NULL,
    PRIMARY KEY (name, con_id)
);
CREATE TABLE IF NOT EXISTS sys_privs (
    grantee TEXT NOT NULL,
    con_id INTEGER NOT NULL,
    privilege TEXT NOT NULL,
    common INTEGER NOT NULL,
    PRIMARY KEY (grantee, con_id, privilege)
);
CREATE TABLE IF NOT EXISTS role_privs (
    grantee TEXT NOT NULL,
    con_id INTEGER NOT NULL,
    role TEXT NOT NULL,
    common INTEGER NOT NULL,
    PRIMARY KEY (grantee, con_id, role)
);
CREATE TABLE IF NOT EXISTS roles (
    name TEXT NOT NULL,
    con_id INTEGER NOT NULL,
    common INTEGER NOT NULL,
    oracle_maintained INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    PRIMARY KEY (name, con_id)
);
CREATE TABLE IF NOT EXISTS obj_privs (
    grantee TEXT NOT NULL,
    con_id INTEGER NOT NULL,
    schema_name TEXT NOT NULL,
    object_name TEXT NOT NULL,  -- '*': every table of the schema (ON SCHEMA / ON ALL TABLES IN SCHEMA)
    privilege TEXT NOT NULL,
    PRIMARY KEY (grantee, con_id, schema_name, object_name, privilege)
);
CREATE TABLE IF NOT EXISTS audit_trail (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    con_id INTEGER NOT NULL,
    pdb_name TEXT NOT NULL,
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    action TEXT NOT NULL,
    statement TEXT,
    rule TEXT NOT NULL,
    sqlstate TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plug_violations (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    name TEXT NOT NULL,
    cause TEXT NOT NULL,
    type TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'PENDING',
    action TEXT
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    pdb_name TEXT NOT NULL,
    con_id INTEGER NOT NULL,
    guid TEXT NOT NULL,
    operation TEXT NOT NULL,
    op_time REAL NOT NULL,
    cloned_from TEXT
);
-- Lockdown profiles (catalog.commands.lockdown, policies.lockdown). base: the profile named by INCLUDING,
-- whose rules are followed at check time. Rules apply in id order; list columns hold JSON arrays.
CREATE TABLE IF NOT EXISTS lockdown_profiles (
    name TEXT PRIMARY KEY,
    base TEXT,
    shipped INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS lockdown_rules (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL REFERENCES lockdown_profiles (name) ON DELETE CASCADE,
    rule_type TEXT NOT NULL,
    rule TEXT NOT NULL,
    rule_except TEXT NOT NULL DEFAULT '[]',
    clause TEXT,
    clause_except TEXT NOT NULL DEFAULT '[]',
    clause_option TEXT,
    option_except TEXT NOT NULL DEFAULT '[]',
    option_values TEXT NOT NULL DEFAULT '[]',
    min_value TEXT,
    max_value TEXT,
    status TEXT NOT NULL,
    users TEXT NOT NULL
);
-- PDB_LOCKDOWN: con_id 1 (CDB$ROOT) holds the CDB-wide profile, a PDB's row its own.
CREATE TABLE IF NOT EXISTS lockdown_assignments (
    con_id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS containers_lockdown AFTER DELETE ON containers
BEGIN
    DELETE FROM lockdown_assignments WHERE con_id = OLD.con_id;
END;
-- Resource parameters a PDB sets over its service tier (ALTER SYSTEM SET); canonical text values.
CREATE TABLE IF NOT EXISTS pdb_parameters (
    con_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (con_id, name)
);
-- CDB resource plans and their PDB directives (DBMS_RESOURCE_MANAGER); pdb is a PDB's name or
-- ORA$DEFAULT_PDB_DIRECTIVE; NULL figures: the tier's shares, 100 percent.
CREATE TABLE IF NOT EXISTS cdb_plans (
    plan TEXT PRIMARY KEY,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS cdb_plan_directives (
    plan TEXT NOT NULL REFERENCES cdb_plans(plan) ON DELETE CASCADE,
    pdb TEXT NOT NULL,
    shares INTEGER,
    utilization_limit INTEGER,
    parallel_server_limit INTEGER,
    PRIMARY KEY (plan, pdb)
);
CREATE TRIGGER IF NOT EXISTS containers_parameters AFTER DELETE ON containers
BEGIN
    DELETE FROM pdb_parameters WHERE con_id = OLD.con_id;
END;
"""


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def _columns_and_user_ids(db: sqlite3.Connection) -> None:
    """Columns added before versions were kept (each added only where missing), common grants
    moved to COMMON_GRANT, USER_IDs, the shipped lockdown profiles."""
    if "allowed_schemas" not in _columns(db, "users"):
        # NULL: every schema; else a JSON list of lower-case schema names.
        db.execute("ALTER TABLE users ADD COLUMN allowed_schemas TEXT")
    if "session_limits" not in _columns(db, "users"):
        # NULL: none; else JSON {parameter: canonical value} (ALTER USER ... SET).
        db.execute("ALTER TABLE users ADD COLUMN session_limits TEXT")
    if "snapshot_of" not in _columns(db, "containers"):
        db.execute("ALTER TABLE containers ADD COLUMN snapshot_of INTEGER")
    if "user_id" not in _columns(db, "users"):
        db.execute("ALTER TABLE users ADD COLUMN user_id INTEGER")
    for table in ("sys_privs", "role_privs"):
        if "admin_option" not in _columns(db, table):
            db.execute(f"ALTER TABLE {table} ADD COLUMN admin_option INTEGER NOT NULL DEFAULT 0")
        db.execute(f"UPDATE OR IGNORE {table} SET con_id = 0 WHERE common = 1 AND con_id != 0")
        db.execute(f"DELETE FROM {table} WHERE common = 1 AND con_id != 0")
    # USER_ID as in DBA_USERS: SYS is 0, others count up from 101 and are never reused. A
    # trigger, so that every way of inserting a user (clones, plug-ins) gets one.
    db.execute("INSERT OR IGNORE INTO meta VALUES ('next_user_id', '100')")
    db.execute(
        "CREATE TRIGGER IF NOT EXISTS users_user_id AFTER INSERT ON users WHEN NEW.user_id IS NULL"
        " BEGIN"
        " UPDATE meta SET value = CAST(value AS INTEGER) + 1"
        "  WHERE key = 'next_user_id' AND NOT (NEW.name = 'SYS' AND NEW.common = 1);"
        " UPDATE users SET user_id = CASE WHEN NEW.name = 'SYS' AND NEW.common = 1 THEN 0"
        "  ELSE (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_user_id') END"
        "  WHERE rowid = NEW.rowid;"
        " END"
    )
    for rowid, name, common in db.execute(
        "SELECT rowid, name, common FROM users WHERE user_id IS NULL ORDER BY rowid"
    ).fetchall():
        if name == "SYS" and common:
            db.execute("UPDATE users SET user_id = 0 WHERE rowid = ?", (rowid,))
            continue
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'next_user_id'")
        db.execute(
            "UPDATE users SET user_id = (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_user_id')"
            " WHERE rowid = ?",
            (rowid,),
        )
    # The shipped lockdown profiles: empty, present in every catalog.
    for name in SHIPPED_LOCKDOWN_PROFILES:
        db.execute(
            "INSERT INTO lockdown_profiles (name, base, shipped, created_at) VALUES (?, NULL, 1, ?)"
            " ON CONFLICT (name) DO UPDATE SET shipped = 1",
            (name, time.time()),
        )


def _tenants(db: sqlite3.Connection) -> None:
    """Tenants (tenants.ops): customers owning PDBs, their state changes, templates and archives."""
    # One statement at a time: executescript would commit the migration's transaction.
    stmt = ""
    for line in TENANT_TABLES.splitlines(keepends=True):
        if line.startswith("--"):
            continue
        stmt += line
        if sqlite3.complete_statement(stmt):
            db.execute(stmt)
            stmt = ""
    # DBA holds every system privilege: the new ones too, in catalogs made before them (a new
    # catalog's DBA is seeded with all of them). A REVOKE made from DBA before stays.
    for privilege in ("CREATE TENANT", "ALTER TENANT", "DROP TENANT"):
        db.execute(
            "INSERT OR IGNORE INTO sys_privs (grantee, con_id, privilege, common, admin_option)"
            " VALUES ('DBA', 0, ?, 1, 0)",
            (privilege,),
        )


# Tenants and what hangs on them (the tenants package runs the operations; catalog.store.tenants
# reads and writes these rows). labels, quota, parameters: JSON objects.
TENANT_TABLES = """
CREATE TABLE IF NOT EXISTS tenants (
    name TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    contact TEXT,
    tier TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    labels TEXT NOT NULL DEFAULT '{}',
    auto_scaling INTEGER NOT NULL DEFAULT 0,
    backup INTEGER NOT NULL DEFAULT 0,
    template TEXT,
    quota TEXT NOT NULL DEFAULT '{}',
    admin_user TEXT,
    pending_op TEXT,
    created_at REAL NOT NULL,
    changed_at REAL NOT NULL,
    purge_after REAL
);
-- The PDBs a tenant owns; prior_*: how each was open before a SUSPEND (RESUME restores it).
CREATE TABLE IF NOT EXISTS tenant_pdbs (
    con_id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
    prior_open_mode TEXT,
    prior_restricted INTEGER NOT NULL DEFAULT 0,
    prior_saved_state TEXT
);
CREATE TRIGGER IF NOT EXISTS containers_tenant AFTER DELETE ON containers
BEGIN
    DELETE FROM tenant_pdbs WHERE con_id = OLD.con_id;
END;
-- Every state change of a tenant, kept after the tenant is purged.
CREATE TABLE IF NOT EXISTS tenant_events (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    time REAL NOT NULL,
    actor TEXT NOT NULL,
    operation TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    reason TEXT
);
-- A template's frozen copy is a closed PDB (pdb_con_id) that never opens.
CREATE TABLE IF NOT EXISTS tenant_templates (
    name TEXT PRIMARY KEY,
    pdb_con_id INTEGER NOT NULL,
    source_pdb TEXT NOT NULL,
    no_data INTEGER NOT NULL,
    tier TEXT,
    lockdown_profile TEXT,
    parameters TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
-- A dropped tenant's PDBs, unplugged into .pdb archives, and how each was open.
CREATE TABLE IF NOT EXISTS tenant_archives (
    tenant TEXT NOT NULL,
    pdb_name TEXT NOT NULL,
    file TEXT NOT NULL,
    open_mode TEXT,
    restricted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, pdb_name)
);
"""


def _backups(db: sqlite3.Connection) -> None:
    """PDB backups (tenants.backups): one row per backup, its files under data/backups."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS pdb_backups (
            id TEXT PRIMARY KEY,
            con_id INTEGER NOT NULL,
            pdb_name TEXT NOT NULL,
            guid TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at REAL NOT NULL,
            finished_at REAL,
            size INTEGER,
            sha256 TEXT,
            path TEXT NOT NULL,
            message TEXT
        )"""
    )


def _api(db: sqlite3.Connection) -> None:
    """The HTTP API (api package): API keys (the secret's SHA-256 only) and long operations."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS api_keys (
            name TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            con_id INTEGER NOT NULL,
            secret_sha256 TEXT NOT NULL UNIQUE,
            created_by TEXT NOT NULL,
            created_at REAL NOT NULL,
            expires_at REAL
        )"""
    )
    db.execute(
        """CREATE TABLE IF NOT EXISTS api_operations (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            tenant TEXT,
            username TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at REAL NOT NULL,
            finished_at REAL,
            result TEXT,
            error TEXT
        )"""
    )


def _relocation_and_tiers(db: sqlite3.Connection) -> None:
    """A PDB's storage location (NULL: data/pdbs) and the one a RELOCATE is moving it to (its
    intent); service tiers changed at runtime (ALTER SERVICE TIER), over conf/tiers.toml."""
    for column in ("location", "relocate_to"):
        if column not in _columns(db, "containers"):
            db.execute(f"ALTER TABLE containers ADD COLUMN {column} TEXT")
    db.execute(
        """CREATE TABLE IF NOT EXISTS service_tier_overrides (
            tier TEXT PRIMARY KEY,
            settings TEXT NOT NULL,  -- JSON {key of tiers.toml: value}
            changed_by TEXT NOT NULL,
            changed_at REAL NOT NULL
        )"""
    )


def _tier_history(db: sqlite3.Connection) -> None:
    """The billed service tier of tenants and PDBs over time (metering.billing prorates by it): the
    one record of tier changes, written by catalog.store.containers.record_tier_change. A row with
    guid NULL is a tenant's own tier (ALTER TENANT SET SERVICE TIER); a row with a guid is one PDB's
    (its own SET SERVICE TIER, or auto scaling's step to the tier whose figures it now has).
    Tenants' tier changes made before this table existed are copied from their events."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS tier_history (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            tenant TEXT,
            guid TEXT,
            pdb_name TEXT,
            from_tier TEXT,
            to_tier TEXT NOT NULL,
            cause TEXT NOT NULL,
            actor TEXT NOT NULL,
            detail TEXT
        )"""
    )
    db.execute("CREATE INDEX IF NOT EXISTS tier_history_tenant ON tier_history (tenant, time)")
    for tenant, at, actor, reason in db.execute(
        "SELECT tenant, time, actor, reason FROM tenant_events WHERE operation = 'SET SERVICE TIER'"
        " AND reason LIKE '% -> %' ORDER BY id"
    ).fetchall():
        old, new = (x.strip() for x in reason.split("->", 1))
        db.execute(
            "INSERT INTO tier_history (time, tenant, guid, pdb_name, from_tier, to_tier, cause, actor, detail)"
            " VALUES (?, ?, NULL, NULL, ?, ?, 'SET SERVICE TIER', ?, ?)",
            (at, tenant, old, new, actor, reason),
        )


# (version, what it does): append new steps at the end; never change or reorder a released one.
MIGRATIONS: list[tuple[int, Callable[[sqlite3.Connection], None]]] = [
    (1, _columns_and_user_ids),
    (2, _tenants),
    (3, _backups),
    (4, _api),
    (5, _relocation_and_tiers),
    (6, _tier_history),
]


def migrate(db: sqlite3.Connection) -> int:
    """Bring the catalog to the newest schema version; returns it. A file newer than this server
    is refused rather than written to."""
    db.executescript(BASELINE)
    current = db.execute("PRAGMA user_version").fetchone()[0]
    newest = MIGRATIONS[-1][0]
    if current > newest:
        raise RuntimeError(f"the catalog's schema is version {current}; this server knows up to {newest}")
    for version, step in MIGRATIONS:
        if version <= current:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            step(db)
            db.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return newest
