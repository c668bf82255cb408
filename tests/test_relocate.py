"""ALTER PLUGGABLE DATABASE p RELOCATE TO 'location' [AVAILABILITY NORMAL | MAX] and
POST /api/v1/pdbs/{id}/relocate (202, an operation), one function (catalog.relocate): the files
move, sessions are handled as Oracle's availability modes say, and a kill -9 at any step leaves
the PDB whole in one place."""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.api_util import client, token, wait_operation
from tests.server import TEST_CONFIG, RunningServer, start_server

ADMIN, PW = "radm", "Reloc-Pw-1"


def _name() -> str:
    return "R" + uuid.uuid4().hex[:7].upper()


def _make(srv: RunningServer, name: str, rows: int = 500) -> str:
    """An open PDB with a table of rows; its GUID."""
    with srv.connect(autocommit=True) as c:
        c.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {ADMIN} IDENTIFIED BY "{PW}"')
        c.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
        guid = c.execute(f"select guid from cdb_pdbs where pdb_name = '{name}'").fetchone()[0]
    with srv.connect(name, ADMIN, PW, autocommit=True) as c:
        c.execute(f"create table t as select * from range({rows}) r(i)")
    return guid


def _where(srv: RunningServer, guid: str) -> list[str]:
    """The folders holding the PDB's files (relative to the data directory), and any part copy."""
    return sorted(
        str(p.parent.relative_to(srv.data_dir))
        for p in srv.data_dir.rglob(f"{guid}*")
        if p.is_dir() and (p / "data.duckdb").exists() or p.name.endswith(".part")
    )


def _history(srv: RunningServer, name: str) -> list[str]:
    with srv.connect(autocommit=True) as c:
        return [
            r[0]
            for r in c.execute(
                f"select operation from cdb_pdb_history where pdb_name = '{name}' order by op_timestamp"
            ).fetchall()
        ]


def test_relocate_normal_closes_moves_and_reopens(server: RunningServer) -> None:
    name = _name()
    guid = _make(server, name)
    s = server.connect(name, ADMIN, PW, autocommit=True)
    with server.connect(autocommit=True) as root:
        root.execute(f"ALTER PLUGGABLE DATABASE {name} RELOCATE TO 'fast'")
        mode = root.execute(f"select open_mode from v$pdbs where name = '{name}'").fetchone()[0]
        assert mode == "READ WRITE"
    assert _where(server, guid) == ["fast"]
    assert not (server.data_dir / "pdbs" / guid).exists()
    # NORMAL: the session was ended, as CLOSE IMMEDIATE ends it
    with pytest.raises(psycopg.OperationalError):
        s.execute("select count(*) from t")
    s.close()
    with server.connect(name, ADMIN, PW, autocommit=True) as c:
        assert c.execute("select count(*) from t").fetchone() == (500,)
        c.execute("insert into t values (1000)")
    assert _history(server, name)[-1] == "RELOCATE"
    # back to the default location; then nowhere to go
    with server.connect(autocommit=True) as root:
        root.execute(f"ALTER PLUGGABLE DATABASE {name} RELOCATE TO 'pdbs' AVAILABILITY NORMAL")
        root.execute(f"ALTER PLUGGABLE DATABASE {name} RELOCATE TO 'pdbs'")
    assert _where(server, guid) == ["pdbs"]
    with server.connect(name, ADMIN, PW, autocommit=True) as c:
        assert c.execute("select count(*) from t").fetchone() == (501,)


def test_relocate_availability_max_keeps_sessions(server: RunningServer) -> None:
    name = _name()
    guid = _make(server, name)
    with server.connect(name, ADMIN, PW, autocommit=True) as s:
        s.execute("create temp table mine as select 7 as x")
        with server.connect(autocommit=True) as root:
            root.execute(f"ALTER PLUGGABLE DATABASE {name} RELOCATE TO 'tier2/ssd' AVAILABILITY MAX")
        assert _where(server, guid) == ["tier2/ssd"]
        # the session stayed connected and works on the reopened PDB
        assert s.execute("select count(*) from t").fetchone() == (500,)
        s.execute("insert into t values (-1)")
        assert s.execute("select count(*) from t").fetchone() == (501,)


def test_a_closed_pdb_stays_closed(server: RunningServer) -> None:
    name = _name()
    guid = _make(server, name)
    with server.connect(autocommit=True) as root:
        root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
        root.execute(f"ALTER PLUGGABLE DATABASE {name} RELOCATE TO 'cold'")
        assert root.execute(f"select open_mode from v$pdbs where name = '{name}'").fetchone() == ("MOUNTED",)
        assert _where(server, guid) == ["cold"]
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with server.connect(name, ADMIN, PW) as c:
        assert c.execute("select count(*) from t").fetchone() == (500,)


