"""Metering in the proxy: the engines' cumulative counters (their snapshot every second, see
worker.engine and governance.meter) turned into per-interval usage, written in batches to the
metering store (metering.store) off the event loop.

Exactness: each PDB's counters are kept with the engine pid they came from (a baseline). A delta is
the counters minus the baseline of the same engine; a new engine (restart) starts from zero. Each
flush writes the interval's records and the baselines they were measured against in one
transaction, so after a restart of the proxy (kill -9 included) the adopted engines' counters are
metered from exactly where the last flush stopped: nothing is counted twice, and what an engine
counted after the last flush is only lost if the engine died too (at most the interval in progress).
Records are keyed by (PDB GUID, metric, interval start): writing one twice keeps the first.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from catalog.cdb import Cdb
from governance.meter import LATENCY_BUCKETS
from metering.store import MeterStore, Record, utc
from policies.source import SEED_ID

log = logging.getLogger("duckcdb.metering")

# The metered metrics and their units (records, CDB_METERING, billing).
METRICS: dict[str, str] = {
    "cpu_time": "microseconds",
    "io_read_ops": "operations",
    "io_write_ops": "operations",
    "io_read_bytes": "bytes",
    "io_write_bytes": "bytes",
    "storage": "byte-seconds",
    "network_sent_bytes": "bytes",
    "network_received_bytes": "bytes",
    "connection_time": "session-seconds",
    "sessions_opened": "sessions",
    "transactions_committed": "transactions",
    "transactions_rolled_back": "transactions",
    "statements": "statements",
    "failed_statements": "statements",
}
# Counted as the metrics are, for the SLA and Prometheus, never billed.
_EXTRA = (
    "cycles",
    "server_errors",
    "latency_sum",
    "cpu_wait",
    "throttled",
    "io_throttled",
    "io_throttle_time",
    "network_throttled",
    "oom",
    *(f"lat_b{i}" for i in range(len(LATENCY_BUCKETS) + 1)),
)
STALE_S = 3.0  # an engine silent this long cannot serve (the SLA's "could serve")


def counters_of(snap: dict[str, Any]) -> dict[str, float]:
    """The cumulative counters of an engine's snapshot, by metric."""
    u = snap.get("usage", {})
    m = snap.get("meter") or {}
    b = snap.get("buckets", {})
    out = {
        "cpu_time": round(float(u.get("cpu_seconds", 0.0)) * 1e6),
        "io_read_ops": u.get("read_ops", 0),
        "io_write_ops": u.get("write_ops", 0),
        "io_read_bytes": u.get("bytes_read", 0),
        "io_write_bytes": u.get("bytes_written", 0),
        "network_sent_bytes": u.get("bytes_sent", 0),
        "network_received_bytes": u.get("bytes_received", 0),
        "connection_time": float(m.get("session_seconds", 0.0)),
        "sessions_opened": m.get("sessions_opened", 0),
        "transactions_committed": m.get("commits", 0),
        "transactions_rolled_back": m.get("rollbacks", 0),
        "statements": u.get("statements", 0),
        "failed_statements": m.get("failed", 0),
        "cycles": m.get("cycles", 0),
        "server_errors": m.get("server_errors", 0),
        "latency_sum": float(m.get("latency_sum", 0.0)),
        "cpu_wait": float(u.get("cpu_wait_seconds", 0.0)),
        "throttled": u.get("throttled_statements", 0),
        "io_throttled": b.get("io_bytes", {}).get("throttled", 0) + b.get("io_ops", {}).get("throttled", 0),
        "io_throttle_time": b.get("io_bytes", {}).get("throttle_time", 0.0)
        + b.get("io_ops", {}).get("throttle_time", 0.0),
        "network_throttled": b.get("network", {}).get("throttled", 0),
        "oom": u.get("oom_count", 0),
    }
    for i, n in enumerate(m.get("buckets", ())):
        out[f"lat_b{i}"] = n
    return {k: float(v) for k, v in out.items()}


def metered(c: Any) -> bool:
    """Whether a container is metered: a PDB (not the root or the seed) in use, not a template's copy."""
    return c.con_id > SEED_ID and c.status not in ("UNPLUGGED", "UNUSABLE") and not c.name.startswith("TPL$")


def storage_bytes(cdb: Cdb, c: Any) -> int:
    """The bytes of a PDB's files now: its DuckDB file and its WAL."""
    try:
        f = cdb.db_file(c)
        size = f.stat().st_size
        with contextlib.suppress(OSError):
            size += f.with_name("data.duckdb.wal").stat().st_size
    except OSError:
        size = 0
    return size


