"""Sampling of an engine process from /proc: its I/O since the last sample is charged to the PDB's
buckets, its CPU time and memory are recorded (one engine is one PDB, so this is the PDB's)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from governance.governor import PdbGovernor

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Statements sample their engine's I/O at most this often (the 1-second sampler does the rest).
SAMPLE_EVERY_S = 0.05


def sample_soon(g: PdbGovernor | None, pid: int | None) -> None:
    """sample(), unless the PDB was sampled in the last SAMPLE_EVERY_S (point queries stay cheap)."""
    if g is not None and time.monotonic() - g.sampled_at >= SAMPLE_EVERY_S:
        sample(g, pid)


def sample(g: PdbGovernor | None, pid: int | None, read_proc: Callable[[str], str] | None = None) -> None:
    """Charge the engine's I/O since the last sample to the PDB's buckets; update CPU and memory."""
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
