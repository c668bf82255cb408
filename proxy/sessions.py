"""The sessions of the container as the proxy knows them: which engine serves each one, its
cancel key, its user and container; the SESSIONS limit, cancel requests, ending sessions from
outside, and moving a session's socket from one engine to another (SET CONTAINER, OPEN FORCE).

The proxy keeps a descriptor of every plaintext session's socket it handed to an engine: if that
engine dies, the proxy can still tell the client why (57P01) before the connection closes.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.store import Container, User
from pgwire import backend, control
from pgwire.control import SessionState
from pgwire.errors import DbError
from pgwire.oracle import ora
from proxy.frontdoor import Disconnect, Login, greeting
from proxy.relay import Relay

if TYPE_CHECKING:
    from proxy.supervisor import Supervisor

log = logging.getLogger("duckcdb.sessions")


@dataclass(eq=False)
class SessionRecord:
    """One session: who, where, served by which engine (catalog.runtime.SessionHandle)."""

    pid: int
    key: int
    user: str
    user_con_id: int
    common: bool
    con_id: int
    container: str
    peer: str
    engine: int  # the con_id of the engine that serves it
    tls: bool = False
    fd: int | None = None  # the proxy's own descriptor of a plaintext session's socket
    relay: Relay | None = None  # a TLS session's relay
    bytes_sent: int = 0
    bytes_received: int = 0
    sessions: Sessions | None = field(default=None, repr=False)

    async def terminate(self, sqlstate: str, message: str) -> None:
        assert self.sessions is not None
        await self.sessions.terminate(self, sqlstate, message)

    async def reattach(self) -> None:
        """Nothing to do: OPEN FORCE moves the sessions (Supervisor.stop_engine / resume)."""


class Sessions:
    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor
        self.by_pid: dict[int, SessionRecord] = {}
        self.by_container: dict[int, set[SessionRecord]] = defaultdict(set)
        self.parked: dict[int, list[tuple[SessionState, int, bytes]]] = defaultdict(list)
        self._next_pid = 10_000

    # ------------------------------------------------------------ registry

    def _new_pid(self) -> int:
        while True:
            self._next_pid += 1
            if self._next_pid not in self.by_pid:
                return self._next_pid

    def _add(self, r: SessionRecord) -> None:
        r.sessions = self
        self.by_pid[r.pid] = r
        self.by_container[r.con_id].add(r)

    def _drop(self, r: SessionRecord) -> None:
        if self.by_pid.get(r.pid) is r:
            del self.by_pid[r.pid]
        self.by_container[r.con_id].discard(r)
        if r.fd is not None:
            os.close(r.fd)
            r.fd = None
        if r.relay is not None:
            r.relay.close()
            r.relay = None

    def enter(self, r: SessionRecord, con_id: int, name: str) -> None:
        """The session is in another container now (SET CONTAINER)."""
        self.by_container[r.con_id].discard(r)
        r.con_id, r.container = con_id, name
        self.by_container[con_id].add(r)

    def of_container(self, con_id: int) -> list[SessionRecord]:
        return sorted(self.by_container.get(con_id, ()), key=lambda r: r.pid)

    def served_by(self, engine: int) -> list[SessionRecord]:
        return [r for r in self.by_pid.values() if r.engine == engine]

    async def admit(self, container: Container, user: User) -> None:
        """The PDB's SESSIONS limit: one more session is refused with ORA-00018. SYS is never
        refused (as PostgreSQL reserves connections for superusers), so the DBA can always get in.
        At the limit, the engine is asked which sessions it still serves: one that has just ended
        may not have said so yet."""
        lim = self.supervisor.cdb.limits_of(container.con_id)
        if lim is None or (user.name == "SYS" and user.common):
            return
        if len(self.by_container.get(container.con_id, ())) < lim.sessions:
            return
        live = await self.supervisor.live_sessions(container.con_id)
        if live is not None:
            for r in self.served_by(container.con_id):
                if r.pid not in live and r.con_id == container.con_id:
                    self._drop(r)
        if len(self.by_container.get(container.con_id, ())) >= lim.sessions:
            raise ora(18, f"{container.name} allows {lim.sessions}")

    # ------------------------------------------------------------ login

    async def handoff(self, sock: socket.socket, login: Login) -> None:
        """Give a logged-in client's socket to its container's engine, which serves it from now on;
        a TLS session stays here, relayed to the engine over a socketpair."""
        c, u = login.container, login.user
        pid, key = self._new_pid(), secrets.randbits(31)
        state = SessionState(
            pid,
            key,
            u.name,
            u.con_id,
            u.common,
            c.con_id,
            c.name,
            login.params,
            login.peer,
            login.tls is not None,
            database=login.database,
        )
        r = SessionRecord(
            pid,
            key,
            u.name,
            u.con_id,
            u.common,
            c.con_id,
            c.name,
            login.peer,
            c.con_id,
            login.tls is not None,
        )
        hello = greeting(login, pid, key)
        if login.tls is None:
            if sock.family != socket.AF_UNIX:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            r.fd = os.dup(sock.fileno())
            engine_end = sock.detach()
        else:
            mine, theirs = socket.socketpair()
            r.relay = Relay(sock, login.tls, mine)
            engine_end = theirs.detach()
        self._add(r)
        try:
            await self.supervisor.hand_to(c.con_id, state, hello, login.pending, engine_end)
        except DbError as e:
            await self._fatal_fd(r, e.sqlstate, e.message)
            self._drop(r)
            raise Disconnect() from e
        except BaseException:
            self._drop(r)
            raise
        if r.relay is not None:
            r.relay.start(lambda: self._relay_ended(r))

    def _relay_ended(self, r: SessionRecord) -> None:
        if r.relay is not None:
            r.relay = None
        if self.by_pid.get(r.pid) is r:
            self._drop(r)

    # ------------------------------------------------------------ from the engines

    def ended(self, engine: int, pid: int) -> None:
        r = self.by_pid.get(pid)
        if r is not None and r.engine == engine:
            self._drop(r)

    def stats(self, engine: int, per_session: dict[str, list[int]]) -> None:
        for pid, (sent, received) in per_session.items():
            r = self.by_pid.get(int(pid))
            if r is not None and r.engine == engine:
                r.bytes_sent, r.bytes_received = sent, received

    async def moved_out(self, engine: int, msg: control.MoveOut) -> None:
        """A session left its engine: to the engine of its (new) container, or parked until its
        container's engine is back (OPEN FORCE)."""
        state = control.state_of(msg)
        r = self.by_pid.get(state.pid)
        fd = msg.fd
        if r is None or r.engine != engine:
            os.close(fd)
            return
        self.enter(r, state.con_id, state.container)
        pending = msg.pending.encode("latin-1")
        if self.supervisor.stopping_for_reopen(engine) and state.con_id == engine:
            r.engine = 0  # served by nobody until the container's next engine takes it
            self.parked[engine].append((state, fd, pending))
            return
        await self._deliver(r, state, fd, pending)

    async def _deliver(
        self, r: SessionRecord, state: SessionState, fd: int, pending: bytes, returning: bool = False
    ) -> None:
        # The record names its new engine before the handover: that engine may run the session's
        # next message (and ask the proxy for an admin command) before hand_to returns here.
        r.engine = state.con_id
        try:
            await self.supervisor.hand_to(state.con_id, state, b"", pending, fd, returning)
        except (TimeoutError, DbError, OSError) as e:
            message = e.message if isinstance(e, DbError) else "the container's engine is not available"
            await self._fatal_fd(r, "57P01", f"terminating connection: {message}")
            self._drop(r)

    async def resume(self, con_id: int, may_stay: Any) -> None:
        """The sessions parked while con_id reopened go to its new engine (may_stay(record) says
        whether each may: a RESTRICTED reopen keeps only users with RESTRICTED SESSION)."""
        for state, fd, pending in self.parked.pop(con_id, []):
            r = self.by_pid.get(state.pid)
            if r is None:
                os.close(fd)
                continue
            if not may_stay(r):
                os.close(fd)
                await self._fatal_fd(
                    r, "57P01", "terminating connection: the pluggable database was reopened RESTRICTED"
                )
                self._drop(r)
                continue
            await self._deliver(r, state, fd, pending, returning=True)

    # ------------------------------------------------------------ ending sessions

    async def terminate(self, r: SessionRecord, sqlstate: str, message: str) -> None:
        """End a session from outside: its engine says FATAL and closes it; without an engine to
        ask, the proxy does."""
        try:
            self.supervisor.link_of(r.engine).send(
                control.Terminate(pid=r.pid, sqlstate=sqlstate, message=message)
            )
        except Exception:  # noqa: BLE001 - no engine to ask: the proxy ends it itself
            await self._fatal_fd(r, sqlstate, message)
            self._drop(r)

    async def engine_gone(self, engine: int, name: str) -> None:
        """The engine of a container died: its sessions end with 57P01, said by the proxy."""
        for r in self.served_by(engine):
            await self._fatal_fd(r, "57P01", f"terminating connection because the engine of {name} stopped")
            self._drop(r)
        for _state, fd, _pending in self.parked.pop(engine, []):
            os.close(fd)

    async def _fatal_fd(self, r: SessionRecord, sqlstate: str, message: str) -> None:
        data = backend.error_response(sqlstate, message, severity="FATAL")
        if r.relay is not None:
            await r.relay.send_plain(data)
            r.relay.close()
            return
        if r.fd is None:
            return
        try:
            s = socket.socket(fileno=os.dup(r.fd))
            try:
                s.setblocking(False)
                s.send(data)
                s.shutdown(socket.SHUT_RDWR)
            finally:
                s.close()
        except OSError:
            pass

    async def cancel(self, pid: int, key: int) -> None:
        r = self.by_pid.get(pid)
        if r is None or not secrets.compare_digest(
            r.key.to_bytes(4, "big"), (key & 0x7FFFFFFF).to_bytes(4, "big")
        ):
            return  # PostgreSQL says nothing about a bad cancel key either
        try:
            self.supervisor.link_of(r.engine).send(control.Cancel(pid=pid))
        except Exception:  # noqa: BLE001 - an engine that is gone has nothing left to cancel
            pass

    def adopt(self, engine: int, sessions: list[dict[str, Any]]) -> None:
        """Sessions an engine kept serving while the proxy restarted: known again (without a
        descriptor of their sockets: if that engine dies now, they just close)."""
        for s in sessions:
            r = SessionRecord(
                int(s["pid"]), int(s["key"]), s["user"], int(s["user_con_id"]), bool(s["common"]),
                int(s["con_id"]), s["container"], s.get("peer", ""), engine, bool(s.get("tls")),
            )  # fmt: skip
            self._next_pid = max(self._next_pid, r.pid)
            self._add(r)

    async def close_all(self, message: str) -> None:
        for r in list(self.by_pid.values()):
            await self._fatal_fd(r, "57P01", message)
            self._drop(r)
