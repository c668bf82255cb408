"""The metering, billing and SLA endpoints (issue 17 over issue 16): each handler resolves who and
which tenants, then calls the one function of metering.ops the SQL calls (CDB_METERING, SHOW
USAGE, SHOW BILLING, CDB_BILLING, SHOW BILLING EXPORT, ALTER SYSTEM CLOSE BILLING PERIOD,
CDB_SLA_VIOLATIONS, CDB_SLA, SHOW SLA). SYS and common administrators see every tenant (and the
PDBs billed as their own); a tenant's admin only its tenant, a refusal audited as CROSS_TENANT.
Money is a decimal string throughout."""

import datetime as dt
import time
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api import metering_schemas as M
from api.core import Api, Principal, decode_cursor, encode_cursor, etag_of, page
from api.rest import PROBLEMS
from metering import ops
from metering.service import Metering
from pgwire.errors import DbError

Period = Annotated[
    str | None, Query(pattern=M.PERIOD, description="YYYY-MM (default: this month) or YYYY-MM-DD..YYYY-MM-DD")
]
Name = Annotated[str | None, Query(max_length=128, pattern=r"^[A-Za-z][A-Za-z0-9_$#]*$")]
Grain = Literal["interval", "hour", "day", "month"]
CSV = "text/csv; charset=utf-8"


