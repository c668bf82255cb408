"""The REST endpoints. Each handler resolves who and which tenant, then calls the one function the
admin SQL calls (tenants.ops, tenants.pdbs, tenants.backups, catalog.commands.*): the same
privilege checks, the same errors."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from api import catalog_statements, long_ops, render
from api import keys as api_keys
from api import schemas as S
from api.admin_rest import tier_out
from api.core import Api, Principal, check_if_match, client_of, etag_of, operation_out, page, page_rows
from api.problems import ApiError
from catalog.commands import pdbs as admin_sql
from catalog.commands import plans as plan_sql
from catalog.commands import resources as resource_sql
from catalog.store import Container, Operation
from catalog.store import Tenant as TenantRow
from conf import VERSION
from pgcompat import container_commands
from pgcompat import statements as stmts
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID
from tenants import ops, pdbs, states

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": S.Problem, "content": {"application/problem+json": {}}}
    for code in (400, 401, 403, 404, 409, 412, 422, 429)
}


def _combine(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A tenant's figures over its PDBs: counters and budgets summed, percentages the highest."""
    out: dict[str, Any] = {}
    for item in items:
        for k, v in item.items():
            if k in ("tenant_id", "pdb_name"):
                continue
            if isinstance(v, int | float) and not isinstance(v, bool):
                out[k] = max(out.get(k, v), v) if k.endswith("_percent") else out.get(k, 0) + v
            else:
                out.setdefault(k, v)
    return out