def test_refusals(server: RunningServer, tmp_path: Path) -> None:
    name = _name()
    _make(server, name, rows=1)
    with server.connect(autocommit=True) as root:
        for target, state, number in [
            (str(tmp_path), "42501", "ORA-65923"),  # outside the data dir and [container] relocate_dirs
            ("../elsewhere", "42501", "ORA-65923"),
            ("root", "42501", "ORA-65923"),
            ("seed", "42501", "ORA-65923"),
            ("exchange", "42501", "ORA-65923"),
            ("pdbs/x", "42501", "ORA-65923"),
        ]:
            with pytest.raises(psycopg.Error) as e:
                root.execute(f"ALTER PLUGGABLE DATABASE {name} RELOCATE TO '{target}'")
            assert e.value.sqlstate == state and number in str(e.value), (target, str(e.value))
        with pytest.raises(psycopg.Error, match="ORA-65017"):
            root.execute("ALTER PLUGGABLE DATABASE PDB$SEED RELOCATE TO 'fast'")
        with pytest.raises(psycopg.errors.SyntaxError):
            root.execute(f"ALTER PLUGGABLE DATABASE {name} RELOCATE TO 'fast' AVAILABILITY SOMETIMES")
        with pytest.raises(psycopg.Error, match="ORA-65011"):
            root.execute("ALTER PLUGGABLE DATABASE NO_SUCH_PDB RELOCATE TO 'fast'")
    with (
        server.connect(name, ADMIN, PW, autocommit=True) as c,
        pytest.raises(psycopg.Error, match="ORA-01031|ORA-65040"),
    ):
        c.execute(f"ALTER PLUGGABLE DATABASE {name} RELOCATE TO 'fast'")


def test_relocate_over_the_api_is_an_operation_with_the_same_result(server: RunningServer) -> None:
    tenant = f"RT_{uuid.uuid4().hex[:6]}".upper()
    with client(server, token(server)) as c:
        r = c.post(
            "/tenants",
            json={
                "tenant_name": tenant,
                "admin_user": "rt_adm",
                "admin_password": "Rt-Pw-12345",
                "service_tier": "bronze",
            },
        )
        assert r.status_code == 201, r.text
        guid = c.get(f"/pdbs/{tenant}").json()["guid"]
        try:
            r = c.post(f"/pdbs/{tenant}/relocate", json={"location": "fast", "availability": "MAX"})
            assert r.status_code == 202, r.text
            assert r.headers["location"] == f"/api/v1/operations/{r.json()['operation_id']}"
            op = wait_operation(c, r.headers["location"])
            assert op["status"] == "SUCCEEDED", op
            assert op["kind"] == "RELOCATE" and op["tenant"] == tenant
            assert op["result"]["location"] == "fast" and op["result"]["open_mode"] == "READ WRITE"
            assert op["result"]["path"] == str(server.data_dir / "fast" / guid)
            assert _where(server, guid) == ["fast"]
            assert c.get(f"/pdbs/{tenant}").json()["location"] == "fast"
            # the tenant's events say so; its admin logs in again
            events = c.get(f"/tenants/{tenant}/events", params={"operation": "RELOCATE"}).json()["items"]
            assert events and "to fast (AVAILABILITY MAX)" in events[-1]["reason"]
            with server.connect(tenant, "RT_ADM", "Rt-Pw-12345") as s:
                assert s.execute("select 1").fetchone() == (1,)
            # refused locations are refused at once (no operation), with the SQL path's error
            bad = c.post(f"/pdbs/{tenant}/relocate", json={"location": "/etc"})
            assert bad.status_code == 403 and bad.json()["ora"] == "ORA-65923"
            assert (
                c.post(f"/pdbs/{tenant}/relocate", json={"location": "x", "availability": "FAST"}).status_code
                == 422
            )
            assert c.post("/pdbs/NO_SUCH/relocate", json={"location": "x"}).status_code == 404
            # SQL and REST: the same function, the same place
            with server.connect(autocommit=True) as root:
                root.execute(f"ALTER PLUGGABLE DATABASE {tenant} RELOCATE TO 'pdbs'")
            assert _where(server, guid) == ["pdbs"]
            assert c.get(f"/pdbs/{tenant}/history").json()["items"][-1]["operation"] == "RELOCATE"
            # a tenant's admin may not move its PDB (SYSDBA's)
            atok = token(server, "RT_ADM", "Rt-Pw-12345", tenant)
            with client(server, atok, tenant) as ac:
                assert ac.post(f"/pdbs/{tenant}/relocate", json={"location": "fast"}).status_code == 403
        finally:
            c.delete(f"/tenants/{tenant}", params={"immediate": True})


