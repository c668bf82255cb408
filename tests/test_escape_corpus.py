"""The escape corpus (tests/escape_corpus.py) against both walls of issue 13.

Through a real server, as a user granted only table t and CREATE TABLE, every attempt is refused
with 42501 by the proxy and audited, or shown harmless (nothing of secret_t, no server path), and
another tenant's session is unaffected. Against the engine's DuckDB alone (opened as an engine
opens a PDB, with the session shadows), the attempts that run SQL from strings fail too: the
second wall holds where the first one would not. The counts of each wall are in bench/RESULTS.md.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg
import pytest

from engine import shadows
from engine.database import open_database
from engine.errors import to_db_error
from engine.session import EngineSession
from pgwire.control import EngineSpec
from pgwire.errors import DbError
from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.escape_corpus import CORPUS, SECRET
from tests.server import RunningServer

USER = "esc" + uuid.uuid4().hex[:6]
PASSWORD = "Esc-Pw-1"

# Attempts the proxy lets through, and why nothing leaks (the test checks that nothing does).
HARMLESS = {
    "X18": "query_table is a column name here, not a call",
}
# Attempts whose statements DuckDB refuses by itself (errors other than 42501 are then expected);
# none left: subqueries in DEFAULT and CHECK (M12, M13), which DuckDB refuses, need SELECT first.
DUCKDB_REFUSES: dict[str, str] = {}


@pytest.fixture(scope="module")
def esc_pdb(server: RunningServer) -> Iterator[str]:
    """A PDB of its own: the attempts leave tables, views, types and macros behind."""
    name = "ESC" + uuid.uuid4().hex[:6].upper()
    with server.connect(autocommit=True) as root:
        root.execute(
            f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
        )
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    yield name
    with server.connect(autocommit=True) as root:
        root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE")
        root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")


@pytest.fixture(scope="module")
def attacker(server: RunningServer, esc_pdb: str) -> Iterator[str]:
    with server.connect(esc_pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        for sql in (
            "DROP TABLE IF EXISTS t",
            "DROP TABLE IF EXISTS secret_t",
            "DROP SEQUENCE IF EXISTS seq1",
            "CREATE TABLE t (id INT, v VARCHAR)",
            "INSERT INTO t VALUES (1, 'public')",
            "CREATE TABLE secret_t (id INT, s VARCHAR)",
            f"INSERT INTO secret_t VALUES (42, '{SECRET}')",
            "CREATE SEQUENCE seq1",
            f'CREATE USER {USER} IDENTIFIED BY "{PASSWORD}"',
            f"GRANT CREATE SESSION, CREATE TABLE TO {USER}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON t TO {USER}",
        ):
            adm.execute(sql)
    yield USER
    with server.connect(esc_pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        adm.execute(f"DROP USER {USER} CASCADE")  # then the PDB goes (esc_pdb)


def _leaks(text: str, paths: tuple[str, ...]) -> bool:
    return SECRET in text or any(p in text for p in paths)


def _run(c: psycopg.Connection, sql: str) -> tuple[str, str]:
    """(SQLSTATE or OK, what came back) of one statement."""
    try:
        if sql.lstrip().upper().startswith("COPY") and "STDOUT" in sql.upper():
            with c.cursor() as cur, cur.copy(sql) as cp:
                return "OK", b"".join(bytes(b) for b in cp).decode(errors="replace")
        cur = c.execute(sql)
        return "OK", repr(cur.fetchall()) if cur.description else ""
    except psycopg.Error as e:
        return str(e.sqlstate), str(e)


@pytest.mark.parametrize("ident,sql,why", CORPUS, ids=[c[0] for c in CORPUS])
def test_escape_is_refused_and_audited(
    server: RunningServer, esc_pdb: str, attacker: str, ident: str, sql: str, why: str
) -> None:
    paths = (str(server.data_dir),)
    outcomes = []
    with server.connect(esc_pdb, attacker, PASSWORD, autocommit=True) as c:
        for stmt in (s.strip() for s in sql.split(";")):
            if stmt:
                outcomes.append((stmt, *_run(c, stmt)))
        assert c.execute("SELECT v FROM t WHERE id = 1").fetchone() is not None  # the session goes on
    leaked = [o for o in outcomes if _leaks(o[2], paths)]
    assert not leaked, f"{ident} ({why}) leaked: {leaked}"
    refused = [stmt for stmt, state, _ in outcomes if state == "42501"]
    if ident in HARMLESS:
        return
    if ident in DUCKDB_REFUSES:
        assert outcomes[-1][1] not in ("OK", "42501"), outcomes
        return
    assert refused, f"{ident} ({why}) was not refused by the proxy: {outcomes}"
    with server.connect(esc_pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        audited = adm.execute(
            "SELECT sql_text FROM dba_audit_trail WHERE username = %s AND returncode = '42501'",
            (attacker.upper(),),
        ).fetchall()
    # the audit keeps the statement as split from its message (a trailing comment is not part of it)
    assert any(refused[-1].startswith(text.strip()) for (text,) in audited), f"{ident}: refusal not audited"


def test_other_tenants_are_unaffected(server: RunningServer, esc_pdb: str, pdb: str, attacker: str) -> None:
    with (
        server.connect(esc_pdb, attacker, PASSWORD, autocommit=True) as c,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="query_table"),
    ):
        c.execute("SELECT * FROM query_table('secret_t')")
    with server.connect(esc_pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        assert adm.execute("SELECT s FROM secret_t").fetchone() == (SECRET,)
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as other:  # another PDB
        assert other.execute("SELECT count(*) FROM range(3)").fetchone() == (3,)


def test_extended_protocol_is_judged_too(server: RunningServer, esc_pdb: str, attacker: str) -> None:
    with server.connect(esc_pdb, attacker, PASSWORD, autocommit=True) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="query_table"):
            c.execute("SELECT * FROM query_table(%s)", ("secret_t",))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="query"):
            c.execute('SELECT * FROM "QUERY"(%s)', ("FROM secret_t",), prepare=True)


# ---------------------------------------------------------------- the engine's wall on its own

# Attempts the engine's DuckDB must refuse by itself (SQL or a table named in a string, every
# spelling but system.-qualified; bare identifiers; engine control).
ENGINE_MUST_REFUSE = {
    "Q01", "Q02", "Q03", "Q04", "Q05", "Q06", "Q09", "Q10", "Q11", "Q12", "Q13", "Q16", "Q17", "Q19",
    "Q20", "Q21", "Q22", "Q23", "Q24", "Q29", "Q30", "Q31", "Q33", "W01", "W02", "W03",
    "M01", "M02", "M03", "M08", "J01", "J02", "J03", "J04", "N01", "N02", "N03", "N04", "N06", "N07",
    "N09", "E01", "E06", "T09", "X01", "X02", "X03", "X15", "X16",
}  # fmt: skip


def _engine(tmp: Path) -> duckdb.DuckDBPyConnection:
    spec = EngineSpec(
        name="ESC",
        con_id=3,
        db_path=str(tmp / "pdb.duckdb"),
        socket_path="",
        token="",
        read_only=False,
        memory_limit="256MB",
        threads=1,
        temp_dir=str(tmp / "tmp"),
        max_temp_size="1GB",
        allowed_dir=str(tmp),
    )
    con = open_database(spec)
    con.execute("CREATE TABLE t (id INT, v VARCHAR); INSERT INTO t VALUES (1, 'public')")
    con.execute(f"CREATE TABLE secret_t (id INT, s VARCHAR); INSERT INTO secret_t VALUES (42, '{SECRET}')")
    con.execute("CREATE SEQUENCE seq1")
    return con


def engine_outcomes(tmp: Path) -> dict[str, tuple[bool, bool]]:
    """Per attempt, run on the engine's DuckDB alone: (a statement of it failed, something leaked)."""
    out: dict[str, tuple[bool, bool]] = {}
    for ident, sql, _ in CORPUS:
        folder = tmp / ident
        folder.mkdir(parents=True)
        db = _engine(folder)
        cur = db.cursor()
        shadows.install(cur)
        timer = threading.Timer(5.0, cur.interrupt)
        timer.start()
        failed, leaked = False, False
        try:
            for stmt in (s.strip() for s in sql.split(";")):
                if not stmt:
                    continue
                if stmt.upper().startswith("COPY (") and stmt.upper().endswith("TO STDOUT"):
                    stmt = stmt[stmt.index("(") + 1 : stmt.upper().rindex(")")]  # the engine runs the query
                elif stmt.upper().endswith("TO STDOUT"):
                    stmt = "SELECT * FROM " + stmt.split()[1]
                try:
                    text = repr(cur.execute(stmt).fetchall())
                except duckdb.Error as e:
                    text, failed = str(e), True
                leaked = leaked or _leaks(text, (str(folder),))
        finally:
            timer.cancel()
            cur.close()
            db.close()
        out[ident] = (failed, leaked)
    return out


