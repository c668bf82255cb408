"""DuckDB's worker threads of one PDB: the tier's number while a statement that may use them runs,
none of their own (threads = 1: the caller's thread alone) while only quick statements run.

DuckDB wakes its worker threads for every pipeline it schedules, however small: a point query
by primary key costs two or three context switches and ~25% more CPU with threads = 2 than with
threads = 1, and more still on a busy machine (the woken worker spins before it sleeps again).
The setting is global, so it cannot follow each statement: a statement whose shape is not known
to be quick raises it to the tier's number before it runs (engine.session learns "quick" from
each run's CPU time), and it goes back to 1 only when a quick statement finds that no other has
needed the workers for LINGER_S. CPU_COUNT (governance.resources.engine_threads) stays the cap
and what every statement that is not known to be quick runs with.
"""

from __future__ import annotations

import logging
import threading
import time

import duckdb

log = logging.getLogger("duckcdb.engine")

# How long the tier's threads stay after the last statement that needed them: a mixed workload
# keeps them instead of paying to stop and start them at each statement (~300 us a pair).
LINGER_S = 0.25
# A run that took less CPU than this in the session's thread makes its shape quick (a point
# query takes ~0.3 ms); a run above it makes it not quick again.
QUICK_CPU_S = 0.002


def learn_quick(hint: dict, ran_whole: bool, cpu_s: float) -> None:
    """What one run of a statement teaches its shape: quick when it ran to its end in one
    request within QUICK_CPU_S of CPU; anything else (suspended, failed, slower) is not."""
    hint.pop("verify", None)
    if ran_whole and cpu_s < QUICK_CPU_S:
        hint["quick"] = True
    elif "quick" in hint:
        hint.pop("quick", None)


def timed_by_wall(hint: dict) -> bool:
    """Whether a run of this shape is timed by the wall clock, not by its thread's CPU clock (a
    system call at each end, a tenth of a point query's Python on a loaded machine): a quick
    shape's, unless its last run took QUICK_CPU_S of wall time (learn_quick_by_wall)."""
    return "quick" in hint and "verify" not in hint


def learn_quick_by_wall(hint: dict, ran_whole: bool, wall_s: float) -> None:
    """learn_quick for a run timed by the wall clock. The thread's CPU time is never more than
    the wall time, so a run within QUICK_CPU_S of wall time was quick; a longer one may have
    waited (a loaded machine) or not: the shape's next run is timed by CPU, which decides."""
    if not ran_whole:
        learn_quick(hint, False, 0.0)
    elif wall_s >= QUICK_CPU_S:
        hint["verify"] = True


class WorkerThreads:
    """The DuckDB threads setting of one engine's database, shared by its sessions (thread-safe)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, tier: int, linger_s: float = LINGER_S) -> None:
        self._con = con  # a cursor of its own: SET GLOBAL may run while sessions run statements
        self.tier = max(1, int(tier))
        self.current = self.tier  # the database is opened with the tier's threads
        self.linger_s = linger_s
        self._full = 0  # statements running that may use the tier's threads
        self._last_full = time.monotonic()
        self._lock = threading.Lock()

    def enter(self, quick: bool) -> bool:
        """Before a statement runs. A quick one runs with whatever is set (lowering it to 1 when
        the tier's threads have not been needed for linger_s); any other holds the tier's threads
        until leave(). Returns whether it must call leave()."""
        if quick:
            if self.current != 1 and not self._full and time.monotonic() - self._last_full >= self.linger_s:
                with self._lock:
                    if self.current != 1 and not self._full:
                        self._set(1)
            return False
        with self._lock:
            self._full += 1
            if self.current != self.tier:
                self._set(self.tier)
        return True

    def leave(self) -> None:
        with self._lock:
            self._full -= 1
            self._last_full = time.monotonic()

    def set_tier(self, n: int) -> None:
        """New limits from the supervisor: applied at once unless only quick statements run."""
        with self._lock:
            self.tier = max(1, int(n))
            if self.current != 1 or self._full:
                self._set(self.tier)

    def _set(self, n: int) -> None:
        """(under the lock) DuckDB's threads = n; a failure leaves the setting as it was (the
        statement runs on, with fewer threads than the tier allows, and it is logged)."""
        if n == self.current:
            return
        try:
            self._con.execute(f"SET GLOBAL threads = {int(n)}")
        except duckdb.Error as e:
            log.warning("engine threads: SET GLOBAL threads = %d failed: %s", n, e)
            return
        self.current = n
