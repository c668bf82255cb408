"""kill -9 of the server at each step of each lifecycle command: after a restart every PDB is
before or after the command (a half-built one is UNUSABLE and can be dropped), never corrupt."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest

from tests.server import RunningServer, start_server

ADMIN = 'ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"'


def _state(srv: RunningServer) -> dict[str, tuple[str, str]]:
    with srv.connect(autocommit=True) as c:
        return {
            r[0]: (r[1], r[2]) for r in c.execute("select pdb_name, status, 'x' from cdb_pdbs").fetchall()
        } | {r[1]: (_status(c, r[1]), r[2]) for r in c.execute("show pdbs").fetchall()}


def _status(c: psycopg.Connection, name: str) -> str:
    row = c.execute(f"select status from cdb_pdbs where pdb_name = '{name}'").fetchone()
    return row[0] if row else "?"


def _setup(srv: RunningServer) -> None:
    with srv.connect(autocommit=True) as c:
        c.execute(f"CREATE PLUGGABLE DATABASE src {ADMIN}")
        c.execute("ALTER PLUGGABLE DATABASE src OPEN")
        c.execute(f"CREATE PLUGGABLE DATABASE closed1 {ADMIN}")
    with srv.connect("src", "adm", "Adm-Pw-1", autocommit=True) as c:
        c.execute("create table t as select * from range(500) r(i)")


def _run_until_killed(srv: RunningServer, sql: str) -> None:
    try:
        with srv.connect(autocommit=True) as c:
            c.execute(sql)
    except psycopg.OperationalError:
        pass
    srv.proc.wait(30)
    assert srv.proc.returncode is not None and srv.proc.returncode < 0, "the crash point was not reached"


CASES = [
    ("create:intent", f"CREATE PLUGGABLE DATABASE newpdb {ADMIN}", "newpdb", {"UNUSABLE"}),
    ("create:files", f"CREATE PLUGGABLE DATABASE newpdb {ADMIN}", "newpdb", {"UNUSABLE"}),
    ("clone:intent", "CREATE PLUGGABLE DATABASE newpdb FROM src", "newpdb", {"UNUSABLE"}),
    ("clone:files", "CREATE PLUGGABLE DATABASE newpdb FROM src", "newpdb", {"UNUSABLE"}),
    ("drop:intent", "DROP PLUGGABLE DATABASE closed1 INCLUDING DATAFILES", "CLOSED1", {None}),
    ("drop:files", "DROP PLUGGABLE DATABASE closed1 INCLUDING DATAFILES", "CLOSED1", {None}),
    ("unplug:intent", "ALTER PLUGGABLE DATABASE closed1 UNPLUG INTO 'c1.xml'", "CLOSED1", {"NEW"}),
    ("unplug:manifest", "ALTER PLUGGABLE DATABASE closed1 UNPLUG INTO 'c1.xml'", "CLOSED1", {"NEW"}),
    ("open:engine", "ALTER PLUGGABLE DATABASE closed1 OPEN", "CLOSED1", {"NEW"}),
    ("close:engine", "ALTER PLUGGABLE DATABASE src CLOSE IMMEDIATE", "SRC", {"NORMAL"}),
]


@pytest.mark.parametrize(("point", "sql", "name", "allowed"), CASES, ids=[c[0] for c in CASES])
def test_kill_at_each_step(tmp_path: Path, point: str, sql: str, name: str, allowed: set) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    try:
        _setup(srv)
    finally:
        srv.stop()
    srv = start_server(data, env={"DUCKCDB_CRASH_AT": point})
    _run_until_killed(srv, sql)
    time.sleep(0.2)
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as c:
            row = c.execute(f"select status from cdb_pdbs where pdb_name = '{name.upper()}'").fetchone()
            assert (row[0] if row else None) in allowed
            if row and row[0] == "UNUSABLE":
                with pytest.raises(psycopg.Error, match="UNUSABLE"):
                    c.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
                c.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")
            elif row:
                c.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
        # the source PDB and its data are intact whatever happened
        with srv.connect("src", "adm", "Adm-Pw-1") as c:
            assert c.execute("select count(*) from t").fetchone() == (500,)
    finally:
        srv.stop()


def test_plug_interrupted_leaves_an_unusable_pdb(tmp_path: Path) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    try:
        _setup(srv)
        with srv.connect(autocommit=True) as c:
            c.execute("ALTER PLUGGABLE DATABASE closed1 UNPLUG INTO 'c1.pdb'")
            c.execute("DROP PLUGGABLE DATABASE closed1 INCLUDING DATAFILES")
    finally:
        srv.stop()
    for point in ("plug:intent", "plug:files"):
        srv = start_server(data, env={"DUCKCDB_CRASH_AT": point})
        _run_until_killed(srv, "CREATE PLUGGABLE DATABASE back USING 'c1.pdb'")
        srv = start_server(data)
        try:
            with srv.connect(autocommit=True) as c:
                assert c.execute("select status from cdb_pdbs where pdb_name = 'BACK'").fetchone() == (
                    "UNUSABLE",
                )
                c.execute("DROP PLUGGABLE DATABASE back INCLUDING DATAFILES")
        finally:
            srv.stop()
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as c:
            c.execute("CREATE PLUGGABLE DATABASE back USING 'c1.pdb'")
            c.execute("ALTER PLUGGABLE DATABASE back OPEN")
    finally:
        srv.stop()


TENANT = 'CREATE TENANT acme ADMIN USER adm IDENTIFIED BY "Adm-Pw-1" SERVICE TIER bronze'
# Every step of CREATE TENANT: the PDB's own steps inside it, and the tenant's.
TENANT_CREATE_POINTS = [
    "tenant:intent",
    "create:intent",
    "create:files",
    "tenant:pdb",
    "open:engine",
    "tenant:open",
]


def _tenants(c: psycopg.Connection) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in c.execute("select tenant_name, state, pdbs from cdb_tenants").fetchall()}


@pytest.mark.parametrize("point", TENANT_CREATE_POINTS)
def test_kill_during_create_tenant_leaves_it_whole_or_absent(tmp_path: Path, point: str) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    srv.stop()
    srv = start_server(data, env={"DUCKCDB_CRASH_AT": point})
    _run_until_killed(srv, TENANT)
    time.sleep(0.2)
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as c:
            assert "ACME" not in _tenants(c)
            assert c.execute("select count(*) from cdb_pdbs where pdb_name = 'ACME'").fetchone() == (0,)
            assert [r[3] for r in c.execute("select * from cdb_tenant_events").fetchall()][-1:] in (
                [],
                ["CREATE ROLLED BACK"],
            )
            c.execute(TENANT)  # the name is free again, and the tenant comes out whole
            assert _tenants(c)["ACME"] == ("ACTIVE", "ACME")
        with srv.connect("acme", "adm", "Adm-Pw-1") as c:
            assert c.execute("select 1").fetchone() == (1,)
        assert not [p for p in (data / "pdbs").iterdir() if not any(p.iterdir())]
    finally:
        srv.stop()


@pytest.mark.parametrize("point", ["tenant:suspend", "tenant:drop", "tenant:archive"])
def test_kill_during_suspend_or_drop_of_a_tenant(tmp_path: Path, point: str) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as c:
            c.execute(TENANT)
        with srv.connect("acme", "adm", "Adm-Pw-1", autocommit=True) as c:
            c.execute("create table t as select * from range(500) r(i)")
    finally:
        srv.stop()
    srv = start_server(data, env={"DUCKCDB_CRASH_AT": point})
    sql = "ALTER TENANT acme SUSPEND REASON 'unpaid'" if point == "tenant:suspend" else "DROP TENANT acme"
    _run_until_killed(srv, sql)
    time.sleep(0.2)
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as c:
            if point == "tenant:suspend":
                assert _tenants(c)["ACME"][0] == "SUSPENDED"
                assert {r[1]: r[2] for r in c.execute("show pdbs").fetchall()}["ACME"] == "MOUNTED"
                with pytest.raises(
                    psycopg.OperationalError, match="ORA-65904: tenant ACME is suspended: unpaid"
                ):
                    srv.connect("acme", "adm", "Adm-Pw-1")
                c.execute("ALTER TENANT acme RESUME")
            else:
                # the drop was finished at restart: archived, and UNDROP brings it back
                assert _tenants(c)["ACME"] == ("TERMINATED", None)
                assert c.execute("select count(*) from cdb_pdbs where pdb_name = 'ACME'").fetchone() == (0,)
                c.execute("UNDROP TENANT acme")
        with srv.connect("acme", "adm", "Adm-Pw-1") as c:
            assert c.execute("select count(*) from t").fetchone() == (500,)
    finally:
        srv.stop()


@pytest.mark.parametrize("point", ["backup:intent", "backup:files"])
def test_kill_during_backup(tmp_path: Path, point: str) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    try:
        _setup(srv)
    finally:
        srv.stop()
    srv = start_server(data, env={"DUCKCDB_CRASH_AT": point})
    _run_until_killed(srv, "BACKUP PLUGGABLE DATABASE src")
    time.sleep(0.2)
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as c:
            rows = c.execute("select status, message from cdb_pdb_backups").fetchall()
            assert rows == [("FAILED", "interrupted by a restart")]
            assert not [p for p in (data / "backups").glob("*/*")]
            c.execute("BACKUP PLUGGABLE DATABASE src")
            assert c.execute(
                "select count(*) from cdb_pdb_backups where status = 'AVAILABLE'"
            ).fetchone() == (1,)
        with srv.connect("src", "adm", "Adm-Pw-1") as c:
            assert c.execute("select count(*) from t").fetchone() == (500,)
    finally:
        srv.stop()


@pytest.mark.parametrize("point", ["clone:intent", "clone:files", "tenant:pdb", "tenant:open"])
def test_kill_during_create_tenant_from_a_template(tmp_path: Path, point: str) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    try:
        _setup(srv)
        with srv.connect(autocommit=True) as c:
            c.execute("CREATE TENANT TEMPLATE std FROM PDB src")
    finally:
        srv.stop()
    srv = start_server(data, env={"DUCKCDB_CRASH_AT": point})
    _run_until_killed(srv, TENANT + " TEMPLATE std")
    time.sleep(0.2)
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as c:
            assert "ACME" not in _tenants(c)
            assert c.execute("select count(*) from cdb_pdbs where pdb_name = 'ACME'").fetchone() == (0,)
            c.execute(TENANT + " TEMPLATE std")
        with srv.connect("acme", "adm", "Adm-Pw-1") as c:
            assert c.execute("select count(*) from t").fetchone() == (500,)
    finally:
        srv.stop()
