"""The PDB lifecycle: create, clone, open, close, storage, rename, saved state, drop.

Crash safety: each operation first commits its intent (pending_op) to the catalog, then touches
files, then commits the result. A restart finds a pending CREATE as UNUSABLE (it can be dropped)
and finishes a pending DROP (Cdb.recover), so every PDB is before or after an operation.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time

from catalog.cdb import OPEN_MODES, Cdb
from catalog.files import arm_crash_points, copy_file_durably, crash_point, replace_durably
from catalog.runtime import SessionHandle
from catalog.store import Container
from pgwire import auth
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID

log = logging.getLogger("duckcdb.lifecycle")


async def start(cdb: Cdb, running: set[int] | frozenset[int] = frozenset()) -> None:
    """Settle what a crash interrupted, start the root's engine, reopen the PDBs that were open.
    running: containers whose engines outlived the previous server (adopted): they stay open."""
    cdb.recover(running)
    root = cdb.cat.container_by_id(ROOT_ID)
    assert root is not None
    if ROOT_ID not in running:
        await cdb.runtime.start_engine(root, read_only=False)
    reopen = cdb.config.get("container", "reopen_last_state")
    for c in cdb.cat.containers():
        if c.con_id <= SEED_ID or c.status == "UNUSABLE" or c.con_id in running:
            continue
        mode = c.saved_state or (c.last_open_mode if reopen else None)
        if mode in OPEN_MODES:
            try:
                await _open(cdb, c, mode, c.restricted)
                why = "saved state" if c.saved_state else "last state"
                log.info("reopened PDB %s %s (%s)", c.name, mode, why)
            except DbError as e:
                log.error("could not reopen PDB %s: %s", c.name, e.message)
    arm_crash_points()


def _refuse_existing(cdb: Cdb, name: str, if_not_exists: bool) -> list[str] | None:
    """ORA-65012 for a name in use; with IF NOT EXISTS the notice that says it was skipped."""
    if cdb.find(name) is None:
        return None
    if if_not_exists:
        return [f"pluggable database {name} already exists, skipping"]
    raise ora(65012, name=name)


def make_pdb_dir(cdb: Cdb, c: Container) -> None:
    d = cdb.pdb_dir(c)
    (d / "tmp").mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)


async def create_pdb(
    cdb: Cdb,
    name: str,
    admin_user: str,
    admin_password: str,
    roles: list[str],
    max_size: int | None,
    max_temp_size: int | None,
    if_not_exists: bool = False,
    tier: str | None = None,
) -> list[str]:
    skipped = _refuse_existing(cdb, name, if_not_exists)
    if skipped is not None:
        return skipped
    seed = cdb.cat.container_by_id(SEED_ID)
    assert seed is not None
    tier = tier or cdb.config.get("container", "default_tier")
    with cdb.cat.transaction():
        c = cdb.cat.insert_container(cdb.cat.next_con_id(), name, "NEW", "MOUNTED", tier, "CREATE")
        cdb.cat.update_container(c.con_id, max_size=max_size, max_temp_size=max_temp_size)
        cdb.cat.insert_user(
            admin_user,
            c.con_id,
            False,
            auth.scram_verifier(admin_password),
            cdb.md5(admin_password, admin_user),
        )
        cdb.cat.grant_role(admin_user, c.con_id, "PDB_DBA", False)
        for role in roles:
            cdb.cat.grant_role(admin_user, c.con_id, role, False)
    crash_point("create:intent")

    def build_files() -> None:
        make_pdb_dir(cdb, c)
        copy_file_durably(cdb.db_file(seed), cdb.db_file(c))

    await asyncio.to_thread(build_files)
    crash_point("create:files")
    with cdb.cat.transaction():
        cdb.cat.update_container(c.con_id, pending_op=None)
        cdb.cat.add_history(c, "CREATE")
    return []


async def clone_pdb(
    cdb: Cdb,
    name: str,
    source: str,
    snapshot: bool,
    no_data: bool,
    max_size: int | None,
    max_temp_size: int | None,
    if_not_exists: bool = False,
    tier: str | None = None,
) -> list[str]:
    """CREATE PLUGGABLE DATABASE name FROM source [SNAPSHOT COPY] [NO DATA]: the clone keeps the
    source's service tier (unless SERVICE TIER says otherwise) and resource parameters."""
    skipped = _refuse_existing(cdb, name, if_not_exists)
    if skipped is not None:
        return skipped
    src = cdb.require_pdb(source)
    if src.status in ("UNUSABLE", "UNPLUGGED"):
        raise ora(65035, f"it is {src.status}", name=src.name)
    notices: list[str] = []
    hot = src.is_open and src.con_id in cdb.runtime.running()
    if not hot and no_data:
        raise ora(65035, "open it to clone it with NO DATA (its engine reads the schema)", name=src.name)
    with cdb.cat.transaction():
        c = cdb.cat.insert_container(
            cdb.cat.next_con_id(), name, "NEW", "MOUNTED", tier or src.tier, "CREATE"
        )
        cdb.cat.update_container(
            c.con_id,
            max_size=max_size if max_size is not None else src.max_size,
            max_temp_size=max_temp_size if max_temp_size is not None else src.max_temp_size,
        )
        for pname, value in cdb.cat.pdb_parameters(src.con_id).items():
            cdb.cat.set_pdb_parameter(c.con_id, pname, value)
        cdb.cat.copy_local_users(src.con_id, c.con_id)
        cdb.cat.set_pdb_lockdown(c.con_id, cdb.cat.pdb_lockdown(src.con_id))
    crash_point("clone:intent")
    make_pdb_dir(cdb, c)
    target = cdb.db_file(c)
    if hot:
        # Hot clone: the source's engine writes a consistent copy into its own folder.
        part = cdb.pdb_dir(src) / f"clone-{c.guid}.duckdb"
        try:
            await cdb.runtime.clone_to(src.con_id, str(part), no_data)
        except DbError as e:
            part.unlink(missing_ok=True)
            raise DbError("58000", f"clone of {src.name} failed: {e.message}") from e
        await asyncio.to_thread(replace_durably, part, target)
        if snapshot:
            notices.append(
                f"{src.name} is open: SNAPSHOT COPY made a full consistent copy (a live DuckDB file has no copy-on-write snapshot)"
            )
    else:
        how = await asyncio.to_thread(copy_file_durably, cdb.db_file(src), target, snapshot)
        if snapshot and how != "reflink":
            notices.append("this filesystem has no reflinks: SNAPSHOT COPY made a full copy")
    crash_point("clone:files")
    with cdb.cat.transaction():
        cdb.cat.update_container(c.con_id, pending_op=None, snapshot_of=src.con_id if snapshot else None)
        cdb.cat.add_history(c, "CLONE", cloned_from=src.name)
    return notices


