"""The metering store: <data_dir>/metering.duckdb, owned by the root (the proxy is its one writer).

A DuckDB file because what is asked of it is analytics: sums of a metric per tenant, PDB and
period over millions of narrow rows, which a columnar engine answers in milliseconds and which an
operator can query with SQL (DuckDB's CLI or any client, on a copy or read-only while the server
is down). The catalog stays in SQLite (many small transactional updates); metering is append-only
and aggregated, and lives apart so that its volume never slows the catalog.

Tables: records (raw intervals, keyed by PDB GUID, metric and interval start), rollups (hour, day,
month; added in the same transaction as the raw records they sum), baselines (per PDB, the
engine's cumulative counters already metered), storage_marks (per PDB, the time up to which its
storage is metered and the size last sampled: the restart accrues the outage from there), sla_minutes, sla_violations, maintenance_windows,
invoices (frozen, per closed period), corrections. Every write is one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    tenant VARCHAR, pdb VARCHAR, pdb_guid VARCHAR, con_id INTEGER, metric VARCHAR, value DOUBLE,
    unit VARCHAR, interval_start TIMESTAMP, interval_end TIMESTAMP,
    PRIMARY KEY (pdb_guid, metric, interval_start));
CREATE TABLE IF NOT EXISTS rollups (
    grain VARCHAR, period_start TIMESTAMP, tenant VARCHAR, pdb VARCHAR, pdb_guid VARCHAR,
    metric VARCHAR, unit VARCHAR, value DOUBLE,
    PRIMARY KEY (grain, period_start, pdb_guid, metric, tenant));
CREATE TABLE IF NOT EXISTS baselines (
    pdb_guid VARCHAR PRIMARY KEY, engine_pid INTEGER, counters VARCHAR, through TIMESTAMP);
CREATE TABLE IF NOT EXISTS sla_minutes (
    pdb_guid VARCHAR, tenant VARCHAR, pdb VARCHAR, minute TIMESTAMP, minute_s INTEGER, up BOOLEAN,
    excluded BOOLEAN, cycles BIGINT, server_errors BIGINT, sketch VARCHAR,
    PRIMARY KEY (pdb_guid, minute));
CREATE SEQUENCE IF NOT EXISTS violation_ids;
CREATE TABLE IF NOT EXISTS sla_violations (
    id BIGINT PRIMARY KEY, tenant VARCHAR, pdb VARCHAR, type VARCHAR, severity VARCHAR,
    description VARCHAR, remediation VARCHAR, measured DOUBLE, target DOUBLE,
    start_time TIMESTAMP, end_time TIMESTAMP);
CREATE TABLE IF NOT EXISTS maintenance_windows (
    tenant VARCHAR, start_time TIMESTAMP, end_time TIMESTAMP, reason VARCHAR, declared_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS invoices (
    tenant VARCHAR, period VARCHAR, closed_at TIMESTAMP, report VARCHAR, PRIMARY KEY (tenant, period));
CREATE TABLE IF NOT EXISTS closed_periods (period VARCHAR PRIMARY KEY, closed_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS storage_marks (
    pdb_guid VARCHAR PRIMARY KEY, through DOUBLE, bytes BIGINT);
"""

GRAINS = ("hour", "day", "month")


@dataclass(frozen=True)
class Record:
    tenant: str
    pdb: str
    pdb_guid: str
    con_id: int
    metric: str
    value: float
    unit: str
    start: dt.datetime
    end: dt.datetime


def utc(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)


