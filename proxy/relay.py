"""The relay of a TLS session: its TLS state cannot move to the engine, so the proxy keeps it and
passes the plaintext bytes to the engine over a socketpair, both ways, without parsing them."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from proxy.frontdoor import Tls

_READ = 1 << 16


class Relay:
    def __init__(self, client: socket.socket, tls: Tls, engine: socket.socket) -> None:
        self.client = client
        self.tls = tls
        self.engine = engine
        client.setblocking(False)
        engine.setblocking(False)
        self.loop = asyncio.get_running_loop()
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False
        self._on_end: Callable[[], None] | None = None
        self._write = asyncio.Lock()

    def start(self, on_end: Callable[[], None]) -> None:
        self._on_end = on_end
        self._tasks = [self.loop.create_task(self._inbound()), self.loop.create_task(self._outbound())]

    async def _to_client(self, plain: bytes) -> None:
        async with self._write:
            if plain:
                self.tls.obj.write(plain)
            out = self.tls.pending_out()
            if out:
                await self.loop.sock_sendall(self.client, out)

    async def _inbound(self) -> None:
        """Client -> engine: decrypt and pass on."""
        try:
            while True:
                data = await self.loop.sock_recv(self.client, _READ)
                if not data:
                    break
                self.tls.incoming.write(data)
                plain = b""
                while True:
                    try:
                        chunk = self.tls.obj.read(_READ)
                    except ssl.SSLWantReadError:
                        break
                    if not chunk:
                        raise ConnectionResetError
                    plain += chunk
                await self._to_client(b"")  # what TLS itself owes the client (alerts, tickets)
                if plain:
                    await self.loop.sock_sendall(self.engine, plain)
        except (OSError, ssl.SSLError):
            pass
        finally:
            self.close()

    async def _outbound(self) -> None:
        """Engine -> client: encrypt and pass on."""
        try:
            while True:
                data = await self.loop.sock_recv(self.engine, _READ)
                if not data:
                    break
                await self._to_client(data)
        except (OSError, ssl.SSLError):
            pass
        finally:
            self.close()

    async def send_plain(self, data: bytes) -> None:
        """Bytes of the proxy's own to the client (a FATAL when the engine died)."""
        with contextlib.suppress(OSError, ssl.SSLError):
            await asyncio.wait_for(self._to_client(data), 5)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for t in self._tasks:
            if t is not asyncio.current_task():
                t.cancel()
        for s in (self.engine, self.client):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        if self._on_end is not None:
            self._on_end()
