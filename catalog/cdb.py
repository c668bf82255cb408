"""The container database: its files, its catalog, its engines, and the PDB lifecycle.

Crash safety: each lifecycle operation first commits its intent (pending_op) to the catalog,
then touches files, then commits the result. A restart finds a pending CREATE as UNUSABLE (it
can be dropped) and finishes a pending DROP, so every PDB is before or after an operation.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import secrets
import shutil
import signal
import string
import sys
import tempfile
import time
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

import duckdb

from catalog import manifest
from catalog.commands.plans import DEFAULT_DIRECTIVE
from catalog.store import ROOT_ID, ROOT_NAME, SEED_ID, SEED_NAME, CatalogStore, Container
from conf import Config
from engine.server import EngineSpec
from governance import resources
from governance.cgroups import CpuGroups, group_name
from governance.governor import INTERVAL_S, Governor, PdbGovernor
from pgwire import backend
from pgwire.errors import DbError
from pgwire.oracle import ora
from proxy import auth
from proxy.supervisor import EngineProcess, new_token

log = logging.getLogger("duckcdb.cdb")

OPEN_MODES = ("READ WRITE", "READ ONLY", "MIGRATE")


class SessionHandle(Protocol):
    con_id: int
    pid: int
    bytes_sent: int  # to the client, since login
    bytes_received: int

    async def terminate(self, sqlstate: str, message: str) -> None: ...

    async def reattach(self) -> None: ...


CRASH_ENV = "DUCKCDB_CRASH_AT"
_crash_armed = False  # set once start-up is over, so that reopening PDBs does not trip it


def crash_point(name: str) -> None:
    """Die here as kill -9 would, when the tests ask for it (DUCKCDB_CRASH_AT=name)."""
    if _crash_armed and os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
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
    _fsync_file(tmp)
    os.replace(tmp, dst)
    _fsync_dir(dst.parent)
    return how


def _error_text(wire_bytes: bytes) -> str:
    for kind, body in backend.split_messages(wire_bytes):
        if kind == b"E":
            return backend.parse_error_fields(body).get("M", "")
    return "unknown error"


class Cdb:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.data_dir = config.data_dir
        self.tiers: dict[str, resources.Tier] = resources.load_tiers()
        self.store: CatalogStore | None = None
        self.engines: dict[int, EngineProcess] = {}
        self.sessions: dict[int, set[SessionHandle]] = {}
        self.run_dir = Path(tempfile.mkdtemp(prefix="duckcdb-"))
        os.chmod(self.run_dir, 0o700)
        self._locks: dict[int, asyncio.Lock] = {}
        self._limits_cache: dict[int, tuple[tuple[int, int], resources.Limits]] = {}
        self.governor = Governor()
        self.cpu_groups = CpuGroups(group_name())
        self._sampler: asyncio.Task[None] | None = None
        self.on_engine_exit: Callable[[int], Awaitable[None]] | None = None

    # ------------------------------------------------------------ paths

    def pdb_dir(self, c: Container) -> Path:
        if c.con_id == ROOT_ID:
            return self.data_dir / "root"
        if c.con_id == SEED_ID:
            return self.data_dir / "seed"
        return self.data_dir / "pdbs" / c.guid

    def db_file(self, c: Container) -> Path:
        return self.pdb_dir(c) / "data.duckdb"

    @property
    def cat(self) -> CatalogStore:
        assert self.store is not None
        return self.store

    # ------------------------------------------------------------ start-up

    def initialize(self) -> str | None:
        """Open the catalog; on an empty data directory create the container. Returns a generated
        SYS password when one had to be generated (printed once by the caller)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        fresh = not (self.data_dir / "catalog.sqlite3").exists()
        self.store = CatalogStore(str(self.data_dir / "catalog.sqlite3"))
        if not fresh and self.cat.get_meta("initialized") == "yes":
            return None
        return self._create_container()

    def _create_container(self) -> str | None:
        generated = None
        password = os.environ.get("DUCKCDB_SYS_PASSWORD")
        if not password:
            alphabet = string.ascii_letters + string.digits
            password = "".join(secrets.choice(alphabet) for _ in range(24))
            generated = password
            pw_file = self.data_dir / "sys_password"
            fd = os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(password + "\n")
        for sub in ("root", "seed", "pdbs", self.config.get("container", "exchange_dir")):
            (self.data_dir / sub).mkdir(parents=True, exist_ok=True)
        with self.cat.transaction():
            tier = self.config.get("container", "default_tier")
            if self.cat.container_by_id(ROOT_ID) is None:
                self.cat.insert_container(ROOT_ID, ROOT_NAME, "NORMAL", "READ WRITE", tier, None)
                self.cat.insert_container(SEED_ID, SEED_NAME, "NORMAL", "READ ONLY", tier, None)
            if self.cat.user("SYS", ROOT_ID) is None:
                self.cat.insert_user(
                    "SYS", ROOT_ID, True, auth.scram_verifier(password), self._md5(password, "SYS")
                )
                for priv in ("CREATE SESSION", "SET CONTAINER", "RESTRICTED SESSION", "SYSDBA"):
                    self.cat.grant_sys("SYS", ROOT_ID, priv, True)
        for c in (self.cat.container_by_id(ROOT_ID), self.cat.container_by_id(SEED_ID)):
            assert c is not None
            f = self.db_file(c)
            if not f.exists():
                part = f.with_name(f.name + ".part")
                part.unlink(missing_ok=True)
                con = duckdb.connect(str(part))
                con.execute("CHECKPOINT")
                con.close()
                os.replace(part, f)
        self.cat.set_meta("initialized", "yes")
        return generated

    def _md5(self, password: str, user: str) -> str | None:
        return auth.md5_verifier(password, user) if self.config.get("auth", "method") == "md5" else None

    def recover(self) -> None:
        """Settle operations a crash interrupted."""
        for c in self.cat.containers():
            if c.pending_op == "CREATE":
                log.warning("PDB %s was being created when the server stopped: marked UNUSABLE", c.name)
                self.cat.update_container(c.con_id, status="UNUSABLE", open_mode="MOUNTED", pending_op=None)
            elif c.pending_op == "DROP":
                log.warning("finishing the interrupted drop of PDB %s", c.name)
                shutil.rmtree(self.pdb_dir(c), ignore_errors=True)
                with self.cat.transaction():
                    self.cat.add_history(c, "DROP")
                    self.cat.delete_container(c.con_id)
            elif c.pending_op == "UNPLUG":
                log.warning("the unplug of PDB %s was interrupted: it stays plugged in, closed", c.name)
                self.cat.update_container(c.con_id, pending_op=None, open_mode="MOUNTED")
            elif c.con_id > SEED_ID and c.open_mode != "MOUNTED":
                self.cat.update_container(c.con_id, open_mode="MOUNTED")

    async def start(self) -> None:
        self.recover()
        root = self.cat.container_by_id(ROOT_ID)
        assert root is not None
        await self._start_engine(root, read_only=False)
        reopen = self.config.get("container", "reopen_last_state")
        for c in self.cat.containers():
            if c.con_id <= SEED_ID or c.status == "UNUSABLE":
                continue
            mode = c.saved_state or (c.last_open_mode if reopen else None)
            if mode in OPEN_MODES:
                try:
                    await self._open(c, mode, c.restricted)
                    why = "saved state" if c.saved_state else "last state"
                    log.info("reopened PDB %s %s (%s)", c.name, mode, why)
                except DbError as e:
                    log.error("could not reopen PDB %s: %s", c.name, e.message)
        global _crash_armed
        _crash_armed = True
        self._sampler = asyncio.create_task(self._sample_engines())

    async def _sample_engines(self) -> None:
        """Every second: each open PDB's engine CPU, memory and I/O into its governor; every
        INTERVAL_S: close the metrics interval (V$RSRCPDBMETRIC and its history)."""
        last_close = time.monotonic()
        while True:
            await asyncio.sleep(1.0)
            for con_id, eng in list(self.engines.items()):
                if con_id > SEED_ID:
                    self.pdb_governor(con_id)
                    self.governor.sample(con_id, eng.pid)
            if time.monotonic() - last_close >= INTERVAL_S:
                last_close = time.monotonic()
                for g in self.governor.pdbs.values():
                    g.close_interval()

    def resource_metrics(self, con_id: int, history: bool) -> list[tuple[object, ...]]:
        """V$RSRCPDBMETRIC rows (history: V$RSRCPDBMETRIC_HISTORY) of the PDBs visible from con_id
        that have run since the server started: in the root every PDB, in a PDB itself."""
        ids = [con_id] if con_id > SEED_ID else sorted(self.governor.pdbs)
        rows = []
        for cid in ids:
            c = self.cat.container_by_id(cid)
            g = self.pdb_governor(cid) if c is not None else None
            if g is None or c is None:
                continue
            intervals = list(g.usage.history) if history else [g.current_interval()]
            rows += [iv.metric_row(cid, c.name, g) for iv in intervals]
        return rows

    def pdb_governor(self, con_id: int) -> PdbGovernor | None:
        """The live budgets of a PDB (None for the root and the seed), with its current limits."""
        lim = self.limits_of(con_id)
        if lim is None:
            return None
        g = self.governor.pdb(con_id, lim)
        if g.io_sample is None:
            eng = self.engines.get(con_id)
            if eng is not None:
                self.governor.sample(con_id, eng.pid)  # the baseline later I/O is charged against
        return g

    async def shutdown(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
        for eng in list(self.engines.values()):
            await eng.stop()
        self.engines.clear()
        self.cpu_groups.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    # ------------------------------------------------------------ engines

    def limits(self, c: Container) -> resources.Limits:
        """The budgets c runs within: its tier's, with its own parameters and STORAGE clause over them."""
        over = self.cat.pdb_parameters(c.con_id)
        if c.max_size is not None:
            over["MAX_PDB_STORAGE"] = str(c.max_size)
        if c.max_temp_size is not None:
            over["MAX_SHARED_TEMP_SIZE"] = str(c.max_temp_size)
        return resources.effective(self.tiers, c.tier, over, self._plan_directive(c))

    def _plan_directive(self, c: Container) -> resources.Directive | None:
        """c's directive in the CDB resource plan in force (RESOURCE_MANAGER_PLAN), else the plan's
        default directive; None without a plan."""
        plan = self.cat.get_meta("resource_manager_plan")
        if not plan:
            return None
        found = self.cat.plan_directive(plan, c.name) or self.cat.plan_directive(plan, DEFAULT_DIRECTIVE)
        return resources.Directive(*found) if found else resources.Directive()

    def limits_of(self, con_id: int) -> resources.Limits | None:
        """limits() of a PDB by id, cached until the catalog changes; None for the root and the seed."""
        if con_id <= SEED_ID:
            return None
        stamp = self.cat.change_stamp()
        hit = self._limits_cache.get(con_id)
        if hit is not None and stamp is not None and hit[0] == stamp:
            return hit[1]
        c = self.cat.container_by_id(con_id)
        if c is None:
            return None
        lim = self.limits(c)
        if stamp is not None:
            self._limits_cache[con_id] = (stamp, lim)
        return lim

    def _engine_limits(self, c: Container) -> dict[str, object]:
        """The limits an engine applies itself (DuckDB settings and the storage check)."""
        if c.con_id == ROOT_ID:
            return {
                "memory_limit": self.config.get("engine", "root_memory"),
                "threads": int(self.config.get("engine", "root_threads")),
                "max_temp_size": "1GiB",
                "max_size": None,
            }
        lim = self.limits(c)
        return {
            "memory_limit": f"{lim.memory_bytes}B",
            "threads": lim.engine_threads,
            # DuckDB has no "unlimited": a petabyte never binds.
            "max_temp_size": f"{lim.max_shared_temp_size or 1 << 50}B",
            "max_size": lim.max_pdb_storage or None,
        }

    def _spec(self, c: Container, read_only: bool) -> EngineSpec:
        d = self.pdb_dir(c)
        lim = self._engine_limits(c)
        return EngineSpec(
            name=c.name,
            db_path=str(self.db_file(c)),
            socket_path=str(self.run_dir / f"engine-{c.con_id}.sock"),
            token=new_token(),
            read_only=read_only,
            memory_limit=str(lim["memory_limit"]),
            threads=int(lim["threads"]),  # type: ignore[call-overload]
            temp_dir=str(d / "tmp"),
            max_temp_size=str(lim["max_temp_size"]),
            allowed_dir=str(d),
            max_size=lim["max_size"],  # type: ignore[arg-type]
        )

    async def apply_limits(self, c: Container) -> None:
        """Give c's running engine its current limits and scheduling priority: no restart, no session lost."""
        eng = self.engines.get(c.con_id)
        if eng is None:
            return
        await eng.set_limits(self._engine_limits(c))
        self._set_os_limits(eng, c)
        self.pdb_governor(c.con_id)  # the proxy's budgets (buckets, scheduler) take the new limits too

    def _set_os_limits(self, eng: EngineProcess, c: Container) -> None:
        """The engine's OS scheduling priority and address-space cap, from c's limits."""
        if c.con_id == ROOT_ID:
            return
        lim = self.limits(c)
        eng.set_nice(lim.nice)
        eng.set_memory_cap(lim.memory_bytes, lim.sessions)
        if eng.pid is not None:
            self.cpu_groups.place(f"pdb-{c.con_id}", eng.pid, lim.weight, lim.cpu_cap)

    async def _start_engine(self, c: Container, read_only: bool) -> EngineProcess:
        eng = EngineProcess(
            self._spec(c, read_only), float(self.config.get("engine", "start_timeout_s")), self._engine_died
        )
        await eng.start()
        self.engines[c.con_id] = eng
        self._set_os_limits(eng, c)
        return eng

    def _engine_died(self, eng: EngineProcess) -> None:
        asyncio.get_running_loop().create_task(self._restart(eng))

    async def _restart(self, eng: EngineProcess) -> None:
        con_id = next((k for k, v in self.engines.items() if v is eng), None)
        if con_id is None:
            return
        for s in list(self.sessions.get(con_id, ())):
            await s.terminate(
                "57P01", f"terminating connection because the engine of {eng.spec.name} stopped"
            )
        for delay in (0.1, 1.0, 5.0, 15.0):
            await asyncio.sleep(delay)
            if self.engines.get(con_id) is not eng:
                return
            try:
                await eng.start()
                log.warning("engine of %s restarted (pid %s)", eng.spec.name, eng.pid)
                c = self.cat.container_by_id(con_id)
                if c is not None:
                    self._set_os_limits(eng, c)
                gov = self.governor.pdbs.get(con_id)
                if gov is not None:
                    gov.io_sample = gov.cpu_sample = None  # a new process: its counters start at 0
                return
            except DbError as e:
                log.error("restart of engine of %s failed: %s", eng.spec.name, e.message)
        log.error("engine of %s could not be restarted; the PDB stays unavailable", eng.spec.name)

    def engine(self, con_id: int) -> EngineProcess | None:
        return self.engines.get(con_id)

    def lock(self, con_id: int) -> asyncio.Lock:
        return self._locks.setdefault(con_id, asyncio.Lock())

    # ------------------------------------------------------------ lookups

    def find(self, name: str) -> Container | None:
        return self.cat.container(name)

    def require_pdb(self, name: str) -> Container:
        c = self.find(name)
        if c is None or c.con_id == ROOT_ID:
            raise ora(65011, name=name.upper())
        return c

    # ------------------------------------------------------------ lifecycle

    async def create_pdb(
        self,
        name: str,
        admin_user: str,
        admin_password: str,
        roles: list[str],
        max_size: int | None,
        max_temp_size: int | None,
        if_not_exists: bool = False,
        tier: str | None = None,
    ) -> list[str]:
        notices: list[str] = []
        if self.find(name) is not None:
            if if_not_exists:
                return [f"pluggable database {name} already exists, skipping"]
            raise ora(65012, name=name)
        seed = self.cat.container_by_id(SEED_ID)
        assert seed is not None
        tier = tier or self.config.get("container", "default_tier")
        with self.cat.transaction():
            c = self.cat.insert_container(self.cat.next_con_id(), name, "NEW", "MOUNTED", tier, "CREATE")
            self.cat.update_container(c.con_id, max_size=max_size, max_temp_size=max_temp_size)
            self.cat.insert_user(
                admin_user,
                c.con_id,
                False,
                auth.scram_verifier(admin_password),
                self._md5(admin_password, admin_user),
            )
            self.cat.grant_role(admin_user, c.con_id, "PDB_DBA", False)
            for role in roles:
                self.cat.grant_role(admin_user, c.con_id, role, False)
        crash_point("create:intent")
        d = self.pdb_dir(c)
        await asyncio.to_thread(self._build_files, seed, c, d)
        crash_point("create:files")
        with self.cat.transaction():
            self.cat.update_container(c.con_id, pending_op=None)
            self.cat.add_history(c, "CREATE")
        return notices

    async def clone_pdb(
        self,
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
        if self.find(name) is not None:
            if if_not_exists:
                return [f"pluggable database {name} already exists, skipping"]
            raise ora(65012, name=name)
        src = self.require_pdb(source)
        if src.status in ("UNUSABLE", "UNPLUGGED"):
            raise DbError(
                "55000", f"ORA-65081: pluggable database {src.name} is {src.status} and cannot be cloned"
            )
        notices: list[str] = []
        eng = self.engines.get(src.con_id) if src.is_open else None
        if eng is None and no_data:
            raise DbError(
                "55000",
                f"ORA-65081: open {src.name} to clone it with NO DATA (the schema is read by its engine)",
            )
        with self.cat.transaction():
            c = self.cat.insert_container(
                self.cat.next_con_id(), name, "NEW", "MOUNTED", tier or src.tier, "CREATE"
            )
            self.cat.update_container(
                c.con_id,
                max_size=max_size if max_size is not None else src.max_size,
                max_temp_size=max_temp_size if max_temp_size is not None else src.max_temp_size,
            )
            for pname, value in self.cat.pdb_parameters(src.con_id).items():
                self.cat.set_pdb_parameter(c.con_id, pname, value)
            self.cat.copy_local_users(src.con_id, c.con_id)
            self.cat.set_pdb_lockdown(c.con_id, self.cat.pdb_lockdown(src.con_id))
        crash_point("clone:intent")
        d = self.pdb_dir(c)
        (d / "tmp").mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o700)
        target = self.db_file(c)
        if eng is not None:
            # Hot clone: the source's engine writes a consistent copy into its own folder.
            part = self.pdb_dir(src) / f"clone-{c.guid}.duckdb"
            ch = await eng.open_channel()
            try:
                errors: list[bytes] = []

                async def collect(b: bytes) -> None:
                    errors.append(b)

                res = await ch.request(
                    [{"op": "clone_to", "path": str(part), "schema_only": no_data}], [], collect
                )
            finally:
                ch.close()
            if res.get("failed"):
                part.unlink(missing_ok=True)
                raise DbError("58000", f"clone of {src.name} failed: {_error_text(b''.join(errors))}")
            await asyncio.to_thread(_fsync_file, part)
            os.replace(part, target)
            _fsync_dir(target.parent)
            if snapshot:
                notices.append(
                    f"{src.name} is open: SNAPSHOT COPY made a full consistent copy (a live DuckDB file has no copy-on-write snapshot)"
                )
        else:
            how = await asyncio.to_thread(copy_file_durably, self.db_file(src), target, snapshot)
            if snapshot and how != "reflink":
                notices.append("this filesystem has no reflinks: SNAPSHOT COPY made a full copy")
        crash_point("clone:files")
        with self.cat.transaction():
            self.cat.update_container(c.con_id, pending_op=None, snapshot_of=src.con_id if snapshot else None)
            self.cat.add_history(c, "CLONE", cloned_from=src.name)
        return notices

    def _build_files(self, seed: Container, c: Container, d: Path) -> None:
        (d / "tmp").mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o700)
        copy_file_durably(self.db_file(seed), self.db_file(c))

    async def open_pdb(self, c: Container, mode: str, restricted: bool, force: bool) -> str | None:
        """Open c in mode; returns a notice when nothing had to be done."""
        if c.con_id == SEED_ID:
            raise ora(65017)
        if c.status == "UNUSABLE":
            raise DbError(
                "55000",
                f"ORA-65086: cannot open/close the pluggable database {c.name}: it is UNUSABLE; drop it",
            )
        if c.status == "UNPLUGGED":
            raise ora(65086)
        blocking = [
            v for v in self.cat.plug_violations(c.name) if v.type == "ERROR" and v.status == "PENDING"
        ]
        if blocking:
            raise DbError(
                "55000",
                f"ORA-65086: cannot open pluggable database {c.name}: "
                + "; ".join(f"{v.cause}: {v.message}" for v in blocking),
            )
        async with self.lock(c.con_id):
            c = self.cat.container_by_id(c.con_id) or c
            if c.is_open:
                if c.open_mode == mode and c.restricted == restricted:
                    return f"pluggable database {c.name} is already open {mode}"
                if not force:
                    raise ora(65019, name=c.name)
                await self._stop_engine(c.con_id)
            if c.status == "NEW" and mode == "READ ONLY":
                raise ora(65085)
            await self._open(c, mode, restricted)
            if force:
                # OPEN FORCE: connected sessions stay connected, now on the new engine.
                for s in list(self.sessions.get(c.con_id, ())):
                    await s.reattach()
        warnings = [
            v for v in self.cat.plug_violations(c.name) if v.type == "WARNING" and v.status == "PENDING"
        ]
        if warnings:
            # Oracle opens silently; DuckCDB says why (the rows stay in PDB_PLUG_IN_VIOLATIONS).
            return f"{c.name} opened with plug-in violations: " + "; ".join(
                f"{v.cause}: {v.message}" for v in warnings
            )
        return None

    async def _open(self, c: Container, mode: str, restricted: bool) -> None:
        if not self.db_file(c).exists():
            raise DbError("58P01", f"ORA-01157: cannot identify/lock data file of {c.name}")
        await self._start_engine(c, read_only=(mode == "READ ONLY"))
        crash_point("open:engine")
        status = "NORMAL" if c.status == "NEW" else c.status
        self.cat.update_container(
            c.con_id,
            open_mode=mode,
            last_open_mode=mode,
            restricted=int(restricted),
            open_time=time.time(),
            status=status,
        )

    async def close_pdb(self, c: Container, immediate: bool) -> str | None:
        if c.con_id == SEED_ID:
            raise ora(65017)
        async with self.lock(c.con_id):
            c = self.cat.container_by_id(c.con_id) or c
            if not c.is_open:
                raise ora(65020, name=c.name)
            sessions = self.sessions.get(c.con_id, set())
            if immediate:
                for s in list(sessions):
                    await s.terminate(
                        "57P01", f"terminating connection: pluggable database {c.name} is closing"
                    )
            else:
                deadline = time.monotonic() + float(self.config.get("engine", "close_wait_s"))
                while sessions and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
                if sessions:
                    raise DbError(
                        "55006",
                        f"ORA-65025: pluggable database {c.name} still has {len(sessions)} session(s); "
                        "wait for them or use CLOSE IMMEDIATE",
                    )
            await self._stop_engine(c.con_id)
            crash_point("close:engine")
            self.cat.update_container(c.con_id, open_mode="MOUNTED", last_open_mode="MOUNTED", open_time=None)
        return None

    async def _stop_engine(self, con_id: int) -> None:
        eng = self.engines.pop(con_id, None)
        if eng is not None:
            await eng.stop()

    async def alter_storage(self, c: Container, max_size: int | None, max_temp_size: int | None) -> list[str]:
        """ALTER PLUGGABLE DATABASE p STORAGE (...): applied at once; below current usage is refused.
        None: the service tier's figure; 0: unlimited."""
        if c.con_id == SEED_ID:
            raise ora(65017)
        used = self.size_of(c.con_id)
        if max_size and max_size < used:
            raise ora(65113, name=c.name, used=str(used))
        self.cat.update_container(c.con_id, max_size=max_size, max_temp_size=max_temp_size)
        c2 = self.cat.container_by_id(c.con_id)
        assert c2 is not None
        await self.apply_limits(c2)
        return []

    async def rename_pdb(self, c: Container, new_name: str) -> None:
        if c.con_id == SEED_ID:
            raise ora(65017)
        if self.find(new_name) is not None:
            raise ora(65012, name=new_name)
        with self.cat.transaction():
            self.cat.update_container(c.con_id, name=new_name.upper())
            renamed = self.cat.container_by_id(c.con_id)
            assert renamed is not None
            self.cat.add_history(renamed, "RENAME", cloned_from=c.name)

    def save_state(self, c: Container, save: bool) -> None:
        if c.con_id == SEED_ID:
            raise ora(65017)
        self.cat.update_container(c.con_id, saved_state=(c.open_mode if save and c.is_open else None))

    async def drop_pdb(self, c: Container, including: bool) -> None:
        if c.con_id == SEED_ID:
            raise ora(65017)
        self.governor.forget(c.con_id)
        async with self.lock(c.con_id):
            c = self.cat.container_by_id(c.con_id) or c
            if c.is_open:
                raise ora(65025, name=c.name)
            if not including and c.status != "UNPLUGGED":
                raise ora(65179)
            clones = self.cat.snapshot_clones(c.con_id)
            if clones:
                raise ora(65081, name=c.name, clones=", ".join(x.name for x in clones))
            self.cat.update_container(c.con_id, pending_op="DROP")
            crash_point("drop:intent")
            if including:
                await asyncio.to_thread(shutil.rmtree, self.pdb_dir(c), True)
            crash_point("drop:files")
            with self.cat.transaction():
                self.cat.add_history(c, "DROP")
                self.cat.delete_container(c.con_id)

    # ------------------------------------------------------------ sessions

    def attach(self, s: SessionHandle) -> None:
        self.sessions.setdefault(s.con_id, set()).add(s)

    def detach(self, s: SessionHandle) -> None:
        self.sessions.get(s.con_id, set()).discard(s)

    # ------------------------------------------------------------ unplug / plug

    def exchange_path(self, text: str) -> Path:
        """A file named in SQL: only inside the exchange directory (a bare name means a file there)."""
        base = (self.data_dir / self.config.get("container", "exchange_dir")).resolve()
        p = Path(text)
        resolved = (p if p.is_absolute() else base / p).resolve()
        if resolved.parent != base and base not in resolved.parents:
            raise DbError("42501", f"ORA-65026: file {text} is outside the exchange directory {base}")
        if resolved.suffix.lower() not in (".xml", ".pdb"):
            raise DbError("22023", f"ORA-65026: {text}: the file name must end in .xml or .pdb")
        return resolved

    def _manifest_of(self, c: Container) -> manifest.Manifest:
        f = self.db_file(c)
        local_users = [u for u in self.cat.all_users() if u.con_id == c.con_id and not u.common]
        local_roles = [r for r in self.cat.all_roles() if r.con_id == c.con_id and not r.common]
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
            lockdown_profile=self.cat.pdb_lockdown(c.con_id),
            max_size=c.max_size,
            max_temp_size=c.max_temp_size,
            parameters={**self.cat.pdb_parameters(c.con_id), "DB_PERFORMANCE_PROFILE": c.tier},
            files=[manifest.ManifestFile(f.name, str(f.resolve()), f.stat().st_size, manifest.sha256_of(f))],
            users=[
                {"name": u.name, "verifier": u.scram, "account_status": u.account_status} for u in local_users
            ],
            roles=[{"name": r.name} for r in local_roles],
            sys_privs=[
                {"grantee": g.grantee, "privilege": g.what, "admin_option": str(g.admin_option)}
                for g in self.cat.sys_grants()
                if g.con_id == c.con_id and g.grantee in names
            ],
            role_privs=[
                {"grantee": g.grantee, "role": g.what, "admin_option": str(g.admin_option)}
                for g in self.cat.role_grants()
                if g.con_id == c.con_id and g.grantee in names
            ],
            obj_privs=[
                {"grantee": g, "schema": sch, "object": obj, "privilege": priv}
                for g, sch, obj, priv in self.cat.object_grants(c.con_id)
            ],
            history=[
                {"operation": h.operation, "time": repr(h.op_time), "cloned_from": h.cloned_from}
                for h in self.cat.history()
                if h.guid == c.guid
            ],
        )

    async def unplug_pdb(self, c: Container, target_text: str) -> None:
        if c.con_id == SEED_ID:
            raise ora(65017)
        target = self.exchange_path(target_text)
        async with self.lock(c.con_id):
            c = self.cat.container_by_id(c.con_id) or c
            if c.status == "UNPLUGGED":
                raise ora(65343, name=c.name)
            if c.is_open:
                raise ora(65025, name=c.name)
            clones = self.cat.snapshot_clones(c.con_id)
            if clones:
                raise ora(65081, name=c.name, clones=", ".join(x.name for x in clones))
            self.cat.update_container(c.con_id, pending_op="UNPLUG")
            crash_point("unplug:intent")
            m = await asyncio.to_thread(self._manifest_of, c)
            if target.suffix.lower() == ".pdb":
                await asyncio.to_thread(manifest.write_archive, m, target, self.pdb_dir(c))
            else:
                part = target.with_name(target.name + ".part")
                part.write_bytes(manifest.to_xml(m))
                os.replace(part, target)
            crash_point("unplug:manifest")
            with self.cat.transaction():
                self.cat.update_container(c.con_id, status="UNPLUGGED", pending_op=None, saved_state=None)
                self.cat.add_history(c, "UNPLUG")

    def check_plug(self, source_text: str, name: str) -> tuple[manifest.Manifest, list[manifest.Violation]]:
        """DBMS_PDB.CHECK_PLUG_COMPATIBILITY: the violations, recorded under name; nothing is plugged."""
        source = self.exchange_path(source_text)
        if not source.exists():
            raise DbError("58P01", f"ORA-65026: file {source_text} does not exist in the exchange directory")
        try:
            m = manifest.read(source)
        except (ValueError, KeyError, OSError) as e:
            raise DbError("22P02", f"ORA-65026: XML metadata file error: {e}") from e
        found = manifest.check(m, source, set(self.tiers))
        with self.cat.transaction():
            self.cat.delete_plug_violations(name.upper())
            for v in found:
                self.cat.add_plug_violation(name.upper(), v.cause, v.type, v.message, v.action)
        return m, found

    async def plug_pdb(
        self, name: str, source_text: str, as_clone: bool, mode: str, if_not_exists: bool
    ) -> list[str]:
        """CREATE PLUGGABLE DATABASE name [AS CLONE] USING 'file' [COPY | MOVE | NOCOPY]."""
        if self.find(name) is not None:
            if if_not_exists:
                return [f"pluggable database {name} already exists, skipping"]
            raise ora(65012, name=name)
        m, found = await asyncio.to_thread(self.check_plug, source_text, name)
        source = self.exchange_path(source_text)
        if not as_clone and any(c.guid == m.guid for c in self.cat.containers()):
            raise ora(65122, name=m.name)
        notices = [f"plug-in violation ({v.type}) {v.cause}: {v.message}" for v in found]
        with self.cat.transaction():
            tier = m.tier if m.tier in self.tiers else self.config.get("container", "default_tier")
            c = self.cat.insert_container(self.cat.next_con_id(), name, "NEW", "MOUNTED", tier, "CREATE")
            fields: dict[str, object] = {"max_size": m.max_size, "max_temp_size": m.max_temp_size}
            if not as_clone:
                fields.update(guid=m.guid, dbid=m.dbid)
            self.cat.update_container(c.con_id, **fields)
            for u in m.users:
                self.cat.insert_user(
                    u["name"], c.con_id, False, u["verifier"], None, u.get("account_status", "OPEN")
                )
            for g in m.sys_privs:
                self.cat.grant_sys(g["grantee"], c.con_id, g["privilege"], False)
            for r in m.roles:
                self.cat.insert_role(r["name"], c.con_id, False)
            for g in m.role_privs:
                self.cat.grant_role(g["grantee"], c.con_id, g["role"], False)
            for g in m.obj_privs:
                self.cat.grant_object(g["grantee"], c.con_id, g["schema"], g["object"], g["privilege"])
            if m.lockdown_profile and self.cat.lockdown_profile(m.lockdown_profile) is not None:
                self.cat.set_pdb_lockdown(c.con_id, m.lockdown_profile)
            for pname, value in m.parameters.items():
                if pname in resources.PARAMETERS and pname != "DB_PERFORMANCE_PROFILE":
                    self.cat.set_pdb_parameter(c.con_id, pname, value)
        crash_point("plug:intent")
        c = self.cat.container_by_id(c.con_id) or c
        d = self.pdb_dir(c)
        (d / "tmp").mkdir(parents=True, exist_ok=True)
        os.chmod(d, 0o700)
        errors = any(v.type == "ERROR" for v in found)
        if not errors or all(v.cause == "Checksum mismatch" or v.type != "ERROR" for v in found):
            notices += await asyncio.to_thread(self._place_files, m, source, self.db_file(c), mode)
        crash_point("plug:files")
        with self.cat.transaction():
            self.cat.update_container(c.con_id, pending_op=None)
            self.cat.add_history(c, "PLUG")
        return notices

    def _place_files(self, m: manifest.Manifest, source: Path, target: Path, mode: str) -> list[str]:
        f = m.files[0]
        if zipfile.is_zipfile(source):
            part = target.with_name(target.name + ".part")
            with zipfile.ZipFile(source) as z, z.open(f.path) as src, open(part, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            _fsync_file(part)
            os.replace(part, target)
            _fsync_dir(target.parent)
            if mode == "MOVE":
                source.unlink()
            return ["NOCOPY of a .pdb archive: the file was extracted"] if mode == "NOCOPY" else []
        data = Path(f.path)
        if mode == "NOCOPY":
            os.symlink(data, target)  # the file stays where the manifest says
            return []
        if mode == "MOVE":
            try:
                os.replace(data, target)
                _fsync_dir(target.parent)
                return []
            except OSError:
                copy_file_durably(data, target)
                data.unlink()
                return []
        copy_file_durably(data, target)
        return []

    def size_of(self, con_id: int) -> int:
        """Bytes of a container's files (database and WAL)."""
        c = self.cat.container_by_id(con_id)
        if c is None:
            return 0
        total = 0
        for f in (self.db_file(c), self.db_file(c).with_name("data.duckdb.wal")):
            try:
                total += f.stat().st_size
            except OSError:
                pass
        return total

    def show_pdbs(self, con_id: int) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        for c in self.cat.containers():
            if c.con_id == ROOT_ID or (con_id != ROOT_ID and c.con_id != con_id):
                continue
            restricted = None if c.open_mode == "MOUNTED" else ("YES" if c.restricted else "NO")
            rows.append((c.con_id, c.name, c.open_mode, restricted))
        return rows
