"""Metering, billing and SLA operations: one function each, called by the SQL (metering.sql), the
dictionary views and the REST API (issue 17). `m` is the server's metering.service.Metering."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from decimal import Decimal
from typing import Any

from metering import billing
from metering.service import METRICS, Metering
from metering.sla import targets_for
from metering.store import utc
from pgwire.errors import DbError

Row = tuple[object, ...]


# ------------------------------------------------------------------ who is billed


def billable(m: Metering) -> dict[str, dict[str, Any]]:
    """Tenants, and PDBs without a tenant (billed as their own), by name: the tier they contract
    (service_tier), the tier billed over time (initial and changes, from the catalog's tier
    history: SET SERVICE TIER of the tenant or the PDB, and auto scaling), and their lifetime."""
    cat = m.cdb.cat
    rank = _tier_rank(m)
    history = cat.tier_history()
    out: dict[str, dict[str, Any]] = {}
    owned = {r[0] for r in cat.db.execute("SELECT con_id FROM tenant_pdbs").fetchall()}
    for c in cat.containers():
        if c.con_id <= 2 or c.con_id in owned or c.name.startswith("TPL$") or c.status == "UNUSABLE":
            continue
        rows = [h for h in history if h[2] == c.guid and h[1] is None]
        initial = rows[0][4] if rows and rows[0][4] else c.tier
        changes = [(utc(h[0]), h[5], _why(h)) for h in rows]
        out[c.name] = {
            "tier": c.tier,
            "initial": initial,
            "changes": changes,
            "contract": (initial, [(w, t) for w, t, _ in changes]),
            "born": utc(c.created_at),
            "died": None,
            "tenant": False,
        }
    for t in cat.tenants():
        died = None
        for e in cat.tenant_events(t.name):
            if e.operation == "DROP":
                died = utc(e.time)
            elif e.operation == "UNDROP":
                died = None
        rows = [h for h in history if h[1] == t.name]
        own = [h for h in rows if h[2] is None]
        initial = own[0][4] if own and own[0][4] else t.tier
        changes = [
            (utc(w), tier, why)
            for w, tier, why in billing.billed_tiers(
                initial, [(h[0], h[2], h[5], _why(h)) for h in rows], rank
            )
        ]
        out[t.name] = {
            "tier": t.tier,
            "initial": initial,
            "changes": changes,
            "contract": (initial, [(utc(h[0]), h[5]) for h in own]),
            "born": utc(t.created_at),
            "died": died,
            "tenant": True,
        }
    return out


def _why(h: tuple[Any, ...]) -> str:
    """A tier change as the invoice names it: its cause, the PDB, what changed."""
    _, _, _, pdb, old, new, cause, detail = h
    text = f"{cause} {old} -> {new}" + (f" ({pdb})" if pdb else "")
    return f"{text}: {detail}" if detail and cause.startswith("AUTO SCALE") else text


def _tier_rank(m: Metering) -> dict[str, Decimal]:
    """Tiers ordered by their base price: the higher billed tier of two is the dearer."""
    return dict(billing.Pricing.from_conf(m.cdb.config.raw).base_monthly)


def base_monthly_price(m: Metering, tier: str) -> Decimal:
    """A tier's base price per month ([billing] base_monthly, the one place prices live)."""
    return billing.Pricing.from_conf(m.cdb.config.raw).base_monthly.get(tier.upper(), Decimal(0))


def _period(text: str) -> billing.Period:
    try:
        return billing.parse_period(text)
    except ValueError as e:
        raise DbError("22007", str(e)) from None


def _require(m: Metering, tenant: str) -> dict[str, Any]:
    who = billable(m).get(tenant.upper())
    if who is None:
        raise DbError("42704", f"ORA-65901: tenant {tenant.upper()} does not exist")
    return who


# ------------------------------------------------------------------ billing


