"""DuckCDB benchmark: one run, same data, side by side with DuckDB in-process and PostgreSQL 15.

    make bench            (or: .venv/bin/python bench/run.py [--seconds 10] [--repeat 3])

1. Point SELECT by primary key on a 100,000-row table: pgbench custom script, -M simple and
   -M prepared, 1 and 4 clients, against DuckCDB and PostgreSQL; DuckDB in-process through its
   Python API with 1 and 4 threads (one cursor each).
   Then 4 clients on 4 PDBs (one pgbench each, at once; the PDBs are clones of the first),
   their aggregate beside one in-process DuckDB; and the TLS path (the proxy relays a TLS
   session's bytes to the engine) beside the plaintext path (the engine serves the socket).
2. Streaming SELECT of 1,000,000 rows x 4 columns (bigint, text, double, date) fetched by psycopg
   from DuckCDB and PostgreSQL; DuckDB in-process fetchall for reference.

Prints a Markdown report (medians of --repeat runs, ratios, the machine) and writes it to
bench/out/latest.md; bench/RESULTS.md keeps the figures that were committed.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import SYS_PASSWORD, start_server  # noqa: E402

ROWS = 100_000
STREAM_ROWS = 1_000_000
PDB, USER, PASSWORD = "BENCH", "bench", "Bench-Pw-1"
SETUP_SQL = [
    "create table accounts(aid integer primary key, bid integer, abalance integer, filler varchar(84))",
    f"insert into accounts select i, i % 10, 0, repeat('x', 84) from generate_series(1, {ROWS}) t(i)",
    "create table stream(id bigint, name text, val double precision, day date)",
    f"insert into stream select i, 'name-' || i, i * 0.5, date '2000-01-01' + (i % 10000)::int"
    f" from generate_series(1, {STREAM_ROWS}) t(i)",
]
UNLIMITED_BUDGETS = ("NETWORK_MBPS", "MAX_MBPS", "MAX_IOPS", "STATEMENT_TIMEOUT", "MAX_RESULT_SIZE")
POINT_SCRIPT = "\\set aid random(1, 100000)\nSELECT abalance FROM accounts WHERE aid = :aid;\n"
STREAM_QUERY = "select id, name, val, day from stream"


def open_bench_pdb(srv) -> None:  # noqa: ANN001
    """The benchmark's PDB, created and opened. The server is measured, not a tier's budgets: no
    I/O or network limit, no timeouts."""
    with srv.connect(autocommit=True) as root:
        root.execute(f'CREATE PLUGGABLE DATABASE {PDB} ADMIN USER {USER} IDENTIFIED BY "{PASSWORD}"')
        root.execute(f"ALTER PLUGGABLE DATABASE {PDB} OPEN")
        root.execute(f"ALTER SESSION SET CONTAINER = {PDB}")
        for budget in UNLIMITED_BUDGETS:
            root.execute(f"ALTER SYSTEM SET {budget} = 0")


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.platform()}, Python {platform.python_version()}, duckdb {duckdb.__version__}"


# ------------------------------------------------------------------ PostgreSQL 15


class Postgres:
    def __init__(self, base: Path) -> None:
        self.dir = base / "pg"
        self.port = 55499
        bindir = Path("/usr/lib/postgresql/15/bin")
        self.bin = bindir if bindir.exists() else Path(shutil.which("postgres") or "/usr/bin").parent
        self.dir.mkdir(parents=True)
        shutil.chown(self.dir, "postgres", "postgres")
        self._as_pg([str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres"])
        self._as_pg(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.dir / "data"),
                "-l",
                str(self.dir / "log"),
                "-o",
                f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c fsync=on",
                "-w",
                "start",
            ]
        )

    def _as_pg(self, cmd: list[str]) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(prefix + cmd, check=True, capture_output=True, cwd="/tmp")

    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def stop(self) -> None:
        try:
            self._as_pg([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"])
        except subprocess.CalledProcessError:
            pass


# ------------------------------------------------------------------ measurements


def pgbench(
    dsn_env: dict[str, str],
    port: int,
    user: str,
    db: str,
    mode: str,
    clients: int,
    seconds: int,
    script: Path,
) -> float:
    out = subprocess.run(
        [
            "pgbench",
            "-n",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            user,
            "-M",
            mode,
            "-c",
            str(clients),
            "-j",
            str(clients),
            "-T",
            str(seconds),
            "-f",
            str(script),
            db,
        ],
        env=dsn_env,
        capture_output=True,
        text=True,
        timeout=seconds * 3 + 60,
    )
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    if not m:
        raise RuntimeError(f"pgbench failed: {out.stdout}\n{out.stderr}")
    return float(m.group(1))


def duckdb_point(path: str, threads: int, seconds: int) -> float:
    db = duckdb.connect(path, read_only=True)
    count = [0] * threads
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        import random

        cur = db.cursor()
        n = 0
        while time.monotonic() < stop:
            cur.execute("SELECT abalance FROM accounts WHERE aid = $1", [random.randint(1, ROWS)]).fetchall()
            n += 1
        count[i] = n

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    start = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - start
    db.close()
    return sum(count) / elapsed


def psycopg_stream(dsn: str) -> float:
    with psycopg.connect(dsn) as c:
        start = time.monotonic()
        n = 0
        with c.cursor() as cur:
            cur.execute(STREAM_QUERY)
            while True:
                rows = cur.fetchmany(50_000)
                if not rows:
                    break
                n += len(rows)
        elapsed = time.monotonic() - start
    assert n == STREAM_ROWS, n
    return n / elapsed


def duckdb_stream(path: str) -> float:
    db = duckdb.connect(path, read_only=True)
    start = time.monotonic()
    n = len(db.execute(STREAM_QUERY).fetchall())
    elapsed = time.monotonic() - start
    db.close()
    return n / elapsed


def median_of(repeat: int, fn) -> float:  # noqa: ANN001
    return statistics.median(fn() for _ in range(repeat))


def _pgbench_at_once(
    runs: list[tuple[dict[str, str], str]], port: int, mode: str, seconds: int, script: Path
) -> float:
    """Several pgbench processes at the same time (one client each, one PDB each): total tps."""
    results: list[float] = [0.0] * len(runs)

    def one(i: int, env: dict[str, str], db: str) -> None:
        results[i] = pgbench(env, port, USER, db, mode, 1, seconds, script)

    ts = [threading.Thread(target=one, args=(i, env, db)) for i, (env, db) in enumerate(runs)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    return sum(results)


def four_pdbs(srv, args, script: Path, local: str, env: dict[str, str]) -> list[str]:  # noqa: ANN001
    """4 clients on 4 PDBs (clones of the benchmark PDB), beside one DuckDB in-process."""
    names = [PDB] + [f"{PDB}{i}" for i in range(2, 5)]
    with srv.connect(autocommit=True) as root:
        for name in names[1:]:
            root.execute(f"CREATE PLUGGABLE DATABASE {name} FROM {PDB}")
            root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    lines = ["\n### 4 clients on 4 PDBs (one each), aggregate transactions/s\n"]
    lines.append(
        "| mode | DuckCDB, 4 PDBs | DuckDB in-process, 1 thread | DuckDB in-process, 4 threads | 4 PDBs / in-process 1 thread |"
    )
    lines.append("|---|---|---|---|---|")
    one = median_of(args.repeat, lambda: duckdb_point(local, 1, args.seconds))
    four = median_of(args.repeat, lambda: duckdb_point(local, 4, args.seconds))
    for mode in ("simple", "prepared"):
        d = median_of(
            args.repeat,
            lambda m=mode: _pgbench_at_once([(env, n) for n in names], srv.port, m, args.seconds, script),
        )
        lines.append(f"| {mode} | {d:,.0f} | {one:,.0f} | {four:,.0f} | {d / one:.2f}x |")
        print(lines[-1], file=sys.stderr)
    return lines


def tls_path(srv, args, script: Path, env: dict[str, str]) -> list[str]:  # noqa: ANN001
    """The point query over TLS (relayed by the proxy) beside plaintext (served by the engine)."""
    lines = ["\n### TLS path: 1 client, transactions/s\n"]
    lines.append("| mode | plaintext | TLS | TLS / plaintext |")
    lines.append("|---|---|---|---|")
    tls_env = dict(env, PGSSLMODE="require")
    for mode in ("simple", "prepared"):
        plain = median_of(
            args.repeat, lambda m=mode: pgbench(env, srv.port, USER, PDB, m, 1, args.seconds, script)
        )
        tls = median_of(
            args.repeat, lambda m=mode: pgbench(tls_env, srv.port, USER, PDB, m, 1, args.seconds, script)
        )
        lines.append(f"| {mode} | {plain:,.0f} | {tls:,.0f} | {tls / plain:.2f}x |")
        print(lines[-1], file=sys.stderr)
    return lines


def engines_allocator() -> dict[str, str]:
    """The environment the engines run with (their glibc allocator setting, conf [engine])."""
    from conf import load_config
    from proxy.supervisor import engine_environment

    return engine_environment(int(load_config().get("engine", "malloc_tcache_count")))


def duckdb_point_in(env: dict[str, str], path: str, threads: int, seconds: int) -> float:
    """duckdb_point in a fresh process with env (glibc reads its tunables when a process starts)."""
    code = f"from bench.run import duckdb_point; print(duckdb_point({path!r}, {threads}, {seconds}))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def bare_control(args, script: Path, local: str, env: dict[str, str]) -> list[str]:  # noqa: ANN001
    """The ceiling: the barest Python server over DuckDB (bench/bare_server.py), 1 client, simple
    protocol, beside DuckDB in-process in the same minute; both with glibc's default allocator
    settings and with the engines' (a process's allocator is set when it starts)."""
    lines = [
        "\n### Control: the barest Python server over DuckDB (bench/bare_server.py), 1 client, simple\n",
        "| allocator | bare server | DuckDB in-process | bare / DuckDB |",
        "|---|---|---|---|",
    ]
    tuned = engines_allocator()
    for label, proc_env in (("glibc default", dict(os.environ)), (_tunables(tuned), tuned)):
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "bare_server.py"), local, str(port)], env=proc_env
        )
        try:
            _wait_port(port)
            inproc = median_of(args.repeat, lambda e=proc_env: duckdb_point_in(e, local, 1, args.seconds))
            bare = median_of(
                args.repeat, lambda p=port: pgbench(env, p, USER, PDB, "simple", 1, args.seconds, script)
            )
        finally:
            proc.kill()
            proc.wait()
        lines.append(f"| {label} | {bare:,.0f} | {inproc:,.0f} | {bare / inproc:.2f}x |")
        print(lines[-1], file=sys.stderr)
    return lines


def _tunables(env: dict[str, str]) -> str:
    return f"engines' ({env.get('GLIBC_TUNABLES', 'glibc default')})"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the bare server did not start")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="duckcdb-bench-"))
    os.chmod(base, 0o755)
    script = base / "point.sql"
    script.write_text(POINT_SCRIPT)
    os.chmod(script, 0o644)
    print("starting DuckCDB and PostgreSQL ...", file=sys.stderr)
    srv = start_server(base / "duckcdb", "--tls-self-signed")
    pg = Postgres(base)
    lines: list[str] = []
    try:
        open_bench_pdb(srv)
        with srv.connect(PDB, USER, PASSWORD, autocommit=True) as c:
            for sql in SETUP_SQL:
                c.execute(sql)
        with psycopg.connect(pg.dsn(), autocommit=True) as c:
            for sql in SETUP_SQL:
                c.execute(sql)
            c.execute("vacuum analyze")
        # DuckDB in-process reads a copy of the PDB's file (the engine holds the original).
        root = srv.connect()
        root.autocommit = True
        root.execute(f"ALTER PLUGGABLE DATABASE {PDB} CLOSE IMMEDIATE")
        pdb_file = next((base / "duckcdb" / "pdbs").glob("*/data.duckdb"))
        local = str(base / "inprocess.duckdb")
        shutil.copyfile(pdb_file, local)
        root.execute(f"ALTER PLUGGABLE DATABASE {PDB} OPEN")
        root.close()

        ddb_env = dict(os.environ, PGPASSWORD=PASSWORD, PGSSLMODE="disable")
        pg_env = dict(os.environ, PGSSLMODE="disable")
        lines.append(f"Machine: {machine()}\n")
        lines.append(
            f"Each figure is the median of {args.repeat} runs: {args.seconds} s each for point SELECT, one full fetch each for streaming.\n"
        )
        lines.append("## 1. Point SELECT by primary key (100,000 rows), transactions/s\n")
        lines.append(
            "| clients | mode | DuckCDB | DuckDB in-process | PostgreSQL 15 | DuckCDB / DuckDB | DuckCDB / PG |"
        )
        lines.append("|---|---|---|---|---|---|---|")
        one_client: dict[str, float] = {}
        for clients in (1, 4):
            inproc = median_of(args.repeat, lambda c=clients: duckdb_point(local, c, args.seconds))
            for mode in ("simple", "prepared"):
                d = median_of(
                    args.repeat,
                    lambda c=clients, m=mode: pgbench(
                        ddb_env, srv.port, USER, PDB, m, c, args.seconds, script
                    ),
                )
                p = median_of(
                    args.repeat,
                    lambda c=clients, m=mode: pgbench(
                        pg_env, pg.port, "postgres", "postgres", m, c, args.seconds, script
                    ),
                )
                if clients == 1:
                    one_client[mode] = d
                lines.append(
                    f"| {clients} | {mode} | {d:,.0f} | {inproc:,.0f} | {p:,.0f} | {d / inproc:.2f}x | {d / p:.2f}x |"
                )
                print(lines[-1], file=sys.stderr)
        tuned = median_of(args.repeat, lambda: duckdb_point_in(engines_allocator(), local, 1, args.seconds))
        lines.append(
            f"\nDuckDB in-process, 1 client thread, with the engines' allocator setting"
            f" ({engines_allocator().get('GLIBC_TUNABLES')}): {tuned:,.0f} tps; DuckCDB 1 client"
            f" {one_client['simple'] / tuned:.2f}x (simple) / {one_client['prepared'] / tuned:.2f}x"
            " (prepared) of it."
        )
        lines += bare_control(args, script, local, ddb_env)
        lines += four_pdbs(srv, args, script, local, ddb_env)
        lines += tls_path(srv, args, script, ddb_env)
        lines.append("\n## 2. Streaming SELECT of 1,000,000 rows x 4 columns with psycopg, rows/s\n")
        lines.append("| DuckCDB | PostgreSQL 15 | DuckDB in-process (fetchall) | DuckCDB / PG |")
        lines.append("|---|---|---|---|")
        d = median_of(args.repeat, lambda: psycopg_stream(srv.dsn(PDB, USER, PASSWORD)))
        p = median_of(args.repeat, lambda: psycopg_stream(pg.dsn() + " sslmode=disable"))
        i = median_of(args.repeat, lambda: duckdb_stream(local))
        lines.append(f"| {d:,.0f} | {p:,.0f} | {i:,.0f} | {d / p:.2f}x |")
    finally:
        srv.stop()
        pg.stop()
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text(report)
    shutil.rmtree(base, ignore_errors=True)
    _ = SYS_PASSWORD


if __name__ == "__main__":
    main()
