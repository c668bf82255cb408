"""One writer at a time per PDB, as PostgreSQL's row locks make concurrent writers of one row wait.

DuckDB's optimistic concurrency aborts the later of two transactions that write the same rows
(a serialization failure, 40001): half of TPC-B's transactions with two clients. Here a
transaction takes its PDB's write gate with its first write (or SELECT ... FOR UPDATE) and holds
it to its end; other writers wait in turn (FIFO), readers never do. With one gate there is no
deadlock. The wait ends early for a cancel, the statement timeout or lock_timeout (55P03).

`generation` counts the writers that held the gate: a transaction whose snapshot is older than
the last writer's commit starts a fresh one before writing (READ COMMITTED; see EngineSession).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from pgwire.errors import DbError

# How often a waiter looks at its cancel flag (a release wakes it at once).
POLL_S = 0.05


class WriteGate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.holder: int | None = None  # the session holding it
        self._queue: deque[int] = deque()  # sessions waiting, in arrival order
        self.generation = 0
        self.waits = 0  # how many acquisitions had to wait (SHOW RESOURCES, benchmarks)

    def held_by(self, session: int) -> bool:
        return self.holder == session

    def try_acquire(self, session: int) -> bool:
        """Take the gate if it is free (or already this session's) and no one waits before us."""
        with self._cond:
            if self.holder == session:
                return True
            if self.holder is None and not self._queue:
                self.holder = session
                return True
            return False

    def acquire(
        self,
        session: int,
        lock_timeout_s: float | None,
        interrupted: Callable[[], str | None],
    ) -> bool:
        """Wait for the gate; True when the wait was needed (another writer held it). Raises 55P03
        after lock_timeout_s, or 57014 when interrupted() names a reason (cancel, statement timeout)."""
        with self._cond:
            if self.holder == session:
                return False
            if self.holder is None and not self._queue:
                self.holder = session
                return False
            self.waits += 1
            self._queue.append(session)
            deadline = None if lock_timeout_s is None else time.monotonic() + lock_timeout_s
            try:
                while not (self.holder is None and self._queue[0] == session):
                    reason = interrupted()
                    if reason:
                        raise DbError("57014", f"canceling statement due to {reason}")
                    wait = POLL_S
                    if deadline is not None:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            raise DbError("55P03", "canceling statement due to lock timeout")
                        wait = min(wait, left)
                    self._cond.wait(wait)
                self.holder = session
                return True
            finally:
                self._queue.remove(session)
                if self.holder != session:
                    self._cond.notify_all()  # the next in line may go

    def release(self, session: int, wrote: bool = True) -> None:
        with self._cond:
            if self.holder != session:
                return
            self.holder = None
            if wrote:
                self.generation += 1
            self._cond.notify_all()
