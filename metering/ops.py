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
from policies.source import ROOT_ID

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
        rows = [h for h in history if h[2] == c.guid and h[1] is None and h[6] != "DROP"]
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
                initial, [(h[0], h[2], None if h[6] == "DROP" else h[5], _why(h)) for h in rows], rank
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
    _dropped_pdbs(m, history, out)
    return out


def _dropped_pdbs(m: Metering, history: list[tuple[Any, ...]], out: dict[str, dict[str, Any]]) -> None:
    """PDBs without a tenant that were dropped: billed from their creation until their DROP (a
    name a live PDB or tenant has again is that one's)."""
    live = {c.guid for c in m.cdb.cat.containers()}
    born: dict[str, float] = {}
    for e in m.cdb.cat.history():
        if e.operation in ("CREATE", "CLONE", "PLUG", "RESTORE"):
            born.setdefault(e.guid, e.op_time)
    for h in history:
        when, tenant, guid, pdb, _old, tier, cause, _detail = h
        if cause != "DROP" or tenant is not None or guid in live or guid not in born or pdb in out:
            continue
        rows = [x for x in history if x[2] == guid and x[1] is None and x[6] != "DROP"]
        initial = rows[0][4] if rows and rows[0][4] else tier
        changes = [(utc(x[0]), x[5], _why(x)) for x in rows]
        out[pdb] = {
            "tier": tier,
            "initial": initial,
            "changes": changes,
            "contract": (initial, [(w, t) for w, t, _ in changes]),
            "born": utc(born[guid]),
            "died": utc(when),
            "tenant": False,
            "dropped": True,
        }


def _current(everyone: dict[str, dict[str, Any]]) -> list[str]:
    """The billable names that exist now (not dropped PDBs), sorted."""
    return sorted(n for n, w in everyone.items() if not w.get("dropped"))


def _why(h: tuple[Any, ...]) -> str:
    """A tier change as the invoice names it: its cause, the PDB, what changed."""
    _, _, _, pdb, old, new, cause, detail = h
    if cause == "DROP":
        return f"DROP PLUGGABLE DATABASE {pdb}"
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
    except (ValueError, OverflowError) as e:  # OverflowError: a day past year 9999
        raise DbError("22007", str(e)) from None


def _require(m: Metering, tenant: str) -> dict[str, Any]:
    who = billable(m).get(tenant.upper())
    if who is None:
        raise DbError("42704", f"ORA-65901: tenant {tenant.upper()} does not exist")
    return who


# ------------------------------------------------------------------ billing


def billing_report(m: Metering, tenant: str, period_text: str) -> dict[str, Any]:
    """The invoice of a tenant (or a PDB without one) for a period: frozen when the period is
    closed, else computed now (SHOW BILLING FOR TENANT, GET /tenants/{id}/billing)."""
    name = tenant.upper()
    got = billing_reports(m, [name], period_text)
    if name not in got:
        _require(m, name)  # ORA-65901 for a name that bills nothing
    return got[name]


