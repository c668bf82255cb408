"""Sessions served by their PDB's engine: a proxy that dies (kill -9) or restarts does not end
established plaintext sessions; the new proxy adopts the engines. One server per data directory.
The engines are confined and carry nothing secret where other users can read it. TLS sessions
are relayed by the proxy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.server import SYS_PASSWORD, RunningServer, start_server

ADMIN, ADMIN_PW = "adm", "Adm-Pw-1"


def _new_pdb(srv: RunningServer) -> str:
    name = "E" + uuid.uuid4().hex[:8].upper()
    with srv.connect(autocommit=True) as root:
        root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {ADMIN} IDENTIFIED BY "{ADMIN_PW}"')
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    return name


def test_a_proxy_killed_and_restarted_leaves_plaintext_sessions_running(tmp_path: Path) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    name = _new_pdb(srv)
    c = srv.connect(name, ADMIN, ADMIN_PW, autocommit=True)
    c.execute("create table t(i int)")
    c.execute("insert into t values (1)")
    engine = srv.engine_pids()[name]
    os.kill(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait()
    try:
        # The engine serves the session without any proxy.
        c.execute("insert into t values (2)")
        assert c.execute("select count(*) from t").fetchone() == (2,)
        # What needs the container fails, as a statement: the session goes on.
        with pytest.raises(psycopg.errors.CannotConnectNow, match="restarting"):
            c.execute("select name from v$pdbs")
        assert c.execute("select sum(i) from t").fetchone() == (3,)
        again = start_server(data, "--port", str(srv.port))  # the clients' cancel requests go there
    except BaseException:
        os.kill(engine, signal.SIGKILL)
        raise
    try:
        assert again.engine_pids()[name] == engine  # adopted, not restarted
        assert c.execute("select name from v$pdbs").fetchone() == (name,)
        assert c.execute("SHOW CON_NAME").fetchone() == (name,)
        # The new proxy knows the session: its cancel key works.
        threading.Timer(0.5, c.cancel_safe).start()
        with pytest.raises(psycopg.errors.QueryCanceled):
            c.execute("select count(*) from range(100000000000) a")
        assert c.execute("select count(*) from t").fetchone() == (2,)
        with again.connect(name, ADMIN, ADMIN_PW) as fresh:
            assert fresh.execute("select count(*) from t").fetchone() == (2,)
        assert "adopted the engine of " + name in again.log_text()
    finally:
        c.close()
        again.stop()


def test_one_server_per_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as root:
            name = "D" + uuid.uuid4().hex[:8].upper()
            root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {ADMIN} IDENTIFIED BY "{ADMIN_PW}"')
            root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
        catalog = (data / "catalog.sqlite3").read_bytes()
        second = subprocess.run(
            [sys.executable, "-m", "proxy.cli", "serve", "--data-dir", str(data), "--port", "0"],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "DUCKCDB_SYS_PASSWORD": SYS_PASSWORD},
        )
        assert second.returncode == 1
        assert f"in use by PID {srv.proc.pid}" in second.stderr
        assert (data / "catalog.sqlite3").read_bytes() == catalog  # nothing was recovered or rewritten
        with srv.connect(name, ADMIN, ADMIN_PW) as c:  # the first server's tenants never noticed
            assert c.execute("select 1").fetchone() == (1,)
    finally:
        srv.stop()


def test_engines_hold_no_secret_where_others_can_read_it(server: RunningServer, pdb: str) -> None:
    regs = list((server.data_dir / "run").glob("engine-*.json"))
    assert regs and all(r.stat().st_mode & 0o077 == 0 for r in regs)
    for name, pid in server.engine_pids().items():
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
        environ = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
        token = (
            next(r for r in regs if f'"name": "{name}"' in r.read_text())
            .read_text()
            .split('"token": "')[1][:32]
        )
        assert token not in cmdline and token not in environ
        assert "DUCKCDB_SYS_PASSWORD" not in environ
        assert f"--container\0{name}" in cmdline
        status = Path(f"/proc/{pid}/status").read_text()
        assert "NoNewPrivs:\t1" in status


def test_engines_run_with_the_configured_allocator_cache(server: RunningServer, pdb: str) -> None:
    """[engine] malloc_tcache_count reaches each engine as glibc's tunable (read at its start)."""
    pids = server.engine_pids()
    assert pdb in pids
    for pid in pids.values():
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        tunables = [e for e in environ if e.startswith(b"GLIBC_TUNABLES=")]
        assert tunables and b"glibc.malloc.tcache_count=256" in tunables[0]


def test_landlock_confines_the_engine_to_its_folder(tmp_path: Path) -> None:
    mine = tmp_path / "pdb"
    mine.mkdir()
    (tmp_path / "other.txt").write_text("someone else's")
    probe = textwrap.dedent(
        f"""
        from worker.confine import confine
        abi = confine({str(mine)!r})
        open({str(mine / "ok.txt")!r}, "w").write("mine")
        try:
            open({str(tmp_path / "other.txt")!r}).read()
            print(abi, "READ")
        except PermissionError:
            print(abi, "REFUSED")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
    )
    abi, verdict = out.stdout.split()
    if abi == "0":
        pytest.skip("this kernel has no Landlock")
    assert verdict == "REFUSED" and (mine / "ok.txt").read_text() == "mine"


def test_tls_sessions_are_relayed_and_end_with_their_engine(tmp_path: Path) -> None:
    srv = start_server(tmp_path / "data", "--tls-self-signed")
    try:
        name = _new_pdb(srv)
        dsn = srv.dsn(name, ADMIN, ADMIN_PW).replace("sslmode=disable", "sslmode=require")
        with psycopg.connect(dsn, autocommit=True) as c:
            assert c.pgconn.ssl_in_use
            c.execute("create table t as select i from range(100000) r(i)")
            assert c.execute("select count(*), sum(i) from t").fetchone() == (100000, 4999950000)
            rows = c.execute("select i, i::text from t order by i").fetchall()
            assert len(rows) == 100000 and rows[-1][0] == 99999
            os.kill(srv.engine_pids()[name], signal.SIGKILL)
            with pytest.raises(psycopg.OperationalError) as ei:
                c.execute("select 1")
            assert ei.value.sqlstate in ("57P01", None)
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(dsn) as again:
                    assert again.execute("select count(*) from t").fetchone() == (100000,)
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        srv.stop()


def test_set_container_moves_the_session_between_engines(server: RunningServer, root) -> None:
    a, b = _new_pdb(server), _new_pdb(server)
    root.execute(f"ALTER SESSION SET CONTAINER = {a}")
    root.execute("create table here(x int)")
    root.execute("insert into here values (1)")
    root.execute(f"ALTER SESSION SET CONTAINER = {b}")
    with pytest.raises(psycopg.errors.UndefinedTable):
        root.execute("select * from here")
    root.execute("create table here(x int)")
    root.execute(f"ALTER SESSION SET CONTAINER = {a}")
    assert root.execute("select x from here").fetchall() == [(1,)]
    assert root.execute("select sys_context('USERENV', 'CON_NAME')").fetchone() == (a,)
    root.execute("ALTER SESSION SET CONTAINER = CDB$ROOT")
    assert root.execute("SHOW CON_NAME").fetchone() == ("CDB$ROOT",)
    for name in (a, b):
        root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
