"""The HTTP listener of a server of its own: TLS with the server's certificate, the per-token
rate limit (429 + Retry-After), and operations that keep their final status across restarts
(kill -9 included)."""

from __future__ import annotations

import signal
import ssl
import time
from pathlib import Path

import httpx
import pytest

from tests.server import SYS_PASSWORD, RunningServer, start_server

CONFIG = """
[auth]
max_failures = 3

[http]
port = 0
rate_limit_per_s = 2
rate_limit_burst = 4
"""


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("apisrv") / "data"
    holder = {"srv": start_server(data, "--tls-self-signed", config=CONFIG)}
    yield holder
    holder["srv"].stop()


def _client(srv: RunningServer, tok: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {tok}"} if tok else {}
    return httpx.Client(base_url=srv.api, headers=headers, verify=False, timeout=60)


def _token(srv: RunningServer) -> str:
    with _client(srv) as c:
        r = c.post("/auth/token", json={"username": "SYS", "password": SYS_PASSWORD})
        assert r.status_code == 200, r.text
        return r.json()["access_token"]


def test_https_with_the_servers_certificate(own: dict) -> None:
    srv: RunningServer = own["srv"]
    assert srv.http_scheme == "https"
    served = ssl.get_server_certificate(("127.0.0.1", srv.http_port))
    on_disk = (srv.data_dir / "tls" / "server.crt").read_text()
    assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(on_disk)
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{srv.http_port}/api/v1/health", timeout=5)
    with _client(srv) as c:
        assert c.get("/health").json() == {"status": "ok"}


def test_rate_limit_per_token(own: dict) -> None:
    srv: RunningServer = own["srv"]
    first, second = _token(srv), _token(srv)
    with _client(srv, first) as c:
        codes = [c.get("/whoami") for _ in range(8)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited, [r.status_code for r in codes]
    assert [r.status_code for r in codes[:4]] == [200] * 4
    retry = int(limited[0].headers["retry-after"])
    assert retry >= 1 and limited[0].headers["content-type"] == "application/problem+json"
    with _client(srv, second) as c:  # another token has its own bucket
        assert c.get("/whoami").status_code == 200
    time.sleep(retry)
    with _client(srv, first) as c:
        assert c.get("/whoami").status_code == 200


def _wait(c: httpx.Client, location: str) -> dict:
    for _ in range(600):
        r = c.get(location.removeprefix("/api/v1"))
        if r.status_code == 429:
            time.sleep(float(r.headers["retry-after"]))
            continue
        if r.json()["status"] != "RUNNING":
            return r.json()
        time.sleep(0.5)
    raise AssertionError("operation did not finish")


def test_operations_survive_restarts(own: dict) -> None:
    srv: RunningServer = own["srv"]
    data: Path = srv.data_dir
    with srv.connect(autocommit=True) as con:
        con.execute('CREATE PLUGGABLE DATABASE opsrc ADMIN USER adm IDENTIFIED BY "Pw-12345"')
        con.execute("ALTER PLUGGABLE DATABASE opsrc OPEN")
    with srv.connect("OPSRC", "adm", "Pw-12345", autocommit=True) as pc:
        pc.execute("CREATE TABLE t AS SELECT range AS i, repeat('x', 200) AS s FROM range(300000)")
    time.sleep(1.5)
    tok = _token(srv)
    with _client(srv, tok) as c:
        done = c.post("/pdbs/OPSRC/clone", json={"target_name": "OPDONE", "clone_type": "metadata"})
        assert done.status_code == 202
        finished = _wait(c, done.headers["location"])
        assert finished["status"] == "SUCCEEDED"
        time.sleep(1.5)
        cut = c.post("/pdbs/OPSRC/backups")
        assert cut.status_code == 202
    srv.kill_all()  # kill -9 of the proxy and the engines, the backup perhaps still running
    srv = own["srv"] = start_server(data, "--tls-self-signed", config=CONFIG)
    tok = _token(srv)
    with _client(srv, tok) as c:
        again = c.get(done.headers["location"].removeprefix("/api/v1")).json()
        assert again == finished  # the final status and result, as they were
        after = c.get(cut.headers["location"].removeprefix("/api/v1")).json()
        assert after["status"] in ("SUCCEEDED", "FAILED")
        if after["status"] == "FAILED":
            assert after["error"]["title"] == "interrupted"
    srv.stop(signal.SIGTERM)
    srv = own["srv"] = start_server(data, "--tls-self-signed", config=CONFIG)
    with _client(srv, _token(srv)) as c:
        assert c.get(done.headers["location"].removeprefix("/api/v1")).json() == finished


def test_token_endpoint_has_the_login_lockout(own: dict) -> None:
    """Guessing passwords at POST /auth/token meets the wire protocol's lockout and is audited."""
    srv: RunningServer = own["srv"]
    with srv.connect(autocommit=True) as con:
        con.execute('CREATE USER c##guess IDENTIFIED BY "Right-Pw-1"')
        con.execute("GRANT CREATE SESSION TO c##guess CONTAINER = ALL")
    with _client(srv) as c:
        for _ in range(3):
            r = c.post("/auth/token", json={"username": "c##guess", "password": "wrong"})
            assert r.status_code == 401 and r.json()["sqlstate"] == "28P01"
        r = c.post("/auth/token", json={"username": "c##guess", "password": "Right-Pw-1"})
        assert (
            r.status_code == 403
            and r.json()["sqlstate"] == "28000"
            and "too many failed" in r.json()["detail"]
        )
    with pytest.raises(Exception, match="too many failed"):
        srv.connect(user="c##guess", password="Right-Pw-1")
    with srv.connect(autocommit=True) as con:
        n = con.execute(
            "SELECT count(*) FROM cdb_audit_trail WHERE username = 'C##GUESS' AND message LIKE 'API token%'"
        ).fetchone()[0]
    assert n == 3