def test_the_engine_wall_alone(tmp_path: Path) -> None:
    out = engine_outcomes(tmp_path)
    refused = {i for i, (failed, _) in out.items() if failed}
    leaked = sorted(i for i, (_, leak) in out.items() if leak)
    print(f"\nengine wall alone: {len(refused)} of {len(out)} refused, {len(leaked)} leak: {leaked}")
    missing = sorted(ENGINE_MUST_REFUSE - refused)
    assert not missing, f"the engine alone let these through: {missing}"
    # system.main.x names the built-in past the shadows: only the proxy stops it
    assert not out["Q07"][0] and out["Q07"][1]


def test_a_shadow_refuses_with_42501(tmp_path: Path) -> None:
    db = _engine(tmp_path)
    cur = db.cursor()
    shadows.install(cur)
    with pytest.raises(duckdb.Error) as ei:
        cur.execute("SELECT * FROM \"Query_Table\"('secret_t')")
    err = to_db_error(ei.value)
    assert (err.sqlstate, err.message) == ("42501", "query_table() is not allowed in this engine")
    assert cur.execute("SELECT histogram(id) FROM secret_t").fetchone() == ({42: 1},)  # the aggregate stays
    db.close()


# ---------------------------------------------------------------- what tenants do keeps working

ORDINARY = [
    ("SELECT upper(v), lower(v), length(v), substring(v, 1, 3), v || '!', replace(v, 'p', 'P') FROM t", None),
    (
        "SELECT now() > '2020-01-01'::timestamp, date_trunc('month', DATE '2024-05-17'), extract(year FROM now())",
        None,
    ),
    ("SELECT abs(-2), round(2.567, 2), sqrt(16.0), power(2, 10), 7 / 2, mod(7, 3), greatest(1, 5)", None),
    ("SELECT count(*), sum(id), avg(id), max(v), string_agg(v, ','), array_agg(id) FROM t", None),
    (
        "SELECT id, row_number() OVER (ORDER BY id), lag(id) OVER (), sum(id) OVER (PARTITION BY v) FROM t",
        None,
    ),
    ("SELECT * FROM generate_series(1, 3) AS g(i)", [(1,), (2,), (3,)]),
    ("SELECT unnest(ARRAY[1, 2])", [(1,), (2,)]),
    ("SELECT count(*) FROM range(10)", [(10,)]),
    (
        "SELECT json_extract('{\"a\": [1, 2]}', '$.a[1]')::int, to_json(1), json_build_object('k', 1)::text",
        None,
    ),
    ("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id) FROM t", [(1.0,)]),
    ("WITH x AS (SELECT id FROM t) SELECT * FROM x, LATERAL (SELECT x.id + 1 AS n) l", [(1, 2)]),
    (
        "SELECT current_setting('TimeZone') IS NOT NULL, current_user IS NOT NULL, version() LIKE 'PostgreSQL%'",
        None,
    ),
    ("SELECT histogram(id) IS NOT NULL FROM t", [(True,)]),
    ("SELECT list_transform([1, 2], lambda x: x * 2), [1, 2, 3][2], {'a': 1}['a']", None),
]


