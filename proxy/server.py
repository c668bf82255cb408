"""The listening server: accepts connections, runs a Session for each, routes CancelRequests."""

from __future__ import annotations

import asyncio
import logging
import secrets
import ssl
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.cdb import Cdb
from proxy.config import Config
from proxy.tls import ensure_certificate

if TYPE_CHECKING:
    from proxy.session import Session

log = logging.getLogger("duckcdb.server")
audit = logging.getLogger("duckcdb.audit")


class Server:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.cdb = Cdb(config)
        self.sessions: dict[int, tuple[int, Session]] = {}
        self.ssl_context: ssl.SSLContext | None = None
        self._next_pid = 10_000
        self._server: asyncio.AbstractServer | None = None
        self.generated_password: str | None = None

    def _tls(self) -> ssl.SSLContext | None:
        cert = self.config.get("tls", "cert_file")
        key = self.config.get("tls", "key_file")
        if not cert and self.config.get("tls", "generate_self_signed"):
            cert, key = ensure_certificate(self.config.data_dir / "tls")
        if not cert:
            return None
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(Path(cert)), str(Path(key)) if key else None)
        return ctx

    async def start(self) -> None:
        self.generated_password = self.cdb.initialize()
        self.ssl_context = self._tls()
        await self.cdb.start()
        host = self.config.get("server", "host")
        port = int(self.config.get("server", "port"))
        self._server = await asyncio.start_server(self._accept, host, port, limit=1 << 20)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        from proxy import wire
        from proxy.session import Session

        if len(self.sessions) >= int(self.config.get("server", "max_connections")):
            writer.write(wire.error_response("53300", "sorry, too many clients already", severity="FATAL"))
            writer.close()
            return
        await Session(self, reader, writer).run()

    def register(self, s: Session) -> tuple[int, int]:
        self._next_pid += 1
        key = secrets.randbits(31)
        self.sessions[self._next_pid] = (key, s)
        return self._next_pid, key

    def unregister(self, s: Session) -> None:
        entry = self.sessions.get(s.pid)
        if entry is not None and entry[1] is s:
            del self.sessions[s.pid]

    async def cancel(self, pid: int, key: int) -> None:
        entry = self.sessions.get(pid)
        if entry is None or not secrets.compare_digest(
            entry[0].to_bytes(4, "big"), (key & 0x7FFFFFFF).to_bytes(4, "big")
        ):
            return  # PostgreSQL says nothing about a bad cancel key either
        await entry[1].cancel()

    def audit_login_failure(self, s: Session, user: str, reason: str) -> None:
        audit.warning("login failed: user=%s from=%s reason=%s", user, s.peer, reason)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for _, s in list(self.sessions.values()):
            await s.terminate("57P01", "terminating connection due to administrator command")
        await self.cdb.shutdown()
