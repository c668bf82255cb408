"""The proxy's end of an engine's control channel (pgwire.control), on the event loop: requests
both ways, replies matched by id, one-way notices, and client sockets passed with SCM_RIGHTS.
The engine's requests go through a table of handlers (message type -> coroutine)."""

from __future__ import annotations

import array
import asyncio
import itertools
import logging
import os
import socket
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from pgwire import control
from pgwire.errors import DbError

log = logging.getLogger("duckcdb.links")

_MAX_FDS = 64
_READ = 1 << 16

Handler = Callable[["EngineLink", Any], Awaitable[Any]]


class LinkDown(Exception):
    """The engine's control channel is closed (the engine died or stopped)."""


class EngineLink:
    def __init__(self, sock: socket.socket, handlers: dict[type[control.Message], Handler]) -> None:
        self.sock = sock
        sock.setblocking(False)
        self.loop = asyncio.get_running_loop()
        self.handlers = handlers
        self.parser = control.Parser()
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[control.Reply]] = {}
        self._fds: deque[int] = deque()
        self._out: deque[tuple[bytes, int | None]] = deque()
        self._writing = False
        self.up = True
        self.on_down: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.loop.add_reader(sock.fileno(), self._readable)

    @classmethod
    async def open(
        cls,
        path: str,
        hello: control.Hello,
        handlers: dict[type[control.Message], Handler],
        timeout: float = 10.0,
    ) -> tuple[EngineLink, dict[str, Any]]:
        """Connect to an engine's socket and introduce ourselves; returns the link and the
        engine's welcome (who it is, which sessions it serves)."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, path), timeout)
        except BaseException:
            sock.close()
            raise
        link = cls(sock, handlers)
        try:
            reply = await link.call(hello, timeout)
        except BaseException:
            link.close()
            raise
        return link, reply.value

    # ------------------------------------------------------------ sending

    def send(self, msg: control.Message, fd: int | None = None) -> None:
        """Queue a message (with a descriptor, which the link closes once sent)."""
        if not self.up:
            if fd is not None:
                os.close(fd)
            raise LinkDown()
        self._out.append((control.encode(msg), fd))
        if not self._writing:
            self._flush()

    def _flush(self) -> None:
        while self._out:
            data, fd = self._out[0]
            try:
                if fd is not None:
                    anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))]
                    n = self.sock.sendmsg([data], anc)
                    os.close(fd)
                else:
                    n = self.sock.send(data)
            except (BlockingIOError, InterruptedError):
                n = 0
            except OSError:
                self._down()
                return
            if n < len(data):
                self._out[0] = (data[n:], None) if n else (data, fd)
                if not self._writing:
                    self._writing = True
                    self.loop.add_writer(self.sock.fileno(), self._writable)
                return
            self._out.popleft()
        if self._writing:
            self._writing = False
            self.loop.remove_writer(self.sock.fileno())

    def _writable(self) -> None:
        self._flush()

    async def call(
        self, msg: control.Message, timeout: float = 600.0, fd: int | None = None
    ) -> control.Reply:
        """Send a request and wait for its reply; DbError when the engine answered with one."""
        msg.id = next(self._ids)
        fut: asyncio.Future[control.Reply] = self.loop.create_future()
        self._waiting[msg.id] = fut
        try:
            self.send(msg, fd)
            reply = await asyncio.wait_for(fut, timeout)
        finally:
            self._waiting.pop(msg.id, None)
        if reply.error is not None:
            e = reply.error
            raise DbError(
                e.get("sqlstate", "XX000"), e.get("message", ""), detail=e.get("detail"), hint=e.get("hint")
            )
        return reply

    # ------------------------------------------------------------ receiving

    def _readable(self) -> None:
        try:
            data, anc, flags, _ = self.sock.recvmsg(_READ, socket.CMSG_SPACE(_MAX_FDS * 4))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._down()
            return
        if not data:
            self._down()
            return
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(payload[: len(payload) - len(payload) % 4])
                self._fds.extend(fds)
        try:
            if flags & socket.MSG_CTRUNC:
                raise control.ControlError("file descriptors lost on the control channel")
            for msg in self.parser.feed(data):
                if msg.carries_fd:
                    msg.fd = self._fds.popleft()  # type: ignore[attr-defined]
                self._dispatch(msg)
        except (control.ControlError, IndexError) as e:
            log.error("engine control channel broken: %s", e)
            self._down()

    def _dispatch(self, msg: control.Message) -> None:
        if isinstance(msg, control.Reply):
            fut = self._waiting.get(msg.to)
            if fut is not None and not fut.done():
                fut.set_result(msg)
            return
        handler = self.handlers.get(type(msg))
        task = self.loop.create_task(self._handle(handler, msg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, handler: Handler | None, msg: control.Message) -> None:
        try:
            if handler is None:
                raise DbError("08P01", f"the proxy does not handle {msg.tag}")
            value = await handler(self, msg)
            reply = value if isinstance(value, control.Reply) else control.Reply(value=value)
        except DbError as e:
            reply = control.Reply(error=e.to_json())
        except Exception as e:  # noqa: BLE001 - the engine's session gets an error, the proxy goes on
            log.exception("engine request %s failed", msg.tag)
            reply = control.Reply(
                error=DbError("XX000", f"internal error in the proxy: {type(e).__name__}").to_json()
            )
        if msg.id and self.up:
            reply.to = msg.id
            try:
                self.send(reply)
            except LinkDown:
                pass

    # ------------------------------------------------------------ end

    def _down(self) -> None:
        if not self.up:
            return
        self.up = False
        try:
            self.loop.remove_reader(self.sock.fileno())
            if self._writing:
                self.loop.remove_writer(self.sock.fileno())
        except (ValueError, OSError):
            pass
        for fut in self._waiting.values():
            if not fut.done():
                fut.set_exception(LinkDown())
        for _, fd in self._out:
            if fd is not None:
                os.close(fd)
        self._out.clear()
        while self._fds:
            os.close(self._fds.popleft())
        self.sock.close()
        for cb in self.on_down:
            cb()

    def close(self) -> None:
        self._down()