async def open_pdb(cdb: Cdb, c: Container, mode: str, restricted: bool, force: bool) -> str | None:
    """Open c in mode; returns a notice when nothing had to be done."""
    if c.con_id == SEED_ID:
        raise ora(65017)
    if c.status == "UNUSABLE":
        raise ora(65086, f"{c.name} is UNUSABLE; drop it")
    if c.status == "UNPLUGGED":
        raise ora(65086)
    blocking = [v for v in cdb.cat.plug_violations(c.name) if v.type == "ERROR" and v.status == "PENDING"]
    if blocking:
        raise ora(65086, f"{c.name}: " + "; ".join(f"{v.cause}: {v.message}" for v in blocking))
    async with cdb.lock(c.con_id):
        c = cdb.cat.container_by_id(c.con_id) or c
        if c.is_open:
            if c.open_mode == mode and c.restricted == restricted:
                return f"pluggable database {c.name} is already open {mode}"
            if not force:
                raise ora(65019, name=c.name)
            # OPEN FORCE: connected sessions stay connected, moved to the new engine.
            await cdb.runtime.stop_engine(c.con_id, keep_sessions=True)
        if c.status == "NEW" and mode == "READ ONLY":
            raise ora(65085)
        await _open(cdb, c, mode, restricted)
        if force:

            def may_stay(s: SessionHandle) -> bool:
                user = cdb.cat.user(s.user, s.user_con_id)  # type: ignore[attr-defined]
                return not restricted or (
                    user is not None and cdb.cat.has_privilege(user, c.con_id, "RESTRICTED SESSION")
                )

            await cdb.runtime.resume_sessions(c.con_id, may_stay)
    warnings = [v for v in cdb.cat.plug_violations(c.name) if v.type == "WARNING" and v.status == "PENDING"]
    if warnings:
        # Oracle opens silently; DuckCDB says why (the rows stay in PDB_PLUG_IN_VIOLATIONS).
        return f"{c.name} opened with plug-in violations: " + "; ".join(
            f"{v.cause}: {v.message}" for v in warnings
        )
    return None


