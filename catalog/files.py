"""Files the container writes durably: a copy is complete or absent, never half there; and the
crash points the crash-matrix tests stop the server at."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
from pathlib import Path

CRASH_ENV = "DUCKCDB_CRASH_AT"
_crash_armed = False  # set once start-up is over, so that reopening PDBs does not trip it


def arm_crash_points() -> None:
    global _crash_armed
    _crash_armed = True


def crash_point(name: str) -> None:
    """Die here as kill -9 would, when the tests ask for it (DUCKCDB_CRASH_AT=name)."""
    if _crash_armed and os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _reflink(src: Path, dst: Path) -> bool:
    """Copy-on-write clone of src where the filesystem supports it (btrfs, XFS, ...)."""
    FICLONE = 0x40049409
    try:
        with open(src, "rb") as s, open(dst, "wb") as d:
            fcntl.ioctl(d.fileno(), FICLONE, s.fileno())
        return True
    except OSError:
        dst.unlink(missing_ok=True)
        return False


def copy_file_durably(src: Path, dst: Path, reflink: bool = False) -> str:
    """Copy to a temporary name, fsync, rename: dst is either absent or complete.
    Returns "reflink" when a copy-on-write clone was made, else "copy"."""
    tmp = dst.with_name(dst.name + ".part")
    how = "reflink" if reflink and _reflink(src, tmp) else "copy"
    if how == "copy":
        shutil.copyfile(src, tmp)
    fsync_file(tmp)
    os.replace(tmp, dst)
    fsync_dir(dst.parent)
    return how


def replace_durably(part: Path, target: Path) -> None:
    """Make a finished temporary file the target: fsync it, rename it, fsync the folder."""
    fsync_file(part)
    os.replace(part, target)
    fsync_dir(target.parent)
