"""Foreign keys as PostgreSQL carries them out (engine.foreign_keys), checked against a real
PostgreSQL 15: each script runs statement by statement on both, and every statement must give
the same rows, or the same SQLSTATE (for 23503 also the same message, detail, table and
constraint fields)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import duckdb
import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.pg15 import PostgresServer, pg15
from tests.server import RunningServer, start_server

__all__ = ["pg15"]


@pytest.fixture(scope="module")
def pg_db(pg15: PostgresServer) -> Iterator[str]:
    name = "fk_" + uuid.uuid4().hex[:8]
    with pg15.connect(autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    yield name


def _answer(con: psycopg.Connection, sql: str) -> tuple:
    try:
        cur = con.execute(sql)
        rows = cur.fetchall() if cur.description else None
        return ("ok", rows)
    except psycopg.Error as e:
        d = e.diag
        if e.sqlstate == "23503":
            return ("error", e.sqlstate, d.message_primary, d.message_detail, d.table_name, d.constraint_name)
        return ("error", e.sqlstate)


def _same(server: RunningServer, pdb: str, pg15: PostgresServer, pg_db: str, script: str) -> list[tuple]:
    """Runs the script on both; asserts each statement's answer is PostgreSQL's. Returns them."""
    statements = [s.strip() for s in script.split(";\n") if s.strip()]
    answers = []
    with (
        server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as ours,
        pg15.connect(pg_db, autocommit=True) as theirs,
    ):
        for sql in statements:
            mine, pgs = _answer(ours, sql), _answer(theirs, sql)
            assert mine == pgs, f"{sql}\nDuckCDB:    {mine}\nPostgreSQL: {pgs}"
            answers.append(mine)
    return answers


@pytest.fixture
def same(server: RunningServer, pdb: str, pg15: PostgresServer, pg_db: str):
    return lambda script: _same(server, pdb, pg15, pg_db, script)


def test_on_delete_actions(same) -> None:
    out = same("""
CREATE TABLE da_p (id int PRIMARY KEY, n text);
CREATE TABLE da_cascade (id int PRIMARY KEY, pid int REFERENCES da_p(id) ON DELETE CASCADE);
CREATE TABLE da_null (id int PRIMARY KEY, pid int REFERENCES da_p ON DELETE SET NULL);
CREATE TABLE da_default (id int PRIMARY KEY, pid int DEFAULT 3 REFERENCES da_p ON DELETE SET DEFAULT);
INSERT INTO da_p VALUES (1, 'a'), (2, 'b'), (3, 'c');
INSERT INTO da_cascade VALUES (1, 1), (2, 2), (3, NULL);
INSERT INTO da_null VALUES (1, 1), (2, 2);
INSERT INTO da_default VALUES (1, 1), (2, 2);
INSERT INTO da_cascade VALUES (4, 9);
DELETE FROM da_p WHERE id = 1;
SELECT * FROM da_cascade ORDER BY id;
SELECT * FROM da_null ORDER BY id;
SELECT * FROM da_default ORDER BY id;
DELETE FROM da_p WHERE id = 3;
SELECT * FROM da_p ORDER BY id;
DELETE FROM da_p;
SELECT * FROM da_cascade ORDER BY id;
SELECT * FROM da_null ORDER BY id;
""")
    assert out[8][1] == "23503" and out[10] == ("ok", [(2, 2), (3, None)])
    assert out[13][1] == "23503"  # SET DEFAULT to a key that is going: refused


def test_no_action_restrict_and_update_actions(same) -> None:
    same("""