def storage_sizes(cdb: Cdb) -> dict[str, int]:
    """Every metered PDB's bytes now, by GUID (the server measures them at start, before any
    engine runs: the sizes the files had while the server was down)."""
    return {c.guid: storage_bytes(cdb, c) for c in cdb.cat.containers() if metered(c)}


def hour_pieces(start: float, end: float) -> list[tuple[float, float]]:
    """[start, end) cut at the clock's hours (the rollups' and billing's finest grain)."""
    out = []
    cur = start
    while cur < end:
        nxt = min(end, (cur // 3600 + 1) * 3600)
        out.append((cur, nxt))
        cur = nxt
    return out


def month_to_close(now: float, grace_s: float) -> str:
    """The latest calendar month that ended at least grace_s before now ('YYYY-MM', UTC)."""
    cutoff = utc(now - grace_s)
    return (cutoff.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


@dataclass
class PdbInfo:
    tenant: str  # the owning tenant, or the PDB's own name when it has none
    pdb: str
    con_id: int
    tier: str
    has_tenant: bool
    storage_bytes: int = 0
    sessions_now: int = 0
    serving: bool = False


class Metering:
    """The proxy's meter: started by the server (proxy.server), ticking every second."""

    def __init__(self, cdb: Cdb, runtime: Any, sizes_at_start: dict[str, int] | None = None) -> None:
        self.cdb = cdb
        self.runtime = runtime  # catalog.runtime.Runtime (the supervisor)
        conf = cdb.config.raw.get("metering", {})
        self.interval = float(conf.get("interval_s", 60))
        self.retention_days = float(conf.get("raw_retention_days", 35))
        self.view_raw_hours = float(conf.get("view_raw_hours", 24))
        self.store = MeterStore(cdb.data_dir / "metering.duckdb")
        self.base = self.store.baselines()
        self.pending: dict[str, dict[str, float]] = {}
        self.totals: dict[str, dict[str, float]] = {}  # since this proxy started (Prometheus)
        self.info: dict[str, PdbInfo] = {}
        now = time.time()
        # The first interval starts where the last one written ended (an orderly stop writes the
        # interval in progress up to the stop), else at the clock's last boundary.
        (last_end,) = self.store.query("SELECT epoch(max(interval_end)) FROM records")[0]
        self.start = max(now // self.interval * self.interval, float(last_end or 0))
        if self.accrue_outage(now, storage_sizes(cdb) if sizes_at_start is None else sizes_at_start):
            # the outage's storage records end now: the first interval starts now (never on one of them)
            self.start = max(now, float(last_end or 0))
        self.last_tick = now
        self._proxy_cpu = sum(os.times()[:2])
        self._tick_cycles = {}
        self.flushes = 0
        self._flushing: asyncio.Task[None] | None = None
        # [billing] auto_close_after_hours: the previous month is closed this long after it ended
        hours = cdb.config.raw.get("billing", {}).get("auto_close_after_hours", 1)
        self.auto_close_after = None if hours is False or float(hours) < 0 else float(hours) * 3600
        self._close_checked = 0.0
        self.store_windows: dict[str, list[tuple[float, float]]] = {}
        self.load_windows()
        from metering.sla import SlaMonitor  # the SLA rides on the same ticks

        self.sla = SlaMonitor(self)

    def accrue_outage(self, now: float, sizes: dict[str, int]) -> int:
        """Storage while the server was down: each PDB's files existed from the time its storage was
        last metered (its mark) until now, at the size measured at this start before any engine ran
        (nothing writes a PDB's files while the server is down, so that is the size they had; the
        last sample may be up to an interval older than a crash). Written with the new marks in one
        transaction: a second restart starts from this one, never counting the outage twice.
        Returns how many PDBs had an outage to accrue."""
        marks = self.store.storage_marks()
        owner = dict(self.cdb.cat.db.execute("SELECT con_id, tenant FROM tenant_pdbs").fetchall())
        records: list[Record] = []
        new_marks: dict[str, tuple[float, int]] = {}
        for c in self.cdb.cat.containers():
            if not metered(c) or c.guid not in marks or c.guid not in sizes:
                continue
            through, _last = marks[c.guid]
            if now - through < 0.001:
                continue
            size = sizes[c.guid]
            tenant = owner.get(c.con_id) or c.name
            for s, e in hour_pieces(through, now):
                if size:
                    records.append(
                        Record(
                            tenant,
                            c.name,
                            c.guid,
                            c.con_id,
                            "storage",
                            size * (e - s),
                            METRICS["storage"],
                            utc(s),
                            utc(e),
                        )
                    )
            new_marks[c.guid] = (now, size)
        if new_marks:
            self.store.flush(records, {}, new_marks)
            log.info(
                "metering: storage of %d PDB(s) accrued over the time the server was down", len(new_marks)
            )
        return len(new_marks)

    def load_windows(self) -> None:
        """The declared maintenance windows not yet over, per tenant."""
        rows = self.store.query(
            "SELECT tenant, epoch(start_time), epoch(end_time) FROM maintenance_windows"
            " WHERE end_time > now()::TIMESTAMP"
        )
        out: dict[str, list[tuple[float, float]]] = {}
        for t, s, e in rows:
            out.setdefault(t, []).append((float(s), float(e)))
        self.store_windows = out

    # ------------------------------------------------------------ ticks

    def tick(self, now: float | None = None) -> None:
        """Account every PDB's counters since the last tick, and sample storage and availability."""
        now = time.time() if now is None else now
        span = max(0.0, now - self.last_tick)
        self.last_tick = now
        cat = self.cdb.cat
        tenants = {t.name: t for t in cat.tenants()}
        owner = dict(cat.db.execute("SELECT con_id, tenant FROM tenant_pdbs").fetchall())
        running = set(self.runtime.running())
        seen = set()
        self._tick_cycles: dict[str, float] = {}
        for c in cat.containers():
            if not metered(c):
                continue
            seen.add(c.guid)
            t = owner.get(c.con_id)
            info = self.info.get(c.guid)
            tier = tenants[t].tier if t in tenants else c.tier
            if info is None or info.tenant != (t or c.name) or info.pdb != c.name:
                info = self.info[c.guid] = PdbInfo(t or c.name, c.name, c.con_id, tier, t is not None)
            info.tier, info.con_id = tier, c.con_id
            size = storage_bytes(self.cdb, c)
            info.storage_bytes = size
            pend = self.pending.setdefault(c.guid, {})
            pend["storage"] = pend.get("storage", 0.0) + size * span
            snap = self.runtime.stats(c.con_id) if c.con_id in running else None
            fresh = False
            if snap and "pid" in snap:
                if "_metered_at" not in snap:  # a snapshot not seen yet (the engine sends one a second)
                    snap["_metered_at"] = now
                    self._account(c.guid, snap, pend, now)
                fresh = now - snap["_metered_at"] < STALE_S
                info.sessions_now = int((snap.get("meter") or {}).get("sessions_now", 0))
            else:
                fresh = c.con_id in running  # started, not reported yet
                info.sessions_now = 0
            tenant = tenants.get(t) if t else None
            state = tenant.state if tenant else None
            # could serve: open (not RESTRICTED: logins refused), its engine up and reporting, and
            # accepting logins (a MIGRATING tenant's are refused: declare a window for a planned move)
            info.serving = (
                c.is_open
                and not c.restricted
                and c.con_id in running
                and fresh
                and self.runtime.serving(c.con_id)
                and state != "MIGRATING"
            )
            if tenant is not None and tenant.pending_op:
                state = "PROVISIONING"  # being created or dropped: not judged
            elif tenant is None and not c.is_open:
                state = "CLOSED"  # a PDB of no tenant is judged only while its operator keeps it open
            died = self.runtime.deaths.get(c.con_id) if hasattr(self.runtime, "deaths") else None
            self.sla.observe(c.guid, info, state, now, died)
        for gone in set(self.info) - seen:
            self.info.pop(gone, None)
        self._proxy_share()

    def _proxy_share(self) -> None:
        """The proxy's own CPU time since the last tick (logins, container commands, dictionary
        views, metering) shared among the PDBs in proportion to their statement cycles and logins
        in the tick; time when no PDB was active is the container's own."""
        t = os.times()
        cpu = t.user + t.system
        spent, self._proxy_cpu = cpu - self._proxy_cpu, cpu
        work = sum(self._tick_cycles.values())
        if spent <= 0 or not work:
            return
        for guid, n in self._tick_cycles.items():
            if n:
                us = round(spent * 1e6 * n / work)
                self.pending.setdefault(guid, {})["cpu_time"] = (
                    self.pending.get(guid, {}).get("cpu_time", 0.0) + us
                )
                tot = self.totals.setdefault(guid, {})
                tot["cpu_time"] = tot.get("cpu_time", 0.0) + us

    def _account(self, guid: str, snap: dict[str, Any], pend: dict[str, float], now: float) -> None:
        cur = counters_of(snap)
        pid = int(snap["pid"])
        base = self.base.get(guid)
        prev: dict[str, float] = {}
        if base is not None and base[0] == pid and all(cur[k] >= base[1].get(k, 0.0) for k in cur):
            prev = base[1]
        tot = self.totals.setdefault(guid, {})
        deltas = {}
        for k, v in cur.items():
            d = v - prev.get(k, 0.0)
            if d:
                deltas[k] = d
                tot[k] = tot.get(k, 0.0) + d
                if k in METRICS:
                    pend[k] = pend.get(k, 0.0) + d
        self.base[guid] = (pid, cur)
        self._tick_cycles[guid] = deltas.get("cycles", 0.0) + deltas.get("sessions_opened", 0.0)
        self.sla.account(guid, deltas, (snap.get("meter") or {}).get("sketches") or {}, now)

    def _end(self) -> float:
        """The end of the interval in progress: the clock's next boundary after its start."""
        return (self.start // self.interval + 1) * self.interval

    def due(self, now: float) -> bool:
        return now >= self._end()

    def take_interval(
        self, now: float, partial: bool = False
    ) -> tuple[list[Record], dict[str, tuple[int, dict[str, float]]], dict[str, tuple[float, int]]]:
        """The closed interval's records, the baselines they were measured against and the storage
        marks (storage is accrued up to the last tick); the next interval starts (aligned to the
        clock). partial: the interval ends now (an orderly stop)."""
        end_s = now if partial else self._end()
        start, end = utc(self.start), utc(end_s)
        records = []
        for guid, pend in self.pending.items():
            info = self.info.get(guid)
            if info is None:
                continue
            for metric, unit in METRICS.items():
                v = pend.get(metric, 0.0)
                if v:
                    records.append(
                        Record(info.tenant, info.pdb, guid, info.con_id, metric, v, unit, start, end)
                    )
        baselines = {g: self.base[g] for g in self.pending if g in self.base}
        marks = {g: (self.last_tick, info.storage_bytes) for g, info in self.info.items()}
        self.pending = {}
        self.start = max(end_s, now // self.interval * self.interval)
        return records, baselines, marks

    async def flush(self, now: float) -> None:
        records, baselines, marks = self.take_interval(now)
        try:
            await asyncio.to_thread(self.store.flush, records, baselines, marks)
            self.flushes += 1
        except Exception:  # the store failing must not stop the server; the interval is lost
            log.exception("metering: writing an interval failed")
        if self.flushes % 60 == 1:
            cutoff = utc(now - self.retention_days * 86400)
            await asyncio.to_thread(self.store.purge_raw, cutoff)

    async def loop(self) -> None:
        step = min(1.0, self.interval)
        while True:
            await asyncio.sleep(step - (time.time() % step) + 0.01)
            now = time.time()
            try:
                self.tick(now)
                await self.sla.minute_tick(now)
                if self.due(now):
                    await self.flush(now)
                if self.auto_close_after is not None and now - self._close_checked >= 60:
                    self._close_checked = now
                    self.auto_close(now)
            except asyncio.CancelledError:
                raise
            except Exception:  # a metering bug must never stop the server
                log.exception("metering tick failed")

    def auto_close(self, now: float) -> str | None:
        """Close the previous calendar month once it ended auto_close_after ago (late intervals
        and corrections have come in by then); older months are the operator's to close. On the
        loop, as the SQL's ALTER SYSTEM CLOSE BILLING PERIOD: it reads the catalog."""
        assert self.auto_close_after is not None
        label = month_to_close(now, self.auto_close_after)
        if self.store.is_closed(label):
            return None
        from metering import ops  # ops builds on this module

        reports = ops.close_period(self, label)
        log.info("billing period %s closed automatically: %d invoice(s) frozen", label, len(reports))
        return label

    async def close(self) -> None:
        """An orderly stop: the interval in progress is written (as a shorter interval)."""
        now = time.time()
        with contextlib.suppress(Exception):
            self.tick(now)
            records, baselines, marks = self.take_interval(now, partial=True)
            await asyncio.to_thread(self.store.flush, records, baselines, marks)
        self.store.close()
