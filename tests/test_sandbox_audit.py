"""The tenant sandbox refuses files, URLs, other databases, extensions and engine settings with
42501, and every refusal and failed login lands in the audit trail."""

from __future__ import annotations

import psycopg
import pytest

from tests import rawpg
from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.server import RunningServer, start_server

REFUSED = [
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('/etc/hostname')",
    "select count(*) from glob('/*')",
    "select * from '/etc/passwd'",
    "select * from 'data.csv'",
    "select * from read_parquet('https://example.com/x.parquet')",
    "with x as (select * from read_json('y.json')) select * from x",
    "explain select * from read_csv('/etc/passwd')",
    "attach '/tmp/other.duckdb' as other",
    "detach data",
    "install httpfs",
    "load httpfs",
    "pragma database_list",
    "select * from duckdb_databases()",
    "select * from duckdb_settings()",
    "select current_setting('temp_directory')",
    "select getenv('HOME')",
    "set memory_limit = '100GB'",
    "set threads = 64",
    "create secret s (type s3, key_id 'k', secret 'x')",
    "export database '/tmp/dump'",
    "copy (select 1) to '/tmp/out.csv'",
    "select * from otherpdb.main.t",
    "create macro evil() as table select * from read_csv('/etc/passwd')",
    "declare c cursor with hold for select * from read_blob('/etc/passwd')",
    "SELECT * FROM READ_CSV('/etc/passwd')",
    "select * from \"read_csv\"('/etc/passwd')",
    "select/**/ * /* c */ from -- x\n read_csv('/etc/passwd')",
    "select * from (select * from (select * from read_csv('/etc/passwd')) a) b",
    "select * from (values (1)) v(x), lateral (select * from read_csv('/etc/passwd')) l",
    "select 1; select * from read_csv('/etc/passwd')",
    "prepare p1 as select * from read_csv('/etc/passwd')",
]


@pytest.mark.parametrize("sql", REFUSED)
def test_sandbox_refuses(conn, sql) -> None:
    with pytest.raises(psycopg.Error) as ei:
        conn.execute(sql)
    assert ei.value.sqlstate in ("42501", "42601"), (sql, ei.value.sqlstate, str(ei.value))
    assert conn.execute("select 1").fetchone() == (1,)


def test_refusals_through_the_extended_protocol(conn) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select * from read_csv(%s)", ("/etc/passwd",))


def test_refusals_are_audited(server: RunningServer, pdb, conn) -> None:
    marker = "audit_marker_7c1"
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(f"select '{marker}', * from read_csv('/etc/passwd')")
    rows = conn.execute(
        f"select username, rule, returncode, sql_text from dba_audit_trail where sql_text like '%{marker}%'"
    ).fetchall()
    assert rows == [
        (PDB_ADMIN.upper(), "SANDBOX_FILES", "42501", f"select '{marker}', * from read_csv('/etc/passwd')")
    ]
    with server.connect(autocommit=True) as root:
        cdb = root.execute(
            f"select pdb_name from cdb_audit_trail where sql_text like '%{marker}%'"
        ).fetchall()
    assert cdb == [(pdb,)]


def test_failed_logins_are_audited(server: RunningServer, pdb) -> None:
    rawpg.login_error(server.port, PDB_ADMIN, "wrong-password", pdb)
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as c:
        rows = c.execute(
            "select action_name, rule from dba_audit_trail where rule = 'LOGIN_FAILED'"
        ).fetchall()
    assert ("LOGON", "LOGIN_FAILED") in rows


def test_repeated_failed_logins_lock_out(tmp_path) -> None:
    srv = start_server(
        tmp_path / "data",
        # No local bypass for SYS here: 127.0.0.1 stands for a remote address.
        config="[auth]\nmax_failures = 3\nfailure_window_s = 60\nlockout_s = 60\nsys_bypass_addresses = []\n",
    )
    try:
        for _ in range(3):
            assert rawpg.login_error(srv.port, "SYS", "wrong", "CDB$ROOT")["C"] == "28P01"
        err = rawpg.login_error(srv.port, "SYS", "wrong", "CDB$ROOT")
        assert err["C"] == "28000" and "too many failed login attempts" in err["M"]
        # even the right password waits until the lockout ends
        assert rawpg.login_error(srv.port, "SYS", "Sys-Test-Pw-1", "CDB$ROOT")["C"] == "28000"
    finally:
        srv.stop()


def test_schema_whitelist(server: RunningServer, pdb) -> None:
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        adm.execute("create schema if not exists sales")
        adm.execute("create schema if not exists hr")
        adm.execute("create or replace table sales.orders(id int)")
        adm.execute("create or replace table hr.salaries(id int)")
        adm.execute('create user wl_user identified by "Wl-Pw-1"')
        adm.execute("grant create session to wl_user")
        adm.execute("alter user wl_user allowed schemas (sales)")
        adm.execute("grant select on schema sales to wl_user")
        adm.execute("grant select on hr.salaries to wl_user")
        assert adm.execute("select allowed_schemas from dba_users where username = 'WL_USER'").fetchone() == (
            "sales",
        )
        with server.connect(pdb, "wl_user", "Wl-Pw-1", autocommit=True) as c:
            assert c.execute("select count(*) from sales.orders").fetchone() == (0,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="access to schema hr not allowed"):
                c.execute("select * from hr.salaries")
            with pytest.raises(
                psycopg.errors.InsufficientPrivilege, match="access to schema public not allowed"
            ):
                c.execute("create table t_in_public(a int)")
            # CTEs, the catalogs and the dictionary are not schemas of the tenant
            assert c.execute("with x as (select 1 as a) select a from x").fetchone() == (1,)
            c.execute("select count(*) from pg_catalog.pg_class")
            adm.execute("alter user wl_user allowed schemas all")
            c.execute("select * from hr.salaries")  # applies to the next statement


def test_object_privileges(server: RunningServer, pdb) -> None:
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
        adm.execute("create or replace table op_items(id int, v text)")
        adm.execute("create or replace table op_secret(id int)")
        adm.execute('create user op_reader identified by "Op-Pw-1"')
        adm.execute("create role op_writers")
        adm.execute("grant create session to op_reader")
        adm.execute("grant select on op_items to op_reader")
        with server.connect(pdb, "op_reader", "Op-Pw-1", autocommit=True) as c:
            assert c.execute("select count(*) from op_items").fetchone() == (0,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="SELECT on public.op_secret"):
                c.execute("select * from op_secret")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="INSERT on public.op_items"):
                c.execute("insert into op_items values (1, 'x')")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="CREATE TABLE"):
                c.execute("create table mine(a int)")
            # through a role, effective at the next statement
            adm.execute("grant insert, update on op_items to op_writers")
            adm.execute("grant op_writers to op_reader")
            c.execute("insert into op_items values (1, 'x')")
            c.execute("update op_items set v = 'y' where id = 1")
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="DELETE"):
                c.execute("delete from op_items")
            adm.execute("revoke select on op_items from op_reader")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute("select * from op_items")
