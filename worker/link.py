"""The engine's end of the control channel to the proxy (pgwire.control), over blocking sockets:
a reader thread dispatches the proxy's messages through a table of handlers and matches replies
to the requests the session threads wait on; writers share one lock. The proxy opens the link
(the engine listens); a proxy that restarts opens a new one, which replaces the old."""

from __future__ import annotations

import array
import itertools
import logging
import socket
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from pgwire import control
from pgwire.errors import DbError

log = logging.getLogger("duckcdb.worker.link")

_MAX_FDS = 64
_READ = 1 << 16


class LinkDown(Exception):
    """The proxy is not reachable (restarting, or gone)."""


def unavailable() -> DbError:
    return DbError("57P03", "the container's proxy is restarting; try again in a moment")


class _Waiter:
    __slots__ = ("event", "reply")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reply: control.Reply | None = None


class Link:
    """One connection to the proxy. handlers: message type -> function(link, message) returning
    the reply's value (or a control.Reply); those in `slow` run in a thread of their own."""

    def __init__(
        self,
        sock: socket.socket,
        handlers: dict[type[control.Message], Callable[[Link, Any], Any]],
        slow: frozenset[type[control.Message]],
        on_down: Callable[[Link], None],
    ) -> None:
        self.sock = sock
        self.handlers = handlers
        self.slow = slow
        self.on_down = on_down
        self._write = threading.Lock()
        self._ids = itertools.count(1)
        self._waiting: dict[int, _Waiter] = {}
        self._fds: deque[int] = deque()
        self.up = True

    # ------------------------------------------------------------ sending

    def send(self, msg: control.Message, fd: int | None = None) -> None:
        data = control.encode(msg)
        with self._write:
            if not self.up:
                raise LinkDown()
            try:
                if fd is None:
                    self.sock.sendall(data)
                else:
                    anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))]
                    sent = self.sock.sendmsg([data], anc)
                    if sent < len(data):
                        self.sock.sendall(data[sent:])
            except OSError as e:
                raise LinkDown() from e

    def call(self, msg: control.Message, timeout: float = 600.0, fd: int | None = None) -> control.Reply:
        """Send a request and wait for its reply; DbError when the proxy answered with an error."""
        msg.id = next(self._ids)
        w = _Waiter()
        self._waiting[msg.id] = w
        try:
            self.send(msg, fd)
            if not w.event.wait(timeout):
                raise LinkDown()
        finally:
            self._waiting.pop(msg.id, None)
        reply = w.reply
        if reply is None:
            raise LinkDown()
        if reply.error is not None:
            err = reply.error
            raise DbError(
                err.get("sqlstate", "XX000"),
                err.get("message", ""),
                detail=err.get("detail"),
                hint=err.get("hint"),
            )
        return reply

    # ------------------------------------------------------------ receiving

    def serve(self) -> None:
        """Read the proxy's messages until the link drops (run in the link's own thread)."""
        parser = control.Parser()
        try:
            while True:
                data, anc, flags, _ = self.sock.recvmsg(_READ, socket.CMSG_SPACE(_MAX_FDS * 4))
                if not data:
                    break
                if flags & socket.MSG_CTRUNC:
                    raise control.ControlError("file descriptors lost on the control channel")
                for level, kind, payload in anc:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        fds = array.array("i")
                        fds.frombytes(payload[: len(payload) - len(payload) % 4])
                        self._fds.extend(fds)
                for msg in parser.feed(data):
                    if msg.carries_fd:
                        msg.fd = self._fds.popleft()  # type: ignore[attr-defined]
                    self._dispatch(msg)
        except (OSError, control.ControlError, IndexError) as e:
            log.warning("control channel to the proxy lost: %s", e)
        finally:
            self._down()

    def _dispatch(self, msg: control.Message) -> None:
        if isinstance(msg, control.Reply):
            w = self._waiting.get(msg.to)
            if w is not None:
                w.reply = msg
                w.event.set()
            return
        handler = self.handlers.get(type(msg))
        if handler is None:
            self._answer(msg, error=DbError("08P01", f"the engine does not handle {msg.tag}"))
            return
        if type(msg) in self.slow:
            threading.Thread(target=self._handle, args=(handler, msg), daemon=True).start()
        else:
            self._handle(handler, msg)

    def _handle(self, handler: Callable[[Link, Any], Any], msg: control.Message) -> None:
        try:
            value = handler(self, msg)
        except DbError as e:
            self._answer(msg, error=e)
            return
        except Exception as e:  # noqa: BLE001 - the proxy learns of it; the link goes on
            log.exception("control message %s failed", msg.tag)
            self._answer(
                msg, error=DbError("XX000", f"internal error in the engine: {type(e).__name__}: {e}")
            )
            return
        if msg.id:
            reply = value if isinstance(value, control.Reply) else control.Reply(to=msg.id, value=value)
            reply.to = msg.id
            try:
                self.send(reply)
            except LinkDown:
                pass

    def _answer(self, msg: control.Message, error: DbError) -> None:
        if msg.id:
            try:
                self.send(control.Reply(to=msg.id, error=error.to_json()))
            except LinkDown:
                pass

    def _down(self) -> None:
        with self._write:
            self.up = False
        for w in list(self._waiting.values()):
            w.event.set()  # no reply: LinkDown in the waiting thread
        while self._fds:
            try:
                socket.socket(fileno=self._fds.popleft()).close()
            except OSError:
                pass
        try:
            self.sock.close()
        except OSError:
            pass
        self.on_down(self)
