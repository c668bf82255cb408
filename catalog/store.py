"""The CDB$ROOT catalog store: containers, users, privileges, history, in one SQLite file.

SQLite with WAL and synchronous=FULL: a committed change survives kill -9 and power loss, and a
half-done change never shows. Every lifecycle operation writes its intent here before touching
files (see catalog.lifecycle), which is what makes restarts land before or after an operation.

Users, roles and grants follow Oracle's multitenant rules (see catalog.commands.users):

- users / roles: a common one is one row with con_id 1 (CDB$ROOT) and common = 1; a local one has
  its PDB's con_id and common = 0. The built-in role PDB_DBA is one row with con_id 0: a local
  role present in every PDB.
- sys_privs / role_privs: a grant made in one container (CONTAINER=CURRENT) has that con_id and
  common = 0; a grant made with CONTAINER=ALL has common = 1 and con_id 0 (COMMON_GRANT), and
  applies in every container. admin_option records WITH ADMIN OPTION.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from policies.source import ROOT_ID, LockdownProfile, LockdownRule

ROOT_NAME = "CDB$ROOT"
SEED_NAME = "PDB$SEED"
COMMON_GRANT = 0  # con_id of CONTAINER=ALL grants and of the built-in per-PDB role PDB_DBA

# The system privileges DuckCDB knows (GRANT of any other multi-word name: ORA-00990).
SYSTEM_PRIVILEGES: tuple[str, ...] = (
    "CREATE SESSION",
    "SET CONTAINER",
    "RESTRICTED SESSION",
    "SYSDBA",
    "CREATE USER",
    "ALTER USER",
    "DROP USER",
    "CREATE ROLE",
    "DROP ANY ROLE",
    "GRANT ANY PRIVILEGE",
    "GRANT ANY ROLE",
    "CREATE TABLE",
    "CREATE ANY TABLE",
    "SELECT ANY TABLE",
    "INSERT ANY TABLE",
    "UPDATE ANY TABLE",
    "DELETE ANY TABLE",
    "DROP ANY TABLE",
    "CREATE VIEW",
    "CREATE SEQUENCE",
    "CREATE PROCEDURE",
    "ALTER SYSTEM",
    "CREATE PLUGGABLE DATABASE",
    "ALTER DATABASE",
    "UNLIMITED TABLESPACE",
    "AUDIT SYSTEM",
)
# Granted to nobody but users (Oracle: ORA-01931 for a role).
USER_ONLY_PRIVILEGES = frozenset({"SYSDBA"})

# Built-in roles: name -> (common, privileges). Common ones live in the root and every PDB;
# PDB_DBA is a local role of each PDB (the ADMIN USER of CREATE PLUGGABLE DATABASE gets it).
BUILTIN_ROLES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "CONNECT": (True, ("CREATE SESSION", "SET CONTAINER")),
    "RESOURCE": (True, ("CREATE TABLE", "CREATE SEQUENCE", "CREATE PROCEDURE")),
    "DBA": (True, tuple(p for p in SYSTEM_PRIVILEGES if p not in USER_ONLY_PRIVILEGES)),
    "PDB_DBA": (
        False,
        (
            "CREATE SESSION",
            "RESTRICTED SESSION",
            "CREATE USER",
            "ALTER USER",
            "DROP USER",
            "CREATE ROLE",
            "DROP ANY ROLE",
            "GRANT ANY PRIVILEGE",
            "GRANT ANY ROLE",
            "CREATE TABLE",
            "CREATE ANY TABLE",
            "SELECT ANY TABLE",
            "INSERT ANY TABLE",
            "UPDATE ANY TABLE",
            "DELETE ANY TABLE",
            "DROP ANY TABLE",
            "CREATE VIEW",
            "CREATE SEQUENCE",
            "CREATE PROCEDURE",
            "UNLIMITED TABLESPACE",
        ),
    ),
}
_BUILTIN_VERSION = "1"  # bump to re-seed the built-in roles' privileges on start
ORACLE_MAINTAINED_USERS = frozenset({"SYS"})
# Lockdown profiles that exist from the start, empty, and cannot be dropped (see catalog.commands.lockdown).
SHIPPED_LOCKDOWN_PROFILES = ("PRIVATE_DBAAS", "SAAS", "PUBLIC_DBAAS")

_SCHEMA = """
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


@dataclass
class Container:
    con_id: int
    name: str
    guid: str
    dbid: int
    status: str
    open_mode: str
    restricted: bool
    saved_state: str | None
    last_open_mode: str | None
    pending_op: str | None
    tier: str
    max_size: int | None
    max_temp_size: int | None
    creation_scn: int
    created_at: float
    open_time: float | None
    snapshot_of: int | None = None  # con_id of the source of a SNAPSHOT COPY clone

    @property
    def is_open(self) -> bool:
        return self.open_mode in ("READ WRITE", "READ ONLY", "MIGRATE")