CREATE TABLE ua_p (id int PRIMARY KEY, title text);
CREATE INDEX ua_p_title ON ua_p(title);
CREATE TABLE ua_no (id int PRIMARY KEY, pid int REFERENCES ua_p);
CREATE TABLE ua_restrict (id int PRIMARY KEY, pid int REFERENCES ua_p ON DELETE RESTRICT ON UPDATE RESTRICT);
CREATE TABLE ua_cascade (id int PRIMARY KEY, pid int REFERENCES ua_p ON UPDATE CASCADE);
CREATE TABLE ua_null (id int PRIMARY KEY, pid int REFERENCES ua_p ON UPDATE SET NULL);
INSERT INTO ua_p VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
INSERT INTO ua_no VALUES (1, 1);
INSERT INTO ua_restrict VALUES (1, 2);
INSERT INTO ua_cascade VALUES (1, 3), (2, 3);
INSERT INTO ua_null VALUES (1, 4);
UPDATE ua_p SET title = 'A' WHERE id = 1;
UPDATE ua_p SET title = 'B' WHERE id = 2;
DELETE FROM ua_p WHERE id = 1;
DELETE FROM ua_p WHERE id = 2;
UPDATE ua_p SET id = 10 WHERE id = 1;
UPDATE ua_p SET id = 20 WHERE id = 2;
UPDATE ua_p SET id = 30, title = 'C' WHERE id = 3;
SELECT * FROM ua_cascade ORDER BY id;
UPDATE ua_p SET id = 40 WHERE id = 4;
SELECT * FROM ua_null ORDER BY id;
SELECT * FROM ua_p ORDER BY id;
""")


def test_update_actions_follow_each_changed_key(same) -> None:
    same("""
CREATE TABLE uk_p (id int PRIMARY KEY, grp int);
CREATE TABLE uk_n (id int PRIMARY KEY, pid int REFERENCES uk_p ON UPDATE SET NULL);
CREATE TABLE uk_d (id int PRIMARY KEY, pid int DEFAULT 0 REFERENCES uk_p ON UPDATE SET DEFAULT);
CREATE TABLE uk_c (id int PRIMARY KEY, pid int REFERENCES uk_p ON UPDATE CASCADE ON DELETE CASCADE);
INSERT INTO uk_p VALUES (0, 0), (1, 1), (2, 1), (3, 2);
INSERT INTO uk_n VALUES (1, 1), (2, 2), (3, 3);
INSERT INTO uk_d VALUES (1, 1), (2, 3);
INSERT INTO uk_c VALUES (1, 1), (2, 2), (3, 3), (4, NULL);
UPDATE uk_p SET id = id + 10 WHERE grp = 1;
SELECT * FROM uk_n ORDER BY id;
SELECT * FROM uk_d ORDER BY id;
SELECT * FROM uk_c ORDER BY id;
UPDATE uk_p SET grp = 5 WHERE id = 3;
DELETE FROM uk_p WHERE id = 11;
SELECT * FROM uk_c ORDER BY id;
UPDATE uk_p SET id = 0 WHERE id = 3;
""")


def test_update_cascades_go_down_chains(same) -> None:
    """A key changed by ON UPDATE CASCADE (or SET NULL) is itself referenced with ON UPDATE
    actions: those are carried out in turn, through several levels, a composite key of which
    one column moves, a self-reference and a SET NULL that cascades its NULL further."""
    same("""
