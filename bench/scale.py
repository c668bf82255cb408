"""1,000 PDBs in one container: create from the seed, SHOW PDBS and dictionary views, open one.

    .venv/bin/python bench/scale.py [--pdbs 1000]

Prints a Markdown table of medians and 95th percentiles; bench/RESULTS.md keeps the committed run.
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
from tests.server import start_server  # noqa: E402


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def _timed(fn) -> float:  # noqa: ANN001
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pdbs", type=int, default=1000)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="duckcdb-scale-"))
    srv = start_server(base / "data")
    rows: list[tuple[str, float, float]] = []
    try:
        with srv.connect(autocommit=True) as root:
            creates = [
                _timed(
                    lambda i=i: root.execute(
                        f'CREATE PLUGGABLE DATABASE p{i:05d} ADMIN USER adm IDENTIFIED BY "Pw-1"'
                    )
                )
                for i in range(args.pdbs)
            ]
            rows.append(
                (
                    f"CREATE PLUGGABLE DATABASE from the seed (n={args.pdbs})",
                    statistics.median(creates),
                    _pct(creates, 0.95),
                )
            )
            for label, sql in (
                ("SHOW PDBS", "SHOW PDBS"),
                ("SELECT * FROM v$pdbs", "select * from v$pdbs"),
                ("SELECT * FROM cdb_pdbs", "select * from cdb_pdbs"),
                ("SELECT count(*) FROM cdb_users", "select count(*) from cdb_users"),
            ):
                times = [_timed(lambda s=sql: root.execute(s).fetchall()) for _ in range(20)]
                rows.append((f"{label} ({args.pdbs} PDBs)", statistics.median(times), _pct(times, 0.95)))
            opens, closes = [], []
            for i in range(0, args.pdbs, max(1, args.pdbs // 10)):
                opens.append(_timed(lambda i=i: root.execute(f"ALTER PLUGGABLE DATABASE p{i:05d} OPEN")))
                closes.append(
                    _timed(lambda i=i: root.execute(f"ALTER PLUGGABLE DATABASE p{i:05d} CLOSE IMMEDIATE"))
                )
            rows.append(
                (
                    "ALTER PLUGGABLE DATABASE ... OPEN (engine start)",
                    statistics.median(opens),
                    _pct(opens, 0.95),
                )
            )
            rows.append(
                (
                    "ALTER PLUGGABLE DATABASE ... CLOSE IMMEDIATE",
                    statistics.median(closes),
                    _pct(closes, 0.95),
                )
            )
    finally:
        srv.stop()
        shutil.rmtree(base, ignore_errors=True)
    print(f"Machine: {machine()}\n")
    print("| operation | median ms | p95 ms |")
    print("|---|---|---|")
    for label, med, p95 in rows:
        print(f"| {label} | {med:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
