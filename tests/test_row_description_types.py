"""RowDescription's type and typmod of result columns, against a real PostgreSQL 15
(engine.declared): a plain reference to a varchar(n) / char(n) / numeric(p,s) column is described
with the column's type and typmod (character varying n + 4, bpchar n + 4), through aliases,
joins, subqueries, CTEs and UNIONs, in the simple and the extended protocol; expressions over
them are text (typmod -1), as in PostgreSQL. Django's inspectdb reads max_length from it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.pg15 import PostgresServer, pg15
from tests.server import RunningServer

__all__ = ["pg15"]

SETUP = (
    "CREATE TABLE rd_t (id int PRIMARY KEY, code varchar(12), flag char(3), note text, price numeric(10,2),"
    ' qty numeric, name character varying(254), c1 char, "Mixed Case" varchar(5))',
    "INSERT INTO rd_t VALUES (1, 'alpha', 'ab', 'n', 1.50, 2, 'Ada', 'x', 'MC'), (2, 'beta', 'xyz', NULL, NULL, NULL, 'Bo', NULL, NULL)",
    "CREATE TABLE rd_u (id int REFERENCES rd_t, tag varchar(30))",
    "INSERT INTO rd_u VALUES (1, 'first')",
)

QUERIES = (
    "SELECT * FROM rd_t ORDER BY id",
    'SELECT * FROM "rd_t" LIMIT 1',
    'SELECT code, flag AS f, note, price, qty, name, c1, "Mixed Case" FROM rd_t WHERE id = 1',
    "SELECT t.code, upper(code), code || 'x', t.id, t.flag AS code2 FROM rd_t t ORDER BY t.id",
    "SELECT s.code, s.flag, s.k FROM (SELECT code, flag, id + 1 AS k FROM rd_t) s ORDER BY 1",
    "WITH w AS (SELECT name, id FROM rd_t) SELECT name FROM w ORDER BY id",
    "SELECT a.code, b.tag, b.* FROM rd_t a JOIN rd_u b ON a.id = b.id",
    "SELECT code FROM rd_t UNION SELECT code FROM rd_t ORDER BY 1",
    "SELECT count(*), max(code) FROM rd_t",
    "SELECT DISTINCT flag FROM rd_t ORDER BY flag",
    "SELECT rd_t.*, 1 AS one FROM public.rd_t ORDER BY id",
    "SELECT tag, id FROM rd_u JOIN rd_t USING (id)",
    "SELECT v, w FROM rd_tmp",
)


def _described(cur: psycopg.Cursor) -> list[tuple[str, int, int]]:
    res = cur.pgresult
    assert res is not None
    return [(d.name, res.ftype(i), res.fmod(i)) for i, d in enumerate(cur.description or [])]


def _answers(con: psycopg.Connection) -> list[tuple[str, list[tuple[str, int, int]]]]:
    out = []
    con.execute("CREATE TEMP TABLE rd_tmp (v varchar(7), w char(2))")
    for sql in QUERIES:
        for mode in ("simple", "extended", "prepared"):
            if mode == "simple":
                cur = psycopg.ClientCursor(con)
                cur.execute(sql)
            elif mode == "extended":
                cur = con.cursor(binary=True)
                cur.execute(sql.replace("id = 1", "id = %s"), (1,) if "id = 1" in sql else None)
            else:
                cur = con.cursor()
                cur.execute(sql, prepare=True)
                cur.execute(sql, prepare=True)  # the second run: a prepared statement's description
            out.append((f"{mode}: {sql}", _described(cur)))
    return out


@pytest.fixture(scope="module")
def pg_db(pg15: PostgresServer) -> Iterator[str]:
    name = "rd_" + uuid.uuid4().hex[:8]
    with pg15.connect(autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
        with pg15.connect(name, autocommit=True) as d:
            for sql in SETUP:
                d.execute(sql)
    yield name


@pytest.fixture(scope="module")
def cdb(server: RunningServer) -> str:
    name = "RDPDB"
    with server.connect(autocommit=True) as con:
        con.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"')
        con.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with server.connect(name, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        for sql in SETUP:
            c.execute(sql)
    return name


def test_descriptions_are_postgresql_s(
    server: RunningServer, cdb: str, pg15: PostgresServer, pg_db: str
) -> None:
    with (
        server.connect(cdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as ours,
        pg15.connect(pg_db, autocommit=True) as theirs,
    ):
        mine, pgs = _answers(ours), _answers(theirs)
    assert [q for q, _ in mine] == [q for q, _ in pgs]
    for (query, m), (_, p) in zip(mine, pgs, strict=True):
        assert m == p, f"{query}\nDuckCDB:    {m}\nPostgreSQL: {p}"
    varchar12 = ("code", 1043, 16)
    assert varchar12 in dict(mine)[f"simple: {QUERIES[0]}"]


def test_values_and_display_size(server: RunningServer, cdb: str) -> None:
    """The values of varchar(n) columns come through under their type, in text and binary, and
    psycopg reads the length (display_size) as Django's inspectdb does."""
    with server.connect(cdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        for binary in (False, True):
            cur = c.cursor(binary=binary)
            rows = cur.execute("SELECT code, name, flag FROM rd_t WHERE id = %s", (1,)).fetchall()
            assert [r[:2] for r in rows] == [("alpha", "Ada")]
            assert rows[0][2].rstrip() == "ab"
            assert [(d.name, d.display_size) for d in cur.description or []] == [
                ("code", 12),
                ("name", 254),
                ("flag", 3),
            ]
        # a later DDL is seen: the column's new length, and a table dropped and made again
        c.execute("CREATE TABLE rd_v (k varchar(4))")
        assert c.execute("SELECT k FROM rd_v").description[0].display_size == 4
        c.execute("DROP TABLE rd_v")
        c.execute("CREATE TABLE rd_v (k varchar(9))")
        assert c.execute("SELECT k FROM rd_v").description[0].display_size == 9
        c.execute("DROP TABLE rd_v")
        c.execute("CREATE TABLE rd_v (k text)")
        assert c.execute("SELECT k FROM rd_v").description[0].type_code == 25
