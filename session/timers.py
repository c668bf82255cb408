"""One thread that fires deadlines (statement timeouts) for every session of an engine process:
a session's own thread is busy running the statement the timer must interrupt."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable


class Timers:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int]] = []
        self._live: dict[int, Callable[[], None]] = {}
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        threading.Thread(target=self._run, name="timers", daemon=True).start()

    def at(self, deadline: float, fn: Callable[[], None]) -> int:
        """Call fn at deadline (time.monotonic()) unless cancelled; returns the timer's id."""
        with self._cond:
            tid = next(self._ids)
            first = not self._heap or deadline < self._heap[0][0]
            heapq.heappush(self._heap, (deadline, tid))
            self._live[tid] = fn
            if first:  # the thread sleeps until the earliest deadline: it only needs waking for a new one
                self._cond.notify()
            return tid

    def cancel(self, tid: int) -> None:
        with self._cond:
            self._live.pop(tid, None)
            # Cancelled entries leave the heap lazily; keep it no bigger than twice the live ones.
            if len(self._heap) > 64 and len(self._heap) > 2 * len(self._live):
                self._heap = [e for e in self._heap if e[1] in self._live]
                heapq.heapify(self._heap)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                deadline, tid = self._heap[0]
                if tid not in self._live:
                    heapq.heappop(self._heap)
                    continue
                now = time.monotonic()
                if deadline > now:
                    self._cond.wait(deadline - now)
                    continue
                heapq.heappop(self._heap)
                fn = self._live.pop(tid)
            try:
                fn()
            except Exception:  # noqa: BLE001 - a timer's failure must not stop the others
                pass
