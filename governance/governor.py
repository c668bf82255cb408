"""Runtime governance: one mechanism per resource, per PDB.

- CPU: each PDB may run as many statements at once as its share of the statement slots
  (SLOTS_PER_CPU per CPU) in proportion to its weight (plan shares x priority) among the PDBs
  active now; at least CPU_MIN_COUNT and at least one (nobody starves), at most the plan's
  utilization_limit. The proxy's Allotter computes the shares as PDBs become active or idle and
  tells each engine its number; the engine's PdbGovernor admits statements against it locally, so
  admitting a statement needs no round trip. A statement beyond the share waits (counted as CPU
  wait). The CPUs themselves are shared by the kernel: each engine's control group has the PDB's
  weight and its CPU_COUNT cap (governance.cgroups), its threads the priority's nice value, and
  DuckDB as many threads as CPU_COUNT.
- I/O: MAX_IOPS and MAX_MBPS are token buckets with a 2-second burst, charged with the physical
  bytes the PDB's engine read and wrote (its /proc io: one engine serves one PDB, so this is the
  PDB's I/O). A bucket in debt delays the PDB's next statements; it never fails them.
- Network: NETWORK_MBPS paces the bytes sent to the PDB's clients (a token bucket too).
Every figure is counted, for V$RSRCPDBMETRIC and SHOW RESOURCES.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from governance.buckets import TokenBucket
from governance.resources import Limits, machine_cpus
from governance.usage import IO_BLOCK, Interval, PdbUsage

# A PDB counts as active (competing for CPU) this long after its last statement.
ACTIVE_WINDOW_S = 1.0
SLOTS_PER_CPU = 4


class PdbGovernor:
    """The live budgets of one PDB, in its engine: its statement slots, buckets and counters.
    Thread-safe: the PDB's sessions run in threads of their own."""

    def __init__(self, limits: Limits, cap: int | None = None) -> None:
        self.limits = limits
        self.io_bytes = TokenBucket(limits.max_mbps * 1e6)
        self.io_ops = TokenBucket(float(limits.max_iops))
        self.network = TokenBucket(limits.network_mbps * 125_000.0)
        self.cap = cap or SLOTS_PER_CPU * machine_cpus()  # set by the proxy (Slots)
        self.running = 0
        self.waiting = 0
        self.last_active = 0.0
        self.active = False
        self.usage = PdbUsage()
        self._cond = threading.Condition()
        self._mark = time.monotonic()  # last time running/waiting integrals were advanced
        self._interval_start = time.time()
        self._interval_base = self._counters()
        self.io_sample: tuple[int, int] | None = None  # the engine's read_bytes, write_bytes last seen
        self.sampled_at = 0.0
        self.cpu_sample: float | None = None
        self.on_active: Callable[[bool], None] | None = None  # told when the PDB starts or stops running

    def update(self, limits: Limits) -> None:
        self.limits = limits
        self.io_bytes.set_rate(limits.max_mbps * 1e6)
        self.io_ops.set_rate(float(limits.max_iops))
        self.network.set_rate(limits.network_mbps * 125_000.0)

    @property
    def utilization_limit(self) -> int:
        return self.limits.utilization_limit

    # ------------------------------------------------------------ CPU: admission against the share

    def set_cap(self, cap: int) -> None:
        with self._cond:
            self.cap = max(1, cap)
            self._cond.notify_all()

    def admit(self, deadline: float | None) -> bool:
        """Take a statement slot, waiting while the PDB runs its share; False when deadline (a
        time.monotonic() value) passed first."""
        now = time.monotonic()
        became_active = False
        with self._cond:
            self._advance(now)
            self.last_active = now
            if not self.active:
                self.active = became_active = True
            if self.running >= self.cap:
                self.waiting += 1
                self.usage.throttled_statements += 1
                try:
                    while self.running >= self.cap:
                        left = None if deadline is None else deadline - time.monotonic()
                        if left is not None and left <= 0:
                            return False
                        self._cond.wait(left)
                finally:
                    self._advance(time.monotonic())
                    self.waiting -= 1
                    self.usage.cpu_wait_seconds += time.monotonic() - now
            self.running += 1
        if became_active and self.on_active is not None:
            self.on_active(True)
        return True

    def release(self, finished: bool = True) -> None:
        """Give the slot back: the statement finished (it is counted), or it waits for
        something else (the write gate) and will admit() again."""
        with self._cond:
            self._advance(time.monotonic())
            self.running -= 1
            self.last_active = time.monotonic()
            if finished:
                self.usage.statements += 1
            if self.waiting:  # (admit() is the only waiter: none waits, none to wake)
                self._cond.notify()

    def idle_check(self) -> None:
        """Tell the proxy the PDB went idle, ACTIVE_WINDOW_S after its last statement."""
        with self._cond:
            idle = (
                self.active
                and not self.running
                and not self.waiting
                and time.monotonic() - self.last_active >= ACTIVE_WINDOW_S
            )
            if idle:
                self.active = False
        if idle and self.on_active is not None:
            self.on_active(False)

    # ------------------------------------------------------------ counters

    def _advance(self, now: float) -> None:
        dt = now - self._mark
        self.usage.running_time += self.running * dt
        self.usage.waiting_time += self.waiting * dt
        self._mark = now

    def count_statements(self, n: int) -> None:
        with self._cond:
            self.usage.statements += n

    def charge_io(self, read: int, written: int) -> None:
        self.usage.bytes_read += read
        self.usage.bytes_written += written
        total = read + written
        if total:
            read_ops, write_ops = math.ceil(read / IO_BLOCK), math.ceil(written / IO_BLOCK)
            self.usage.read_ops += read_ops
            self.usage.write_ops += write_ops
            self.io_bytes.charge(total)
            self.io_ops.charge(read_ops + write_ops)

    def io_delay(self) -> float:
        """Seconds the PDB's next statement waits for its I/O buckets (0 when they are in credit)."""
        return max(self.io_bytes.delay(), self.io_ops.delay())

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
        with self._cond:
            self._advance(time.monotonic())
        now = time.time()
        span = max(now - self._interval_start, 1e-6)
        cur = self._counters()
        d = {k: cur[k] - self._interval_base[k] for k in cur}
        ops = math.ceil(d["read"] / IO_BLOCK) + math.ceil(d["written"] / IO_BLOCK)
        return Interval(
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

    def close_interval(self) -> Interval:
        """End the current metrics interval, keep it in the history, and start the next."""
        interval = self.current_interval()
        self.usage.history.append(interval)
        self._interval_start, self._interval_base = interval.end, self._counters()
        return interval

    def snapshot(self) -> dict[str, Any]:
        """Everything the proxy shows of the PDB (V$RSRCPDBMETRIC, SHOW RESOURCES), JSON-ready."""
        u = self.usage
        buckets = {
            name: {"tokens": b.tokens, "capacity": b.capacity, "rate": b.rate, "throttled": b.throttled,
                   "throttle_time": b.throttle_time}
            for name, b in (("io_bytes", self.io_bytes), ("io_ops", self.io_ops), ("network", self.network))
        }  # fmt: skip
        counters = {k: v for k, v in asdict(u).items() if k != "history"}
        return {
            "current": asdict(self.current_interval()),
            "history": [asdict(i) for i in u.history],
            "usage": counters,
            "running": self.running,
            "waiting": self.waiting,
            "cap": self.cap,
            "buckets": buckets,
        }


@dataclass
class Share:
    """What the Allotter knows of one PDB."""

    weight: float
    cpu_min_count: int
    utilization_limit: int
    active: bool = False
    cap: int = 0


class Allotter:
    """The fair share of statement slots across the open PDBs, in the proxy: recomputed when a
    PDB becomes active or idle, or its limits change; each engine is told its own number."""

    def __init__(self, slots: int | None = None) -> None:
        # Statement slots: several per CPU, since a statement also waits for its client, the
        # network and the disk; the kernel's CPU weights share the CPUs themselves.
        self.slots = slots or SLOTS_PER_CPU * machine_cpus()
        self.pdbs: dict[int, Share] = {}

    def set_limits(self, con_id: int, limits: Limits) -> None:
        old = self.pdbs.get(con_id)
        self.pdbs[con_id] = Share(
            limits.weight, limits.cpu_min_count, limits.utilization_limit, old.active if old else False
        )

    def forget(self, con_id: int) -> None:
        self.pdbs.pop(con_id, None)

    def set_active(self, con_id: int, active: bool) -> None:
        s = self.pdbs.get(con_id)
        if s is not None:
            s.active = active

    def cap(self, con_id: int) -> int:
        """How many statements the PDB may run at once now: its weighted share of the slots among
        the active PDBs (itself counted as active), at least CPU_MIN_COUNT and 1, at most its
        utilization_limit percent of the slots."""
        s = self.pdbs[con_id]
        total = s.weight + sum(o.weight for k, o in self.pdbs.items() if o.active and k != con_id)
        share = math.floor(self.slots * s.weight / total) if total > 0 else self.slots
        cap = max(1, s.cpu_min_count, share)
        if s.utilization_limit < 100:
            cap = min(cap, max(1, math.floor(self.slots * s.utilization_limit / 100)))
        return cap

    def changed(self) -> dict[int, int]:
        """The PDBs whose number of slots changed since they were last told, with the new number."""
        out = {}
        for con_id, s in self.pdbs.items():
            cap = self.cap(con_id)
            if cap != s.cap:
                s.cap = cap
                out[con_id] = cap
        return out
