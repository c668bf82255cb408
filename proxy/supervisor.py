"""Engine processes, and the Supervisor that runs them for the container (catalog.runtime.Runtime).

One engine process per open container, which serves the container's client sessions itself. The
supervisor starts it (its spec and token on its standard input), links to it (proxy.links), hands
it sessions, answers its requests (proxy.engine_requests), restarts it when it dies while its
container is open (its sessions end with 57P01; every other container keeps working), and adopts
the engines that outlived a previous proxy (their sessions go on).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import resource
import secrets
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.cdb import Cdb
from catalog.runtime import SessionHandle
from catalog.store import Container
from governance.cgroups import CpuGroups, group_name
from governance.governor import Allotter
from governance.usage import Interval
from pgwire import control
from pgwire.control import EngineSpec, SessionState
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID
from proxy.links import EngineLink, Handler, LinkDown

if TYPE_CHECKING:
    from proxy.sessions import Sessions

log = logging.getLogger("duckcdb.engines")

THREAD_STACK = 8 << 20  # one session's thread in the engine
UNIX_PATH_MAX = 100


def run_dir(data_dir: Path) -> Path:
    """Where the engines' sockets and registrations live: the same for every proxy that serves this
    data directory, so that a restarted proxy finds its engines."""
    d = data_dir / "run"
    if len(str(d / "engine-999999.sock")) > UNIX_PATH_MAX:
        import hashlib

        d = Path("/tmp") / f"duckcdb-{hashlib.sha1(str(data_dir).encode()).hexdigest()[:12]}"
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    return d


def engine_environment(tcache_count: int) -> dict[str, str]:
    """An engine's environment: the proxy's, without the SYS password, with glibc's per-thread
    cache of freed small blocks raised to tcache_count (0: glibc's 7). DuckDB allocates and frees
    hundreds of small blocks per statement; with the default most go through the arena's locks
    and consolidation (a point query spends ~10% less CPU with 256; bench/RESULTS.md section 1).
    A thread keeps at most tcache_count freed blocks of each size up to 1 KiB."""
    env = dict(os.environ)
    env.pop("DUCKCDB_SYS_PASSWORD", None)
    if tcache_count:
        tunables = [t for t in env.get("GLIBC_TUNABLES", "").split(":") if t]
        if not any(t.startswith("glibc.malloc.tcache_count=") for t in tunables):  # the operator's wins
            tunables.append(f"glibc.malloc.tcache_count={tcache_count}")
        env["GLIBC_TUNABLES"] = ":".join(tunables)
    return env


class EngineProcess:
    """One engine: its process (a child of this proxy, or adopted) and its control link."""

    def __init__(self, spec: EngineSpec, on_exit: Callable[[EngineProcess], None]) -> None:
        self.spec = spec
        self.on_exit = on_exit
        self.pid: int | None = None
        self.proc: asyncio.subprocess.Process | None = None
        self.link: EngineLink | None = None
        self.stopping = False
        self.exited = asyncio.Event()
        self.base_vm: int | None = None  # address space at start (bytes), for the memory cap
        self.stats: dict[str, Any] | None = None  # the engine's last Stats
        self.stats_at = 0.0

    @property
    def registration(self) -> Path:
        return Path(self.spec.socket_path).with_suffix(".json")

    async def start(
        self,
        start_timeout: float,
        handlers: dict[type[control.Message], Handler],
        hello: control.Hello,
        tcache_count: int = 0,
    ) -> None:
        env = engine_environment(tcache_count)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "worker",
            "--container",
            self.spec.name,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            start_new_session=True,  # Ctrl-C at the proxy's terminal is the proxy's to handle
        )
        self.proc, self.pid = proc, proc.pid
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(asdict(self.spec)).encode() + b"\n")
        await proc.stdin.drain()
        proc.stdin.close()
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), start_timeout)
        except TimeoutError:
            proc.kill()
            raise DbError("58000", f"engine of {self.spec.name} did not start in {start_timeout} s") from None
        text = line.decode().strip()
        if text != "READY":
            await proc.wait()
            if text.startswith("FAILED "):
                err = json.loads(text[7:])
                raise DbError(err["sqlstate"], f"cannot open {self.spec.name}: {err['message']}")
            raise DbError("58000", f"engine of {self.spec.name} failed to start (exit {proc.returncode})")
        asyncio.get_running_loop().create_task(self._watch_child(proc))
        self._register()
        try:
            await self.connect(handlers, hello)
        except Exception as e:
            # An engine the proxy cannot link to serves nobody, and never counts itself orphaned
            # (that starts from a lost link) while it holds its PDB's file: end it.
            self.stopping = True
            proc.kill()
            await self.exited.wait()  # (_watch_child: its registration removed)
            if isinstance(e, DbError):
                raise
            raise DbError(
                "58000", f"engine of {self.spec.name} did not answer its control link: {e!r}"
            ) from e

    def _register(self) -> None:
        """What a restarted proxy needs to adopt this engine (owner-only: it holds the token)."""
        fd = os.open(self.registration, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"pid": self.pid, "spec": asdict(self.spec)}, f)

    async def connect(
        self, handlers: dict[type[control.Message], Handler], hello: control.Hello
    ) -> dict[str, Any]:
        hello.token = self.spec.token
        link, welcome = await EngineLink.open(self.spec.socket_path, hello, handlers)
        link.con_id = self.spec.con_id  # type: ignore[attr-defined]
        link.on_down.append(self._link_down)
        self.link = link
        return welcome

    async def _watch_child(self, proc: asyncio.subprocess.Process) -> None:
        code = await proc.wait()
        self._gone(f"exited with {code}")

    def watch_adopted(self) -> None:
        """An adopted engine is not our child: its pidfd says when it exits."""
        assert self.pid is not None
        try:
            pidfd = os.pidfd_open(self.pid)
        except OSError:
            self._gone("is gone")
            return
        loop = asyncio.get_running_loop()

        def readable() -> None:
            loop.remove_reader(pidfd)
            os.close(pidfd)
            self._gone("exited")

        loop.add_reader(pidfd, readable)

    def _gone(self, how: str) -> None:
        if self.exited.is_set():
            return
        self.exited.set()
        with contextlib.suppress(OSError):
            self.registration.unlink()
        if self.link is not None:
            self.link.close()
        if not self.stopping:
            log.warning("engine of %s (pid %s) %s", self.spec.name, self.pid, how)
            self.on_exit(self)

    def _link_down(self) -> None:
        """A link that drops while the engine lives makes an engine nobody can reach: end it."""
        if not self.exited.is_set() and not self.stopping and self.pid is not None:
            log.warning("lost the control channel of the engine of %s; restarting it", self.spec.name)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    async def stop(self, timeout: float = 30.0) -> None:
        """Ask the engine to end its sessions, checkpoint and exit; kill it when it does not."""
        self.stopping = True
        if self.exited.is_set() or self.pid is None:
            return
        try:
            if self.link is not None and self.link.up:
                self.link.send(control.Stop())
            else:
                os.kill(self.pid, signal.SIGTERM)
        except (LinkDown, ProcessLookupError):
            pass
        try:
            await asyncio.wait_for(self.exited.wait(), timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            await self.exited.wait()
        with contextlib.suppress(OSError):
            self.registration.unlink()

    def set_memory_cap(self, memory_bytes: int, sessions: int) -> None:
        """The OS cap on the engine's address space (RLIMIT_AS): what it had mapped when it started,
        twice its DuckDB memory limit, a stack per session and 2 GiB of slack. A memory bomb that
        DuckDB's buffer manager does not see then fails its own allocations (53200) or, at worst,
        ends this engine, which the supervisor restarts; it never takes the machine's memory."""
        if self.pid is None:
            return
        if self.base_vm is None:
            self.base_vm = _vm_size(self.pid)
        if self.base_vm is None:
            return
        cap = self.base_vm + 2 * memory_bytes + sessions * THREAD_STACK + (2 << 30)
        try:
            resource.prlimit(self.pid, resource.RLIMIT_AS, (cap, cap))
        except (OSError, ValueError) as e:  # not Linux, or not allowed: DuckDB's own limit remains
            log.info("no address-space cap for the engine of %s: %s", self.spec.name, e)

    def set_nice(self, nice: int) -> None:
        """The engine's OS scheduling priority (the tier's priority). Lowering a nice value needs
        privileges the server may not have: then the engine keeps its current one."""
        if self.pid is None:
            return
        # Linux keeps a nice value per thread: set every thread's (DuckDB's workers, the sessions'),
        # and the main thread's, which the sessions started later inherit.
        try:
            tids = [int(t) for t in os.listdir(f"/proc/{self.pid}/task")]
        except OSError:
            tids = [self.pid]
        for tid in tids:
            try:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
            except ProcessLookupError:
                continue
            except PermissionError:
                log.info("engine of %s keeps its nice value (could not set %s)", self.spec.name, nice)
                return


def _vm_size(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


class Supervisor:
    """The running side of the container (catalog.runtime.Runtime): its engines, the sessions
    they serve, and the fair share of statement slots between them."""

    def __init__(self, cdb: Cdb) -> None:
        self.cdb = cdb
        self.config = cdb.config
        self.engines: dict[int, EngineProcess] = {}
        self.sessions: Sessions  # set by the server
        self.handlers: dict[type[control.Message], Handler] = {}  # set by the server
        self.run_dir = run_dir(cdb.data_dir)
        self.allotter = Allotter()
        self.cpu_groups = CpuGroups(group_name())
        self._reopening: set[int] = set()
        self._stamp: tuple[int, int] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self.restarts: dict[int, int] = {}  # engine restarts after a death, per con_id (Prometheus)
        self.deaths: dict[int, float] = {}  # when each con_id's engine last died (the SLA's uptime)

    # ------------------------------------------------------------ engines

    def _engine_limits(self, c: Container) -> dict[str, Any]:
        """The limits an engine applies itself (DuckDB settings and the storage check)."""
        if c.con_id == ROOT_ID:
            return {
                "memory_limit": self.config.get("engine", "root_memory"),
                "threads": int(self.config.get("engine", "root_threads")),
                "max_temp_size": "1GiB",
                "max_size": None,
            }
        lim = self.cdb.limits(c)
        return {
            "memory_limit": f"{lim.memory_bytes}B",
            "threads": lim.engine_threads,
            # DuckDB has no "unlimited": a petabyte never binds.
            "max_temp_size": f"{lim.max_shared_temp_size or 1 << 50}B",
            "max_size": lim.max_pdb_storage or None,
        }

    def _spec(self, c: Container, read_only: bool) -> EngineSpec:
        d = self.cdb.pdb_dir(c)
        lim = self._engine_limits(c)
        return EngineSpec(
            name=c.name,
            con_id=c.con_id,
            db_path=str(self.cdb.db_file(c)),
            socket_path=str(self.run_dir / f"engine-{c.con_id}.sock"),
            token=secrets.token_hex(16),
            read_only=read_only,
            memory_limit=str(lim["memory_limit"]),
            threads=int(lim["threads"]),
            temp_dir=str(d / "tmp"),
            max_temp_size=str(lim["max_temp_size"]),
            allowed_dir=str(d),
            max_size=lim["max_size"],
            orphan_grace_s=float(self.config.get("engine", "orphan_grace_s")),
            max_message_bytes=int(self.config.get("server", "max_message_bytes")),
        )

    def _hello(self, con_id: int) -> control.Hello:
        """What an engine is told when its link opens: its limits, its share, the catalog's stamp."""
        lim = self.cdb.limits_of(con_id)
        slots = 0
        if lim is not None:
            self.allotter.set_limits(con_id, lim)
            slots = self.allotter.cap(con_id)
        stamp = self.cdb.cat.change_stamp()
        return control.Hello(
            limits=asdict(lim) if lim is not None else None, slots=slots, stamp=list(stamp) if stamp else []
        )

    async def _launch(self, c: Container, read_only: bool) -> EngineProcess:
        """Start an engine process for c and link to it."""
        eng = EngineProcess(self._spec(c, read_only), self._engine_died)
        await eng.start(
            float(self.config.get("engine", "start_timeout_s")),
            self.handlers,
            self._hello(c.con_id),
            int(self.config.get("engine", "malloc_tcache_count")),
        )
        return eng

    async def start_engine(self, c: Container, read_only: bool) -> None:
        eng = await self._launch(c, read_only)
        self.engines[c.con_id] = eng
        await self._after_start(eng, c)

    async def _after_start(self, eng: EngineProcess, c: Container) -> None:
        self._set_os_limits(eng, c)
        assert eng.link is not None
        stamp = self.cdb.cat.change_stamp()
        if stamp is not None:
            eng.link.send(control.Stamp(stamp=list(stamp)))
        lim = self.cdb.limits_of(c.con_id)
        if lim is not None:
            self.allotter.set_limits(c.con_id, lim)
            self._push_slots(force=c.con_id)

    async def adopt(self) -> set[int]:
        """Engines that outlived the previous proxy: linked again, their sessions known again.
        Returns the con_ids adopted; an engine that cannot be adopted is stopped."""
        adopted: set[int] = set()
        for sock in self.run_dir.glob("engine-*.sock"):
            if not sock.with_suffix(".json").exists():
                sock.unlink(missing_ok=True)  # left by an engine killed with its server
        for reg in sorted(self.run_dir.glob("engine-*.json")):
            try:
                info = json.loads(reg.read_text())
                spec = EngineSpec(**info["spec"])
                pid = int(info["pid"])
            except (OSError, ValueError, KeyError, TypeError):
                reg.unlink(missing_ok=True)
                continue
            c = self.cdb.cat.container_by_id(spec.con_id)
            eng = EngineProcess(spec, self._engine_died)
            eng.pid = pid
            if not _alive(pid):
                # a killed server's engine: its registration and socket go
                reg.unlink(missing_ok=True)
                Path(spec.socket_path).unlink(missing_ok=True)
                continue
            try:
                if c is None or c.name != spec.name or c.status in ("UNUSABLE", "UNPLUGGED"):
                    raise DbError("55000", "its container is gone")
                if not c.is_open or (c.open_mode == "READ ONLY") != spec.read_only:
                    # The server stopped between starting the engine and recording the open.
                    raise DbError("55000", f"its container is {c.open_mode}")
                welcome = await eng.connect(self.handlers, self._hello(spec.con_id))
                if welcome.get("pid") != pid:
                    raise DbError("55000", "another process answered")
            except (OSError, DbError, LinkDown, TimeoutError) as e:
                log.warning("engine of %s (pid %s) cannot be adopted (%s): stopping it", spec.name, pid, e)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
                for _ in range(300):
                    if not _alive(pid):
                        break
                    await asyncio.sleep(0.1)
                reg.unlink(missing_ok=True)
                continue
            eng.watch_adopted()
            self.engines[spec.con_id] = eng
            self.sessions.adopt(spec.con_id, welcome.get("sessions", []))
            assert c is not None
            await self._after_start(eng, c)
            adopted.add(spec.con_id)
            log.info(
                "adopted the engine of %s (pid %s) with %d session(s)",
                spec.name,
                pid,
                len(welcome["sessions"]),
            )
        return adopted

    async def stop_engine(self, con_id: int, keep_sessions: bool = False) -> None:
        """Stop a container's engine. keep_sessions (OPEN ... FORCE): its sessions move out first
        and wait, parked, for the engine that reopens it (resume_sessions)."""
        eng = self.engines.get(con_id)
        if eng is None:
            return
        if keep_sessions and eng.link is not None and eng.link.up:
            self._reopening.add(con_id)
            try:
                await eng.link.call(control.Evacuate(), timeout=60)
            except (LinkDown, DbError, TimeoutError) as e:
                log.warning("sessions of %s could not all move: %s", eng.spec.name, e)
        self.engines.pop(con_id, None)
        self.allotter.forget(con_id)
        await eng.stop()
        for r in self.sessions.served_by(con_id):
            await self.sessions.terminate(
                r, "57P01", f"terminating connection: pluggable database {eng.spec.name} is closing"
            )

    def stopping_for_reopen(self, con_id: int) -> bool:
        return con_id in self._reopening

    async def resume_sessions(self, con_id: int, may_stay: Callable[[Any], bool]) -> None:
        self._reopening.discard(con_id)
        await self.sessions.resume(con_id, may_stay)

    def serving(self, con_id: int) -> bool:
        """Whether con_id's engine is up and reachable now."""
        eng = self.engines.get(con_id)
        return eng is not None and not eng.exited.is_set() and eng.link is not None

    def running(self) -> list[int]:
        return sorted(self.engines)

    def link_of(self, con_id: int) -> EngineLink:
        eng = self.engines.get(con_id)
        if eng is None or eng.link is None or not eng.link.up:
            raise LinkDown()
        return eng.link

    async def hand_to(
        self, con_id: int, state: SessionState, hello: bytes, pending: bytes, fd: int, returning: bool = False
    ) -> None:
        """Give a session's socket to the engine of con_id (the link closes our fd once sent).
        returning: it comes back to its container after a reopen (not a session opened there)."""
        try:
            link = self.link_of(con_id)
        except LinkDown:
            os.close(fd)
            raise ora(1109, state.container) from None
        msg = control.Handoff(
            state=control.state_dict(state),
            data=hello,
            pending=pending.decode("latin-1"),
            returning=returning,
        )
        try:
            await link.call(msg, timeout=30, fd=fd)
        except (LinkDown, TimeoutError):
            raise DbError("57P03", f"the engine of {state.container} is not available, try again") from None

    async def clone_to(self, con_id: int, path: str, schema_only: bool) -> None:
        try:
            await self.link_of(con_id).call(control.CloneTo(path=path, schema_only=schema_only))
        except LinkDown:
            raise ora(1109) from None

    async def apply_limits(self, c: Container) -> None:
        """Give c's running engine its current limits and scheduling priority: no restart, no
        session lost (the engine's budgets follow the catalog's Stamp)."""
        eng = self.engines.get(c.con_id)
        if eng is None or eng.link is None:
            return
        limits = self._engine_limits(c)
        for k, v in limits.items():
            setattr(eng.spec, k, v)
        await eng.link.call(control.SetLimits(limits=limits))
        self._set_os_limits(eng, c)
        lim = self.cdb.limits_of(c.con_id)
        if lim is not None:
            self.allotter.set_limits(c.con_id, lim)
            self._push_slots()
        await self.broadcast_stamp()

    def _set_os_limits(self, eng: EngineProcess, c: Container) -> None:
        """The engine's OS scheduling priority and address-space cap, from c's limits."""
        if c.con_id == ROOT_ID:
            return
        lim = self.cdb.limits(c)
        eng.set_nice(lim.nice)
        eng.set_memory_cap(lim.memory_bytes, lim.sessions)
        if eng.pid is not None:
            self.cpu_groups.place(f"pdb-{c.con_id}", eng.pid, lim.weight, lim.cpu_cap)

    def _engine_died(self, eng: EngineProcess) -> None:
        self.deaths[eng.spec.con_id] = time.time()
        asyncio.get_running_loop().create_task(self._restart(eng))

    async def _restart(self, eng: EngineProcess) -> None:
        con_id = eng.spec.con_id
        if self.engines.get(con_id) is not eng:
            return
        await self.sessions.engine_gone(con_id, eng.spec.name)
        for delay in (0.1, 1.0, 5.0, 15.0):
            await asyncio.sleep(delay)
            if self.engines.get(con_id) is not eng:
                return
            c = self.cdb.cat.container_by_id(con_id)
            if c is None or not c.is_open:
                self.engines.pop(con_id, None)
                return
            try:
                fresh = await self._launch(c, eng.spec.read_only)
            except DbError as e:
                log.error("restart of engine of %s failed: %s", eng.spec.name, e.message)
                continue
            self.engines[con_id] = fresh
            self.restarts[con_id] = self.restarts.get(con_id, 0) + 1
            await self._after_start(fresh, c)
            log.warning("engine of %s restarted (pid %s)", eng.spec.name, fresh.pid)
            return
        log.error("engine of %s could not be restarted; the PDB stays unavailable", eng.spec.name)

    async def memory_by_kind(self, con_id: int) -> list[tuple[str, int, int]]:
        try:
            reply = await self.link_of(con_id).call(control.Memory(), timeout=30)
        except LinkDown:
            return []
        return [tuple(r) for r in reply.value]  # type: ignore[misc]

    async def shutdown(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
        for eng in list(self.engines.values()):
            await eng.stop()
        self.engines.clear()
        self.cpu_groups.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    # ------------------------------------------------------------ sessions

    def sessions_in(self, con_id: int) -> list[SessionHandle]:
        return list(self.sessions.of_container(con_id))

    # ------------------------------------------------------------ budgets

    def set_active(self, con_id: int, active: bool) -> None:
        self.allotter.set_active(con_id, active)
        self._push_slots()

    def _push_slots(self, force: int | None = None) -> None:
        """Tell each engine whose share of the statement slots changed its new number."""
        changed = self.allotter.changed()
        if force is not None and force not in changed and force in self.allotter.pdbs:
            changed[force] = self.allotter.pdbs[force].cap
        for con_id, cap in changed.items():
            with contextlib.suppress(LinkDown):
                self.link_of(con_id).send(control.Slots(count=cap))

    def record_stats(self, con_id: int, stats: dict[str, Any]) -> None:
        eng = self.engines.get(con_id)
        if eng is not None:
            eng.stats, eng.stats_at = stats, time.monotonic()
            self.sessions.stats(con_id, stats.get("sessions", {}))

    def stats(self, con_id: int) -> dict[str, Any] | None:
        eng = self.engines.get(con_id)
        return eng.stats if eng is not None else None

    async def live_sessions(self, con_id: int) -> set[int] | None:
        """The pids the engine of con_id serves now (None when it cannot say)."""
        try:
            reply = await self.link_of(con_id).call(control.ListSessions(), timeout=10)
        except (LinkDown, DbError, TimeoutError):
            return None
        return set(reply.value)

    async def refresh_stats(self, con_ids: list[int]) -> None:
        """Fresh counters from these PDBs' engines (a view or SHOW RESOURCES reads them now)."""

        async def one(con_id: int) -> None:
            with contextlib.suppress(LinkDown, DbError, TimeoutError):
                reply = await self.link_of(con_id).call(control.GetStats(), timeout=10)
                if reply.value:
                    self.record_stats(con_id, reply.value)

        await asyncio.gather(*(one(c) for c in con_ids if c > SEED_ID))

    def forget(self, con_id: int) -> None:
        self.allotter.forget(con_id)

    def resource_metrics(self, con_id: int, history: bool) -> list[tuple[object, ...]]:
        """V$RSRCPDBMETRIC rows (history: V$RSRCPDBMETRIC_HISTORY) of the PDBs visible from con_id
        that run now: in the root every PDB, in a PDB itself (as its engine last reported)."""
        ids = [con_id] if con_id > SEED_ID else sorted(self.engines)
        rows = []
        for cid in ids:
            c = self.cdb.cat.container_by_id(cid)
            lim = self.cdb.limits_of(cid)
            snap = self.stats(cid)
            if c is None or lim is None or snap is None:
                continue
            intervals = snap["history"] if history else [snap["current"]]
            oom = int(snap["usage"].get("oom_count", 0))
            rows += [
                Interval(**iv).metric_row(cid, c.name, lim.utilization_limit, lim.engine_threads, oom)
                for iv in intervals
            ]
        return rows

    # ------------------------------------------------------------ the catalog's changes

    async def broadcast_stamp(self) -> tuple[int, int] | None:
        """When the catalog changed, every engine hears of it before the change is acknowledged:
        a changed grant, profile or limit applies to the next statement of every session."""
        stamp = self.cdb.cat.change_stamp()
        if stamp is None or stamp == self._stamp:
            return stamp
        self._stamp = stamp
        calls = []
        for eng in list(self.engines.values()):
            if eng.link is not None and eng.link.up:
                calls.append(eng.link.call(control.Stamp(stamp=list(stamp)), timeout=10))
        for result in await asyncio.gather(*calls, return_exceptions=True):
            if isinstance(result, BaseException) and not isinstance(
                result, LinkDown | TimeoutError | DbError
            ):
                raise result
        return stamp

    def watch_catalog(self) -> None:
        """Changes made to the catalog outside this proxy's commands reach the engines too."""

        async def loop() -> None:
            while True:
                await asyncio.sleep(0.25)
                try:
                    await self.broadcast_stamp()
                except Exception:  # noqa: BLE001 - the next round tries again
                    log.exception("could not tell the engines of a catalog change")

        self._watcher = asyncio.get_running_loop().create_task(loop())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"worker" in cmd