@dataclass
class User:
    name: str
    con_id: int
    common: bool
    scram: str
    md5: str | None
    account_status: str
    user_id: int = 0  # filled by all_users(); user() leaves it 0
    created_at: float = 0.0
    allowed_schemas: list[str] | None = None  # filled by all_users(); None: every schema


@dataclass
class Role:
    name: str
    con_id: int  # 1 for a common role, the PDB for a local one, 0 for PDB_DBA (every PDB)
    common: bool
    oracle_maintained: bool


@dataclass
class Grant:
    """One row of sys_privs (what = privilege) or role_privs (what = role)."""

    grantee: str
    con_id: int  # COMMON_GRANT (0) for a CONTAINER=ALL grant
    what: str
    common: bool
    admin_option: bool


@dataclass
class HistoryEvent:
    pdb_name: str
    con_id: int
    guid: str
    operation: str
    op_time: float
    cloned_from: str | None


_RULE_COLUMNS = (
    "id, profile, rule_type, rule, status, users, rule_except, clause, clause_except, clause_option,"
    " option_except, option_values, min_value, max_value"
)


def _rule(r: tuple) -> LockdownRule:
    return LockdownRule(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        tuple(json.loads(r[6])),
        r[7],
        tuple(json.loads(r[8])),
        r[9],
        tuple(json.loads(r[10])),
        tuple(json.loads(r[11])),
        r[12],
        r[13],
    )


@dataclass
class PlugViolation:
    id: int
    time: float
    name: str
    cause: str
    type: str  # ERROR or WARNING
    message: str
    status: str  # PENDING or RESOLVED
    action: str | None


