"""The engine process of one container: its database, the client sessions it serves (one thread
each), its budgets, and the control channel's handlers.

Started by the proxy's supervisor as `python -m worker --container NAME` (the spec, token
included, on standard input). It survives a restart of the proxy: the sessions go on, and the new
proxy adopts the engine by opening a new link with the same token.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from typing import Any

from engine.database import Database
from governance.governor import PdbGovernor
from governance.meter import StatementMeter
from governance.resources import Limits
from governance.sampler import sample
from governance.usage import INTERVAL_S
from pgcompat import statements
from pgwire import control
from pgwire.control import EngineSpec
from pgwire.errors import DbError
from session.client import Client
from session.core import Served, Session
from session.timers import Timers
from worker.host import RemoteHost
from worker.link import Link, LinkDown

log = logging.getLogger("duckcdb.worker")

STATS_EVERY_S = 1.0


class Worker:
    def __init__(self, spec: EngineSpec) -> None:
        self.spec = spec
        self.database = Database(spec)
        self.pid = os.getpid()
        self._link: Link | None = None
        self._link_lock = threading.Lock()
        self.orphan_since: float | None = time.monotonic()  # no proxy yet
        self.host = RemoteHost(self.link)
        self.sessions: dict[int, Session] = {}
        self._sessions_lock = threading.Lock()
        self.gov: PdbGovernor | None = None
        self.served = Served(spec.con_id, spec.name, self.database, None, Timers(), self.pid)
        self.stopping = False
        self.slots: int | None = None  # the PDB's share of statement slots, as the proxy last said
        self.handlers: dict[type[control.Message], Any] = {
            control.Handoff: self._handoff,
            control.Stamp: self._stamp,
            control.Slots: self._slots,
            control.Cancel: self._cancel,
            control.Terminate: self._terminate,
            control.SetLimits: lambda link, m: self.database.set_limits(m.limits),
            control.Memory: lambda link, m: self.database.memory_by_kind(),
            control.GetStats: lambda link, m: self.snapshot(),
            control.ListSessions: lambda link, m: sorted(self.sessions),
            control.CloneTo: lambda link, m: self.database.clone_to(m.path, m.schema_only),
            control.Evacuate: self._evacuate,
            control.Stop: self._stop,
        }
        self.slow = frozenset(
            {control.CloneTo, control.Evacuate, control.Stop, control.Memory, control.SetLimits}
        )

    # ------------------------------------------------------------ the link

    def link(self) -> Link:
        link = self._link
        if link is None or not link.up:
            raise LinkDown()
        return link

    def accept(self, sock: socket.socket) -> None:
        """A connection on the engine's socket: a proxy with the token becomes the link."""
        sock.settimeout(30)
        parser = control.Parser()
        msgs: list[control.Message] = []
        try:
            while not msgs:
                data = sock.recv(1 << 16)
                if not data:
                    sock.close()
                    return
                msgs = parser.feed(data)
        except (OSError, control.ControlError):
            sock.close()
            return
        hello = msgs[0]
        if not isinstance(hello, control.Hello) or not secrets.compare_digest(hello.token, self.spec.token):
            sock.close()
            return
        sock.settimeout(None)
        self._govern(hello)
        link = Link(sock, self.handlers, self.slow, self._link_down)
        with self._link_lock:
            old, self._link = self._link, link
            self.orphan_since = None
        if old is not None:
            try:
                old.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        link.send(control.Reply(to=hello.id, value=self.welcome()))
        threading.Thread(target=link.serve, name="link", daemon=True).start()

    def _govern(self, hello: control.Hello) -> None:
        """The PDB's budgets from what the proxy says at the start of a link."""
        if hello.stamp:
            self.host.policy.set_stamp(tuple(hello.stamp))  # type: ignore[arg-type]
        if hello.slots:
            self.slots = hello.slots
        if hello.limits is None:
            return
        lim = Limits(**hello.limits)
        if self.gov is None:
            gov = PdbGovernor(lim, self.slots)
            gov.on_active = self._activity
            sample(gov, self.pid)  # the baseline later I/O is charged against
            self.gov = self.served.gov = gov
            if os.environ.get("DUCKCDB_STATEMENT_METER", "on") != "off":  # off: only for bench/metering.py
                self.served.meter = StatementMeter()
        else:
            self.gov.update(lim)
            if self.slots:
                self.gov.set_cap(self.slots)

    def welcome(self) -> dict[str, Any]:
        with self._sessions_lock:
            sessions = [
                {k: v for k, v in control.state_dict(s.state).items() if k not in ("params", "statements")}
                for s in self.sessions.values()
            ]
        return {
            "con_id": self.spec.con_id,
            "name": self.spec.name,
            "pid": self.pid,
            "read_only": self.spec.read_only,
            "sessions": sessions,
        }

    def _link_down(self, link: Link) -> None:
        with self._link_lock:
            if self._link is link:
                self._link = None
                self.orphan_since = time.monotonic()
        if not self.stopping:
            log.warning(
                "engine of %s: the proxy is gone; serving %d session(s) on",
                self.spec.name,
                len(self.sessions),
            )

    # ------------------------------------------------------------ sessions

    def _handoff(self, link: Link, msg: control.Handoff) -> None:
        """A session to serve: known at once (the reply says it is here), served by a thread."""
        state = control.state_of(msg)
        sock = socket.socket(fileno=msg.fd)
        sock.setblocking(True)
        client = Client(sock, msg.pending.encode("latin-1"), self.spec.max_message_bytes)
        session = Session(client, state, self.host, self.served)
        with self._sessions_lock:
            self.sessions[state.pid] = session
        threading.Thread(
            target=self._serve,
            args=(session, msg.data, msg.returning),
            name=f"session-{state.pid}",
            daemon=True,
        ).start()

    def _serve(self, session: Session, greeting: bytes, returning: bool = False) -> None:
        state, client = session.state, session.client
        meter = self.served.meter
        if meter is not None:
            meter.session_started(state.pid, opened=not returning)
        try:
            if greeting:
                client.send(greeting)
            session.run()
        finally:
            if meter is not None:
                meter.session_ended(state.pid)
            with self._sessions_lock:
                if self.sessions.get(state.pid) is session:
                    del self.sessions[state.pid]

    def _session(self, pid: int) -> Session | None:
        with self._sessions_lock:
            return self.sessions.get(pid)

    def _cancel(self, link: Link, msg: control.Cancel) -> None:
        s = self._session(msg.pid)
        if s is not None:
            s.cancel(msg.reason)

    def _terminate(self, link: Link, msg: control.Terminate) -> None:
        with self._sessions_lock:
            targets = list(self.sessions.values()) if not msg.pid else [self.sessions.get(msg.pid)]
        for s in targets:
            if s is not None:
                s.terminate(msg.sqlstate, msg.message)

    def _evacuate(self, link: Link, msg: control.Evacuate) -> int:
        """Every session moves out (OPEN FORCE): the idle ones at once, busy ones after their
        statement (interrupted). Returns how many were moved."""
        with self._sessions_lock:
            targets = list(self.sessions.values())
        for s in targets:
            s.evacuate()
        deadline = time.monotonic() + 30
        while self.sessions and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(targets)

    def _stop(self, link: Link, msg: control.Stop) -> None:
        self.shutdown("terminating connection due to administrator command")

    def shutdown(self, message: str) -> None:
        """End every session, checkpoint, exit (SIGTERM, Stop)."""
        self.stopping = True
        with self._sessions_lock:
            targets = list(self.sessions.values())
        for s in targets:
            s.terminate("57P01", message)
        try:
            self.database.checkpoint()
        except Exception:  # noqa: BLE001 - leaving anyway; the WAL replays at the next open
            pass
        os._exit(0)

    # ------------------------------------------------------------ budgets

    def _stamp(self, link: Link, msg: control.Stamp) -> None:
        self.host.policy.set_stamp(tuple(msg.stamp))  # type: ignore[arg-type]

    def _slots(self, link: Link, msg: control.Slots) -> None:
        self.slots = msg.count
        if self.gov is not None:
            self.gov.set_cap(msg.count)

    def _activity(self, active: bool) -> None:
        try:
            self.link().send(control.Activity(active=active))
        except LinkDown:
            pass

    def snapshot(self) -> dict[str, Any] | None:
        """The PDB's counters for the proxy, brought up to date (None for the root)."""
        gov = self.gov
        if gov is None:
            return None
        sample(gov, self.pid)
        snap = gov.snapshot()
        snap["statement_cache"] = statements.cache_bytes()
        snap["write_gate_waits"] = self.database.gate.waits
        snap["pid"] = self.pid
        if self.served.meter is not None:
            snap["meter"] = self.served.meter.snapshot()
        with self._sessions_lock:
            snap["sessions"] = {
                str(pid): [s.client.bytes_sent, s.client.bytes_received] for pid, s in self.sessions.items()
            }
        return snap

    def stats_loop(self) -> None:
        """Every second: the PDB's CPU, memory and I/O sampled into its budgets, its limits
        refreshed, its counters sent to the proxy; every INTERVAL_S a metrics interval closed.
        An engine without a proxy for orphan_grace_s and without sessions stops."""
        last_close = time.monotonic()
        while True:
            time.sleep(STATS_EVERY_S)
            gov = self.gov
            if gov is not None:
                try:
                    lim = self.host.limits(self.spec.con_id)
                    if lim is not None and lim is not gov.limits:
                        gov.update(lim)
                except DbError:
                    pass
                gov.idle_check()
                if time.monotonic() - last_close >= INTERVAL_S:
                    last_close = time.monotonic()
                    gov.close_interval()
                snap = self.snapshot()
                try:
                    self.link().send(control.Stats(stats=snap or {}))
                except LinkDown:
                    pass
            since = self.orphan_since
            if (
                since is not None
                and not self.sessions
                and time.monotonic() - since > self.spec.orphan_grace_s
            ):
                log.warning("engine of %s: no proxy for %.0f s and no session left; stopping", self.spec.name,
                            time.monotonic() - since)  # fmt: skip
                self.shutdown("terminating connection: the engine stops")
