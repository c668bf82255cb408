"""The front door of every connection: protocol negotiation (SSLRequest, GSSENCRequest,
CancelRequest), TLS, the startup packet, authentication and the login checks; then the client's
socket goes to the engine of its container (proxy.sessions.Sessions.handoff).

Sans-I/O codec over the raw socket, so that nothing of the client's bytes hides in a buffer of
ours when the socket moves. TLS is done with memory BIOs: a TLS session cannot move between
processes, so after login its bytes are relayed (proxy.relay) to the engine over a socketpair.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.store import Container, User
from pgcompat import params
from pgwire import auth, backend, frontend
from pgwire.errors import DbError, ProtocolViolation
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID
from tenants import gate as tenant_gate

if TYPE_CHECKING:
    from proxy.server import Server

# Before authentication no message may be bigger than this (PostgreSQL allows a few KB for the
# startup packet and about 64 KB for authentication messages).
PRE_AUTH_MAX_MESSAGE = 65536
_READ = 1 << 16


class Disconnect(Exception):
    pass


class Tls:
    """A server-side TLS session over memory BIOs: wire bytes in and out, plaintext through."""

    def __init__(self, ctx: ssl.SSLContext) -> None:
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.incoming, self.outgoing, server_side=True)

    def pending_out(self) -> bytes:
        return self.outgoing.read()


@dataclass
class Login:
    """Who logged in, where to, with which settings: what the engine needs to serve the session."""

    user: User
    container: Container
    params: dict[str, str]
    peer: str
    tls: Tls | None
    pending: bytes  # the client's bytes read beyond the login (a pipelining client)
    database: str = ""  # the container as the client named it (quotes removed)


class FrontDoor:
    def __init__(self, server: Server, sock: socket.socket, peer: str) -> None:
        self.server = server
        self.cdb = server.cdb
        self.sock = sock
        self.peer = peer
        self.loop = asyncio.get_running_loop()
        self.parser = frontend.FrontendParser(max_message=PRE_AUTH_MAX_MESSAGE, accept=frontend.AUTH_MESSAGES)
        self._queue: deque[frontend.FrontendMessage] = deque()
        self.tls: Tls | None = None
        self.login_container: Container | None = None

    # ------------------------------------------------------------ I/O

    def _decrypted(self) -> bytes:
        """Plaintext the TLS session holds already (records that came with earlier reads)."""
        assert self.tls is not None
        out = b""
        while True:
            try:
                chunk = self.tls.obj.read(_READ)
            except ssl.SSLWantReadError:
                return out
            except ssl.SSLError as e:
                raise ProtocolViolation(f"TLS error: {e}") from e
            if not chunk:
                raise Disconnect()
            out += chunk

    async def _recv(self) -> bytes:
        if self.tls is not None:
            held = self._decrypted()
            if held:
                return held
        data = await self.loop.sock_recv(self.sock, _READ)
        if not data:
            raise Disconnect()
        if self.tls is None:
            return data
        self.tls.incoming.write(data)
        out = self._decrypted()
        await self._flush_tls()
        return out

    async def send(self, data: bytes) -> None:
        if self.tls is None:
            await self.loop.sock_sendall(self.sock, data)
            return
        self.tls.obj.write(data)
        await self._flush_tls()

    async def _flush_tls(self) -> None:
        assert self.tls is not None
        out = self.tls.pending_out()
        if out:
            await self.loop.sock_sendall(self.sock, out)

    async def next_message(self) -> frontend.FrontendMessage:
        while not self._queue:
            self._queue.extend(self.parser.feed(await self._recv()))
        return self._queue.popleft()

    def unread(self) -> bytes:
        """The client's bytes read but not handled (a TLS session's still-encrypted ones included)."""
        if self.tls is not None:
            self._queue.extend(self.parser.feed(self._decrypted()))
        return b"".join(frontend.encode(m) for m in self._queue) + self.parser.pending()

    async def fatal(self, sqlstate: str, message: str) -> None:
        try:
            await asyncio.wait_for(self.send(backend.error_response(sqlstate, message, severity="FATAL")), 5)
        except (OSError, TimeoutError, ssl.SSLError, Disconnect):
            pass

    # ------------------------------------------------------------ negotiation

    async def _start_tls(self) -> None:
        ctx = self.server.ssl_context
        assert ctx is not None
        self.tls = Tls(ctx)
        while True:
            try:
                self.tls.obj.do_handshake()
                await self._flush_tls()
                return
            except ssl.SSLWantReadError:
                await self._flush_tls()
                data = await self.loop.sock_recv(self.sock, _READ)
                if not data:
                    raise Disconnect() from None
                self.tls.incoming.write(data)
            except ssl.SSLError as e:
                raise Disconnect() from e

    async def negotiate(self) -> frontend.StartupMessage | None:
        """Up to the startup packet; None after a CancelRequest (handled, nothing more to do)."""
        while True:
            msg = await self.next_message()
            if isinstance(msg, frontend.SSLRequest):
                if self.server.ssl_context is None or self.tls is not None:
                    await self.send(backend.SSL_NO)
                    continue
                if self._queue or self.parser.pending():
                    raise ProtocolViolation("unencrypted data after SSL request")
                await self.send(backend.SSL_YES)
                await self._start_tls()
            elif isinstance(msg, frontend.GSSENCRequest):
                await self.send(backend.SSL_NO)
            elif isinstance(msg, frontend.CancelRequest):
                await self.server.sessions.cancel(msg.pid, msg.key)
                return None
            elif isinstance(msg, frontend.StartupMessage):
                return msg

    # ------------------------------------------------------------ authentication

    async def authenticate(self, startup: frontend.StartupMessage) -> Login:
        p = startup.params
        raw_user = p.get("user", "")
        if not raw_user:
            raise DbError("28000", "no PostgreSQL user name specified in startup packet")
        user_name = raw_user[1:-1] if raw_user.startswith('"') else raw_user.upper()
        db_name = p.get("database") or raw_user
        container = self.cdb.find(db_name[1:-1] if db_name.startswith('"') else db_name)
        self.login_container = container
        missing = DbError("3D000", f'database "{db_name}" does not exist')
        if container is None:  # a PDB of a dropped tenant, archived: say so
            missing = tenant_gate.archived_refusal(self.cdb.cat, db_name) or missing
        where = container.name if container else ""
        self.server.logins.check(user_name, where, self.peer)
        user = self.cdb.cat.user(user_name, container.con_id if container else ROOT_ID)
        if container is None and user is None:
            # Not a common user, and no such container: nothing to authenticate against. Said as
            # it is, and no failed login (a local user who mistyped the PDB's name).
            raise missing
        # Authenticate first, as PostgreSQL does; a common user learns afterwards that the database is unknown.
        await self._check_password(user, user_name)
        self.server.logins.succeeded(user_name, where, self.peer)
        if container is None or container.pending_op == "DROP":
            raise missing
        assert user is not None
        if user.account_status != "OPEN":
            self._login_failed(user_name, "account locked")
            raise ora(28000)
        if container.con_id == SEED_ID:
            raise ora(65017, "connect to a PDB", sqlstate="42501")
        if not (user.name == "SYS" or self.cdb.cat.has_privilege(user, container.con_id, "CREATE SESSION")):
            self._login_failed(user_name, "no CREATE SESSION")
            raise ora(1045, name=user_name)
        refusal = tenant_gate.login_refusal(self.cdb.cat, container, user) or tenant_gate.relocation_refusal(
            container
        )
        if refusal is not None:
            raise refusal
        if not container.is_open:
            raise ora(1109, f"pluggable database {container.name} is {container.open_mode}")
        if container.restricted and not self.cdb.cat.has_privilege(
            user, container.con_id, "RESTRICTED SESSION"
        ):
            raise ora(1035, name=container.name)
        await self.server.sessions.admit(container, user)
        settings = {k: v.default for k, v in params.PARAMS.items()}
        settings["session_authorization"] = user.name
        settings["is_superuser"] = "on" if user.name == "SYS" else "off"
        given = [(k, v) for k, v in p.items() if k != "options"]
        for k, v in given + params.startup_options(p.get("options", "")):
            # Parameters DuckCDB does not keep are accepted and not applied (drivers send many).
            prm = params.lookup(k)
            if prm is not None and not prm.read_only:
                try:
                    settings[prm.name.lower()] = params.normalize(prm, v)
                except ValueError as e:
                    raise DbError("22023", str(e)) from e
        # Logged in: any message type, up to the configured maximum (the engine's parser takes over).
        self.parser.max_message = int(self.server.config.get("server", "max_message_bytes"))
        self.parser.accept = None
        named = db_name[1:-1] if db_name.startswith('"') else db_name
        return Login(user, container, settings, self.peer, self.tls, self.unread(), named)

    def _login_failed(self, user_name: str, reason: str) -> None:
        self.server.audit_login_failure(self.peer, self.login_container, user_name, reason)

    async def _check_password(self, user: User | None, user_name: str) -> None:
        method = self.server.config.get("auth", "method")
        fail = DbError("28P01", f'password authentication failed for user "{user_name}"')
        if method == "md5":
            salt = os.urandom(4)
            await self.send(backend.auth_md5(salt))
            msg = await self.next_message()
            if not isinstance(msg, frontend.AuthResponse):
                raise ProtocolViolation("expected password message")
            response = msg.data.rstrip(b"\0").decode(errors="replace")
            if user is None or not user.md5 or not auth.check_md5(user.md5, salt, response):
                self._login_failed(user_name, "bad password")
                raise fail
            return
        if method == "password":
            await self.send(backend.auth_cleartext())
            msg = await self.next_message()
            if not isinstance(msg, frontend.AuthResponse):
                raise ProtocolViolation("expected password message")
            pw = msg.data.rstrip(b"\0").decode(errors="replace")
            if user is None or not auth.check_password(user.scram, pw):
                self._login_failed(user_name, "bad password")
                raise fail
            return
        await self._scram(user, user_name, fail)

    async def _scram(self, user: User | None, user_name: str, fail: DbError) -> None:
        await self.send(backend.auth_sasl(["SCRAM-SHA-256"]))
        msg = await self.next_message()
        if not isinstance(msg, frontend.AuthResponse):
            raise ProtocolViolation("expected SASLInitialResponse")
        r = frontend._Reader(msg.data)
        mech = r.text()
        if mech != "SCRAM-SHA-256":
            raise DbError("28000", f"unsupported SASL mechanism {mech}")
        n = r.int32()
        client_first = r.take(n).decode(errors="replace") if n >= 0 else ""
        ex = auth.ScramExchange(user.scram if user else None)
        try:
            await self.send(backend.auth_sasl_continue(ex.first(client_first).encode()))
            msg = await self.next_message()
            if not isinstance(msg, frontend.AuthResponse):
                raise ProtocolViolation("expected SASLResponse")
            final = ex.final(msg.data.decode())
        except (auth.ScramError, ValueError, UnicodeDecodeError):
            self._login_failed(user_name, "bad password")
            raise fail from None
        await self.send(backend.auth_sasl_final(final.encode()))


def greeting(login: Login, pid: int, key: int) -> bytes:
    """The end of a login: AuthenticationOk, the reported parameters, BackendKeyData, ReadyForQuery."""
    out = [backend.auth_ok()]
    for prm in params.PARAMS.values():
        if prm.report:
            out.append(backend.parameter_status(prm.name, login.params[prm.name.lower()]))
    out.append(backend.backend_key_data(pid, key))
    out.append(backend.ready_for_query("I"))
    return b"".join(out)