def billing_report(
    m: Metering,
    tenant: str,
    period_text: str,
    *,
    fresh: bool = False,
    with_adjustments: bool = True,
    who: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The invoice of a tenant for a period: frozen when the period is closed (fresh=True
    recomputes it from the records, for adjustments), else computed now."""
    period = _period(period_text)
    name = tenant.upper()
    if not fresh and m.store.is_closed(period.label):
        frozen = m.store.invoice(name, period.label)
        if frozen is not None:
            return frozen
    who = who or _require(m, name)
    pricing = billing.Pricing.from_conf(m.cdb.config.raw)
    alive = (who["born"], who["died"])
    segments = billing.tier_segments(who["initial"], who["changes"], alive, period)
    contract = billing.tier_segments(*who["contract"], alive, period)
    usage = [
        (pdb, metric, month, value)
        for pdb, metric, _unit, month, value in m.store.usage(name, period.start, period.end)
    ]
    uptime = _uptime(m, name, period)
    violations = [
        {
            "type": r[0],
            "severity": r[1],
            "description": r[2],
            "start_time": str(r[3]),
            "end_time": str(r[4]) if r[4] else None,
        }
        for r in m.store.query(
            "SELECT type, severity, description, start_time, end_time FROM sla_violations WHERE tenant = ?"
            " AND type = 'Uptime' AND start_time < ? AND coalesce(end_time, now()::TIMESTAMP) >= ? ORDER BY start_time",
            (name, period.end, period.start),
        )
    ]
    adjustments = _adjustments(m, name, period) if with_adjustments else []
    return billing.compute(
        pricing,
        name,
        period,
        segments,
        usage,
        uptime,
        violations,
        adjustments,
        service_tier=contract[-1][2] if contract else who["tier"],
    )


def _uptime(m: Metering, tenant: str, period: billing.Period) -> float | None:
    (up, judged) = m.store.query(
        "SELECT count(*) FILTER (WHERE ok), count(*) FROM (SELECT minute, bool_and(up) AS ok FROM sla_minutes"
        " WHERE tenant = ? AND NOT excluded AND minute >= ? AND minute < ? GROUP BY minute)",
        (tenant, period.start, period.end),
    )[0]
    return round(100.0 * up / judged, 4) if judged else None


def _adjustments(m: Metering, tenant: str, period: billing.Period) -> list[dict[str, Any]]:
    """Late corrections: the previous month, when closed, recomputed from the records now; a
    difference from its frozen invoice is carried into this period."""
    prev = period.previous_month()
    if prev is None or not m.store.is_closed(prev.label):
        return []
    frozen = m.store.invoice(tenant, prev.label)
    if frozen is None:
        return []
    again = billing_report(m, tenant, prev.label, fresh=True, with_adjustments=False)
    was = Decimal(frozen["total_cost"]) - Decimal(frozen.get("adjustments_total", "0"))
    diff = Decimal(again["total_cost"]) - was
    if not diff:
        return []
    return [{"period": prev.label, "amount": str(diff), "reason": f"late corrections to {prev.label}"}]


def close_period(m: Metering, period_text: str) -> list[dict[str, Any]]:
    """Freeze every invoice of a period that has ended; closing again changes nothing."""
    period = _period(period_text)
    if period.end > utc(time.time()):
        raise DbError(
            "55000", f"period {period.label} has not ended: it cannot be closed before {period.end} UTC"
        )
    if m.store.is_closed(period.label):
        return [m.store.invoice(n, period.label) or {} for n in billable(m)]
    everyone = billable(m)
    reports = [billing_report(m, n, period.label, who=w) for n, w in sorted(everyone.items())]
    m.store.freeze(period.label, reports, utc(time.time()))
    return reports


def export_period(m: Metering, period_text: str, fmt: str) -> str:
    """Every tenant's invoice of a period, as JSON (a list of reports) or CSV (one row per line item)."""
    period = _period(period_text)
    reports = [billing_report(m, n, period.label, who=w) for n, w in sorted(billable(m).items())]
    if fmt.upper() == "JSON":
        return json.dumps(reports, indent=2, sort_keys=True)
    if fmt.upper() != "CSV":
        raise DbError("22023", f"unknown export format {fmt}: CSV or JSON")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "tenant_id",
            "period",
            "service_tier",
            "kind",
            "pdb",
            "metric",
            "quantity",
            "unit_price",
            "amount",
            "currency",
        ]
    )
    for r in reports:
        cur = r["currency"]
        for b in r["base_breakdown"]:
            w.writerow(
                [
                    r["tenant_id"],
                    r["period"],
                    b["service_tier"],
                    "base",
                    "",
                    "",
                    b["fraction_of_month"],
                    "",
                    b["amount"],
                    cur,
                ]
            )
        for li in r["line_items"]:
            w.writerow(
                [
                    r["tenant_id"],
                    r["period"],
                    r["service_tier"],
                    "usage",
                    li["pdb"] or "",
                    li["metric"],
                    li["quantity"],
                    li["unit_price"],
                    li["amount"],
                    cur,
                ]
            )
        if Decimal(r["sla_credit"]):
            w.writerow(
                [
                    r["tenant_id"],
                    r["period"],
                    r["service_tier"],
                    "sla_credit",
                    "",
                    "",
                    "",
                    "",
                    "-" + r["sla_credit"],
                    cur,
                ]
            )
        for a in r["adjustments"]:
            w.writerow(
                [
                    r["tenant_id"],
                    r["period"],
                    r["service_tier"],
                    "adjustment",
                    "",
                    a["period"],
                    "",
                    "",
                    a["amount"],
                    cur,
                ]
            )
        w.writerow(
            [r["tenant_id"], r["period"], r["service_tier"], "total", "", "", "", "", r["total_cost"], cur]
        )
    return buf.getvalue()


