"""Container commands, run by the proxy for a session an engine serves: CREATE/ALTER/DROP
PLUGGABLE DATABASE, SHOW PDBS, SET CONTAINER, users and roles, grants, lockdown profiles, PDB
parameters and CDB resource plans.

The session is who the proxy's registry says it is (proxy.sessions.SessionRecord), never who its
engine claims. Each command is parsed and run by the catalog's functions (catalog.commands,
catalog.lifecycle, catalog.plug), the same ones the HTTP API calls; this module checks where and
by whom it may run, and renders the answer as wire messages.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api import keys as api_keys
from catalog import plug
from catalog.commands import lockdown as lockdown_sql
from catalog.commands import object_privs as object_privs_sql
from catalog.commands import pdbs as admin_sql
from catalog.commands import plans as resource_plan_sql
from catalog.commands import resources as resource_sql
from catalog.commands import users as users_sql
from catalog.store import User
from metering import sql as metering_sql
from pgcompat import container_commands
from pgcompat import statements as stmts
from pgwire import backend, faults
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID
from tenants import gate as tenant_gate
from tenants import pdbs as pdb_ops
from tenants import sql as tenant_sql
from tenants import tiers as tier_sql

if TYPE_CHECKING:
    from proxy.server import Server
    from proxy.sessions import SessionRecord

PDBS_COLUMNS = [
    backend.Column("CON_ID", 23, 4),
    backend.Column("CON_NAME", 25),
    backend.Column("OPEN MODE", 25),
    backend.Column("RESTRICTED", 25),
]


@dataclass
class Context:
    """The session a command runs for: its record, its user as the catalog has it now, whether
    it is inside a transaction block."""

    server: Server
    record: SessionRecord
    user: User
    in_transaction: bool
    describe: bool
    enter: dict[str, Any] | None = None

    @property
    def con_id(self) -> int:
        return self.record.con_id


def _text_columns(names: tuple[str, ...] | list[str]) -> list[backend.Column]:
    return [backend.Column(n, 25) for n in names]


def _rows(
    cols: list[backend.Column], rows: list[tuple[object, ...]], describe: bool, tag: str | None = None
) -> bytes:
    out = backend.row_description(cols) if describe else b""
    return out + backend.text_rows(rows) + backend.command_complete(tag or f"SELECT {len(rows)}")


def _statement(text: str) -> stmts.Statement:
    parsed = stmts.split(text)
    if len(parsed) != 1 or not container_commands.is_container_command(parsed[0]):
        raise DbError("42601", "not a container command")
    return parsed[0]


async def run(ctx: Context, text: str) -> bytes:
    """The wire answer of a container command; DbError when it fails."""
    faults.inject("command", text)
    st = _statement(text)
    cdb = ctx.server.cdb
    con_id = ctx.con_id
    if container_commands.is_object_grant(st):
        cmd_o = object_privs_sql.parse_object_grant(st)
        return backend.command_complete(
            object_privs_sql.execute_object_grant(cdb.cat, cmd_o, con_id=con_id, actor=ctx.user)
        )
    if container_commands.is_lockdown_command(st):
        cmd = lockdown_sql.parse_lockdown_command(st)
        return backend.command_complete(
            lockdown_sql.execute_lockdown_command(cdb.cat, cmd, con_id=con_id, actor=ctx.user)
        )
    if container_commands.is_plan_command(st):
        call = resource_plan_sql.parse(st)
        tag = resource_plan_sql.execute(cdb.cat, call, con_id, ctx.user)
        if call.procedure not in resource_plan_sql.PENDING_AREA:
            await resource_sql.apply_to_open_pdbs(cdb)
        return backend.command_complete(tag)
    if container_commands.is_resource_command(st):
        cmd_r = resource_sql.parse(st)
        if isinstance(cmd_r, resource_sql.ShowResources):
            rows = await resource_sql.show_resources(cdb, con_id)
            return _rows(_text_columns(resource_sql.RESOURCE_COLUMNS), rows, ctx.describe)  # type: ignore[arg-type]
        if isinstance(cmd_r, resource_sql.ShowParameters):
            rows_p = resource_sql.show_rows(cdb, con_id, cmd_r.pattern)
            return _rows(_text_columns(resource_sql.PARAMETER_COLUMNS), rows_p, ctx.describe)  # type: ignore[arg-type]
        return backend.command_complete(await resource_sql.execute(cdb, cmd_r, con_id, ctx.user))
    if container_commands.is_tenant_command(st):
        return await run_tenant(ctx, st)
    if container_commands.is_tier_command(st):
        return await run_tier(ctx, st)
    if container_commands.is_api_key_command(st):
        tag, key_rows = api_keys.execute(cdb, api_keys.parse(st), con_id, ctx.user)
        if not key_rows:
            return backend.command_complete(tag)
        return _rows(_text_columns(api_keys.KEY_COLUMNS), key_rows, ctx.describe, tag)  # type: ignore[arg-type]
    if container_commands.is_metering_command(st):
        return await run_metering(ctx, st)
    if container_commands.is_user_command(st):
        md5 = ctx.server.config.get("auth", "method") == "md5"
        cmd_u = users_sql.parse_user_command(st)
        return backend.command_complete(
            users_sql.execute_user_command(cdb.cat, cmd_u, con_id=con_id, actor=ctx.user, md5=md5)
        )
    return await run_admin(ctx, st)


def describe(text: str) -> bytes:
    """RowDescription (or NoData) of a container command, without running it."""
    st = _statement(text)
    if container_commands.is_resource_command(st):
        cols = resource_sql.columns_of(resource_sql.parse(st))
        return backend.row_description(_text_columns(cols)) if cols else backend.NO_DATA
    if container_commands.is_api_key_command(st):
        return (
            backend.row_description(_text_columns(api_keys.KEY_COLUMNS))
            if st.words[0] == "CREATE"
            else backend.NO_DATA
        )
    if container_commands.is_metering_command(st):
        cols = metering_sql.columns(metering_sql.parse(st.text))
        return backend.row_description(_text_columns(cols)) if cols else backend.NO_DATA
    if st.kind == "admin" and st.words[:2] == ("SHOW", "PDBS"):
        return backend.row_description(PDBS_COLUMNS)
    if st.kind == "admin" and st.words[:1] == ("SHOW",):
        name = st.tokens[1].text.upper() if len(st.tokens) > 1 else "SETTING"
        return backend.row_description([backend.Column(name, 25)])
    if st.kind == "admin" and st.words[:2] == ("SELECT", "DBMS_PDB"):
        return backend.row_description([backend.Column("CHECK_PLUG_COMPATIBILITY", 25)])
    return backend.NO_DATA


async def set_container(ctx: Context, name: str) -> None:
    """ALTER SESSION SET CONTAINER (common users with SET CONTAINER): where the session goes."""
    cdb = ctx.server.cdb
    target = cdb.find(name)
    if target is None:
        raise ora(65011, name=name)
    if ctx.in_transaction:
        raise ora(65023, name=ctx.record.container)
    allowed = ctx.user.name == "SYS" or (
        ctx.user.common and cdb.cat.has_privilege(ctx.user, target.con_id, "SET CONTAINER")
    )
    if not allowed or target.con_id == SEED_ID:
        raise ora(1031)
    refusal = tenant_gate.login_refusal(cdb.cat, target, ctx.user)
    if refusal is not None:
        raise refusal
    if target.con_id != ctx.record.con_id:
        await ctx.server.sessions.admit(target, ctx.user)
        ctx.server.sessions.enter(ctx.record, target.con_id, target.name)
    # A closed container can be entered; its queries fail with ORA-01219 until it opens.
    running = target.is_open and target.con_id in ctx.server.supervisor.running()
    ctx.enter = {"con_id": target.con_id, "name": target.name, "open": running}


async def run_tenant(ctx: Context, st: stmts.Statement) -> bytes:
    """CREATE / ALTER / DROP / UNDROP TENANT, CREATE / DROP TENANT TEMPLATE: in the root, outside a
    transaction block; tenants.sql runs each by its operation (tenants.ops)."""
    cmd = tenant_sql.parse(st)
    if ctx.con_id != ROOT_ID:
        raise ora(65040)
    if ctx.in_transaction:
        raise ora(65023, "COMMIT or ROLLBACK first", name=ctx.record.container)
    tag, notices = await tenant_sql.execute(ctx.server.cdb, cmd, ctx.user)
    return b"".join(backend.notice_response(n) for n in notices) + backend.command_complete(tag)


async def run_tier(ctx: Context, st: stmts.Statement) -> bytes:
    """ALTER SERVICE TIER: in the root, outside a transaction block (tenants.tiers)."""
    cmd = tier_sql.parse(st)
    if ctx.con_id != ROOT_ID:
        raise ora(65040)
    if ctx.in_transaction:
        raise ora(65023, "COMMIT or ROLLBACK first", name=ctx.record.container)
    tag, notices = await tier_sql.execute(ctx.server.cdb, cmd, ctx.user)
    return b"".join(backend.notice_response(n) for n in notices) + backend.command_complete(tag)


async def run_metering(ctx: Context, st: stmts.Statement) -> bytes:
    """SHOW BILLING / SHOW SLA / ALTER SYSTEM CLOSE BILLING PERIOD / DECLARE MAINTENANCE WINDOW:
    in the root by SYS or a SYSDBA (every tenant); in a PDB only its own tenant's reports."""
    cmd = metering_sql.parse(st.text)
    cdb = ctx.server.cdb
    own = None
    if ctx.con_id != ROOT_ID:
        c = cdb.cat.container_by_id(ctx.con_id)
        own = (cdb.cat.tenant_of(ctx.con_id) or (c.name if c else "")) if c else ""
    # on the loop: the catalog's connection is the loop's (the metering store's queries are short);
    # in the root SYS or a SYSDBA only (metering.ops.require_billing_admin, as the API asks)
    tag, rows = metering_sql.execute(ctx.server.metering, cmd, own, ctx.user)
    cols = metering_sql.columns(cmd)
    return _rows(_text_columns(cols), rows, ctx.describe, tag) if cols else backend.command_complete(tag)


