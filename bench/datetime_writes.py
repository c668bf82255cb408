"""What reading untyped date/time literals as PostgreSQL costs (issue 12: datetime_literals.readings,
engine.pgmath.exact_writes, the __pg_dt_literal macro).

    cd TREE && PYTHONPATH=. .venv/bin/python bench/datetime_writes.py [--rows 2000] [--repeat 3]

1. In-process: pgcompat.rewrite.rewrite() of an INSERT of plain literals (a timestamp's text
   among them), of a BC literal, and of point SELECTs (microseconds per statement).
2. Through psycopg against a started server (one PDB): --rows single-row INSERTs (a plain
   timestamp literal, a BC literal, a text parameter) and point SELECTs, microseconds each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))

from pgcompat.rewrite import rewrite  # noqa: E402
from pgcompat.tokens import tokenize  # noqa: E402
from tests.server import start_server  # noqa: E402

STATEMENTS = {
    "insert plain": "INSERT INTO t (id, ts, s) VALUES (1, '2024-01-01 10:00:00', 'abc')",
    "insert BC": "INSERT INTO t (id, ts, s) VALUES (1, '0044-03-15 12:00:00 BC', 'abc')",
    "point select": "SELECT id, ts, s FROM t WHERE id = 42",
    "select ts = text": "SELECT id FROM t WHERE ts = '2024-01-01 10:00:00'",
}
SHAPES = {
    "insert plain": ("INSERT INTO t (id, ts, s) VALUES (%s, '2024-01-01 10:00:00', 'abc')", False),
    "insert BC": ("INSERT INTO t (id, ts, s) VALUES (%s, '0044-03-15 12:00:00 BC', 'abc')", False),
    "insert param": ("INSERT INTO t (id, ts, s) VALUES (%s, %s, 'abc')", True),
    "point select": ("SELECT id, ts, s FROM t WHERE id = %s", False),
}


def _rewrite_us(sql: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        rewrite(sql, tokenize(sql))
    return (time.perf_counter() - start) / n * 1e6


def _run_us(conn, sql: str, ts: bool, rows: int) -> float:
    start = time.perf_counter()
    for i in range(rows):
        conn.execute(sql, (i, "0044-03-15 12:00:00 BC") if ts else (i,))
    return (time.perf_counter() - start) / rows * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"tree: {ROOT}")
    for name, sql in STATEMENTS.items():
        runs = [_rewrite_us(sql, 2000) for _ in range(args.repeat)]
        print(f"rewrite {name:16s} {statistics.median(runs):8.1f} us")
    srv = start_server(Path(tempfile.mkdtemp(prefix="bench-datetime-")) / "data")
    try:
        with srv.connect(autocommit=True) as root:
            root.execute('CREATE PLUGGABLE DATABASE B ADMIN USER u IDENTIFIED BY "Bench-Pw-1"')
            root.execute("ALTER PLUGGABLE DATABASE B OPEN")
        with srv.connect("B", "u", "Bench-Pw-1", autocommit=True) as conn:
            conn.execute("CREATE TABLE t (id int, ts timestamp, s text)")
            for name, (sql, ts) in SHAPES.items():
                _run_us(conn, sql, ts, 200)  # warm-up
                runs = [_run_us(conn, sql, ts, args.rows) for _ in range(args.repeat)]
                print(f"server {name:13s} {statistics.median(runs):8.1f} us")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