def correct_usage(m: Metering, pdb: str, metric: str, value: float, at: dt.datetime) -> None:
    """A late correction of a PDB's usage at a past time (an operator's, or a late report): a
    record of its own; a closed period it falls in keeps its invoice, the next invoice adjusts."""
    from metering.store import Record

    c = m.cdb.find(pdb)
    if c is None:
        raise DbError("42704", f"ORA-65011: pluggable database {pdb.upper()} does not exist")
    if metric not in METRICS:
        raise DbError("22023", f"unknown metric {metric}")
    tenant = m.cdb.cat.tenant_of(c.con_id) or c.name
    m.store.flush([Record(tenant, c.name, c.guid, c.con_id, metric, value, METRICS[metric], at, at)], {})


# ------------------------------------------------------------------ SLA


def sla_status(m: Metering, tenant: str) -> dict[str, Any]:
    """The brief's SLA response: tier, target, current metrics, compliant, open violations."""
    name = tenant.upper()
    who = _require(m, name)
    now = time.time()
    t = targets_for(m.sla.conf, who["tier"])
    cm = m.sla.current_metrics(name, now, m.sla.uptimes(now))
    open_ = [
        {"type": r[0], "severity": r[1], "description": r[2], "start_time": str(r[3])}
        for r in m.store.query(
            "SELECT type, severity, description, start_time FROM sla_violations WHERE tenant = ? AND end_time IS NULL",
            (name,),
        )
    ]
    return {
        "tenant_id": name,
        "service_tier": who["tier"],
        "sla_target": {
            "uptime_percent": t.uptime,
            "max_response_time_ms": t.max_response_ms,
            "p95_response_time_ms": t.p95_ms,
            "p99_response_time_ms": t.p99_ms,
            "max_error_rate_percent": t.max_error_rate,
        },
        "current_metrics": cm,
        "compliant": not open_,
        "violations": open_,
    }


def declare_maintenance(
    m: Metering, tenant: str, start: dt.datetime, end: dt.datetime, reason: str | None
) -> None:
    """A maintenance window declared in advance: its minutes are not judged for uptime."""
    name = tenant.upper()
    _require(m, name)
    now = utc(time.time())
    if start < now:
        raise DbError("22023", "a maintenance window must be declared in advance: it starts in the past")
    if end <= start:
        raise DbError("22023", "a maintenance window must end after it starts")
    m.store.execute("INSERT INTO maintenance_windows VALUES (?, ?, ?, ?, ?)", (name, start, end, reason, now))
    m.load_windows()


# ------------------------------------------------------------------ the views


def _own(m: Metering, con_id: int) -> str | None:
    """The tenant whose rows a container sees: every one in the root (None); a PDB its own."""
    if con_id == 1:
        return None
    c = m.cdb.cat.container_by_id(con_id)
    if c is None:
        return ""
    return m.cdb.cat.tenant_of(con_id) or c.name


