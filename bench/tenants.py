"""Provisioning a tenant from a template (10 tables, 100,000 rows in all), p50 and p95 over n
tenants, next to PostgreSQL 15's CREATE DATABASE ... TEMPLATE in the same run.

    .venv/bin/python bench/tenants.py [--tenants 50]

CREATE TENANT copies the template's frozen PDB, creates the admin user, applies the tier, opens
the PDB (its engine process starts) and saves its state; the timing is the whole statement. Each
tenant is dropped (IMMEDIATE) after it is measured, so that engines do not pile up; PostgreSQL's
databases likewise. Prints a Markdown table; bench/RESULTS.md keeps the committed run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import machine  # noqa: E402
from tests.pg15 import start_pg15  # noqa: E402
from tests.server import TEST_CONFIG, start_server  # noqa: E402

TABLES = 10
ROWS = 100_000
CONFIG = TEST_CONFIG + "\n[tenants]\nallow_oversubscription = true\n"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def _fill(execute) -> None:  # noqa: ANN001
    per = ROWS // TABLES
    for i in range(TABLES):
        execute(f"CREATE TABLE t{i} (id integer PRIMARY KEY, name text, amount numeric(12,2), day date)")
        execute(
            f"INSERT INTO t{i} SELECT g, 'name ' || g, g * 1.5, DATE '2024-01-01' + CAST(g % 365 AS integer)"
            f" FROM generate_series(1, {per}) AS s(g)"
        )


def duckcdb(n: int, base: Path) -> list[float]:
    srv = start_server(base / "data", config=CONFIG)
    try:
        with srv.connect(autocommit=True) as root:
            root.execute('CREATE PLUGGABLE DATABASE golden ADMIN USER adm IDENTIFIED BY "Pw-1"')
            root.execute("ALTER PLUGGABLE DATABASE golden OPEN")
            with srv.connect("golden", "adm", "Pw-1", autocommit=True) as c:
                _fill(c.execute)
                assert c.execute("SELECT sum(n) FROM (" + " UNION ALL ".join(
                    f"SELECT count(*) AS n FROM t{i}" for i in range(TABLES)) + ")").fetchone() == (ROWS,)  # fmt: skip
            root.execute("CREATE TENANT TEMPLATE std FROM PDB golden SERVICE TIER bronze")
            times = []
            for i in range(n):
                t = time.perf_counter()
                root.execute(f'CREATE TENANT c{i:04d} ADMIN USER boss IDENTIFIED BY "Pw-1" TEMPLATE std')
                times.append((time.perf_counter() - t) * 1000)
                with srv.connect(f"c{i:04d}", "boss", "Pw-1") as c:
                    assert c.execute("SELECT count(*) FROM t9").fetchone() == (ROWS // TABLES,)
                root.execute(f"DROP TENANT c{i:04d} IMMEDIATE")
            return times
    finally:
        srv.stop()


def postgres(n: int) -> list[float]:
    pg = start_pg15()
    try:
        with pg.connect(autocommit=True) as c:
            c.execute("CREATE DATABASE golden")
        with pg.connect("golden", autocommit=True) as c:
            _fill(c.execute)
        times = []
        with pg.connect(autocommit=True) as c:
            for i in range(n):
                t = time.perf_counter()
                c.execute(f"CREATE DATABASE c{i:04d} TEMPLATE golden")
                times.append((time.perf_counter() - t) * 1000)
                c.execute(f"DROP DATABASE c{i:04d}")
        return times
    finally:
        pg.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tenants", type=int, default=50)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="duckcdb-tenants-"))
    try:
        ours = duckcdb(args.tenants, base)
        theirs = postgres(args.tenants)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"machine: {machine()}")
    print("| operation | median ms | p95 ms |")
    print("|---|---|---|")
    print(
        f"| DuckCDB CREATE TENANT ... TEMPLATE (copy, admin user, tier, open, save state; n={args.tenants})"
        f" | {statistics.median(ours):.1f} | {_pct(ours, 0.95):.1f} |"
    )
    print(
        f"| PostgreSQL 15 CREATE DATABASE ... TEMPLATE (n={args.tenants})"
        f" | {statistics.median(theirs):.1f} | {_pct(theirs, 0.95):.1f} |"
    )


if __name__ == "__main__":
    main()
