"""Engine processes: starting, stopping and restarting them, the per-session channel to one, and
the Supervisor that runs them for the container (catalog.runtime.Runtime).

One engine process per open container. The supervisor restarts an engine that dies while its
container is open; the sessions it had end with 57P01, every other container keeps working.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from catalog.cdb import Cdb
from catalog.runtime import SessionHandle
from catalog.store import Container
from governance import sampler
from governance.cgroups import CpuGroups, group_name
from governance.governor import Governor, PdbGovernor
from governance.usage import INTERVAL_S
from pgwire import backend, channel
from pgwire.channel import EngineSpec
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID

log = logging.getLogger("duckcdb.engines")


class EngineGone(Exception):
    """The engine process behind a session ended."""


class EngineProcess:
    def __init__(
        self, spec: EngineSpec, start_timeout: float, on_exit: Callable[[EngineProcess], None]
    ) -> None:
        self.spec = spec
        self.start_timeout = start_timeout
        self.on_exit = on_exit
        self.proc: asyncio.subprocess.Process | None = None
        self.stopping = False
        self._watch: asyncio.Task[None] | None = None
        self.base_vm: int | None = None  # address space at start (bytes), for the memory cap

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    async def start(self) -> None:
        env = dict(os.environ)
        env.pop("DUCKCDB_SYS_PASSWORD", None)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "engine",
            "--spec",
            json.dumps(asdict(self.spec)),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            env=env,
        )
        self.base_vm = None
        assert self.proc.stdout is not None
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), self.start_timeout)
        except TimeoutError:
            self.proc.kill()
            raise DbError(
                "58000", f"engine of {self.spec.name} did not start in {self.start_timeout} s"
            ) from None
        text = line.decode().strip()
        if text != "READY":
            await self.proc.wait()
            if text.startswith("FAILED "):
                err = json.loads(text[7:])
                raise DbError(err["sqlstate"], f"cannot open {self.spec.name}: {err['message']}")
            raise DbError(
                "58000", f"engine of {self.spec.name} failed to start (exit {self.proc.returncode})"
            )
        self._watch = asyncio.create_task(self._watch_exit(self.proc))

    async def _watch_exit(self, proc: asyncio.subprocess.Process) -> None:
        code = await proc.wait()
        if self.stopping or proc is not self.proc:
            return
        log.warning("engine of %s (pid %s) exited with %s", self.spec.name, proc.pid, code)
        self.on_exit(self)

    async def stop(self, timeout: float = 30.0) -> None:
        """Ask the engine to checkpoint and exit; kill it when it does not."""
        self.stopping = True
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        try:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()

    async def open_channel(
        self, timezone: str | None = None, userenv: dict[str, str] | None = None
    ) -> EngineChannel:
        ch = EngineChannel(self)
        await ch.connect(timezone, userenv or {})
        return ch

    async def set_limits(self, limits: dict[str, Any]) -> None:
        """Give a running engine new limits (memory_limit, threads, max_temp_size, max_size); a
        restart starts with them too."""
        for k, v in limits.items():
            setattr(self.spec, k, v)
        reader, writer = await asyncio.open_unix_connection(self.spec.socket_path)
        writer.write(channel.pack_request({"op": "limits", **limits, "token": self.spec.token}))
        await writer.drain()
        kind, payload = await _read_frame(reader)
        writer.close()
        answer = json.loads(payload)
        if not answer.get("ok"):
            raise DbError(answer.get("sqlstate", "XX000"), answer.get("message", "limits refused"))

    async def memory_by_kind(self) -> list[tuple[str, int, int]]:
        """DuckDB's buffer memory by kind (tag, bytes in memory, bytes spilled)."""
        reader, writer = await asyncio.open_unix_connection(self.spec.socket_path)
        writer.write(channel.pack_request({"op": "memory", "token": self.spec.token}))
        await writer.drain()
        _, payload = await _read_frame(reader)
        writer.close()
        return [tuple(r) for r in json.loads(payload).get("tags", [])]

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

    async def cancel(self, session_id: int, reason: str = "user request") -> None:
        try:
            reader, writer = await asyncio.open_unix_connection(self.spec.socket_path)
        except OSError:
            return
        request = {"op": "cancel", "session": session_id, "reason": reason, "token": self.spec.token}
        writer.write(channel.pack_request(request))
        await writer.drain()
        writer.close()


