"""Relocation of a PDB to another storage location of this container:

    ALTER PLUGGABLE DATABASE p RELOCATE TO 'location' [AVAILABILITY {NORMAL | MAX}]
    POST /api/v1/pdbs/{id}/relocate {"location": ..., "availability": ...}   (202, an operation)

Oracle's RELOCATE moves a PDB between CDBs (CREATE PLUGGABLE DATABASE p FROM p@link RELOCATE);
on one container what an operator moves is the PDB's files: to a faster disk, off a full one. A
location is a folder under the data directory ('fast', 'pdbs' is the default one) or under one of
[container] relocate_dirs (absolute); the PDB's folder becomes <location>/<GUID>.

Sessions, as Oracle's availability modes: NORMAL closes the PDB (its sessions end with 57P01, as
CLOSE IMMEDIATE), moves the files and reopens it as it was; MAX parks its sessions (as OPEN FORCE
does) while the files move, then gives them to the reopened PDB: they stay connected. New logins
meanwhile get 57P03 ORA-65922 (connect again). A PDB that was closed stays closed.

Crash safety, as unplug and plug: the intent (pending_op RELOCATE, relocate_to) is committed
first; the folder is renamed (same filesystem: atomic) or copied to <GUID>.part and renamed; the
old folder goes; then the new location is committed, and the intent cleared once the PDB is open
again. Cdb.settle_relocation settles an interrupted one: the new folder complete means the PDB
is there (finished), else the part copy goes and the PDB stays where it was. Either way it is
whole in one place after kill -9.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
from pathlib import Path

from catalog import lifecycle
from catalog.cdb import Cdb
from catalog.files import crash_point, fsync_dir, fsync_file
from catalog.store import Container
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import SEED_ID

AVAILABILITY = ("NORMAL", "MAX")
DEFAULT_LOCATION = "pdbs"
# Folders of the data directory that are not storage locations.
_RESERVED = {"root", "seed", "backups", "tls"}


def storage_location(cdb: Cdb, text: str) -> str | None:
    """The canonical location a RELOCATE TO names (None: the default, data/pdbs); ORA-65923 for a
    folder that may not hold PDBs."""
    raw = text.strip()
    if not raw or "\x00" in raw:
        raise ora(65923, "an empty location", location=repr(text))
    data = cdb.data_dir.resolve()
    p = Path(raw)
    if p.is_absolute():
        resolved = p.resolve()
        allowed = [Path(d).resolve() for d in cdb.config.get("container", "relocate_dirs")]
        if not any(resolved == a or a in resolved.parents for a in allowed):
            if resolved == data or data in resolved.parents:
                return storage_location(cdb, str(resolved.relative_to(data)))
            raise ora(
                65923,
                "outside the data directory and [container] relocate_dirs",
                sqlstate="42501",
                location=raw,
            )
        canonical = str(resolved)
    else:
        resolved = (data / p).resolve()
        if resolved == data or data not in resolved.parents:
            raise ora(
                65923, "a location is a folder inside the data directory", sqlstate="42501", location=raw
            )
        canonical = str(resolved.relative_to(data))
        top = canonical.split(os.sep, 1)[0]
        reserved = _RESERVED | {str(cdb.config.get("container", "exchange_dir")).strip("/")}
        if top in reserved or (top == DEFAULT_LOCATION and canonical != DEFAULT_LOCATION):
            raise ora(65923, f"{top} is the container's own folder", sqlstate="42501", location=raw)
        if canonical == DEFAULT_LOCATION:
            return None
    for c in cdb.cat.containers():
        d = cdb.pdb_dir(c).resolve()
        if resolved == d or d in resolved.parents:
            raise ora(65923, f"it is inside the folder of {c.name}", sqlstate="42501", location=raw)
    return canonical


async def relocate_pdb(cdb: Cdb, c: Container, location_text: str, availability: str = "NORMAL") -> list[str]:
    """Move c's files to location_text (see the module's text); the notices to show."""
    if c.con_id == SEED_ID:
        raise ora(65017)
    availability = availability.upper()
    if availability not in AVAILABILITY:
        raise ora(65924, "AVAILABILITY is NORMAL or MAX", name=c.name)
    location = storage_location(cdb, location_text)
    async with cdb.lock(c.con_id):
        c = cdb.cat.container_by_id(c.con_id) or c
        if c.pending_op:
            raise ora(65924, f"a {c.pending_op} of it is under way", name=c.name)
        if c.status in ("UNPLUGGED", "UNUSABLE"):
            raise ora(65924, f"it is {c.status}", name=c.name)
        old_dir = cdb.pdb_dir(c)
        new_dir = cdb.location_dir(location) / c.guid
        if old_dir.resolve() == new_dir.resolve():
            return [f"pluggable database {c.name} is already at {location or DEFAULT_LOCATION}"]
        if new_dir.exists():
            raise ora(65924, f"{new_dir} already exists", name=c.name)
        running = c.is_open and c.con_id in cdb.runtime.running()
        mode, restricted = c.open_mode, c.restricted
        cdb.cat.update_container(c.con_id, pending_op="RELOCATE", relocate_to=location or DEFAULT_LOCATION)
        crash_point("relocate:intent")
        try:
            if running:
                await _stop(cdb, c, availability)
            crash_point("relocate:closed")
            how = await asyncio.to_thread(move_folder, old_dir, new_dir)
        except BaseException:
            # Nothing moved (move_folder leaves no part behind): the PDB stays, reopened as it was.
            try:
                if running:
                    await _reopen(cdb, c.con_id, mode, restricted, availability)
            finally:
                cdb.cat.update_container(c.con_id, pending_op=None, relocate_to=None)
            raise
        crash_point("relocate:files")
        with cdb.cat.transaction():
            # the new place is committed; logins keep waiting (pending_op) until it is open again
            cdb.cat.update_container(c.con_id, location=location)
            cdb.cat.add_history(c, "RELOCATE")
        crash_point("relocate:moved")
        notices = [f"pluggable database {c.name} relocated to {location or DEFAULT_LOCATION} ({how})"]
        try:
            if running:
                n = await _reopen(cdb, c.con_id, mode, restricted, availability)
                if n:
                    notices.append(n)
        finally:
            cdb.cat.update_container(c.con_id, pending_op=None, relocate_to=None)
    return notices


async def _stop(cdb: Cdb, c: Container, availability: str) -> None:
    if availability == "MAX":
        await cdb.runtime.stop_engine(c.con_id, keep_sessions=True)
        return
    for s in cdb.runtime.sessions_in(c.con_id):
        await s.terminate("57P01", f"terminating connection: pluggable database {c.name} is being relocated")
    await cdb.runtime.stop_engine(c.con_id)


async def _reopen(cdb: Cdb, con_id: int, mode: str, restricted: bool, availability: str) -> str | None:
    """Open the PDB as it was; with MAX its parked sessions go to the new engine."""
    fresh = cdb.cat.container_by_id(con_id)
    assert fresh is not None
    try:
        await lifecycle.reopen(cdb, fresh, mode, restricted)
    except DbError as e:
        cdb.cat.update_container(con_id, open_mode="MOUNTED", open_time=None)
        if availability == "MAX":
            await cdb.runtime.resume_sessions(con_id, lambda s: False)
        return f"pluggable database {fresh.name} could not be reopened: {e.message}"
    if availability == "MAX":
        await cdb.runtime.resume_sessions(con_id, lambda s: True)
    return None


def move_folder(old: Path, new: Path) -> str:
    """old becomes new: renamed on one filesystem, else copied (fsynced) to new.part and renamed;
    the old folder goes once the new one is complete. "rename" or "copy"."""
    new.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(old, new)
        fsync_dir(new.parent)
        fsync_dir(old.parent)
        return "rename"
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise
    part = new.with_name(new.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    try:
        shutil.copytree(old, part, symlinks=True)
        for f in part.rglob("*"):
            if f.is_file() and not f.is_symlink():
                fsync_file(f)
        os.chmod(part, 0o700)
        os.rename(part, new)
        fsync_dir(new.parent)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    shutil.rmtree(old)
    return "copy"
