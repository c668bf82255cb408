"""Runtime governance in the proxy: one mechanism per resource, per PDB.

- CPU: a fair-share admission scheduler gives PDBs statement slots (SLOTS_PER_CPU per CPU) in
  proportion to their weight (plan shares x priority) among the PDBs active now: a PDB below its
  share is admitted at once (no preemption: its share is kept for it), one at or above it waits;
  it guarantees CPU_MIN_COUNT slots and one slot to everybody, caps at the plan's
  utilization_limit, and counts the statements it made wait. The CPUs themselves are shared by
  the kernel: each engine's control group has the PDB's weight and its CPU_COUNT cap
  (governance.cgroups), its threads the priority's nice value, and DuckDB as many threads as CPU_COUNT.
- I/O: MAX_IOPS and MAX_MBPS are token buckets with a 2-second burst, charged with the physical
  bytes the PDB's engine read and wrote (its /proc/<pid>/io: one engine serves one PDB, so this is
  the PDB's I/O; DuckDB's per-query profiler costs 60-90 us per statement). A bucket in debt
  delays the PDB's next statements; it never fails them.
- Network: NETWORK_MBPS paces the bytes sent to the PDB's clients (a token bucket too).
Every figure is counted, for V$RSRCPDBMETRIC and SHOW RESOURCES.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque

from governance.buckets import TokenBucket
from governance.resources import Limits, machine_cpus
from governance.usage import IO_BLOCK, Interval, PdbUsage

# A PDB counts as active (competing for CPU) this long after its last statement.
ACTIVE_WINDOW_S = 1.0
SLOTS_PER_CPU = 4


class PdbGovernor:
    """The live budgets of one PDB: its slot queue, buckets and counters."""

    def __init__(self, con_id: int, limits: Limits) -> None:
        self.con_id = con_id
        self.limits = limits
        self.io_bytes = TokenBucket(limits.max_mbps * 1e6)
        self.io_ops = TokenBucket(float(limits.max_iops))
        self.network = TokenBucket(limits.network_mbps * 125_000.0)
        self.running = 0
        self.waiting: deque[asyncio.Future[None]] = deque()
        self.last_active = 0.0
        self.usage = PdbUsage()
        self._mark = time.monotonic()  # last time running/waiting integrals were advanced
        self._interval_start = time.time()
        self._interval_base = self._counters()
        self.io_sample: tuple[int, int] | None = None  # engine's read_bytes, write_bytes last seen
        self.sampled_at = 0.0
        self.cpu_sample: float | None = None

    def update(self, limits: Limits) -> None:
        self.limits = limits
        self.io_bytes.set_rate(limits.max_mbps * 1e6)
        self.io_ops.set_rate(float(limits.max_iops))
        self.network.set_rate(limits.network_mbps * 125_000.0)

    @property
    def weight(self) -> float:
        return self.limits.weight

    @property
    def utilization_limit(self) -> int:
        return self.limits.utilization_limit

    def _advance(self) -> None:
        now = time.monotonic()
        dt = now - self._mark
        self.usage.running_time += self.running * dt
        self.usage.waiting_time += len(self.waiting) * dt
        self._mark = now

    def charge_io(self, read: int, written: int) -> None:
        self.usage.bytes_read += read
        self.usage.bytes_written += written
        total = read + written
        if total:
            self.io_bytes.charge(total)
            self.io_ops.charge(math.ceil(read / IO_BLOCK) + math.ceil(written / IO_BLOCK))

    def _counters(self) -> dict[str, float]:
        u = self.usage
        return {
            "cpu": u.cpu_seconds,
            "wait": u.cpu_wait_seconds,
            "read": u.bytes_read,
            "written": u.bytes_written,
            "sent": u.bytes_sent,
            "received": u.bytes_received,
            "statements": u.statements,
            "throttle": self.io_bytes.throttle_time + self.io_ops.throttle_time,
            "running": u.running_time,
            "waiting": u.waiting_time,
        }

    def current_interval(self) -> Interval:
        """The open metrics interval so far."""
        self._advance()
        now = time.time()
        span = max(now - self._interval_start, 1e-6)
        cur = self._counters()
        d = {k: cur[k] - self._interval_base[k] for k in cur}
        ops = math.ceil(d["read"] / IO_BLOCK) + math.ceil(d["written"] / IO_BLOCK)
        interval = Interval(
            begin=self._interval_start,
            end=now,
            cpu_consumed_ms=d["cpu"] * 1000,
            cpu_wait_ms=d["wait"] * 1000,
            avg_running=d["running"] / span,
            avg_waiting=d["waiting"] / span,
            iops=ops / span,
            io_mbps=(d["read"] + d["written"]) / 1e6 / span,
            io_throttle_ms=d["throttle"] * 1000,
            memory_bytes=self.usage.memory_bytes,
            bytes_sent=int(d["sent"]),
            bytes_received=int(d["received"]),
            statements=int(d["statements"]),
        )
        return interval

    def close_interval(self) -> Interval:
        """End the current metrics interval, keep it in the history, and start the next."""
        interval = self.current_interval()
        self.usage.history.append(interval)
        self._interval_start, self._interval_base = interval.end, self._counters()
        return interval


class Governor:
    """The CPU scheduler across PDBs, and each PDB's budgets."""

    def __init__(self, slots: int | None = None) -> None:
        # Statement slots: several per CPU, since a statement also waits for its client, the
        # network and the disk; the kernel's CPU weights share the CPUs themselves.
        self.slots = slots or SLOTS_PER_CPU * machine_cpus()
        self.pdbs: dict[int, PdbGovernor] = {}

    def pdb(self, con_id: int, limits: Limits) -> PdbGovernor:
        g = self.pdbs.get(con_id)
        if g is None:
            g = self.pdbs[con_id] = PdbGovernor(con_id, limits)
        elif g.limits is not limits:
            g.update(limits)
        return g

    def forget(self, con_id: int) -> None:
        self.pdbs.pop(con_id, None)

    # ------------------------------------------------------------ CPU: fair-share admission

    def _active(self, now: float) -> list[PdbGovernor]:
        return [
            g for g in self.pdbs.values() if g.running or g.waiting or now - g.last_active < ACTIVE_WINDOW_S
        ]

    def cap(self, g: PdbGovernor, now: float | None = None) -> int:
        """How many statements g may run at once now: its weighted share of the slots among the
        active PDBs, at least CPU_MIN_COUNT (and at least 1: nobody starves), at most
        utilization_limit percent of the slots."""
        now = time.monotonic() if now is None else now
        active = self._active(now)
        if g not in active:
            active.append(g)
        total = sum(a.weight for a in active)
        share = math.floor(self.slots * g.weight / total) if total > 0 else self.slots
        cap = max(1, g.limits.cpu_min_count, share)
        if g.utilization_limit < 100:
            cap = min(cap, max(1, math.floor(self.slots * g.utilization_limit / 100)))
        return cap

    async def admit(self, g: PdbGovernor) -> None:
        """Wait for a statement slot of g; counted as CPU wait when it had to wait."""
        now = time.monotonic()
        g.last_active = now
        g._advance()
        if not g.waiting and g.running < self.cap(g, now):
            g.running += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        g.waiting.append(fut)
        g.usage.throttled_statements += 1
        try:
            await fut
        except BaseException:
            if fut in g.waiting:
                g.waiting.remove(fut)
                g._advance()
            elif fut.done() and not fut.cancelled():
                self.release(g)  # granted as we gave up: hand the slot on
            raise
        finally:
            g.usage.cpu_wait_seconds += time.monotonic() - now

    def release(self, g: PdbGovernor) -> None:
        g._advance()
        g.running -= 1
        g.last_active = time.monotonic()
        g.usage.statements += 1
        self._wake()

    def _wake(self) -> None:
        """Grant slots to waiting PDBs below their cap, the most under-served (running / weight) first."""
        now = time.monotonic()
        while True:
            ready = [g for g in self.pdbs.values() if g.waiting and g.running < self.cap(g, now)]
            if not ready:
                return
            g = min(ready, key=lambda x: (x.running + 1) / x.weight)
            fut = g.waiting.popleft()
            g._advance()
            if fut.done():
                continue
            g.running += 1
            fut.set_result(None)