CREATE TABLE ch_p (id int PRIMARY KEY, n text);
CREATE TABLE ch_c (id int PRIMARY KEY REFERENCES ch_p ON UPDATE CASCADE ON DELETE CASCADE, n text);
CREATE TABLE ch_g (id int PRIMARY KEY, cid int UNIQUE REFERENCES ch_c ON UPDATE CASCADE ON DELETE CASCADE);
CREATE TABLE ch_gg (id int PRIMARY KEY, gcid int REFERENCES ch_g (cid) ON UPDATE CASCADE);
CREATE TABLE ch_no (id int PRIMARY KEY, cid int REFERENCES ch_c);
CREATE TABLE ch_n (id int PRIMARY KEY, cid int REFERENCES ch_c ON UPDATE SET NULL);
CREATE TABLE ch_m (a int REFERENCES ch_p ON UPDATE CASCADE, b int, PRIMARY KEY (a, b));
CREATE TABLE ch_mm (id int PRIMARY KEY, x int, y int, FOREIGN KEY (x, y) REFERENCES ch_m ON UPDATE CASCADE);
CREATE TABLE ch_t (id int PRIMARY KEY REFERENCES ch_p ON UPDATE CASCADE, up int REFERENCES ch_t ON UPDATE CASCADE);
CREATE TABLE ch_s (id int PRIMARY KEY, a int UNIQUE REFERENCES ch_p ON UPDATE SET NULL);
CREATE TABLE ch_sc (id int PRIMARY KEY, a int REFERENCES ch_s (a) ON UPDATE CASCADE);
INSERT INTO ch_p VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
INSERT INTO ch_c VALUES (1, 'a'), (2, 'b'), (3, 'c');
INSERT INTO ch_g VALUES (1, 1), (2, 2), (3, NULL);
INSERT INTO ch_gg VALUES (1, 1), (2, 2), (3, 1);
INSERT INTO ch_n VALUES (1, 1), (2, 3);
INSERT INTO ch_m VALUES (1, 10), (1, 20), (2, 10);
INSERT INTO ch_mm VALUES (1, 1, 10), (2, 1, 20), (3, 2, 10), (4, NULL, 10);
INSERT INTO ch_t VALUES (1, NULL), (2, 1), (3, 2), (4, 1);
INSERT INTO ch_s VALUES (1, 1), (2, 4);
INSERT INTO ch_sc VALUES (1, 1), (2, 4), (3, 1);
UPDATE ch_p SET id = id * 10 WHERE id < 3;
SELECT * FROM ch_p ORDER BY id;
SELECT * FROM ch_c ORDER BY id;
SELECT * FROM ch_g ORDER BY id;
SELECT * FROM ch_gg ORDER BY id;
SELECT * FROM ch_n ORDER BY id;
SELECT * FROM ch_m ORDER BY a, b;
SELECT * FROM ch_mm ORDER BY id;
SELECT * FROM ch_t ORDER BY id;
SELECT * FROM ch_s ORDER BY id;
SELECT * FROM ch_sc ORDER BY id;
UPDATE ch_c SET id = 11 WHERE id = 10;
SELECT * FROM ch_gg ORDER BY id;
INSERT INTO ch_no VALUES (1, 20);
UPDATE ch_p SET id = 21 WHERE id = 20;
SELECT * FROM ch_c ORDER BY id;
DELETE FROM ch_no;
BEGIN;
UPDATE ch_p SET id = 22 WHERE id = 20;
UPDATE ch_p SET id = 5 WHERE id = 4;
SELECT * FROM ch_s ORDER BY id;
SELECT * FROM ch_sc ORDER BY id;
COMMIT;
SELECT * FROM ch_gg ORDER BY id;
SELECT * FROM ch_mm ORDER BY id;
SELECT * FROM ch_t ORDER BY id;
""")


def test_set_default_into_a_cascading_key(same) -> None:
    """SET DEFAULT that changes a key another foreign key acts on in turn (ON UPDATE CASCADE,
    SET NULL, SET DEFAULT): the defaults are written and followed, as in PostgreSQL; a default
    without a parent is 23503 and the statement undone."""
    same("""
