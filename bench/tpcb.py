"""TPC-B (pgbench's built-in script) on DuckCDB beside PostgreSQL 15, in one run.

Writers that wait (issue 12): with 1, 2 and 4 clients in simple, extended and prepared modes,
every transaction must commit (0 failed, no --max-tries) and tps is reported beside PostgreSQL's.
Run: .venv/bin/python -m bench.tpcb [--seconds 8]; prints a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.run import Postgres, machine
from tests.server import start_server

PDB, USER, PASSWORD = "TPCB", "bench", "Bench-Pw-1"


def _pgbench(env: dict[str, str], port: int, user: str, db: str, *args: str) -> str:
    cmd = ["pgbench", "-h", "127.0.0.1", "-p", str(port), "-U", user, *args, db]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"pgbench {' '.join(args)}: {out.stdout}\n{out.stderr}")
    return out.stdout


def _run(
    env: dict[str, str], port: int, user: str, db: str, mode: str, clients: int, seconds: int
) -> tuple[float, int, int]:
    """(tps, transactions, failed) of one timed TPC-B run."""
    out = _pgbench(
        env, port, user, db, "-n", "-M", mode, "-c", str(clients), "-j", str(clients), "-T", str(seconds)
    )
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", out).group(1))  # type: ignore[union-attr]
    done = int(re.search(r"number of transactions actually processed: (\d+)", out).group(1))  # type: ignore[union-attr]
    failed_m = re.search(r"number of failed transactions: (\d+)", out)
    return tps, done, int(failed_m.group(1)) if failed_m else 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=8)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="duckcdb-tpcb-"))
    os.chmod(base, 0o755)
    print("starting DuckCDB and PostgreSQL ...", file=sys.stderr)
    srv = start_server(base / "duckcdb")
    pg = Postgres(base)
    try:
        with srv.connect(autocommit=True) as root:
            root.execute(f'CREATE PLUGGABLE DATABASE {PDB} ADMIN USER {USER} IDENTIFIED BY "{PASSWORD}"')
            root.execute(f"ALTER PLUGGABLE DATABASE {PDB} OPEN")
        ddb_env = dict(os.environ, PGPASSWORD=PASSWORD, PGSSLMODE="disable")
        pg_env = dict(os.environ, PGSSLMODE="disable")
        _pgbench(ddb_env, srv.port, USER, PDB, "-i", "-s", "1", "-q")
        _pgbench(pg_env, pg.port, "postgres", "postgres", "-i", "-s", "1", "-q")
        print(f"Machine: {machine()}\n")
        print(f"TPC-B (pgbench built-in, scale 1), {args.seconds} s per run, one run each.\n")
        print("| clients | mode | DuckCDB tps | failed | PostgreSQL 15 tps | failed | DuckCDB / PG |")
        print("|---|---|---|---|---|---|---|")
        for clients in (1, 2, 4):
            for mode in ("simple", "extended", "prepared"):
                d, dn, df = _run(ddb_env, srv.port, USER, PDB, mode, clients, args.seconds)
                p, pn, pf = _run(pg_env, pg.port, "postgres", "postgres", mode, clients, args.seconds)
                print(
                    f"| {clients} | {mode} | {d:.0f} | {df} of {dn + df} | {p:.0f} | {pf} of {pn + pf} | {d / p:.2f}x |",
                    flush=True,
                )
    finally:
        srv.stop()
        pg.stop()


if __name__ == "__main__":
    main()
