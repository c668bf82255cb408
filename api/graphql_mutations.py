"""GraphQL's mutations: each one the REST endpoint of the same name does, through the same
functions (tenants.ops, tenants.pdbs, tenants.tiers, api.long_ops, api.catalog_statements, which
the admin SQL calls too), with the same tenant context checks (Api.scope_tenant / scope_pdb), the
same privilege checks (inside those functions), the same input validation (REST's pydantic
bodies) and the same errors: a GraphQL error whose extensions carry the HTTP status REST gives,
the SQLSTATE and the ORA- number. Long operations return the Operation REST answers 202 with.
Each mutation's outcome goes to the request's audit row (api.graphql_errors.record).

REST-only (not named by the brief, each reachable by REST and SQL): tokens and API keys, users,
roles and grants, lockdown rules and dropping a profile, CDB resource plans and directives, PDB
parameters, tenant templates, closing a billing period, cancelling or ending sessions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from fastapi import Request
from pydantic import BaseModel, ValidationError
from strawberry.scalars import JSON
from strawberry.types import Info

from api import catalog_statements, long_ops, render
from api import schemas as S
from api.admin_rest import RelocateRequest, TierUpdate, tier_out
from api.core import Api, Principal, check_etag, client_of, etag_of
from api.graphql_errors import failed, record
from api.graphql_types import (
    BigInt,
    LockdownProfile,
    Operation,
    Pdb,
    ServiceTier,
    Tenant,
    ctx,
    operation_of,
    pdb_of,
    tenant_of,
    tier_figure_types,
    tier_of,
)
from api.problems import ApiError
from catalog.commands import pdbs as admin_sql
from catalog.commands import resources as resource_sql
from catalog.store import Container
from pgwire.errors import DbError
from tenants import ops, pdbs, tiers

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


async def _run(info: Info, work: Callable[[Api, Principal, Request], Awaitable[T]]) -> T:
    """Run a mutation's work: its errors as GraphQL errors; its outcome recorded for the audit;
    every engine told of the catalog change before the answer, as the SQL path does."""
    api, p, request = ctx(info)
    try:
        out = await work(api, p, request)
    except (ApiError, DbError, ValidationError) as e:
        raise failed(info, e) from None
    record(info, None)
    await api.acknowledge_change()
    return out


def _body(model: type[M], **given: Any) -> M:
    """REST's body model, from a mutation's arguments (None: not given): the same validation."""
    return model(**{k: v for k, v in given.items() if v is not None})


def _tenant_row(api: Api, p: Principal, request: Request, tenant_id: str) -> Any:
    return ops.get(api.cdb, api.scope_tenant(request, p, tenant_id))


def _pdb_now(api: Api, c: Container) -> Pdb:
    fresh = api.cdb.require_pdb(c.name)
    return pdb_of(fresh, api.cdb.cat.tenant_of(fresh.con_id))


async def _alter_pdb(info: Info, name: str, action: str, if_match: str | None = None, **kw: Any) -> Pdb:
    """ALTER PLUGGABLE DATABASE name <action> through tenants.pdbs.execute (REST's alter)."""

    async def work(api: Api, p: Principal, request: Request) -> Pdb:
        c = api.scope_pdb(request, p, name)
        check_etag(if_match, render.pdb_out(api.cdb, c))
        cmd = admin_sql.AlterPdb(names=[c.name], all=False, except_names=[], action=action, **kw)
        await pdbs.execute(api.cdb, cmd, p.user)
        return _pdb_now(api, c)

    return await _run(info, work)


@strawberry.input
class CpuQuotaInput:
    min_percent: int | None = None
    max_percent: int | None = None
    shares: BigInt | None = None


@strawberry.input
class MemoryQuotaInput:
    min_mb: BigInt | None = None
    max_mb: BigInt | None = None


@strawberry.input
class IoQuotaInput:
    min_iops: BigInt | None = None
    max_iops: BigInt | None = None
    min_mbps: BigInt | None = None
    max_mbps: BigInt | None = None


# The figures to change (those not given stay); ALTER SERVICE TIER's keys.
ServiceTierFiguresInput = strawberry.input(
    description="The figures to change (those not given stay); ALTER SERVICE TIER's keys.",
)(
    type(
        "ServiceTierFiguresInput",
        (),
        {
            "__annotations__": tier_figure_types(optional=True),
            "__doc__": "The figures to change (those not given stay); ALTER SERVICE TIER's keys.",
            **{k: None for k in tier_figure_types(optional=True)},
        },
    )
)


@strawberry.type
class ServiceTierChange:
    tier: ServiceTier
    notices: list[str]
    etag: str  # the tier's ETag now (REST's ETag header of GET /service-tiers/{name})


def _given(obj: Any) -> dict[str, Any]:
    """An input object's fields that were given a value."""
    return {k: v for k, v in vars(obj).items() if v is not None} if obj is not None else {}


@strawberry.type
class Mutation:
    # ------------------------------------------------------------ tenants

    @strawberry.mutation
    async def create_tenant(
        self,
        info: Info,
        tenant_id: str,
        admin_user: str,
        admin_password: str,
        service_tier: str | None = None,
        display_name: str | None = None,
        contact: str | None = None,
        auto_scaling: bool = False,
        backup_enabled: bool = False,
        labels: JSON | None = None,
    ) -> Tenant:
        """CREATE TENANT from PDB$SEED (POST /tenants); from a template: createTenantFromTemplate."""

        async def work(api: Api, p: Principal, request: Request) -> Tenant:
            api.header_tenant(request, p)
            body = _body(
                S.TenantCreate, tenant_name=tenant_id, admin_user=admin_user, admin_password=admin_password,
                service_tier=service_tier, display_name=display_name, contact=contact,
                auto_scaling=auto_scaling, backup_enabled=backup_enabled, labels=labels,
            )  # fmt: skip
            spec, _password = long_ops.tenant_spec(body)
            await ops.create_tenant(api.cdb, p.user, spec)
            return tenant_of(ops.get(api.cdb, body.tenant_name.upper()))

        return await _run(info, work)

    @strawberry.mutation
    async def create_tenant_from_template(
        self,
        info: Info,
        tenant_id: str,
        template: str,
        admin_user: str,
        admin_password: str,
        service_tier: str | None = None,
        display_name: str | None = None,
        contact: str | None = None,
        auto_scaling: bool = False,
        backup_enabled: bool = False,
        labels: JSON | None = None,
    ) -> Operation:
        """CREATE TENANT ... FROM TEMPLATE (POST /tenants with a template): a long operation."""

        async def work(api: Api, p: Principal, request: Request) -> Operation:
            api.header_tenant(request, p)
            body = _body(
                S.TenantCreate, tenant_name=tenant_id, template=template, admin_user=admin_user,
                admin_password=admin_password, service_tier=service_tier, display_name=display_name,
                contact=contact, auto_scaling=auto_scaling, backup_enabled=backup_enabled, labels=labels,
            )  # fmt: skip
            spec, _password = long_ops.tenant_spec(body)
            return operation_of(long_ops.start_tenant_from_template(api, p, spec))

        return await _run(info, work)

    @strawberry.mutation
    async def update_tenant(
        self,
        info: Info,
        tenant_id: str,
        display_name: str | None = None,
        contact: str | None = None,
        auto_scaling: bool | None = None,
        backup_enabled: bool | None = None,
        labels: JSON | None = None,
        if_match: str | None = None,
    ) -> Tenant:
        """ALTER TENANT t SET ... (PUT /tenants/{id}); ifMatch: the tenant's ETag."""

        async def work(api: Api, p: Principal, request: Request) -> Tenant:
            t = _tenant_row(api, p, request, tenant_id)
            check_etag(if_match, render.tenant_out(api, t))
            body = _body(
                S.TenantUpdate, display_name=display_name, contact=contact, auto_scaling=auto_scaling,
                backup_enabled=backup_enabled, labels=labels,
            )  # fmt: skip
            ops.set_options(api.cdb, p.user, t.name, **body.options())
            return tenant_of(ops.get(api.cdb, t.name))

        return await _run(info, work)

    @strawberry.mutation
    async def drop_tenant(
        self, info: Info, tenant_id: str, immediate: bool = False, if_match: str | None = None
    ) -> bool:
        """DROP TENANT t [IMMEDIATE] (DELETE /tenants/{id})."""

        async def work(api: Api, p: Principal, request: Request) -> bool:
            t = _tenant_row(api, p, request, tenant_id)
            check_etag(if_match, render.tenant_out(api, t))
            await ops.drop_tenant(api.cdb, p.user, t.name, immediate)
            return True

        return await _run(info, work)

    @strawberry.mutation
    async def undrop_tenant(self, info: Info, tenant_id: str) -> Tenant:
        """UNDROP TENANT t (POST /tenants/{id}/undrop)."""

        async def work(api: Api, p: Principal, request: Request) -> Tenant:
            t = _tenant_row(api, p, request, tenant_id)
            await ops.undrop_tenant(api.cdb, p.user, t.name)
            return tenant_of(ops.get(api.cdb, t.name))

        return await _run(info, work)

    @strawberry.mutation
    async def suspend_tenant(self, info: Info, tenant_id: str, reason: str | None = None) -> Tenant:
        """ALTER TENANT t SUSPEND (POST /tenants/{id}/suspend)."""
        return await _transition(info, tenant_id, "SUSPEND", reason)

    @strawberry.mutation
    async def resume_tenant(self, info: Info, tenant_id: str) -> Tenant:
        """ALTER TENANT t RESUME (POST /tenants/{id}/resume)."""
        return await _transition(info, tenant_id, "RESUME", None)

    @strawberry.mutation
    async def set_tenant_maintenance(self, info: Info, tenant_id: str, reason: str | None = None) -> Tenant:
        """ALTER TENANT t MAINTENANCE (POST /tenants/{id}/maintenance)."""
        return await _transition(info, tenant_id, "MAINTENANCE", reason)

    @strawberry.mutation
    async def migrate_tenant(self, info: Info, tenant_id: str, reason: str | None = None) -> Tenant:
        """ALTER TENANT t MIGRATE (POST /tenants/{id}/migrate): logins wait until it is resumed."""
        return await _transition(info, tenant_id, "MIGRATE", reason)

    @strawberry.mutation
    async def set_tenant_tier(
        self, info: Info, tenant_id: str, tier: str, if_match: str | None = None
    ) -> Tenant:
        """ALTER TENANT t SET SERVICE TIER x, online (PUT /tenants/{id}/tier)."""

        async def work(api: Api, p: Principal, request: Request) -> Tenant:
            t = _tenant_row(api, p, request, tenant_id)
            check_etag(if_match, render.tenant_out(api, t))
            body = _body(S.TierChange, tier=tier)
            await ops.set_tier(api.cdb, p.user, t.name, body.tier)
            return tenant_of(ops.get(api.cdb, t.name))

        return await _run(info, work)

    @strawberry.mutation
    async def set_tenant_quota(
        self,
        info: Info,
        tenant_id: str,
        cpu: CpuQuotaInput | None = None,
        memory: MemoryQuotaInput | None = None,
        io: IoQuotaInput | None = None,
        if_match: str | None = None,
    ) -> Tenant:
        """ALTER TENANT t QUOTA (...) (PUT /tenants/{id}/quota)."""

        async def work(api: Api, p: Principal, request: Request) -> Tenant:
            t = _tenant_row(api, p, request, tenant_id)
            check_etag(if_match, render.tenant_out(api, t))
            body = S.Quota(
                cpu=S.CpuQuota(**_given(cpu)) if cpu is not None else None,
                memory=S.MemoryQuota(**_given(memory)) if memory is not None else None,
                io=S.IoQuota(**_given(io)) if io is not None else None,
            )
            await ops.set_quota(api.cdb, p.user, t.name, body.quota_keys())
            return tenant_of(ops.get(api.cdb, t.name))

        return await _run(info, work)

    # ------------------------------------------------------------ PDBs

    @strawberry.mutation
    async def create_pdb(
        self,
        info: Info,
        pdb_name: str,
        admin_user: str,
        admin_password: str,
        service_tier: str | None = None,
        tenant: str | None = None,
        max_size_bytes: BigInt | None = None,
    ) -> Pdb:
        """CREATE PLUGGABLE DATABASE p ADMIN USER u IDENTIFIED BY pw [SERVICE TIER] [TENANT] (POST /pdbs)."""

        async def work(api: Api, p: Principal, request: Request) -> Pdb:
            body = _body(
                S.PdbCreate, pdb_name=pdb_name, admin_user=admin_user, admin_password=admin_password,
                service_tier=service_tier, tenant=tenant, max_size_bytes=max_size_bytes,
            )  # fmt: skip
            if body.tenant is not None:
                api.scope_tenant(request, p, body.tenant)
            cmd = admin_sql.CreatePdb(
                name=body.pdb_name.upper(), admin_user=body.admin_user.upper(),
                admin_password=body.admin_password, max_size=body.max_size_bytes, tier=body.service_tier,
                tenant=body.tenant.upper() if body.tenant else None,
            )  # fmt: skip
            await pdbs.execute(api.cdb, cmd, p.user)
            c = api.cdb.require_pdb(cmd.name)
            return pdb_of(c, api.cdb.cat.tenant_of(c.con_id))

        return await _run(info, work)

    @strawberry.mutation
    async def open_pdb(
        self,
        info: Info,
        name: str,
        read_only: bool = False,
        mode: str | None = None,
        restricted: bool = False,
        force: bool = False,
    ) -> Pdb:
        """ALTER PLUGGABLE DATABASE p OPEN [READ_WRITE | READ_ONLY | UPGRADE | MIGRATE] [RESTRICTED]
        [FORCE] (POST /pdbs/{id}/open); readOnly: mode READ_ONLY."""
        try:
            body = _body(
                S.OpenRequest,
                mode=mode or ("READ_ONLY" if read_only else None),
                restricted=restricted,
                force=force,
            )
        except ValidationError as e:
            raise failed(info, e) from None
        return await _alter_pdb(
            info, name, "OPEN", mode=body.mode.replace("_", " "), restricted=body.restricted, force=body.force
        )

    @strawberry.mutation
    async def close_pdb(self, info: Info, name: str, immediate: bool = False) -> Pdb:
        """ALTER PLUGGABLE DATABASE p CLOSE [IMMEDIATE] (POST /pdbs/{id}/close)."""
        return await _alter_pdb(info, name, "CLOSE", immediate=immediate)

    @strawberry.mutation
    async def save_pdb_state(self, info: Info, name: str) -> Pdb:
        """ALTER PLUGGABLE DATABASE p SAVE STATE (POST /pdbs/{id}/save-state)."""
        return await _alter_pdb(info, name, "SAVE STATE")

    @strawberry.mutation
    async def discard_pdb_state(self, info: Info, name: str) -> Pdb:
        """ALTER PLUGGABLE DATABASE p DISCARD STATE (DELETE /pdbs/{id}/saved-state)."""
        return await _alter_pdb(info, name, "DISCARD STATE")

    @strawberry.mutation
    async def set_pdb_tier(self, info: Info, name: str, tier: str, if_match: str | None = None) -> Pdb:
        """ALTER PLUGGABLE DATABASE p SET SERVICE TIER t, online (PUT /pdbs/{id}/tier)."""
        try:
            body = _body(S.TierChange, tier=tier)
        except ValidationError as e:
            raise failed(info, e) from None
        return await _alter_pdb(info, name, "TIER", if_match, tier=body.tier)

    @strawberry.mutation
    async def set_pdb_storage(
        self,
        info: Info,
        name: str,
        max_size_bytes: BigInt | None = None,
        max_temp_size_bytes: BigInt | None = None,
        if_match: str | None = None,
    ) -> Pdb:
        """ALTER PLUGGABLE DATABASE p STORAGE (MAXSIZE n [, MAX_SHARED_TEMP_SIZE n]) | UNLIMITED
        (PUT /pdbs/{id}/storage; no maxSizeBytes: UNLIMITED)."""
        try:
            body = _body(
                S.StorageChange, max_size_bytes=max_size_bytes, max_temp_size_bytes=max_temp_size_bytes
            )
        except ValidationError as e:
            raise failed(info, e) from None
        return await _alter_pdb(
            info,
            name,
            "STORAGE",
            if_match,
            max_size=body.max_size_bytes or 0,
            max_temp_size=body.max_temp_size_bytes,
        )

    @strawberry.mutation
    async def drop_pdb(self, info: Info, name: str, including_datafiles: bool = True) -> bool:
        """DROP PLUGGABLE DATABASE p [INCLUDING | KEEP] DATAFILES (DELETE /pdbs/{id})."""

        async def work(api: Api, p: Principal, request: Request) -> bool:
            c = api.scope_pdb(request, p, name)
            await pdbs.execute(api.cdb, admin_sql.DropPdb(c.name, False, including_datafiles), p.user)
            return True

        return await _run(info, work)

    @strawberry.mutation
    async def clone_pdb(
        self,
        info: Info,
        name: str,
        target_name: str,
        clone_type: str = "hot",
        service_tier: str | None = None,
    ) -> Operation:
        """CREATE PLUGGABLE DATABASE target FROM p [SNAPSHOT COPY] [NO DATA] (POST /pdbs/{id}/clone):
        a long operation; cloneType full, hot, snapshot or metadata."""

        async def work(api: Api, p: Principal, request: Request) -> Operation:
            c = api.scope_pdb(request, p, name)
            body = _body(
                S.CloneRequest, target_name=target_name, clone_type=clone_type, service_tier=service_tier
            )
            return operation_of(long_ops.start_clone(api, p, c, body))

        return await _run(info, work)

    @strawberry.mutation
    async def unplug_pdb(self, info: Info, name: str, xml_path: str) -> Operation:
        """ALTER PLUGGABLE DATABASE p UNPLUG INTO 'file' (POST /pdbs/{id}/unplug): a long operation."""

        async def work(api: Api, p: Principal, request: Request) -> Operation:
            c = api.scope_pdb(request, p, name)
            body = _body(S.UnplugRequest, xml_path=xml_path)
            return operation_of(long_ops.start_unplug(api, p, c, body))

        return await _run(info, work)

    @strawberry.mutation
    async def plug_pdb(
        self, info: Info, xml_path: str, pdb_name: str, as_clone: bool = False, file_mode: str = "COPY"
    ) -> Operation:
        """CREATE PLUGGABLE DATABASE p [AS CLONE] USING 'file' [COPY | MOVE | NOCOPY]
        (POST /pdbs/plug): a long operation."""

        async def work(api: Api, p: Principal, request: Request) -> Operation:
            api.header_tenant(request, p)
            body = _body(
                S.PlugRequest, xml_path=xml_path, pdb_name=pdb_name, as_clone=as_clone, file_mode=file_mode
            )
            return operation_of(long_ops.start_plug(api, p, body))

        return await _run(info, work)

    @strawberry.mutation
    async def relocate_pdb(
        self, info: Info, name: str, location: str, availability: str = "NORMAL"
    ) -> Operation:
        """ALTER PLUGGABLE DATABASE p RELOCATE TO 'location' [AVAILABILITY NORMAL | MAX]
        (POST /pdbs/{id}/relocate): its files move to another storage location; a long operation."""

        async def work(api: Api, p: Principal, request: Request) -> Operation:
            c = api.scope_pdb(request, p, name)
            body = _body(RelocateRequest, location=location, availability=availability)
            return operation_of(long_ops.start_relocation(api, p, c, body.location, body.availability))

        return await _run(info, work)

    @strawberry.mutation
    async def backup_pdb(self, info: Info, name: str) -> Operation:
        """BACKUP PLUGGABLE DATABASE p (POST /pdbs/{id}/backups): a long operation."""

        async def work(api: Api, p: Principal, request: Request) -> Operation:
            return operation_of(long_ops.start_backup(api, p, api.scope_pdb(request, p, name)))

        return await _run(info, work)

    @strawberry.mutation
    async def restore_pdb(
        self, info: Info, name: str, backup_id: str, new_name: str | None = None
    ) -> Operation:
        """RESTORE PLUGGABLE DATABASE p FROM BACKUP 'id' [AS new] (POST /pdbs/{id}/restore)."""

        async def work(api: Api, p: Principal, request: Request) -> Operation:
            c = api.scope_pdb(request, p, name)
            body = _body(S.RestoreRequest, backup_id=backup_id, new_name=new_name)
            return operation_of(long_ops.start_restore(api, p, c, body))

        return await _run(info, work)

    # ------------------------------------------------------------ lockdown profiles

    @strawberry.mutation
    async def create_lockdown_profile(
        self,
        info: Info,
        name: str,
        disabled_statements: list[str] | None = None,
        disabled_features: list[str] | None = None,
        disabled_options: list[str] | None = None,
        allow_os_access: bool = False,
    ) -> LockdownProfile:
        """CREATE LOCKDOWN PROFILE p and its DISABLE rules (POST /cdb/lockdown-profiles)."""

        async def work(api: Api, p: Principal, _request: Request) -> LockdownProfile:
            body = _body(
                S.LockdownProfileCreate, name=name, disabled_statements=disabled_statements,
                disabled_features=disabled_features, disabled_options=disabled_options,
                allow_os_access=allow_os_access,
            )  # fmt: skip
            made = catalog_statements.create_lockdown_profile(api.cdb, p.user, p.admin, body)
            return LockdownProfile(name=made, rules=len(api.cdb.cat.lockdown_rules(made)))

        return await _run(info, work)

    @strawberry.mutation
    async def set_pdb_lockdown_profile(self, info: Info, name: str, profile: str | None) -> Pdb:
        """ALTER SYSTEM SET PDB_LOCKDOWN = profile in the PDB, null: RESET (POST /pdbs/{id}/lockdown)."""

        async def work(api: Api, p: Principal, request: Request) -> Pdb:
            c = api.scope_pdb(request, p, name)
            body = S.LockdownAssign(profile=profile)
            catalog_statements.set_pdb_lockdown(api.cdb, c.con_id, p.user, body.profile)
            return _pdb_now(api, c)

        return await _run(info, work)

    # ------------------------------------------------------------ service tiers

    @strawberry.mutation
    async def alter_service_tier(
        self,
        info: Info,
        name: str,
        set: ServiceTierFiguresInput | None = None,  # noqa: A002 - ALTER SERVICE TIER's word
        reset: list[str] | None = None,
        reset_all: bool = False,
        if_match: str | None = None,
    ) -> ServiceTierChange:
        """ALTER SERVICE TIER name SET (...) / RESET (...) / RESET ALL (PUT /service-tiers/{name}):
        the tier's figures at runtime, kept in the catalog, applied online to its open PDBs; reset
        names figures going back to conf/tiers.toml; ifMatch: the tier's ETag."""

        async def work(api: Api, p: Principal, request: Request) -> ServiceTierChange:
            cdb = api.cdb
            tier = resource_sql.tier_name(cdb, name)
            check_etag(if_match, tier_out(cdb.tiers[tier]))
            changes = _given(set)
            TierUpdate(**changes, reset_all=reset_all)  # REST's bounds on each figure
            t, notices = await tiers.alter_tier(
                cdb, p.user, tier, changes, list(reset or []), reset_all, client_of(request)
            )
            return ServiceTierChange(tier=tier_of(api, t), notices=notices, etag=etag_of(tier_out(t)))

        return await _run(info, work)


async def _transition(info: Info, tenant_id: str, action: str, reason: str | None) -> Tenant:
    """A tenant's state change (REST's transition): the one function of tenants.ops each."""

    async def work(api: Api, p: Principal, request: Request) -> Tenant:
        t = _tenant_row(api, p, request, tenant_id)
        why = _body(S.Reason, reason=reason).reason
        if action == "SUSPEND":
            await ops.suspend(api.cdb, p.user, t.name, why)
        elif action == "RESUME":
            await ops.resume(api.cdb, p.user, t.name)
        elif action == "MAINTENANCE":
            await ops.maintenance(api.cdb, p.user, t.name, why)
        else:
            await ops.set_migrating(api.cdb, p.user, t.name, why)
        return tenant_of(ops.get(api.cdb, t.name))

    return await _run(info, work)
