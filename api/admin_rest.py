"""REST endpoints beside api.rest (kept apart so that each module stays one job): service tiers
changed at runtime (PUT /service-tiers/{name}, tenants.tiers) and PDB relocation
(POST /pdbs/{id}/relocate, api.long_ops over catalog.relocate through tenants.pdbs), each over the one function the
admin SQL calls."""

from dataclasses import fields
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field, create_model

from api import long_ops
from api import schemas as S
from api.core import Api, Principal, check_if_match, client_of, etag_of, operation_out
from catalog.commands import resources as resource_sql
from governance import resources
from tenants import tiers

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": S.Problem, "content": {"application/problem+json": {}}}
    for code in (400, 401, 403, 404, 409, 412, 422, 429)
}


def _figure_to_change(key: str) -> tuple[Any, Any]:
    """One tier figure of PUT's body: optional, bounded as ALTER SERVICE TIER bounds it."""
    if key == "priority":
        return (Literal[resources.PRIORITY_NAMES] | None, None)  # type: ignore[valid-type]
    bounds = Field(default=None, ge=resources.TIER_MINIMUMS[key], le=resources.TIER_MAXIMUMS[key])
    return (int | None, bounds)


# The tier's figures in resources.Tier's order (the one list of them).
_FIGURES = [f.name for f in fields(resources.Tier) if f.name != "name"]

TierUpdate = create_model(  # type: ignore[call-overload]
    "TierUpdate",
    __base__=S.Strict,
    __doc__="The figures to change (the others stay); null for a figure: back to conf/tiers.toml.",
    **{k: _figure_to_change(k) for k in _FIGURES},
    reset_all=(bool, Field(default=False, description="back to conf/tiers.toml first")),
)
ServiceTier = create_model(  # type: ignore[call-overload]
    "ServiceTier",
    __base__=S.BaseModel,
    __doc__="A service tier as GET and PUT /service-tiers/{name} show it.",
    name=(str, ...),
    **{k: (str if k == "priority" else int, ...) for k in _FIGURES},
    notices=(list[str] | None, None),
)


class RelocateRequest(S.Strict):
    location: str = Field(
        min_length=1,
        max_length=4096,
        pattern=r"^[^'\x00]+$",
        description="a folder under the data directory ('pdbs' is the default one), or under one of "
        "[container] relocate_dirs",
    )
    availability: Literal["NORMAL", "MAX"] = Field(
        default="NORMAL",
        description="NORMAL: the PDB closes (its sessions end) and reopens; MAX: its sessions stay "
        "connected, parked while the files move",
    )


def tier_out(t: resources.Tier) -> dict[str, Any]:
    """A service tier as the API shows it (GET and PUT /service-tiers/{name}, and its ETag)."""
    return {**vars(t), "name": t.name.lower()}


def router(api: Api) -> APIRouter:
    r = APIRouter(prefix="/api/v1", responses=PROBLEMS)
    cdb = api.cdb

    Who = Annotated[Principal, Depends(api.principal)]

    @r.put("/service-tiers/{name}", response_model=ServiceTier, tags=["tiers"])
    async def update_tier(
        name: Annotated[str, Field(pattern=S.NAME)],
        body: TierUpdate,
        request: Request,
        response: Response,
        p: Who,
    ) -> dict[str, Any]:
        """ALTER SERVICE TIER name SET (...) / RESET (...): the tier's figures at runtime, kept in
        the catalog, applied online to its open PDBs (If-Match: the tier's ETag)."""
        tier = resource_sql.tier_name(cdb, name)
        check_if_match(request, tier_out(cdb.tiers[tier]))
        given = body.model_dump(exclude_unset=True)
        given.pop("reset_all", None)
        changes = {k: v for k, v in given.items() if v is not None}
        reset = [k for k, v in given.items() if v is None]
        t, notices = await tiers.alter_tier(
            cdb, p.user, tier, changes, reset, body.reset_all, client_of(request)
        )
        out = tier_out(t)
        response.headers["ETag"] = etag_of(out)
        return {**out, "notices": notices or None}

    @r.post(
        "/pdbs/{pdb_id}/relocate",
        status_code=202,
        response_model=S.OperationOut,
        tags=["pdbs"],
    )
    async def relocate(pdb_id: str, body: RelocateRequest, request: Request, p: Who) -> JSONResponse:
        """ALTER PLUGGABLE DATABASE p RELOCATE TO 'location' [AVAILABILITY NORMAL | MAX]: its files
        move to another storage location; 202, an operation."""
        c = api.scope_pdb(request, p, pdb_id)
        op = long_ops.start_relocation(api, p, c, body.location, body.availability)
        return JSONResponse(
            operation_out(op), status_code=202, headers={"Location": f"/api/v1/operations/{op.id}"}
        )

    return r
