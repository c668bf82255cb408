"""Print the differential test's match rate and its differences grouped by cause.

    python -m tests.differential.report                 # starts DuckCDB and PostgreSQL 15 itself
    python -m tests.differential.report --details       # with both servers' answers
    python -m tests.differential.report --category strings --id lit_int4
    python -m tests.differential.report --duckcdb-dsn "host=... dbname=P user=... password=..." --pg-dsn "..."
    python -m tests.differential.report --toml          # unlisted differences as known_differences.toml lines

Exit status 1 when the pytest test would fail (unlisted differences, listed statements that match).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import psycopg

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.differential.harness import SETUP, Run, load_corpus, run_corpus
from tests.pg15 import start_pg15
from tests.server import start_server

PDB = "DIFFPDB"


def print_run(run: Run, details: bool, toml: bool) -> None:
    print(run.summary())
    per_category: Counter[str] = Counter()
    differing: Counter[str] = Counter()
    for r in run.results:
        per_category[r.statement.category] += 1
        differing[r.statement.category] += not r.matches
    print("\nper category (matching / statements):")
    for cat, n in per_category.items():
        print(f"  {cat:<12} {n - differing[cat]:>4} / {n}")
    groups = run.by_cause()
    print(f"\n{len(groups)} known causes, {sum(len(v) for v in groups.values())} statements:")
    for cause, results in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"\n[{len(results)}] {cause}")
        for r in results:
            if details:
                print("  " + run.describe(r).replace("\n", "\n  "))
                print(f"      reason:   {run.known[r.statement.id].reason}")
            else:
                print(f"  {r.statement.id}: {run.known[r.statement.id].reason}")
    if run.unexpected:
        print(f"\nUNEXPECTED: {len(run.unexpected)} differences not in known_differences.toml")
        for r in run.unexpected:
            print("  " + run.describe(r).replace("\n", "\n  "))
    if run.fixed:
        print(
            f"\nNOW MATCHING: {len(run.fixed)} listed statements match (remove them from known_differences.toml)"
        )
        for r in run.fixed:
            print(f"  {r.statement.id}: {run.known[r.statement.id].reason}")
    if run.stale():
        print("\nSTALE: listed ids not in corpus.txt: " + ", ".join(run.stale()))
    if toml and run.unexpected:
        print('\n["cause to name"]')
        for r in run.unexpected:
            print(f'{r.statement.id} = "{", ".join(r.diffs)}: TODO"')


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duckcdb-dsn", help="a PDB of a running DuckCDB (default: start a server and a PDB)")
    ap.add_argument("--pg-dsn", help="a running PostgreSQL 15 (default: start one)")
    ap.add_argument("--category", action="append", help="only these categories (repeatable)")
    ap.add_argument("--id", action="append", help="only these statement ids (repeatable)")
    ap.add_argument("--details", action="store_true", help="show both servers' answers for each difference")
    ap.add_argument("--toml", action="store_true", help="print unlisted differences as TOML entries")
    args = ap.parse_args(argv)

    statements = load_corpus()
    if args.category or args.id:
        keep_cat, keep_id = set(args.category or ()), set(args.id or ())
        statements = [
            s for s in statements if s.category == SETUP or s.category in keep_cat or s.id in keep_id
        ]

    cleanups = []
    try:
        if args.pg_dsn:
            pg_dsn = args.pg_dsn
        else:
            pg = start_pg15()
            cleanups.append(pg.stop)
            pg_dsn = pg.dsn()
        if args.duckcdb_dsn:
            dc_dsn = args.duckcdb_dsn
        else:
            base = Path(tempfile.mkdtemp(prefix="duckcdb-diff-"))
            cleanups.append(lambda: shutil.rmtree(base, ignore_errors=True))
            srv = start_server(base / "data")
            cleanups.append(srv.stop)
            with srv.connect(autocommit=True) as con:
                con.execute(
                    f'CREATE PLUGGABLE DATABASE {PDB} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
                )
                con.execute(f"ALTER PLUGGABLE DATABASE {PDB} OPEN")
            dc_dsn = srv.dsn(PDB, PDB_ADMIN, PDB_PASSWORD)
        run = run_corpus(lambda: psycopg.connect(pg_dsn), lambda: psycopg.connect(dc_dsn), statements)
    finally:
        for fn in reversed(cleanups):
            fn()
    if args.category or args.id:  # listed statements that were not run are neither fixed nor stale
        run.known = {k: v for k, v in run.known.items() if k in {r.statement.id for r in run.results}}
        run.corpus_ids = frozenset()
    print_run(run, args.details, args.toml)
    return 1 if run.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
