"""AUTO SCALING ON: a tenant's PDB that is busy at its CPU cap, or whose statements wait for CPU,
while the machine has spare capacity, gets its CPU_COUNT and SGA_TARGET raised one step at a time
up to a ceiling; after [autoscaling] idle_windows quiet windows they come down a step at a time to
where they started. Every change is a tenant event (CDB_TENANT_EVENTS: AUTO SCALE UP / DOWN) and,
when it moves the PDB's figures into another tier's, a billed tier change (catalog tier_history,
billed_tier), which billing prorates.

Measured as V$RSRCPDBMETRIC measures it: the engine's CPU time and the time its statements waited
for a slot (the PDB governor's counters), over one window of [autoscaling] interval_s; the
machine's spare capacity from /proc/stat. The ceiling of a tier is [autoscaling] ceiling_tier (by
default the next tier's CPU and memory), never above the tenant's quota maximums.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from catalog.cdb import Cdb
from catalog.store import Container, Tenant
from governance import resources
from tenants import quota, states

log = logging.getLogger("duckcdb.autoscale")


@dataclass
class _Sample:
    at: float
    cpu: float  # engine CPU seconds
    wait: float  # seconds statements waited for CPU slots
    quiet: int = 0  # consecutive idle windows


_samples: dict[int, _Sample] = {}
_machine: tuple[float, float] | None = None  # (idle jiffies, total jiffies) at the last round


def _machine_spare() -> float | None:
    """The fraction of the machine's CPU time idle since the last call (None the first time)."""
    global _machine
    try:
        with open("/proc/stat") as f:
            fields = [float(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    idle, total = fields[3] + (fields[4] if len(fields) > 4 else 0), sum(fields)
    prev, _machine = _machine, (idle, total)
    if prev is None or total <= prev[1]:
        return None
    return (idle - prev[0]) / (total - prev[1])


def _setting(cdb: Cdb, key: str) -> object:
    return cdb.config.get("autoscaling", key)


def _base_and_ceiling(cdb: Cdb, t: Tenant, c: Container) -> tuple[tuple[int, int], tuple[int, int]]:
    """((cpu, memory bytes) without autoscaling, (cpu, memory) it may reach)."""
    over = {k: v for k, v in cdb.cat.pdb_parameters(c.con_id).items() if k not in ("CPU_COUNT", "SGA_TARGET")}
    over.update(quota.parameters(t.quota))
    base = resources.effective(cdb.tiers, c.tier, over)
    ceilings = _setting(cdb, "ceiling_tier")
    top_name = ceilings.get(c.tier, c.tier) if isinstance(ceilings, dict) else c.tier
    top = resources.tier_limits(cdb.tiers.get(str(top_name), cdb.tiers[c.tier]))
    cpu_top = min(max(top.cpu_count, base.cpu_count), resources.machine_cpus())
    mem_top = max(top.memory_bytes, base.memory_bytes)
    if "CPU_MAX_PERCENT" in t.quota:
        cpu_top = min(
            cpu_top, int(quota.parameters({"CPU_MAX_PERCENT": t.quota["CPU_MAX_PERCENT"]})["CPU_COUNT"])
        )
    if "MEMORY_MAX_MB" in t.quota:
        mem_top = min(mem_top, t.quota["MEMORY_MAX_MB"] * resources.MiB)
    return (base.cpu_count, base.memory_bytes), (
        max(cpu_top, base.cpu_count),
        max(mem_top, base.memory_bytes),
    )


def billed_tier(cdb: Cdb, tier: str, cpu: int, mem: int) -> str:
    """The tier a PDB scaled to (cpu, memory bytes) is billed at: the smallest tier (by CPU, then
    memory) whose figures cover both, never below its own tier; past the largest, the largest."""
    ladder = sorted(cdb.tiers.values(), key=lambda x: (x.cpu, x.memory_mb))
    own = cdb.tiers.get(tier)
    for x in ladder:
        if own is not None and (x.cpu, x.memory_mb) < (own.cpu, own.memory_mb):
            continue
        if x.cpu >= cpu and x.memory_mb * resources.MiB >= mem:
            return x.name
    return ladder[-1].name if ladder else tier


def _set(cdb: Cdb, t: Tenant, c: Container, cpu: int, mem: int, base: tuple[int, int], why: str) -> None:
    lim = cdb.limits(c)
    with cdb.cat.transaction():
        cdb.cat.set_pdb_parameter(
            c.con_id, "CPU_COUNT", str(cpu) if cpu != base[0] else _quota_value(t, "CPU_COUNT")
        )
        cdb.cat.set_pdb_parameter(
            c.con_id, "SGA_TARGET", str(mem) if mem != base[1] else _quota_value(t, "SGA_TARGET")
        )
        up = cpu > lim.cpu_count or mem > lim.memory_bytes
        what = (
            f"CPU_COUNT {lim.cpu_count} -> {cpu}, SGA_TARGET {lim.memory_bytes // resources.MiB}M"
            f" -> {mem // resources.MiB}M"
        )
        operation = "AUTO SCALE UP" if up else "AUTO SCALE DOWN"
        cdb.cat.add_tenant_event(t.name, "SYS", operation, t.state, t.state, f"{c.name}: {what} ({why})")
        # billing: the PDB is billed at the tier whose figures it now has, from now on
        cdb.cat.record_tier_change(
            t.name,
            c,
            billed_tier(cdb, c.tier, lim.cpu_count, lim.memory_bytes),
            billed_tier(cdb, c.tier, cpu, mem),
            operation,
            "SYS",
            what,
        )
    log.info("auto scaling %s of tenant %s: CPU_COUNT %d -> %d (%s)", c.name, t.name, lim.cpu_count, cpu, why)


def _quota_value(t: Tenant, param: str) -> str | None:
    """The parameter's value from the tenant's quota (None: the tier's)."""
    return quota.parameters(t.quota).get(param)


async def run_once(cdb: Cdb) -> list[str]:
    """One round over the tenants with AUTO SCALING ON; returns the PDBs changed."""
    spare = _machine_spare()
    window = float(_setting(cdb, "interval_s"))
    busy_share = float(_setting(cdb, "busy_percent")) / 100
    min_spare = float(_setting(cdb, "min_spare_percent")) / 100
    idle_windows = int(_setting(cdb, "idle_windows"))  # type: ignore[call-overload]
    step_mem = int(_setting(cdb, "memory_step_mb")) * resources.MiB  # type: ignore[call-overload]
    changed: list[str] = []
    candidates = [
        (t, c)
        for t in cdb.cat.tenants()
        if t.auto_scaling and t.state == states.ACTIVE and not t.pending_op
        for c in cdb.cat.tenant_pdbs(t.name)
        if c.is_open and c.con_id in cdb.runtime.running()
    ]
    await cdb.runtime.refresh_stats([c.con_id for _, c in candidates])
    now = time.monotonic()
    for t, c in candidates:
        snap = cdb.runtime.stats(c.con_id)
        if not snap:
            continue
        u = snap["usage"]
        cur = _Sample(now, float(u["cpu_seconds"]), float(u["cpu_wait_seconds"]))
        prev = _samples.get(c.con_id)
        _samples[c.con_id] = cur
        if prev is None or now - prev.at < window * 0.5:
            if prev is not None:
                _samples[c.con_id] = prev  # too soon: measure over a whole window
            continue
        span = now - prev.at
        used = (cur.cpu - prev.cpu) / span  # CPUs
        waited = (cur.wait - prev.wait) / span
        lim = cdb.limits(c)
        base, top = _base_and_ceiling(cdb, t, c)
        busy = used >= busy_share * lim.cpu_count or waited > 0.05
        if busy and spare is not None and spare >= min_spare:
            cur.quiet = 0
            if lim.cpu_count < top[0] or lim.memory_bytes < top[1]:
                cpu = min(lim.cpu_count + 1, top[0])
                mem = min(lim.memory_bytes + step_mem, top[1])
                why = f"{used:.2f} CPUs used of {lim.cpu_count}, waited {waited:.2f} s/s, machine {spare:.0%} idle"
                _set(cdb, t, c, cpu, mem, base, why)
                changed.append(c.name)
        elif used < 0.05 and waited == 0:
            cur.quiet = prev.quiet + 1
            if cur.quiet >= idle_windows and (lim.cpu_count > base[0] or lim.memory_bytes > base[1]):
                cpu = max(lim.cpu_count - 1, base[0])
                mem = max(lim.memory_bytes - step_mem, base[1])
                _set(cdb, t, c, cpu, mem, base, f"idle for {cur.quiet} windows")
                cur.quiet = 0
                changed.append(c.name)
        else:
            cur.quiet = 0
    for name in set(changed):
        c2 = cdb.find(name)
        if c2 is not None:
            await cdb.runtime.apply_limits(c2)
    return changed


async def loop(cdb: Cdb) -> None:
    interval = float(_setting(cdb, "interval_s"))
    while True:
        await asyncio.sleep(interval)
        try:
            await run_once(cdb)
        except Exception:  # noqa: BLE001 - the next round tries again
            log.exception("auto scaling failed")
