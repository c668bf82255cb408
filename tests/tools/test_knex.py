"""knex (npm, pinned in tests/tools/knex/package-lock.json), unmodified, in a fresh PDB.

Migration 1 creates teams and members (members.team_id references teams ON DELETE CASCADE, an index
on members.email, a unique team name); migration 2 adds a NOT NULL column with a default to the
indexed table members, renames the indexed column and drops another. Then a seed, ON DELETE
CASCADE at work, and `migrate:rollback --all`. DEBUG=knex:query prints the statements.
"""

from __future__ import annotations

import shutil
import subprocess

import psycopg
import pytest

from tests.tools.conftest import TOOLS_DIR, ToolDB, run_tool

KNEX_DIR = TOOLS_DIR / "knex"
KNEX = KNEX_DIR / "node_modules" / ".bin" / "knex"


@pytest.fixture(scope="module")
def knex() -> str:
    """The knex CLI; `npm ci` from the lock file when tests/tools/knex/node_modules is missing."""
    if not KNEX.exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed")
        subprocess.run(
            ["npm", "ci", "--prefix", str(KNEX_DIR), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return str(KNEX)


def _knex(db: ToolDB, knex: str, *args: str) -> str:
    run = run_tool(db, [knex, *args, "--knexfile", str(KNEX_DIR / "knexfile.js")], cwd=KNEX_DIR)
    assert run.returncode == 0, db.failure(f"knex {' '.join(args)} failed", run.stdout)
    return run.stdout


def test_knex_migrate_seed_rollback(tool_db: ToolDB, knex: str) -> None:
    out = _knex(tool_db, knex, "migrate:latest")
    assert "Batch 1 run: 2 migrations" in out
    tables = tool_db.tables()
    assert tables["teams"] == ["id", "name"]
    assert tables["members"] == ["id", "team_id", "contact_email", "created_at", "updated_at", "role"]

    assert "Ran 1 seed files" in _knex(tool_db, knex, "seed:run")
    with tool_db.connect(autocommit=True) as c:
        rows = c.execute(
            "select t.name, m.contact_email, m.role from members m join teams t on t.id = m.team_id "
            "order by m.contact_email"
        ).fetchall()
        assert rows == [
            ("red", "ann@example.com", "lead"),
            ("red", "bob@example.com", "member"),
            ("blue", "cid@example.com", "member"),
        ]
        with pytest.raises(psycopg.errors.UniqueViolation):
            c.execute("insert into teams (name) values ('red')")
        c.execute("delete from teams where name = 'red'")  # ON DELETE CASCADE
        assert c.execute("select contact_email from members").fetchall() == [("cid@example.com",)]

    assert "Batch 1 rolled back: 2 migrations" in _knex(tool_db, knex, "migrate:rollback", "--all")
    assert set(tool_db.tables()) == {"knex_migrations", "knex_migrations_lock"}
