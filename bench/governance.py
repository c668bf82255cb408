"""Noisy neighbour: a Gold PDB's point-query latency, alone and while a Bronze PDB floods the machine.

    .venv/bin/python bench/governance.py [--seconds 15]

Gold: 2 sessions of prepared point SELECTs by primary key (100,000 rows). Bronze: 4 sessions of
heavy analytic queries (group-by over 3,000,000 rows) in a loop. Each client is its own process.
The same experiment runs on PostgreSQL 15 with two databases in one cluster. Reports p50/p99 of
the Gold queries alone and under the flood, and their ratio (target: p99 under flood <= 1.5x alone);
and, as a control, Gold's p99 beside one SCHED_IDLE busy loop instead of the flood.
Writes bench/out/governance.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load_clients  # noqa: E402
from bench.run import Postgres, machine  # noqa: E402
from tests.server import start_server  # noqa: E402

POINT_ROWS = 100_000
BIG_ROWS = 3_000_000
GOLD_SETUP = [
    "create table accounts(aid integer primary key, bid integer, abalance integer, filler varchar(84))",
    f"insert into accounts select i, i % 10, 0, repeat('x', 84) from generate_series(1, {POINT_ROWS}) t(i)",
]
BRONZE_SETUP = [
    "create table facts(id bigint, grp integer, val double precision, tag text)",
    f"insert into facts select i, (i::bigint * 7919) % 5000, i * 0.5, 'tag-' || (i % 997)"
    f" from generate_series(1, {BIG_ROWS}) t(i)",
]
HEAVY = "select grp, count(*), avg(val), count(distinct tag) from facts group by grp order by 2 desc limit 10"


def measure(gold_dsn: str, bronze_dsn: str, seconds: float, neighbour: str) -> tuple[list[float], int]:
    """Gold's latencies over `seconds` beside `neighbour`: "none", "flood" (Bronze's 4 sessions)
    or "idle-loop" (a SCHED_IDLE busy loop outside the server). Every client has connected (and
    every flood client has finished one query) before the clock starts: no process start-up in
    the figures."""
    ctx = mp.get_context("spawn")
    ready, out, go, stop = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    heavy = []
    if neighbour == "flood":
        heavy = [
            ctx.Process(target=load_clients.heavy_client, args=(bronze_dsn, HEAVY, ready, stop, out))
            for _ in range(4)
        ]
    loop = (
        [ctx.Process(target=load_clients.idle_loop, args=(ready, stop))] if neighbour == "idle-loop" else []
    )
    for p in heavy + loop:
        p.start()
    for _ in heavy + loop:
        ready.get()
    clients = [
        ctx.Process(target=load_clients.point_client, args=(gold_dsn, POINT_ROWS, seconds, i, ready, go, out))
        for i in range(2)
    ]
    for p in clients:
        p.start()
    for _ in clients:
        ready.get()
    go.set()
    lat: list[float] = []
    for _ in clients:
        lat += out.get()
    stop.set()
    heavy_done = sum(out.get() for _ in heavy)
    for p in clients + heavy + loop:
        p.join()
    return lat, heavy_done


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p / 100))] * 1000


def run_pair(label: str, gold: str, bronze: str, seconds: float) -> dict[str, float]:
    alone, _ = measure(gold, bronze, seconds, "none")
    flooded, heavy = measure(gold, bronze, seconds, "flood")
    idle_loop, _ = measure(gold, bronze, seconds, "idle-loop")
    r = {
        "p50_alone": pct(alone, 50),
        "p99_alone": pct(alone, 99),
        "p50_flood": pct(flooded, 50),
        "p99_flood": pct(flooded, 99),
        "p99_idle_loop": pct(idle_loop, 99),
        "qps_alone": len(alone) / seconds,
        "qps_flood": len(flooded) / seconds,
        "heavy": heavy,
    }
    print(label, {k: round(v, 2) for k, v in r.items()}, flush=True)
    return r


def setup_duckcdb(base: Path) -> tuple[object, str, str]:
    srv = start_server(base / "cdb")
    with srv.connect(autocommit=True) as root:
        for name, tier in (("GOLD_T", "GOLD"), ("BRONZE_T", "BRONZE")):
            root.execute(
                f'CREATE PLUGGABLE DATABASE {name} ADMIN USER u IDENTIFIED BY "U-Pw-1" SERVICE TIER {tier}'
            )
            root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    for name, sql in (("GOLD_T", GOLD_SETUP), ("BRONZE_T", BRONZE_SETUP)):
        with srv.connect(name, "u", "U-Pw-1", autocommit=True) as c:
            for s in sql:
                c.execute(s)
    gold, bronze = srv.dsn("GOLD_T", "u", "U-Pw-1"), srv.dsn("BRONZE_T", "u", "U-Pw-1")
    return srv, gold, bronze


def setup_postgres(pg: Postgres) -> tuple[str, str]:
    with psycopg.connect(pg.dsn(), autocommit=True) as c:
        c.execute("create database gold")
        c.execute("create database bronze")
    gold = pg.dsn().replace("dbname=postgres", "dbname=gold")
    bronze = pg.dsn().replace("dbname=postgres", "dbname=bronze")
    for dsn, sql in ((gold, GOLD_SETUP), (bronze, BRONZE_SETUP)):
        with psycopg.connect(dsn, autocommit=True) as c:
            for s in sql:
                c.execute(s)
            c.execute("vacuum analyze")
    return gold, bronze


def report(results: dict[str, dict[str, float]], seconds: float) -> str:
    lines = [
        "## Noisy neighbour: Gold point queries while a Bronze PDB floods the machine",
        "",
        f"Machine: {machine()}",
        "",
        f"Command: `.venv/bin/python bench/governance.py --seconds {seconds:g}`. Gold: 2 client processes of"
        f" prepared point SELECTs (100,000 rows); Bronze: 4 client processes of `{HEAVY}` over"
        f" {BIG_ROWS:,} rows, in a loop. Latencies in ms over {seconds:g} s per phase. Idle loop: the"
        " flood replaced by one SCHED_IDLE busy loop outside the server.",
        "",
        "| server | p50 alone | p99 alone | p50 flood | p99 flood | p99 flood / alone | p99 beside idle loop"
        " | Gold q/s alone | Gold q/s flood | Bronze queries done |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['p50_alone']:.2f} | {r['p99_alone']:.2f} | {r['p50_flood']:.2f} | {r['p99_flood']:.2f}"
            f" | {r['p99_flood'] / r['p99_alone']:.2f}x | {r['p99_idle_loop']:.2f} ({r['p99_idle_loop'] / r['p99_alone']:.2f}x)"
            f" | {r['qps_alone']:.0f} | {r['qps_flood']:.0f} | {r['heavy']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=15)
    args = ap.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="duckcdb-gov-") as tmp:
        base = Path(tmp)
        base.chmod(0o755)  # PostgreSQL runs as its own user
        srv, gold, bronze = setup_duckcdb(base)
        try:
            results["DuckCDB (Gold / Bronze PDBs)"] = run_pair("duckcdb", gold, bronze, args.seconds)
        finally:
            srv.stop()  # type: ignore[attr-defined]
        pg = Postgres(base)
        try:
            gold, bronze = setup_postgres(pg)
            results["PostgreSQL 15 (two databases)"] = run_pair("postgres", gold, bronze, args.seconds)
        finally:
            pg.stop()
    text = report(results, args.seconds)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "governance.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
