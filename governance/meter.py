"""The statement path's side of metering and SLA measurement, in the engine of a PDB: counters in
memory (sessions, session time, transactions, failed statements, server errors) and the
server-side response time of each statement cycle (message received to ReadyForQuery) in a
mergeable DDSketch per minute. Nothing here does I/O: the engine's snapshot (worker.engine) carries
it to the proxy every second, where metering.service turns it into durable records.

Cost per statement: two perf_counter() calls, one sketch insertion and one lock (bench/RESULTS.md).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from ddsketch import DDSketch

# Relative accuracy of the latency sketches: a quantile is within 1% of the true value.
SKETCH_ACCURACY = 0.01
# Seconds of sketches an engine keeps: one sketch per second, which the proxy merges into the
# SLA's minutes (mergeable sketches: a minute's quantiles are those of all its statements).
KEEP_SECONDS = 10
# Buckets (seconds) of the Prometheus latency histogram.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# SQLSTATEs that are the server's failures, not the user's (issue 16): insufficient resources (53),
# operator intervention (57, but 57014: a statement canceled by its user or its own timeout),
# system errors (58), internal errors (XX); 40001 only when the server caused it (a savepoint it
# could not restore), never a write-write conflict of the user's transactions.
SERVER_CLASSES = ("53", "57", "58", "XX")


def is_server_error(sqlstate: str, message: str = "") -> bool:
    if sqlstate == "57014":
        return False
    if sqlstate == "40001":
        return message.startswith("could not restore the transaction")
    return sqlstate[:2] in SERVER_CLASSES


def new_sketch() -> DDSketch:
    return DDSketch(SKETCH_ACCURACY)


def sketch_to_dict(s: DDSketch) -> dict[str, Any]:
    """A sketch as JSON-ready data (ddsketch's own encoding needs protobuf): its positive bins
    {key: count}, zero count, count, sum, min, max. Latencies are never negative."""
    store = s._store
    bins = {str(store.offset + i): c for i, c in enumerate(store.bins) if c}
    return {
        "bins": bins,
        "zero": s._zero_count,
        "count": s.count,
        "sum": s.sum,
        "min": s._min,
        "max": s._max,
    }


def sketch_from_dict(d: dict[str, Any]) -> DDSketch:
    s = new_sketch()
    for key, c in d["bins"].items():
        s._store.add(int(key), c)
    s._zero_count = d["zero"]
    s._count = d["count"]
    s._sum = d["sum"]
    if d["count"]:
        s._min, s._max = d["min"], d["max"]
    return s


class StatementMeter:
    """One PDB's statement-path counters and latency sketches; thread-safe (sessions are threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sessions_opened = 0
        self._closed_session_seconds = 0.0
        self._open: dict[int, float] = {}  # session pid -> monotonic start
        self.commits = 0
        self.rollbacks = 0
        self.failed = 0
        self.server_errors = 0
        self.cycles = 0  # statement cycles timed (the error rate's denominator)
        self.sketches: dict[int, DDSketch] = {}  # second (epoch) -> response times (seconds)
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)  # the histogram, non-cumulative, last = +Inf
        self.latency_sum = 0.0

    # ------------------------------------------------------------ sessions

    def session_started(self, pid: int, opened: bool = True) -> None:
        """A session is served here from now on; opened=False when it was already counted in this
        PDB (carried across a reopen: OPEN FORCE), so that it is not counted as opened twice."""
        with self._lock:
            if opened:
                self.sessions_opened += 1
            self._open[pid] = time.monotonic()

    def session_ended(self, pid: int) -> None:
        with self._lock:
            start = self._open.pop(pid, None)
            if start is not None:
                self._closed_session_seconds += time.monotonic() - start

    def session_seconds(self) -> float:
        now = time.monotonic()
        with self._lock:
            return self._closed_session_seconds + sum(now - s for s in self._open.values())

    # ------------------------------------------------------------ statements

    def cycle(self, seconds: float, errors: list[tuple[str, str]], commits: int, rollbacks: int) -> None:
        """One statement cycle ended with ReadyForQuery: its response time, the errors it sent
        (sqlstate, message) and the transactions it ended."""
        second = int(time.time())
        idx = _bucket(seconds)
        with self._lock:
            sk = self.sketches.get(second)
            if sk is None:
                sk = self.sketches[second] = new_sketch()
                for old in [m for m in self.sketches if m <= second - KEEP_SECONDS]:
                    del self.sketches[old]
            sk.add(seconds)
            self.cycles += 1
            self.buckets[idx] += 1
            self.latency_sum += seconds
            self.commits += commits
            self.rollbacks += rollbacks
            if errors:
                self.failed += len(errors)
                self.server_errors += sum(1 for st, msg in errors if is_server_error(st, msg))

    def snapshot(self) -> dict[str, Any]:
        """Cumulative counters and the last seconds' sketches, JSON-ready."""
        secs = self.session_seconds()
        with self._lock:
            return {
                "sessions_opened": self.sessions_opened,
                "session_seconds": secs,
                "sessions_now": len(self._open),
                "commits": self.commits,
                "rollbacks": self.rollbacks,
                "failed": self.failed,
                "server_errors": self.server_errors,
                "cycles": self.cycles,
                "buckets": list(self.buckets),
                "latency_sum": self.latency_sum,
                "sketches": {str(m): sketch_to_dict(s) for m, s in self.sketches.items()},
            }


def _bucket(seconds: float) -> int:
    for i, bound in enumerate(LATENCY_BUCKETS):
        if seconds <= bound:
            return i
    return len(LATENCY_BUCKETS)


def quantile(s: DDSketch | None, q: float) -> float | None:
    if s is None or not s.count:
        return None
    v = s.get_quantile_value(q)
    return None if v is None or math.isnan(v) else v
