"""CPU control groups for engine processes, where the OS offers them: the kernel enforces each
PDB's CPU weight (its plan shares x priority) and its cap (CPU_COUNT, and the plan's
utilization_limit), for every thread of its engine.

cgroup v2 (cpu.weight, cpu.max) or v1 (cpu.shares, cpu.cfs_quota_us). One group per engine under
a group of this server; without a writable cpu controller the engines run without one (their
DuckDB threads, nice value and the proxy's admission scheduler still apply), and the log says so.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("duckcdb.cgroups")

PERIOD_US = 100_000
V1_ROOT = Path("/sys/fs/cgroup/cpu")
V2_ROOT = Path("/sys/fs/cgroup")


class CpuGroups:
    def __init__(self, name: str) -> None:
        self.base: Path | None = None
        self.v2 = False
        for root, v2 in ((V2_ROOT, True), (V1_ROOT, False)):
            if v2 and "cpu" not in _read(root / "cgroup.controllers").split():
                continue
            if not v2 and not (root / "cpu.shares").exists():
                continue
            try:
                _remove_stale(root)
                base = root / name
                base.mkdir(exist_ok=True)
                if v2:
                    _write(root / "cgroup.subtree_control", "+cpu")
                    _write(base / "cgroup.subtree_control", "+cpu")
                self.base, self.v2 = base, v2
                break
            except OSError as e:
                log.info("no CPU control group under %s: %s", root, e)
        if self.base is None:
            log.warning(
                "no writable CPU control groups: CPU shares and caps rest on nice values and admission"
            )

    @property
    def available(self) -> bool:
        return self.base is not None

    def place(self, key: str, pid: int, weight: float, cap_cpus: float | None) -> None:
        """Put the engine (every thread) in its group with its weight and cap (None: no cap)."""
        if self.base is None:
            return
        group = self.base / key
        try:
            group.mkdir(exist_ok=True)
            self.set(key, weight, cap_cpus)
            _write(group / "cgroup.procs", str(pid))
        except OSError as e:
            log.info("engine %s stays outside its CPU group: %s", key, e)

    def set(self, key: str, weight: float, cap_cpus: float | None) -> None:
        if self.base is None:
            return
        group = self.base / key
        try:
            if self.v2:
                _write(group / "cpu.weight", str(max(1, min(10_000, round(weight * 100)))))
                quota = "max" if cap_cpus is None else str(max(1000, round(cap_cpus * PERIOD_US)))
                _write(group / "cpu.max", f"{quota} {PERIOD_US}")
            else:
                _write(group / "cpu.shares", str(max(2, round(weight * 64))))
                _write(group / "cpu.cfs_period_us", str(PERIOD_US))
                quota = -1 if cap_cpus is None else max(1000, round(cap_cpus * PERIOD_US))
                _write(group / "cpu.cfs_quota_us", str(quota))
        except OSError as e:
            log.info("CPU group %s keeps its settings: %s", key, e)

    def remove(self, key: str) -> None:
        if self.base is not None:
            try:
                (self.base / key).rmdir()
            except OSError:
                pass

    def close(self) -> None:
        if self.base is not None:
            _remove_group(self.base)


def _remove_stale(root: Path) -> None:
    """Groups of servers that are gone (killed -9): their engines died with them."""
    for d in root.glob("duckcdb-*"):
        pid = d.name.removeprefix("duckcdb-")
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _remove_group(d)


def _remove_group(d: Path) -> None:
    """A server's group and its engines' groups (the kernel refuses while a process is in one)."""
    for child in d.iterdir():
        if child.is_dir():
            try:
                child.rmdir()
            except OSError:
                pass
    try:
        d.rmdir()
    except OSError:
        pass


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def group_name() -> str:
    return f"duckcdb-{os.getpid()}"
