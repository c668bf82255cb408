"""The CDB$ROOT catalog store: containers, users, privileges, history, in one SQLite file.

SQLite with WAL and synchronous=FULL: a committed change survives kill -9 and power loss, and a
half-done change never shows. Every lifecycle operation writes its intent here before touching
files (see catalog.lifecycle), which is what makes restarts land before or after an operation.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

ROOT_ID = 1
SEED_ID = 2
ROOT_NAME = "CDB$ROOT"
SEED_NAME = "PDB$SEED"

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
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    pdb_name TEXT NOT NULL,
    con_id INTEGER NOT NULL,
    guid TEXT NOT NULL,
    operation TEXT NOT NULL,
    op_time REAL NOT NULL,
    cloned_from TEXT
);
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


class CatalogStore:
    def __init__(self, path: str) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(_SCHEMA)
        os.chmod(path, 0o600)

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

    def update_container(self, con_id: int, **fields: object) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE containers SET {cols} WHERE con_id = ?", (*fields.values(), con_id))

    def delete_container(self, con_id: int) -> None:
        self.db.execute("DELETE FROM containers WHERE con_id = ?", (con_id,))
        self.db.execute("DELETE FROM users WHERE con_id = ? AND common = 0", (con_id,))
        self.db.execute("DELETE FROM sys_privs WHERE con_id = ?", (con_id,))
        self.db.execute("DELETE FROM role_privs WHERE con_id = ?", (con_id,))

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

    def insert_user(self, name: str, con_id: int, common: bool, scram: str, md5: str | None) -> None:
        self.db.execute(
            "INSERT INTO users (name, con_id, common, scram, md5, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (name, con_id, int(common), scram, md5, time.time()),
        )

    def grant_sys(self, grantee: str, con_id: int, privilege: str, common: bool) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO sys_privs VALUES (?, ?, ?, ?)", (grantee, con_id, privilege, int(common))
        )

    def grant_role(self, grantee: str, con_id: int, role: str, common: bool) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO role_privs VALUES (?, ?, ?, ?)", (grantee, con_id, role, int(common))
        )

    def has_privilege(self, user: User, con_id: int, privilege: str) -> bool:
        """Directly, through CONTAINER=ALL, or through a granted role (one level, as the built-in roles are)."""
        row = self.db.execute(
            "SELECT 1 FROM sys_privs WHERE grantee = ? AND privilege = ? AND (con_id = ? OR common = 1)"
            " UNION ALL SELECT 1 FROM role_privs r JOIN sys_privs p ON p.grantee = r.role"
            " WHERE r.grantee = ? AND p.privilege = ? AND (r.con_id = ? OR r.common = 1)"
            " LIMIT 1",
            (user.name, privilege, con_id, user.name, privilege, con_id),
        ).fetchone()
        return row is not None

    def close(self) -> None:
        self.db.close()


def _container(r: tuple) -> Container:
    return Container(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        bool(r[6]),
        r[7],
        r[8],
        r[9],
        r[10],
        r[11],
        r[12],
        r[13],
        r[14],
        r[15],
    )
