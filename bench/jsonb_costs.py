"""What jsonb's PostgreSQL behaviour costs a PDB (issues 12 and 14: engine.jsonb, pgcompat.jsonb).

    .venv/bin/python bench/jsonb_costs.py [--rounds 20] [--n 100]
    DUCKCDB_TREE=/path/to/other/checkout .venv/bin/python bench/jsonb_costs.py   # another tree

Through psycopg (simple protocol) against a started server, one PDB without JSON columns, then
the same PDB with a jsonb table; microseconds per statement, the best of --rounds rounds of --n
statements (the machine is shared: the best round is the least disturbed one). Every statement's
text is new (its constant changes), so that no cache of a statement's text hides its binding:
1. `n + k` (not rewritten) beside `n - k` (the lazy minus macro, engine.jsonb.lazy_macros) on a
   PDB without JSON columns: what a no-JSON PDB pays for `-`.
2. A point SELECT of a jsonb column beside the same of a text column holding the same text: what
   printing jsonb's text (engine.codec.text.jsonb_text) costs per value.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("DUCKCDB_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from tests.conftest import PDB_ADMIN, PDB_PASSWORD  # noqa: E402
from tests.server import start_server  # noqa: E402


def _best(conn, shapes: dict[str, str], rounds: int, n: int) -> dict[str, float]:
    k = itertools.count(1)
    best = dict.fromkeys(shapes, float("inf"))
    for _ in range(rounds):
        for name, sql in shapes.items():
            start = time.perf_counter()
            for _ in range(n):
                conn.execute(sql.format(next(k) % 4000 + 1), prepare=False).fetchall()
            best[name] = min(best[name], (time.perf_counter() - start) / n * 1e6)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--n", type=int, default=100)
    args = ap.parse_args()
    srv = start_server(Path(tempfile.mkdtemp(prefix="jsonb-bench-")) / "data")
    try:
        with srv.connect(autocommit=True) as root:
            root.execute(
                f'CREATE PLUGGABLE DATABASE JB ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
            )
            root.execute("ALTER PLUGGABLE DATABASE JB OPEN")
        with srv.connect("JB", PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
            c.execute("CREATE TABLE t (id int PRIMARY KEY, n int)")
            c.execute("INSERT INTO t SELECT i, i FROM generate_series(1, 10000) g(i)")
            shapes = {
                "n + k": "SELECT n + {} FROM t WHERE id = 5",
                "n - k": "SELECT n - {} FROM t WHERE id = 5",
            }
            for name, us in _best(c, shapes, args.rounds, args.n).items():
                print(f"no JSON column   {name:22s} {us:8.1f} us")
            c.execute("CREATE TABLE d (id int PRIMARY KEY, j jsonb, s text)")
            c.execute(
                """INSERT INTO d SELECT i, '{"name":"x","tags":[1,2,3],"nested":{"b":1,"a":2}}',"""
                """ '{"name":"x","tags":[1,2,3],"nested":{"b":1,"a":2}}' FROM generate_series(1, 5000) g(i)"""
            )
            shapes = {
                "n - k": "SELECT n - 1 FROM t WHERE id = {}",
                "text column": "SELECT s FROM d WHERE id = {}",
                "jsonb column": "SELECT j FROM d WHERE id = {}",
                "1000 text values": "SELECT s FROM d WHERE id BETWEEN {0} AND {0} + 999",
                "1000 jsonb values": "SELECT j FROM d WHERE id BETWEEN {0} AND {0} + 999",
            }
            for name, us in _best(c, shapes, args.rounds, args.n).items():
                print(f"with jsonb table {name:22s} {us:8.1f} us")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
