"""The client's socket as a session thread uses it: messages in (the sans-I/O parser over blocking
reads, with the idle timeouts), bytes out (gathered into one write per response, paced by the
PDB's network budget), and an end that another thread may force (terminate)."""

from __future__ import annotations

import os
import select
import socket
import threading
from collections import deque
from collections.abc import Callable

from pgwire import backend, frontend

# Bytes gathered for the client before they are written without waiting for the end of a response.
OUT_CHUNK = 256 * 1024
READ_SIZE = 1 << 16


class Disconnect(Exception):
    """The client is gone (or the session was ended from outside)."""


class IdleTimeout(Exception):
    """No message from the client within the idle timeout."""


class Woken(Exception):
    """Another thread asked the session to look up from its wait for the client (wake())."""


class Client:
    def __init__(
        self, sock: socket.socket, pending: bytes = b"", max_message: int = frontend.MAX_MESSAGE_BYTES
    ) -> None:
        self.sock = sock
        self.parser = frontend.FrontendParser(startup=False, max_message=max_message)
        self._queue: deque[frontend.FrontendMessage] = deque()
        self._out: list[bytes] = []
        self._out_size = 0
        self._write_lock = threading.Lock()
        self.closed = False
        self.bytes_sent = 0
        self.bytes_received = 0
        # NETWORK_MBPS: charged with each write and waited out before it (set by the session).
        self.pace: Callable[[int], None] | None = None
        self.on_received: Callable[[int], None] | None = None
        self._wake_r, self._wake_w = os.pipe()
        self._poll = select.poll()
        self._poll.register(sock.fileno(), select.POLLIN | select.POLLPRI)
        self._poll.register(self._wake_r, select.POLLIN)
        if pending:
            self._queue.extend(self.parser.feed(pending))

    def next(self, timeout: float | None = None) -> frontend.FrontendMessage:
        """The client's next message; timeout: seconds to wait for one (IdleTimeout after).
        Woken when another thread calls wake() while this one waits."""
        if not self._queue:
            self.flush()  # everything owed to the client goes out before waiting for it
            while not self._queue:
                ready = self._poll.poll(None if timeout is None else max(0, int(timeout * 1000)))
                if not ready:
                    raise IdleTimeout()
                if any(fd == self._wake_r for fd, _ in ready):
                    os.read(self._wake_r, 64)
                    raise Woken()
                try:
                    data = self.sock.recv(READ_SIZE)
                except OSError as e:
                    raise Disconnect() from e
                if not data:
                    raise Disconnect()
                self.bytes_received += len(data)
                if self.on_received is not None:
                    self.on_received(len(data))
                self._queue.extend(self.parser.feed(data))
        return self._queue.popleft()

    def wake(self) -> None:
        """Make a waiting next() raise Woken (from another thread)."""
        try:
            os.write(self._wake_w, b"w")
        except OSError:
            pass

    def unread(self) -> bytes:
        """The client's bytes read but not yet handled, as the client sent them (a session that
        moves to another process takes them along)."""
        return b"".join(frontend.encode(m) for m in self._queue) + self.parser.pending()

    def has_pending(self) -> bool:
        return bool(self._queue)

    def queued(self) -> deque[frontend.FrontendMessage]:
        """The messages read and not yet taken, in order: a caller may take (popleft) those it
        handles together with the one next() gave it."""
        return self._queue

    def send(self, data: bytes) -> None:
        """Queue bytes for the client; they leave in one write per response (or every OUT_CHUNK)."""
        if self.closed:
            raise Disconnect()
        self._out.append(data)
        self._out_size += len(data)
        if self._out_size >= OUT_CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self._out:
            return
        data = b"".join(self._out) if len(self._out) > 1 else self._out[0]
        self._out.clear()
        self._out_size = 0
        if self.pace is not None:
            self.pace(len(data))
        with self._write_lock:
            if self.closed:
                raise Disconnect()
            try:
                self.sock.sendall(data)
            except OSError as e:
                raise Disconnect() from e
        self.bytes_sent += len(data)

    def discard_output(self) -> None:
        self._out.clear()
        self._out_size = 0

    def fatal(self, sqlstate: str, message: str) -> None:
        """End the connection with a FATAL error, from the session's own thread or another one
        (CLOSE IMMEDIATE, shutdown): the message goes out whole, then the socket is shut."""
        acquired = self._write_lock.acquire(timeout=5)
        try:
            if self.closed:
                return
            self.closed = True
            try:
                self.sock.sendall(backend.error_response(sqlstate, message, severity="FATAL"))
            except OSError:
                pass
            self.shutdown()
        finally:
            if acquired:
                self._write_lock.release()

    def shutdown(self) -> None:
        """End the TCP connection itself (whoever else holds the socket, as the proxy may)."""
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def detach(self) -> int:
        """Give the socket up (it moves to another process): its descriptor, no longer ours."""
        self.flush()
        self.closed = True
        self._poll.unregister(self.sock.fileno())
        return self.sock.detach()

    def close(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            self.sock.close()
        except OSError:
            pass