@pytest.mark.parametrize("sql,expected", ORDINARY, ids=[str(i) for i in range(len(ORDINARY))])
def test_ordinary_sql_runs(
    server: RunningServer, esc_pdb: str, attacker: str, sql: str, expected: list | None
) -> None:
    with server.connect(esc_pdb, attacker, PASSWORD, autocommit=True) as c:
        rows = c.execute(sql).fetchall()
    assert rows
    if expected is not None:
        assert rows == expected


def test_macros_are_judged_by_their_bodies(server: RunningServer, esc_pdb: str, attacker: str) -> None:
    """A tenant's own macros work; a macro over a table the caller may not read is refused to
    that caller, whoever created it; a built-in's name cannot be taken."""
    with server.connect(esc_pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        adm.execute("CREATE OR REPLACE MACRO secret_rows() AS TABLE SELECT * FROM secret_t")
        adm.execute("CREATE OR REPLACE MACRO twice(x) AS x * 2")
        assert adm.execute("SELECT count(*) FROM secret_rows()").fetchone() == (1,)
    with server.connect(esc_pdb, attacker, PASSWORD, autocommit=True) as c:
        assert c.execute("SELECT twice(21)").fetchone() == (42,)
        c.execute("CREATE OR REPLACE MACRO mine() AS TABLE SELECT id FROM t")
        c.execute("CREATE OR REPLACE MACRO via_mine() AS TABLE SELECT * FROM mine()")
        assert c.execute("SELECT * FROM via_mine()").fetchall() == [(1,)]
        with pytest.raises(
            psycopg.errors.InsufficientPrivilege, match="secret_rows.*SELECT on public.secret_t"
        ):
            c.execute("SELECT * FROM secret_rows()")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="built-in function"):
            c.execute("CREATE MACRO lower(x) AS x")
        with pytest.raises(psycopg.errors.UndefinedFunction):
            c.execute("SELECT no_such_function(1)")


