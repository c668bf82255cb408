"""Client processes of bench/governance.py. Kept apart, importing only psycopg, so that a client
process starts fast and its start-up is over before anything is measured."""

from __future__ import annotations

import multiprocessing as mp
import random
import time

import psycopg

POINT = "select abalance from accounts where aid = %s"


def point_client(
    dsn: str, rows: int, seconds: float, seed: int, ready: mp.Queue, go: mp.Event, out: mp.Queue
) -> None:
    """Prepared point SELECTs for `seconds` once `go` is set; puts the latencies (s) on `out`."""
    rnd = random.Random(seed)
    lat: list[float] = []
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(POINT, [1], prepare=True)
        ready.put(seed)
        go.wait()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t = time.perf_counter()
            c.execute(POINT, [rnd.randint(1, rows)], prepare=True).fetchone()
            lat.append(time.perf_counter() - t)
    out.put(lat)


def heavy_client(dsn: str, sql: str, ready: mp.Queue, stop: mp.Event, out: mp.Queue) -> None:
    """`sql` in a loop until `stop`; says when its first query is done, puts how many it ran."""
    n = 0
    with psycopg.connect(dsn, autocommit=True) as c:
        while not stop.is_set():
            c.execute(sql).fetchall()
            n += 1
            if n == 1:
                ready.put(n)
    out.put(n)


def idle_loop(ready: mp.Queue, stop: mp.Event) -> None:
    """The gentlest neighbour there is: one busy loop at the kernel's lowest priority (SCHED_IDLE),
    no memory traffic, no server involved. It shows what any CPU-bound neighbour costs on this
    machine, whatever the server does."""
    import os

    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    ready.put(0)
    while not stop.is_set():
        for _ in range(100_000):
            pass
