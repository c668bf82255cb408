"""PDB backups: consistent hot copies (the engine keeps serving), with a manifest and the SHA-256 of
every file; restore in place or as a new PDB; the schedule of tenants with BACKUP ON.

BACKUP PLUGGABLE DATABASE p;
RESTORE PLUGGABLE DATABASE p FROM BACKUP 'id' [AS new_name];
DBA_PDB_BACKUPS / CDB_PDB_BACKUPS (catalog.dictionary).

A backup lives in data/backups/<GUID>/<id>/: data.duckdb and manifest.json. Its row is written
RUNNING first (intent); a crash leaves a RUNNING row that the next start marks FAILED and whose
folder it removes. A backup whose checksums do not match its manifest is never restored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import shutil
import time
from pathlib import Path

from catalog import lifecycle
from catalog.cdb import Cdb
from catalog.files import copy_file_durably, crash_point, replace_durably
from catalog.store import Container, PdbBackup, User
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID
from tenants import states

log = logging.getLogger("duckcdb.backups")

DATA_FILE = "data.duckdb"
# Backups a restore is reading: expiry leaves them alone.
_in_use: set[str] = set()


def require(cdb: Cdb, actor: User) -> None:
    """SYS or SYSDBA, as the PDB lifecycle commands."""
    if (actor.name == "SYS" and actor.common) or cdb.cat.has_privilege(actor, ROOT_ID, "SYSDBA"):
        return
    raise ora(1031)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def backup_root(cdb: Cdb) -> Path:
    return cdb.data_dir / "backups"


async def backup_pdb(cdb: Cdb, actor: User | None, name: str, kind: str = "MANUAL") -> PdbBackup:
    """A consistent copy of PDB name: from its running engine (hot, writes go on) or its closed file."""
    if actor is not None:
        require(cdb, actor)
    c = cdb.require_pdb(name)
    if c.con_id == SEED_ID:
        raise ora(65017)
    if c.status in ("UNUSABLE", "UNPLUGGED") or c.pending_op:
        raise ora(65086, f"{c.name} is {c.pending_op or c.status}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    backup_id = f"{c.name}-{stamp}-{secrets.token_hex(3)}"
    folder = backup_root(cdb) / c.guid / backup_id
    b = PdbBackup(
        backup_id, c.con_id, c.name, c.guid, kind, "RUNNING", time.time(), None, None, None, str(folder), None
    )
    with cdb.cat.transaction():
        cdb.cat.insert_backup(b)
    crash_point("backup:intent")
    try:
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        target = folder / DATA_FILE
        if c.is_open and c.con_id in cdb.runtime.running():
            # The engine writes one consistent snapshot into its own folder (its sandbox), then it moves.
            part = cdb.pdb_dir(c) / f"backup-{backup_id}.duckdb"
            try:
                await cdb.runtime.clone_to(c.con_id, str(part), False)
                await asyncio.to_thread(replace_durably, part, target)
            finally:
                part.unlink(missing_ok=True)
        else:
            async with cdb.lock(c.con_id):
                await asyncio.to_thread(copy_file_durably, cdb.db_file(c), target)
        crash_point("backup:files")
        digest = await asyncio.to_thread(_sha256, target)
        size = target.stat().st_size
        manifest = {
            "id": backup_id,
            "pdb": c.name,
            "guid": c.guid,
            "tier": c.tier,
            "created": b.started_at,
            "files": [{"name": DATA_FILE, "size": size, "sha256": digest}],
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        with cdb.cat.transaction():
            cdb.cat.update_backup(
                backup_id, status="AVAILABLE", finished_at=time.time(), size=size, sha256=digest
            )
    except BaseException as e:
        shutil.rmtree(folder, ignore_errors=True)
        msg = e.message if isinstance(e, DbError) else str(e)
        with cdb.cat.transaction():
            cdb.cat.update_backup(backup_id, status="FAILED", finished_at=time.time(), message=msg[:500])
        raise
    log.info("backup %s of PDB %s taken (%d bytes)", backup_id, c.name, size)
    found = cdb.cat.backup(backup_id)
    assert found is not None
    return found


def verify(b: PdbBackup) -> Path:
    """The backup's data file, after checking every file against its manifest (ORA-65915)."""
    folder = Path(b.path)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as e:
        raise ora(65915, id=b.id, reason=f"its manifest cannot be read ({e})") from None
    for f in manifest["files"]:
        path = folder / f["name"]
        if not path.exists():
            raise ora(65915, id=b.id, reason=f"{f['name']} is missing")
        if path.stat().st_size != f["size"] or _sha256(path) != f["sha256"]:
            raise ora(65915, id=b.id, reason=f"the SHA-256 of {f['name']} does not match its manifest")
    return folder / DATA_FILE


async def restore_pdb(cdb: Cdb, actor: User, name: str, backup_id: str, new_name: str | None) -> list[str]:
    """RESTORE PLUGGABLE DATABASE p FROM BACKUP 'id' [AS new]: in place (p closed) or as a new PDB
    (with p's tier, parameters and local users when p still exists)."""
    require(cdb, actor)
    b = cdb.cat.backup(backup_id)
    if b is None or b.status != "AVAILABLE":
        raise ora(65916, id=backup_id)
    if b.pdb_name != name.upper() and cdb.find(name) is not None and cdb.find(name).guid != b.guid:  # type: ignore[union-attr]
        raise ora(65916, f"it is a backup of {b.pdb_name}", id=backup_id)
    _in_use.add(b.id)
    try:
        source = await asyncio.to_thread(verify, b)
        if new_name is None:
            await _restore_in_place(cdb, name, b, source)
        else:
            await _restore_as_new(cdb, name, new_name, b, source)
    finally:
        _in_use.discard(b.id)
    return []


