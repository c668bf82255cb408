"""What a PDB used: counters since the server started, and closed one-minute intervals for
V$RSRCPDBMETRIC and its history."""

from __future__ import annotations

import datetime
from collections import deque
from dataclasses import dataclass, field

# DuckDB's block: the unit one I/O operation is counted in.
IO_BLOCK = 256 * 1024
# Length of one metrics interval (V$RSRCPDBMETRIC) and how many are kept (its history view).
INTERVAL_S = 60.0
HISTORY = 60


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

    def metric_row(
        self, con_id: int, name: str, utilization_limit: int, engine_threads: int, oom_count: int
    ) -> tuple[object, ...]:
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
            utilization_limit,
            round(100 * self.cpu_consumed_ms / (span * 1000 * engine_threads), 3),
            round(self.iops, 3),
            round(self.io_mbps, 3),
            0.0,
            round(self.io_throttle_ms / ops, 3) if ops else 0.0,
            self.memory_bytes,
            self.bytes_sent,
            self.bytes_received,
            self.statements,
            oom_count,
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
    read_ops: int = 0  # I/O operations: DuckDB blocks (IO_BLOCK) read and written
    write_ops: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    oom_count: int = 0
    memory_bytes: int = 0  # engine RSS, last sample
    memory_peak: int = 0
    running_time: float = 0.0  # integral of running statements over time (seconds)
    waiting_time: float = 0.0
    history: deque[Interval] = field(default_factory=lambda: deque(maxlen=HISTORY))
