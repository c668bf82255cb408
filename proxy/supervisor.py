"""Engine processes: starting, stopping and restarting them, and the per-session channel to one.

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
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from engine.server import EngineSpec
from pgwire import frames
from pgwire.errors import DbError

log = logging.getLogger("duckcdb.engines")

RESTART_DELAYS = (0.2, 1.0, 5.0)


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
        self.generation = 0
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
        self.generation += 1
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
        writer.write(frames.pack_request({"op": "limits", **limits, "token": self.spec.token}))
        await writer.drain()
        kind, payload = await _read_frame(reader)
        writer.close()
        answer = json.loads(payload)
        if not answer.get("ok"):
            raise DbError(answer.get("sqlstate", "XX000"), answer.get("message", "limits refused"))

    async def memory_by_kind(self) -> list[tuple[str, int, int]]:
        """DuckDB's buffer memory by kind (tag, bytes in memory, bytes spilled)."""
        reader, writer = await asyncio.open_unix_connection(self.spec.socket_path)
        writer.write(frames.pack_request({"op": "memory", "token": self.spec.token}))
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
        writer.write(frames.pack_request(request))
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
    head = await reader.readexactly(frames.HEADER.size)
    kind, n = frames.HEADER.unpack(head)
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
        self.writer.write(frames.pack_request(hello))
        kind, payload = await self.read_frame()
        self.session_id = json.loads(payload)["session"]

    async def read_frame(self) -> tuple[bytes, bytes]:
        assert self.reader is not None
        try:
            head = await self.reader.readexactly(frames.HEADER.size)
            kind, n = frames.HEADER.unpack(head)
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
        self.send(frames.pack_request({"ops": ops}, blobs))
        return await self.pump(out)

    async def pump(self, out: Callable[[bytes], Awaitable[None]]) -> dict[str, Any]:
        while True:
            kind, payload = await self.read_frame()
            if kind == frames.WIRE:
                await out(payload)
            elif kind == frames.DONE:
                return json.loads(payload)
            elif kind == frames.COPY_IN:
                return {"copy_in": True}

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