class CatalogStore:
    def __init__(self, path: str) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._data_version = 0
        self._data_version_at = -1.0
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(_SCHEMA)
        self._migrate()
        self._seed_builtin_roles()
        os.chmod(path, 0o600)

    def _columns(self, table: str) -> set[str]:
        return {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}

    def _migrate(self) -> None:
        """Columns added since the first catalogs were written; common grants moved to COMMON_GRANT."""
        with self.transaction() as db:
            if "allowed_schemas" not in self._columns("users"):
                # NULL: every schema; else a JSON list of lower-case schema names.
                db.execute("ALTER TABLE users ADD COLUMN allowed_schemas TEXT")
            if "session_limits" not in self._columns("users"):
                # NULL: none; else JSON {parameter: canonical value} (ALTER USER ... SET).
                db.execute("ALTER TABLE users ADD COLUMN session_limits TEXT")
            if "snapshot_of" not in self._columns("containers"):
                db.execute("ALTER TABLE containers ADD COLUMN snapshot_of INTEGER")
            if "user_id" not in self._columns("users"):
                db.execute("ALTER TABLE users ADD COLUMN user_id INTEGER")
            for table in ("sys_privs", "role_privs"):
                if "admin_option" not in self._columns(table):
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

    def _seed_builtin_roles(self) -> None:
        """DBA, CONNECT, RESOURCE (common) and PDB_DBA (local to every PDB), seeded once per version
        so that a REVOKE from a built-in role survives restarts."""
        if self.get_meta("builtin_roles") == _BUILTIN_VERSION:
            return
        with self.transaction() as db:
            for role, (common, privileges) in BUILTIN_ROLES.items():
                db.execute(
                    "INSERT OR IGNORE INTO roles (name, con_id, common, oracle_maintained, created_at)"
                    " VALUES (?, ?, ?, 1, ?)",
                    (role, ROOT_ID if common else COMMON_GRANT, int(common), time.time()),
                )
                for privilege in privileges:
                    self.grant_sys(role, COMMON_GRANT, privilege, True)
            self.set_meta("builtin_roles", _BUILTIN_VERSION)

    def change_stamp(self) -> tuple[int, int] | None:
        """Changes whenever the catalog does (this connection's writes, or another connection's
        commit); caches of derived answers compare it. None inside a transaction: do not cache."""
        if self.db.in_transaction:
            return None
        # Another connection's commits show in data_version; asking SQLite costs a statement, and a
        # statement's path asks several times: ask at most once per millisecond.
        now = time.monotonic()
        if now - self._data_version_at > 0.001:
            self._data_version = self.db.execute("PRAGMA data_version").fetchone()[0]
            self._data_version_at = now
        return (self.db.total_changes, self._data_version)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic change; nested uses join the outer transaction."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ---------------------------------------------------------- meta

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def next_scn(self) -> int:
        """A monotonically increasing change number, like Oracle's SCN."""
        with self.transaction() as db:
            cur = int(self.get_meta("scn") or "1000") + 1
            db.execute("INSERT OR REPLACE INTO meta VALUES ('scn', ?)", (str(cur),))
        return cur

    # ---------------------------------------------------------- containers

    def snapshot_clones(self, con_id: int) -> list[Container]:
        """PDBs made from con_id with SNAPSHOT COPY; while one exists the source cannot be dropped."""
        rows = self.db.execute(
            "SELECT * FROM containers WHERE snapshot_of = ? ORDER BY con_id", (con_id,)
        ).fetchall()
        return [_container(r) for r in rows]

    def containers(self) -> list[Container]:
        rows = self.db.execute("SELECT * FROM containers ORDER BY con_id").fetchall()
        return [_container(r) for r in rows]

    def container(self, name: str) -> Container | None:
        row = self.db.execute("SELECT * FROM containers WHERE name = ?", (name.upper(),)).fetchone()
        return _container(row) if row else None

    def container_by_id(self, con_id: int) -> Container | None:
        row = self.db.execute("SELECT * FROM containers WHERE con_id = ?", (con_id,)).fetchone()
        return _container(row) if row else None

    def next_con_id(self) -> int:
        row = self.db.execute("SELECT COALESCE(MAX(con_id), 2) + 1 FROM containers").fetchone()
        return int(row[0])

    def insert_container(
        self, con_id: int, name: str, status: str, open_mode: str, tier: str, pending_op: str | None
    ) -> Container:
        guid = uuid.uuid4().hex.upper()
        dbid = int.from_bytes(os.urandom(4), "big") >> 1
        scn = self.next_scn()
        self.db.execute(
            "INSERT INTO containers (con_id, name, guid, dbid, status, open_mode, tier, pending_op, creation_scn, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (con_id, name, guid, dbid, status, open_mode, tier, pending_op, scn, time.time()),
        )
        c = self.container_by_id(con_id)
        assert c is not None
        return c

    def pdb_parameters(self, con_id: int) -> dict[str, str]:
        rows = self.db.execute("SELECT name, value FROM pdb_parameters WHERE con_id = ?", (con_id,))
        return dict(rows.fetchall())

    def set_pdb_parameter(self, con_id: int, name: str, value: str | None) -> None:
        """Set a PDB's parameter over its tier; None removes it (the tier's value applies again)."""
        if value is None:
            self.db.execute("DELETE FROM pdb_parameters WHERE con_id = ? AND name = ?", (con_id, name))
        else:
            self.db.execute(
                "INSERT INTO pdb_parameters VALUES (?, ?, ?)"
                " ON CONFLICT (con_id, name) DO UPDATE SET value = excluded.value",
                (con_id, name, value),
            )

    # ---------------------------------------------------------- CDB resource plans

    def cdb_plan(self, plan: str) -> tuple[str, str] | None:
        return self.db.execute("SELECT plan, comment FROM cdb_plans WHERE plan = ?", (plan,)).fetchone()

    def cdb_plans(self) -> list[tuple[str, str]]:
        return self.db.execute("SELECT plan, comment FROM cdb_plans ORDER BY plan").fetchall()

    def create_cdb_plan(self, plan: str, comment: str) -> None:
        self.db.execute("INSERT INTO cdb_plans VALUES (?, ?)", (plan, comment))

    def delete_cdb_plan(self, plan: str) -> None:
        self.db.execute("DELETE FROM cdb_plans WHERE plan = ?", (plan,))

    def plan_directive(self, plan: str, pdb: str) -> tuple[int | None, int | None, int | None] | None:
        """(shares, utilization_limit, parallel_server_limit) of a plan's directive for pdb."""
        return self.db.execute(
            "SELECT shares, utilization_limit, parallel_server_limit FROM cdb_plan_directives"
            " WHERE plan = ? AND pdb = ?",
            (plan, pdb),
        ).fetchone()

    def plan_directives(self) -> list[tuple[str, str, int | None, int | None, int | None]]:
        return self.db.execute(
            "SELECT plan, pdb, shares, utilization_limit, parallel_server_limit FROM cdb_plan_directives"
            " ORDER BY plan, pdb"
        ).fetchall()

    def set_plan_directive(
        self,
        plan: str,
        pdb: str,
        shares: int | None,
        utilization_limit: int | None,
        parallel_server_limit: int | None,
        create: bool | None,
    ) -> None:
        """create True: a new directive; False: update the figures given (None keeps one);
        None: either."""
        if create is not False and self.plan_directive(plan, pdb) is None:
            self.db.execute(
                "INSERT INTO cdb_plan_directives VALUES (?, ?, ?, ?, ?)",
                (plan, pdb, shares, utilization_limit, parallel_server_limit),
            )
            return
        self.db.execute(
            "UPDATE cdb_plan_directives SET shares = coalesce(?, shares),"
            " utilization_limit = coalesce(?, utilization_limit),"
            " parallel_server_limit = coalesce(?, parallel_server_limit) WHERE plan = ? AND pdb = ?",
            (shares, utilization_limit, parallel_server_limit, plan, pdb),
        )

    def delete_plan_directive(self, plan: str, pdb: str) -> None:
        self.db.execute("DELETE FROM cdb_plan_directives WHERE plan = ? AND pdb = ?", (plan, pdb))

    def update_container(self, con_id: int, **fields: object) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE containers SET {cols} WHERE con_id = ?", (*fields.values(), con_id))

    def delete_container(self, con_id: int) -> None:
        self.db.execute(
            "DELETE FROM plug_violations WHERE name = (SELECT name FROM containers WHERE con_id = ?)",
            (con_id,),
        )
        self.db.execute("DELETE FROM containers WHERE con_id = ?", (con_id,))
        self.db.execute("DELETE FROM users WHERE con_id = ? AND common = 0", (con_id,))
        self.db.execute("DELETE FROM roles WHERE con_id = ? AND common = 0", (con_id,))
        self.db.execute("DELETE FROM sys_privs WHERE con_id = ? AND common = 0", (con_id,))
        self.db.execute("DELETE FROM role_privs WHERE con_id = ? AND common = 0", (con_id,))
        self.db.execute("DELETE FROM obj_privs WHERE con_id = ?", (con_id,))

    def add_history(self, c: Container, operation: str, cloned_from: str | None = None) -> None:
        self.db.execute(
            "INSERT INTO history (pdb_name, con_id, guid, operation, op_time, cloned_from) VALUES (?, ?, ?, ?, ?, ?)",
            (c.name, c.con_id, c.guid, operation, time.time(), cloned_from),
        )

    # ---------------------------------------------------------- users

    def user(self, name: str, con_id: int) -> User | None:
        """The user that logs in as name to container con_id: a local user there, or a common user."""
        row = self.db.execute(
            "SELECT name, con_id, common, scram, md5, account_status FROM users"
            " WHERE name = ? AND (con_id = ? OR common = 1) ORDER BY common LIMIT 1",
            (name, con_id),
        ).fetchone()
        return User(row[0], row[1], bool(row[2]), row[3], row[4], row[5]) if row else None

    def insert_user(
        self,
        name: str,
        con_id: int,
        common: bool,
        scram: str,
        md5: str | None,
        account_status: str = "OPEN",
    ) -> None:
        self.db.execute(
            "INSERT INTO users (name, con_id, common, scram, md5, account_status, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, con_id, int(common), scram, md5, account_status, time.time()),
        )

    def set_password(self, name: str, con_id: int, scram: str, md5: str | None) -> None:
        self.db.execute(
            "UPDATE users SET scram = ?, md5 = ? WHERE name = ? AND con_id = ?", (scram, md5, name, con_id)
        )

    def set_account_status(self, name: str, con_id: int, status: str) -> None:
        self.db.execute(
            "UPDATE users SET account_status = ? WHERE name = ? AND con_id = ?", (status, name, con_id)
        )

    def drop_user(self, name: str, con_id: int, common: bool) -> None:
        """The user row and every grant to it (in all containers for a common user)."""
        self._drop_grantee(name, con_id, common)
        self.db.execute("DELETE FROM users WHERE name = ? AND con_id = ?", (name, con_id))

    def allowed_schemas(self, name: str, con_id: int) -> list[str] | None:
        """The schemas a user may touch (None: all), from ALTER USER ... ALLOWED SCHEMAS."""
        row = self.db.execute(
            "SELECT allowed_schemas FROM users WHERE name = ? AND con_id = ?", (name, con_id)
        ).fetchone()
        return json.loads(row[0]) if row and row[0] is not None else None

    def user_session_limits(self, name: str, con_id: int) -> dict[str, str]:
        """A user's own session limits (ALTER USER u SET STATEMENT_TIMEOUT = ...)."""
        row = self.db.execute(
            "SELECT session_limits FROM users WHERE name = ? AND con_id = ?", (name, con_id)
        ).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def set_user_session_limit(self, name: str, con_id: int, param: str, value: str | None) -> None:
        limits = self.user_session_limits(name, con_id)
        if value is None:
            limits.pop(param, None)
        else:
            limits[param] = value
        self.db.execute(
            "UPDATE users SET session_limits = ? WHERE name = ? AND con_id = ?",
            (json.dumps(limits) if limits else None, name, con_id),
        )

    def set_allowed_schemas(self, name: str, con_id: int, schemas: list[str] | None) -> None:
        value = None if schemas is None else json.dumps(sorted({s.lower() for s in schemas}))
        self.db.execute(
            "UPDATE users SET allowed_schemas = ? WHERE name = ? AND con_id = ?", (value, name, con_id)
        )

    def all_users(self) -> list[User]:
        rows = self.db.execute(
            "SELECT name, con_id, common, scram, md5, account_status, user_id, created_at, allowed_schemas FROM users"
            " ORDER BY name, con_id"
        ).fetchall()
        return [
            User(
                r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6] or 0, r[7], json.loads(r[8]) if r[8] else None
            )
            for r in rows
        ]

    def copy_local_users(self, src_con_id: int, dst_con_id: int) -> None:
        """A clone gets the source's local users, roles and grants, as in Oracle."""
        self.db.execute(
            "INSERT INTO users (name, con_id, common, scram, md5, account_status, created_at)"
            " SELECT name, ?, common, scram, md5, account_status, created_at FROM users WHERE con_id = ? AND common = 0",
            (dst_con_id, src_con_id),
        )
        self.db.execute(
            "INSERT OR IGNORE INTO roles (name, con_id, common, oracle_maintained, created_at)"
            " SELECT name, ?, common, oracle_maintained, created_at FROM roles WHERE con_id = ? AND common = 0",
            (dst_con_id, src_con_id),
        )
        self.db.execute(
            "INSERT OR IGNORE INTO sys_privs (grantee, con_id, privilege, common, admin_option)"
            " SELECT grantee, ?, privilege, common, admin_option FROM sys_privs WHERE con_id = ? AND common = 0",
            (dst_con_id, src_con_id),
        )
        self.db.execute(
            "INSERT OR IGNORE INTO role_privs (grantee, con_id, role, common, admin_option)"
            " SELECT grantee, ?, role, common, admin_option FROM role_privs WHERE con_id = ? AND common = 0",
            (dst_con_id, src_con_id),
        )
        self.db.execute(
            "INSERT OR IGNORE INTO obj_privs SELECT grantee, ?, schema_name, object_name, privilege FROM obj_privs"
            " WHERE con_id = ?",
            (dst_con_id, src_con_id),
        )

    # ---------------------------------------------------------- roles

    def role(self, name: str, con_id: int) -> Role | None:
        """The role name as seen from container con_id: a local role there, a common role, or PDB_DBA."""
        row = self.db.execute(
            "SELECT name, con_id, common, oracle_maintained FROM roles WHERE name = ?"
            " AND (con_id = ? OR common = 1 OR (con_id = 0 AND ? != 1)) ORDER BY common LIMIT 1",
            (name, con_id, con_id),
        ).fetchone()
        return Role(row[0], row[1], bool(row[2]), bool(row[3])) if row else None

    def insert_role(self, name: str, con_id: int, common: bool, oracle_maintained: bool = False) -> None:
        self.db.execute(
            "INSERT INTO roles (name, con_id, common, oracle_maintained, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, con_id, int(common), int(oracle_maintained), time.time()),
        )

    def drop_role(self, name: str, con_id: int, common: bool) -> None:
        """The role, its grants to others, and the grants of it (everywhere for a common role)."""
        self._drop_grantee(name, con_id, common)
        if common:
            self.db.execute("DELETE FROM role_privs WHERE role = ?", (name,))
        else:
            self.db.execute(
                "DELETE FROM role_privs WHERE role = ? AND con_id = ? AND common = 0", (name, con_id)
            )
        self.db.execute("DELETE FROM roles WHERE name = ? AND con_id = ?", (name, con_id))

    def all_roles(self) -> list[Role]:
        rows = self.db.execute(
            "SELECT name, con_id, common, oracle_maintained FROM roles ORDER BY name"
        ).fetchall()
        return [Role(r[0], r[1], bool(r[2]), bool(r[3])) for r in rows]

    def name_in_use(self, name: str, con_id: int, common: bool) -> bool:
        """Whether a new user or role called name would clash: anywhere for a common one, else in con_id."""
        if common:
            sql = "SELECT 1 FROM users WHERE name = ? UNION ALL SELECT 1 FROM roles WHERE name = ?"
            return self.db.execute(sql, (name, name)).fetchone() is not None
        return self.user(name, con_id) is not None or self.role(name, con_id) is not None

    def _drop_grantee(self, name: str, con_id: int, common: bool) -> None:
        for table in ("sys_privs", "role_privs"):
            if common:
                self.db.execute(f"DELETE FROM {table} WHERE grantee = ?", (name,))
            else:
                self.db.execute(
                    f"DELETE FROM {table} WHERE grantee = ? AND con_id = ? AND common = 0", (name, con_id)
                )

    # ---------------------------------------------------------- grants

    def grant_sys(
        self, grantee: str, con_id: int, privilege: str, common: bool, admin_option: bool = False
    ) -> None:
        """Grant in con_id (common=False) or with CONTAINER=ALL (common=True: stored as COMMON_GRANT).
        A repeated grant keeps the row and adds an ADMIN OPTION, never removes one."""
        self.db.execute(
            "INSERT INTO sys_privs (grantee, con_id, privilege, common, admin_option) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (grantee, con_id, privilege) DO UPDATE SET admin_option = MAX(admin_option, excluded.admin_option)",
            (grantee, COMMON_GRANT if common else con_id, privilege, int(common), int(admin_option)),
        )

    def grant_role(
        self, grantee: str, con_id: int, role: str, common: bool, admin_option: bool = False
    ) -> None:
        self.db.execute(
            "INSERT INTO role_privs (grantee, con_id, role, common, admin_option) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (grantee, con_id, role) DO UPDATE SET admin_option = MAX(admin_option, excluded.admin_option)",
            (grantee, COMMON_GRANT if common else con_id, role, int(common), int(admin_option)),
        )

    def revoke_sys(self, grantee: str, con_id: int, privilege: str, common: bool) -> bool:
        """Remove the grant made in con_id (or with CONTAINER=ALL); False when there was none."""
        if common:
            cur = self.db.execute(
                "DELETE FROM sys_privs WHERE grantee = ? AND privilege = ? AND common = 1",
                (grantee, privilege),
            )
        else:
            cur = self.db.execute(
                "DELETE FROM sys_privs WHERE grantee = ? AND privilege = ? AND con_id = ? AND common = 0",
                (grantee, privilege, con_id),
            )
        return cur.rowcount > 0

    def revoke_role(self, grantee: str, con_id: int, role: str, common: bool) -> bool:
        if common:
            cur = self.db.execute(
                "DELETE FROM role_privs WHERE grantee = ? AND role = ? AND common = 1", (grantee, role)
            )
        else:
            cur = self.db.execute(
                "DELETE FROM role_privs WHERE grantee = ? AND role = ? AND con_id = ? AND common = 0",
                (grantee, role, con_id),
            )
        return cur.rowcount > 0

    def sys_grants(self, grantee: str | None = None) -> list[Grant]:
        """sys_privs rows (of one grantee, or all)."""
        sql = "SELECT grantee, con_id, privilege, common, admin_option FROM sys_privs"
        rows = self.db.execute(
            sql + (" WHERE grantee = ?" if grantee else "") + " ORDER BY grantee, privilege",
            (grantee,) if grantee else (),
        ).fetchall()
        return [Grant(r[0], r[1], r[2], bool(r[3]), bool(r[4])) for r in rows]

    def role_grants(self, grantee: str | None = None) -> list[Grant]:
        """role_privs rows (of one grantee, or all)."""
        sql = "SELECT grantee, con_id, role, common, admin_option FROM role_privs"
        rows = self.db.execute(
            sql + (" WHERE grantee = ?" if grantee else "") + " ORDER BY grantee, role",
            (grantee,) if grantee else (),
        ).fetchall()
        return [Grant(r[0], r[1], r[2], bool(r[3]), bool(r[4])) for r in rows]

    def effective_roles(
        self, name: str, con_id: int, *, common_only: bool = False, include_public: bool = True
    ) -> set[str]:
        """The roles name holds in container con_id: granted there or with CONTAINER=ALL, to it or
        (include_public) to PUBLIC, and through those roles recursively. common_only: CONTAINER=ALL
        grants only."""
        scope = "common = 1" if common_only else "(common = 1 OR con_id = ?)"
        args: tuple[object, ...] = () if common_only else (con_id,)
        held: set[str] = set()
        frontier = {name, "PUBLIC"} if include_public else {name}
        while frontier:
            marks = ", ".join("?" * len(frontier))
            rows = self.db.execute(
                f"SELECT role FROM role_privs WHERE grantee IN ({marks}) AND {scope}", (*frontier, *args)
            ).fetchall()
            frontier = {r[0] for r in rows} - held
            held |= frontier
        return held

    def effective_privileges(self, user_name: str, con_id: int, *, common_only: bool = False) -> set[str]:
        """The system privileges user_name has in container con_id: direct grants there, CONTAINER=ALL
        grants, grants to PUBLIC, and through roles recursively. SYS has every privilege."""
        if user_name == "SYS":
            return set(SYSTEM_PRIVILEGES)
        grantees = {user_name, "PUBLIC"} | self.effective_roles(user_name, con_id, common_only=common_only)
        scope = "common = 1" if common_only else "(common = 1 OR con_id = ?)"
        args: tuple[object, ...] = () if common_only else (con_id,)
        marks = ", ".join("?" * len(grantees))
        rows = self.db.execute(
            f"SELECT DISTINCT privilege FROM sys_privs WHERE grantee IN ({marks}) AND {scope}",
            (*grantees, *args),
        ).fetchall()
        return {r[0] for r in rows}

    def has_privilege(self, user: User, con_id: int, privilege: str) -> bool:
        """Directly, through CONTAINER=ALL, through PUBLIC, or through granted roles (recursively)."""
        return privilege in self.effective_privileges(user.name, con_id)

    def has_admin_option(
        self, grantee: str, con_id: int, what: str, *, role: bool, common_only: bool
    ) -> bool:
        """Whether grantee was granted the privilege (or role) directly WITH ADMIN OPTION, in con_id or
        with CONTAINER=ALL (common_only: with CONTAINER=ALL only)."""
        table, col = ("role_privs", "role") if role else ("sys_privs", "privilege")
        scope = "common = 1" if common_only else "(common = 1 OR con_id = ?)"
        args: tuple[object, ...] = () if common_only else (con_id,)
        row = self.db.execute(
            f"SELECT 1 FROM {table} WHERE grantee = ? AND {col} = ? AND admin_option = 1 AND {scope}",
            (grantee, what, *args),
        ).fetchone()
        return row is not None

    # ---------------------------------------------------------- history, plug-in violations

    def history(self) -> list[HistoryEvent]:
        rows = self.db.execute(
            "SELECT pdb_name, con_id, guid, operation, op_time, cloned_from FROM history ORDER BY id"
        ).fetchall()
        return [HistoryEvent(*r) for r in rows]

    def add_plug_violation(
        self,
        name: str,
        cause: str,
        type: str,
        message: str,
        action: str | None = None,
        status: str = "PENDING",
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO plug_violations (time, name, cause, type, message, status, action)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (time.time(), name, cause, type, message, status, action),
        )
        return int(cur.lastrowid or 0)

    def plug_violations(self, name: str | None = None) -> list[PlugViolation]:
        sql = "SELECT id, time, name, cause, type, message, status, action FROM plug_violations"
        rows = self.db.execute(
            sql + (" WHERE name = ?" if name else "") + " ORDER BY id", (name,) if name else ()
        ).fetchall()
        return [PlugViolation(*r) for r in rows]

    def resolve_plug_violations(self, name: str, cause: str | None = None) -> None:
        """Mark a PDB's violations (of one cause, or all) RESOLVED."""
        if cause is None:
            self.db.execute("UPDATE plug_violations SET status = 'RESOLVED' WHERE name = ?", (name,))
        else:
            self.db.execute(
                "UPDATE plug_violations SET status = 'RESOLVED' WHERE name = ? AND cause = ?", (name, cause)
            )

    def delete_plug_violations(self, name: str) -> None:
        self.db.execute("DELETE FROM plug_violations WHERE name = ?", (name,))

    # ---------------------------------------------------------- object privileges

    def grant_object(self, grantee: str, con_id: int, schema: str, obj: str, privilege: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO obj_privs VALUES (?, ?, ?, ?, ?)",
            (grantee, con_id, schema, obj, privilege),
        )

    def revoke_object(self, grantee: str, con_id: int, schema: str, obj: str, privilege: str) -> bool:
        cur = self.db.execute(
            "DELETE FROM obj_privs WHERE grantee = ? AND con_id = ? AND schema_name = ? AND object_name = ?"
            " AND privilege = ?",
            (grantee, con_id, schema, obj, privilege),
        )
        return cur.rowcount > 0

    def object_grants(self, con_id: int) -> list[tuple[str, str, str, str]]:
        """(grantee, schema, object, privilege) of one container."""
        return self.db.execute(
            "SELECT grantee, schema_name, object_name, privilege FROM obj_privs WHERE con_id = ?"
            " ORDER BY grantee, schema_name, object_name, privilege",
            (con_id,),
        ).fetchall()

    def object_privileges(self, grantees: set[str], con_id: int) -> set[tuple[str, str, str]]:
        """(schema, object, privilege) held in con_id by any of grantees (a user and its roles)."""
        if not grantees:
            return set()
        marks = ", ".join("?" for _ in grantees)
        rows = self.db.execute(
            f"SELECT schema_name, object_name, privilege FROM obj_privs WHERE con_id = ? AND grantee IN ({marks})",
            (con_id, *sorted(grantees)),
        ).fetchall()
        return {(r[0], r[1], r[2]) for r in rows}

    # ---------------------------------------------------------- audit

    def add_audit(
        self,
        con_id: int,
        pdb_name: str,
        username: str,
        client: str,
        action: str,
        statement: str | None,
        rule: str,
        sqlstate: str,
        message: str,
    ) -> None:
        """One refused statement or failed login; committed at once (the store autocommits)."""
        self.db.execute(
            "INSERT INTO audit_trail (time, con_id, pdb_name, username, client, action, statement, rule, sqlstate, message)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (time.time(), con_id, pdb_name, username, client, action, statement, rule, sqlstate, message),
        )

    def audit_rows(self, con_id: int | None = None) -> list[tuple]:
        """(time, con_id, pdb_name, username, client, action, statement, rule, sqlstate, message)."""
        sql = "SELECT time, con_id, pdb_name, username, client, action, statement, rule, sqlstate, message FROM audit_trail"
        if con_id is None:
            return self.db.execute(sql + " ORDER BY id").fetchall()
        return self.db.execute(sql + " WHERE con_id = ? ORDER BY id", (con_id,)).fetchall()

    # ---------------------------------------------------------- lockdown profiles

    def lockdown_profiles(self) -> list[LockdownProfile]:
        rows = self.db.execute(
            "SELECT name, base, shipped, created_at FROM lockdown_profiles ORDER BY name"
        ).fetchall()
        return [LockdownProfile(r[0], r[1], bool(r[2]), r[3]) for r in rows]

    def lockdown_profile(self, name: str) -> LockdownProfile | None:
        row = self.db.execute(
            "SELECT name, base, shipped, created_at FROM lockdown_profiles WHERE name = ?", (name,)
        ).fetchone()
        return LockdownProfile(row[0], row[1], bool(row[2]), row[3]) if row else None

    def insert_lockdown_profile(self, name: str, base: str | None = None, shipped: bool = False) -> None:
        self.db.execute(
            "INSERT INTO lockdown_profiles (name, base, shipped, created_at) VALUES (?, ?, ?, ?)",
            (name, base, int(shipped), time.time()),
        )

    def delete_lockdown_profile(self, name: str) -> None:
        """The profile and its rules. PDB_LOCKDOWN settings naming it stay (they then restrict nothing),
        and so do INCLUDING links to it, as in Oracle."""
        self.db.execute("DELETE FROM lockdown_rules WHERE profile = ?", (name,))
        self.db.execute("DELETE FROM lockdown_profiles WHERE name = ?", (name,))

    def lockdown_rules(self, profile: str | None = None) -> list[LockdownRule]:
        """The rules of one profile (or of all), in the order they apply."""
        sql = f"SELECT {_RULE_COLUMNS} FROM lockdown_rules"
        if profile is None:
            rows = self.db.execute(sql + " ORDER BY id").fetchall()
        else:
            rows = self.db.execute(sql + " WHERE profile = ? ORDER BY id", (profile,)).fetchall()
        return [_rule(r) for r in rows]

    def add_lockdown_rule(self, rule: LockdownRule) -> None:
        """Append rule to its profile (rule.id is ignored). A rule of the same scope (everything but the
        status) is replaced: the new one goes last, so it overrides every earlier rule."""
        key = (
            rule.profile,
            rule.rule_type,
            rule.rule,
            rule.users,
            json.dumps(list(rule.rule_except)),
            rule.clause,
            json.dumps(list(rule.clause_except)),
            rule.clause_option,
            json.dumps(list(rule.option_except)),
            json.dumps(list(rule.option_values)),
            rule.min_value,
            rule.max_value,
        )
        self.db.execute(
            "DELETE FROM lockdown_rules WHERE profile = ? AND rule_type = ? AND rule = ? AND users = ?"
            " AND rule_except = ? AND clause IS ? AND clause_except = ? AND clause_option IS ?"
            " AND option_except = ? AND option_values = ? AND min_value IS ? AND max_value IS ?",
            key,
        )
        self.db.execute(
            "INSERT INTO lockdown_rules (profile, rule_type, rule, users, rule_except, clause, clause_except,"
            " clause_option, option_except, option_values, min_value, max_value, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*key, rule.status),
        )

    def pdb_lockdown(self, con_id: int) -> str | None:
        """The PDB_LOCKDOWN set in container con_id (1: the CDB-wide one), or None."""
        row = self.db.execute(
            "SELECT profile FROM lockdown_assignments WHERE con_id = ?", (con_id,)
        ).fetchone()
        return row[0] if row else None

    def set_pdb_lockdown(self, con_id: int, profile: str | None) -> None:
        """Set (or, with None, clear) PDB_LOCKDOWN in container con_id."""
        if profile is None:
            self.db.execute("DELETE FROM lockdown_assignments WHERE con_id = ?", (con_id,))
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO lockdown_assignments (con_id, profile) VALUES (?, ?)",
                (con_id, profile),
            )

    def lockdown_assignments(self) -> dict[int, str]:
        """con_id -> PDB_LOCKDOWN, for every container that sets one."""
        return dict(self.db.execute("SELECT con_id, profile FROM lockdown_assignments").fetchall())

    def close(self) -> None:
        self.db.close()


def _container(r: tuple) -> Container:
    vals = list(r[:16])
    vals[6] = bool(vals[6])  # restricted
    return Container(*vals, snapshot_of=r[16] if len(r) > 16 else None)