CREATE TABLE sd_p (id int PRIMARY KEY);
CREATE TABLE sd_c (k int DEFAULT 0 UNIQUE REFERENCES sd_p ON UPDATE SET DEFAULT ON DELETE SET DEFAULT, x text);
CREATE TABLE sd_g (id int, k int REFERENCES sd_c (k) ON UPDATE CASCADE);
CREATE TABLE sd_n (id int, k int REFERENCES sd_c (k) ON UPDATE SET NULL);
INSERT INTO sd_p VALUES (0), (1), (2), (5);
INSERT INTO sd_c VALUES (1, 'a'), (2, 'b'), (5, 'e');
INSERT INTO sd_g VALUES (1, 1), (2, 2), (3, 5);
INSERT INTO sd_n VALUES (1, 2);
UPDATE sd_p SET id = 3 WHERE id = 0;
UPDATE sd_p SET id = 0 WHERE id = 3;
UPDATE sd_p SET id = 10 WHERE id = 1;
SELECT * FROM sd_p ORDER BY id;
SELECT * FROM sd_c ORDER BY k;
SELECT * FROM sd_g ORDER BY id;
DELETE FROM sd_p WHERE id = 2;
SELECT * FROM sd_c ORDER BY k;
SELECT * FROM sd_g ORDER BY id;
SELECT * FROM sd_n ORDER BY id;
DELETE FROM sd_p WHERE id = 0;
SELECT * FROM sd_p ORDER BY id;
SELECT * FROM sd_c ORDER BY k NULLS FIRST;
CREATE SEQUENCE sd_seq START 100;
CREATE TABLE sd_q (id int PRIMARY KEY);
CREATE TABLE sd_r (k int DEFAULT nextval('sd_seq') PRIMARY KEY REFERENCES sd_q ON DELETE SET DEFAULT);
CREATE TABLE sd_s (k int REFERENCES sd_r ON UPDATE CASCADE);
INSERT INTO sd_q VALUES (1), (2), (100), (101);
INSERT INTO sd_r VALUES (1), (2);
INSERT INTO sd_s VALUES (1), (2), (2);
DELETE FROM sd_q WHERE id IN (1, 2);
SELECT * FROM sd_r ORDER BY k;
SELECT * FROM sd_s ORDER BY k;
DELETE FROM sd_q WHERE id = 100;
SELECT * FROM sd_r ORDER BY k;
SELECT * FROM sd_s ORDER BY k
""")


def test_child_then_parent_delete_in_one_transaction(same) -> None:
    same("""
CREATE TABLE ct_p (id int PRIMARY KEY);
CREATE TABLE ct_c (id int PRIMARY KEY, pid int NOT NULL REFERENCES ct_p);
INSERT INTO ct_p VALUES (1), (2);
INSERT INTO ct_c VALUES (1, 1), (2, 1), (3, 2);
BEGIN;
DELETE FROM ct_c WHERE pid = 1;
DELETE FROM ct_p WHERE id = 1;
COMMIT;
SELECT * FROM ct_p;
SELECT * FROM ct_c;
""")


def test_deferred_checks(same) -> None:
    same("""