class ListParams:
    """limit, an opaque cursor, sort (field or -field)."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
        sort: Annotated[str | None, Query(pattern=r"^-?[a-z_]+$")] = None,
    ) -> None:
        self.limit, self.cursor, self.sort = limit, cursor, sort


def _number(v: Any) -> Any:
    """SHOW RESOURCES gives text; the API gives numbers where they are numbers."""
    if isinstance(v, str):
        for kind in (int, float):
            try:
                return kind(v)
            except ValueError:
                pass
    return v


def router(api: Api) -> APIRouter:  # noqa: C901 - one closure per endpoint, over the server's state
    r = APIRouter(prefix="/api/v1", responses=PROBLEMS)

    Who = Annotated[Principal, Depends(api.principal)]
    Listing = Annotated[ListParams, Depends(ListParams)]
    cdb = api.cdb

    # ------------------------------------------------------------ renderings

    def tenant_out(t: TenantRow, c_list: list[Container] | None = None) -> dict[str, Any]:
        return render.tenant_out(api, t, c_list)

    def pdb_out(c: Container) -> dict[str, Any]:
        return render.pdb_out(cdb, c)

    def op_out(op: Operation) -> dict[str, Any]:
        return operation_out(op)

    def accepted(op: Operation) -> JSONResponse:
        return JSONResponse(op_out(op), status_code=202, headers={"Location": f"/api/v1/operations/{op.id}"})

    def created(body: Any, location: str, *, etag: bool = False) -> JSONResponse:
        """201 with the new resource's Location (under /api/v1) and, for resources PUT may
        change under If-Match, its ETag."""
        headers = {"Location": f"/api/v1{location}"}
        if etag:
            headers["ETag"] = etag_of(body)
        return JSONResponse(body, status_code=201, headers=headers)

    def with_etag(body: dict[str, Any], response: Response) -> dict[str, Any]:
        response.headers["ETag"] = etag_of(body)
        return body

    def tenant_row(request: Request, p: Principal, tenant_id: str) -> TenantRow:
        name = api.scope_tenant(request, p, tenant_id)
        return ops.get(cdb, name)

    def run_statement(text: str, con_id: int, p: Principal) -> str:
        """A catalog command given as its SQL text (built from validated fields), run by the same
        parse and execute functions the SQL path uses; its command tag."""
        return catalog_statements.run_statement(cdb, text, con_id, p.user)

    async def run_plan(text: str, p: Principal) -> str:
        """A DBMS_RESOURCE_MANAGER call or ALTER SYSTEM SET RESOURCE_MANAGER_PLAN, as the SQL path
        runs it in the root (then applied to the open PDBs)."""
        st = stmts.split(text)[0]
        if container_commands.is_plan_command(st):
            tag = plan_sql.execute(cdb.cat, plan_sql.parse(st), ROOT_ID, p.user)
        else:
            cmd = resource_sql.parse(st)
            assert isinstance(cmd, resource_sql.SetParameter)
            tag = await resource_sql.execute(cdb, cmd, ROOT_ID, p.user)
        await resource_sql.apply_to_open_pdbs(cdb)
        return tag

    def container_id(request: Request, p: Principal, name: str | None) -> int:
        if name is None or name.upper() == "CDB$ROOT":
            if not p.admin:
                raise ora(1031)
            return ROOT_ID
        return api.scope_pdb(request, p, name).con_id

    unquoted = catalog_statements.unquoted

    # ------------------------------------------------------------ auth, health

    @r.post("/auth/token", response_model=S.TokenResponse, tags=["auth"])
    async def token(body: S.TokenRequest, request: Request) -> dict[str, Any]:
        """Exchange a database user's password for a short-lived Bearer token (the wire protocol's
        lockouts apply; failures are audited as failed logins)."""
        tok, expires = await api.tokens.issue(
            body.username, body.password, body.database, body.ttl_seconds, client_of(request), api.server
        )
        ident = api.tokens.resolve(tok)
        assert ident is not None
        return {
            "access_token": tok,
            "token_type": "Bearer",
            "expires_at": expires,
            "username": ident.user.name,
            "tenant": None if ident.user.common else cdb.cat.tenant_of(ident.user.con_id),
        }

    @r.get("/auth/keys", response_model=S.PageOut, tags=["auth"])
    async def list_keys(p: Who, ls: Listing) -> dict[str, Any]:
        """API keys (never their secrets): every key for an admin, one's own otherwise."""
        items = [
            {
                "name": k.name,
                "username": k.username,
                "con_id": k.con_id,
                "created_by": k.created_by,
                "created_at": k.created_at,
                "expires_at": k.expires_at,
            }
            for k in cdb.cat.api_keys()
            if p.admin or (k.username == p.user.name and k.con_id == p.user.con_id)
        ]
        return page(items, ls, {})

    @r.post("/auth/keys", status_code=201, tags=["auth"])
    async def create_key(body: S.KeyCreate, p: Who) -> JSONResponse:
        """CREATE API KEY k FOR USER u [EXPIRES IN n DAYS]: the secret is in this answer only."""
        text = f"CREATE API KEY {body.name} FOR USER {body.username}"
        if body.expires_in_days:
            text += f" EXPIRES IN {body.expires_in_days} DAYS"
        _, rows = api_keys.execute(cdb, api_keys.parse(stmts.split(text)[0]), p.user.con_id, p.user)
        name, user, secret, expires = rows[0]
        return JSONResponse(
            {"name": name, "username": user, "secret": secret, "expires": expires},
            status_code=201,
            headers={"Location": f"/api/v1/auth/keys/{name}", "Cache-Control": "no-store"},
        )

    @r.delete("/auth/keys/{name}", status_code=204, tags=["auth"])
    async def drop_key(name: Annotated[str, S.Field(pattern=S.NAME)], p: Who) -> Response:
        api_keys.execute(cdb, api_keys.parse(stmts.split(f"DROP API KEY {name}")[0]), p.user.con_id, p.user)
        return Response(status_code=204)

    @r.get("/health", tags=["health"])
    async def health() -> dict[str, Any]:
        return {"status": "ok"}

    @r.get("/ready", tags=["health"])
    async def ready() -> JSONResponse:
        """Ready when the catalog answers and every PDB that is open has its engine running."""
        running = set(cdb.runtime.running())
        waiting = [
            c.name
            for c in cdb.cat.containers()
            if c.con_id > SEED_ID and c.is_open and c.con_id not in running
        ]
        ok = not waiting
        return JSONResponse(
            {"ready": ok, "engines": len(running), "waiting_for": waiting}, status_code=200 if ok else 503
        )

    @r.get("/version", tags=["health"])
    async def version() -> dict[str, Any]:
        return {"version": VERSION, "api": "v1"}

    @r.get("/whoami", tags=["auth"])
    async def whoami(p: Who) -> dict[str, Any]:
        return {"username": p.user.name, "common": p.user.common, "admin": p.admin, "tenant": p.tenant}

    # ------------------------------------------------------------ tenants

    @r.post(
        "/tenants",
        status_code=201,
        response_model=S.Tenant,
        tags=["tenants"],
        responses={202: {"model": S.OperationOut, "description": "from a template: an operation"}},
    )
    async def create_tenant(body: S.TenantCreate, request: Request, p: Who) -> Any:
        """Provision a tenant (CREATE TENANT). From a template: 202 and an operation."""
        api.header_tenant(request, p)
        spec, password = long_ops.tenant_spec(body)
        name = body.tenant_name.upper()
        if body.template is not None:
            return accepted(long_ops.start_tenant_from_template(api, p, spec))
        await ops.create_tenant(cdb, p.user, spec)
        out = tenant_out(ops.get(cdb, name))
        if body.admin_password is None:
            out["admin_password"] = password
        return created(out, f"/tenants/{name}", etag=True)

    def tenants_and_pdbs() -> tuple[list[TenantRow], dict[str, list[Container]]]:
        """Every tenant and its PDBs, in three catalog queries."""
        owners = cdb.cat.tenant_owners()
        by_tenant: dict[str, list[Container]] = {}
        for c in cdb.cat.containers():
            if c.con_id in owners:
                by_tenant.setdefault(owners[c.con_id], []).append(c)
        return cdb.cat.tenants(), by_tenant

    @r.get("/tenants", response_model=S.TenantPage, tags=["tenants"])
    async def list_tenants(
        request: Request,
        p: Who,
        ls: Listing,
        status: str | None = None,
        service_tier: str | None = None,
    ) -> dict[str, Any]:
        seen = api.visible_tenants(request, p)
        every, by_tenant = api.snapshot("tenants", tenants_and_pdbs)
        rows = [t for t in every if seen is None or t.name in seen]
        if ls.sort is None:  # the catalog's order (by name): only the page is rendered
            return page_rows(
                rows,
                ls,
                lambda t: tenant_out(t, by_tenant.get(t.name, [])),
                lambda t: (
                    (status is None or t.state == status.upper())
                    and (service_tier is None or t.tier == service_tier.upper())
                ),
            )
        items = [tenant_out(t, by_tenant.get(t.name, [])) for t in rows]
        return page(items, ls, {"status": status, "service_tier": service_tier})

    @r.get(
        "/tenants/{tenant_id}",
        response_model=S.Tenant,
        tags=["tenants"],
        responses={304: {"description": "If-None-Match"}},
    )
    async def get_tenant(tenant_id: str, request: Request, response: Response, p: Who) -> Any:
        body = tenant_out(tenant_row(request, p, tenant_id))
        tag = etag_of(body)
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers={"ETag": tag})
        response.headers["ETag"] = tag
        return body

    @r.put("/tenants/{tenant_id}", response_model=S.Tenant, tags=["tenants"])
    async def update_tenant(
        tenant_id: str, body: S.TenantUpdate, request: Request, response: Response, p: Who
    ) -> Any:
        """ALTER TENANT t SET ... (If-Match: 412 when the tenant changed since its ETag)."""
        t = tenant_row(request, p, tenant_id)
        check_if_match(request, tenant_out(t))
        ops.set_options(cdb, p.user, t.name, **body.options())
        return with_etag(tenant_out(ops.get(cdb, t.name)), response)

    @r.delete("/tenants/{tenant_id}", status_code=204, tags=["tenants"])
    async def delete_tenant(tenant_id: str, request: Request, p: Who, immediate: bool = False) -> Response:
        """DROP TENANT t [IMMEDIATE]: terminated (undroppable until purged) or gone at once."""
        t = tenant_row(request, p, tenant_id)
        check_if_match(request, tenant_out(t))
        await ops.drop_tenant(cdb, p.user, t.name, immediate)
        return Response(status_code=204)

    @r.post("/tenants/{tenant_id}/undrop", response_model=S.Tenant, tags=["tenants"])
    async def undrop_tenant(tenant_id: str, request: Request, p: Who) -> dict[str, Any]:
        t = tenant_row(request, p, tenant_id)
        await ops.undrop_tenant(cdb, p.user, t.name)
        return tenant_out(ops.get(cdb, t.name))

    async def transition(
        request: Request, p: Principal, tenant_id: str, action: str, reason: str | None
    ) -> dict[str, Any]:
        t = tenant_row(request, p, tenant_id)
        if action == "SUSPEND":
            await ops.suspend(cdb, p.user, t.name, reason)
        elif action == "RESUME":
            await ops.resume(cdb, p.user, t.name)
        elif action == "MAINTENANCE":
            await ops.maintenance(cdb, p.user, t.name, reason)
        elif action == "MIGRATE":
            await ops.set_migrating(cdb, p.user, t.name, reason)
        else:
            raise AssertionError(action)
        return tenant_out(ops.get(cdb, t.name))

    @r.post("/tenants/{tenant_id}/suspend", response_model=S.Tenant, tags=["tenants"])
    async def suspend(
        tenant_id: str, request: Request, p: Who, body: S.Reason | None = None
    ) -> dict[str, Any]:
        return await transition(request, p, tenant_id, "SUSPEND", body.reason if body else None)

    @r.post("/tenants/{tenant_id}/resume", response_model=S.Tenant, tags=["tenants"])
    async def resume(tenant_id: str, request: Request, p: Who) -> dict[str, Any]:
        return await transition(request, p, tenant_id, "RESUME", None)

    @r.post("/tenants/{tenant_id}/maintenance", response_model=S.Tenant, tags=["tenants"])
    async def maintenance(
        tenant_id: str, request: Request, p: Who, body: S.Reason | None = None
    ) -> dict[str, Any]:
        return await transition(request, p, tenant_id, "MAINTENANCE", body.reason if body else None)

    @r.post("/tenants/{tenant_id}/migrate", response_model=S.Tenant, tags=["tenants"])
    async def migrate(
        tenant_id: str, request: Request, p: Who, body: S.Reason | None = None
    ) -> dict[str, Any]:
        """ALTER TENANT t MIGRATE: logins wait until it is resumed."""
        return await transition(request, p, tenant_id, "MIGRATE", body.reason if body else None)

    @r.put("/tenants/{tenant_id}/tier", response_model=S.Tenant, tags=["tenants"])
    async def set_tier(
        tenant_id: str, body: S.TierChange, request: Request, response: Response, p: Who
    ) -> dict[str, Any]:
        """ALTER TENANT t SET SERVICE TIER x, online."""
        t = tenant_row(request, p, tenant_id)
        check_if_match(request, tenant_out(t))
        await ops.set_tier(cdb, p.user, t.name, body.tier)
        return with_etag(tenant_out(ops.get(cdb, t.name)), response)

    @r.put("/tenants/{tenant_id}/quota", response_model=S.Tenant, tags=["resources"])
    async def set_quota(
        tenant_id: str, body: S.Quota, request: Request, response: Response, p: Who
    ) -> dict[str, Any]:
        """ALTER TENANT t QUOTA (...): the brief's body mapped onto the quota keys."""
        t = tenant_row(request, p, tenant_id)
        check_if_match(request, tenant_out(t))
        q = body.quota_keys()
        await ops.set_quota(cdb, p.user, t.name, q)
        return with_etag(tenant_out(ops.get(cdb, t.name)), response)

    @r.get("/tenants/{tenant_id}/pdbs", response_model=S.PdbPage, tags=["tenants"])
    async def tenant_pdbs(tenant_id: str, request: Request, p: Who, ls: Listing) -> dict[str, Any]:
        t = tenant_row(request, p, tenant_id)
        return page([pdb_out(c) for c in cdb.cat.tenant_pdbs(t.name)], ls, {})

    @r.get("/tenants/{tenant_id}/events", response_model=S.PageOut, tags=["tenants"])
    async def tenant_events(
        tenant_id: str,
        request: Request,
        p: Who,
        ls: Listing,
        operation: str | None = None,
    ) -> dict[str, Any]:
        t = tenant_row(request, p, tenant_id)
        items = [
            {
                "time": e.time,
                "actor": e.actor,
                "operation": e.operation,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "reason": e.reason,
            }
            for e in cdb.cat.tenant_events(t.name)
        ]
        return page(items, ls, {"operation": operation})

    @r.get("/tenants/{tenant_id}/resources", tags=["resources"])
    async def tenant_resources(tenant_id: str, request: Request, p: Who) -> dict[str, Any]:
        """Each PDB's budgets (tier, own parameters, plan directive) and the tenant's quota."""
        t = tenant_row(request, p, tenant_id)
        out = []
        for c in cdb.cat.tenant_pdbs(t.name):
            lim = cdb.limits(c)
            out.append(
                {
                    "pdb_name": c.name,
                    "service_tier": c.tier.lower(),
                    "limits": {k: v for k, v in vars(lim).items()},
                }
            )
        return {"tenant_id": t.name, "service_tier": t.tier.lower(), "quota": t.quota, "pdbs": out}

    async def stats_of(c: Container) -> dict[str, dict[str, Any]]:
        rows = await resource_sql.show_resources(cdb, c.con_id)
        grouped: dict[str, dict[str, Any]] = {}
        for _pdb, res, stat, value in rows:
            grouped.setdefault(res, {})[stat] = _number(value)
        return grouped

    @r.get("/tenants/{tenant_id}/statistics", tags=["resources"])
    async def tenant_statistics(tenant_id: str, request: Request, p: Who) -> dict[str, Any]:
        """SHOW RESOURCES for each open PDB of the tenant (the engine's last report, refreshed)."""
        t = tenant_row(request, p, tenant_id)
        out = {}
        for c in cdb.cat.tenant_pdbs(t.name):
            out[c.name] = await stats_of(c) if c.is_open else {}
        return {"tenant_id": t.name, "pdbs": out}

    # metering: /tenants/{id}/sla, /billing, /usage and the rest are in api.metering_routes

    # ------------------------------------------------------------ isolation

    async def isolation(request: Request, p: Principal, resource: str, tenant: str | None) -> Any:
        if tenant is not None:
            name = api.scope_tenant(request, p, tenant)
            ops.get(cdb, name)
            targets = [c for c in cdb.cat.tenant_pdbs(name) if c.is_open]
        else:
            seen = api.visible_tenants(request, p)
            targets = [
                c
                for c in cdb.cat.containers()
                if c.con_id > SEED_ID and c.is_open and (seen is None or cdb.cat.tenant_of(c.con_id) in seen)
            ]
        items = []
        for c in targets:
            grouped = await stats_of(c)
            if resource in grouped:
                items.append(
                    {"tenant_id": cdb.cat.tenant_of(c.con_id), "pdb_name": c.name, **grouped[resource]}
                )
        if tenant is not None:
            return {**_combine(items), "tenant_id": name, "pdbs": items}
        return {"items": items}

    for _res in ("memory", "cpu", "io", "network", "buffer"):

        def _make(res: str) -> None:
            path = "/isolation/buffer-pool" if res == "buffer" else f"/isolation/{res}"

            @r.get(path, tags=["isolation"], name=f"isolation_{res}")
            async def iso(
                request: Request, p: Who, tenant: Annotated[str | None, Query(pattern=S.NAME)] = None
            ) -> Any:
                return await isolation(request, p, res, tenant)

        _make(_res)

    # ------------------------------------------------------------ PDBs

    @r.post("/pdbs", status_code=201, response_model=S.Pdb, tags=["pdbs"])
    async def create_pdb(body: S.PdbCreate, request: Request, p: Who) -> JSONResponse:
        """CREATE PLUGGABLE DATABASE p ADMIN USER u IDENTIFIED BY pw [SERVICE TIER] [TENANT]."""
        if body.tenant is not None:
            api.scope_tenant(request, p, body.tenant)
        cmd = admin_sql.CreatePdb(
            name=body.pdb_name.upper(),
            admin_user=body.admin_user.upper(),
            admin_password=body.admin_password,
            max_size=body.max_size_bytes,
            tier=body.service_tier,
            tenant=body.tenant.upper() if body.tenant else None,
        )
        await pdbs.execute(cdb, cmd, p.user)
        out = pdb_out(cdb.require_pdb(cmd.name))
        return created(out, f"/pdbs/{cmd.name}", etag=True)

    @r.get("/pdbs", response_model=S.PdbPage, tags=["pdbs"])
    async def list_pdbs(
        request: Request,
        p: Who,
        ls: Listing,
        open_mode: str | None = None,
        tenant: str | None = None,
    ) -> dict[str, Any]:
        seen = api.visible_tenants(request, p)
        items = [
            pdb_out(c)
            for c in cdb.cat.containers()
            if c.con_id > SEED_ID and (seen is None or cdb.cat.tenant_of(c.con_id) in seen)
        ]
        return page(items, ls, {"open_mode": open_mode, "tenant": tenant})

    @r.get("/pdbs/{pdb_id}", response_model=S.Pdb, tags=["pdbs"])
    async def get_pdb(pdb_id: str, request: Request, response: Response, p: Who) -> dict[str, Any]:
        return with_etag(pdb_out(api.scope_pdb(request, p, pdb_id)), response)

    async def alter(p: Principal, c: Container, action: str, **kw: Any) -> dict[str, Any]:
        cmd = admin_sql.AlterPdb(names=[c.name], all=False, except_names=[], action=action, **kw)
        _, notices = await pdbs.execute(cdb, cmd, p.user)
        out = pdb_out(cdb.require_pdb(c.name))
        out["notices"] = notices
        return out

    @r.post("/pdbs/{pdb_id}/open", response_model=S.Pdb, tags=["pdbs"])
    async def open_pdb(
        pdb_id: str, request: Request, p: Who, body: S.OpenRequest | None = None
    ) -> dict[str, Any]:
        """ALTER PLUGGABLE DATABASE p OPEN [READ WRITE | READ ONLY | UPGRADE] [RESTRICTED] [FORCE]."""
        c = api.scope_pdb(request, p, pdb_id)
        b = body or S.OpenRequest()
        return await alter(
            p, c, "OPEN", mode=b.mode.replace("_", " "), restricted=b.restricted, force=b.force
        )

    @r.post("/pdbs/{pdb_id}/close", response_model=S.Pdb, tags=["pdbs"])
    async def close_pdb(
        pdb_id: str, request: Request, p: Who, body: S.CloseRequest | None = None
    ) -> dict[str, Any]:
        c = api.scope_pdb(request, p, pdb_id)
        return await alter(p, c, "CLOSE", immediate=bool(body and body.immediate))

    @r.post("/pdbs/{pdb_id}/save-state", response_model=S.Pdb, tags=["pdbs"])
    async def save_state(pdb_id: str, request: Request, p: Who) -> dict[str, Any]:
        return await alter(p, api.scope_pdb(request, p, pdb_id), "SAVE STATE")

    @r.delete("/pdbs/{pdb_id}/saved-state", response_model=S.Pdb, tags=["pdbs"])
    async def discard_state(pdb_id: str, request: Request, p: Who) -> dict[str, Any]:
        return await alter(p, api.scope_pdb(request, p, pdb_id), "DISCARD STATE")

    @r.post("/pdbs/{pdb_id}/clone", status_code=202, response_model=S.OperationOut, tags=["pdbs"])
    async def clone_pdb(pdb_id: str, body: S.CloneRequest, request: Request, p: Who) -> JSONResponse:
        """CREATE PLUGGABLE DATABASE target FROM p [SNAPSHOT COPY] [NO DATA]: 202, an operation."""
        return accepted(long_ops.start_clone(api, p, api.scope_pdb(request, p, pdb_id), body))

    @r.post("/pdbs/{pdb_id}/unplug", status_code=202, response_model=S.OperationOut, tags=["pdbs"])
    async def unplug_pdb(pdb_id: str, body: S.UnplugRequest, request: Request, p: Who) -> JSONResponse:
        """ALTER PLUGGABLE DATABASE p UNPLUG INTO 'file' (the PDB closed first): 202, an operation."""
        return accepted(long_ops.start_unplug(api, p, api.scope_pdb(request, p, pdb_id), body))

    @r.post("/pdbs/plug", status_code=202, response_model=S.OperationOut, tags=["pdbs"])
    async def plug_pdb(body: S.PlugRequest, request: Request, p: Who) -> JSONResponse:
        """CREATE PLUGGABLE DATABASE p [AS CLONE] USING 'file' [COPY | MOVE | NOCOPY]: 202."""
        api.header_tenant(request, p)
        return accepted(long_ops.start_plug(api, p, body))

    @r.delete("/pdbs/{pdb_id}", status_code=204, tags=["pdbs"])
    async def drop_pdb(pdb_id: str, request: Request, p: Who, including_datafiles: bool = True) -> Response:
        """DROP PLUGGABLE DATABASE p [INCLUDING | KEEP] DATAFILES."""
        c = api.scope_pdb(request, p, pdb_id)
        await pdbs.execute(cdb, admin_sql.DropPdb(c.name, False, including_datafiles), p.user)
        return Response(status_code=204)

    @r.get("/pdbs/{pdb_id}/parameters", response_model=S.PageOut, tags=["pdbs"])
    async def pdb_parameters(pdb_id: str, request: Request, p: Who, ls: Listing) -> dict[str, Any]:
        """SHOW PARAMETER in the PDB."""
        c = api.scope_pdb(request, p, pdb_id)
        rows = resource_sql.show_rows(cdb, c.con_id, "")
        return page([{"name": n, "type": t, "value": v} for n, t, v in rows], ls, {})

    @r.put("/pdbs/{pdb_id}/parameters/{name}", tags=["pdbs"])
    async def set_parameter(
        pdb_id: str,
        name: Annotated[str, S.Field(pattern=S.NAME)],
        body: S.ParameterSet,
        request: Request,
        p: Who,
    ) -> dict[str, Any]:
        """ALTER SYSTEM SET name = value in the PDB (SYS or a common user with ALTER SYSTEM commonly)."""
        c = api.scope_pdb(request, p, pdb_id)
        cmd = resource_sql.SetParameter(name.upper(), body.value, False)
        await resource_sql.execute(cdb, cmd, c.con_id, p.user)
        rows = resource_sql.show_rows(cdb, c.con_id, name.upper())
        return {"items": [{"name": n, "type": t, "value": v} for n, t, v in rows]}

    @r.delete("/pdbs/{pdb_id}/parameters/{name}", tags=["pdbs"])
    async def reset_parameter(
        pdb_id: str, name: Annotated[str, S.Field(pattern=S.NAME)], request: Request, p: Who
    ) -> dict[str, Any]:
        """ALTER SYSTEM RESET name in the PDB: back to its tier's figure."""
        c = api.scope_pdb(request, p, pdb_id)
        await resource_sql.execute(
            cdb, resource_sql.SetParameter(name.upper(), None, False), c.con_id, p.user
        )
        rows = resource_sql.show_rows(cdb, c.con_id, name.upper())
        return {"items": [{"name": n, "type": t, "value": v} for n, t, v in rows]}

    @r.put("/pdbs/{pdb_id}/tier", response_model=S.Pdb, tags=["pdbs"])
    async def set_pdb_tier(pdb_id: str, body: S.TierChange, request: Request, p: Who) -> dict[str, Any]:
        """ALTER PLUGGABLE DATABASE p SET SERVICE TIER t, applied online (If-Match: the PDB's ETag)."""
        c = api.scope_pdb(request, p, pdb_id)
        check_if_match(request, pdb_out(c))
        return await alter(p, c, "TIER", tier=body.tier)

    @r.put("/pdbs/{pdb_id}/storage", response_model=S.Pdb, tags=["pdbs"])
    async def set_pdb_storage(pdb_id: str, body: S.StorageChange, request: Request, p: Who) -> dict[str, Any]:
        """ALTER PLUGGABLE DATABASE p STORAGE (MAXSIZE n [, MAX_SHARED_TEMP_SIZE n]) | UNLIMITED."""
        c = api.scope_pdb(request, p, pdb_id)
        check_if_match(request, pdb_out(c))
        return await alter(
            p, c, "STORAGE", max_size=body.max_size_bytes or 0, max_temp_size=body.max_temp_size_bytes
        )

    @r.get("/pdbs/{pdb_id}/statistics", tags=["resources"])
    async def pdb_statistics(pdb_id: str, request: Request, p: Who) -> dict[str, Any]:
        """SHOW RESOURCES in the PDB: memory, CPU, I/O, network and buffer-pool figures."""
        c = api.scope_pdb(request, p, pdb_id)
        return {"pdb_name": c.name, "resources": await stats_of(c) if c.is_open else {}}

    @r.get("/pdbs/{pdb_id}/history", response_model=S.PageOut, tags=["pdbs"])
    async def pdb_history(pdb_id: str, request: Request, p: Who, ls: Listing) -> dict[str, Any]:
        c = api.scope_pdb(request, p, pdb_id)
        items = [
            {
                "pdb_name": h.pdb_name,
                "operation": h.operation,
                "time": h.op_time,
                "cloned_from": h.cloned_from,
            }
            for h in cdb.cat.history()
            if h.guid == c.guid
        ]
        return page(items, ls, {})

    @r.get("/pdbs/{pdb_id}/violations", response_model=S.PageOut, tags=["pdbs"])
    async def pdb_violations(pdb_id: str, request: Request, p: Who, ls: Listing) -> dict[str, Any]:
        c = api.scope_pdb(request, p, pdb_id)
        items = [
            {
                "time": v.time,
                "cause": v.cause,
                "type": v.type,
                "message": v.message,
                "status": v.status,
                "action": v.action,
            }
            for v in cdb.cat.plug_violations(c.name)
        ]
        return page(items, ls, {})

    @r.post("/pdbs/{pdb_id}/lockdown", response_model=S.Pdb, tags=["lockdown"])
    async def assign_lockdown(
        pdb_id: str, body: S.LockdownAssign, request: Request, p: Who
    ) -> dict[str, Any]:
        """ALTER SYSTEM SET PDB_LOCKDOWN = profile, in the PDB (null: RESET)."""
        c = api.scope_pdb(request, p, pdb_id)
        catalog_statements.set_pdb_lockdown(cdb, c.con_id, p.user, body.profile)
        return pdb_out(cdb.require_pdb(c.name))

    @r.get("/pdbs/{pdb_id}/sessions", response_model=S.PageOut, tags=["sessions"])
    async def pdb_sessions(pdb_id: str, request: Request, p: Who, ls: Listing) -> dict[str, Any]:
        c = api.scope_pdb(request, p, pdb_id)
        return page(
            [session_out(s) for s in api.server.sessions.by_pid.values() if s.con_id == c.con_id],
            ls,
            {},
        )

    # ------------------------------------------------------------ backups

    @r.post("/pdbs/{pdb_id}/backups", status_code=202, response_model=S.OperationOut, tags=["backups"])
    async def backup(pdb_id: str, request: Request, p: Who) -> JSONResponse:
        """BACKUP PLUGGABLE DATABASE p: 202, an operation whose result names the backup."""
        return accepted(long_ops.start_backup(api, p, api.scope_pdb(request, p, pdb_id)))

    def backup_out(b: Any) -> dict[str, Any]:
        return {
            "backup_id": b.id, "pdb_name": b.pdb_name, "kind": b.kind, "status": b.status, "started_at": b.started_at,
            "finished_at": b.finished_at, "size": b.size, "sha256": b.sha256, "message": b.message,
        }  # fmt: skip

    @r.get("/pdbs/{pdb_id}/backups", response_model=S.PageOut, tags=["backups"])
    async def list_backups(pdb_id: str, request: Request, p: Who, ls: Listing) -> dict[str, Any]:
        c = api.scope_pdb(request, p, pdb_id)
        return page([backup_out(b) for b in cdb.cat.backups(c.guid)], ls, {})

    @r.get("/backups/{backup_id}", tags=["backups"])
    async def get_backup(backup_id: str, request: Request, p: Who) -> dict[str, Any]:
        b = cdb.cat.backup(backup_id)
        c = cdb.cat.container_by_id(b.con_id) if b else None
        if b is None:
            raise ora(65916, id=backup_id)
        if not p.admin:
            if c is None:
                raise ora(65916, id=backup_id)
            api.scope_pdb(request, p, c.name)
        return backup_out(b)

    @r.post("/pdbs/{pdb_id}/restore", status_code=202, response_model=S.OperationOut, tags=["backups"])
    async def restore(pdb_id: str, body: S.RestoreRequest, request: Request, p: Who) -> JSONResponse:
        """RESTORE PLUGGABLE DATABASE p FROM BACKUP 'id' [AS new]: 202, an operation."""
        return accepted(long_ops.start_restore(api, p, api.scope_pdb(request, p, pdb_id), body))

    # ------------------------------------------------------------ operations

    @r.get("/operations/{operation_id}", response_model=S.OperationOut, tags=["operations"])
    async def get_operation(operation_id: str, request: Request, p: Who) -> dict[str, Any]:
        op = cdb.cat.operation(operation_id)
        if op is None or not (
            p.admin or (op.tenant is not None and op.tenant == p.tenant) or op.username == p.user.name
        ):
            raise ApiError(404, "Not Found", f"operation {operation_id} does not exist")
        return op_out(op)

    @r.get("/operations", response_model=S.PageOut, tags=["operations"])
    async def list_operations(
        request: Request, p: Who, ls: Listing, status: str | None = None
    ) -> dict[str, Any]:
        seen = api.visible_tenants(request, p)
        items = [op_out(o) for o in cdb.cat.operations() if seen is None or o.tenant in seen]
        return page(items, ls, {"status": status})

    # ------------------------------------------------------------ sessions

    def session_out(s: Any) -> dict[str, Any]:
        return {
            "pid": s.pid,
            "username": s.user,
            "container": s.container,
            "con_id": s.con_id,
            "client": s.peer,
            "tls": s.tls,
        }

    def session_of(request: Request, p: Principal, pid: int) -> Any:
        s = api.server.sessions.by_pid.get(pid)
        if s is None:
            raise ApiError(404, "Not Found", f"session {pid} does not exist")
        c = cdb.cat.container_by_id(s.con_id)
        if not p.admin:
            api.scope_pdb(request, p, c.name if c else "")
        return s

    @r.get("/sessions", response_model=S.PageOut, tags=["sessions"])
    async def list_sessions(
        request: Request, p: Who, ls: Listing, container: str | None = None
    ) -> dict[str, Any]:
        seen = api.visible_tenants(request, p)
        items = [
            session_out(s)
            for s in api.server.sessions.by_pid.values()
            if seen is None or cdb.cat.tenant_of(s.con_id) in seen
        ]
        return page(items, ls, {"container": container})

    @r.post("/sessions/{pid}/cancel", status_code=202, tags=["sessions"])
    async def cancel_session(pid: int, request: Request, p: Who) -> dict[str, Any]:
        """Cancel the session's running statement (as a CancelRequest with its key would)."""
        s = session_of(request, p, pid)
        if not p.admin:
            pdbs.require(cdb, p.user)
        await api.server.sessions.cancel(s.pid, s.key)
        return {"pid": s.pid, "cancel": "sent"}

    @r.delete("/sessions/{pid}", status_code=204, tags=["sessions"])
    async def terminate_session(pid: int, request: Request, p: Who) -> Response:
        s = session_of(request, p, pid)
        if not p.admin:
            pdbs.require(cdb, p.user)
        await api.server.sessions.terminate(s, "57P01", "terminating connection due to administrator command")
        return Response(status_code=204)

    # ------------------------------------------------------------ users, roles, grants

    def user_out(u: Any) -> dict[str, Any]:
        c = cdb.cat.container_by_id(u.con_id)
        return {
            "username": u.name,
            "common": u.common,
            "container": c.name if c else None,
            "account_status": u.account_status,
            "created_at": u.created_at,
        }

    @r.get("/users", response_model=S.PageOut, tags=["users"])
    async def list_users(
        request: Request, p: Who, ls: Listing, container: str | None = None
    ) -> dict[str, Any]:
        seen = api.visible_tenants(request, p)
        items = [
            user_out(u)
            for u in cdb.cat.all_users()
            if seen is None or (not u.common and cdb.cat.tenant_of(u.con_id) in seen)
        ]
        return page(items, ls, {"container": container})

    @r.post("/users", status_code=201, tags=["users"])
    async def create_user(body: S.UserCreate, request: Request, p: Who) -> JSONResponse:
        """CREATE USER u IDENTIFIED BY "pw" (in the PDB named, or common in the root)."""
        con_id = container_id(request, p, body.container)
        run_statement(f'CREATE USER {body.username} IDENTIFIED BY "{body.password}"', con_id, p)
        u = cdb.cat.user(body.username.upper(), con_id)
        out = user_out(u) if u else {"username": body.username.upper()}
        return created(out, f"/users/{body.username.upper()}")

    @r.delete("/users/{username}", status_code=204, tags=["users"])
    async def drop_user(
        username: Annotated[str, S.Field(pattern=S.NAME)],
        request: Request,
        p: Who,
        container: Annotated[str | None, Query(pattern=S.NAME)] = None,
        cascade: bool = False,
    ) -> Response:
        con_id = container_id(request, p, container)
        run_statement(f"DROP USER {username}{' CASCADE' if cascade else ''}", con_id, p)
        return Response(status_code=204)

    @r.get("/roles", response_model=S.PageOut, tags=["users"])
    async def list_roles(request: Request, p: Who, ls: Listing) -> dict[str, Any]:
        api.visible_tenants(request, p)
        items = [
            {"role": x.name, "common": x.common, "con_id": x.con_id, "oracle_maintained": x.oracle_maintained}
            for x in cdb.cat.all_roles()
        ]
        return page(items, ls, {})

    @r.post("/roles", status_code=201, tags=["users"])
    async def create_role(body: S.RoleCreate, request: Request, p: Who) -> JSONResponse:
        con_id = container_id(request, p, body.container)
        run_statement(f"CREATE ROLE {body.role}", con_id, p)
        return created({"role": body.role.upper(), "con_id": con_id}, f"/roles/{body.role.upper()}")

    @r.delete("/roles/{role}", status_code=204, tags=["users"])
    async def drop_role(
        role: Annotated[str, S.Field(pattern=S.NAME)],
        request: Request,
        p: Who,
        container: Annotated[str | None, Query(pattern=S.NAME)] = None,
    ) -> Response:
        run_statement(f"DROP ROLE {role}", container_id(request, p, container), p)
        return Response(status_code=204)

    @r.get("/grants", response_model=S.PageOut, tags=["users"])
    async def list_grants(
        request: Request, p: Who, ls: Listing, grantee: str | None = None
    ) -> dict[str, Any]:
        api.visible_tenants(request, p)
        items = [
            {
                "grantee": g.grantee,
                "privilege": g.what,
                "kind": "system",
                "common": g.common,
                "con_id": g.con_id,
                "admin_option": g.admin_option,
            }
            for g in cdb.cat.sys_grants()
        ]
        items += [
            {
                "grantee": g.grantee,
                "privilege": g.what,
                "kind": "role",
                "common": g.common,
                "con_id": g.con_id,
                "admin_option": g.admin_option,
            }
            for g in cdb.cat.role_grants()
        ]
        if not p.admin:
            mine = {c.con_id for c in cdb.cat.tenant_pdbs(p.tenant)} if p.tenant else set()
            items = [i for i in items if i["con_id"] in mine]
        return page(items, ls, {"grantee": grantee})

    def grant_text(verb: str, body: S.GrantRequest) -> str:
        scope = " CONTAINER = ALL" if body.common else ""
        return f"{verb} {body.privilege} {'TO' if verb == 'GRANT' else 'FROM'} {body.grantee}{scope}"

    @r.post("/grants", status_code=201, tags=["users"])
    async def grant(body: S.GrantRequest, request: Request, p: Who) -> JSONResponse:
        """GRANT privilege|role TO grantee [CONTAINER = ALL]."""
        run_statement(grant_text("GRANT", body), container_id(request, p, body.container), p)
        return JSONResponse(body.model_dump(), status_code=201)

    @r.post("/grants/revoke", tags=["users"])
    async def revoke(body: S.GrantRequest, request: Request, p: Who) -> dict[str, Any]:
        """REVOKE privilege|role FROM grantee [CONTAINER = ALL]."""
        run_statement(grant_text("REVOKE", body), container_id(request, p, body.container), p)
        return {"revoked": body.model_dump()}

    # ------------------------------------------------------------ lockdown profiles

    def profile_out(name: str) -> dict[str, Any]:
        prof = cdb.cat.lockdown_profile(name)
        if prof is None:
            raise ora(65208, name=name)
        rules = [vars(x) for x in cdb.cat.lockdown_rules(name)]
        return {"name": name, "rules": rules}

    @r.get("/cdb/lockdown-profiles", response_model=S.PageOut, tags=["lockdown"])
    async def list_profiles(request: Request, p: Who, ls: Listing) -> dict[str, Any]:
        api.visible_tenants(request, p)
        return page([profile_out(x.name) for x in cdb.cat.lockdown_profiles()], ls, {})

    @r.get("/cdb/lockdown-profiles/{name}", tags=["lockdown"])
    async def get_profile(
        name: Annotated[str, S.Field(pattern=S.NAME)], request: Request, p: Who
    ) -> dict[str, Any]:
        api.visible_tenants(request, p)
        return profile_out(name.upper())

    @r.post("/cdb/lockdown-profiles", status_code=201, tags=["lockdown"])
    async def create_profile(body: S.LockdownProfileCreate, request: Request, p: Who) -> JSONResponse:
        """CREATE LOCKDOWN PROFILE p, then ALTER LOCKDOWN PROFILE p DISABLE STATEMENT / FEATURE / OPTION = (...)."""
        name = catalog_statements.create_lockdown_profile(cdb, p.user, p.admin, body)
        return created(profile_out(name), f"/cdb/lockdown-profiles/{name}")

    @r.post("/cdb/lockdown-profiles/{name}/rules", tags=["lockdown"])
    async def add_rule(
        name: Annotated[str, S.Field(pattern=S.NAME)], body: S.LockdownRule, p: Who
    ) -> dict[str, Any]:
        """ALTER LOCKDOWN PROFILE p {DISABLE | ENABLE} {STATEMENT | FEATURE | OPTION} = (...) [USERS = ...]."""
        listed = ", ".join(f"'{unquoted(v)}'" for v in body.values)
        users = f" USERS = {body.users}" if body.users else ""
        run_statement(
            f"ALTER LOCKDOWN PROFILE {name} {body.action} {body.kind} = ({listed}){users}", ROOT_ID, p
        )
        return profile_out(name.upper())

    @r.delete("/cdb/lockdown-profiles/{name}", status_code=204, tags=["lockdown"])
    async def drop_profile(
        name: Annotated[str, S.Field(pattern=S.NAME)], request: Request, p: Who
    ) -> Response:
        if not p.admin:
            raise ora(1031)
        run_statement(f"DROP LOCKDOWN PROFILE {name}", ROOT_ID, p)
        return Response(status_code=204)

    # ------------------------------------------------------------ tiers, plans, templates, audit

    @r.get("/service-tiers", response_model=S.PageOut, tags=["tiers"])
    async def list_tiers(p: Who, ls: Listing) -> dict[str, Any]:
        return page([tier_out(t) for t in cdb.tiers.values()], ls, {})

    @r.get("/service-tiers/{name}", tags=["tiers"])
    async def get_tier(
        name: Annotated[str, S.Field(pattern=S.NAME)], p: Who, response: Response
    ) -> dict[str, Any]:
        t = cdb.tiers.get(resource_sql.tier_name(cdb, name))
        assert t is not None
        return with_etag(tier_out(t), response)

    @r.get("/cdb/resource-plans", response_model=S.PageOut, tags=["plans"])
    async def list_plans(request: Request, p: Who, ls: Listing) -> dict[str, Any]:
        if not p.admin:
            raise ora(1031)
        directives = cdb.cat.plan_directives()
        items = [
            {
                "plan": plan,
                "comment": comment,
                "directives": [
                    {
                        "pluggable_database": d[1],
                        "shares": d[2],
                        "utilization_limit": d[3],
                        "parallel_server_limit": d[4],
                    }
                    for d in directives
                    if d[0] == plan
                ],
            }
            for plan, comment in cdb.cat.cdb_plans()
        ]
        return page(items, ls, {})

    @r.get("/cdb/resource-plans/{plan}", tags=["plans"])
    async def get_plan(
        plan: Annotated[str, S.Field(pattern=S.NAME)], request: Request, p: Who
    ) -> dict[str, Any]:
        if not p.admin:
            raise ora(1031)
        found = cdb.cat.cdb_plan(plan.upper())
        if found is None:
            raise ora(29358, name=plan.upper())
        return {
            "plan": found[0],
            "comment": found[1],
            "directives": [
                {
                    "pluggable_database": d[1],
                    "shares": d[2],
                    "utilization_limit": d[3],
                    "parallel_server_limit": d[4],
                }
                for d in cdb.cat.plan_directives()
                if d[0] == found[0]
            ],
        }

    def plan_out(name: str) -> dict[str, Any]:
        found = cdb.cat.cdb_plan(name.upper())
        if found is None:
            raise ora(29358, name=name.upper())
        return {
            "plan": found[0],
            "comment": found[1],
            "in_force": (cdb.cat.get_meta("resource_manager_plan") or "") == found[0],
            "directives": [
                {
                    "pluggable_database": d[1],
                    "shares": d[2],
                    "utilization_limit": d[3],
                    "parallel_server_limit": d[4],
                }
                for d in cdb.cat.plan_directives()
                if d[0] == found[0]
            ],
        }

    def directive_args(d: Any) -> str:
        out = []
        for attr in ("shares", "utilization_limit", "parallel_server_limit"):
            v = getattr(d, attr)
            if v is not None:
                out.append(f"{attr} => {int(v)}")
        return "".join(", " + a for a in out)

    @r.post("/cdb/resource-plans", status_code=201, tags=["plans"])
    async def create_plan(body: S.PlanCreate, p: Who) -> JSONResponse:
        """EXEC DBMS_RESOURCE_MANAGER.CREATE_CDB_PLAN(plan, comment)."""
        await run_plan(
            f"EXEC DBMS_RESOURCE_MANAGER.CREATE_CDB_PLAN(plan => '{body.plan}', comment => '{body.comment}')",
            p,
        )
        out = plan_out(body.plan)
        return created(out, f"/cdb/resource-plans/{out['plan']}")

    @r.delete("/cdb/resource-plans/{plan}", status_code=204, tags=["plans"])
    async def delete_plan(plan: Annotated[str, S.Field(pattern=S.NAME)], p: Who) -> Response:
        await run_plan(f"EXEC DBMS_RESOURCE_MANAGER.DELETE_CDB_PLAN(plan => '{plan}')", p)
        return Response(status_code=204)

    @r.post("/cdb/resource-plans/{plan}/directives", status_code=201, tags=["plans"])
    async def create_directive(
        plan: Annotated[str, S.Field(pattern=S.NAME)], body: S.Directive, p: Who
    ) -> JSONResponse:
        """EXEC DBMS_RESOURCE_MANAGER.CREATE_CDB_PLAN_DIRECTIVE(plan, pluggable_database, ...)."""
        await run_plan(
            f"EXEC DBMS_RESOURCE_MANAGER.CREATE_CDB_PLAN_DIRECTIVE(plan => '{plan}', "
            f"pluggable_database => '{body.pluggable_database}'{directive_args(body)})",
            p,
        )
        return JSONResponse(plan_out(plan), status_code=201)

    @r.put("/cdb/resource-plans/{plan}/directives/{pdb}", tags=["plans"])
    async def update_directive(
        plan: Annotated[str, S.Field(pattern=S.NAME)],
        pdb: Annotated[str, S.Field(pattern=S.NAME)],
        body: S.DirectiveUpdate,
        p: Who,
    ) -> dict[str, Any]:
        args = (
            directive_args(body)
            .replace("shares =>", "new_shares =>")
            .replace("utilization_limit =>", "new_utilization_limit =>")
        )
        args = args.replace("parallel_server_limit =>", "new_parallel_server_limit =>").replace(
            "new_new_", "new_"
        )
        await run_plan(
            f"EXEC DBMS_RESOURCE_MANAGER.UPDATE_CDB_PLAN_DIRECTIVE(plan => '{plan}', pluggable_database => '{pdb}'{args})",
            p,
        )
        return plan_out(plan)

    @r.delete("/cdb/resource-plans/{plan}/directives/{pdb}", status_code=204, tags=["plans"])
    async def delete_directive(
        plan: Annotated[str, S.Field(pattern=S.NAME)], pdb: Annotated[str, S.Field(pattern=S.NAME)], p: Who
    ) -> Response:
        await run_plan(
            f"EXEC DBMS_RESOURCE_MANAGER.DELETE_CDB_PLAN_DIRECTIVE(plan => '{plan}', pluggable_database => '{pdb}')",
            p,
        )
        return Response(status_code=204)

    @r.put("/cdb/resource-manager-plan", tags=["plans"])
    async def set_plan_in_force(body: S.PlanInForce, p: Who) -> dict[str, Any]:
        """ALTER SYSTEM SET RESOURCE_MANAGER_PLAN = 'p' (null: none) in the root."""
        await run_plan(f"ALTER SYSTEM SET RESOURCE_MANAGER_PLAN = '{body.plan or ''}'", p)
        return {"plan": cdb.cat.get_meta("resource_manager_plan") or None}

    @r.get("/cdb/resource-manager-plan", tags=["plans"])
    async def get_plan_in_force(p: Who) -> dict[str, Any]:
        if not p.admin:
            raise ora(1031)
        return {"plan": cdb.cat.get_meta("resource_manager_plan") or None}

    def template_out(t: Any) -> dict[str, Any]:
        return {
            "name": t.name, "source_pdb": t.source_pdb, "no_data": t.no_data, "service_tier": t.tier,
            "lockdown_profile": t.lockdown_profile, "parameters": t.parameters, "created_at": t.created_at,
        }  # fmt: skip

    @r.get("/tenant-templates", response_model=S.PageOut, tags=["templates"])
    async def list_templates(p: Who, ls: Listing) -> dict[str, Any]:
        return page([template_out(t) for t in cdb.cat.tenant_templates()], ls, {})

    @r.get("/tenant-templates/{name}", tags=["templates"])
    async def get_template(name: Annotated[str, S.Field(pattern=S.NAME)], p: Who) -> dict[str, Any]:
        t = cdb.cat.tenant_template(name.upper())
        if t is None:
            raise ora(65908, name=name.upper())
        return template_out(t)

    @r.post("/tenant-templates", status_code=202, response_model=S.OperationOut, tags=["templates"])
    async def create_template(body: S.TemplateCreate, request: Request, p: Who) -> JSONResponse:
        """CREATE TENANT TEMPLATE t FROM PDB p ...: a frozen copy, made as an operation (202)."""
        ops.require(cdb, p.user, "CREATE TENANT")

        async def work() -> dict[str, Any]:
            notices = await ops.create_template(
                cdb, p.user, body.name, body.source_pdb, body.no_data, body.service_tier, body.lockdown_profile,
                {k.upper(): v for k, v in body.parameters.items()},
            )  # fmt: skip
            t = cdb.cat.tenant_template(body.name.upper())
            return {"template": template_out(t) if t else None, "notices": notices}

        return accepted(api.start_operation(p, "CREATE TEMPLATE", body.name.upper(), None, work))

    @r.delete("/tenant-templates/{name}", status_code=204, tags=["templates"])
    async def drop_template(name: Annotated[str, S.Field(pattern=S.NAME)], p: Who) -> Response:
        await ops.drop_template(cdb, p.user, name)
        return Response(status_code=204)

    @r.get("/audit", response_model=S.PageOut, tags=["audit"])
    async def audit_trail(
        request: Request,
        p: Who,
        ls: Listing,
        username: str | None = None,
        action: str | None = None,
        rule: str | None = None,
        pdb_name: str | None = None,
        since: float | None = None,
    ) -> dict[str, Any]:
        """The audit trail (refused statements, failed logins, API calls), filtered; newest last."""
        if not p.admin:
            raise ora(1031)
        cols = (
            "time",
            "con_id",
            "pdb_name",
            "username",
            "client",
            "action",
            "statement",
            "rule",
            "sqlstate",
            "message",
        )
        items = [dict(zip(cols, row, strict=True)) for row in cdb.cat.audit_rows()]
        if since is not None:
            items = [i for i in items if i["time"] >= since]
        return page(
            items,
            ls,
            {"username": username, "action": action, "rule": rule, "pdb_name": pdb_name},
        )

    @r.get("/tenant-states", tags=["tenants"])
    async def tenant_states(p: Who) -> dict[str, Any]:
        """The tenant state machine: which transitions ALTER TENANT allows."""
        names = [states.ACTIVE, states.SUSPENDED, states.MAINTENANCE, states.MIGRATING, states.TERMINATED]
        return {
            "states": names,
            "transitions": {a: [b for b in names if states.allowed(a, b)] for a in names},
        }

    return r
