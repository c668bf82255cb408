"""Service tiers and PDB resource parameters: the one place that says what each budget is.

A PDB's effective limits are its service tier's figures (conf/tiers.toml), overridden by the
parameters set in the PDB with ALTER SYSTEM SET (stored per container in the catalog). Every
enforcement point (engine limits, session admission, timeouts, buckets) reads `Limits`.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from conf import CONF_DIR
from pgcompat.params import TIME_PATTERN, TIME_UNITS_MS

MiB = 1 << 20
GiB = 1 << 30

# Resource-manager priorities: weight in the fair-share scheduler (and the engines' CPU control
# groups), and OS nice of the engine. Nice only ever lowers the low priorities: an engine must not
# wait behind the proxy and the clients it serves (a point query crosses all three), and the
# weights already rank the PDBs among themselves.
PRIORITIES: dict[str, tuple[float, int]] = {
    "CRITICAL": (8.0, 0),
    "HIGH": (4.0, 0),
    "MEDIUM": (2.0, 0),
    "LOW": (1.0, 4),
    "BESTEFFORT": (0.5, 10),
}
# The smallest memory limit an engine can work with (DuckDB needs room for its catalog and buffers).
MIN_MEMORY = 64 * MiB


@dataclass(frozen=True)
class Tier:
    name: str
    cpu: int
    cpu_min: int
    priority: str
    shares: int
    memory_mb: int
    storage_gb: int
    temp_gb: int
    iops: int
    io_mbps: int
    network_mbps: int
    sessions: int
    statement_timeout_ms: int
    idle_session_timeout_ms: int
    idle_in_transaction_timeout_ms: int
    parallel_degree_limit: int
    max_result_mb: int


def load_tiers(path: Path | None = None) -> dict[str, Tier]:
    """The tiers of conf/tiers.toml by upper-case name; a tier missing a key is a startup error."""
    with open(path or CONF_DIR / "tiers.toml", "rb") as f:
        raw = tomllib.load(f)
    names = {f.name for f in fields(Tier)} - {"name"}
    tiers: dict[str, Tier] = {}
    for name, vals in raw.items():
        missing = names - set(vals)
        unknown = set(vals) - names
        if missing or unknown:
            raise ValueError(f"tiers.toml [{name}]: missing {sorted(missing)}, unknown {sorted(unknown)}")
        vals = dict(vals)
        vals["priority"] = _priority(str(vals["priority"]))
        tiers[name.upper()] = Tier(name=name.upper(), **vals)
    return tiers


# The keys of a tier (conf/tiers.toml), and the least each may be (priority is a name).
TIER_MINIMUMS: dict[str, int] = {
    "cpu": 1, "cpu_min": 0, "shares": 1, "memory_mb": MIN_MEMORY // MiB, "storage_gb": 0, "temp_gb": 0,
    "iops": 0, "io_mbps": 0, "network_mbps": 0, "sessions": 1, "statement_timeout_ms": 0,
    "idle_session_timeout_ms": 0, "idle_in_transaction_timeout_ms": 0, "parallel_degree_limit": 0,
    "max_result_mb": 0,
}  # fmt: skip
# The most each may be: ALTER SERVICE TIER's bound and the API's (REST and GraphQL take theirs
# from here).
TIER_MAXIMUMS: dict[str, int] = {
    "cpu": 4096, "cpu_min": 4096, "shares": 1_000_000, "memory_mb": 1 << 40, "storage_gb": 1 << 30,
    "temp_gb": 1 << 30, "iops": 1 << 40, "io_mbps": 1 << 40, "network_mbps": 1 << 40,
    "sessions": 1_000_000, "statement_timeout_ms": 1 << 40, "idle_session_timeout_ms": 1 << 40,
    "idle_in_transaction_timeout_ms": 1 << 40, "parallel_degree_limit": 4096, "max_result_mb": 1 << 40,
}  # fmt: skip
TIER_KEYS = ("priority", *TIER_MINIMUMS)
# The priorities as the API and the error messages spell them (any case is read).
PRIORITY_NAMES = ("Critical", "High", "Medium", "Low", "BestEffort")


def tier_value(key: str, value: object) -> int | str:
    """One figure of a tier, checked (InvalidValue says why): a whole number at least the key's
    minimum, or a priority name."""
    if key not in TIER_KEYS:
        raise InvalidValue(f"{key} is not a service tier figure (one of {', '.join(TIER_KEYS)})")
    if key == "priority":
        try:
            return _priority(str(value))
        except ValueError as e:
            raise InvalidValue(str(e)) from None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidValue(f"{key} must be a whole number")
    text = str(value).strip()
    if not text.isdigit():
        raise InvalidValue(f"{key} must be a whole number, not {value}")
    n = int(text)
    if n < TIER_MINIMUMS[key]:
        raise InvalidValue(f"{key} must be at least {TIER_MINIMUMS[key]}")
    if n > TIER_MAXIMUMS[key]:
        raise InvalidValue(f"{key} must be at most {TIER_MAXIMUMS[key]}")
    return n


def with_overrides(tiers: dict[str, Tier], overrides: dict[str, dict[str, object]]) -> dict[str, Tier]:
    """The file's tiers with the figures changed at runtime over them (tiers the file no longer
    has are ignored)."""
    out = dict(tiers)
    for name, changes in overrides.items():
        if name in out:
            out[name] = replace(out[name], **{k: tier_value(k, v) for k, v in changes.items()})
    return out


def check_tier(t: Tier) -> None:
    """A tier's figures must be possible together on this machine (InvalidValue says why)."""
    if t.cpu_min > t.cpu:
        raise InvalidValue(f"cpu_min ({t.cpu_min}) cannot exceed cpu ({t.cpu})")
    check_consistent(tier_limits(t))