def test_to_another_filesystem_while_logins_wait(tmp_path: Path) -> None:
    """An allowed folder on another filesystem ([container] relocate_dirs, tmpfs here): the files
    are copied, not renamed; logins meanwhile get 57P03 ORA-65922 (connect again), then succeed."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second filesystem")
    target = shm / f"hapi-reloc-{uuid.uuid4().hex[:8]}"
    data = tmp_path / "data"
    srv = start_server(data, config=TEST_CONFIG + f'\n[container]\nrelocate_dirs = ["{target}"]\n')
    stop = threading.Event()
    seen: list[str] = []

    def knock() -> None:
        while not stop.is_set():
            try:
                with srv.connect("BIG", ADMIN, PW, connect_timeout=5) as c:
                    c.execute("select 1")
                seen.append("ok")
            except psycopg.Error as e:
                seen.append(f"{e.sqlstate} {e}")

    statuses: set[str] = set()

    def watch() -> None:
        with srv.connect(autocommit=True) as root:
            while not stop.is_set():
                row = root.execute("select status from cdb_pdbs where pdb_name = 'BIG'").fetchone()
                statuses.add(row[0])

    try:
        guid = _make(srv, "BIG", rows=1)
        with srv.connect("BIG", ADMIN, PW, autocommit=True) as c:
            c.execute(
                "create table big as select i, md5(i::varchar) || md5((i * 7)::varchar) as m from range(5000000) r(i)"
            )
            c.execute("checkpoint")
        size = (data / "pdbs" / guid / "data.duckdb").stat().st_size
        assert size > 50 << 20
        knockers = [threading.Thread(target=knock) for _ in range(4)] + [threading.Thread(target=watch)]
        for t in knockers:
            t.start()
        time.sleep(0.5)
        with srv.connect(autocommit=True) as root:
            cur = root.execute(f"ALTER PLUGGABLE DATABASE big RELOCATE TO '{target}'")
            assert cur.statusmessage == "ALTER PLUGGABLE DATABASE"
        time.sleep(0.5)
        stop.set()
        for t in knockers:
            t.join(30)
        assert (target / guid / "data.duckdb").stat().st_size == size
        assert not (data / "pdbs" / guid).exists()
        refused = [x for x in seen if x != "ok"]
        # a refused login is a FATAL (psycopg gives no SQLSTATE for a failed connect): ORA-65922
        assert any("FATAL:  ORA-65922: pluggable database BIG is being relocated" in x for x in refused)
        # (and the session the NORMAL relocation ended, and a login that passed the gate just before
        # the move began and found the engine stopping: ORA-01109, 57P03 too, as with CLOSE IMMEDIATE)
        allowed = ("ORA-65922", "being relocated", "ORA-01109", "server closed the connection unexpectedly")
        assert all(any(a in x for a in allowed) for x in refused), {x.split("failed:")[-1] for x in refused}
        assert statuses == {"NORMAL", "RELOCATING"}  # DBA_PDBS.STATUS during the move
        assert seen[-1] == "ok"  # (the last knock of one thread: after the move, logins work)
        with srv.connect("BIG", ADMIN, PW) as c:
            assert c.execute("select count(*) from big").fetchone() == (5000000,)
        with srv.connect(autocommit=True) as root:
            root.execute("ALTER PLUGGABLE DATABASE big RELOCATE TO 'pdbs'")
        assert not (target / guid).exists() and (data / "pdbs" / guid / "data.duckdb").exists()
    finally:
        stop.set()
        srv.stop()
        shutil.rmtree(target, ignore_errors=True)


def _crash(data: Path, point: str, sql: str) -> None:
    srv = start_server(data, env={"DUCKCDB_CRASH_AT": point})
    try:
        with srv.connect(autocommit=True) as c:
            c.execute(sql)
    except psycopg.OperationalError:
        pass
    srv.proc.wait(30)
    assert srv.proc.returncode is not None and srv.proc.returncode < 0, "the crash point was not reached"
    srv.kill_all()  # engines too: a power cut
    time.sleep(0.2)


@pytest.mark.parametrize("point", ["relocate:intent", "relocate:closed", "relocate:files", "relocate:moved"])
@pytest.mark.parametrize("availability", ["NORMAL", "MAX"])
def test_kill_9_at_each_step_leaves_the_pdb_whole_in_one_place(
    tmp_path: Path, point: str, availability: str
) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    try:
        guid = _make(srv, "MOVER")
    finally:
        srv.stop()
    _crash(data, point, f"ALTER PLUGGABLE DATABASE mover RELOCATE TO 'fast' AVAILABILITY {availability}")
    srv = start_server(data)
    try:
        where = _where(srv, guid)
        # before the files moved: still in pdbs; after: in fast; never both, never a part copy
        moved = point in ("relocate:files", "relocate:moved")
        assert where == (["fast"] if moved else ["pdbs"]), where
        with srv.connect(autocommit=True) as c:
            status = c.execute("select status from cdb_pdbs where pdb_name = 'MOVER'").fetchone()[0]
            assert status == "NORMAL"
            assert _history(srv, "MOVER").count("RELOCATE") == int(moved)
            if c.execute("select open_mode from v$pdbs where name = 'MOVER'").fetchone()[0] == "MOUNTED":
                c.execute("ALTER PLUGGABLE DATABASE mover OPEN")
        with srv.connect("MOVER", ADMIN, PW) as c:
            assert c.execute("select count(*) from t").fetchone() == (500,)
        # and it can be relocated again
        with srv.connect(autocommit=True) as c:
            c.execute("ALTER PLUGGABLE DATABASE mover RELOCATE TO 'slow'")
        assert _where(srv, guid) == ["slow"]
    finally:
        srv.stop()
