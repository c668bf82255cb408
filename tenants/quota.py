"""Tenant quotas: the brief's quota body mapped onto the PDB parameters (the one mapping), and the
guarantees (minimums) summed over all tenants against the machine.

A quota applies to each PDB of the tenant. Maximums become the PDB's own parameters (over its
tier); minimums are guarantees: CPU_MIN_PERCENT becomes CPU_MIN_COUNT (rounded up: a guarantee is
never rounded away), MEMORY_MIN_MB, MIN_IOPS and MIN_MBPS are kept on the tenant (no engine
parameter reserves them) and counted against the machine. CPU_SHARES has no PDB parameter either
(shares come from the tier or a CDB plan directive): it is kept on the tenant and shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from governance import resources
from pgwire.oracle import ora

# quota key -> (PDB parameter or None, how the figure becomes the parameter's canonical value)
MAPPING: dict[str, tuple[str | None, Callable[[int], str] | None]] = {
    "CPU_MIN_PERCENT": ("CPU_MIN_COUNT", lambda pct: str(math.ceil(pct * resources.machine_cpus() / 100))),
    "CPU_MAX_PERCENT": (
        "CPU_COUNT",
        lambda pct: str(max(1, math.ceil(pct * resources.machine_cpus() / 100))),
    ),
    "CPU_SHARES": (None, None),
    "MEMORY_MIN_MB": (None, None),
    "MEMORY_MAX_MB": ("SGA_TARGET", lambda mb: str(mb * resources.MiB)),
    "MIN_IOPS": (None, None),
    "MAX_IOPS": ("MAX_IOPS", str),
    "MIN_MBPS": (None, None),
    "MAX_MBPS": ("MAX_MBPS", str),
}
_PERCENT = ("CPU_MIN_PERCENT", "CPU_MAX_PERCENT")


def validate(quota: dict[str, int]) -> dict[str, int]:
    """The quota's keys and figures checked (ORA-65913); returns it with upper-case keys."""
    out: dict[str, int] = {}
    for key, value in quota.items():
        k = key.upper()
        if k not in MAPPING:
            raise ora(65913, name=key, reason=f"known: {', '.join(MAPPING)}")
        if value < 0:
            raise ora(65913, name=k, reason="must not be negative")
        if k in _PERCENT and value > 100:
            raise ora(65913, name=k, reason="a percentage of the machine's CPUs, at most 100")
        out[k] = value
    for lo, hi in (
        ("CPU_MIN_PERCENT", "CPU_MAX_PERCENT"),
        ("MEMORY_MIN_MB", "MEMORY_MAX_MB"),
        ("MIN_IOPS", "MAX_IOPS"),
        ("MIN_MBPS", "MAX_MBPS"),
    ):
        if out.get(hi) and out.get(lo, 0) > out[hi]:
            raise ora(65913, name=lo, reason=f"{lo} ({out[lo]}) exceeds {hi} ({out[hi]})")
    return out


def parameters(quota: dict[str, int]) -> dict[str, str]:
    """The PDB parameters a quota sets (canonical values, as ALTER SYSTEM SET stores them)."""
    out: dict[str, str] = {}
    for key, value in quota.items():
        param, convert = MAPPING[key]
        if param is not None and convert is not None:
            out[param] = convert(value)
    return out


@dataclass(frozen=True)
class Need:
    """What one PDB is guaranteed."""

    cpus: int
    memory_bytes: int
    iops: int
    mbps: int


def need(tiers: dict[str, resources.Tier], tier: str, own: dict[str, str], quota: dict[str, int]) -> Need:
    """A PDB's guarantees: its CPU_MIN_COUNT (tier, own parameters, quota) and the quota's minimums."""
    over = {**own, **parameters(quota)}
    lim = resources.effective(tiers, tier, over)
    return Need(
        lim.cpu_min_count,
        quota.get("MEMORY_MIN_MB", 0) * resources.MiB,
        quota.get("MIN_IOPS", 0),
        quota.get("MIN_MBPS", 0),
    )


@dataclass(frozen=True)
class Machine:
    cpus: int
    memory_bytes: int
    iops: int  # 0: not limited (not configured)
    mbps: int


def over_machine(needs: list[Need], machine: Machine) -> list[str]:
    """What the sum of the guarantees exceeds, and by how much; empty when it all fits."""
    total = Need(
        sum(n.cpus for n in needs),
        sum(n.memory_bytes for n in needs),
        sum(n.iops for n in needs),
        sum(n.mbps for n in needs),
    )
    out = []
    if total.cpus > machine.cpus:
        out.append(
            f"CPU: {total.cpus} CPUs guaranteed on a {machine.cpus}-CPU machine,"
            f" {total.cpus - machine.cpus} CPU(s) too many"
        )
    if total.memory_bytes > machine.memory_bytes:
        over = math.ceil((total.memory_bytes - machine.memory_bytes) / resources.MiB)
        out.append(
            f"memory: {total.memory_bytes // resources.MiB} MB guaranteed of"
            f" {machine.memory_bytes // resources.MiB} MB, {over} MB too many"
        )
    if machine.iops and total.iops > machine.iops:
        out.append(f"IOPS: {total.iops} guaranteed of {machine.iops}, {total.iops - machine.iops} too many")
    if machine.mbps and total.mbps > machine.mbps:
        out.append(
            f"I/O MB/s: {total.mbps} guaranteed of {machine.mbps}, {total.mbps - machine.mbps} too many"
        )
    return out
