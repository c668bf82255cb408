"""The cost of metering and SLA measurement on the statement path (issue 16): the point-query rate
of two DuckCDB servers started side by side in one run, identical but for the engines' statement
meter (DUCKCDB_STATEMENT_METER=off on one: no response-time sketch, no cycle counters), measured
alternately (A B A B ...) with pgbench so that the machine's drift hits both alike.

    .venv/bin/python bench/metering.py [--seconds 10] [--repeat 5] [--clients 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import PASSWORD, PDB, POINT_SCRIPT, USER, machine, open_bench_pdb, pgbench  # noqa: E402
from tests.server import start_server  # noqa: E402

SETUP = [
    "create table accounts(aid integer primary key, bid integer, abalance integer, filler varchar(84))",
    "insert into accounts select i, i % 10, 0, repeat('x', 84) from generate_series(1, 100000) t(i)",
]


def _server(base: Path, name: str, meter: bool):  # noqa: ANN202
    env = {"DUCKCDB_STATEMENT_METER": "on" if meter else "off"}
    srv = start_server(base / name, env=env)
    open_bench_pdb(srv)
    with srv.connect(PDB, USER, PASSWORD, autocommit=True) as c:
        for sql in SETUP:
            c.execute(sql)
    return srv


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--mode", default="prepared")
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="duckcdb-bench-meter-"))
    os.chmod(base, 0o755)
    script = base / "point.sql"
    script.write_text(POINT_SCRIPT)
    os.chmod(script, 0o644)
    on, off = _server(base, "on", True), _server(base, "off", False)
    env = dict(os.environ, PGPASSWORD=PASSWORD, PGSSLMODE="disable")
    rates: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for srv in (on, off):  # warm-up
            pgbench(env, srv.port, USER, PDB, args.mode, args.clients, 2, script)
        for i in range(args.repeat):
            order = (("on", on), ("off", off)) if i % 2 == 0 else (("off", off), ("on", on))
            for label, srv in order:
                rates[label].append(
                    pgbench(env, srv.port, USER, PDB, args.mode, args.clients, args.seconds, script)
                )
    finally:
        on.stop()
        off.stop()
    med = {k: statistics.median(v) for k, v in rates.items()}
    cost = 100.0 * (med["off"] - med["on"]) / med["off"]
    print(f"Machine: {machine()}")
    print(
        f"pgbench point SELECT, -M {args.mode}, {args.clients} client(s), {args.repeat} x {args.seconds} s alternately"
    )
    print("| statement meter | runs (tps) | median tps |\n|---|---|---|")
    for k in ("off", "on"):
        print(f"| {k} | {', '.join(f'{r:.0f}' for r in rates[k])} | {med[k]:.0f} |")
    print(f"\ncost of metering and SLA measurement: {cost:.2f}% of the point-query rate")


if __name__ == "__main__":
    main()