THREAD_STACK = 8 << 20  # one session's thread in the engine


def _vm_size(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


async def _read_frame(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readexactly(channel.HEADER.size)
    kind, n = channel.HEADER.unpack(head)
    return kind, await reader.readexactly(n)


def new_token() -> str:
    return secrets.token_hex(16)


class EngineChannel:
    """A session's connection to its engine: requests out, wire bytes and status back."""

    def __init__(self, engine: EngineProcess) -> None:
        self.engine = engine
        self.session_id = 0
        self.max_result_bytes = 0  # what the engine session was last told (MAX_RESULT_SIZE)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self, timezone: str | None, userenv: dict[str, str]) -> None:
        self.reader, self.writer = await asyncio.open_unix_connection(
            self.engine.spec.socket_path, limit=1 << 20
        )
        hello = {"op": "hello", "token": self.engine.spec.token, "timezone": timezone, "userenv": userenv}
        self.writer.write(channel.pack_request(hello))
        kind, payload = await self.read_frame()
        self.session_id = json.loads(payload)["session"]

    async def read_frame(self) -> tuple[bytes, bytes]:
        assert self.reader is not None
        try:
            head = await self.reader.readexactly(channel.HEADER.size)
            kind, n = channel.HEADER.unpack(head)
            return kind, await self.reader.readexactly(n)
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            raise EngineGone() from e

    def send(self, data: bytes) -> None:
        assert self.writer is not None
        self.writer.write(data)

    async def request(
        self, ops: list[dict[str, Any]], blobs: list[bytes | None], out: Callable[[bytes], Awaitable[None]]
    ) -> dict[str, Any]:
        """Send ops; pass every WIRE payload to out; return the DONE status, or the COPY_IN marker."""
        self.send(channel.pack_request({"ops": ops}, blobs))
        return await self.pump(out)

    async def pump(self, out: Callable[[bytes], Awaitable[None]]) -> dict[str, Any]:
        while True:
            kind, payload = await self.read_frame()
            if kind == channel.WIRE:
                await out(payload)
            elif kind == channel.DONE:
                return json.loads(payload)
            elif kind == channel.COPY_IN:
                return {"copy_in": True}

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class Supervisor:
    """The running side of the container (catalog.runtime.Runtime): one engine process per open
    container, restarted when it dies; the sessions of each container; each PDB's live budgets,
    sampled every second."""

    def __init__(self, cdb: Cdb) -> None:
        self.cdb = cdb
        self.config = cdb.config
        self.engines: dict[int, EngineProcess] = {}
        self._sessions: dict[int, set[SessionHandle]] = {}
        self.run_dir = Path(tempfile.mkdtemp(prefix="duckcdb-"))
        os.chmod(self.run_dir, 0o700)
        self.governor = Governor()
        self.cpu_groups = CpuGroups(group_name())
        self._sampler: asyncio.Task[None] | None = None

    def start_sampling(self) -> None:
        self._sampler = asyncio.create_task(self._sample_engines())

    async def shutdown(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
        for eng in list(self.engines.values()):
            await eng.stop()
        self.engines.clear()
        self.cpu_groups.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    # ------------------------------------------------------------ engines

    def _engine_limits(self, c: Container) -> dict[str, object]:
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
            db_path=str(self.cdb.db_file(c)),
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

    async def start_engine(self, c: Container, read_only: bool) -> None:
        eng = EngineProcess(
            self._spec(c, read_only), float(self.config.get("engine", "start_timeout_s")), self._engine_died
        )
        await eng.start()
        self.engines[c.con_id] = eng
        self._set_os_limits(eng, c)

    async def stop_engine(self, con_id: int) -> None:
        eng = self.engines.pop(con_id, None)
        if eng is not None:
            await eng.stop()

    def running(self) -> list[int]:
        return sorted(self.engines)

    def engine(self, con_id: int) -> EngineProcess | None:
        return self.engines.get(con_id)

    async def clone_to(self, con_id: int, path: str, schema_only: bool) -> None:
        eng = self.engines.get(con_id)
        if eng is None:
            raise ora(1109)
        ch = await eng.open_channel()
        try:
            replies: list[bytes] = []

            async def collect(b: bytes) -> None:
                replies.append(b)

            res = await ch.request(
                [{"op": "clone_to", "path": path, "schema_only": schema_only}], [], collect
            )
        finally:
            ch.close()
        if res.get("failed"):
            raise DbError("58000", _error_text(b"".join(replies)))

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
        lim = self.cdb.limits(c)
        eng.set_nice(lim.nice)
        eng.set_memory_cap(lim.memory_bytes, lim.sessions)
        if eng.pid is not None:
            self.cpu_groups.place(f"pdb-{c.con_id}", eng.pid, lim.weight, lim.cpu_cap)

    def _engine_died(self, eng: EngineProcess) -> None:
        asyncio.get_running_loop().create_task(self._restart(eng))

    async def _restart(self, eng: EngineProcess) -> None:
        con_id = next((k for k, v in self.engines.items() if v is eng), None)
        if con_id is None:
            return
        for s in self.sessions(con_id):
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
                c = self.cdb.cat.container_by_id(con_id)
                if c is not None:
                    self._set_os_limits(eng, c)
                gov = self.governor.pdbs.get(con_id)
                if gov is not None:
                    gov.io_sample = gov.cpu_sample = None  # a new process: its counters start at 0
                return
            except DbError as e:
                log.error("restart of engine of %s failed: %s", eng.spec.name, e.message)
        log.error("engine of %s could not be restarted; the PDB stays unavailable", eng.spec.name)

    async def memory_by_kind(self, con_id: int) -> list[tuple[str, int, int]]:
        eng = self.engines.get(con_id)
        return await eng.memory_by_kind() if eng is not None else []

    # ------------------------------------------------------------ sessions

    def attach(self, s: SessionHandle) -> None:
        self._sessions.setdefault(s.con_id, set()).add(s)

    def detach(self, s: SessionHandle) -> None:
        self._sessions.get(s.con_id, set()).discard(s)

    def sessions(self, con_id: int) -> list[SessionHandle]:
        return list(self._sessions.get(con_id, ()))

    # ------------------------------------------------------------ budgets

    def pdb_governor(self, con_id: int) -> PdbGovernor | None:
        """The live budgets of a PDB (None for the root and the seed), with its current limits."""
        lim = self.cdb.limits_of(con_id)
        if lim is None:
            return None
        g = self.governor.pdb(con_id, lim)
        if g.io_sample is None:
            eng = self.engines.get(con_id)
            if eng is not None:
                sampler.sample(g, eng.pid)  # the baseline later I/O is charged against
        return g

    def sample(self, con_id: int) -> None:
        eng = self.engines.get(con_id)
        if eng is not None:
            sampler.sample(self.governor.pdbs.get(con_id), eng.pid)

    def forget(self, con_id: int) -> None:
        self.governor.forget(con_id)

    async def _sample_engines(self) -> None:
        """Every second: each open PDB's engine CPU, memory and I/O into its governor; every
        INTERVAL_S: close the metrics interval (V$RSRCPDBMETRIC and its history)."""
        last_close = time.monotonic()
        while True:
            await asyncio.sleep(1.0)
            for con_id, eng in list(self.engines.items()):
                if con_id > SEED_ID:
                    sampler.sample(self.pdb_governor(con_id), eng.pid)
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
            c = self.cdb.cat.container_by_id(cid)
            g = self.pdb_governor(cid) if c is not None else None
            if g is None or c is None:
                continue
            intervals = list(g.usage.history) if history else [g.current_interval()]
            rows += [iv.metric_row(cid, c.name, g) for iv in intervals]
        return rows


def _error_text(wire_bytes: bytes) -> str:
    for kind, body in backend.split_messages(wire_bytes):
        if kind == b"E":
            return backend.parse_error_fields(body).get("M", "")
    return "unknown error"
