"""Prometheus: the server's metrics in the text exposition format, rendered with prometheus-client
from what the meter already holds (no engine is asked, nothing is read from disk): per PDB and
tenant the metering counters, the statement latency histogram, sessions, governance waits and
throttles, OOM events and engine restarts. Counters count since this proxy started.

render_metrics(metering) -> bytes is the one entry point; the HTTP listener (metering.http now,
the API's listener of issue 17 later) serves it at /metrics.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from governance.meter import LATENCY_BUCKETS
from metering.service import Metering

LABELS = ["tenant", "pdb"]

# (metric name without _total, help, counter key, scale, extra label values)
_COUNTERS: list[tuple[str, str, list[tuple[str, float, dict[str, str]]]]] = [
    (
        "duckcdb_cpu_seconds",
        "CPU time of the PDB's engine and its share of the proxy's",
        [("cpu_time", 1e-6, {})],
    ),
    (
        "duckcdb_io_operations",
        "I/O operations (DuckDB blocks)",
        [("io_read_ops", 1, {"direction": "read"}), ("io_write_ops", 1, {"direction": "write"})],
    ),
    (
        "duckcdb_io_bytes",
        "Bytes read and written by the PDB's engine",
        [("io_read_bytes", 1, {"direction": "read"}), ("io_write_bytes", 1, {"direction": "write"})],
    ),
    (
        "duckcdb_network_bytes",
        "Bytes sent to and received from clients",
        [
            ("network_sent_bytes", 1, {"direction": "sent"}),
            ("network_received_bytes", 1, {"direction": "received"}),
        ],
    ),
    ("duckcdb_connection_seconds", "Session-seconds connected", [("connection_time", 1, {})]),
    ("duckcdb_sessions_opened", "Sessions opened", [("sessions_opened", 1, {})]),
    (
        "duckcdb_transactions",
        "Transactions ended",
        [
            ("transactions_committed", 1, {"outcome": "commit"}),
            ("transactions_rolled_back", 1, {"outcome": "rollback"}),
        ],
    ),
    ("duckcdb_statements", "Statements executed", [("statements", 1, {})]),
    ("duckcdb_statements_failed", "Statements that failed (any error)", [("failed_statements", 1, {})]),
    (
        "duckcdb_server_errors",
        "Statements failed by the server's fault (SQLSTATE 53, 57, 58, XX, server-caused 40001)",
        [("server_errors", 1, {})],
    ),
    ("duckcdb_cpu_wait_seconds", "Time statements waited for a CPU slot", [("cpu_wait", 1, {})]),
    ("duckcdb_throttled_statements", "Statements that waited for a CPU slot", [("throttled", 1, {})]),
    ("duckcdb_io_throttled", "Times statements waited for the I/O token buckets", [("io_throttled", 1, {})]),
    (
        "duckcdb_io_throttle_seconds",
        "Time statements waited for the I/O token buckets",
        [("io_throttle_time", 1, {})],
    ),
    (
        "duckcdb_network_throttled",
        "Times sending waited for the network token bucket",
        [("network_throttled", 1, {})],
    ),
    ("duckcdb_oom_events", "Statements that ran out of memory (53200)", [("oom", 1, {})]),
]


class _Collector:
    def __init__(self, m: Metering) -> None:
        self.m = m

    def collect(self) -> Iterator[Metric]:
        m = self.m
        infos = list(m.info.items())
        for name, help_, parts in _COUNTERS:
            extra = sorted({k for _, _, lab in parts for k in lab})
            fam = CounterMetricFamily(name, help_, labels=[*LABELS, *extra])
            for guid, info in infos:
                tot = m.totals.get(guid, {})
                for key, scale, lab in parts:
                    fam.add_metric(
                        [info.tenant, info.pdb, *(lab[k] for k in extra)], tot.get(key, 0.0) * scale
                    )
            yield fam
        hist = HistogramMetricFamily(
            "duckcdb_statement_duration_seconds",
            "Server-side response time of statements (message received to ReadyForQuery)",
            labels=LABELS,
        )
        bounds = [*(str(b) for b in LATENCY_BUCKETS), "+Inf"]
        for guid, info in infos:
            tot = m.totals.get(guid, {})
            cum, buckets = 0.0, []
            for i, b in enumerate(bounds):
                cum += tot.get(f"lat_b{i}", 0.0)
                buckets.append((b, cum))
            hist.add_metric([info.tenant, info.pdb], buckets, tot.get("latency_sum", 0.0))
        yield hist
        sessions = GaugeMetricFamily("duckcdb_sessions", "Sessions connected now", labels=LABELS)
        storage = GaugeMetricFamily("duckcdb_storage_bytes", "Bytes of the PDB's files", labels=LABELS)
        up = GaugeMetricFamily(
            "duckcdb_pdb_up", "1 when the PDB can serve (open, engine up and reporting)", labels=LABELS
        )
        restarts = CounterMetricFamily(
            "duckcdb_engine_restarts", "Engine restarts after it died", labels=LABELS
        )
        counts: dict[int, int] = getattr(m.runtime, "restarts", {})
        for _guid, info in infos:
            lab = [info.tenant, info.pdb]
            sessions.add_metric(lab, info.sessions_now)
            storage.add_metric(lab, info.storage_bytes)
            up.add_metric(lab, 1.0 if info.serving else 0.0)
            restarts.add_metric(lab, counts.get(info.con_id, 0))
        yield sessions
        yield storage
        yield up
        yield restarts
        flushes = CounterMetricFamily("duckcdb_metering_flushes", "Metering intervals written")
        flushes.add_metric([], m.flushes)
        yield flushes


def render_metrics(m: Any) -> bytes:
    """The Prometheus text exposition of the server's metrics (m: metering.service.Metering)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(m))  # type: ignore[arg-type]
    return generate_latest(registry)


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
