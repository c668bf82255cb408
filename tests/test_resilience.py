"""Cancel, engine crash isolation, TLS, restarts and kill -9 of the whole server."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid

import psycopg
import pytest

from tests.server import RunningServer, start_server


def _new_pdb(root: psycopg.Connection, open_it: bool = True) -> str:
    name = "R" + uuid.uuid4().hex[:8].upper()
    root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    if open_it:
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    return name


def test_cancel_interrupts_and_session_stays_usable(conn) -> None:
    def cancel_soon() -> None:
        time.sleep(0.5)
        conn.cancel_safe()

    t = threading.Thread(target=cancel_soon)
    t.start()
    start = time.monotonic()
    with pytest.raises(psycopg.errors.QueryCanceled):
        conn.execute("select count(*) from range(100000000000) a")
    t.join()
    assert time.monotonic() - start < 10
    assert conn.execute("select 42").fetchone() == (42,)


def test_engine_crash_ends_only_its_own_sessions(server: RunningServer) -> None:
    with server.connect(autocommit=True) as root:
        a, b = _new_pdb(root), _new_pdb(root)
    ca = server.connect(a, "adm", "Adm-Pw-1", autocommit=True)
    cb = server.connect(b, "adm", "Adm-Pw-1", autocommit=True)
    ca.execute("create table t(x int)")
    ca.execute("insert into t values (1)")
    cb.execute("create table t(x int)")
    pid = server.engine_pids()[a]
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(psycopg.OperationalError) as ei:
        ca.execute("select 1")
    assert ei.value.sqlstate in ("57P01", "XX000", None)
    ca.close()
    # the other PDB never noticed
    cb.execute("insert into t values (2)")
    assert cb.execute("select count(*) from t").fetchone() == (1,)
    # the supervisor restarts the engine; committed data is there
    deadline = time.monotonic() + 30
    while True:
        try:
            with server.connect(a, "adm", "Adm-Pw-1") as again:
                assert again.execute("select x from t").fetchall() == [(1,)]
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert server.engine_pids().get(a) not in (None, pid)
    cb.close()


def test_tls_self_signed(tmp_path) -> None:
    srv = start_server(tmp_path / "data", "--tls-self-signed")
    try:
        with psycopg.connect(srv.dsn().replace("sslmode=disable", "sslmode=require")) as c:
            assert c.pgconn.ssl_in_use
            assert c.execute("select 1").fetchone() == (1,)
        assert (tmp_path / "data" / "tls" / "server.key").stat().st_mode & 0o077 == 0
    finally:
        srv.stop()


def test_no_tls_answers_n(server: RunningServer) -> None:
    with pytest.raises(psycopg.OperationalError, match="SSL"):
        psycopg.connect(server.dsn().replace("sslmode=disable", "sslmode=require"))
    with psycopg.connect(server.dsn().replace("sslmode=disable", "sslmode=prefer gssencmode=prefer")) as c:
        assert not c.pgconn.ssl_in_use


def test_generated_sys_password_is_private(tmp_path) -> None:
    env = {"DUCKCDB_SYS_PASSWORD": ""}
    srv = start_server(tmp_path / "data", env=env)
    try:
        pw_file = tmp_path / "data" / "sys_password"
        assert pw_file.stat().st_mode & 0o777 == 0o600
        pw = pw_file.read_text().strip()
        assert len(pw) >= 16
        with srv.connect(password=pw) as c:
            assert c.execute("select 1").fetchone() == (1,)
    finally:
        srv.stop()


def test_restart_keeps_pdbs_and_data(tmp_path) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as root:
            opened = _new_pdb(root)
            closed = _new_pdb(root, open_it=False)
            ro = _new_pdb(root)
            root.execute(f"ALTER PLUGGABLE DATABASE {ro} CLOSE")
            root.execute(f"ALTER PLUGGABLE DATABASE {ro} OPEN READ ONLY")
            root.execute(f"ALTER PLUGGABLE DATABASE {ro} SAVE STATE")
        with srv.connect(opened, "adm", "Adm-Pw-1", autocommit=True) as c:
            c.execute("create table t as select * from range(1000) r(i)")
    finally:
        srv.stop()
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as root:
            pdbs = {r[1]: r[2] for r in root.execute("show pdbs").fetchall()}
        assert pdbs[opened] == "READ WRITE" and pdbs[closed] == "MOUNTED" and pdbs[ro] == "READ ONLY"
        with srv.connect(opened, "adm", "Adm-Pw-1") as c:
            assert c.execute("select count(*) from t").fetchone() == (1000,)
    finally:
        srv.stop()


def test_kill_9_keeps_committed_data(tmp_path) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    with srv.connect(autocommit=True) as root:
        name = _new_pdb(root)
        root.execute(f"ALTER PLUGGABLE DATABASE {name} SAVE STATE")  # opened again at the restart
        _new_pdb(root)  # open when killed, not saved: its engine does not come back
    with srv.connect(name, "adm", "Adm-Pw-1", autocommit=True) as c:
        c.execute("create table t(i int)")
        for i in range(20):
            c.execute("insert into t values (%s)", (i,))
    # kill -9 of the proxy and of every engine: no checkpoint
    killed = {p.name for p in (data / "run").glob("engine-*.sock")}
    assert killed
    srv.kill_all()
    srv = start_server(data)
    try:
        with srv.connect(name, "adm", "Adm-Pw-1") as c:
            assert c.execute("select count(*), sum(i) from t").fetchone() == (20, 190)
        # the killed engines' sockets and registrations were cleaned up; only live ones remain
        live = set(srv.engine_pids().values())
        for reg in (data / "run").glob("engine-*.json"):
            assert int(json.loads(reg.read_text())["pid"]) in live
        for sock in (data / "run").glob("engine-*.sock"):
            assert sock.with_suffix(".json").exists(), sock
    finally:
        srv.stop()


@pytest.mark.parametrize("method", ["md5", "password"])
def test_md5_and_cleartext_when_configured(tmp_path, method) -> None:
    srv = start_server(tmp_path / "data", "--auth", method)
    try:
        with srv.connect() as c:
            assert c.execute("select 1").fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            srv.connect(password="wrong")
    finally:
        srv.stop()


def test_gssenc_request_is_refused_with_n(server: RunningServer) -> None:
    import socket
    import struct

    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        s.sendall(struct.pack("!ii", 8, 80877104))  # GSSENCRequest
        assert s.recv(1) == b"N"
        s.sendall(struct.pack("!ii", 8, 80877103))  # then SSLRequest: no TLS configured
        assert s.recv(1) == b"N"
    finally:
        s.close()
