"""The catalog's versioned schema: old files are brought forward once, newer files are refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalog.store import CatalogStore
from catalog.store.schema import BASELINE, MIGRATIONS, migrate


def test_fresh_catalog_is_at_the_newest_version(tmp_path: Path) -> None:
    store = CatalogStore(str(tmp_path / "c.sqlite3"))
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == MIGRATIONS[-1][0]
    assert "allowed_schemas" in {r[1] for r in store.db.execute("PRAGMA table_info(users)")}


def test_a_catalog_from_before_versions_is_migrated_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(BASELINE)  # the tables as the first servers wrote them, version 0
    db.execute(
        "INSERT INTO users (name, con_id, common, scram, md5, account_status, created_at)"
        " VALUES ('A', 3, 0, 'x', NULL, 'OPEN', 0)"
    )
    assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    assert migrate(db) == MIGRATIONS[-1][0]
    assert db.execute("SELECT user_id FROM users WHERE name = 'A'").fetchone()[0] == 101
    migrate(db)  # nothing left to do: the user keeps its id, no second one is drawn
    assert db.execute("SELECT value FROM meta WHERE key = 'next_user_id'").fetchone()[0] == "101"


def test_a_catalog_newer_than_the_server_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "new.sqlite3", isolation_level=None)
    db.executescript(BASELINE)
    db.execute(f"PRAGMA user_version = {MIGRATIONS[-1][0] + 1}")
    with pytest.raises(RuntimeError, match="schema is version"):
        migrate(db)
