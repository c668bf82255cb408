"""GraphQL's object types (Tenant, Pdb, ServiceTier, LockdownProfile, User, Session, Operation)
and their renderings from catalog rows, shared by the queries (api.graphql) and the mutations
(api.graphql_mutations). The fields follow the REST bodies (api.rest), in camelCase."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, NewType

import strawberry
from fastapi import Request
from strawberry.scalars import JSON
from strawberry.types import Info

from api import graphql_metering as gm
from api import render
from api.admin_rest import tier_out
from api.core import Api, Principal, etag_of
from catalog.store import Container
from catalog.store import Operation as OperationRow
from governance import resources
from metering import ops as metering_ops
from tenants import ops

# GraphQL's Int is 32 bits: byte counts and figures a tier may raise past 2**31 are BigInt.
BigInt = strawberry.scalar(
    NewType("BigInt", int),
    serialize=int,
    parse_value=lambda v: v if isinstance(v, int) and not isinstance(v, bool) else int(str(v), 10),
    description="an integer of up to 64 bits (byte counts, large figures)",
)


@strawberry.type
class Pdb:
    name: str
    con_id: int
    open_mode: str
    status: str
    service_tier: str
    tenant: str | None
    restricted: bool
    location: str  # its storage location (RELOCATE TO): 'pdbs' is the default one
    saved_state: str | None
    max_size: BigInt | None
    max_temp_size: BigInt | None

    @strawberry.field
    async def owner(self, info: Info) -> Tenant | None:
        """The tenant that owns this PDB (batched)."""
        if self.tenant is None:
            return None
        return await info.context["tenant_loader"].load(self.tenant)

    @strawberry.field
    def lockdown_profile(self, info: Info) -> str | None:
        """The lockdown profile in force in this PDB (PDB_LOCKDOWN)."""
        return info.context["api"].cdb.cat.pdb_lockdown(self.con_id)

    @strawberry.field
    def etag(self, info: Info) -> str:
        """REST's ETag of this PDB (GET /pdbs/{id}): ifMatch of setPdbTier and setPdbStorage."""
        cdb = info.context["api"].cdb
        return etag_of(render.pdb_out(cdb, cdb.require_pdb(self.name)))

    usage = gm.pdb_usage  # metering (api.graphql_metering), batched


GRAPHQL_INT_MAX = (1 << 31) - 1


def tier_figure_types(*, optional: bool) -> dict[str, Any]:
    """The tier's figures (resources.Tier's order) as GraphQL types: BigInt where ALTER SERVICE
    TIER lets a figure pass GraphQL's 32-bit Int (resources.TIER_MAXIMUMS), optional for inputs."""
    out: dict[str, Any] = {}
    for f in fields(resources.Tier):
        if f.name == "name":
            continue
        kind: Any = str if f.name == "priority" else int
        if kind is int and resources.TIER_MAXIMUMS[f.name] > GRAPHQL_INT_MAX:
            kind = BigInt
        out[f.name] = kind | None if optional else kind
    return out


def _tier_etag(root: Any, info: Info) -> str:
    """REST's ETag of this tier (GET /service-tiers/{name}): ifMatch of alterServiceTier."""
    return etag_of(tier_out(info.context["api"].cdb.tiers[root.name.upper()]))


# A service tier's figures as they are now (conf/tiers.toml and ALTER SERVICE TIER); monthly_price
# is [billing] base_monthly, a decimal string.
ServiceTier = strawberry.type(
    description="A service tier's figures as they are now (conf/tiers.toml and ALTER SERVICE TIER).",
)(
    type(
        "ServiceTier",
        (),
        {
            "__annotations__": {"name": str, **tier_figure_types(optional=False), "monthly_price": str},
            "__doc__": "A service tier's figures as they are now (conf/tiers.toml and ALTER SERVICE TIER).",
            "etag": strawberry.field(resolver=_tier_etag),
        },
    )
)


@strawberry.type
class Tenant:
    tenant_id: str
    display_name: str
    contact: str | None
    service_tier: str
    status: str
    reason: str | None
    admin_user: str | None
    auto_scaling: bool
    backup_enabled: bool
    template: str | None
    labels: JSON
    quota: JSON

    @strawberry.field
    def etag(self, info: Info) -> str:
        """REST's ETag of this tenant (GET /tenants/{id}): ifMatch of the tenant's mutations."""
        api = info.context["api"]
        return etag_of(render.tenant_out(api, ops.get(api.cdb, self.tenant_id)))

    @strawberry.field
    async def pdbs(self, info: Info) -> list[Pdb]:
        return await info.context["pdb_loader"].load(self.tenant_id)

    # metering (api.graphql_metering): Usage, BillingReport, SlaReport, SlaViolation, batched
    usage = gm.tenant_usage
    billing = gm.tenant_billing
    sla = gm.tenant_sla
    sla_violations = gm.tenant_sla_violations


@strawberry.type
class LockdownProfile:
    name: str
    rules: int


@strawberry.type
class User:
    username: str
    common: bool
    con_id: int
    account_status: str


@strawberry.type
class Session:
    pid: int
    username: str
    container: str
    client: str


@strawberry.type
class Operation:
    """A long operation (create from a template, clone, unplug, plug, backup, restore, relocate):
    what REST answers 202 with, and GET /api/v1/operations/{id} shows."""

    operation_id: str
    kind: str
    target: str
    tenant: str | None
    username: str
    status: str  # RUNNING, SUCCEEDED, FAILED
    created_at: float
    finished_at: float | None
    result: JSON | None
    error: str | None  # the failure's message (with its ORA- number)
    error_sqlstate: str | None
    error_ora: str | None
    location: str  # /api/v1/operations/{id}: REST's Location header


def pdb_of(c: Container, owner: str | None) -> Pdb:
    return Pdb(
        name=c.name, con_id=c.con_id, open_mode=c.open_mode, status=c.status,
        service_tier=c.tier.lower(), tenant=owner, restricted=bool(c.restricted),
        location=c.location or "pdbs", saved_state=c.saved_state, max_size=c.max_size,
        max_temp_size=c.max_temp_size,
    )  # fmt: skip


def tenant_of(t: Any) -> Tenant:
    return Tenant(
        tenant_id=t.name, display_name=t.display_name, contact=t.contact, service_tier=t.tier.lower(),
        status=t.state.lower(), reason=t.reason, admin_user=t.admin_user, auto_scaling=bool(t.auto_scaling),
        backup_enabled=bool(t.backup), template=t.template, labels=dict(t.labels), quota=dict(t.quota),
    )  # fmt: skip


def tier_of(api: Api, t: resources.Tier) -> ServiceTier:
    figures = {k: v for k, v in vars(t).items() if k != "name"}
    price = str(metering_ops.base_monthly_price(api.server.metering, t.name))
    return ServiceTier(name=t.name.lower(), monthly_price=price, **figures)


def operation_of(op: OperationRow) -> Operation:
    err = op.error or {}
    return Operation(
        operation_id=op.id, kind=op.kind, target=op.target, tenant=op.tenant, username=op.username,
        status=op.status, created_at=op.created_at, finished_at=op.finished_at, result=op.result,
        error=err.get("detail") if op.error else None, error_sqlstate=err.get("sqlstate"),
        error_ora=err.get("ora"), location=f"/api/v1/operations/{op.id}",
    )  # fmt: skip


def ctx(info: Info) -> tuple[Api, Principal, Request]:
    c = info.context
    return c["api"], c["principal"], c["request"]
