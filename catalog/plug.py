"""Unplug and plug-in: a PDB leaves the container as a manifest (XML) or an archive (.pdb) and
comes back, here or in another container, checked against what the manifest says.

SQL names files only inside the exchange directory ([container] exchange_dir).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import zipfile
from pathlib import Path

from catalog import manifest
from catalog.cdb import Cdb
from catalog.files import copy_file_durably, crash_point, fsync_dir, replace_durably
from catalog.lifecycle import make_pdb_dir
from catalog.store import Container
from governance import resources
from pgwire.oracle import ora
from policies.source import SEED_ID


def exchange_path(cdb: Cdb, text: str) -> Path:
    """A file named in SQL: only inside the exchange directory (a bare name means a file there)."""
    base = (cdb.data_dir / cdb.config.get("container", "exchange_dir")).resolve()
    p = Path(text)
    resolved = (p if p.is_absolute() else base / p).resolve()
    if resolved.parent != base and base not in resolved.parents:
        raise ora(65026, f"file {text} is outside the exchange directory {base}", sqlstate="42501")
    if resolved.suffix.lower() not in (".xml", ".pdb"):
        raise ora(65026, f"{text}: the file name must end in .xml or .pdb", sqlstate="22023")
    return resolved


def manifest_of(cdb: Cdb, c: Container) -> manifest.Manifest:
    f = cdb.db_file(c)
    cat = cdb.cat
    local_users = [u for u in cat.all_users() if u.con_id == c.con_id and not u.common]
    local_roles = [r for r in cat.all_roles() if r.con_id == c.con_id and not r.common]
    names = {u.name for u in local_users} | {r.name for r in local_roles}
    return manifest.Manifest(
        name=c.name,
        guid=c.guid,
        dbid=c.dbid,
        con_id=c.con_id,
        created_at=c.created_at,
        engine_version=manifest.engine_version(),
        storage_version=manifest.storage_version(f),
        byte_order=sys.byteorder,
        tier=c.tier,
        lockdown_profile=cat.pdb_lockdown(c.con_id),
        max_size=c.max_size,
        max_temp_size=c.max_temp_size,
        parameters={**cat.pdb_parameters(c.con_id), "DB_PERFORMANCE_PROFILE": c.tier},
        files=[manifest.ManifestFile(f.name, str(f.resolve()), f.stat().st_size, manifest.sha256_of(f))],
        users=[
            {"name": u.name, "verifier": u.scram, "account_status": u.account_status} for u in local_users
        ],
        roles=[{"name": r.name} for r in local_roles],
        sys_privs=[
            {"grantee": g.grantee, "privilege": g.what, "admin_option": str(g.admin_option)}
            for g in cat.sys_grants()
            if g.con_id == c.con_id and g.grantee in names
        ],
        role_privs=[
            {"grantee": g.grantee, "role": g.what, "admin_option": str(g.admin_option)}
            for g in cat.role_grants()
            if g.con_id == c.con_id and g.grantee in names
        ],
        obj_privs=[
            {"grantee": g, "schema": sch, "object": obj, "privilege": priv}
            for g, sch, obj, priv in cat.object_grants(c.con_id)
        ],
        history=[
            {"operation": h.operation, "time": repr(h.op_time), "cloned_from": h.cloned_from}
            for h in cat.history()
            if h.guid == c.guid
        ],
    )


async def unplug_pdb(cdb: Cdb, c: Container, target_text: str) -> None:
    if c.con_id == SEED_ID:
        raise ora(65017)
    target = exchange_path(cdb, target_text)
    async with cdb.lock(c.con_id):
        c = cdb.cat.container_by_id(c.con_id) or c
        if c.status == "UNPLUGGED":
            raise ora(65343, name=c.name)
        if c.is_open:
            raise ora(65025, name=c.name)
        clones = cdb.cat.snapshot_clones(c.con_id)
        if clones:
            raise ora(65081, name=c.name, clones=", ".join(x.name for x in clones))
        cdb.cat.update_container(c.con_id, pending_op="UNPLUG")
        crash_point("unplug:intent")
        m = await asyncio.to_thread(manifest_of, cdb, c)
        if target.suffix.lower() == ".pdb":
            await asyncio.to_thread(manifest.write_archive, m, target, cdb.pdb_dir(c))
        else:
            part = target.with_name(target.name + ".part")
            part.write_bytes(manifest.to_xml(m))
            os.replace(part, target)
        crash_point("unplug:manifest")
        with cdb.cat.transaction():
            cdb.cat.update_container(c.con_id, status="UNPLUGGED", pending_op=None, saved_state=None)
            cdb.cat.add_history(c, "UNPLUG")


def check_plug(cdb: Cdb, source_text: str, name: str) -> tuple[manifest.Manifest, list[manifest.Violation]]:
    """DBMS_PDB.CHECK_PLUG_COMPATIBILITY: the violations, recorded under name; nothing is plugged."""
    source = exchange_path(cdb, source_text)
    if not source.exists():
        raise ora(65026, f"file {source_text} does not exist in the exchange directory", sqlstate="58P01")
    try:
        m = manifest.read(source)
    except (ValueError, KeyError, OSError) as e:
        raise ora(65026, str(e), sqlstate="22P02") from e
    found = manifest.check(m, source, set(cdb.tiers))
    with cdb.cat.transaction():
        cdb.cat.delete_plug_violations(name.upper())
        for v in found:
            cdb.cat.add_plug_violation(name.upper(), v.cause, v.type, v.message, v.action)
    return m, found


async def plug_pdb(
    cdb: Cdb, name: str, source_text: str, as_clone: bool, mode: str, if_not_exists: bool
) -> list[str]:
    """CREATE PLUGGABLE DATABASE name [AS CLONE] USING 'file' [COPY | MOVE | NOCOPY]."""
    if cdb.find(name) is not None:
        if if_not_exists:
            return [f"pluggable database {name} already exists, skipping"]
        raise ora(65012, name=name)
    m, found = await asyncio.to_thread(check_plug, cdb, source_text, name)
    source = exchange_path(cdb, source_text)
    if not as_clone and any(c.guid == m.guid for c in cdb.cat.containers()):
        raise ora(65122, name=m.name)
    notices = [f"plug-in violation ({v.type}) {v.cause}: {v.message}" for v in found]
    cat = cdb.cat
    with cat.transaction():
        tier = m.tier if m.tier in cdb.tiers else cdb.config.get("container", "default_tier")
        c = cat.insert_container(cat.next_con_id(), name, "NEW", "MOUNTED", tier, "CREATE")
        fields: dict[str, object] = {"max_size": m.max_size, "max_temp_size": m.max_temp_size}
        if not as_clone:
            fields.update(guid=m.guid, dbid=m.dbid)
        cat.update_container(c.con_id, **fields)
        for u in m.users:
            cat.insert_user(u["name"], c.con_id, False, u["verifier"], None, u.get("account_status", "OPEN"))
        for g in m.sys_privs:
            cat.grant_sys(g["grantee"], c.con_id, g["privilege"], False)
        for r in m.roles:
            cat.insert_role(r["name"], c.con_id, False)
        for g in m.role_privs:
            cat.grant_role(g["grantee"], c.con_id, g["role"], False)
        for g in m.obj_privs:
            cat.grant_object(g["grantee"], c.con_id, g["schema"], g["object"], g["privilege"])
        if m.lockdown_profile and cat.lockdown_profile(m.lockdown_profile) is not None:
            cat.set_pdb_lockdown(c.con_id, m.lockdown_profile)
        for pname, value in m.parameters.items():
            if pname in resources.PARAMETERS and pname != "DB_PERFORMANCE_PROFILE":
                cat.set_pdb_parameter(c.con_id, pname, value)
    crash_point("plug:intent")
    c = cat.container_by_id(c.con_id) or c
    new_dir = not cdb.pdb_dir(c).exists()
    make_pdb_dir(cdb, c)
    errors = any(v.type == "ERROR" for v in found)
    try:
        if not errors or all(v.cause == "Checksum mismatch" or v.type != "ERROR" for v in found):
            notices += await asyncio.to_thread(_place_files, m, source, cdb.db_file(c), mode)
    except OSError as e:
        # A failed plug leaves nothing behind: not the container, not a directory it made.
        with cat.transaction():
            cat.delete_container(c.con_id)
            for v in found:
                cat.add_plug_violation(name.upper(), v.cause, v.type, v.message, v.action)
        if new_dir:
            await asyncio.to_thread(shutil.rmtree, cdb.pdb_dir(c), True)
        raise ora(65026, f"the data file could not be placed: {e}", sqlstate="58030") from e
    crash_point("plug:files")
    with cat.transaction():
        cat.update_container(c.con_id, pending_op=None)
        cat.add_history(c, "PLUG")
    return notices


def _place_files(m: manifest.Manifest, source: Path, target: Path, mode: str) -> list[str]:
    f = m.files[0]
    if zipfile.is_zipfile(source):
        part = target.with_name(target.name + ".part")
        with zipfile.ZipFile(source) as z, z.open(f.path) as src, open(part, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        replace_durably(part, target)
        if mode == "MOVE":
            source.unlink()
        return ["NOCOPY of a .pdb archive: the file was extracted"] if mode == "NOCOPY" else []
    data = Path(f.path)
    if target.exists() and data.exists() and os.path.samefile(data, target):
        # DROP ... KEEP DATAFILES left the file where this PDB keeps it (same GUID): in place.
        return (
            [] if mode == "NOCOPY" else [f"{mode} of a data file already in place: nothing to {mode.lower()}"]
        )
    if mode == "NOCOPY":
        os.symlink(data, target)  # the file stays where the manifest says
        return []
    if mode == "MOVE":
        try:
            os.replace(data, target)
            fsync_dir(target.parent)
            return []
        except OSError:
            copy_file_durably(data, target)
            data.unlink()
            return []
    copy_file_durably(data, target)
    return []
