"""GraphQL's metering types (Usage, BillingReport with its line items, SlaReport, SlaViolation),
reachable from Tenant (usage, billing, sla, slaViolations) and Pdb (usage), through DataLoaders
over the batch functions of metering.ops: listing 1,000 tenants with their usage, bill and SLA is
one batch per field and period, not a query per tenant. A Tenant or Pdb object is only ever given
to a principal allowed to see it (api.graphql), so its fields need no other check. Money is a
decimal string."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.core import Api
from api.graphql_errors import gql_error
from metering import ops
from pgwire.errors import DbError


@strawberry.type
class UsageMetric:
    metric: str
    unit: str
    value: float


@strawberry.type
class UsagePdbMetric:
    pdb: str
    metric: str
    unit: str
    value: float


@strawberry.type
class Usage:
    tenant_id: str
    period: str
    period_start: str
    period_end: str
    metrics: list[UsageMetric]
    pdbs: list[UsagePdbMetric]
    storage_average_bytes: float


@strawberry.type
class BaseSegment:
    service_tier: str
    start: str
    end: str
    fraction_of_month: str
    amount: str
    change: str | None


@strawberry.type
class LineItem:
    pdb: str | None
    metric: str
    quantity: str
    unit_price: str
    amount: str
    note: str | None


@strawberry.type
class BillingReport:
    tenant_id: str
    period: str
    service_tier: str | None
    base_cost: str
    usage_cost: str
    cpu_time_cost: str
    io_operations_cost: str
    storage_cost: str
    network_cost: str
    connection_time_cost: str
    sla_credit: str
    uptime_percent: float | None
    adjustments_total: str
    total_cost: str
    currency: str
    base_breakdown: list[BaseSegment]
    line_items: list[LineItem]


@strawberry.type
class SlaViolation:
    violation_id: int
    tenant_id: str
    pdb_name: str | None
    violation_type: str
    severity: str
    description: str
    remediation: str
    measured: float | None
    target: float | None
    start_time: str
    end_time: str | None


@strawberry.type
class SlaReport:
    tenant_id: str
    service_tier: str
    target_uptime_percent: float
    target_max_response_time_ms: float
    target_p95_response_time_ms: float
    target_p99_response_time_ms: float
    target_max_error_rate_percent: float
    uptime_percent: float
    avg_response_time_ms: float | None
    p50_response_time_ms: float | None
    p95_response_time_ms: float | None
    p99_response_time_ms: float | None
    error_rate_percent: float
    statements: int
    compliant: bool
    open_violations: int


# ------------------------------------------------------------------ from ops' dictionaries


def _usage(u: dict[str, Any]) -> Usage:
    return Usage(
        tenant_id=u["tenant_id"], period=u["period"], period_start=u["period_start"],
        period_end=u["period_end"], metrics=[UsageMetric(**x) for x in u["metrics"]],
        pdbs=[UsagePdbMetric(**x) for x in u["pdbs"]], storage_average_bytes=u["storage_average_bytes"],
    )  # fmt: skip


def _bill(r: dict[str, Any]) -> BillingReport:
    b = r["usage_breakdown"]
    return BillingReport(
        tenant_id=r["tenant_id"], period=r["period"], service_tier=r["service_tier"],
        base_cost=r["base_cost"], usage_cost=r["usage_cost"], cpu_time_cost=b["cpu_time_cost"],
        io_operations_cost=b["io_operations_cost"], storage_cost=b["storage_cost"],
        network_cost=b["network_cost"], connection_time_cost=b["connection_time_cost"],
        sla_credit=r["sla_credit"], uptime_percent=r["sla"]["uptime_percent"],
        adjustments_total=r["adjustments_total"], total_cost=r["total_cost"], currency=r["currency"],
        base_breakdown=[
            BaseSegment(service_tier=s["service_tier"], start=s["from"], end=s["to"],
                        fraction_of_month=s["fraction_of_month"], amount=s["amount"], change=s.get("change"))
            for s in r["base_breakdown"]
        ],
        line_items=[
            LineItem(pdb=li["pdb"], metric=li["metric"], quantity=li["quantity"], unit_price=li["unit_price"],
                     amount=li["amount"], note=li.get("note"))
            for li in r["line_items"]
        ],
    )  # fmt: skip


def _sla(s: dict[str, Any]) -> SlaReport:
    t, c = s["sla_target"], s["current_metrics"]
    return SlaReport(
        tenant_id=s["tenant_id"], service_tier=s["service_tier"],
        target_uptime_percent=t["uptime_percent"], target_max_response_time_ms=t["max_response_time_ms"],
        target_p95_response_time_ms=t["p95_response_time_ms"],
        target_p99_response_time_ms=t["p99_response_time_ms"],
        target_max_error_rate_percent=t["max_error_rate_percent"], uptime_percent=c["uptime_percent"],
        avg_response_time_ms=c["avg_response_time_ms"], p50_response_time_ms=c["p50_response_time_ms"],
        p95_response_time_ms=c["p95_response_time_ms"], p99_response_time_ms=c["p99_response_time_ms"],
        error_rate_percent=c["error_rate_percent"], statements=c["statements"], compliant=s["compliant"],
        open_violations=len(s["violations"]),
    )  # fmt: skip


def _violation(v: dict[str, Any]) -> SlaViolation:
    return SlaViolation(
        **{k: v[k] for k in ops.VIOLATION_FIELDS if k not in ("start_time", "end_time")},
        start_time=str(v["start_time"]),
        end_time=str(v["end_time"]) if v["end_time"] else None,
    )


# ------------------------------------------------------------------ batched loading


def loaders(api: Api, lookups: list[int]) -> dict[str, DataLoader[Any, Any]]:
    """The request's DataLoaders (api.graphql's context): keys (name, period) are grouped by
    period, each group one call of a batch function of metering.ops."""

    def by_period(
        batch: Callable[[list[str], str], dict[str, Any]],
    ) -> Callable[[list[tuple[str, str]]], Awaitable[list[Any]]]:
        async def load(keys: list[tuple[str, str]]) -> list[Any]:
            got: dict[tuple[str, str], Any] = {}
            for period in sorted({k[1] for k in keys}):
                lookups[0] += 1
                names = sorted({k[0] for k in keys if k[1] == period})
                try:
                    found = batch(names, period)
                except DbError as e:  # an invalid period: each key's field raises it (_load)
                    found = {n: e for n in names}
                got.update({(n, period): v for n, v in found.items()})
            return [got.get(k) for k in keys]

        return load

    m = api.server.metering

    async def load_sla(names: list[str]) -> list[Any]:
        lookups[0] += 1
        got = ops.sla_statuses(m, names)
        return [got.get(n) for n in names]

    async def load_violations(names: list[str]) -> list[Any]:
        lookups[0] += 1
        by: dict[str, list[dict[str, Any]]] = {}
        for v in ops.sla_violations(m, names):
            by.setdefault(v["tenant_id"], []).append(v)
        return [by.get(n, []) for n in names]

    return {
        "usage_loader": DataLoader(load_fn=by_period(lambda n, p: ops.usage_reports(m, n, p))),
        "billing_loader": DataLoader(load_fn=by_period(lambda n, p: ops.billing_reports(m, n, p))),
        "sla_loader": DataLoader(load_fn=load_sla),
        "violations_loader": DataLoader(load_fn=load_violations),
    }


def _period(period: str | None) -> str:
    return period or time.strftime("%Y-%m", time.gmtime())


async def _load(info: Info, loader: str, key: Any) -> Any:
    """A batched value; a DbError of its batch (an invalid period) is this field's error, with
    its SQLSTATE and ORA- number (a loader given an exception for a key raises it at that key's await)."""
    try:
        return await info.context[loader].load(key)
    except DbError as e:
        raise gql_error(e) from None


# ------------------------------------------------------------------ the fields of Tenant and Pdb


async def _tenant_usage(root: Any, info: Info, period: str | None = None) -> Usage | None:
    """What the tenant used in a period (default this month; 'YYYY-MM' or 'YYYY-MM-DD..YYYY-MM-DD')."""
    u = await _load(info, "usage_loader", (root.tenant_id, _period(period)))
    return _usage(u) if u else None


async def _tenant_billing(root: Any, info: Info, period: str | None = None) -> BillingReport | None:
    """The tenant's bill for a period: frozen once the period is closed."""
    r = await _load(info, "billing_loader", (root.tenant_id, _period(period)))
    return _bill(r) if r else None


async def _tenant_sla(root: Any, info: Info) -> SlaReport | None:
    s = await info.context["sla_loader"].load(root.tenant_id)
    return _sla(s) if s else None


async def _tenant_violations(root: Any, info: Info, open_only: bool = False) -> list[SlaViolation]:
    got = await info.context["violations_loader"].load(root.tenant_id)
    return [_violation(v) for v in got if not open_only or v["end_time"] is None]


async def _pdb_usage(root: Any, info: Info, period: str | None = None) -> list[UsageMetric]:
    """What this PDB used in a period (within its tenant's usage, or its own without a tenant)."""
    u = await _load(info, "usage_loader", (root.tenant or root.name, _period(period)))
    if not u:
        return []
    return [
        UsageMetric(metric=x["metric"], unit=x["unit"], value=x["value"])
        for x in u["pdbs"]
        if x["pdb"] == root.name
    ]


tenant_usage = strawberry.field(resolver=_tenant_usage)
tenant_billing = strawberry.field(resolver=_tenant_billing)
tenant_sla = strawberry.field(resolver=_tenant_sla)
tenant_sla_violations = strawberry.field(resolver=_tenant_violations)
pdb_usage = strawberry.field(resolver=_pdb_usage)