class MeterStore:
    """One DuckDB connection behind a lock; callers run it off the event loop (asyncio.to_thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = duckdb.connect(str(path))
        self.lock = threading.Lock()
        with self.lock:
            self.db.execute(SCHEMA)

    def close(self) -> None:
        with self.lock:
            self.db.close()

    # ------------------------------------------------------------ metering

    def flush(
        self,
        records: list[Record],
        baselines: dict[str, tuple[int, dict[str, float]]],
        marks: dict[str, tuple[float, int]] | None = None,
    ) -> int:
        """Write an interval's records, their rollups, the baselines they were measured against and
        the storage marks (PDB -> (epoch up to which storage is metered, bytes)), in one transaction. Records whose key (PDB, metric, interval start) is already stored are
        skipped with their rollups: writing an interval twice never counts it twice. Returns how
        many records were new."""
        with self.lock:
            db = self.db
            db.execute("BEGIN TRANSACTION")
            try:
                db.execute("CREATE OR REPLACE TEMP TABLE new_recs AS SELECT * FROM records WHERE false")
                if records:
                    db.executemany(
                        "INSERT INTO new_recs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            (r.tenant, r.pdb, r.pdb_guid, r.con_id, r.metric, r.value, r.unit, r.start, r.end)
                            for r in records
                        ],
                    )
                db.execute(
                    "DELETE FROM new_recs n WHERE EXISTS (SELECT 1 FROM records r WHERE r.pdb_guid = n.pdb_guid"
                    " AND r.metric = n.metric AND r.interval_start = n.interval_start)"
                )
                (new,) = db.execute("SELECT count(*) FROM new_recs").fetchone() or (0,)
                db.execute("INSERT INTO records SELECT * FROM new_recs")
                for grain in GRAINS:
                    db.execute(
                        f"INSERT INTO rollups SELECT '{grain}', date_trunc('{grain}', interval_start), tenant,"
                        " any_value(pdb), pdb_guid, metric, any_value(unit), sum(value) FROM new_recs"
                        f" GROUP BY date_trunc('{grain}', interval_start), tenant, pdb_guid, metric"
                        " ON CONFLICT DO UPDATE SET value = rollups.value + excluded.value, pdb = excluded.pdb"
                    )
                for guid, (pid, counters) in baselines.items():
                    db.execute(
                        "INSERT OR REPLACE INTO baselines VALUES (?, ?, ?, now())",
                        (guid, pid, json.dumps(counters)),
                    )
                for guid, (through, size) in (marks or {}).items():
                    db.execute("INSERT OR REPLACE INTO storage_marks VALUES (?, ?, ?)", (guid, through, size))
                db.execute("DROP TABLE new_recs")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return int(new)

    def baselines(self) -> dict[str, tuple[int, dict[str, float]]]:
        with self.lock:
            rows = self.db.execute("SELECT pdb_guid, engine_pid, counters FROM baselines").fetchall()
        return {g: (int(p), json.loads(c)) for g, p, c in rows}

    def storage_marks(self) -> dict[str, tuple[float, int]]:
        """PDB GUID -> (epoch up to which its storage is metered, bytes last sampled). A store
        written before the marks existed: the end of the PDB's last storage record (size unknown)."""
        with self.lock:
            rows = self.db.execute(
                "SELECT pdb_guid, through, bytes FROM storage_marks UNION ALL"
                " SELECT pdb_guid, epoch(max(interval_end)), NULL FROM records WHERE metric = 'storage'"
                " AND pdb_guid NOT IN (SELECT pdb_guid FROM storage_marks) GROUP BY pdb_guid"
            ).fetchall()
        return {g: (float(t), int(b or 0)) for g, t, b in rows}

    def purge_raw(self, before: dt.datetime) -> int:
        with self.lock:
            rows = self.db.execute(
                "DELETE FROM records WHERE interval_end < ? RETURNING 1", (before,)
            ).fetchall()
        return len(rows)

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return self.db.execute(sql, list(params)).fetchall()

    def execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        with self.lock:
            self.db.execute(sql, list(params))

    def usage_of(
        self, tenants: list[str], start: dt.datetime, end: dt.datetime
    ) -> dict[str, list[tuple[str, str, dt.datetime, float]]]:
        """Tenants' usage in [start, end) from the hourly rollups, in one query: per tenant, (pdb,
        metric, month of the hour, value) summed per PDB, metric and calendar month."""
        out: dict[str, list[tuple[str, str, dt.datetime, float]]] = {}
        for t, pdb, metric, month, value in self.query(
            "SELECT tenant, pdb, metric, date_trunc('month', period_start) AS m, sum(value) FROM rollups"
            " WHERE grain = 'hour' AND tenant IN (SELECT unnest(?::VARCHAR[])) AND period_start >= ?"
            " AND period_start < ? GROUP BY tenant, pdb, metric, m ORDER BY tenant, pdb, metric, m",
            (tenants, start, end),
        ):
            out.setdefault(t, []).append((pdb, metric, month, value))
        return out

    # ------------------------------------------------------------ SLA

    def add_minutes(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with self.lock:
            self.db.executemany(
                "INSERT INTO sla_minutes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows
            )

    def open_violation(self, tenant: str, type_: str) -> tuple[Any, ...] | None:
        rows = self.query(
            "SELECT id, severity FROM sla_violations WHERE tenant = ? AND type = ? AND end_time IS NULL",
            (tenant, type_),
        )
        return rows[0] if rows else None

    def add_violation(
        self,
        tenant: str,
        pdb: str,
        type_: str,
        severity: str,
        description: str,
        remediation: str,
        measured: float,
        target: float,
        start: dt.datetime,
    ) -> None:
        self.execute(
            "INSERT INTO sla_violations VALUES (nextval('violation_ids'), ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (tenant, pdb, type_, severity, description, remediation, measured, target, start),
        )

    def raise_violation(self, vid: int, severity: str, description: str, measured: float) -> None:
        """An open violation grew: its severity raised, its description and measure the latest."""
        self.execute(
            "UPDATE sla_violations SET severity = ?, description = ?, measured = ? WHERE id = ?",
            (severity, description, measured, vid),
        )

    def end_violation(self, vid: int, end: dt.datetime) -> None:
        self.execute("UPDATE sla_violations SET end_time = ? WHERE id = ?", (end, vid))

    # ------------------------------------------------------------ billing

    def invoice(self, tenant: str, period: str) -> dict[str, Any] | None:
        rows = self.query("SELECT report FROM invoices WHERE tenant = ? AND period = ?", (tenant, period))
        return json.loads(rows[0][0]) if rows else None

    def invoices(self, period: str) -> dict[str, dict[str, Any]]:
        """A closed period's frozen invoices, by tenant."""
        rows = self.query("SELECT tenant, report FROM invoices WHERE period = ? ORDER BY tenant", (period,))
        return {t: json.loads(r) for t, r in rows}

    def is_closed(self, period: str) -> bool:
        return bool(self.query("SELECT 1 FROM closed_periods WHERE period = ?", (period,)))

    def freeze(self, period: str, reports: list[dict[str, Any]], closed_at: dt.datetime) -> None:
        """Store a period's invoices and mark it closed, in one transaction; invoices already
        frozen stay as they are."""
        with self.lock:
            db = self.db
            db.execute("BEGIN TRANSACTION")
            try:
                for r in reports:
                    db.execute(
                        "INSERT INTO invoices VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        (r["tenant_id"], period, closed_at, json.dumps(r, sort_keys=True)),
                    )
                db.execute(
                    "INSERT INTO closed_periods VALUES (?, ?) ON CONFLICT DO NOTHING", (period, closed_at)
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
