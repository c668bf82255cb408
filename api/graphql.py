"""GraphQL at /api/v1/graphql (strawberry): the same principals, tenant context and operations as
the REST endpoints, through the same functions (queries here, mutations in api.graphql_mutations,
types in api.graphql_types). Depth, token, alias and cost limits; a tenant's PDBs come through a
DataLoader, so listing 1,000 tenants with their PDBs is a few catalog queries, not one per tenant."""

from typing import Any

import strawberry
from fastapi import APIRouter, Request
from strawberry.dataloader import DataLoader
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.fastapi import GraphQLRouter
from strawberry.types import Info

from api import graphql_metering as gm
from api.core import Api
from api.gql_cost import QueryCostLimiter
from api.graphql_errors import GqlError, gql_error
from api.graphql_mutations import Mutation
from api.graphql_types import (
    LockdownProfile,
    Operation,
    Pdb,
    ServiceTier,
    Session,
    Tenant,
    User,
    ctx,
    operation_of,
    pdb_of,
    tenant_of,
    tier_of,
)
from api.problems import ApiError
from catalog.commands import resources as resource_sql
from catalog.store import counted_statements
from pgwire.errors import DbError
from policies.source import SEED_ID
from tenants import ops

__all__ = ["GqlError", "router", "schema"]

MAX_DEPTH = 6
MAX_TOKENS = 2000
MAX_ITEMS = 1000


class CatalogLookups(SchemaExtension):
    """The number of batched catalog lookups a request made, and the SQL statements the catalog ran
    for it (its own: not the background loops' or other requests' meanwhile), in the result's
    extensions."""

    def on_execute(self) -> Any:
        ctx = self.execution_context.context
        if not (isinstance(ctx, dict) and "api" in ctx):
            yield
            return
        with counted_statements() as tally:
            yield
        ctx["catalog_statements"] = tally[0]

    def get_results(self) -> dict[str, Any]:
        ctx = self.execution_context.context
        if not (isinstance(ctx, dict) and "lookups" in ctx):
            return {}
        out = {"catalog_lookups": ctx["lookups"][0]}
        if "catalog_statements" in ctx:
            out["catalog_statements"] = ctx["catalog_statements"]
        return out


@strawberry.type
class Query:
    @strawberry.field
    def tenants(self, info: Info, limit: int = 100) -> list[Tenant]:
        api, p, request = ctx(info)
        try:
            seen = api.visible_tenants(request, p)
        except (ApiError, DbError) as e:
            raise gql_error(e) from None
        rows = [t for t in api.cdb.cat.tenants() if seen is None or t.name in seen]
        return [tenant_of(t) for t in rows[: max(0, min(limit, MAX_ITEMS))]]

    @strawberry.field
    def tenant(self, info: Info, tenant_id: str) -> Tenant:
        api, p, request = ctx(info)
        try:
            return tenant_of(ops.get(api.cdb, api.scope_tenant(request, p, tenant_id)))
        except (ApiError, DbError) as e:
            raise gql_error(e) from None

    @strawberry.field
    def pdbs(self, info: Info) -> list[Pdb]:
        api, p, request = ctx(info)
        try:
            seen = api.visible_tenants(request, p)
        except (ApiError, DbError) as e:
            raise gql_error(e) from None
        owners = api.cdb.cat.tenant_owners()
        return [
            pdb_of(c, owners.get(c.con_id))
            for c in api.cdb.cat.containers()
            if c.con_id > SEED_ID and (seen is None or owners.get(c.con_id) in seen)
        ]

    @strawberry.field
    def pdb(self, info: Info, name: str) -> Pdb:
        """One PDB (GET /pdbs/{id}): an admin's, or one of the tenant's own."""
        api, p, request = ctx(info)
        try:
            c = api.scope_pdb(request, p, name)
        except (ApiError, DbError) as e:
            raise gql_error(e) from None
        return pdb_of(c, api.cdb.cat.tenant_of(c.con_id))

    @strawberry.field
    def service_tiers(self, info: Info) -> list[ServiceTier]:
        api, _p, _r = ctx(info)
        return [tier_of(api, t) for t in api.cdb.tiers.values()]

    @strawberry.field
    def service_tier(self, info: Info, name: str) -> ServiceTier:
        api, _p, _r = ctx(info)
        try:
            return tier_of(api, api.cdb.tiers[resource_sql.tier_name(api.cdb, name)])
        except DbError as e:
            raise gql_error(e) from None

    @strawberry.field
    def lockdown_profiles(self, info: Info) -> list[LockdownProfile]:
        api, _p, _r = ctx(info)
        rules = api.cdb.cat.lockdown_rules()
        return [
            LockdownProfile(name=x.name, rules=sum(1 for r in rules if r.profile == x.name))
            for x in api.cdb.cat.lockdown_profiles()
        ]

    @strawberry.field
    def users(self, info: Info) -> list[User]:
        api, p, request = ctx(info)
        try:
            seen = api.visible_tenants(request, p)
        except (ApiError, DbError) as e:
            raise gql_error(e) from None
        owners = api.cdb.cat.tenant_owners()
        return [
            User(username=u.name, common=u.common, con_id=u.con_id, account_status=u.account_status)
            for u in api.cdb.cat.all_users()
            if seen is None or (not u.common and owners.get(u.con_id) in seen)
        ]

    @strawberry.field
    def sessions(self, info: Info) -> list[Session]:
        api, p, request = ctx(info)
        try:
            seen = api.visible_tenants(request, p)
        except (ApiError, DbError) as e:
            raise gql_error(e) from None
        owners = api.cdb.cat.tenant_owners()
        return [
            Session(pid=s.pid, username=s.user, container=s.container, client=s.peer)
            for s in api.server.sessions.by_pid.values()
            if seen is None or owners.get(s.con_id) in seen
        ]

    @strawberry.field
    def operation(self, info: Info, operation_id: str) -> Operation | None:
        """A long operation (GET /operations/{id}): an admin's, its tenant's or its starter's."""
        api, p, _r = ctx(info)
        op = api.cdb.cat.operation(operation_id)
        if op is None or not (
            p.admin or (op.tenant is not None and op.tenant == p.tenant) or op.username == p.user.name
        ):
            return None
        return operation_of(op)

    @strawberry.field
    def operations(self, info: Info, status: str | None = None, limit: int = 100) -> list[Operation]:
        """Long operations (GET /operations): every one for an admin, the tenant's otherwise."""
        api, p, request = ctx(info)
        try:
            seen = api.visible_tenants(request, p)
        except (ApiError, DbError) as e:
            raise gql_error(e) from None
        rows = [
            o
            for o in api.cdb.cat.operations()
            if (seen is None or o.tenant in seen) and (status is None or o.status == status.upper())
        ]
        return [operation_of(o) for o in rows[: max(0, min(limit, MAX_ITEMS))]]


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
                    by.setdefault(t, []).append(pdb_of(c, t))
            return [by.get(n, []) for n in names]

        async def load_tenants(names: list[str]) -> list[Tenant | None]:
            lookups[0] += 1
            seen = api.visible_tenants(request, p)
            rows = {t.name: t for t in api.cdb.cat.tenants() if seen is None or t.name in seen}
            return [tenant_of(rows[n]) if n in rows else None for n in names]

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
