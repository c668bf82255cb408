"""GraphQL at /api/v1/graphql (strawberry): the same principals, tenant context and operations as
the REST endpoints. Depth and token limits; a tenant's PDBs come through a DataLoader, so listing
1,000 tenants with their PDBs is a few catalog queries, not one per tenant."""

from typing import Any, Optional

import strawberry
from fastapi import APIRouter, Request
from strawberry.dataloader import DataLoader
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.fastapi import GraphQLRouter
from strawberry.types import Info

from api import graphql_metering as gm
from api.core import Api, Principal
from api.gql_cost import QueryCostLimiter
from api.problems import ApiError
from catalog.commands import pdbs as admin_sql
from catalog.commands import resources as resource_sql
from catalog.store import Container
from metering import ops as metering_ops
from pgwire.errors import DbError
from policies.source import SEED_ID
from tenants import ops, pdbs

MAX_DEPTH = 6
MAX_TOKENS = 2000
MAX_ITEMS = 1000


@strawberry.type
class Pdb:
    name: str
    con_id: int
    open_mode: str
    status: str
    service_tier: str
    tenant: str | None
    restricted: bool

    @strawberry.field
    async def owner(self, info: Info) -> Optional["Tenant"]:
        """The tenant that owns this PDB (batched)."""
        if self.tenant is None:
            return None
        return await info.context["tenant_loader"].load(self.tenant)

    usage = gm.pdb_usage  # metering (api.graphql_metering), batched


@strawberry.type
class ServiceTier:
    name: str
    cpu: int
    memory_mb: int
    storage_gb: int
    iops: int
    network_mbps: int
    sessions: int
    monthly_price: str  # [billing] base_monthly, a decimal string


@strawberry.type
class Tenant:
    tenant_id: str
    display_name: str
    service_tier: str
    status: str
    reason: str | None
    admin_user: str | None

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
    operation_id: str
    kind: str
    target: str
    status: str
    error: str | None


class CatalogLookups(SchemaExtension):
    """The number of batched catalog lookups a request made, and the SQL statements the catalog ran
    while it executed (others' too, if any ran meanwhile), in the result's extensions."""

    def on_execute(self) -> Any:
        ctx = self.execution_context.context
        store = ctx["api"].cdb.cat if isinstance(ctx, dict) and "api" in ctx else None
        before = store.statements if store is not None else 0
        yield
        if store is not None:
            ctx["catalog_statements"] = store.statements - before

    def get_results(self) -> dict[str, Any]:
        ctx = self.execution_context.context
        if not (isinstance(ctx, dict) and "lookups" in ctx):
            return {}
        out = {"catalog_lookups": ctx["lookups"][0]}
        if "catalog_statements" in ctx:
            out["catalog_statements"] = ctx["catalog_statements"]
        return out


def _pdb(c: Container, owner: str | None) -> Pdb:
    return Pdb(
        name=c.name, con_id=c.con_id, open_mode=c.open_mode, status=c.status,
        service_tier=c.tier.lower(), tenant=owner, restricted=bool(c.restricted),
    )  # fmt: skip


def _tenant(t: Any) -> Tenant:
    return Tenant(
        tenant_id=t.name, display_name=t.display_name, service_tier=t.tier.lower(),
        status=t.state.lower(), reason=t.reason, admin_user=t.admin_user,
    )  # fmt: skip


def _ctx(info: Info) -> tuple[Api, Principal, Request]:
    c = info.context
    return c["api"], c["principal"], c["request"]


class GqlError(Exception):
    def __init__(self, message: str, extensions: dict[str, Any]) -> None:
        super().__init__(message)
        self.extensions = extensions


def _err(e: Exception) -> GqlError:
    if isinstance(e, DbError):
        return GqlError(e.message, {"sqlstate": e.sqlstate})
    assert isinstance(e, ApiError)
    return GqlError(
        e.detail or e.title,
        {"status": e.status, **{k: v for k, v in e.extra.items() if k in ("sqlstate", "ora")}},
    )


