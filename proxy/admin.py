"""Container commands of a session: CREATE/ALTER/DROP PLUGGABLE DATABASE, SHOW PDBS and the like.

The lifecycle itself lives in catalog.cdb; this module checks where and by whom a command may
run, calls it, and answers the client.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from catalog import lifecycle, plug
from catalog.commands import pdbs as admin_sql
from catalog.commands import resources as resource_sql
from pgcompat import statements as stmts
from pgwire import backend
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID

if TYPE_CHECKING:
    from proxy.session import Session

PDBS_COLUMNS = [
    backend.Column("CON_ID", 23, 4),
    backend.Column("CON_NAME", 25),
    backend.Column("OPEN MODE", 25),
    backend.Column("RESTRICTED", 25),
]


async def run_admin(session: Session, st: stmts.Statement, describe: bool) -> None:
    cmd = admin_sql.parse_admin(st)
    cdb = session.cdb
    assert session.user is not None
    if isinstance(cmd, admin_sql.Show):
        if cmd.what == "PDBS":
            await session._rows(PDBS_COLUMNS, cdb.show_pdbs(session.con_id), describe)
        elif cmd.what == "CON_NAME":
            await session._rows(
                [backend.Column("CON_NAME", 25)],
                [(session.container.name if session.container else "",)],
                describe,
            )
        else:
            await session._rows([backend.Column("CON_ID", 23, 4)], [(session.con_id,)], describe)
        return
    if isinstance(cmd, admin_sql.SetContainer):
        await session._set_container(cmd.name)
        await session.send(backend.command_complete("ALTER SESSION"))
        return
    if isinstance(cmd, admin_sql.CheckPlugCompatibility):
        if session.con_id != ROOT_ID:
            raise ora(65040)
        _, found = await asyncio.to_thread(plug.check_plug, cdb, cmd.file, cmd.name or "UNNAMED")
        ok = "NO" if any(v.type == "ERROR" for v in found) else "YES"
        await session._rows([backend.Column("CHECK_PLUG_COMPATIBILITY", 25)], [(ok,)], describe)
        return
    if session.con_id != ROOT_ID:
        raise ora(65040)
    if session.status != "I":
        raise ora(65023, "COMMIT or ROLLBACK first", name=session.container.name if session.container else "")
    if not cdb.cat.has_privilege(session.user, ROOT_ID, "SYSDBA") and session.user.name != "SYS":
        raise ora(1031)
    notices: list[str] = []
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
            await lifecycle.drop_pdb(cdb, c, cmd.including_datafiles)
        tag = "DROP PLUGGABLE DATABASE"
    else:
        assert isinstance(cmd, admin_sql.AlterPdb)
        notices = await alter_pdb(session, cmd)
        tag = "ALTER PLUGGABLE DATABASE"
    out = b"".join(backend.notice_response(n) for n in notices)
    await session.send(out + backend.command_complete(tag))


async def alter_pdb(session: Session, cmd: admin_sql.AlterPdb) -> list[str]:
    cdb = session.cdb
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
        if c.status == "UNPLUGGED" and cmd.action not in ("UNPLUG", "CLOSE"):
            raise ora(65086, f"{c.name} is unplugged; only DROP is possible")
        if cmd.action == "OPEN":
            if cmd.all and c.is_open and c.open_mode == cmd.mode:
                continue
            n = await lifecycle.open_pdb(cdb, c, cmd.mode, cmd.restricted, cmd.force)
        elif cmd.action == "TIER":
            assert cmd.tier is not None
            await resource_sql.set_tier(cdb, c, cmd.tier)
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


# ------------------------------------------------------------ COPY