def _priority(text: str) -> str:
    p = text.upper().replace("_", "").replace(" ", "")
    if p not in PRIORITIES:
        raise ValueError(f"unknown priority {text}: one of {', '.join(PRIORITY_NAMES)}")
    return p


@dataclass(frozen=True)
class Parameter:
    """One PDB resource parameter: how ALTER SYSTEM SET reads it and which Limits field it sets."""

    name: str
    kind: str  # count, bytes, ms, minutes, tier, priority
    field: str  # the Limits field
    description: str
    minimum: int = 0
    unlimited_zero: bool = False  # 0 (or UNLIMITED) means no limit


PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("DB_PERFORMANCE_PROFILE", "tier", "tier", "service tier of the PDB"),
        Parameter("CPU_COUNT", "count", "cpu_count", "CPU cap: engine threads and CPU share", 1),
        Parameter("CPU_MIN_COUNT", "count", "cpu_min_count", "CPUs guaranteed under contention"),
        Parameter("RESOURCE_PRIORITY", "priority", "priority", "CPU scheduling priority"),
        Parameter("SGA_TARGET", "bytes", "memory_bytes", "memory limit of the PDB's engine", MIN_MEMORY),
        Parameter("MAX_IOPS", "count", "max_iops", "I/O operations per second", 0, True),
        Parameter("MAX_MBPS", "count", "max_mbps", "I/O megabytes per second", 0, True),
        Parameter("NETWORK_MBPS", "count", "network_mbps", "megabits per second to clients", 0, True),
        Parameter("SESSIONS", "count", "sessions", "concurrent sessions (ORA-00018 beyond)", 1),
        Parameter("MAX_PDB_STORAGE", "bytes", "max_pdb_storage", "size of the PDB's files", 0, True),
        Parameter("MAX_SHARED_TEMP_SIZE", "bytes", "max_shared_temp_size", "spill space", 0, True),
        Parameter("STATEMENT_TIMEOUT", "ms", "statement_timeout_ms", "longest statement (57014)", 0, True),
        Parameter("IDLE_SESSION_TIMEOUT", "ms", "idle_session_timeout_ms", "idle session (57P05)", 0, True),
        Parameter(
            "IDLE_IN_TRANSACTION_SESSION_TIMEOUT",
            "ms",
            "idle_in_transaction_timeout_ms",
            "idle in an open transaction (25P03)",
            0,
            True,
        ),
        Parameter(
            "PARALLEL_DEGREE_LIMIT", "count", "parallel_degree_limit", "threads per statement", 0, True
        ),
        Parameter("MAX_RESULT_SIZE", "bytes", "max_result_bytes", "largest result of a statement", 0, True),
    )
}
# Oracle's other names for the same figures; Oracle's idle limits count minutes.
ALIASES: dict[str, tuple[str, str | None]] = {
    "PGA_AGGREGATE_LIMIT": ("SGA_TARGET", None),
    "MEMORY_TARGET": ("SGA_TARGET", None),
    "MAX_IDLE_TIME": ("IDLE_SESSION_TIMEOUT", "minutes"),
    "MAX_IDLE_BLOCKER_TIME": ("IDLE_IN_TRANSACTION_SESSION_TIMEOUT", "minutes"),
}