def metering_rows(m: Metering, con_id: int) -> list[Row]:
    """Raw intervals of the last view_raw_hours, and the hourly, daily and monthly rollups."""
    pdb = None  # the root sees every PDB's records; a PDB its own
    if con_id != 1:
        c = m.cdb.cat.container_by_id(con_id)
        pdb = c.name if c else ""
    since = utc(time.time() - m.view_raw_hours * 3600)
    flt = "" if pdb is None else " AND pdb = ?"
    args: list[object] = [] if pdb is None else [pdb]
    raw = m.store.query(
        "SELECT tenant, pdb, metric, unit, 'INTERVAL', interval_start, interval_end, value FROM records"
        f" WHERE interval_end >= ?{flt} ORDER BY interval_start, tenant, pdb, metric",
        [since, *args],
    )
    roll = m.store.query(
        "SELECT tenant, pdb, metric, unit, upper(grain), period_start,"
        " period_start + CASE grain WHEN 'hour' THEN INTERVAL 1 HOUR WHEN 'day' THEN INTERVAL 1 DAY"
        " ELSE INTERVAL 1 MONTH END, value FROM rollups WHERE true"
        f"{flt} ORDER BY grain, period_start, tenant, pdb, metric",
        args,
    )
    return [*raw, *roll]


def _billing_row(r: dict[str, Any], status: str) -> Row:
    return (
        r["tenant_id"],
        r["period"],
        status,
        r["service_tier"],
        r["base_cost"],
        r["usage_cost"],
        r["sla_credit"],
        r["adjustments_total"],
        r["total_cost"],
        r["currency"],
        json.dumps(r, sort_keys=True),
    )


def billing_rows(m: Metering, con_id: int) -> list[Row]:
    """Closed periods' frozen invoices, and the current month's invoice so far (OPEN)."""
    own = _own(m, con_id)
    rows: list[Row] = []
    for tenant, report in m.store.query("SELECT tenant, report FROM invoices ORDER BY period, tenant"):
        if own is None or tenant == own:
            rows.append(_billing_row(json.loads(report), "CLOSED"))
    month = utc(time.time()).strftime("%Y-%m")
    if not m.store.is_closed(month):
        for name, who in sorted(billable(m).items()):
            if own is None or name == own:
                rows.append(_billing_row(billing_report(m, name, month, who=who), "OPEN"))
    return rows


def sla_rows(m: Metering, con_id: int) -> list[Row]:
    own = _own(m, con_id)
    rows: list[Row] = []
    for name in sorted(billable(m)):
        if own is not None and name != own:
            continue
        s = sla_status(m, name)
        t, c = s["sla_target"], s["current_metrics"]
        rows.append(
            (
                name,
                s["service_tier"],
                t["uptime_percent"],
                t["max_response_time_ms"],
                t["p95_response_time_ms"],
                t["p99_response_time_ms"],
                t["max_error_rate_percent"],
                c["uptime_percent"],
                c["avg_response_time_ms"],
                c["p50_response_time_ms"],
                c["p95_response_time_ms"],
                c["p99_response_time_ms"],
                c["error_rate_percent"],
                c["statements"],
                "YES" if s["compliant"] else "NO",
                len(s["violations"]),
            )
        )
    return rows


def violation_rows(m: Metering, con_id: int) -> list[Row]:
    own = _own(m, con_id)
    rows = m.store.query(
        "SELECT id, tenant, pdb, type, severity, description, remediation, measured, target, start_time, end_time"
        " FROM sla_violations ORDER BY id"
    )
    return [r for r in rows if own is None or r[1] == own]


VIEWS = {
    "CDB_METERING": metering_rows,
    "DBA_METERING": metering_rows,
    "CDB_BILLING": billing_rows,
    "DBA_BILLING": billing_rows,
    "CDB_SLA": sla_rows,
    "DBA_SLA": sla_rows,
    "CDB_SLA_VIOLATIONS": violation_rows,
    "DBA_SLA_VIOLATIONS": violation_rows,
}
