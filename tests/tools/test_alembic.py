"""Alembic (SQLAlchemy 2.1, psycopg 3), unmodified, on a chain of four migrations in a fresh PDB.

tests/tools/alembic_project/versions: 0001 creates author and book (an index on each, a foreign
key), 0002 adds a NOT NULL column with a server default to the indexed table book, 0003 renames
the indexed column author.name and widens book.pages to BIGINT, 0004 drops author.nickname.
`alembic upgrade 0001`, rows in, `upgrade head`, then `downgrade base`. ALEMBIC_SQL_LOG=1 prints
the statements.
"""

from __future__ import annotations

import sys

import pytest
import sqlalchemy as sa

from tests.tools.conftest import TOOLS_DIR, ToolDB, run_tool

pytest.importorskip("alembic", reason="Alembic is not installed (tests/tools/REQUIREMENTS.md)")

PROJECT = TOOLS_DIR / "alembic_project"


def _alembic(db: ToolDB, *args: str) -> str:
    env = {**db.env(), "ALEMBIC_DB_URL": db.url("psycopg")}
    cmd = [sys.executable, "-m", "alembic", "-c", str(PROJECT / "alembic.ini"), *args]
    run = run_tool(db, cmd, cwd=PROJECT, env=env)
    assert run.returncode == 0, db.failure(f"alembic {' '.join(args)} failed", run.stdout)
    return run.stdout


def test_alembic_upgrade_downgrade(tool_db: ToolDB) -> None:
    _alembic(tool_db, "upgrade", "0001")
    engine = sa.create_engine(tool_db.url("psycopg", direct=True))
    try:
        with engine.begin() as c:
            c.execute(
                sa.text("insert into author (id, name, nickname) values (1, 'Ursula K. Le Guin', 'UKL')")
            )
            c.execute(sa.text("insert into book (id, title, author_id) values (1, 'The Lathe of Heaven', 1)"))

        out = _alembic(tool_db, "upgrade", "head")
        assert "Running upgrade 0003 -> 0004" in out
        insp = sa.inspect(engine)
        assert {"alembic_version", "author", "book"} <= set(insp.get_table_names())
        author = {c["name"]: c for c in insp.get_columns("author")}
        book = {c["name"]: c for c in insp.get_columns("book")}
        assert list(author) == ["id", "full_name"]
        assert list(book) == ["id", "title", "author_id", "pages"]
        assert isinstance(book["pages"]["type"], sa.BigInteger) and book["pages"]["nullable"] is False
        assert "0" in str(book["pages"]["default"])
        indexes = {
            ix["name"]: ix["column_names"] for ix in insp.get_indexes("author") + insp.get_indexes("book")
        }
        assert indexes["ix_author_name"] == ["full_name"] and indexes["ix_book_title"] == ["title"]
        fk = insp.get_foreign_keys("book")[0]
        assert (fk["constrained_columns"], fk["referred_table"]) == (["author_id"], "author")
        with engine.begin() as c:
            assert c.execute(sa.text("select version_num from alembic_version")).all() == [("0004",)]
            rows = c.execute(
                sa.text(
                    "select b.title, b.pages, a.full_name from book b join author a on a.id = b.author_id"
                )
            )
            assert rows.all() == [("The Lathe of Heaven", 0, "Ursula K. Le Guin")]
            c.execute(sa.text("insert into book (id, title, author_id) values (2, 'The Dispossessed', 1)"))

        _alembic(tool_db, "downgrade", "base")
        insp = sa.inspect(engine)
        assert set(insp.get_table_names()) == {"alembic_version"}
        with engine.begin() as c:
            assert c.execute(sa.text("select count(*) from alembic_version")).scalar() == 0
    finally:
        engine.dispose()