def lookup(name: str) -> tuple[Parameter, str] | None:
    """The parameter a name means and the unit its plain numbers are in."""
    key = name.upper()
    if key in ALIASES:
        target, unit = ALIASES[key]
        p = PARAMETERS[target]
        return p, unit or p.kind
    p = PARAMETERS.get(key)
    return (p, p.kind) if p is not None else None


class InvalidValue(ValueError):
    """A value a parameter cannot take; the message says why."""


_SIZE = re.compile(r"^\s*(\d+)\s*([KMGTP]?)(?:I?B)?\s*$", re.I)
_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": MiB, "G": GiB, "T": 1 << 40, "P": 1 << 50}


def parse_value(p: Parameter, unit: str, text: str, tiers: dict[str, Tier]) -> str:
    """The canonical stored text of a value (bytes, ms, a count, a tier or priority name)."""
    raw = text.strip()
    if p.kind == "tier":
        t = raw.upper()
        if t not in tiers:
            raise InvalidValue(f"service tier {raw} does not exist (tiers: {', '.join(sorted(tiers))})")
        return t
    if p.kind == "priority":
        try:
            return _priority(raw)
        except ValueError as e:
            raise InvalidValue(str(e)) from None
    if raw.upper() == "UNLIMITED" and p.unlimited_zero:
        return "0"
    if unit == "bytes":
        m = _SIZE.match(raw)
        if not m:
            raise InvalidValue(f"{raw} is not a size (a number with K, M, G or T)")
        n = int(m.group(1)) * _SIZE_UNITS[m.group(2).upper()]
    elif unit in ("ms", "minutes"):
        m = TIME_PATTERN.match(raw)
        if not m:
            raise InvalidValue(f"{raw} is not a duration (a number with ms, s, min, h or d)")
        default_unit = "min" if unit == "minutes" else "ms"
        n = int(m.group(1)) * TIME_UNITS_MS[(m.group(2) or default_unit).lower()]
    else:
        if not raw.isdigit():
            raise InvalidValue(f"{raw} is not a whole number")
        n = int(raw)
    if n == 0 and p.unlimited_zero:
        return "0"
    if n < p.minimum:
        raise InvalidValue(f"{p.name} must be at least {_show(p, p.minimum)}")
    return str(n)


def tightest(*limits_ms: int) -> int:
    """The smallest limit that is set (0 = unlimited for each, and for the result)."""
    return min((x for x in limits_ms if x > 0), default=0)


def machine_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


@dataclass(frozen=True)
class Limits:
    """The budgets a PDB runs within; 0 means unlimited where a parameter allows it."""

    tier: str
    cpu_count: int
    cpu_min_count: int
    priority: str
    shares: int
    memory_bytes: int
    max_iops: int
    max_mbps: int
    network_mbps: int
    sessions: int
    max_pdb_storage: int
    max_shared_temp_size: int
    statement_timeout_ms: int
    idle_session_timeout_ms: int
    idle_in_transaction_timeout_ms: int
    parallel_degree_limit: int
    max_result_bytes: int
    # From the CDB resource plan in force (percent): a hard cap on the PDB's share of the CPU
    # slots, and the part of its threads parallel work may use.
    utilization_limit: int = 100
    parallel_server_limit: int = 100

    @property
    def engine_threads(self) -> int:
        """DuckDB threads: CPU_COUNT, capped by the degree limit, the plan's parallel_server_limit
        and the machine's cores."""
        n = min(self.cpu_count, machine_cpus())
        if self.parallel_degree_limit:
            n = min(n, self.parallel_degree_limit)
        n = math.ceil(n * self.parallel_server_limit / 100)
        return max(1, n)

    @property
    def cpu_cap(self) -> float | None:
        """CPUs the PDB may use at most (CPU_COUNT, and the plan's utilization_limit of the
        machine); None when that is the whole machine."""
        cpus = machine_cpus()
        cap = min(float(self.cpu_count), cpus * self.utilization_limit / 100)
        return None if cap >= cpus else cap

    @property
    def weight(self) -> float:
        """Fair-share weight: the plan's shares times the priority's weight."""
        return self.shares * PRIORITIES[self.priority][0]

    @property
    def nice(self) -> int:
        return PRIORITIES[self.priority][1]

    def value(self, p: Parameter) -> int | str:
        return getattr(self, p.field)