def billing_reports(
    m: Metering,
    names: list[str] | None,
    period_text: str,
    *,
    fresh: bool = False,
    with_adjustments: bool = True,
    everyone: dict[str, dict[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """The invoices of many tenants for one period, in a handful of queries whatever their number
    (the API's lists and GraphQL batch through here; billing_report is one of them). names None:
    every billable one. A closed period's invoices are the frozen ones (fresh=True recomputes them
    from the records, for adjustments); names that bill nothing are left out."""
    period = _period(period_text)
    out: dict[str, dict[str, Any]] = {}
    closed = not fresh and m.store.is_closed(period.label)
    if closed:
        frozen = m.store.invoices(period.label)
        out = {n: r for n, r in frozen.items() if names is None or n in names}
        if names is None:
            return out  # the period's invoices: those frozen at its close
        # billed after the close (a tenant born since): computed once, then frozen like the rest
        names = [n for n in names if n not in out]
    everyone = everyone if everyone is not None else billable(m)
    if names is None:  # a dropped PDB is in the invoices of the periods it lived in only
        names = [
            n
            for n, w in everyone.items()
            if not w.get("dropped") or (w["born"] < period.end and w["died"] > period.start)
        ]
    todo = sorted(n for n in names if n in everyone)
    if not todo:
        return out
    pricing = billing.Pricing.from_conf(m.cdb.config.raw)
    usage = m.store.usage_of(todo, period.start, period.end)
    uptimes = _uptimes(m, todo, period)
    violations: dict[str, list[dict[str, Any]]] = {}
    for t, type_, sev, desc, start, end in m.store.query(
        "SELECT tenant, type, severity, description, start_time, end_time FROM sla_violations"
        " WHERE tenant IN (SELECT unnest(?::VARCHAR[])) AND type = 'Uptime' AND start_time < ?"
        " AND coalesce(end_time, now()::TIMESTAMP) >= ? ORDER BY start_time",
        (todo, period.end, period.start),
    ):
        violations.setdefault(t, []).append(
            {
                "type": type_,
                "severity": sev,
                "description": desc,
                "start_time": str(start),
                "end_time": str(end) if end else None,
            }
        )
    adjustments = _adjustments(m, todo, period, everyone) if with_adjustments else {}
    for name in todo:
        who = everyone[name]
        alive = (who["born"], who["died"])
        segments = billing.tier_segments(who["initial"], who["changes"], alive, period)
        contract = billing.tier_segments(*who["contract"], alive, period)
        out[name] = billing.compute(
            pricing,
            name,
            period,
            segments,
            usage.get(name, []),
            uptimes.get(name),
            violations.get(name, []),
            adjustments.get(name, []),
            service_tier=contract[-1][2] if contract else who["tier"],
        )
    if closed:
        m.store.freeze(period.label, [out[n] for n in todo], utc(time.time()))
    return out


def _uptimes(m: Metering, names: list[str], period: billing.Period) -> dict[str, float]:
    """Per tenant, the share of the period's judged minutes in which all its PDBs could serve."""
    rows = m.store.query(
        "SELECT tenant, count(*) FILTER (WHERE ok), count(*) FROM (SELECT tenant, minute, bool_and(up) AS ok"
        " FROM sla_minutes WHERE tenant IN (SELECT unnest(?::VARCHAR[])) AND NOT excluded AND minute >= ?"
        " AND minute < ? GROUP BY tenant, minute) GROUP BY tenant",
        (names, period.start, period.end),
    )
    return {t: round(100.0 * up / judged, 4) for t, up, judged in rows if judged}


def _adjustments(
    m: Metering, names: list[str], period: billing.Period, everyone: dict[str, dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Late corrections: the previous month, when closed, recomputed from the records now; a
    difference from its frozen invoice is carried into this period."""
    prev = period.previous_month()
    if prev is None or not m.store.is_closed(prev.label):
        return {}
    frozen = {n: r for n, r in m.store.invoices(prev.label).items() if n in names}
    again = billing_reports(
        m, list(frozen), prev.label, fresh=True, with_adjustments=False, everyone=everyone
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for name, was_report in frozen.items():
        if name not in again:
            continue
        was = Decimal(was_report["total_cost"]) - Decimal(was_report.get("adjustments_total", "0"))
        diff = Decimal(again[name]["total_cost"]) - was
        if diff:
            out[name] = [
                {"period": prev.label, "amount": str(diff), "reason": f"late corrections to {prev.label}"}
            ]
    return out


def require_billing_admin(m: Metering, user: Any) -> None:
    """Who may close periods, export every tenant's invoices, declare windows and correct usage:
    SYS or a SYSDBA in the root (the SQL and the API ask here)."""
    if not (user.name == "SYS" and user.common) and not m.cdb.cat.has_privilege(user, ROOT_ID, "SYSDBA"):
        raise DbError("42501", "ORA-01031: insufficient privileges")


def close_period(m: Metering, period_text: str) -> list[dict[str, Any]]:
    """Freeze every invoice of a period that has ended; closing again changes nothing."""
    period = _period(period_text)
    if period.end > utc(time.time()):
        raise DbError(
            "55000", f"period {period.label} has not ended: it cannot be closed before {period.end} UTC"
        )
    if m.store.is_closed(period.label):
        return list(m.store.invoices(period.label).values())
    reports = list(billing_reports(m, None, period.label).values())
    m.store.freeze(period.label, reports, utc(time.time()))
    return reports


def export_period(m: Metering, period_text: str, fmt: str) -> str:
    """Every tenant's invoice of a period, as JSON (a list of reports) or CSV (one row per line item)."""
    period = _period(period_text)
    reports = [r for _, r in sorted(billing_reports(m, None, period.label).items())]
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
    _require(m, name)
    return sla_statuses(m, [name])[name]


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


# ------------------------------------------------------------------ records, usage, invoices, SLA
# (the views below and the REST API and GraphQL call these: one implementation per question)

GRAINS = ("INTERVAL", "HOUR", "DAY", "MONTH")
RECORD_FIELDS = ("tenant_name", "pdb_name", "metric", "unit", "grain", "period_start", "period_end", "value")
_RECORD_SORT = {"period_start": "3", "tenant_name": "1", "pdb_name": "2", "metric": "4", "value": "8"}


def _records_sql(
    grain: str,
    tenants: list[str] | None,
    pdb: str | None,
    metric: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> tuple[str, list[object]]:
    """The SELECT of one grain's rows (CDB_METERING's columns), filtered."""
    if grain == "INTERVAL":
        sql = (
            "SELECT tenant, pdb, metric, unit, 'INTERVAL' AS grain, interval_start AS period_start,"
            " interval_end AS period_end, value FROM records WHERE true"
        )
        args: list[object] = []
        start = "interval_start"
    else:
        sql = (
            "SELECT tenant, pdb, metric, unit, upper(grain), period_start, period_start + INTERVAL 1 "
            f"{grain} AS period_end, value FROM rollups WHERE grain = ?"
        )
        args = [grain.lower()]
        start = "period_start"
    if tenants is not None:
        sql += " AND tenant IN (SELECT unnest(?::VARCHAR[]))"
        args.append(list(tenants))
    for col, val in (("pdb", pdb), ("metric", metric)):
        if val is not None:
            sql += f" AND {col} = ?"
            args.append(val)
    if since is not None:
        sql += f" AND {start} >= ?"
        args.append(since)
    if until is not None:
        sql += f" AND {start} < ?"
        args.append(until)
    return sql, args


def metering_records(
    m: Metering,
    *,
    grain: str = "INTERVAL",
    tenants: list[str] | None = None,
    pdb: str | None = None,
    metric: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    sort: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Metering records (grain INTERVAL: raw, within the retention) or rollups (HOUR, DAY, MONTH),
    filtered, in order (sort: a field or -field, default period_start), one page; and how many in
    all. tenants None: every tenant."""
    g = grain.upper()
    if g not in GRAINS:
        raise DbError("22023", f"unknown grain {grain}: INTERVAL, HOUR, DAY or MONTH")
    key = (sort or "period_start").lstrip("-")
    if key not in _RECORD_SORT:
        raise DbError("22023", f"cannot sort by {key}: one of {', '.join(sorted(_RECORD_SORT))}")
    sql, args = _records_sql(g, tenants, pdb, metric, since, until)
    direction = " DESC" if sort and sort.startswith("-") else ""
    (total,) = m.store.query(f"SELECT count(*) FROM ({sql})", args)[0]
    order = f" ORDER BY {_RECORD_SORT[key]}{direction}, 6, 1, 2, 3"
    page = f" LIMIT {int(limit)} OFFSET {min(int(offset), int(total))}" if limit is not None else ""
    rows = m.store.query(sql + order + page, args)
    return [dict(zip(RECORD_FIELDS, r, strict=True)) for r in rows], int(total)


def metering_rows(m: Metering, con_id: int) -> list[Row]:
    """CDB_METERING / DBA_METERING: raw intervals of the last view_raw_hours, and the hourly,
    daily and monthly rollups; a PDB sees its own rows."""
    pdb = None  # the root sees every PDB's records; a PDB its own
    if con_id != 1:
        c = m.cdb.cat.container_by_id(con_id)
        pdb = c.name if c else ""
    since = utc(time.time() - m.view_raw_hours * 3600)
    rows: list[Row] = []
    for grain in GRAINS:
        got, _ = metering_records(m, grain=grain, pdb=pdb, since=since if grain == "INTERVAL" else None)
        rows += [tuple(r[f] for f in RECORD_FIELDS) for r in got]
    return rows


def usage_report(m: Metering, tenant: str, period_text: str, grain: str | None = None) -> dict[str, Any]:
    """What one tenant (or PDB without one) used in a period (SHOW USAGE, GET /tenants/{id}/usage)."""
    name = tenant.upper()
    _require(m, name)
    return usage_reports(m, [name], period_text, grain)[name]


def usage_reports(
    m: Metering, names: list[str] | None, period_text: str, grain: str | None = None
) -> dict[str, dict[str, Any]]:
    """What tenants used in a period (the hourly rollups billing reads), in one query: per tenant
    each metric's total, per PDB, the time-weighted average storage, and with grain (HOUR, DAY,
    MONTH) the series. names None: every billable one (SHOW USAGE, the API, GraphQL)."""
    period = _period(period_text)
    everyone = billable(m)
    todo = _current(everyone) if names is None else [n.upper() for n in names if n.upper() in everyone]
    g = grain.upper() if grain else None
    if g is not None and g not in GRAINS[1:]:
        raise DbError("22023", f"unknown grain {grain}: HOUR, DAY or MONTH")
    seconds = (period.end - period.start).total_seconds()
    out: dict[str, dict[str, Any]] = {
        n: {
            "tenant_id": n,
            "period": period.label,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "metrics": [{"metric": k, "unit": u, "value": 0.0} for k, u in METRICS.items()],
            "pdbs": [],
            "storage_average_bytes": 0.0,
            **({"grain": g, "series": []} if g else {}),
        }
        for n in todo
    }
    if not todo:
        return out
    bucket = f"date_trunc('{g.lower()}', period_start)" if g else "NULL::TIMESTAMP"
    rows = m.store.query(
        f"SELECT tenant, pdb, metric, {bucket} AS b, sum(value) FROM rollups WHERE grain = 'hour'"
        " AND tenant IN (SELECT unnest(?::VARCHAR[])) AND period_start >= ? AND period_start < ?"
        " GROUP BY ALL ORDER BY tenant, pdb, metric, b",
        (todo, period.start, period.end),
    )
    totals: dict[tuple[str, str], float] = {}
    per_pdb: dict[tuple[str, str, str], float] = {}
    series: dict[tuple[str, Any, str], float] = {}
    for t, pdb, metric, b, v in rows:
        if metric not in METRICS:
            continue
        totals[(t, metric)] = totals.get((t, metric), 0.0) + v
        per_pdb[(t, pdb, metric)] = per_pdb.get((t, pdb, metric), 0.0) + v
        if g:
            series[(t, b, metric)] = series.get((t, b, metric), 0.0) + v
    for n, r in out.items():
        r["metrics"] = [
            {"metric": k, "unit": u, "value": totals.get((n, k), 0.0)} for k, u in METRICS.items()
        ]
        r["pdbs"] = [
            {"pdb": pdb, "metric": metric, "unit": METRICS[metric], "value": v}
            for (t, pdb, metric), v in sorted(per_pdb.items())
            if t == n
        ]
        r["storage_average_bytes"] = totals.get((n, "storage"), 0.0) / seconds if seconds else 0.0
        if g:
            r["series"] = [
                {"period_start": b.isoformat(), "metric": metric, "unit": METRICS[metric], "value": v}
                for (t, b, metric), v in sorted(series.items(), key=lambda x: (x[0][1], x[0][2]))
                if t == n
            ]
    return out


INVOICE_FIELDS = (
    "tenant_id",
    "period",
    "status",
    "service_tier",
    "base_cost",
    "usage_cost",
    "sla_credit",
    "adjustments_total",
    "total_cost",
    "currency",
)


def _invoice_row(r: dict[str, Any], status: str) -> dict[str, Any]:
    return {**{k: r.get(k) for k in INVOICE_FIELDS}, "status": status, "report": r}


def invoices(
    m: Metering, tenants: list[str] | None, period: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """The closed periods' frozen invoices, and the current month's so far (status OPEN), oldest
    first (CDB_BILLING, GET /billing/invoices). tenants None: every tenant."""
    out: list[dict[str, Any]] = []
    if status is None or status.upper() == "CLOSED":
        sql = "SELECT tenant, report FROM invoices WHERE true"
        args: list[object] = []
        if tenants is not None:
            sql += " AND tenant IN (SELECT unnest(?::VARCHAR[]))"
            args.append(list(tenants))
        if period is not None:
            sql += " AND period = ?"
            args.append(period)
        out += [
            _invoice_row(json.loads(r), "CLOSED")
            for _, r in m.store.query(sql + " ORDER BY period, tenant", args)
        ]
    month = utc(time.time()).strftime("%Y-%m")
    if (
        (status is None or status.upper() == "OPEN")
        and period in (None, month)
        and not m.store.is_closed(month)
    ):
        for _, r in sorted(billing_reports(m, tenants, month).items()):
            out.append(_invoice_row(r, "OPEN"))
    return out


def invoice(m: Metering, tenant: str, period_text: str) -> dict[str, Any]:
    """One invoice: CLOSED (frozen, never changes) once its period is closed, else OPEN (so far)."""
    period = _period(period_text)
    name = tenant.upper()
    frozen = m.store.invoice(name, period.label) if m.store.is_closed(period.label) else None
    if frozen is not None:
        return _invoice_row(frozen, "CLOSED")
    return _invoice_row(billing_report(m, name, period.label), "OPEN")


def sla_statuses(m: Metering, names: list[str] | None) -> dict[str, dict[str, Any]]:
    """The brief's SLA response for many tenants at once (targets, current metrics, compliant, open
    violations): one uptime query and one violations query whatever their number."""
    everyone = billable(m)
    todo = _current(everyone) if names is None else [n.upper() for n in names if n.upper() in everyone]
    now = time.time()
    uptimes = m.sla.uptimes(now)
    open_: dict[str, list[dict[str, Any]]] = {}
    for t, type_, sev, desc, start in m.store.query(
        "SELECT tenant, type, severity, description, start_time FROM sla_violations WHERE end_time IS NULL"
        " AND tenant IN (SELECT unnest(?::VARCHAR[])) ORDER BY id",
        (todo,),
    ):
        open_.setdefault(t, []).append(
            {"type": type_, "severity": sev, "description": desc, "start_time": str(start)}
        )
    out = {}
    for name in todo:
        tier = everyone[name]["tier"]
        t = targets_for(m.sla.conf, tier)
        out[name] = {
            "tenant_id": name,
            "service_tier": tier,
            "sla_target": {
                "uptime_percent": t.uptime,
                "max_response_time_ms": t.max_response_ms,
                "p95_response_time_ms": t.p95_ms,
                "p99_response_time_ms": t.p99_ms,
                "max_error_rate_percent": t.max_error_rate,
            },
            "current_metrics": m.sla.current_metrics(name, now, uptimes),
            "compliant": not open_.get(name),
            "violations": open_.get(name, []),
        }
    return out


VIOLATION_FIELDS = (
    "violation_id",
    "tenant_id",
    "pdb_name",
    "violation_type",
    "severity",
    "description",
    "remediation",
    "measured",
    "target",
    "start_time",
    "end_time",
)


def sla_violations(
    m: Metering,
    tenants: list[str] | None = None,
    *,
    type_: str | None = None,
    severity: str | None = None,
    open_only: bool | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """SLA violations, oldest first, filtered (CDB_SLA_VIOLATIONS, GET /sla/violations); since and
    until bound their start time; open_only True: not ended, False: ended."""
    sql = (
        "SELECT id, tenant, pdb, type, severity, description, remediation, measured, target, start_time,"
        " end_time FROM sla_violations WHERE true"
    )
    args: list[object] = []
    if tenants is not None:
        sql += " AND tenant IN (SELECT unnest(?::VARCHAR[]))"
        args.append(list(tenants))
    for col, val in (("lower(type)", type_), ("lower(severity)", severity)):
        if val is not None:
            sql += f" AND {col} = ?"
            args.append(val.lower())
    if open_only is not None:
        sql += " AND end_time IS NULL" if open_only else " AND end_time IS NOT NULL"
    if since is not None:
        sql += " AND start_time >= ?"
        args.append(since)
    if until is not None:
        sql += " AND start_time < ?"
        args.append(until)
    rows = m.store.query(sql + " ORDER BY id", args)
    return [dict(zip(VIOLATION_FIELDS, r, strict=True)) for r in rows]


# ------------------------------------------------------------------ the views


def billing_rows(m: Metering, con_id: int) -> list[Row]:
    """CDB_BILLING / DBA_BILLING: closed periods' frozen invoices, the current month's so far."""
    own = _own(m, con_id)
    return [
        (*(r[k] for k in INVOICE_FIELDS), json.dumps(r["report"], sort_keys=True))
        for r in invoices(m, None if own is None else [own])
    ]


def sla_rows(m: Metering, con_id: int) -> list[Row]:
    own = _own(m, con_id)
    rows: list[Row] = []
    for name, s in sla_statuses(m, None if own is None else [own]).items():
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
    return [tuple(v.values()) for v in sla_violations(m, None if own is None else [own])]


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
