"""Billing arithmetic: a tenant's invoice for a period from its tier history, its metered usage,
its SLA and the pricing in conf ([billing]). Pure functions over plain data; metering.ops gathers
the data and stores closed periods.

Money is Decimal, never float. The one rounding rule: every amount on an invoice (the base of each
tier segment and month, each line item, each allowance, credit and adjustment) is rounded half-up
to the cent; every total is the sum of rounded amounts.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
QTY = Decimal("0.000001")

# Priced units: how each comes from the metered metrics, and which cost it adds to.
UNITS = {
    "cpu_hour": ("cpu_time_cost", {"cpu_time": Decimal(3_600_000_000)}),
    "io_million_ops": (
        "io_operations_cost",
        {"io_read_ops": Decimal(1_000_000), "io_write_ops": Decimal(1_000_000)},
    ),
    "storage_gb_month": ("storage_cost", {"storage": None}),  # byte-seconds / (1e9 x seconds of the month)
    "network_egress_gb": ("network_cost", {"network_sent_bytes": Decimal(1_000_000_000)}),
    "network_ingress_gb": ("network_cost", {"network_received_bytes": Decimal(1_000_000_000)}),
    "connection_hour": ("connection_time_cost", {"connection_time": Decimal(3600)}),
}
BREAKDOWN_KEYS = (
    "cpu_time_cost",
    "io_operations_cost",
    "storage_cost",
    "network_cost",
    "connection_time_cost",
)


def money(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Pricing:
    currency: str
    base_monthly: dict[str, Decimal]
    unit_prices: dict[str, Decimal]
    allowances: dict[str, dict[str, Decimal]]
    sla_credits: dict[str, list[tuple[float, Decimal]]]  # tier -> [(uptime below, percent of base)]

    @staticmethod
    def from_conf(raw: dict[str, Any]) -> Pricing:
        b = raw["billing"]
        return Pricing(
            currency=str(b["currency"]),
            base_monthly={k.upper(): Decimal(str(v)) for k, v in b["base_monthly"].items()},
            unit_prices={k: Decimal(str(v)) for k, v in b["unit_prices"].items()},
            allowances={
                t.upper(): {k: Decimal(str(v)) for k, v in a.items()}
                for t, a in b.get("allowances", {}).items()
            },
            sla_credits={
                t.upper(): sorted(((float(u), Decimal(str(p))) for u, p in pol), key=lambda x: -x[0])
                for t, pol in b.get("sla_credits", {}).items()
            },
        )


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.datetime  # UTC, naive
    end: dt.datetime  # exclusive

    @property
    def is_month(self) -> bool:
        return re.fullmatch(r"\d{4}-\d{2}", self.label) is not None

    def previous_month(self) -> Period | None:
        if not self.is_month:
            return None
        prev_end = self.start
        prev_start = (prev_end - dt.timedelta(days=1)).replace(day=1)
        return Period(prev_start.strftime("%Y-%m"), prev_start, prev_end)


def parse_period(text: str) -> Period:
    """'2026-12' (a calendar month), '2026-12-01..2026-12-15' (days, inclusive), or
    '2026-12-04 10:00:00..2026-12-04 11:00:00' (times, end exclusive). UTC."""
    t = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})", t)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValueError(f"invalid period {text!r}")
        start = dt.datetime(y, mo, 1)
        end = dt.datetime(y + (mo == 12), mo % 12 + 1, 1)
        return Period(t, start, end)
    if ".." in t:
        a, b = (p.strip() for p in t.split("..", 1))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", a) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", b):
            start = dt.datetime.fromisoformat(a)
            end = dt.datetime.fromisoformat(b) + dt.timedelta(days=1)
        else:
            start, end = dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)
        for d in (start, end):
            if d.tzinfo is not None:
                raise ValueError("periods are in UTC: no time zone")
        if end <= start:
            raise ValueError(f"period {text!r} ends before it starts")
        return Period(f"{a}..{b}", start, end)
    raise ValueError(f"invalid period {text!r}: 'YYYY-MM' or 'YYYY-MM-DD..YYYY-MM-DD'")


def month_seconds(d: dt.datetime) -> int:
    return calendar.monthrange(d.year, d.month)[1] * 86400


def month_pieces(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """[start, end) cut at calendar month boundaries."""
    out = []
    cur = start
    while cur < end:
        nxt = dt.datetime(cur.year + (cur.month == 12), cur.month % 12 + 1, 1)
        out.append((cur, min(nxt, end)))
        cur = nxt
    return out


Segment = tuple[dt.datetime, dt.datetime, str] | tuple[dt.datetime, dt.datetime, str, str | None]


def tier_segments(
    initial_tier: str,
    changes: list[tuple[dt.datetime, str]] | list[tuple[dt.datetime, str, str]],
    alive: tuple[dt.datetime, dt.datetime | None],
    period: Period,
) -> list[Segment]:
    """The billed tiers over the period: (start, end, tier), clipped to the lifetime; a change
    given as (when, tier, why) makes its segments (start, end, tier, why), why naming the change
    (a SET SERVICE TIER, an AUTO SCALE step) that began it."""
    born, died = alive
    lo = max(period.start, born)
    hi = min(period.end, died) if died else period.end
    segs: list[tuple[dt.datetime, dt.datetime, str, str | None]] = []
    tier, since, why = initial_tier, born, None
    for when, new, *rest in sorted(changes, key=lambda c: c[0]):
        if when > since:
            segs.append((since, when, tier, why))
        tier, since, why = new, max(since, when), rest[0] if rest else None
    segs.append((since, dt.datetime.max, tier, why))
    explained = any(len(c) > 2 for c in changes)
    out: list[Segment] = []
    for s, e, t, w in segs:
        s2, e2 = max(s, lo), min(e, hi)
        if s2 < e2 and out and out[-1][2] == t and not explained:
            out[-1] = (out[-1][0], e2, t)
        elif s2 < e2:
            out.append((s2, e2, t, w) if explained else (s2, e2, t))
    return out


def billed_tiers(
    initial: str, rows: list[tuple[float, str | None, str | None, str]], rank: dict[str, Decimal]
) -> list[tuple[float, str, str]]:
    """A tenant's billed tier over time from its tier changes, oldest first: rows (time, PDB GUID
    or None for the tenant's own tier, new tier, why). The tenant is billed at its own tier, or
    above it at the dearest tier one of its PDBs runs at (a PDB's own SET SERVICE TIER, or auto
    scaling); the tenant's own change resets its PDBs to it; a PDB's new tier None: it was dropped.
    Returns (time, billed tier, why) at
    each change of the billed tier."""
    tier, over, billed = initial, {}, initial
    out = []
    for when, guid, new, why in rows:
        if guid is None:
            tier, over = new, {}
        elif new is None:  # the PDB was dropped
            over.pop(guid, None)
        else:
            over[guid] = new
        now_billed = max([tier, *over.values()], key=lambda x: rank.get(x, Decimal(-1)))
        if now_billed != billed:
            billed = now_billed
            out.append((when, billed, why))
    return out


def _fraction(s: dt.datetime, e: dt.datetime) -> Decimal:
    return Decimal(int((e - s).total_seconds())) / Decimal(month_seconds(s))


def compute(
    pricing: Pricing,
    tenant_id: str,
    period: Period,
    segments: list[Segment],
    usage: list[tuple[str, str, dt.datetime, float]],
    uptime: float | None,
    uptime_violations: list[dict[str, Any]],
    adjustments: list[dict[str, Any]],
    service_tier: str | None = None,
) -> dict[str, Any]:
    """The invoice. segments: the billed tiers over the period (tier_segments); usage: (pdb,
    metric, month of the hour, value) from the hourly rollups; service_tier: the tier contracted
    at the period's end (its SLA credit policy applies; default the last segment's)."""
    # base: each tier segment, cut at month boundaries, prorated by seconds
    base_lines = []
    allowance: dict[str, Decimal] = {u: Decimal(0) for u in UNITS}
    for s, e, tier, *why in segments:
        for ps, pe in month_pieces(s, e):
            frac = _fraction(ps, pe)
            amount = money(pricing.base_monthly.get(tier, Decimal(0)) * frac)
            line = {
                "service_tier": tier,
                "from": ps.isoformat(),
                "to": pe.isoformat(),
                "fraction_of_month": str(frac.quantize(QTY)),
                "amount": str(amount),
            }
            if why and why[0]:
                line["change"] = why[0]  # what began this segment: SET SERVICE TIER, AUTO SCALE UP, ...
            base_lines.append(line)
            for u in UNITS:
                allowance[u] += pricing.allowances.get(tier, {}).get(u, Decimal(0)) * frac
    base_cost = sum((Decimal(b["amount"]) for b in base_lines), Decimal(0))

    # usage: quantity per PDB and priced unit
    qty: dict[tuple[str, str], Decimal] = {}
    for pdb, metric, month, value in usage:
        for unit, (_, sources) in UNITS.items():
            if metric in sources:
                div = sources[metric] or Decimal(1_000_000_000) * month_seconds(month)
                qty[(pdb, unit)] = qty.get((pdb, unit), Decimal(0)) + Decimal(str(value)) / div
    lines = []
    breakdown = {k: Decimal(0) for k in BREAKDOWN_KEYS}
    for (pdb, unit), q in sorted(qty.items()):
        price = pricing.unit_prices.get(unit, Decimal(0))
        amount = money(q * price)
        lines.append(
            {
                "pdb": pdb,
                "metric": unit,
                "quantity": str(q.quantize(QTY)),
                "unit_price": str(price),
                "amount": str(amount),
            }
        )
        breakdown[UNITS[unit][0]] += amount
    for unit in UNITS:
        total_q = sum((q for (_, u), q in qty.items() if u == unit), Decimal(0))
        gross = sum((Decimal(li["amount"]) for li in lines if li["metric"] == unit), Decimal(0))
        included = allowance[unit]
        if not included or not total_q:
            continue
        credit = min(money(min(total_q, included) * pricing.unit_prices.get(unit, Decimal(0))), gross)
        if credit:
            lines.append(
                {
                    "pdb": None,
                    "metric": unit,
                    "quantity": str((-min(total_q, included)).quantize(QTY)),
                    "unit_price": str(pricing.unit_prices.get(unit, Decimal(0))),
                    "amount": str(-credit),
                    "note": f"included allowance {included.quantize(QTY)}",
                }
            )
            breakdown[UNITS[unit][0]] -= credit
    usage_cost = sum(breakdown.values(), Decimal(0))

    # SLA credit: the tier at the period's end, its policy's largest applicable percent
    tier_now = service_tier or (segments[-1][2] if segments else None)
    credit_pct = Decimal(0)
    if uptime is not None and tier_now is not None:
        for below, pct in pricing.sla_credits.get(tier_now, []):
            if uptime < below:
                credit_pct = max(credit_pct, pct)
    sla_credit = money(base_cost * credit_pct / 100)
    adj_total = money(sum((Decimal(a["amount"]) for a in adjustments), Decimal(0)))
    total = base_cost + usage_cost - sla_credit + adj_total
    return {
        "tenant_id": tenant_id,
        "period": period.label,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "service_tier": tier_now,
        "base_cost": str(money(base_cost)),
        "base_breakdown": base_lines,
        "usage_breakdown": {k: str(money(v)) for k, v in breakdown.items()},
        "usage_cost": str(money(usage_cost)),
        "sla": {
            "uptime_percent": uptime,
            "credit_percent": str(credit_pct),
            "violations": uptime_violations if credit_pct else [],
        },
        "sla_credit": str(sla_credit),
        "adjustments": adjustments,
        "adjustments_total": str(adj_total),
        "total_cost": str(money(total)),
        "currency": pricing.currency,
        "line_items": lines,
        "rounding": "each amount rounded half-up to the cent; totals are sums of rounded amounts",
    }