class ListParams:
    """limit, an opaque cursor, sort (field or -field), as every list of the API."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
        sort: Annotated[str | None, Query(pattern=r"^-?[a-z_]+$")] = None,
    ) -> None:
        self.limit, self.cursor, self.sort = limit, cursor, sort


def _month() -> str:
    return time.strftime("%Y-%m", time.gmtime())


def router(api: Api) -> APIRouter:  # noqa: C901 - one closure per endpoint, over the server's state
    r = APIRouter(prefix="/api/v1", responses=PROBLEMS, tags=["metering"])

    Who = Annotated[Principal, Depends(api.principal)]
    Listing = Annotated[ListParams, Depends(ListParams)]

    def meter() -> Metering:
        return api.server.metering

    def scope(request: Request, p: Principal, tenant: str | None) -> list[str] | None:
        """The tenants a call reaches: the one named (checked against the token and X-Tenant-ID,
        a cross-tenant attempt refused and audited), else every one visible (None: all)."""
        if tenant is not None:
            return [api.scope_tenant(request, p, tenant)]
        seen = api.visible_tenants(request, p)
        return None if seen is None else sorted(seen)

    # ------------------------------------------------------------ metering records, usage

    @r.get("/metering/records", response_model=M.MeteringRecordPage)
    async def metering_records(
        request: Request,
        p: Who,
        ls: Listing,
        tenant: Name = None,
        pdb: Name = None,
        metric: Annotated[str | None, Query(max_length=64)] = None,
        grain: Grain = "interval",
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """Metering records (CDB_METERING): raw intervals within the retention (grain interval) or
        the hourly, daily and monthly rollups; filtered by tenant, PDB, metric and start time (UTC)."""
        names = scope(request, p, tenant)
        offset = decode_cursor(ls.cursor, ls.sort) if ls.cursor else 0
        items, total = ops.metering_records(
            meter(),
            grain=grain,
            tenants=names,
            pdb=pdb.upper() if pdb else None,
            metric=metric,
            since=_naive(since),
            until=_naive(until),
            sort=ls.sort,
            limit=ls.limit,
            offset=offset,
        )
        nxt = encode_cursor(offset + ls.limit, ls.sort) if offset + ls.limit < total else None
        return {"items": items, "next_cursor": nxt, "total": total}

    @r.get("/metering/usage", response_model=M.UsagePage)
    async def usage_list(
        request: Request,
        p: Who,
        ls: Listing,
        period: Period = None,
        tenant: Name = None,
        grain: Literal["hour", "day", "month"] | None = None,
    ) -> dict[str, Any]:
        """What each visible tenant used in a period (SHOW USAGE for each), one page."""
        got = ops.usage_reports(meter(), scope(request, p, tenant), period or _month(), grain)
        return page(list(got.values()), ls, {})

    @r.get("/tenants/{tenant_id}/usage", response_model=M.Usage)
    async def tenant_usage(
        tenant_id: str,
        request: Request,
        p: Who,
        period: Period = None,
        grain: Literal["hour", "day", "month"] | None = None,
    ) -> dict[str, Any]:
        """What the tenant used in a period (SHOW USAGE FOR TENANT t PERIOD '...' [BY DAY])."""
        name = api.scope_tenant(request, p, tenant_id)
        return ops.usage_report(meter(), name, period or _month(), grain)

    # ------------------------------------------------------------ billing

    @r.get("/tenants/{tenant_id}/billing", response_model=M.BillingReport)
    async def tenant_billing(
        tenant_id: str, request: Request, p: Who, period: Period = None
    ) -> dict[str, Any]:
        """The tenant's bill for a month (default: the current one) or a date range
        (SHOW BILLING FOR TENANT t PERIOD '...'): frozen once the period is closed."""
        name = api.scope_tenant(request, p, tenant_id)
        return ops.billing_report(meter(), name, period or _month())

    @r.get("/billing/reports", response_model=M.BillingReportPage)
    async def billing_reports(
        request: Request, p: Who, ls: Listing, period: Period = None, tenant: Name = None
    ) -> dict[str, Any]:
        """Every visible tenant's bill for a period (the frozen invoices once it is closed)."""
        got = ops.billing_reports(meter(), scope(request, p, tenant), period or _month())
        return page([got[n] for n in sorted(got)], ls, {})

    @r.get("/billing/invoices", response_model=M.InvoicePage)
    async def list_invoices(
        request: Request,
        p: Who,
        ls: Listing,
        tenant: Name = None,
        period: Period = None,
        status: Literal["open", "closed"] | None = None,
    ) -> dict[str, Any]:
        """The closed periods' frozen invoices and the current month's so far (CDB_BILLING)."""
        items = ops.invoices(meter(), scope(request, p, tenant), period, status)
        return page([{k: v for k, v in i.items() if k != "report"} for i in items], ls, {})

    @r.get(
        "/billing/invoices/{tenant_id}/{period}",
        response_model=M.Invoice,
        responses={304: {"description": "If-None-Match"}},
    )
    async def get_invoice(
        tenant_id: str,
        period: Annotated[str, Path(pattern=M.PERIOD)],
        request: Request,
        response: Response,
        p: Who,
    ) -> Any:
        """One invoice: CLOSED (frozen: the same body, and ETag, for ever) or OPEN (so far)."""
        name = api.scope_tenant(request, p, tenant_id)
        body = ops.invoice(meter(), name, period)
        tag = etag_of(body)
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers={"ETag": tag})
        response.headers["ETag"] = tag
        return body

    @r.get(
        "/billing/export",
        response_model=list[M.BillingReport],
        responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    )
    async def export(
        request: Request,
        p: Who,
        period: Period = None,
        format: Literal["csv", "json"] | None = None,  # noqa: A002 - the brief's ?format=
    ) -> Response:
        """Every tenant's invoice of a period (SHOW BILLING EXPORT PERIOD ... FORMAT CSV | JSON):
        CSV (one row per line item) or JSON, by ?format= or the Accept header."""
        ops.require_billing_admin(meter(), p.user)
        fmt = format or ("csv" if "text/csv" in request.headers.get("accept", "") else "json")
        text = ops.export_period(meter(), period or _month(), fmt.upper())
        label = (period or _month()).replace("..", "_")
        return Response(
            text,
            media_type=CSV if fmt == "csv" else "application/json",
            headers={"Content-Disposition": f'attachment; filename="billing-{label}.{fmt}"'},
        )

    @r.post("/billing/periods/{period}/close", response_model=M.PeriodClosed)
    async def close_period(period: Annotated[str, Path(pattern=M.PERIOD)], p: Who) -> dict[str, Any]:
        """Freeze every invoice of an ended period (ALTER SYSTEM CLOSE BILLING PERIOD): closing
        again changes nothing; 409 before the period has ended."""
        ops.require_billing_admin(meter(), p.user)
        reports = ops.close_period(meter(), period)
        total = sum((Decimal(x["total_cost"]) for x in reports if x), Decimal(0))
        return {
            "period": period,
            "invoices": len(reports),
            "total_cost": str(total.quantize(Decimal("0.01"))),
        }

    # ------------------------------------------------------------ SLA

    @r.get("/tenants/{tenant_id}/sla", response_model=M.SlaReport)
    async def tenant_sla(tenant_id: str, request: Request, p: Who) -> dict[str, Any]:
        """The tenant's SLA: tier, targets, current metrics, compliant, open violations (SHOW SLA)."""
        name = api.scope_tenant(request, p, tenant_id)
        return ops.sla_status(meter(), name)

    @r.get("/sla/compliance", response_model=M.SlaReportPage)
    async def compliance(
        request: Request, p: Who, ls: Listing, tenant: Name = None, compliant: bool | None = None
    ) -> dict[str, Any]:
        """Every visible tenant's SLA compliance (CDB_SLA), one page."""
        items = list(ops.sla_statuses(meter(), scope(request, p, tenant)).values())
        if compliant is not None:
            items = [i for i in items if i["compliant"] == compliant]
        return page(items, ls, {})

    @r.get("/sla/violations", response_model=M.SlaViolationPage)
    async def violations(
        request: Request,
        p: Who,
        ls: Listing,
        tenant: Name = None,
        type: Literal["Uptime", "ResponseTime", "ErrorRate"] | None = None,  # noqa: A002
        severity: Literal["Critical", "High", "Medium", "Low"] | None = None,
        open: bool | None = None,  # noqa: A002
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """SLA violations (CDB_SLA_VIOLATIONS), filtered by tenant, type, severity, open or ended,
        and start time (UTC)."""
        items = ops.sla_violations(
            meter(),
            scope(request, p, tenant),
            type_=type,
            severity=severity,
            open_only=open,
            since=_naive(since),
            until=_naive(until),
        )
        return page(items, ls, {})

    return r


def _naive(t: dt.datetime | None) -> dt.datetime | None:
    """A time as the metering store keeps it: UTC, naive."""
    if t is None or t.tzinfo is None:
        return t
    try:
        return t.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:
        raise DbError("22008", f"timestamp out of range: {t.isoformat()}") from None
