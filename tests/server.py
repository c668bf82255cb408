"""A real DuckCDB server in a subprocess, on an ephemeral port with its own data directory."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SYS_PASSWORD = "Sys-Test-Pw-1"


@dataclass
class RunningServer:
    proc: subprocess.Popen[str]
    data_dir: Path
    port: int
    log: Path
    http_port: int | None = None
    http_scheme: str = "http"

    @property
    def api(self) -> str:
        """The HTTP API's base URL (http://127.0.0.1:port/api/v1)."""
        assert self.http_port is not None, "the server has no HTTP listener"
        return f"{self.http_scheme}://127.0.0.1:{self.http_port}/api/v1"

    def dsn(
        self, dbname: str = "CDB$ROOT", user: str = "SYS", password: str = SYS_PASSWORD, **kw: str
    ) -> str:
        extra = " ".join(f"{k}={v}" for k, v in kw.items())
        return f"host=127.0.0.1 port={self.port} dbname={dbname} user={user} password={password} sslmode=disable {extra}"

    def connect(
        self, dbname: str = "CDB$ROOT", user: str = "SYS", password: str = SYS_PASSWORD, **kw: object
    ) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            dbname=dbname,
            user=user,
            password=password,
            sslmode="disable",
            **kw,
        )

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def engine_pids(self) -> dict[str, int]:
        """The engine processes of this server, by container name (from their registrations)."""
        out = {}
        for reg in (self.data_dir / "run").glob("engine-*.json"):
            try:
                info = json.loads(reg.read_text())
            except (OSError, ValueError):
                continue
            out[info["spec"]["name"]] = int(info["pid"])
        return out

    def kill_all(self) -> None:
        """kill -9 of the proxy and of every engine (a power cut, as far as processes go)."""
        pids = self.engine_pids()
        self.proc.kill()
        self.proc.wait()
        for pid in pids.values():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# Many tests fail logins on purpose; the shared servers must not lock 127.0.0.1 out for that.
TEST_CONFIG = """
[auth]
max_failures = 100000
max_failures_per_address = 100000
"""


def start_server(
    data_dir: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    config: str = TEST_CONFIG,
) -> RunningServer:
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"{data_dir.name}-server.log"
    conf_file = data_dir.parent / f"{data_dir.name}-test.toml"
    if "[http]" not in config:
        config += "\n[http]\nport = 0\n"  # an ephemeral port: test servers run side by side
    conf_file.write_text(config)
    full_env = dict(os.environ)
    full_env.setdefault("DUCKCDB_SYS_PASSWORD", SYS_PASSWORD)
    if env:
        full_env.update(env)
    with open(log, "a") as logf:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "proxy.cli",
                "serve",
                "--data-dir",
                str(data_dir),
                "--port",
                "0",
                "--config",
                str(conf_file),
                *extra,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=logf,
            text=True,
            env=full_env,
            start_new_session=True,
        )
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    port = None
    http_port = None
    http_scheme = "http"
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        h = re.search(r"HTTP API on (https?)://[\d.]+:(\d+)", line)
        if h:
            http_scheme, http_port = h.group(1), int(h.group(2))
        m = re.search(r"listening on [\d.]+:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        proc.kill()
        raise RuntimeError("server did not start:\n" + "".join(lines) + log.read_text(errors="replace"))
    return RunningServer(proc, data_dir, port, log, http_port, http_scheme)