CREATE TABLE df_p (id int PRIMARY KEY);
CREATE TABLE df_c (id int PRIMARY KEY, pid int REFERENCES df_p DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE df_i (id int PRIMARY KEY, pid int CONSTRAINT df_i_fk REFERENCES df_p DEFERRABLE);
BEGIN;
INSERT INTO df_c VALUES (1, 1);
INSERT INTO df_p VALUES (1);
COMMIT;
SELECT * FROM df_c;
BEGIN;
INSERT INTO df_c VALUES (2, 2);
COMMIT;
SELECT * FROM df_c;
INSERT INTO df_c VALUES (3, 3);
BEGIN;
INSERT INTO df_i VALUES (1, 5);
ROLLBACK;
BEGIN;
SET CONSTRAINTS df_i_fk DEFERRED;
INSERT INTO df_i VALUES (1, 5);
INSERT INTO df_p VALUES (5);
COMMIT;
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
INSERT INTO df_i VALUES (2, 6);
SET CONSTRAINTS ALL IMMEDIATE;
ROLLBACK;
BEGIN;
DELETE FROM df_p WHERE id = 1;
INSERT INTO df_p VALUES (1);
COMMIT;
SELECT * FROM df_c ORDER BY id;
SELECT conname, condeferrable, condeferred FROM pg_constraint WHERE conname IN ('df_c_pid_fkey', 'df_i_fk') ORDER BY 1;
""")


def test_actions_leave_rows_whose_check_is_deferred(same) -> None:
    """A row inserted before its parent (its check deferred) is not one a cascade reaches."""
    same("""
CREATE TABLE dd_p (id int PRIMARY KEY);
CREATE TABLE dd_c (id int PRIMARY KEY, pid int REFERENCES dd_p ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE dd_n (id int PRIMARY KEY, pid int REFERENCES dd_p ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED);
INSERT INTO dd_p VALUES (1);
INSERT INTO dd_c VALUES (1, 1);
INSERT INTO dd_n VALUES (1, 1);
BEGIN;
INSERT INTO dd_c VALUES (2, 5);
INSERT INTO dd_n VALUES (2, 5);
DELETE FROM dd_p WHERE id = 1;
SELECT * FROM dd_c ORDER BY id;
SELECT * FROM dd_n ORDER BY id;
INSERT INTO dd_p VALUES (5);
COMMIT;
SELECT * FROM dd_c ORDER BY id;
SELECT * FROM dd_n ORDER BY id;
""")


def test_multi_column_match_and_self_reference(same) -> None:
    same("""
CREATE TABLE mc_p (a int, b text, PRIMARY KEY (a, b));
CREATE TABLE mc_c (id int PRIMARY KEY, x int, y text, FOREIGN KEY (x, y) REFERENCES mc_p (a, b) ON DELETE CASCADE);
CREATE TABLE mc_f (id int PRIMARY KEY, x int, y text, FOREIGN KEY (x, y) REFERENCES mc_p MATCH FULL);
INSERT INTO mc_p VALUES (1, 'a'), (2, 'b');
INSERT INTO mc_c VALUES (1, 1, 'a'), (2, 1, NULL), (3, 2, 'b'), (4, 9, NULL);
INSERT INTO mc_c VALUES (5, 1, 'b');
INSERT INTO mc_f VALUES (1, NULL, NULL), (2, 2, 'b');
INSERT INTO mc_f VALUES (3, 2, NULL);
DELETE FROM mc_p WHERE a = 1;
SELECT * FROM mc_c ORDER BY id;
CREATE TABLE sr (id int PRIMARY KEY, parent int REFERENCES sr ON DELETE CASCADE);
INSERT INTO sr VALUES (1, NULL), (2, 1), (3, 2), (4, 3), (5, NULL);
INSERT INTO sr VALUES (6, 60);
DELETE FROM sr WHERE id = 2;
SELECT * FROM sr ORDER BY id;
CREATE TABLE sr2 (id int PRIMARY KEY, parent int REFERENCES sr2);
INSERT INTO sr2 VALUES (1, NULL), (2, 1);
DELETE FROM sr2 WHERE id = 1;
DELETE FROM sr2;
SELECT count(*) FROM sr2;
""")


def test_truncate_drop_and_alter(same) -> None:
    same("""
CREATE TABLE td_p (id int PRIMARY KEY);
CREATE TABLE td_c (id int PRIMARY KEY, pid int REFERENCES td_p);
INSERT INTO td_p VALUES (1);
INSERT INTO td_c VALUES (1, 1);
TRUNCATE td_p;
TRUNCATE td_c, td_p;
SELECT count(*) FROM td_p;
INSERT INTO td_p VALUES (1);
INSERT INTO td_c VALUES (1, 1);
TRUNCATE td_p CASCADE;
SELECT count(*) FROM td_c;
DROP TABLE td_p;
ALTER TABLE td_c DROP CONSTRAINT td_c_pid_fkey;
INSERT INTO td_c VALUES (2, 99);
ALTER TABLE td_c ADD CONSTRAINT td_back FOREIGN KEY (pid) REFERENCES td_p (id) ON DELETE CASCADE;
DELETE FROM td_c WHERE id = 2;
ALTER TABLE td_c ADD CONSTRAINT td_back FOREIGN KEY (pid) REFERENCES td_p (id) ON DELETE CASCADE;
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'td_back';
SELECT delete_rule, update_rule FROM information_schema.referential_constraints WHERE constraint_name = 'td_back';
SELECT constraint_type FROM information_schema.table_constraints WHERE constraint_name = 'td_back';
DROP TABLE td_p CASCADE;
INSERT INTO td_c VALUES (3, 77);
DROP TABLE td_c;
""")


def test_copy_into_a_child_is_checked(server: RunningServer, pdb: str) -> None:
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        c.execute("CREATE TABLE cp_p (id int PRIMARY KEY)")
        c.execute("CREATE TABLE cp_c (id int PRIMARY KEY, pid int REFERENCES cp_p)")
        c.execute("INSERT INTO cp_p VALUES (1)")
        with c.cursor().copy("COPY cp_c FROM STDIN") as cp:
            cp.write("1\t1\n2\t\\N\n")
        with (
            pytest.raises(psycopg.errors.ForeignKeyViolation) as e,
            c.cursor().copy("COPY cp_c FROM STDIN") as cp,
        ):
            cp.write("3\t1\n4\t2\n")
        assert e.value.diag.message_detail == 'Key (pid)=(2) is not present in table "cp_p".'
        assert c.execute("SELECT id FROM cp_c ORDER BY id").fetchall() == [(1,), (2,)]  # all or nothing


def test_the_hidden_catalog_is_out_of_tenants_reach(server: RunningServer, pdb: str) -> None:
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        c.execute("CREATE TABLE hc_p (id int PRIMARY KEY)")
        c.execute("CREATE TABLE hc_c (id int PRIMARY KEY, pid int REFERENCES hc_p)")
        for sql in (
            "SELECT * FROM __duckcdb.foreign_keys",
            'DELETE FROM "__DUCKCDB"."FOREIGN_KEYS"',
            'DELETE FROM "__duckcdb"."foreign_keys"',
            "DROP SCHEMA __duckcdb CASCADE",
            "SET search_path = '__duckcdb'",
            "SELECT * FROM __duckcdb_foreign_keys()",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql)
        names = c.execute("SELECT nspname FROM pg_namespace").fetchall()
        assert ("__duckcdb",) not in names
        assert c.execute("SELECT count(*) FROM pg_class WHERE relname = 'foreign_keys'").fetchone() == (0,)
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            c.execute("INSERT INTO hc_c VALUES (1, 1)")


def test_foreign_keys_survive_a_restart_and_go_with_clones(tmp_path) -> None:
    srv = start_server(tmp_path / "data")
    try:
        with srv.connect(autocommit=True) as con:
            con.execute(
                f'CREATE PLUGGABLE DATABASE FKR ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
            )
            con.execute("ALTER PLUGGABLE DATABASE FKR OPEN")
        with srv.connect("FKR", PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
            c.execute("CREATE TABLE p (id int PRIMARY KEY)")
            c.execute("CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p ON DELETE CASCADE)")
            c.execute("INSERT INTO p VALUES (1), (2)")
            c.execute("INSERT INTO c VALUES (1, 1), (2, 2)")
        srv.stop()
        srv = start_server(tmp_path / "data")
        with srv.connect(autocommit=True) as con:
            con.execute("ALTER PLUGGABLE DATABASE FKR OPEN")
        with srv.connect("FKR", PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
            c.execute("DELETE FROM p WHERE id = 1")
            assert c.execute("SELECT * FROM c").fetchall() == [(2, 2)]
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                c.execute("INSERT INTO c VALUES (3, 3)")
            assert c.execute("SELECT confdeltype FROM pg_constraint WHERE contype = 'f'").fetchall() == [
                ("c",)
            ]
        # clones, with their rows and without (NO DATA): the definitions are schema, they go along
        with srv.connect(autocommit=True) as con:
            con.execute("CREATE PLUGGABLE DATABASE FKCLONE FROM FKR")
            con.execute("CREATE PLUGGABLE DATABASE FKEMPTY FROM FKR NO DATA")
            con.execute("ALTER PLUGGABLE DATABASE FKCLONE OPEN")
            con.execute("ALTER PLUGGABLE DATABASE FKEMPTY OPEN")
        for clone, rows in (("FKCLONE", [(2, 2)]), ("FKEMPTY", [])):
            with srv.connect(clone, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
                assert c.execute("SELECT * FROM c").fetchall() == rows
                with pytest.raises(psycopg.errors.ForeignKeyViolation):
                    c.execute("INSERT INTO c VALUES (3, 3)")
                c.execute("INSERT INTO p VALUES (3)")
                c.execute("INSERT INTO c VALUES (3, 3)")
                c.execute("DELETE FROM p WHERE id = 3")
                assert c.execute("SELECT * FROM c").fetchall() == rows
    finally:
        srv.stop()


def test_a_writer_waits_and_then_sees_the_committed_reference(server: RunningServer, pdb: str) -> None:
    """The checks run inside the writer's transaction, behind the PDB's write gate: a DELETE of a
    parent waits for the transaction that references it, then finds the reference committed."""
    with (
        server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as a,
        server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as b,
    ):
        a.execute("CREATE TABLE wg_p (id int PRIMARY KEY)")
        a.execute("CREATE TABLE wg_c (id int PRIMARY KEY, pid int REFERENCES wg_p)")
        a.execute("INSERT INTO wg_p VALUES (1)")
        a.execute("BEGIN")
        a.execute("INSERT INTO wg_c VALUES (1, 1)")
        outcome: list[BaseException | None] = []

        def delete() -> None:
            try:
                b.execute("DELETE FROM wg_p WHERE id = 1")
                outcome.append(None)
            except psycopg.Error as e:
                outcome.append(e)

        t = threading.Thread(target=delete)
        t.start()
        time.sleep(0.5)
        assert not outcome  # waiting for the gate
        a.execute("COMMIT")
        t.join(30)
        assert isinstance(outcome[0], psycopg.errors.ForeignKeyViolation)
        assert a.execute("SELECT * FROM wg_p").fetchall() == [(1,)]


def test_duckdb_foreign_keys_of_older_tables_keep_working(tmp_path) -> None:
    """A PDB whose tables were made with DuckDB's own foreign keys (before DuckCDB kept its own):
    DuckDB goes on checking them, the catalog shows them beside the engine's."""
    srv = start_server(tmp_path / "data")
    try:
        with srv.connect(autocommit=True) as con:
            con.execute(
                f'CREATE PLUGGABLE DATABASE OLDFK ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
            )
            con.execute("ALTER PLUGGABLE DATABASE OLDFK OPEN")
        with srv.connect("OLDFK", PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
            c.execute("CREATE TABLE marker_t (id int)")
        srv.stop()
        files = [f for f in (tmp_path / "data" / "pdbs").glob("*/data.duckdb")]
        for f in files:
            con = duckdb.connect(str(f))
            try:
                if con.execute(
                    "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'marker_t'"
                ).fetchone()[0]:
                    con.execute("CREATE TABLE op (id int PRIMARY KEY)")
                    con.execute("CREATE TABLE oc (id int PRIMARY KEY, pid int REFERENCES op(id))")
                    con.execute("INSERT INTO op VALUES (1), (2)")
                    con.execute("INSERT INTO oc VALUES (1, 1)")
            finally:
                con.close()
        srv = start_server(tmp_path / "data")
        with srv.connect(autocommit=True) as con:
            con.execute("ALTER PLUGGABLE DATABASE OLDFK OPEN")
        with srv.connect("OLDFK", PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
            c.execute("CREATE TABLE nc (id int PRIMARY KEY, pid int REFERENCES op ON DELETE CASCADE)")
            assert c.execute(
                "SELECT conname, confrelid::regclass::text, confdeltype FROM pg_constraint WHERE contype = 'f' ORDER BY 1"
            ).fetchall() == [("nc_pid_fkey", "op", "c"), ("oc_pid_fkey", "op", "a")]
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                c.execute("INSERT INTO oc VALUES (2, 9)")
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                c.execute("DELETE FROM op WHERE id = 1")
            c.execute("INSERT INTO nc VALUES (1, 2)")
            c.execute("DELETE FROM op WHERE id = 2")
            assert c.execute("SELECT count(*) FROM nc").fetchone() == (0,)
    finally:
        srv.stop()


def test_on_delete_set_null_column_list(same) -> None:
    """PostgreSQL 15's ON DELETE SET NULL (a, ...) / SET DEFAULT (a, ...): only those columns of
    the key are set; the list is for ON DELETE only (0A000) and of the key's columns (42P10); the
    catalog prints it (pg_dump reads pg_get_constraintdef) and has their numbers
    (pg_constraint.confdelsetcols), a renamed column follows."""
    same(
        """
        DROP TABLE IF EXISTS sn_c2;
        DROP TABLE IF EXISTS sn_c;
        DROP TABLE IF EXISTS sn_p;
        CREATE TABLE sn_p (t int, id int, PRIMARY KEY (t, id));
        CREATE TABLE sn_c (cid int PRIMARY KEY, t int NOT NULL, pid int,
            FOREIGN KEY (t, pid) REFERENCES sn_p ON DELETE SET NULL (pid));
        CREATE TABLE sn_c2 (cid int, t int DEFAULT 2, "P id" int DEFAULT 1);
        ALTER TABLE sn_c2 ADD CONSTRAINT sn_c2_fk FOREIGN KEY (t, "P id") REFERENCES sn_p ON DELETE SET DEFAULT (t);
        INSERT INTO sn_p VALUES (1, 1), (1, 2), (2, 1), (2, 2);
        INSERT INTO sn_c VALUES (10, 1, 1), (11, 1, 2), (12, 2, 1);
        INSERT INTO sn_c2 VALUES (1, 1, 2), (2, 1, 1);
        DELETE FROM sn_p WHERE t = 1 AND id = 1;
        SELECT * FROM sn_c ORDER BY cid;
        SELECT * FROM sn_c2 ORDER BY cid;
        DELETE FROM sn_p WHERE t = 1 AND id = 2;
        SELECT * FROM sn_c ORDER BY cid;
        SELECT * FROM sn_c2 ORDER BY cid;
        SELECT conname::text, confdeltype::text, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid IN ('sn_c'::regclass, 'sn_c2'::regclass) AND contype = 'f' ORDER BY 1;
        SELECT conname::text, confdelsetcols, conkey FROM pg_constraint
            WHERE conrelid IN ('sn_c'::regclass, 'sn_c2'::regclass, 'sn_p'::regclass) ORDER BY 1;
        ALTER TABLE sn_c RENAME COLUMN pid TO parent;
        SELECT confdelsetcols FROM pg_constraint WHERE conrelid = 'sn_c'::regclass AND contype = 'f';
        DELETE FROM sn_p WHERE t = 2 AND id = 1;
        SELECT * FROM sn_c ORDER BY cid;
        SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'sn_c'::regclass AND contype = 'f';
        CREATE TABLE sn_x (a int, b int, FOREIGN KEY (a, b) REFERENCES sn_p ON UPDATE SET NULL (b));
        CREATE TABLE sn_x (a int, b int, FOREIGN KEY (a, b) REFERENCES sn_p ON DELETE SET DEFAULT (c));
        CREATE TABLE sn_x (a int, b int, FOREIGN KEY (a, b) REFERENCES sn_p ON DELETE CASCADE (b));
        DROP TABLE sn_c2;
        DROP TABLE sn_c;
        DROP TABLE sn_p
        """
    )