async def reopen(cdb: Cdb, c: Container, mode: str, restricted: bool) -> None:
    """Start c's engine in mode, for an operation that holds c's lock and stopped it (RELOCATE)."""
    await _open(cdb, c, mode, restricted)


async def _open(cdb: Cdb, c: Container, mode: str, restricted: bool) -> None:
    if not cdb.db_file(c).exists():
        raise ora(1157, name=c.name)
    await cdb.runtime.start_engine(c, read_only=(mode == "READ ONLY"))
    crash_point("open:engine")
    status = "NORMAL" if c.status == "NEW" else c.status
    cdb.cat.update_container(
        c.con_id,
        open_mode=mode,
        last_open_mode=mode,
        restricted=int(restricted),
        open_time=time.time(),
        status=status,
    )


async def close_pdb(cdb: Cdb, c: Container, immediate: bool) -> str | None:
    if c.con_id == SEED_ID:
        raise ora(65017)
    async with cdb.lock(c.con_id):
        c = cdb.cat.container_by_id(c.con_id) or c
        if not c.is_open:
            raise ora(65020, name=c.name)
        if immediate:
            for s in cdb.runtime.sessions_in(c.con_id):
                await s.terminate("57P01", f"terminating connection: pluggable database {c.name} is closing")
        else:
            deadline = time.monotonic() + float(cdb.config.get("engine", "close_wait_s"))
            while cdb.runtime.sessions_in(c.con_id) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            left = len(cdb.runtime.sessions_in(c.con_id))
            if left:
                raise ora(
                    65025,
                    f"it still has {left} session(s); wait for them or use CLOSE IMMEDIATE",
                    sqlstate="55006",
                    name=c.name,
                )
        await cdb.runtime.stop_engine(c.con_id)
        crash_point("close:engine")
        cdb.cat.update_container(c.con_id, open_mode="MOUNTED", last_open_mode="MOUNTED", open_time=None)
    return None


async def alter_storage(cdb: Cdb, c: Container, max_size: int | None, max_temp_size: int | None) -> list[str]:
    """ALTER PLUGGABLE DATABASE p STORAGE (...): applied at once; below current usage is refused.
    None: the service tier's figure; 0: unlimited."""
    if c.con_id == SEED_ID:
        raise ora(65017)
    used = cdb.size_of(c.con_id)
    if max_size and max_size < used:
        raise ora(65113, name=c.name, used=str(used))
    cdb.cat.update_container(c.con_id, max_size=max_size, max_temp_size=max_temp_size)
    c2 = cdb.cat.container_by_id(c.con_id)
    assert c2 is not None
    await cdb.runtime.apply_limits(c2)
    return []


async def rename_pdb(cdb: Cdb, c: Container, new_name: str) -> None:
    if c.con_id == SEED_ID:
        raise ora(65017)
    if cdb.find(new_name) is not None:
        raise ora(65012, name=new_name)
    with cdb.cat.transaction():
        cdb.cat.update_container(c.con_id, name=new_name.upper())
        renamed = cdb.cat.container_by_id(c.con_id)
        assert renamed is not None
        cdb.cat.add_history(renamed, "RENAME", cloned_from=c.name)


def save_state(cdb: Cdb, c: Container, save: bool) -> None:
    if c.con_id == SEED_ID:
        raise ora(65017)
    cdb.cat.update_container(c.con_id, saved_state=(c.open_mode if save and c.is_open else None))


async def drop_pdb(cdb: Cdb, c: Container, including: bool) -> None:
    if c.con_id == SEED_ID:
        raise ora(65017)
    cdb.runtime.forget(c.con_id)
    async with cdb.lock(c.con_id):
        c = cdb.cat.container_by_id(c.con_id) or c
        if c.is_open:
            raise ora(65025, name=c.name)
        if not including and c.status != "UNPLUGGED":
            raise ora(65179)
        clones = cdb.cat.snapshot_clones(c.con_id)
        if clones:
            raise ora(65081, name=c.name, clones=", ".join(x.name for x in clones))
        cdb.cat.update_container(c.con_id, pending_op="DROP")
        crash_point("drop:intent")
        if including:
            await asyncio.to_thread(shutil.rmtree, cdb.pdb_dir(c), True)
        crash_point("drop:files")
        with cdb.cat.transaction():
            cdb.cat.add_history(c, "DROP")
            cdb.cat.delete_container(c.con_id)
