"""CPU per point query, measured rather than timed: what the server's processes spend per
statement beside the barest Python server (bench/bare_server.py) and DuckDB in-process, on the
same data (issue 18). Wall-clock rates on a loaded machine say little; CPU per statement, read
from /proc before and after N statements of pgbench (1 client, -t N), says where the time goes.

    .venv/bin/python bench/point_cpu.py [--statements 20000] [--modes simple,prepared]

Prints, per mode, the engine's and the proxy's CPU (us per statement), the bare server's, and
DuckDB in-process with 1 thread (the engine's setting for quick statements) and its default, and
with 1 thread and the engines' allocator setting.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    PASSWORD,
    PDB,
    POINT_SCRIPT,
    ROWS,
    SETUP_SQL,
    USER,
    engines_allocator,
    open_bench_pdb,
)
from tests.server import start_server  # noqa: E402

_TICK = os.sysconf("SC_CLK_TCK")
_POINT = "SELECT abalance FROM accounts WHERE aid = $1"


def cpu_s(pid: int) -> float:
    """User + system CPU of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def pgbench(port: int, mode: str, script: Path, env: dict[str, str], n: int) -> None:
    out = subprocess.run(
        ["pgbench", "-n", "-h", "127.0.0.1", "-p", str(port), "-U", USER, "-M", mode, "-c", "1",
         "-t", str(n), "-f", str(script), PDB],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if out.returncode:
        raise RuntimeError(f"pgbench failed: {out.stdout}\n{out.stderr}")


def per_statement(pids: dict[str, int], n: int, run) -> dict[str, float]:  # noqa: ANN001
    """us of CPU per statement of each process while run() sends n statements."""
    before = {k: cpu_s(p) for k, p in pids.items()}
    run()
    return {k: 1e6 * (cpu_s(p) - before[k]) / n for k, p in pids.items()}


def inprocess(path: str, threads: int | None, n: int) -> float:
    """us of CPU per statement of DuckDB's Python API (execute with the parameter, fetchall)."""
    config = {"threads": threads} if threads else {}
    db = duckdb.connect(path, read_only=True, config=config)
    cur = db.cursor()
    for _ in range(1000):
        cur.execute(_POINT, [random.randint(1, ROWS)]).fetchall()
    t0 = time.process_time()
    for _ in range(n):
        cur.execute(_POINT, [random.randint(1, ROWS)]).fetchall()
    spent = time.process_time() - t0
    db.close()
    return 1e6 * spent / n


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--statements", type=int, default=20000)
    ap.add_argument("--modes", default="simple,prepared")
    args = ap.parse_args()
    n = args.statements
    base = Path(tempfile.mkdtemp(prefix="duckcdb-point-cpu-"))
    os.chmod(base, 0o755)
    script = base / "point.sql"
    script.write_text(POINT_SCRIPT)
    os.chmod(script, 0o644)
    srv = start_server(base / "duckcdb")
    bare = None
    try:
        open_bench_pdb(srv)
        with srv.connect(PDB, USER, PASSWORD, autocommit=True) as c:
            for sql in SETUP_SQL[:2]:  # the accounts table only
                c.execute(sql)
        with srv.connect(autocommit=True) as root:  # a copy of the PDB's file for the others
            root.execute(f"ALTER PLUGGABLE DATABASE {PDB} CLOSE IMMEDIATE")
            local = str(base / "inprocess.duckdb")
            shutil.copyfile(next((base / "duckcdb" / "pdbs").glob("*/data.duckdb")), local)
            root.execute(f"ALTER PLUGGABLE DATABASE {PDB} OPEN")
        env = dict(os.environ, PGPASSWORD=PASSWORD, PGSSLMODE="disable")
        pids = {"engine": srv.engine_pids()[PDB], "proxy": srv.proc.pid}
        print(f"us of CPU per point query, {n} statements each (1 client)")
        for mode in args.modes.split(","):
            pgbench(srv.port, mode, script, env, 1000)  # warm: shapes learnt, caches filled
            got = per_statement(pids, n, lambda m=mode: pgbench(srv.port, m, script, env, n))
            print(f"DuckCDB {mode:8s}  engine {got['engine']:6.1f}  proxy {got['proxy']:5.1f}")
        port = _free_port()
        bare = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_server.py"), local, str(port)])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        pgbench(port, "simple", script, env, 1000)
        got = per_statement({"bare": bare.pid}, n, lambda: pgbench(port, "simple", script, env, n))
        print(f"bare server simple    {got['bare']:6.1f}  (DuckDB's default threads)")
        print(f"DuckDB in-process     {inprocess(local, 1, n):6.1f}  (threads = 1)")
        print(f"DuckDB in-process     {inprocess(local, None, n):6.1f}  (default threads)")
        tuned = engines_allocator()
        code = f"from bench.point_cpu import inprocess; print(inprocess({local!r}, 1, {n}))"
        out = subprocess.run(
            [sys.executable, "-c", code], env=tuned, cwd=ROOT, capture_output=True, text=True, check=True
        )
        print(
            f"DuckDB in-process     {float(out.stdout.split()[-1]):6.1f}  (threads = 1, the engines' allocator: {tuned.get('GLIBC_TUNABLES')})"
        )
    finally:
        if bare is not None:
            bare.kill()
            bare.wait()
        srv.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
