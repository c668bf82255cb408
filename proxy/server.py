"""The listening server: accepts connections, runs a Session for each, routes CancelRequests."""

from __future__ import annotations

import asyncio
import logging
import secrets
import ssl
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from catalog import lifecycle
from catalog.cdb import Cdb
from conf import Config
from pgwire.errors import DbError
from proxy.supervisor import Supervisor
from proxy.tls import ensure_certificate

if TYPE_CHECKING:
    from proxy.session import Session

log = logging.getLogger("duckcdb.server")
audit = logging.getLogger("duckcdb.audit")


class Server:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.cdb = Cdb(config)
        self.supervisor = Supervisor(self.cdb)
        self.cdb.attach_runtime(self.supervisor)
        self.sessions: dict[int, tuple[int, Session]] = {}
        self.ssl_context: ssl.SSLContext | None = None
        self._next_pid = 10_000
        self._server: asyncio.AbstractServer | None = None
        self.generated_password: str | None = None
        self._failures: dict[tuple[str, str], deque[float]] = {}

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
        await lifecycle.start(self.cdb)
        self.supervisor.start_sampling()
        host = self.config.get("server", "host")
        port = int(self.config.get("server", "port"))
        self._server = await asyncio.start_server(self._accept, host, port, limit=1 << 20)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        from pgwire import backend
        from proxy.session import Session

        if len(self.sessions) >= int(self.config.get("server", "max_connections")):
            writer.write(backend.error_response("53300", "sorry, too many clients already", severity="FATAL"))
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

    def _client(self, s: Session) -> str:
        return str(s.peer[0]) if isinstance(s.peer, tuple) else str(s.peer or "local")

    def audit_refusal(
        self, s: Session, statement: str | None, rule: str, sqlstate: str, message: str
    ) -> None:
        """A refused statement: logged and recorded in the audit trail (DBA_/CDB_AUDIT_TRAIL)."""
        name = s.container.name if s.container else ""
        user = s.user.name if s.user else ""
        audit.warning(
            "refused: pdb=%s user=%s from=%s rule=%s: %s", name, user, self._client(s), rule, message
        )
        self.cdb.cat.add_audit(
            s.con_id, name, user, self._client(s), "REFUSED", statement, rule, sqlstate, message
        )

    def audit_login_failure(self, s: Session, user: str, reason: str) -> None:
        audit.warning("login failed: user=%s from=%s reason=%s", user, s.peer, reason)
        now = time.monotonic()
        for key in (("addr", self._client(s)), ("user", user)):
            self._failures.setdefault(key, deque()).append(now)
        c = s.login_container
        self.cdb.cat.add_audit(
            c.con_id if c else 0,
            c.name if c else "",
            user,
            self._client(s),
            "LOGON",
            None,
            "LOGIN_FAILED",
            "28P01",
            reason,
        )

    def check_lockout(self, s: Session, user: str) -> None:
        """Refuse a login from an address or for a user with too many recent failures."""
        limit = int(self.config.get("auth", "max_failures"))
        window = float(self.config.get("auth", "failure_window_s"))
        lockout = float(self.config.get("auth", "lockout_s"))
        now = time.monotonic()
        for key in (("addr", self._client(s)), ("user", user)):
            times = self._failures.get(key)
            if not times:
                continue
            while times and now - times[0] > max(window, lockout):
                times.popleft()
            recent = [t for t in times if now - t <= window]
            if len(recent) >= limit and now - times[-1] < lockout:
                wait = int(lockout - (now - times[-1])) + 1
                what = "from this address" if key[0] == "addr" else f'for user "{user}"'
                raise DbError("28000", f"too many failed login attempts {what}; try again in {wait} s")

    def login_succeeded(self, s: Session, user: str) -> None:
        self._failures.pop(("user", user), None)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for _, s in list(self.sessions.values()):
            await s.terminate("57P01", "terminating connection due to administrator command")
        await self.supervisor.shutdown()
