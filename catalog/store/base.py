"""The catalog store's connection: one SQLite file (WAL, synchronous=FULL), its versioned schema, transactions, and the change stamp every cache of derived answers compares."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from catalog.store.models import BUILTIN_ROLES, COMMON_GRANT
from catalog.store.schema import migrate
from policies.source import ROOT_ID

_BUILTIN_VERSION = "1"  # bump to re-seed the built-in roles' privileges on start

# The tally of the task (and the threads and tasks it starts: they copy its context) that asked
# for one with counted_statements(); the store's other users leave it None.
_TALLY: ContextVar[list[int] | None] = ContextVar("catalog_statement_tally", default=None)


@contextmanager
def counted_statements() -> Iterator[list[int]]:
    """Counts the catalog statements run by this task and what it starts, not by others meanwhile
    (the background loops, other requests): [n] once the block ends."""
    tally = [0]
    token = _TALLY.set(tally)
    try:
        yield tally
    finally:
        _TALLY.reset(token)


class CountingConnection(sqlite3.Connection):
    """The catalog's connection, counting the SQL statements run on it, PRAGMAs aside (what a
    request cost the catalog). Counted here, before SQLite runs them, never in a trace callback:
    SQLite calls that back holding the connection's mutex, and it needs the GIL, which an API
    thread holds while it waits for that mutex (binding parameters): a deadlock."""

    statements = 0

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:  # type: ignore[override]
        self._count(sql)
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: object) -> sqlite3.Cursor:  # type: ignore[override]
        self._count(sql)
        return super().executemany(sql, *args)

    def _count(self, sql: str) -> None:
        if not sql.startswith("PRAGMA"):  # change_stamp's data_version: no lookup of anything
            self.statements += 1
            tally = _TALLY.get()
            if tally is not None:
                tally[0] += 1


class StoreBase:
    def __init__(self, path: str) -> None:
        self.path = path
        self.db = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, factory=CountingConnection
        )
        self._data_version = 0
        self._data_version_at = -1.0
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        migrate(self.db)
        self._seed_builtin_roles()
        os.chmod(path, 0o600)

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

    def close(self) -> None:
        self.db.close()
