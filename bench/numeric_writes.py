"""What the checks of issue 12's quiet wrong numbers cost (pgcompat.numeric, engine.pgmath).

    .venv/bin/python bench/numeric_writes.py [--rows 2000] [--repeat 5]
    DUCKCDB_TREE=/path/to/other/checkout .venv/bin/python bench/numeric_writes.py   # the same on another tree

1. In-process: pgcompat.rewrite.rewrite() of a plain INSERT of literals, an INSERT of a computed
   value, an UPDATE and a point SELECT (microseconds per statement, median of --repeat runs).
2. In-process DuckDB: a float product over --product-rows rows as DuckDB runs it and through
   engine.pgmath's __pg_mul (its overflow check), milliseconds (this tree only).
3. Through psycopg against a started server (one PDB): --rows single-row INSERTs into a table
   with an unconstrained numeric column, plain literals and a computed value, unnamed and prepared
   (microseconds per statement, wall clock of the client).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("DUCKCDB_TREE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

from pgcompat.rewrite import rewrite  # noqa: E402
from pgcompat.tokens import tokenize  # noqa: E402
from tests.server import start_server  # noqa: E402

STATEMENTS = {
    "insert literals": "INSERT INTO t (id, n, s) VALUES (1, 2.5, 'abc')",
    "insert computed": "INSERT INTO t (id, n, s) VALUES (1, 2.5 * 3, 'abc')",
    "update computed": "UPDATE t SET n = n * 1.1 WHERE id = 1",
    "point select": "SELECT id, n, s FROM t WHERE id = 42",
}


def _rewrite_us(sql: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        rewrite(sql, tokenize(sql))
    return (time.perf_counter() - start) / n * 1e6


def _inserts_us(conn, sql: str, rows: int, prepare: bool) -> float:
    start = time.perf_counter()
    for i in range(rows):
        conn.execute(sql, (i,), prepare=prepare)
    return (time.perf_counter() - start) / rows * 1e6


def _product_ms(rows: int, repeat: int) -> None:
    try:
        from engine import pgmath
    except ImportError:
        return
    if not hasattr(pgmath, "MUL"):
        return
    import duckdb

    con = duckdb.connect()
    pgmath.register(con)
    pgmath.install(con)
    con.execute(f"CREATE TABLE p AS SELECT random() * 100 AS d, i FROM range({rows}) t(i)")
    for name, sql in (
        ("duckdb d * 1.5", "SELECT sum(d * 1.5) FROM p"),
        ("__pg_mul(d, 1.5)", _rewrite_sql("SELECT sum(d * 1.5) FROM p")),
    ):
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            con.execute(sql).fetchall()
            runs.append((time.perf_counter() - start) * 1e3)
        print(f"product {name:18s} {statistics.median(runs):8.1f} ms  ({sql})")


def _rewrite_sql(sql: str) -> str:
    return rewrite(sql, tokenize(sql)).sql


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--product-rows", type=int, default=5_000_000)
    args = ap.parse_args()
    print(f"tree: {ROOT}")
    for name, sql in STATEMENTS.items():
        runs = [_rewrite_us(sql, 2000) for _ in range(args.repeat)]
        print(f"rewrite {name:16s} {statistics.median(runs):8.1f} us")
    _product_ms(args.product_rows, args.repeat)
    srv = start_server(Path(tempfile.mkdtemp(prefix="bench-numeric-")) / "data")
    try:
        with srv.connect(autocommit=True) as root:
            root.execute('CREATE PLUGGABLE DATABASE B ADMIN USER u IDENTIFIED BY "Bench-Pw-1"')
            root.execute("ALTER PLUGGABLE DATABASE B OPEN")
        with srv.connect("B", "u", "Bench-Pw-1", autocommit=True) as conn:
            conn.execute("CREATE TABLE t (id int, n numeric, s text)")
            shapes = {
                "literals": "INSERT INTO t (id, n, s) VALUES (%s, 2.5, 'abc')",
                "computed": "INSERT INTO t (id, n, s) VALUES (%s, 2.5 * 3, 'abc')",
            }
            for prepare in (False, True):
                for name, sql in shapes.items():
                    _inserts_us(conn, sql, 200, prepare)  # warm-up
                    runs = [_inserts_us(conn, sql, args.rows, prepare) for _ in range(args.repeat)]
                    mode = "prepared" if prepare else "unnamed"
                    print(f"insert {name:9s} {mode:8s} {statistics.median(runs):8.1f} us")
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