def tier_limits(t: Tier) -> Limits:
    return Limits(
        tier=t.name,
        cpu_count=t.cpu,
        cpu_min_count=t.cpu_min,
        priority=t.priority,
        shares=t.shares,
        memory_bytes=t.memory_mb * MiB,
        max_iops=t.iops,
        max_mbps=t.io_mbps,
        network_mbps=t.network_mbps,
        sessions=t.sessions,
        max_pdb_storage=t.storage_gb * GiB,
        max_shared_temp_size=t.temp_gb * GiB,
        statement_timeout_ms=t.statement_timeout_ms,
        idle_session_timeout_ms=t.idle_session_timeout_ms,
        idle_in_transaction_timeout_ms=t.idle_in_transaction_timeout_ms,
        parallel_degree_limit=t.parallel_degree_limit,
        max_result_bytes=t.max_result_mb * MiB,
    )


@dataclass(frozen=True)
class Directive:
    """A CDB plan directive's figures for one PDB; None keeps the tier's (shares) or 100 percent."""

    shares: int | None = None
    utilization_limit: int | None = None
    parallel_server_limit: int | None = None


def effective(
    tiers: dict[str, Tier], tier: str, overrides: dict[str, str], plan: Directive | None = None
) -> Limits:
    """The tier's limits with the PDB's own parameters (name -> canonical text) and its directive in
    the CDB resource plan in force over them."""
    name = overrides.get("DB_PERFORMANCE_PROFILE", tier)
    base = tier_limits(tiers[name] if name in tiers else tiers[tier])
    values: dict[str, int | str] = {}
    for pname, text in overrides.items():
        p = PARAMETERS.get(pname)
        if p is None or p.kind == "tier":
            continue
        values[p.field] = text if p.kind == "priority" else int(text)
    if plan is not None:
        for key in ("shares", "utilization_limit", "parallel_server_limit"):
            if getattr(plan, key) is not None:
                values[key] = getattr(plan, key)
    return Limits(**{**base.__dict__, **values})


def check_consistent(lim: Limits) -> None:
    """Refuse combinations no engine could honour (Oracle would accept them and ignore them)."""
    if lim.cpu_min_count > lim.cpu_count:
        raise InvalidValue(f"CPU_MIN_COUNT ({lim.cpu_min_count}) cannot exceed CPU_COUNT ({lim.cpu_count})")
    if lim.cpu_min_count > machine_cpus():
        raise InvalidValue(
            f"CPU_MIN_COUNT ({lim.cpu_min_count}) cannot be guaranteed on {machine_cpus()} CPUs"
        )
    if lim.memory_bytes > machine_memory():
        raise InvalidValue(
            f"SGA_TARGET ({_show_bytes(lim.memory_bytes)}) exceeds the machine's memory"
            f" ({_show_bytes(machine_memory())})"
        )


def _show_bytes(n: int) -> str:
    for unit, size in (("G", GiB), ("M", MiB), ("K", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def _show(p: Parameter, n: int) -> str:
    if p.kind == "bytes":
        return _show_bytes(n)
    if p.kind == "ms":
        return f"{n}ms"
    return str(n)


def show_value(p: Parameter, value: int | str) -> str:
    """A value as SHOW PARAMETER prints it."""
    if isinstance(value, str):
        return value
    if value == 0 and p.unlimited_zero:
        return "0" if p.kind != "bytes" else "UNLIMITED"
    return _show(p, value)
