"""Confinement of an engine process, where the kernel offers it: no new privileges ever
(PR_SET_NO_NEW_PRIVS), and Landlock: the files the process may reach are its PDB's folder (read
and write) and what Python and DuckDB need to run (read). DuckDB's own sandbox stays the wall
everywhere; this is the wall behind it, now that the engine reads client sockets itself."""

from __future__ import annotations

import ctypes
import logging
import os
import struct
import sys
from pathlib import Path

log = logging.getLogger("duckcdb.worker.confine")

PR_SET_NO_NEW_PRIVS = 38
# Landlock's system calls (the same numbers on every architecture Linux gives them).
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

# Filesystem access rights (ABI 1), and the ones later ABIs add.
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_REMOVE_DIR, _REMOVE_FILE, _MAKE_CHAR, _MAKE_DIR, _MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
_MAKE_SOCK, _MAKE_FIFO, _MAKE_BLOCK, _MAKE_SYM = 1 << 9, 1 << 10, 1 << 11, 1 << 12
_REFER, _TRUNCATE = 1 << 13, 1 << 14  # ABI 2, ABI 3
_READ = _EXECUTE | _READ_FILE | _READ_DIR
_ALL_V1 = (1 << 13) - 1

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _abi() -> int:
    v = _libc.syscall(SYS_CREATE_RULESET, None, 0, LANDLOCK_CREATE_RULESET_VERSION)
    return int(v) if v > 0 else 0


def no_new_privileges() -> None:
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def _handled(abi: int) -> int:
    rights = _ALL_V1
    if abi >= 2:
        rights |= _REFER
    if abi >= 3:
        rights |= _TRUNCATE
    return rights


def landlock(read_write: list[str], read_only: list[str]) -> int:
    """Restrict the process to these folders; returns the Landlock ABI used (0: not available,
    nothing restricted)."""
    abi = _abi()
    if abi <= 0:
        return 0
    handled = _handled(abi)
    attr = struct.pack("Q", handled)
    ruleset = _libc.syscall(SYS_CREATE_RULESET, ctypes.c_char_p(attr), len(attr), 0)
    if ruleset < 0:
        return 0
    try:
        for paths, rights in ((read_write, handled), (read_only, _READ)):
            for p in paths:
                try:
                    fd = os.open(p, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    # struct landlock_path_beneath_attr { u64 allowed_access; s32 parent_fd; } packed
                    is_dir = os.path.isdir(p)
                    allowed = rights if is_dir else rights & ~(_READ_DIR | _MAKE_DIR | _REMOVE_DIR | _REMOVE_FILE
                                                                | _MAKE_REG | _MAKE_SYM | _MAKE_SOCK | _MAKE_FIFO
                                                                | _MAKE_CHAR | _MAKE_BLOCK | _REFER)  # fmt: skip
                    rule = struct.pack("=Qi", allowed, fd)
                    if (
                        _libc.syscall(
                            SYS_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH, ctypes.c_char_p(rule), 0
                        )
                        < 0
                    ):
                        log.info("landlock: no rule for %s (errno %d)", p, ctypes.get_errno())
                finally:
                    os.close(fd)
        if _libc.syscall(SYS_RESTRICT_SELF, ruleset, 0) < 0:
            log.warning("landlock: restrict_self failed (errno %d)", ctypes.get_errno())
            return 0
    finally:
        os.close(ruleset)
    return abi


def confine(pdb_dir: str) -> int:
    """No new privileges; files limited to the PDB's folder and the runtime (read-only)."""
    no_new_privileges()
    runtime = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.__file__)}
    runtime |= {p for p in sys.path if p and os.path.isdir(p)}
    runtime.add(str(Path(__file__).resolve().parent.parent))  # the server's own code
    read_only = sorted(runtime | {"/usr/lib", "/lib", "/lib64", "/usr/share/zoneinfo", "/etc/localtime",
                                  "/proc/self", "/dev/urandom", "/dev/null", "/sys/fs/cgroup"})  # fmt: skip
    return landlock([pdb_dir, "/dev/null"], read_only)
