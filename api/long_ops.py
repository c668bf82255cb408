"""The API's long operations, one starter each, called by REST (which answers 202 with the
operation and its Location) and GraphQL (whose mutation returns the Operation): the privilege
check and what can be refused at once happen before the operation starts; the work calls the one
function the admin SQL calls (tenants.ops, tenants.pdbs, tenants.backups); its result is the same
whichever door started it."""

from __future__ import annotations

import secrets
from typing import Any

from api import render
from api import schemas as S
from api.core import Api, Principal
from api.problems import ApiError
from catalog import relocate as relocation
from catalog.commands import pdbs as admin_sql
from catalog.store import Container, Operation
from tenants import backups, ops, pdbs


def tenant_spec(body: S.TenantCreate) -> tuple[ops.TenantSpec, str]:
    """CREATE TENANT's spec from a request body; and the admin's password (generated when absent)."""
    password = body.admin_password or ("Pw-" + secrets.token_urlsafe(18).replace('"', "x"))
    spec = ops.TenantSpec(
        name=body.tenant_name,
        admin_user=body.admin_user.upper(),  # a plain name, as unquoted in SQL
        admin_password=password,
        display_name=body.display_name,
        contact=body.contact,
        tier=body.service_tier,
        template=body.template,
        auto_scaling=body.auto_scaling,
        backup=body.backup_enabled,
        labels={k.upper(): v for k, v in body.labels.items()},
    )
    return spec, password


def start_tenant_from_template(api: Api, p: Principal, spec: ops.TenantSpec) -> Operation:
    """CREATE TENANT t ... FROM TEMPLATE x: a copy of the template's frozen PDB, as an operation."""
    cdb = api.cdb
    ops.require(cdb, p.user, "CREATE TENANT")
    name = spec.name.upper()

    async def work() -> dict[str, Any]:
        notices = await ops.create_tenant(cdb, p.user, spec)
        return {"tenant": render.tenant_out(api, ops.get(cdb, name)), "notices": notices}

    return api.start_operation(p, "CREATE TENANT", name, name, work)


def start_clone(api: Api, p: Principal, c: Container, body: S.CloneRequest) -> Operation:
    """CREATE PLUGGABLE DATABASE target FROM c [SNAPSHOT COPY] [NO DATA]."""
    cdb = api.cdb
    pdbs.require(cdb, p.user)
    cmd = admin_sql.CreatePdb(
        name=body.target_name.upper(),
        source=c.name,
        snapshot=body.clone_type == "snapshot",
        no_data=body.clone_type == "metadata",
        tier=body.service_tier,
    )

    async def work() -> dict[str, Any]:
        _, notices = await pdbs.execute(cdb, cmd, p.user)
        return {"pdb": render.pdb_out(cdb, cdb.require_pdb(cmd.name)), "notices": notices}

    return api.start_operation(p, "CLONE", c.name, cdb.cat.tenant_of(c.con_id), work)


def start_unplug(api: Api, p: Principal, c: Container, body: S.UnplugRequest) -> Operation:
    """ALTER PLUGGABLE DATABASE c UNPLUG INTO 'file' (the PDB closed first)."""
    cdb = api.cdb
    pdbs.require(cdb, p.user)

    async def work() -> dict[str, Any]:
        _, notices = await pdbs.execute(
            cdb, admin_sql.AlterPdb([c.name], False, [], "UNPLUG", target=body.xml_path), p.user
        )
        pdb = render.pdb_out(cdb, cdb.require_pdb(c.name))
        return {"pdb": pdb, "file": body.xml_path, "notices": notices}

    return api.start_operation(p, "UNPLUG", c.name, cdb.cat.tenant_of(c.con_id), work)


def start_plug(api: Api, p: Principal, body: S.PlugRequest) -> Operation:
    """CREATE PLUGGABLE DATABASE p [AS CLONE] USING 'file' [COPY | MOVE | NOCOPY]."""
    cdb = api.cdb
    pdbs.require(cdb, p.user)
    cmd = admin_sql.CreatePdb(
        name=body.pdb_name.upper(), using=body.xml_path, as_clone=body.as_clone, file_mode=body.file_mode
    )

    async def work() -> dict[str, Any]:
        _, notices = await pdbs.execute(cdb, cmd, p.user)
        return {"pdb": render.pdb_out(cdb, cdb.require_pdb(cmd.name)), "notices": notices}

    return api.start_operation(p, "PLUG", cmd.name, None, work)


def start_backup(api: Api, p: Principal, c: Container) -> Operation:
    """BACKUP PLUGGABLE DATABASE c: the operation's result names the backup."""
    cdb = api.cdb
    backups.require(cdb, p.user)

    async def work() -> dict[str, Any]:
        b = await backups.backup_pdb(cdb, p.user, c.name)
        return {"backup_id": b.id, "pdb_name": b.pdb_name, "size": b.size, "sha256": b.sha256}

    return api.start_operation(p, "BACKUP", c.name, cdb.cat.tenant_of(c.con_id), work)


def start_restore(api: Api, p: Principal, c: Container, body: S.RestoreRequest) -> Operation:
    """RESTORE PLUGGABLE DATABASE c FROM BACKUP 'id' [AS new]."""
    cdb = api.cdb
    backups.require(cdb, p.user)

    async def work() -> dict[str, Any]:
        notices = await backups.restore_pdb(cdb, p.user, c.name, body.backup_id, body.new_name)
        return {"pdb_name": (body.new_name or c.name).upper(), "notices": notices}

    return api.start_operation(p, "RESTORE", c.name, cdb.cat.tenant_of(c.con_id), work)


def start_relocation(api: Api, p: Principal, c: Container, location: str, availability: str) -> Operation:
    """ALTER PLUGGABLE DATABASE c RELOCATE TO 'location' [AVAILABILITY NORMAL | MAX]. A move under
    way, or a location that may not hold PDBs, is refused now, not in the operation."""
    cdb = api.cdb
    pdbs.require(cdb, p.user)
    if c.pending_op:
        raise ApiError(409, "Conflict", f"a {c.pending_op} of {c.name} is under way", sqlstate="55000")
    relocation.storage_location(cdb, location)

    async def work() -> dict[str, Any]:
        notices = await pdbs.relocate_pdb(cdb, c, location, availability, p.user)
        moved = cdb.require_pdb(c.name)
        return {
            "pdb_name": moved.name,
            "location": moved.location or "pdbs",
            "path": str(cdb.pdb_dir(moved)),
            "open_mode": moved.open_mode,
            "notices": notices,
        }

    return api.start_operation(p, "RELOCATE", c.name, cdb.cat.tenant_of(c.con_id), work)