async def run_admin(ctx: Context, st: stmts.Statement) -> bytes:
    cmd = admin_sql.parse_admin(st)
    cdb = ctx.server.cdb
    describe = ctx.describe
    if isinstance(cmd, admin_sql.Show):
        if cmd.what == "PDBS":
            return _rows(PDBS_COLUMNS, cdb.show_pdbs(ctx.con_id), describe)
        if cmd.what == "CON_NAME":
            return _rows([backend.Column("CON_NAME", 25)], [(ctx.record.container,)], describe)
        return _rows([backend.Column("CON_ID", 23, 4)], [(ctx.con_id,)], describe)
    if isinstance(cmd, admin_sql.SetContainer):
        await set_container(ctx, cmd.name)
        return backend.command_complete("ALTER SESSION")
    if isinstance(cmd, admin_sql.CheckPlugCompatibility):
        if ctx.con_id != ROOT_ID:
            raise ora(65040)
        _, found = await asyncio.to_thread(plug.check_plug, cdb, cmd.file, cmd.name or "UNNAMED")
        ok = "NO" if any(v.type == "ERROR" for v in found) else "YES"
        return _rows([backend.Column("CHECK_PLUG_COMPATIBILITY", 25)], [(ok,)], describe)
    if ctx.con_id != ROOT_ID:
        raise ora(65040)
    if ctx.in_transaction:
        raise ora(65023, "COMMIT or ROLLBACK first", name=ctx.record.container)
    tag, notices = await pdb_ops.execute(cdb, cmd, ctx.user)
    return b"".join(backend.notice_response(n) for n in notices) + backend.command_complete(tag)