def test_a_replaced_macro_is_judged_again(server: RunningServer, esc_pdb: str, attacker: str) -> None:
    """Macro bodies are read again once any session of the PDB has run DDL (or ended a
    transaction that did): a harmless macro replaced by one reading a table the caller may not
    read is refused to the caller at its next call, in autocommit and after a COMMIT."""
    with (
        server.connect(esc_pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm,
        server.connect(esc_pdb, attacker, PASSWORD, autocommit=True) as c,
    ):
        adm.execute("CREATE OR REPLACE MACRO thrice(x) AS x * 3")
        assert c.execute("SELECT thrice(2)").fetchone() == (6,)
        assert c.execute("SELECT thrice(2)").fetchone() == (6,)  # the read of the bodies is kept
        adm.execute("CREATE OR REPLACE MACRO thrice(x) AS x * (SELECT count(*) FROM secret_t)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="thrice.*secret_t"):
            c.execute("SELECT thrice(2)")
        adm.execute("CREATE OR REPLACE MACRO thrice(x) AS x * 3")
        assert c.execute("SELECT thrice(2)").fetchone() == (6,)
        adm.execute("BEGIN")
        adm.execute("CREATE OR REPLACE MACRO thrice(x) AS x * (SELECT count(*) FROM secret_t)")
        assert c.execute("SELECT thrice(2)").fetchone() == (6,)  # not committed: the old body runs
        adm.execute("COMMIT")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="thrice.*secret_t"):
            c.execute("SELECT thrice(2)")


def test_a_macro_shadowing_a_builtin_is_judged_by_its_body(
    server: RunningServer, esc_pdb: str, attacker: str
) -> None:
    """A macro named like a built-in (made by SYS, or before the allow-list) shadows it in
    DuckDB: after the engine starts again its calls are judged by its body."""
    with server.connect(esc_pdb, autocommit=True) as sys_:
        sys_.execute("CREATE OR REPLACE MACRO ltrim(x) AS (SELECT max(s) FROM secret_t)")
    with server.connect(autocommit=True) as root:
        root.execute(f"ALTER PLUGGABLE DATABASE {esc_pdb} CLOSE IMMEDIATE")
        root.execute(f"ALTER PLUGGABLE DATABASE {esc_pdb} OPEN")
    try:
        with server.connect(esc_pdb, attacker, PASSWORD, autocommit=True) as c:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="ltrim.*secret_t"):
                c.execute("SELECT ltrim('  a')")
            assert c.execute("SELECT upper('a')").fetchone() == ("A",)
    finally:
        with server.connect(esc_pdb, autocommit=True) as sys_:
            sys_.execute("DROP MACRO ltrim")


