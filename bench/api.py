"""The HTTP API's cost, and what it costs the wire protocol.

    .venv/bin/python bench/api.py [--seconds 8] [--tenants 10]

1. GET /api/v1/tenants/{id} and GET /api/v1/tenants?limit=100 latency, one client, keep-alive.
2. Point-query p99 (prepared SELECT by primary key, 100,000 rows, one psycopg client in its own
   process) alone, then while 20 concurrent API clients (each its own token and connection) list
   tenants as fast as they can.

Prints Markdown; bench/RESULTS.md keeps the committed run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench import load_clients  # noqa: E402
from bench.run import machine  # noqa: E402
from tests.server import SYS_PASSWORD, start_server  # noqa: E402

ROWS = 100_000
CONFIG = """
[auth]
max_failures = 100000

[http]
port = 0
rate_limit_per_s = 1000000
rate_limit_burst = 1000000
"""


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p))] * 1000


def token(api: str) -> str:
    r = httpx.post(f"{api}/auth/token", json={"username": "SYS", "password": SYS_PASSWORD})
    r.raise_for_status()
    return r.json()["access_token"]


def latency(api: str, path: str, n: int) -> list[float]:
    out = []
    with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token(api)}"}) as c:
        for _ in range(50):
            c.get(path).raise_for_status()
        for _ in range(n):
            t = time.perf_counter()
            c.get(path).raise_for_status()
            out.append(time.perf_counter() - t)
    return out


def api_load(api: str, clients: int, ready: mp.Queue, go: mp.Event, stop: mp.Event, out: mp.Queue) -> None:
    """`clients` concurrent API clients listing tenants until `stop`; puts the requests made."""

    async def one(tok: str, counts: list[int]) -> None:
        async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {tok}"}) as c:
            await c.get("/tenants")
            while not stop.is_set():
                (await c.get("/tenants", params={"limit": 100})).raise_for_status()
                counts[0] += 1

    async def main() -> None:
        toks = [token(api) for _ in range(clients)]
        ready.put(1)
        while not go.is_set():
            await asyncio.sleep(0.01)
        counts = [0]
        await asyncio.gather(*(one(t, counts) for t in toks))
        out.put(counts[0])

    asyncio.run(main())


def point_p99(dsn: str, seconds: float, api: str | None) -> tuple[dict[str, float], float]:
    ctx = mp.get_context("spawn")
    ready, out, counts = ctx.Queue(), ctx.Queue(), ctx.Queue()
    go, stop = ctx.Event(), ctx.Event()
    procs = [ctx.Process(target=load_clients.point_client, args=(dsn, ROWS, seconds, 1, ready, go, out))]
    if api:
        procs.append(ctx.Process(target=api_load, args=(api, 20, ready, go, stop, counts)))
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    go.set()
    lat = out.get(timeout=seconds + 120)
    stop.set()
    api_rps = counts.get(timeout=60) / seconds if api else 0.0
    for p in procs:
        p.join(60)
    return {"n": len(lat), "p50": pct(lat, 0.5), "p99": pct(lat, 0.99), "qps": len(lat) / seconds}, api_rps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--tenants", type=int, default=10)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="duckcdb-apibench-"))
    srv = start_server(base / "data", config=CONFIG)
    try:
        api = srv.api
        with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token(api)}"}, timeout=120) as c:
            for i in range(args.tenants):
                r = c.post(
                    "/tenants",
                    json={
                        "tenant_name": f"bench{i}",
                        "admin_user": "adm",
                        "admin_password": "Pw-12345",
                        "service_tier": "gold" if i == 0 else "bronze",
                    },
                )
                r.raise_for_status()
        with srv.connect("BENCH0", "adm", "Pw-12345", autocommit=True) as con:
            con.execute(
                f"CREATE TABLE accounts AS SELECT range::INTEGER AS aid, 0 AS abalance FROM range(1, {ROWS + 1})"
            )
            con.execute("ALTER TABLE accounts ADD PRIMARY KEY (aid)")
        get_one = latency(api, "/tenants/BENCH0", 2000)
        get_list = latency(api, "/tenants?limit=100", 1000)
        dsn = srv.dsn("BENCH0", "adm", "Pw-12345")
        alone, _ = point_p99(dsn, args.seconds, None)
        loaded, api_rps = point_p99(dsn, args.seconds, api)
        lines = [
            "## HTTP API (bench/api.py)",
            "",
            f"Machine: {machine()}. {args.tenants} tenants (one PDB each, open); one client, keep-alive.",
            "",
            "| request | n | p50 ms | p99 ms |",
            "|---|---|---|---|",
            f"| GET /api/v1/tenants/{{id}} | {len(get_one)} | {pct(get_one, 0.5):.2f} | {pct(get_one, 0.99):.2f} |",
            f"| GET /api/v1/tenants?limit=100 ({args.tenants} tenants) | {len(get_list)} | {pct(get_list, 0.5):.2f} | {pct(get_list, 0.99):.2f} |",
            "",
            f"Point SELECT by primary key ({ROWS:,} rows, prepared, one psycopg client), {args.seconds:g} s each:",
            "",
            "| condition | queries/s | p50 ms | p99 ms |",
            "|---|---|---|---|",
            f"| alone | {alone['qps']:,.0f} | {alone['p50']:.2f} | {alone['p99']:.2f} |",
            f"| with 20 API clients listing tenants ({api_rps:,.0f} req/s served) | {loaded['qps']:,.0f} | {loaded['p50']:.2f} | {loaded['p99']:.2f} |",
        ]
        print("\n".join(lines))
    finally:
        srv.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