async def _restore_in_place(cdb: Cdb, name: str, b: PdbBackup, source: Path) -> None:
    c = cdb.require_pdb(name)
    if c.con_id == SEED_ID:
        raise ora(65017)
    async with cdb.lock(c.con_id):
        c = cdb.cat.container_by_id(c.con_id) or c
        if c.is_open or c.con_id in cdb.runtime.running():
            raise ora(65025, "close it to restore it in place", name=c.name)
        target = cdb.db_file(c)

        def put_back() -> None:
            copy_file_durably(source, target)
            # The backup is a whole, checkpointed database: the old log must not be replayed on it.
            target.with_name(target.name + ".wal").unlink(missing_ok=True)

        await asyncio.to_thread(put_back)
        with cdb.cat.transaction():
            cdb.cat.add_history(c, "RESTORE", cloned_from=b.id)


async def _restore_as_new(cdb: Cdb, name: str, new_name: str, b: PdbBackup, source: Path) -> None:
    new_name = new_name.upper()
    if cdb.find(new_name) is not None:
        raise ora(65012, name=new_name)
    src = cdb.find(name)
    src = src if src is not None and src.guid == b.guid else None
    tier = src.tier if src else cdb.config.get("container", "default_tier")
    with cdb.cat.transaction():
        c = cdb.cat.insert_container(cdb.cat.next_con_id(), new_name, "NEW", "MOUNTED", tier, "CREATE")
        if src is not None:
            cdb.cat.update_container(c.con_id, max_size=src.max_size, max_temp_size=src.max_temp_size)
            for pname, value in cdb.cat.pdb_parameters(src.con_id).items():
                cdb.cat.set_pdb_parameter(c.con_id, pname, value)
            cdb.cat.copy_local_users(src.con_id, c.con_id)
    lifecycle.make_pdb_dir(cdb, c)
    await asyncio.to_thread(copy_file_durably, source, cdb.db_file(c))
    with cdb.cat.transaction():
        cdb.cat.update_container(c.con_id, pending_op=None)
        cdb.cat.add_history(c, "CLONE", cloned_from=f"{b.pdb_name} backup {b.id}")


# ------------------------------------------------------------------ schedule and expiry


def _tier_setting(cdb: Cdb, key: str, tier: str) -> float | None:
    table = cdb.config.get("backups", key)
    value = table.get(tier) if isinstance(table, dict) else table
    return float(value) if value is not None else None


def expire(cdb: Cdb, c: Container, now: float | None = None) -> list[str]:
    """Remove c's backups beyond its tier's `keep` newest AVAILABLE ones and those older than its
    `keep_days` (the newest always stays; never one a restore reads)."""
    now = time.time() if now is None else now
    keep = _tier_setting(cdb, "keep", c.tier)
    days = _tier_setting(cdb, "keep_days", c.tier)
    available = [b for b in cdb.cat.backups(c.guid) if b.status == "AVAILABLE"]
    doomed = set()
    if keep is not None:
        doomed |= {b.id for b in available[: max(0, len(available) - int(keep))]}
    if days is not None:
        doomed |= {b.id for b in available[:-1] if now - b.started_at > days * 86400}
    removed = []
    for b in available:
        if b.id not in doomed or b.id in _in_use:
            continue
        shutil.rmtree(b.path, ignore_errors=True)
        with cdb.cat.transaction():
            cdb.cat.delete_backup(b.id)
        removed.append(b.id)
        log.info("backup %s of PDB %s expired", b.id, b.pdb_name)
    return removed


async def run_schedule(cdb: Cdb, now: float | None = None) -> list[str]:
    """One round: each open PDB of each tenant with BACKUP ON whose last backup is older than its
    tier's interval gets one; then old ones expire. Returns the ids taken."""
    now = time.time() if now is None else now
    taken = []
    for t in cdb.cat.tenants():
        if not t.backup or t.state not in (states.ACTIVE, states.MAINTENANCE) or t.pending_op:
            continue
        for c in cdb.cat.tenant_pdbs(t.name):
            if not c.is_open:
                continue
            interval = _tier_setting(cdb, "interval_s", c.tier)
            done = [b for b in cdb.cat.backups(c.guid) if b.status in ("AVAILABLE", "RUNNING")]
            if interval is None or (done and now - done[-1].started_at < interval):
                continue
            try:
                b = await backup_pdb(cdb, None, c.name, "SCHEDULED")
                taken.append(b.id)
            except DbError as e:
                log.error("scheduled backup of PDB %s failed: %s", c.name, e.message)
            expire(cdb, c)
    return taken


async def schedule_loop(cdb: Cdb) -> None:
    interval = float(cdb.config.get("backups", "check_interval_s"))
    while True:
        await asyncio.sleep(interval)
        try:
            await run_schedule(cdb)
        except Exception:  # noqa: BLE001 - the next round tries again
            log.exception("backup schedule failed")


def recover(cdb: Cdb) -> None:
    """Backups a crash interrupted: FAILED, their folders removed."""
    for b in cdb.cat.backups():
        if b.status == "RUNNING":
            shutil.rmtree(b.path, ignore_errors=True)
            with cdb.cat.transaction():
                cdb.cat.update_backup(b.id, status="FAILED", message="interrupted by a restart")
            log.warning("backup %s of PDB %s was interrupted: FAILED", b.id, b.pdb_name)
    for part in backup_root(cdb).glob("*/*/*.part") if backup_root(cdb).exists() else []:
        os.unlink(part)