@strawberry.type
class Query:
    @strawberry.field
    def tenants(self, info: Info, limit: int = 100) -> list[Tenant]:
        api, p, request = _ctx(info)
        try:
            seen = api.visible_tenants(request, p)
        except (ApiError, DbError) as e:
            raise _err(e) from None
        rows = [t for t in api.cdb.cat.tenants() if seen is None or t.name in seen]
        return [_tenant(t) for t in rows[: max(0, min(limit, MAX_ITEMS))]]

    @strawberry.field
    def tenant(self, info: Info, tenant_id: str) -> Tenant:
        api, p, request = _ctx(info)
        try:
            return _tenant(ops.get(api.cdb, api.scope_tenant(request, p, tenant_id)))
        except (ApiError, DbError) as e:
            raise _err(e) from None

    @strawberry.field
    def pdbs(self, info: Info) -> list[Pdb]:
        api, p, request = _ctx(info)
        try:
            seen = api.visible_tenants(request, p)
        except (ApiError, DbError) as e:
            raise _err(e) from None
        owners = api.cdb.cat.tenant_owners()
        return [
            _pdb(c, owners.get(c.con_id))
            for c in api.cdb.cat.containers()
            if c.con_id > SEED_ID and (seen is None or owners.get(c.con_id) in seen)
        ]

    @strawberry.field
    def service_tiers(self, info: Info) -> list[ServiceTier]:
        api, _p, _r = _ctx(info)
        return [
            ServiceTier(
                name=t.name.lower(),
                cpu=t.cpu,
                memory_mb=t.memory_mb,
                storage_gb=t.storage_gb,
                iops=t.iops,
                network_mbps=t.network_mbps,
                sessions=t.sessions,
                monthly_price=str(metering_ops.base_monthly_price(api.server.metering, t.name)),
            )  # fmt: skip
            for t in api.cdb.tiers.values()
        ]

    @strawberry.field
    def lockdown_profiles(self, info: Info) -> list[LockdownProfile]:
        api, _p, _r = _ctx(info)
        rules = api.cdb.cat.lockdown_rules()
        return [
            LockdownProfile(name=x.name, rules=sum(1 for r in rules if r.profile == x.name))
            for x in api.cdb.cat.lockdown_profiles()
        ]

    @strawberry.field
    def users(self, info: Info) -> list[User]:
        api, p, request = _ctx(info)
        seen = api.visible_tenants(request, p)
        owners = api.cdb.cat.tenant_owners()
        return [
            User(username=u.name, common=u.common, con_id=u.con_id, account_status=u.account_status)
            for u in api.cdb.cat.all_users()
            if seen is None or (not u.common and owners.get(u.con_id) in seen)
        ]

    @strawberry.field
    def sessions(self, info: Info) -> list[Session]:
        api, p, request = _ctx(info)
        seen = api.visible_tenants(request, p)
        owners = api.cdb.cat.tenant_owners()
        return [
            Session(pid=s.pid, username=s.user, container=s.container, client=s.peer)
            for s in api.server.sessions.by_pid.values()
            if seen is None or owners.get(s.con_id) in seen
        ]

    @strawberry.field
    def operation(self, info: Info, operation_id: str) -> Operation | None:
        api, p, _r = _ctx(info)
        op = api.cdb.cat.operation(operation_id)
        if op is None or not (p.admin or op.tenant == p.tenant):
            return None
        return Operation(
            operation_id=op.id, kind=op.kind, target=op.target, status=op.status,
            error=(op.error or {}).get("detail") if op.error else None,
        )  # fmt: skip


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def suspend_tenant(self, info: Info, tenant_id: str, reason: str | None = None) -> Tenant:
        api, p, request = _ctx(info)
        try:
            name = api.scope_tenant(request, p, tenant_id)
            await ops.suspend(api.cdb, p.user, name, reason)
            return _tenant(ops.get(api.cdb, name))
        except (ApiError, DbError) as e:
            raise _err(e) from None

    @strawberry.mutation
    async def resume_tenant(self, info: Info, tenant_id: str) -> Tenant:
        api, p, request = _ctx(info)
        try:
            name = api.scope_tenant(request, p, tenant_id)
            await ops.resume(api.cdb, p.user, name)
            return _tenant(ops.get(api.cdb, name))
        except (ApiError, DbError) as e:
            raise _err(e) from None

    @strawberry.mutation
    async def set_tenant_tier(self, info: Info, tenant_id: str, tier: str) -> Tenant:
        api, p, request = _ctx(info)
        try:
            name = api.scope_tenant(request, p, tenant_id)
            await ops.set_tier(api.cdb, p.user, name, resource_sql.tier_name(api.cdb, tier))
            return _tenant(ops.get(api.cdb, name))
        except (ApiError, DbError) as e:
            raise _err(e) from None

    @strawberry.mutation
    async def create_tenant(
        self,
        info: Info,
        tenant_id: str,
        admin_user: str,
        admin_password: str,
        service_tier: str | None = None,
    ) -> Tenant:
        """CREATE TENANT (from PDB$SEED; templates go through REST, as an operation)."""
        api, p, _request = _ctx(info)
        try:
            spec = ops.TenantSpec(
                name=tenant_id,
                admin_user=admin_user.upper(),
                admin_password=admin_password,
                tier=service_tier,
            )
            await ops.create_tenant(api.cdb, p.user, spec)
            await api.acknowledge_change()
            return _tenant(ops.get(api.cdb, tenant_id.upper()))
        except DbError as e:
            raise _err(e) from None

    @strawberry.mutation
    async def drop_tenant(self, info: Info, tenant_id: str, immediate: bool = False) -> bool:
        api, p, request = _ctx(info)
        try:
            name = api.scope_tenant(request, p, tenant_id)
            await ops.drop_tenant(api.cdb, p.user, name, immediate)
            await api.acknowledge_change()
            return True
        except (ApiError, DbError) as e:
            raise _err(e) from None

    @strawberry.mutation
    async def open_pdb(self, info: Info, name: str, read_only: bool = False) -> Pdb:
        return await _alter_pdb(info, name, "OPEN", mode="READ ONLY" if read_only else "READ WRITE")

    @strawberry.mutation
    async def close_pdb(self, info: Info, name: str, immediate: bool = False) -> Pdb:
        return await _alter_pdb(info, name, "CLOSE", immediate=immediate)


