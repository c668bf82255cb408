"""Durability soak (issue 13): writers commit and record each acknowledged commit while the PDB's
engine and the proxy are killed (kill -9) at random; afterwards every acknowledged commit is
there, whole, and nothing partial is.

Each transaction inserts a group of GROUP rows (one id per row, a checksum of its id in the
payload). A commit whose COMMIT returned is acknowledged; one whose connection broke during
COMMIT is in doubt (it may or may not be there; never half). After the run the server is started
cleanly and the table is read: every acknowledged group complete, every group complete or
absent, every payload matching its id.

Run: .venv/bin/python -m bench.soak [--seconds 60] [--writers 4]; prints a Markdown summary.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from tests.server import RunningServer, start_server

PDB, USER, PASSWORD = "SOAK", "soak", "Soak-Pw-1"
GROUP = 3


def _payload(i: int) -> str:
    return hashlib.sha256(str(i).encode()).hexdigest()


class Soak:
    def __init__(self, base: Path, seconds: float, writers: int) -> None:
        self.base = base
        self.data = base / "data"
        self.seconds = seconds
        self.writers = writers
        self.srv: RunningServer = start_server(self.data)
        self.lock = threading.Lock()
        self.acked: set[int] = set()  # first id of each acknowledged group
        self.in_doubt: set[int] = set()
        self.attempted = 0
        self.errors = 0
        self.kills = {"engine": 0, "proxy": 0}
        self.stop = threading.Event()

    def setup(self) -> None:
        with self.srv.connect(autocommit=True) as root:
            root.execute(f'CREATE PLUGGABLE DATABASE {PDB} ADMIN USER {USER} IDENTIFIED BY "{PASSWORD}"')
            root.execute(f"ALTER PLUGGABLE DATABASE {PDB} OPEN")
            root.execute(f"ALTER PLUGGABLE DATABASE {PDB} SAVE STATE")  # reopened after a restart
        with self._connect() as c:
            c.execute("create table acks(id bigint primary key, writer int, payload text)")

    def _connect(self) -> psycopg.Connection:
        return self.srv.connect(PDB, USER, PASSWORD, autocommit=True, connect_timeout=5)

    def writer(self, w: int) -> None:
        seq = 0
        con: psycopg.Connection | None = None
        while not self.stop.is_set():
            try:
                if con is None or con.closed:
                    con = self._connect()
                first = (w << 40) | (seq * GROUP)
                seq += 1
                with self.lock:
                    self.attempted += 1
                phase = "body"
                try:
                    con.execute("begin")
                    for i in range(first, first + GROUP):
                        con.execute("insert into acks values (%s, %s, %s)", (i, w, _payload(i)))
                    phase = "commit"
                    con.execute("commit")
                except psycopg.Error:
                    with self.lock:
                        self.errors += 1
                        if phase == "commit":
                            self.in_doubt.add(first)
                    if not con.closed:
                        try:
                            con.execute("rollback")
                        except psycopg.Error:
                            con.close()
                    time.sleep(0.05)
                    continue
                with self.lock:
                    self.acked.add(first)
            except psycopg.Error:
                time.sleep(0.1)  # the server is being restarted
                con = None

    def killer(self) -> None:
        rnd = random.Random(7)
        while not self.stop.wait(rnd.uniform(1.5, 4.0)):
            if rnd.random() < 0.6:
                pid = self.srv.engine_pids().get(PDB)
                if pid:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        self.kills["engine"] += 1
                    except ProcessLookupError:
                        pass
                    time.sleep(0.5)
                    self._reopen()
            else:
                self.srv.proc.kill()
                self.srv.proc.wait()
                self.kills["proxy"] += 1
                self.srv = start_server(self.data)  # adopts the engines still running
                self._reopen()

    def _reopen(self) -> None:
        for _ in range(50):
            try:
                with self.srv.connect(autocommit=True, connect_timeout=5) as root:
                    row = root.execute("select open_mode from v$pdbs where name = %s", (PDB,)).fetchone()
                    if row and row[0] == "READ WRITE":
                        return
                    root.execute(f"ALTER PLUGGABLE DATABASE {PDB} OPEN")
                    return
            except psycopg.Error:
                time.sleep(0.2)

    def run(self) -> dict[str, object]:
        self.setup()
        threads = [threading.Thread(target=self.writer, args=(w,)) for w in range(self.writers)]
        killer = threading.Thread(target=self.killer)
        for t in [*threads, killer]:
            t.start()
        time.sleep(self.seconds)
        self.stop.set()
        for t in [*threads, killer]:
            t.join(60)
        # a clean restart, then the check
        self.srv.kill_all()
        self.srv = start_server(self.data)
        self._reopen()
        with self._connect() as c:
            rows = c.execute("select id, payload from acks").fetchall()
        self.srv.stop()
        ids = {i for i, _ in rows}
        bad_payload = sum(1 for i, p in rows if p != _payload(i))
        groups: dict[int, int] = {}
        for i in ids:
            first = i - (i & ((1 << 40) - 1)) % GROUP
            groups[first] = groups.get(first, 0) + 1
        partial = sum(1 for n in groups.values() if n != GROUP)
        lost = len(self.acked - set(groups))
        return {
            "seconds": self.seconds,
            "writers": self.writers,
            "transactions attempted": self.attempted,
            "acknowledged": len(self.acked),
            "in doubt (connection lost during COMMIT)": len(self.in_doubt),
            "in doubt and present": len(self.in_doubt & set(groups)),
            "failed (error before COMMIT)": self.errors - len(self.in_doubt),
            "engine kills": self.kills["engine"],
            "proxy kills": self.kills["proxy"],
            "acknowledged but lost": lost,
            "partial groups": partial,
            "rows with a wrong payload": bad_payload,
        }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--writers", type=int, default=4)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="duckcdb-soak-"))
    print("soaking ...", file=sys.stderr)
    result = Soak(base, args.seconds, args.writers).run()
    print("| measure | count |\n|---|---|")
    for k, v in result.items():
        print(f"| {k} | {v} |")
    ok = (
        result["acknowledged but lost"] == 0
        and result["partial groups"] == 0
        and result["rows with a wrong payload"] == 0
    )
    print(f"\n{'PASS' if ok else 'FAIL'}: every acknowledged commit present, nothing partial")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