def test_sequences_need_a_privilege(server: RunningServer, esc_pdb: str, attacker: str) -> None:
    """nextval / setval need UPDATE on the sequence, currval SELECT (PostgreSQL's USAGE is not
    modelled); the sequence must be named by a plain literal."""
    with server.connect(esc_pdb, attacker, PASSWORD, autocommit=True) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="UPDATE on public.seq1"):
            c.execute("SELECT nextval('seq1')")
        with server.connect(esc_pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
            adm.execute(f"GRANT UPDATE, SELECT ON seq1 TO {attacker}")
        try:
            first = c.execute("SELECT nextval('seq1')").fetchone()[0]
            assert c.execute("SELECT currval('main.seq1')").fetchone() == (first,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="literal"):
                c.execute("SELECT 'seq1'.nextval()")
        finally:
            with server.connect(esc_pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
                adm.execute(f"REVOKE UPDATE, SELECT ON seq1 FROM {attacker}")


def test_the_engine_runs_only_what_the_policies_passed(tmp_path: Path) -> None:
    """The session records its verdict with each text (EngineSession.passed); a text that no
    verdict passed is refused by the engine session itself, whatever path it came by."""
    db = _engine(tmp_path)
    ex = EngineSession(db.cursor(), 1, False)
    out: list[bytes] = []
    op = {"sql": "SELECT s FROM secret_t", "kind": "select", "tag": "SELECT"}
    assert ex.op_query([op], out.append) is False
    assert b"42501" in b"".join(out) and SECRET.encode() not in b"".join(out)
    with pytest.raises(DbError, match="not checked by the policies"):
        ex.op_parse("", "SELECT s FROM secret_t", "select", "SELECT", [])
    ex.passed("SELECT s FROM secret_t")
    out.clear()
    assert ex.op_query([op], out.append) is True
    assert SECRET.encode() in b"".join(out)
    # a text without jsonb's dispatch (pgcompat.rewrite's plain) runs only when it was passed too
    passed = "SELECT 1 || 'x'"
    for plain in ("SELECT s, 1 FROM secret_t", "SELECT 1 || 'y'"):
        out.clear()
        ex.passed(passed)
        sneaked = {"sql": passed, "plain": plain, "kind": "select", "tag": "SELECT"}
        assert ex.op_query([sneaked], out.append) is False
        assert b"42501" in b"".join(out) and SECRET.encode() not in b"".join(out)
        with pytest.raises(DbError, match="not checked by the policies"):
            ex.op_parse("", passed, "select", "SELECT", [], plain=plain)
    ex.passed(passed, "SELECT 1 || 'y'")
    out.clear()
    ok = {"sql": passed, "plain": "SELECT 1 || 'y'", "kind": "select", "tag": "SELECT"}
    assert ex.op_query([ok], out.append) is True and b"1y" in b"".join(out)  # (no JSON column: plain)
    ex.close()
    db.close()