async def _alter_pdb(info: Info, name: str, action: str, **kw: Any) -> Pdb:
    api, p, request = _ctx(info)
    try:
        c = api.scope_pdb(request, p, name)
        await pdbs.execute(api.cdb, admin_sql.AlterPdb([c.name], False, [], action, **kw), p.user)
        await api.acknowledge_change()
        c = api.cdb.require_pdb(c.name)
        return _pdb(c, api.cdb.cat.tenant_of(c.con_id))
    except (ApiError, DbError) as e:
        raise _err(e) from None


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        CatalogLookups,
        QueryCostLimiter,
        QueryDepthLimiter(max_depth=MAX_DEPTH),
        MaxTokensLimiter(max_token_count=MAX_TOKENS),
        MaxAliasesLimiter(max_alias_count=30),
    ],
)


def router(api: Api) -> APIRouter:
    async def context(request: Request) -> dict[str, Any]:
        p = api.principal_of(request)  # 401 / 429 before any GraphQL
        lookups = [0]

        async def load_pdbs(names: list[str]) -> list[list[Pdb]]:
            lookups[0] += 2  # one query for the owners, one for the containers
            owners = api.cdb.cat.tenant_owners()
            by: dict[str, list[Pdb]] = {}
            for c in api.cdb.cat.containers():
                t = owners.get(c.con_id)
                if t is not None:
                    by.setdefault(t, []).append(_pdb(c, t))
            return [by.get(n, []) for n in names]

        async def load_tenants(names: list[str]) -> list[Tenant | None]:
            lookups[0] += 1
            seen = api.visible_tenants(request, p)
            rows = {t.name: t for t in api.cdb.cat.tenants() if seen is None or t.name in seen}
            return [_tenant(rows[n]) if n in rows else None for n in names]

        return {
            "api": api,
            "principal": p,
            "request": request,
            "pdb_loader": DataLoader(load_fn=load_pdbs),
            "tenant_loader": DataLoader(load_fn=load_tenants),
            "lookups": lookups,
            **gm.loaders(api, lookups),
        }

    return GraphQLRouter(schema, path="/graphql", context_getter=context, graphql_ide=None)
