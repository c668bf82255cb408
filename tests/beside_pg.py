"""The same statements on DuckCDB and on the PostgreSQL 15 beside it, compared (the tests that hold a
table of statements and their answers: float overflow, jsonb's order, char(n) set operations,
aliases in subqueries)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from tests.conftest import PDB_ADMIN, PDB_PASSWORD


def answer(
    con: psycopg.Connection,
    sql: str,
    params: list[object] | None = None,
    prepare: bool = False,
    sizes: bool = False,
) -> tuple:
    """("ok", the columns' type OIDs (with their sizes if asked), the rows) or ("error", SQLSTATE,
    message)."""
    try:
        cur = con.execute(sql, params, prepare=prepare)
        desc = cur.description or []
        columns = [(d.type_code, d.internal_size) if sizes else d.type_code for d in desc]
        return ("ok", columns, cur.fetchall())
    except psycopg.Error as e:
        return ("error", e.sqlstate, e.diag.message_primary)


def write_outcome(con: psycopg.Connection, sql: str, params: list[object] | None, prepare: bool) -> tuple:
    """("ok", the row count, the rows sorted, or None) or ("error", SQLSTATE): a write's outcome,
    RETURNING rows in any order."""
    try:
        cur = con.execute(sql, params, prepare=prepare)
        rows = sorted(cur.fetchall(), key=repr) if cur.description else None
        return ("ok", cur.rowcount, rows)
    except psycopg.Error as e:
        return ("error", e.sqlstate)


@contextmanager
def both_with(server, pdb: str, pg15, tables: tuple[str, ...], setup: list[str]) -> Iterator[tuple]:  # noqa: ANN001
    """(DuckCDB's connection to the PDB, PostgreSQL's), each with `tables` made afresh by `setup`
    and dropped after."""
    with (
        server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as ours,
        pg15.connect(autocommit=True) as theirs,
    ):
        for c in (ours, theirs):
            for t in tables:
                c.execute(f"drop table if exists {t}")
            for s in setup:
                c.execute(s)
        yield ours, theirs
        for c in (ours, theirs):
            for t in tables:
                c.execute(f"drop table {t}")
