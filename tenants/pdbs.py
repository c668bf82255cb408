"""The PDB commands as operations: CREATE / ALTER / DROP PLUGGABLE DATABASE, each run by the admin
SQL (proxy.commands, once it has checked where the session is) and by the HTTP API alike, with the
one privilege check (SYS or SYSDBA) and the tenant gate of each PDB."""

from __future__ import annotations

from catalog import lifecycle, plug, relocate
from catalog.cdb import Cdb
from catalog.commands import pdbs as admin_sql
from catalog.commands import resources as resource_sql
from catalog.store import Container, User
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID
from tenants import gate as tenant_gate
from tenants import ops as tenant_ops
from tenants import states

PdbCommand = admin_sql.CreatePdb | admin_sql.DropPdb | admin_sql.AlterPdb


def require(cdb: Cdb, actor: User) -> None:
    """SYS, or a user holding SYSDBA in the root."""
    if not (actor.name == "SYS" and actor.common) and not cdb.cat.has_privilege(actor, ROOT_ID, "SYSDBA"):
        raise ora(1031)


async def execute(cdb: Cdb, cmd: PdbCommand, actor: User) -> tuple[str, list[str]]:
    """Run a PDB command for actor; (command tag, notices), or DbError."""
    require(cdb, actor)
    notices: list[str] = []
    if isinstance(cmd, admin_sql.CreatePdb) and cmd.tenant is not None:
        tenant_ops.check_add_pdb(cdb, actor, cmd.tenant)
    if isinstance(cmd, admin_sql.CreatePdb) and cmd.tier is not None:
        cmd.tier = resource_sql.tier_name(cdb, cmd.tier)
    if isinstance(cmd, admin_sql.CreatePdb) and cmd.using is not None:
        notices = await plug.plug_pdb(
            cdb, cmd.name, cmd.using, cmd.as_clone, cmd.file_mode, cmd.if_not_exists
        )
        plugged = cdb.find(cmd.name)
        if cmd.tier is not None and plugged is not None:
            cdb.cat.update_container(plugged.con_id, tier=cmd.tier)
        tag = "CREATE PLUGGABLE DATABASE"
    elif isinstance(cmd, admin_sql.CreatePdb) and cmd.source is not None:
        notices = await lifecycle.clone_pdb(
            cdb,
            cmd.name,
            cmd.source,
            cmd.snapshot,
            cmd.no_data,
            cmd.max_size,
            cmd.max_temp_size,
            cmd.if_not_exists,
            cmd.tier,
        )
        tag = "CREATE PLUGGABLE DATABASE"
    elif isinstance(cmd, admin_sql.CreatePdb):
        assert cmd.admin_user is not None and cmd.admin_password is not None
        notices = await lifecycle.create_pdb(
            cdb,
            cmd.name,
            cmd.admin_user,
            cmd.admin_password,
            cmd.roles,
            cmd.max_size,
            cmd.max_temp_size,
            cmd.if_not_exists,
            cmd.tier,
        )
        tag = "CREATE PLUGGABLE DATABASE"
    elif isinstance(cmd, admin_sql.DropPdb):
        c = cdb.find(cmd.name)
        if c is None or c.con_id == ROOT_ID:
            if not cmd.if_exists:
                raise ora(65011, name=cmd.name)
            notices.append(f"pluggable database {cmd.name} does not exist, skipping")
        else:
            tenant_gate.check_pdb_command(cdb.cat, c, "DROP")
            await lifecycle.drop_pdb(cdb, c, cmd.including_datafiles)
        tag = "DROP PLUGGABLE DATABASE"
    else:
        notices = await alter_pdb(cdb, cmd, actor)
        tag = "ALTER PLUGGABLE DATABASE"
    if isinstance(cmd, admin_sql.CreatePdb) and cmd.tenant is not None and cdb.find(cmd.name) is not None:
        await tenant_ops.add_pdb(cdb, actor, cmd.tenant, cmd.name, cmd.tier is not None)
    return tag, notices


async def alter_pdb(cdb: Cdb, cmd: admin_sql.AlterPdb, actor: User | None = None) -> list[str]:
    """ALTER PLUGGABLE DATABASE on each target (after execute's privilege check)."""
    if cmd.all:
        excluded = {n.upper() for n in cmd.except_names}
        targets = [
            c
            for c in cdb.cat.containers()
            if c.con_id > SEED_ID and c.name not in excluded and c.status not in ("UNUSABLE", "UNPLUGGED")
        ]
    else:
        targets = [cdb.require_pdb(n) for n in cmd.names]
    notices: list[str] = []
    for c in targets:
        try:
            tenant_gate.check_pdb_command(cdb.cat, c, cmd.action)
        except DbError:
            if cmd.all:  # ALL skips templates' copies and PDBs of suspended or dropped tenants
                continue
            raise
        if c.status == "UNPLUGGED" and cmd.action not in ("UNPLUG", "CLOSE"):
            raise ora(65086, f"{c.name} is unplugged; only DROP is possible")
        if cmd.action == "OPEN":
            if cmd.all and c.is_open and c.open_mode == cmd.mode:
                continue
            n = await lifecycle.open_pdb(cdb, c, cmd.mode, cmd.restricted, cmd.force)
        elif cmd.action == "TIER":
            assert cmd.tier is not None
            await resource_sql.set_tier(cdb, c, cmd.tier, actor.name if actor else "SYS")
            n = None
        elif cmd.action == "STORAGE":
            n = "; ".join(await lifecycle.alter_storage(cdb, c, cmd.max_size, cmd.max_temp_size)) or None
        elif cmd.action == "RENAME":
            assert cmd.new_name is not None
            await lifecycle.rename_pdb(cdb, c, cmd.new_name)
            n = None
        elif cmd.action == "UNPLUG":
            assert cmd.target is not None
            await plug.unplug_pdb(cdb, c, cmd.target)
            n = None
        elif cmd.action == "RELOCATE":
            assert cmd.location is not None
            n = "; ".join(await relocate_pdb(cdb, c, cmd.location, cmd.availability, actor)) or None
        elif cmd.action == "CLOSE":
            if cmd.all and not c.is_open:
                continue
            n = await lifecycle.close_pdb(cdb, c, cmd.immediate)
        else:
            lifecycle.save_state(cdb, c, cmd.action == "SAVE STATE")
            n = None
        if n:
            notices.append(n)
    return notices


async def relocate_pdb(
    cdb: Cdb, c: Container, location: str, availability: str, actor: User | None
) -> list[str]:
    """ALTER PLUGGABLE DATABASE p RELOCATE TO 'location' [AVAILABILITY NORMAL | MAX] (and POST
    /api/v1/pdbs/{id}/relocate): catalog.relocate moves it; a tenant's PDB gets an event."""
    tenant_gate.check_pdb_command(cdb.cat, c, "RELOCATE")  # a template's frozen copy: ORA-65914
    tenant = cdb.cat.tenant_of(c.con_id)
    t = cdb.cat.tenant(tenant) if tenant else None
    if t is not None and t.state == states.TERMINATED:
        raise ora(65907, name=t.name)
    before = (cdb.cat.container_by_id(c.con_id) or c).location
    notices = await relocate.relocate_pdb(cdb, c, location, availability)
    moved = cdb.cat.container_by_id(c.con_id) or c
    if t is not None and moved.location != before:
        cdb.cat.add_tenant_event(
            t.name, actor.name if actor else "SYS", "RELOCATE", t.state, t.state,
            f"{c.name} to {moved.location or relocate.DEFAULT_LOCATION} (AVAILABILITY {availability.upper()})",
        )  # fmt: skip
    return notices
