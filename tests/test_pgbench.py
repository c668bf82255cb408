"""pgbench: `pgbench -i` initializes a PDB, then the built-in TPC-B-like script runs in every mode."""

from __future__ import annotations

import os
import re
import subprocess
import uuid

import pytest

from tests.server import RunningServer


@pytest.fixture(scope="module")
def bench_pdb(server: RunningServer) -> str:
    name = "PGB" + uuid.uuid4().hex[:6].upper()
    with server.connect(autocommit=True) as root:
        root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER bench IDENTIFIED BY "Bench-Pw-1"')
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    return name


def _pgbench(server: RunningServer, pdb: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PGPASSWORD="Bench-Pw-1", PGSSLMODE="disable")
    cmd = ["pgbench", "-h", "127.0.0.1", "-p", str(server.port), "-U", "bench", *args, pdb]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def test_pgbench_init_and_tpcb_in_every_mode(server: RunningServer, bench_pdb: str) -> None:
    init = _pgbench(server, bench_pdb, "-i", "-s", "1")
    assert init.returncode == 0, init.stderr
    assert "storage parameters" in init.stderr  # fillfactor accepted with a notice
    with server.connect(bench_pdb, "bench", "Bench-Pw-1") as c:
        assert c.execute("select count(*) from pgbench_accounts").fetchone() == (100000,)
        assert c.execute("select count(*) from pgbench_branches").fetchone() == (1,)
    for mode in ("simple", "extended", "prepared"):
        run = _pgbench(server, bench_pdb, "-n", "-M", mode, "-c", "1", "-t", "30")
        assert run.returncode == 0, run.stderr
        assert re.search(r"number of failed transactions: 0 \(0\.000%\)", run.stdout), run.stdout
        assert "number of transactions actually processed: 30/30" in run.stdout
    with server.connect(bench_pdb, "bench", "Bench-Pw-1") as c:
        assert c.execute("select count(*) from pgbench_history").fetchone() == (90,)


def test_pgbench_concurrent_clients_retry_serialization_failures(
    server: RunningServer, bench_pdb: str
) -> None:
    # DuckDB's optimistic concurrency makes concurrent updates of the one branch row fail with
    # 40001; pgbench retries those, as it would against PostgreSQL's REPEATABLE READ.
    run = _pgbench(server, bench_pdb, "-n", "-c", "2", "-t", "20", "--max-tries", "1000")
    assert run.returncode == 0, run.stderr
    assert "number of transactions actually processed: 40/40" in run.stdout
