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
import datetime
import math
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from governance.resources import Limits, machine_cpus

BURST_S = 2.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# A PDB counts as active (competing for CPU) this long after its last statement.
ACTIVE_WINDOW_S = 1.0
# DuckDB's block: the unit one I/O operation is counted in.
IO_BLOCK = 256 * 1024
SLOTS_PER_CPU = 4
# Statements sample their engine's I/O at most this often (the 1-second sampler does the rest).
SAMPLE_EVERY_S = 0.05
# Length of one metrics interval (V$RSRCPDBMETRIC) and how many are kept (its history view).
INTERVAL_S = 60.0
HISTORY = 60


class TokenBucket:
    """rate units per second, capacity rate x BURST_S; charges may run it into debt, which the next
    caller waits out. A rate of 0 is unlimited."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate * BURST_S
        self.last = time.monotonic()
        self.throttled = 0  # waits imposed
        self.throttle_time = 0.0  # seconds waited

    def set_rate(self, rate: float) -> None:
        self._refill()
        self.rate = rate
        self.tokens = min(self.tokens, rate * BURST_S)

    @property
    def capacity(self) -> float:
        return self.rate * BURST_S

    def _refill(self) -> None:
        now = time.monotonic()
        if self.rate > 0:
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now

    def charge(self, amount: float) -> None:
        if self.rate > 0:
            self._refill()
            self.tokens -= amount

    def delay(self) -> float:
        """Seconds to wait before the bucket is out of debt (0 when it is not)."""
        if self.rate <= 0:
            return 0.0
        self._refill()
        return -self.tokens / self.rate if self.tokens < 0 else 0.0

    async def wait(self) -> None:
        d = self.delay()
        if d > 0:
            self.throttled += 1
            self.throttle_time += d
            await asyncio.sleep(d)


@dataclass
class Interval:
    """One closed metrics interval of a PDB."""

    begin: float
    end: float
    cpu_consumed_ms: float
    cpu_wait_ms: float
    avg_running: float
    avg_waiting: float
    iops: float
    io_mbps: float
    io_throttle_ms: float
    memory_bytes: int
    bytes_sent: int
    bytes_received: int
    statements: int

    def metric_row(self, con_id: int, name: str, g: PdbGovernor) -> tuple[object, ...]:
        """The interval as a row of V$RSRCPDBMETRIC (dictionary.RSRC_METRIC_COLUMNS)."""
        span = max(self.end - self.begin, 1e-6)
        ops = self.iops * span
        return (
            _utc(self.begin),
            _utc(self.end),
            round(span * 100),
            con_id,
            name,
            round(self.cpu_consumed_ms, 3),
            round(self.cpu_wait_ms, 3),
            round(self.avg_running, 4),
            round(self.avg_waiting, 4),
            g.utilization_limit,
            round(100 * self.cpu_consumed_ms / (span * 1000 * g.limits.engine_threads), 3),
            round(self.iops, 3),
            round(self.io_mbps, 3),
            0.0,
            round(self.io_throttle_ms / ops, 3) if ops else 0.0,
            self.memory_bytes,
            self.bytes_sent,
            self.bytes_received,
            self.statements,
            g.usage.oom_count,
        )


def _utc(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).replace(tzinfo=None)


@dataclass
class PdbUsage:
    """Counters of one PDB since the proxy started (and the open interval's starting point)."""

    statements: int = 0
    cpu_seconds: float = 0.0  # engine CPU time (utime + stime)
    cpu_wait_seconds: float = 0.0  # time statements waited for a slot
    throttled_statements: int = 0
    bytes_read: int = 0
    bytes_written: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    oom_count: int = 0
    memory_bytes: int = 0  # engine RSS, last sample
    memory_peak: int = 0
    running_time: float = 0.0  # integral of running statements over time (seconds)
    waiting_time: float = 0.0
    history: deque[Interval] = field(default_factory=lambda: deque(maxlen=HISTORY))


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

    # ------------------------------------------------------------ sampling of the engines

    def sample_soon(self, con_id: int, pid: int | None) -> None:
        """sample(), unless the PDB was sampled in the last SAMPLE_EVERY_S (point queries stay cheap)."""
        g = self.pdbs.get(con_id)
        now = time.monotonic()
        if g is not None and now - g.sampled_at >= SAMPLE_EVERY_S:
            self.sample(con_id, pid)

    def sample(self, con_id: int, pid: int | None, read_proc: Callable[[str], str] | None = None) -> None:
        """Charge the engine's I/O since the last sample to the PDB's buckets; update CPU and memory."""
        g = self.pdbs.get(con_id)
        if g is None or pid is None:
            return
        read = read_proc or _read_proc
        g.sampled_at = time.monotonic()
        try:
            io = _fields(read(f"/proc/{pid}/io"))
            stat = read(f"/proc/{pid}/stat")
            status = _fields(read(f"/proc/{pid}/status"))
        except OSError:
            return
        rb, wb = int(io.get("read_bytes", 0)), int(io.get("write_bytes", 0))
        if g.io_sample is not None and g.io_sample[0] <= rb and g.io_sample[1] <= wb:
            g.charge_io(rb - g.io_sample[0], wb - g.io_sample[1])
        g.io_sample = (rb, wb)
        parts = stat.rsplit(")", 1)[1].split()
        cpu = (int(parts[11]) + int(parts[12])) / _CLOCK_TICKS
        if g.cpu_sample is not None and cpu >= g.cpu_sample:
            g.usage.cpu_seconds += cpu - g.cpu_sample
        g.cpu_sample = cpu
        rss = int(status.get("VmRSS", "0 kB").split()[0]) * 1024
        g.usage.memory_bytes = rss
        g.usage.memory_peak = max(g.usage.memory_peak, rss)


def _read_proc(path: str) -> str:
    with open(path) as f:
        return f.read()


def _fields(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition(":")
        out[k.strip()] = v.strip()
    return out
