"""Listing many tenants over the HTTP API (issue 17): 1,000 real tenants, their PDBs closed.

    .venv/bin/python bench/api_tenants.py [--tenants 1000] [--workers 4] [--requests 300]

1. N tenants through the real CREATE TENANT path (SQL, `workers` sessions at once), each PDB
   closed right after (a closed PDB needs no engine process: 1,000 open engines do not fit a
   small machine). Creation time per tenant is printed.
2. GET /api/v1/tenants paged (limit=100, cursor) through all N, GET ?limit=1000, and
   GET /api/v1/tenants/{id}: p50 / p99, one client, keep-alive.
3. GraphQL `tenants(limit: N) { tenantId status pdbs { name openMode } }`: latency and the
   catalog lookups / SQL statements it made (from the result's extensions).

Prints Markdown; bench/RESULTS.md keeps the committed run.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.api import CONFIG, pct, token  # noqa: E402
from bench.run import machine  # noqa: E402
from tests.server import start_server  # noqa: E402


def create_tenants(srv, n: int, workers: int) -> list[float]:
    """CREATE TENANT t ... SERVICE TIER bronze, then CLOSE its PDB; the seconds each took."""
    names = iter(range(n))
    lock = threading.Lock()
    took: list[float] = []

    def worker() -> None:
        with srv.connect(autocommit=True) as c:
            while True:
                with lock:
                    i = next(names, None)
                if i is None:
                    return
                t0 = time.perf_counter()
                c.execute(
                    f'CREATE TENANT t{i:04d} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1" SERVICE TIER bronze'
                )
                c.execute(f"ALTER PLUGGABLE DATABASE t{i:04d} CLOSE IMMEDIATE")
                c.execute(f"ALTER PLUGGABLE DATABASE t{i:04d} DISCARD STATE")  # a restart leaves it closed
                with lock:
                    took.append(time.perf_counter() - t0)
                    if len(took) % 100 == 0:
                        print(f"  {len(took)} tenants", file=sys.stderr, flush=True)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return took


def timed(c: httpx.Client, method: str, path: str, **kw) -> tuple[float, httpx.Response]:
    t = time.perf_counter()
    r = c.request(method, path, **kw)
    took = time.perf_counter() - t
    r.raise_for_status()
    return took, r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tenants", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--keep", help="keep (or reuse) this data directory")
    args = ap.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="duckcdb-tenantsbench-"))
    data = base / "data"
    reuse = data.exists()
    srv = start_server(data, config=CONFIG)
    try:
        t0 = time.perf_counter()
        took = [] if reuse else create_tenants(srv, args.tenants, args.workers)
        wall = time.perf_counter() - t0
        api = srv.api
        with httpx.Client(base_url=api, headers={"Authorization": f"Bearer {token(api)}"}, timeout=300) as c:
            total = c.get("/tenants", params={"limit": 1}).json()["total"]
            pages: list[float] = []
            sweeps = max(1, args.requests // max(1, total // 100))
            for _ in range(sweeps):
                cursor = None
                seen = 0
                while True:
                    params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
                    dt, r = timed(c, "GET", "/tenants", params=params)
                    pages.append(dt)
                    body = r.json()
                    seen += len(body["items"])
                    cursor = body["next_cursor"]
                    if cursor is None:
                        break
                assert seen == total, (seen, total)
            whole = [
                timed(c, "GET", "/tenants", params={"limit": 1000})[0]
                for _ in range(max(20, args.requests // 10))
            ]
            ids = [f"T{i:04d}" for i in range(total)]
            for i in ids[:50]:
                c.get(f"/tenants/{i}")
            one = [timed(c, "GET", f"/tenants/{random.choice(ids)}")[0] for _ in range(args.requests * 5)]
            q = {"query": f"{{ tenants(limit: {total}) {{ tenantId status pdbs {{ name openMode }} }} }}"}
            gql: list[float] = []
            ext = {}
            for _ in range(max(10, args.requests // 30)):
                dt, r = timed(c, "POST", "/graphql", json=q)
                body = r.json()
                assert not body.get("errors"), body
                assert len(body["data"]["tenants"]) == total
                assert all(len(t["pdbs"]) == 1 for t in body["data"]["tenants"])
                ext = body.get("extensions", {})
                gql.append(dt)
        per = sorted(took)
        lines = [
            "## Listing 1,000 tenants (bench/api_tenants.py)",
            "",
            f"Machine: {machine()}. {total} tenants made through CREATE TENANT (SERVICE TIER bronze, "
            f"{args.workers} sessions), each PDB closed after (no engine process).",
        ]
        if per:
            lines.append(
                f"Creation: {wall:.0f} s in all, {len(per) / wall:.2f} tenants/s; per tenant (create + close) "
                f"p50 {pct(per, 0.5) / 1000:.2f} s, p99 {pct(per, 0.99) / 1000:.2f} s."
            )
        lines += [
            "",
            "| request | n | p50 ms | p99 ms |",
            "|---|---|---|---|",
            f"| GET /api/v1/tenants?limit=100, paged by cursor through all {total} | {len(pages)} | {pct(pages, 0.5):.2f} | {pct(pages, 0.99):.2f} |",
            f"| GET /api/v1/tenants?limit=1000 (all in one page) | {len(whole)} | {pct(whole, 0.5):.2f} | {pct(whole, 0.99):.2f} |",
            f"| GET /api/v1/tenants/{{id}} (random of {total}) | {len(one)} | {pct(one, 0.5):.2f} | {pct(one, 0.99):.2f} |",
            f"| GraphQL tenants(limit: {total}) with their PDBs | {len(gql)} | {pct(gql, 0.5):.2f} | {pct(gql, 0.99):.2f} |",
            "",
            f"The GraphQL listing made {ext.get('catalog_lookups')} batched catalog lookups and "
            f"{ext.get('catalog_statements')} catalog SQL statements for {total} tenants and their PDBs "
            f"(query cost {ext.get('cost')}).",
        ]
        print("\n".join(lines))
    finally:
        srv.stop()
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
