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


@pytest.mark.parametrize("clients", [2, 4])
def test_pgbench_concurrent_clients_wait_instead_of_failing(
    server: RunningServer, bench_pdb: str, clients: int
) -> None:
    # Concurrent TPC-B transactions update the one branch row: as in PostgreSQL, the later writer
    # waits for the earlier one's commit (the PDB's write gate) instead of failing with 40001,
    # so pgbench without --max-tries reports no failed transaction.
    with server.connect(bench_pdb, "bench", "Bench-Pw-1") as c:
        before = c.execute("select count(*) from pgbench_history").fetchone()[0]
    for mode in ("simple", "extended", "prepared"):
        run = _pgbench(server, bench_pdb, "-n", "-M", mode, "-c", str(clients), "-t", "15")
        assert run.returncode == 0, run.stderr
        assert re.search(r"number of failed transactions: 0 \(0\.000%\)", run.stdout), run.stdout
        assert f"number of transactions actually processed: {15 * clients}/{15 * clients}" in run.stdout
    with server.connect(bench_pdb, "bench", "Bench-Pw-1") as c:
        after = c.execute("select count(*) from pgbench_history").fetchone()[0]
        assert after - before == 3 * 15 * clients
        # No lost update: balances start at 0 (pgbench -i), so each table's total is the sum of
        # every delta recorded in the history.
        history = c.execute("select sum(delta) from pgbench_history").fetchone()[0]
        for table in ("branches", "tellers", "accounts"):
            prefix = table[0]
            total = c.execute(f"select sum({prefix}balance) from pgbench_{table}").fetchone()[0]
            assert total == history, table
