"""One client session after login: the query loop, in the engine process of its PDB.

The session owns the protocol state (extended-protocol statements and portals, skip-until-Sync,
COPY, the transaction status), judges each statement (sandbox, whitelist, privileges, lockdown:
policies), runs it in its own DuckDB connection (engine.session.EngineSession) within the PDB's
budgets (governance), and sends the client wire-ready bytes. What needs the whole container
(container commands, dictionary views, the audit trail, moving to another container) is asked of
its Host. One thread serves one session.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.copy import CopyIn, copy_out
from engine.database import Database
from engine.governed import refuse_governed
from engine.session import DESCRIBE_FIRST, DESCRIBE_WITH_ROWS, EngineSession, copy_key
from governance.governor import PdbGovernor
from governance.meter import StatementMeter
from governance.resources import PARAMETERS, Limits, tightest
from governance.sampler import sample_soon
from pgcompat import analysis, container_commands, json_params, params
from pgcompat import session_tables as pg_session_tables
from pgcompat import statements as stmts
from pgcompat.copy import parse_copy
from pgwire import backend, faults, frontend
from pgwire import types as pgtypes
from pgwire.control import SessionState
from pgwire.errors import DbError, ProtocolViolation
from pgwire.oracle import ora
from policies import allowed_functions, dictionary_views, lockdown, privileges, sandbox, whitelist
from session import notify_sql, session_tables, setshow, shape_params
from session.client import Client, Disconnect, IdleTimeout, Woken
from session.host import Host
from session.notify import Listener, NotifyHub, TransactionNotes, check_payload
from session.timers import Timers

log = logging.getLogger("duckcdb.session")

# Kinds the session answers itself (session parameters), besides the container commands.
SESSION_KINDS = frozenset({"set", "reset", "show", "discard"})
# Statement kinds that wait for the client while they run: not under the statement timeout alone.
_TXN_IDLE = "25P03"
# Macros calling macros are judged by their bodies this deep; deeper calls are refused.
_MACRO_DEPTH = 4


@dataclass(frozen=True)
class SessionUser:
    """The principal a session's statements run as (policies.source.Principal)."""

    name: str
    con_id: int
    common: bool


@dataclass
class Local:
    """A statement the session (or its host) answers itself, kept for the extended protocol."""

    stmt: stmts.Statement | None  # None: empty query
    values: list[str | None] = field(default_factory=list)  # a portal's parameters, as text


@dataclass
class Served:
    """The container this engine process serves: its database, budgets and timers."""

    con_id: int
    name: str
    database: Database
    gov: PdbGovernor | None
    timers: Timers
    pid: int  # the engine process: its /proc counters are the PDB's
    notify: NotifyHub = field(default_factory=NotifyHub)  # LISTEN/NOTIFY among its sessions
    sessions: dict[int, Session] = field(default_factory=dict)  # by pid: pg_stat_activity's rows
    meter: StatementMeter | None = None  # metering and SLA counters of the PDB (governance.meter)


class Moved(Exception):
    """The session left this process (its socket went with it)."""


class Session:
    def __init__(self, client: Client, state: SessionState, host: Host, served: Served) -> None:
        self.client = client
        self.state = state
        self.host = host
        self.served = served
        self.user = SessionUser(state.user, state.user_con_id, state.common)
        self.params = state.params
        self.ex: EngineSession | None = None
        self.status = "I"
        self.skipping = False
        self.local_statements: dict[str, Local] = {}
        self.local_portals: dict[str, Local] = {}
        self.statement_views: dict[str, list[str]] = {}  # prepared statement -> dictionary views it reads
        self.parsed_statements: dict[str, stmts.Statement] = {}  # engine-bound Parses, re-checked at Bind
        self.prepared: dict[str, tuple[str, list[int]]] = {}  # named Parses (text, types): kept on a move
        self.move_to: dict[str, Any] | None = None  # a container to move to at the next safe point
        self.evacuating = False
        self.closed = False
        self.moved = False
        self._allowed: tuple[Any, list[str] | None] | None = None  # (stamp, ALLOWED SCHEMAS)
        self._macros_judged = False  # the last verdict read macro bodies: not cached
        self._user_limits: tuple[Any, dict[str, str]] | None = None
        self._limits_memo: tuple[Any, tuple[int, int]] | None = None
        self._idle_memo: tuple[Any, tuple[int, str, str] | None] | None = None
        self._lock_timeout_memo: tuple[str, int] | None = None
        self.listener = Listener(client.wake)  # LISTEN/NOTIFY (session.notify)
        self.tx_notes = TransactionNotes()
        self._errors: list[tuple[str, str]] = []  # errors sent in the current statement cycle
        self._ran = False  # the current cycle ran statements in the engine
        # What pg_stat_activity shows of this session (session.session_tables).
        self.backend_start = session_tables.now()
        self.activity_query = ""
        self.active = False
        self.query_start: float | None = None
        self.state_change: float | None = self.backend_start
        self.xact_start: float | None = None
        self.prepared_at: dict[str, float] = {}  # named statement -> when it was prepared
        if served.gov is not None:
            gov = served.gov
            client.pace = self._pace
            client.on_received = lambda n: _add(gov.usage, "bytes_received", n)

    @property
    def con_id(self) -> int:
        return self.state.con_id

    @property
    def gov(self) -> PdbGovernor | None:
        return self.served.gov if self.con_id == self.served.con_id else None

    # ------------------------------------------------------------ life

    def open(self) -> None:
        """The session's DuckDB connection, when it is in the container this process serves."""
        if self.con_id != self.served.con_id:
            return
        db = self.served.database
        ex = EngineSession(
            db.cursor(), self.state.pid, False, db.storage_full, gate=db.gate, ddl=db.ddl, workers=db.workers
        )
        ex.fk_registry = db.fk_registry
        ex.set_timezone(self.params.get("timezone", "UTC"))
        ex.set_userenv(self._userenv())
        ex.set_settings(setshow.changed_settings(self.params))
        ex.default_read_only = self.params.get("default_transaction_read_only") == "on"
        ex.default_isolation = self.params.get("default_transaction_isolation", "read committed")
        ex.on_transaction_end = self._transaction_ended
        self.ex = ex
        for name, sql, oids in self.state.statements:
            # Named statements of a session that moved here (OPEN ... FORCE): prepared again,
            # quietly, so that drivers can go on using them.
            try:
                self._parse(frontend.Parse(name, sql, oids), quiet=True)
            except Exception:  # noqa: BLE001 - a statement that no longer prepares fails when used
                log.info("session %s: %r could not be prepared again", self.state.pid, name)
        self.state.statements = []

    def run(self) -> None:
        """Serve the session until the client leaves, it is ended, or it moves away."""
        try:
            self.open()
            self.served.sessions[self.state.pid] = self
            self._loop()
        except Moved:
            return
        except Disconnect:
            pass
        except ProtocolViolation as e:
            self._fatal(e.sqlstate, str(e))
        except DbError as e:
            self._fatal(e.sqlstate, e.message)
        except Exception:  # a bug must end only this connection, and say so
            log.exception("session %s failed", self.state.pid)
            self._fatal("XX000", "internal error in DuckCDB; the connection is closed (see the server log)")
        finally:
            self.closed = True
            if self.served.sessions.get(self.state.pid) is self:
                del self.served.sessions[self.state.pid]
            self.served.notify.unlisten(self.listener, None)
            if self.ex is not None:
                self.ex.close()
            if not self.moved:
                self.client.shutdown()
            self.client.close()
            self.host.ended(self.state.pid, self.moved)

    def _fatal(self, sqlstate: str, message: str) -> None:
        self.client.discard_output()
        self.client.fatal(sqlstate, message)

    def terminate(self, sqlstate: str, message: str) -> None:
        """End this session from outside (CLOSE IMMEDIATE, engine stop): FATAL to the client, and
        its running statement interrupted."""
        self.client.fatal(sqlstate, message)
        self.cancel("the session was terminated")

    def cancel(self, reason: str = "user request") -> None:
        """Interrupt the statement this session runs (CancelRequest, statement timeout)."""
        ex = self.ex
        if ex is not None:
            ex.interrupt(reason)

    def evacuate(self) -> None:
        """Leave this engine at the next safe point (its PDB reopens in another process)."""
        self.evacuating = True
        self.cancel("the pluggable database is being reopened")
        self.client.wake()

    def _move(self, target: dict[str, Any] | None) -> None:
        """Hand the socket and the session's state to the proxy, for the engine of target (None:
        the container the session is in, reopened elsewhere)."""
        self.served.notify.unlisten(self.listener, None)  # LISTEN is per database, here per PDB
        if target is not None:
            self.state.con_id, self.state.container = int(target["con_id"]), str(target["name"])
            self.prepared.clear()  # prepared statements belong to the container they were made in
        self.state.statements = [(n, sql, oids) for n, (sql, oids) in self.prepared.items()]
        self.state.params = self.params
        pending = self.client.unread()
        fd = self.client.detach()
        self.moved = True
        self.host.move_out(self.state, fd, pending)
        raise Moved()

    # ------------------------------------------------------------ limits

    def _limits(self) -> Limits | None:
        return self.host.limits(self.con_id)

    def _user_session_limits(self) -> dict[str, str]:
        stamp = self.host.policy.change_stamp()
        if self._user_limits is None or self._user_limits[0] != stamp:
            self._user_limits = (stamp, self.host.user_session_limits(self.user.name, self.user.con_id))
        return self._user_limits[1]

    def _statement_limits(self, lim: Limits | None) -> tuple[int, int]:
        """(statement timeout ms, max result bytes) of this session now, kept until the catalog
        or the session's parameters change."""
        key = (self.host.policy.change_stamp(), self.params.get("statement_timeout"), id(lim))
        hit = self._limits_memo
        if hit is not None and hit[0] == key:
            return hit[1]
        value = (
            self._session_limit("STATEMENT_TIMEOUT", "statement_timeout", lim),
            self._session_limit("MAX_RESULT_SIZE", None, lim),
        )
        self._limits_memo = (key, value)
        return value

    def _session_limit(self, param: str, client_param: str | None, lim: Limits | None) -> int:
        """The tightest of a session limit's settings: the PDB's (its tier's or its own), the
        user's (ALTER USER u SET ...) and the client's own SET; 0 = unlimited."""
        pdb = int(lim.value(PARAMETERS[param])) if lim else 0
        user = int(self._user_session_limits().get(param, 0))
        client = params.duration_ms(self.params.get(client_param, "0")) if client_param else 0
        return tightest(pdb, user, client)

    def _lock_timeout_ms(self) -> int:
        """lock_timeout in ms, parsed again only when the setting's text changes."""
        text = self.params.get("lock_timeout", "0")
        memo = self._lock_timeout_memo
        if memo is None or memo[0] != text:
            memo = self._lock_timeout_memo = (text, params.duration_ms(text))
        return memo[1]

    def _idle_limit(self) -> tuple[int, str, str] | None:
        """(ms, SQLSTATE, message) of the idle timeout that applies now; None without one (kept
        until the catalog, the transaction status or the session's parameters change)."""
        key = (
            self.host.policy.change_stamp(),
            self.status,
            self.params.get("idle_session_timeout"),
            self.params.get("idle_in_transaction_session_timeout"),
        )
        if self._idle_memo is not None and self._idle_memo[0] == key:
            return self._idle_memo[1]
        value = self._idle_limit_now()
        self._idle_memo = (key, value)
        return value

    def _idle_limit_now(self) -> tuple[int, str, str] | None:
        lim = self._limits()
        if self.status == "I":
            ms = self._session_limit("IDLE_SESSION_TIMEOUT", "idle_session_timeout", lim)
            return (ms, "57P05", "terminating connection due to idle-session timeout") if ms else None
        ms = self._session_limit(
            "IDLE_IN_TRANSACTION_SESSION_TIMEOUT", "idle_in_transaction_session_timeout", lim
        )
        return (ms, _TXN_IDLE, "terminating connection due to idle-in-transaction timeout") if ms else None

    def _pace(self, n: int) -> None:
        """NETWORK_MBPS: the PDB's clients get its bytes no faster than its rate."""
        gov = self.served.gov
        if gov is not None:
            gov.usage.bytes_sent += n
            gov.network.charge(n)
            gov.network.wait()

    # ------------------------------------------------------------ main loop

    def _next(self) -> frontend.FrontendMessage:
        """The next message, waiting for it under the idle timeouts; moves away first when asked."""
        while True:
            if self.move_to is not None and not self.client.has_pending():
                self._move(self.move_to)
            if self.evacuating and self.status == "I" and not self.client.has_pending():
                self._move(None)
            limit = self._idle_limit() if not self.client.has_pending() else None
            try:
                return self.client.next(limit[0] / 1000 if limit else None)
            except IdleTimeout:
                assert limit is not None
                raise DbError(limit[1], limit[2]) from None
            except Woken:
                if self.status == "I" and not self.client.has_pending():
                    self.client.send(self.listener.take())  # notifications, while idle
                continue

    def _loop(self) -> None:
        started: float | None = None  # when the current statement cycle's first message came
        txn: tuple[str, int, int] = ("I", 0, 0)
        while True:
            msg = self._next()
            if isinstance(msg, frontend.Terminate):
                raise Disconnect()
            if started is None and self.served.meter is not None:
                started = time.perf_counter()
                txn = self._txn_mark()
            self._activity_begin(msg)
            try:
                fast = self._repeated_cycle(msg) if type(msg) is frontend.Bind else None
                if fast is not None:
                    msg = _TAKEN_SYNC  # (taken with the Bind: an error ends the cycle as at a Sync)
                    fast()
                else:
                    self._handle(msg)
            except (Disconnect, Moved, ProtocolViolation):
                raise
            except DbError as e:
                if e.severity == "FATAL":
                    raise
                self._failed(msg, e)
            except Exception as e:  # a bug fails the statement, not the connection
                log.exception("session %s: %s failed", self.state.pid, type(msg).__name__)
                self._failed(msg, DbError("XX000", f"internal error: {type(e).__name__}: {e}"))
            if isinstance(msg, (frontend.Query, frontend.Sync)):
                self._activity_end()
            if started is not None and isinstance(msg, (frontend.Query, frontend.Sync)):
                self._cycle_done(time.perf_counter() - started, txn)
                started = None

    # ------------------------------------------------------------ pg_stat_activity

    def _activity_begin(self, msg: frontend.FrontendMessage) -> None:
        """A message starts (or goes on with) a statement: its text and start, as PostgreSQL shows them."""
        if isinstance(msg, (frontend.Query, frontend.Parse)):
            self.activity_query = msg.sql
        if isinstance(msg, (frontend.Query, frontend.Execute)) and not self.active:
            self.active = True
            self.query_start = self.state_change = session_tables.now()
            if self.status == "I":
                self.xact_start = self.query_start

    def _activity_end(self) -> None:
        """ReadyForQuery: the session is idle (in a transaction block or not)."""
        if self.active:
            self.active = False
            self.state_change = session_tables.now()
        if self.status == "I":
            self.xact_start = None

    # ------------------------------------------------------------ metering (governance.meter)

    def _txn_mark(self) -> tuple[str, int, int, int]:
        ex = self.ex
        if ex is None:
            return (self.status, 0, 0, 0)
        return (self.status, ex.txn_begins, ex.txn_commits, ex.txn_rollbacks)

    def _note_error(self, sqlstate: str, message: str = "") -> None:
        """An ErrorResponse went to the client in this cycle."""
        self._errors.append((sqlstate, message))

    def _cycle_done(self, seconds: float, before: tuple[str, int, int, int]) -> None:
        """A statement cycle ended (ReadyForQuery): its response time, errors and the
        transactions it ended, to the PDB's meter. A cycle that ran statements outside a
        transaction block is one implicit transaction (PostgreSQL counts it so)."""
        meter = self.served.meter
        errors, self._errors = self._errors, []
        ran, self._ran = self._ran, False
        if meter is None or self.con_id != self.served.con_id:
            return
        commits = rollbacks = 0
        ex = self.ex
        if ex is not None:
            status0, begins0, commits0, rollbacks0 = before
            commits, rollbacks = ex.txn_commits - commits0, ex.txn_rollbacks - rollbacks0
            if commits or rollbacks:
                pass  # COMMIT / ROLLBACK of transaction blocks
            elif status0 == "I" and ex.status == "I" and ex.txn_begins == begins0 and ran:
                commits, rollbacks = (0, 1) if errors else (1, 0)
            elif status0 in ("T", "E") and ex.status == "I":
                rollbacks = 1  # a COMMIT that failed
        meter.cycle(seconds, errors, commits, rollbacks)

    def _handle(self, msg: frontend.FrontendMessage) -> None:
        if isinstance(msg, frontend.Query):
            self._simple_query(msg.sql)
        elif isinstance(msg, frontend.Sync):
            self._sync()
        elif isinstance(msg, frontend.Flush):
            self.client.flush()
        elif isinstance(msg, (frontend.CopyData, frontend.CopyDone, frontend.CopyFail)):
            return  # outside COPY these are ignored, as PostgreSQL does
        elif isinstance(msg, frontend.FunctionCall):
            self.client.send(backend.error_response("0A000", "the function call protocol is not supported"))
            self._note_error("0A000")
        elif isinstance(msg, frontend.Undecodable):
            if msg.kind == "Q" or not self.skipping:
                raise DbError("22021", msg.message)
        elif not self.skipping:
            self._extended(msg)

    def _failed(self, msg: frontend.FrontendMessage, err: DbError) -> None:
        """A message failed: its ErrorResponse; a transaction block is aborted (25P02 until it
        ends), an extended-protocol batch skips to its Sync, a simple query still ends with
        ReadyForQuery. The session goes on."""
        self.client.send(err.to_wire())
        self._note_error(err.sqlstate, err.message)
        if self.status == "T":
            self.status = "E"
            if self.ex is not None:
                self.ex.status = "E"
        if isinstance(msg, frontend.Query) or (isinstance(msg, frontend.Undecodable) and msg.kind == "Q"):
            self.client.send(self._ready())
        elif isinstance(msg, frontend.Sync):
            self.skipping = False
            self.client.send(self._ready())
        else:
            self.skipping = True

    def _error_in_extended(self) -> None:
        self.skipping = True
        if self.status == "T":
            self.status = "E"

    # ------------------------------------------------------------ running statements

    def _executor(self) -> EngineSession:
        """The session's DuckDB connection; ORA-01219 in a container that is not open here."""
        if self.ex is None:
            raise ora(1219)
        return self.ex

    def _no_executor(self) -> bool:
        """In a container not open here: ORA-01219 to the client (True), as a failed statement."""
        if self.ex is not None:
            return False
        self.client.send(ora(1219).to_wire())
        self._note_error("57P03")
        if self.status == "T":
            self.status = "E"
        return True

    def _call(self, fn: Callable[[EngineSession], Any]) -> tuple[bool, Any]:
        """Run fn on the executor; an error becomes the client's ErrorResponse. (ok, result)."""
        if self._no_executor():
            return False, None
        ex = self._executor()
        try:
            return True, fn(ex)
        except Exception as e:  # every engine error becomes an ErrorResponse
            self.client.send(ex.fail(e))
            self._note_error(ex.last_error, ex.last_error_message)
            return False, None
        finally:
            self.status = ex.status

    def _governed(self, fn: Callable[[EngineSession], Any]) -> bool:
        """Run statements: under the statement timeout, after the PDB's I/O buckets allow it and
        it has a CPU slot. Returns whether they succeeded."""
        if self._no_executor():
            return False
        ex = self._executor()
        gov = self.gov
        lim = self._limits()
        if gov is not None and lim is not None and lim is not gov.limits:
            gov.update(lim)  # the catalog changed the PDB's budgets
        timeout, max_result = self._statement_limits(lim)
        deadline = time.monotonic() + timeout / 1000 if timeout else None
        if gov is not None:
            delay = gov.io_delay()
            if delay > 0:
                gov.io_bytes.throttled += 1
                gov.io_bytes.throttle_time += delay
                time.sleep(delay if deadline is None else max(0.0, min(delay, deadline - time.monotonic())))
            if (deadline is not None and time.monotonic() >= deadline) or not gov.admit(deadline):
                # Timed out waiting: nothing ran.
                self.client.send(DbError("57014", "canceling statement due to statement timeout").to_wire())
                self._note_error("57014")
                if self.status == "T":
                    self.status = ex.status = "E"
                return False
        ex.max_result_bytes = max_result
        ex.lock_timeout_ms = self._lock_timeout_ms()
        slot = [gov is not None]
        ex.on_wait = self._slot_while_waiting(gov, deadline, slot)
        timer = (
            self.served.timers.at(deadline, lambda: self.cancel("statement timeout")) if deadline else None
        )
        ex.last_error = ""
        self._ran = True
        noted = len(self._errors)
        try:
            ok, _ = self._call(fn)
            if ex.last_error and len(self._errors) == noted:
                self._note_error(ex.last_error, ex.last_error_message)  # sent by the engine session itself
            return ok
        finally:
            if timer is not None:
                self.served.timers.cancel(timer)
            if gov is not None:
                if slot[0]:
                    gov.release()
                sample_soon(gov, self.served.pid)
                if ex.last_error == "53200":
                    gov.usage.oom_count += 1

    @staticmethod
    def _slot_while_waiting(
        gov: PdbGovernor | None, deadline: float | None, held: list[bool]
    ) -> Callable[[bool], None] | None:
        """A statement waiting for the write gate gives its CPU slot back (the writer it waits
        for may need one to finish) and takes one again before it runs; held[0]: whether it
        holds one now."""
        if gov is None:
            return None

        def on_wait(waiting: bool) -> None:
            if waiting:
                gov.release(finished=False)
                held[0] = False
            elif gov.admit(deadline):
                held[0] = True
            else:
                raise DbError("57014", "canceling statement due to statement timeout")

        return on_wait

    def _register_views(self, views: list[str]) -> None:
        """The dictionary views a statement reads, computed for this container by the host, and
        the relations the session computes itself (pgcompat.session_tables)."""
        if views:
            mine = sorted({v for v in views if v in pg_session_tables.COLUMNS})
            theirs = sorted(set(views) - set(mine))
            tables = self.host.dictionary(self.con_id, theirs) if theirs else {}
            if mine:
                tables |= session_tables.tables(self, mine)
            self._executor().register_dictionary(tables)

    # ------------------------------------------------------------ simple protocol

    def _simple_query(self, sql: str) -> None:
        try:
            parsed = stmts.split(sql)
        except stmts.SqlSyntaxError as e:
            self.client.send(backend.error_response("42601", str(e)) + self._ready())
            self._note_error("42601")
            return
        if not parsed:
            self.client.send(backend.empty_query_response() + self._ready())
            return
        if len(parsed) == 1 and self._repeated_query(parsed[0]):
            return
        group: list[dict[str, Any]] = []
        views: list[str] = []
        ok = True
        for st in parsed:
            local = self._is_local(st)
            refusal = None if local else self._refusal(st.judged, st.text)
            if local or refusal is not None:
                # Statements before this one run first: a message stops at its first error.
                if group:
                    ok = self._run_group(group, views)
                    group, views = [], []
                    if not ok:
                        break
                try:
                    if refusal is not None:
                        raise refusal
                    self._run_local(st, describe=True)
                except DbError as e:
                    self.client.send(e.to_wire())
                    self._note_error(e.sqlstate, e.message)
                    if self.status == "T":
                        self.status = "E"
                        if self.ex is not None:
                            self.ex.status = "E"
                    ok = False
                    break
            else:
                op = st.engine_op(analysis.result_names(st.judged))
                if len(parsed) == 1:
                    self._numbered(st, op)
                group.append(op)
                if self.ex is not None:  # the verdict goes with the text (EngineSession.passed)
                    self.ex.passed(*_texts(op))
                views += dictionary_views.referenced_views(st.judged)
                views += pg_session_tables.read_by(str(op["sql"]))
        if ok and group:
            self._run_group(group, views)
        self.client.send(self._ready())

    @staticmethod
    def _reading(st: stmts.Statement) -> shape_params.Numbered | None:
        """session.shape_params's reading of a statement's shape, once per shape."""
        memo = st.judged.memo
        if "numbered" not in memo:
            memo["numbered"] = shape_params.numbered(st.text) if st.kind == "select" else None
        return memo["numbered"]

    def _numbered(self, st: stmts.Statement, op: dict[str, Any]) -> None:
        """A small SELECT's op carries its shape's reading and this text's values, from which the
        engine learns the repeat path (EngineSession._learn_simple)."""
        hint = op.get("hint")
        if hint is None or "small" not in hint or "simple" in hint or op["sql"] != st.text:
            return
        reading = self._reading(st)
        values = reading.values(st.text) if reading is not None else None
        if reading is not None and values is not None:
            op["numbered"] = (reading.text, values)

    def _repeated_query(self, st: stmts.Statement) -> bool:
        """A Query of one SELECT whose shape runs on the repeat path (EngineSession.simple_plan):
        judged as any statement (the verdicts kept for its shape), then run from the shape's
        parse with this text's numbers. False: nothing sent, the Query goes the usual way."""
        ex = self.ex
        hint = st.judged.memo.get("engine_hint")
        if (
            ex is None
            or hint is None
            or "simple" not in hint
            or self.status != "I"
            or st.engine_sql != st.text
        ):
            return False
        reading = self._reading(st)
        values = reading.values(st.text) if reading is not None else None
        if values is None or self._is_local(st):
            return False
        if not self._allowed_before(st.judged):
            return False  # (judged the usual way)
        if dictionary_views.referenced_views(st.judged) or pg_session_tables.read_by(st.text):
            return False
        refuse_governed(st.text)
        ex.passed(st.text)
        plan = ex.simple_plan(st.text, reading.text, values, hint)
        if plan is None:
            return False
        send = self.client.send
        self._governed(lambda ex: ex.run_fast(plan, values, [], DESCRIBE_WITH_ROWS, send))
        self.client.send(self._ready())
        return True

    def _run_group(self, group: list[dict[str, Any]], views: list[str]) -> bool:
        try:
            self._register_views(views)
        except DbError as e:
            self.client.send(e.to_wire())
            self._note_error(e.sqlstate, e.message)
            return False
        for st in group:
            for sql in _texts(st):
                try:
                    refuse_governed(sql)
                except DbError as e:
                    self.client.send(e.to_wire())
                    self._note_error(e.sqlstate, e.message)
                    return False
        done: list[bool] = []
        ok = self._governed(lambda ex: done.append(ex.op_query(group, self.client.send)))
        gov = self.gov
        if gov is not None and len(group) > 1:
            gov.count_statements(len(group) - 1)  # a Query's statements sent together count each
        return ok and bool(done) and done[0]

    # ------------------------------------------------------------ verdicts

    def _refusal(self, st: stmts.Statement, text: str | None = None) -> DbError | None:
        """The sandbox's, the whitelist's, the privileges' and the lockdown profile's verdict on a
        statement bound for the engine, audited (as text, the client's) when they refuse. A
        statement allowed once is allowed again for the same user and container until the
        catalog changes."""
        if st.refusal is not None:
            return DbError(*st.refusal)
        if self._allowed_before(st):
            return None
        stamp = self.host.policy.change_stamp()
        allowed = st.memo.setdefault("allowed", {})
        who = (self.user, self.con_id)
        self._macros_judged = False
        err = self._judge(st, text)
        if err is None and stamp is not None and not self._macros_judged:
            if len(allowed) > 256:  # many users of one statement text: start again
                allowed.clear()
            allowed[who] = stamp
        return err

    def _allowed_before(self, st: stmts.Statement) -> bool:
        """The policies allowed st for this user and container, and the catalog has not changed."""
        stamp = self.host.policy.change_stamp()
        allowed = st.memo.get("allowed")
        return stamp is not None and allowed is not None and allowed.get((self.user, self.con_id)) == stamp

    def _judge(self, st: stmts.Statement, text: str | None) -> DbError | None:
        faults.inject("policy", st.text)
        a = analysis.analyze(st)
        v = sandbox.check_internal(st.text) or sandbox.check(a, frozenset({self.state.container.lower()}))
        if v is None:
            v = self._function_violation(a)
        if v is None:
            v = self._whitelist_violation(a)
        if v is None:
            v = privileges.check(self.host.policy, self.user, self.con_id, st, a, dictionary_views.NAMES)
        if v is None:
            return self._lockdown_refusal(st, a, text)
        if v.rule == "UNPARSED":
            err = DbError(
                "42601", f"syntax error: {v.message}", hint="DuckCDB refuses statements it cannot analyse"
            )
        else:
            err = DbError("42501", f"permission denied: {v.message}")
        self.audit_refusal(text or st.text, v.rule, err.sqlstate, err.message)
        return err

    def _function_violation(self, a: analysis.Analysis, depth: int = 0) -> sandbox.Violation | None:
        """The function allow-list for everyone but SYS. A name not on it may be one of the PDB's
        macros: it passes when each of its bodies passes the same judgement (functions and
        privileges, for this user), at every call (the verdict is not cached), on the bodies as
        the engine last read them (read again after any DDL: a macro can be replaced)."""
        if self.user.name == "SYS":
            return None
        v = sandbox.check_calls(a)
        scalar, table = sandbox.not_allowed(a)
        unknown = sorted(n for n in scalar | table if not allowed_functions.is_builtin(n))
        if self.con_id == self.served.con_id:  # macros made before the allow-list, named like built-ins
            unknown += sorted(self.served.database.builtin_named_macros & (a.calls | a.table_calls))
        if v is not None or not unknown or self.ex is None:
            return v
        if depth >= _MACRO_DEPTH:
            return sandbox.Violation("SANDBOX_FUNCTION", f"macros call macros more than {_MACRO_DEPTH} deep")
        self._macros_judged = True
        bodies = self.ex.macro_bodies(unknown)
        if bodies is None and self.status == "E":
            return None  # an aborted transaction runs nothing: 25P02, as PostgreSQL answers
        if bodies is None:
            return sandbox.Violation("SANDBOX_FUNCTION", f"function {unknown[0]}() cannot be checked now")
        for name, texts in bodies.items():
            for body in texts:
                v = self._body_violation(body, depth + 1)
                if v is not None:
                    return sandbox.Violation(v.rule, f"macro {name}(): {v.message}")
        return None

    def _body_violation(self, sql: str, depth: int) -> sandbox.Violation | None:
        try:
            parsed = stmts.split(sql)
        except stmts.SqlSyntaxError:
            parsed = []
        if len(parsed) != 1:
            return sandbox.Violation("SANDBOX_FUNCTION", "its body cannot be analysed")
        st = parsed[0]
        a = analysis.analyze(st)
        v = sandbox.check_internal(sql) or sandbox.check(a) or self._function_violation(a, depth)
        if v is None:
            v = privileges.check(self.host.policy, self.user, self.con_id, st, a, dictionary_views.NAMES)
        return v

    def _whitelist_violation(self, a: analysis.Analysis) -> sandbox.Violation | None:
        """ALLOWED SCHEMAS of the session's user, read again when the catalog changes."""
        stamp = self.host.policy.change_stamp()
        if self._allowed is None or self._allowed[0] != stamp:
            self._allowed = (stamp, self.host.allowed_schemas(self.user.name, self.user.con_id))
        return whitelist.check(self._allowed[1], a, dictionary_views.NAMES)

    def _lockdown_refusal(
        self, st: stmts.Statement, a: analysis.Analysis | None = None, text: str | None = None
    ) -> DbError | None:
        """ORA-01031 when the lockdown profile in force in this container disables st; audited.
        An allowed statement stays allowed for the same container and kind of user until the
        catalog changes (a profile is catalog): Bind asks again at every execution."""
        stamp = self.host.policy.change_stamp()
        key = ("lockdown", self.con_id, self.user.common)
        memo = st.judged.memo
        if stamp is not None and memo.get(key) == stamp:
            return None
        v = lockdown.check(self.host.policy, self.con_id, self.user.common, st.judged, a)
        if v is None:
            if stamp is not None:
                memo[key] = stamp
            return None
        err = DbError("42501", v.message)  # v.message: "ORA-01031: insufficient privileges: ..."
        self.audit_refusal(text or st.text, v.rule, err.sqlstate, err.message)
        return err

    def audit_refusal(self, statement: str | None, rule: str, sqlstate: str, message: str) -> None:
        log.warning(
            "refused: pdb=%s user=%s rule=%s: %s", self.state.container, self.user.name, rule, message
        )
        self.host.audit(self.state, "REFUSED", statement, rule, sqlstate, message)

    @staticmethod
    def _is_local(st: stmts.Statement) -> bool:
        """Statements the session or its host answers: session parameters, container commands,
        COPY (driven here), LISTEN/NOTIFY. Once per shape (numbers never change the answer)."""
        memo = st.judged.memo
        hit = memo.get("local")
        if hit is None:
            hit = memo["local"] = (
                st.kind in SESSION_KINDS
                or st.kind in ("copy", "listen", "notify", "unlisten")
                or container_commands.is_container_command(st)
                or (st.kind == "select" and notify_sql.pg_notify_call(st.text) is not None)
            )
        return hit

    def _run_local(self, st: stmts.Statement, describe: bool, values: list[str | None] | None = None) -> None:
        internal = sandbox.check_internal(st.text)  # SET search_path = __duckcdb, COPY of its table
        if internal is not None:
            message = f"permission denied: {internal.message}"
            self.audit_refusal(st.text, internal.rule, "42501", message)
            raise DbError("42501", message)
        refusal = self._lockdown_refusal(st)  # SET, ALTER SESSION, COPY, user and container commands
        if refusal is not None:
            raise refusal
        if st.kind == "copy":
            self._copy(st)
            return
        if self.status == "E":
            raise DbError(
                "25P02", "current transaction is aborted, commands ignored until end of transaction block"
            )
        if container_commands.is_container_command(st):
            self.state.params = self.params
            result = self.host.command(self.state, st.text, describe, self.status != "I")
            self.client.send(result.wire)
            if result.enter is not None:
                self._enter(result.enter)
        elif st.kind == "set":
            setshow.run_set(self, st)
        elif st.kind == "reset":
            setshow.run_reset(self, st)
        elif st.kind == "show":
            setshow.run_show(self, st, describe)
        elif st.kind == "discard":
            setshow.run_discard(self)
        elif st.kind in ("listen", "notify", "unlisten"):
            self._notification_command(st)
        elif (call := notify_sql.pg_notify_call(st.text)) is not None:
            self._pg_notify(call, values or [], describe)

    # ------------------------------------------------------------ LISTEN / NOTIFY

    def _ready(self) -> bytes:
        """ReadyForQuery, after the notifications owed to the client when it is idle. The session
        is idle in pg_stat_activity before the client can read it (PostgreSQL reports idle before
        it sends ReadyForQuery): a statement another client sends on seeing this reply must not
        find it still active."""
        self._activity_end()
        rfq = backend.ready_for_query(self.status)
        return self.listener.take() + rfq if self.status == "I" else rfq

    def _notification_command(self, st: stmts.Statement) -> None:
        command = notify_sql.parse(st.text)
        hub = self.served.notify
        in_block = self.status != "I"
        if command.kind == "notify":
            self._notify(command.channel, command.payload)  # type: ignore[arg-type]
        elif in_block:
            self.tx_notes.listens.append((command.kind, command.channel))
        elif command.kind == "listen":
            hub.listen(self.listener, command.channel)  # type: ignore[arg-type]
        else:
            hub.unlisten(self.listener, command.channel)
        self.client.send(backend.command_complete(command.kind.upper()))

    def _notify(self, channel: str, payload: str) -> None:
        """One notification: sent now outside a transaction block, at its COMMIT inside one."""
        check_payload(payload)
        hub = self.served.notify
        hub.check_room(channel, payload)
        if self.status != "I":
            self.tx_notes.notes[(channel, payload)] = None
        else:
            hub.publish(self.state.pid, [(channel, payload)])

    def _pg_notify(self, call: tuple[str, str], values: list[str | None], describe: bool) -> None:
        """SELECT pg_notify(channel, payload): NOTIFY as a function (one row of type void)."""
        channel = notify_sql.argument(call[0], values)
        if not channel:
            raise DbError("22023", "channel name cannot be empty")
        self._notify(channel, notify_sql.argument(call[1], values) or "")
        out = _PG_NOTIFY_ROW if describe else b""
        self.client.send(out + backend.data_row([b""]) + backend.command_complete("SELECT 1"))

    def _transaction_ended(self, committed: bool) -> None:
        """A transaction block ended: its LISTENs and NOTIFYs take effect if it committed."""
        notes = self.tx_notes
        if committed:
            hub = self.served.notify
            for kind, channel in notes.listens:
                if kind == "listen":
                    hub.listen(self.listener, channel)  # type: ignore[arg-type]
                else:
                    hub.unlisten(self.listener, channel)
            if notes.notes:
                hub.publish(self.state.pid, list(notes.notes))
        notes.clear()

    def _enter(self, target: dict[str, Any]) -> None:
        """ALTER SESSION SET CONTAINER: a container served here is entered at once; one served by
        another engine is moved to after this message (the socket goes there); a closed one is
        entered with no engine (its queries fail with ORA-01219 until it opens)."""
        con_id = int(target["con_id"])
        if con_id != self.con_id:
            self.served.notify.unlisten(self.listener, None)
        if con_id == self.served.con_id or not target.get("open"):
            if self.ex is not None:
                self.ex.close()
                self.ex = None
            self.state.con_id, self.state.container = con_id, str(target["name"])
            self.prepared.clear()
            self.open()
            return
        self.move_to = target

    def _client_database(self) -> str:
        named = self.state.database
        return named if named.lower() == self.state.container.lower() else self.state.container

    def _userenv(self) -> dict[str, str]:
        """What SYS_CONTEXT('USERENV', key) answers in this session."""
        user = self.user.name
        return {
            "con_name": self.state.container,
            "con_id": str(self.con_id),
            "cdb_name": "CDB$ROOT",
            "db_name": self.state.container,
            # current_database(): the PDB as the client named it at login (dbt writes that name
            # back as the catalog of every relation), the container's own name once moved.
            "client_database": self._client_database(),
            "session_user": user,
            "current_user": user,
            "current_schema": user,
            "authenticated_identity": user,
            "sessionid": str(self.state.pid),
            "ip_address": self.state.peer,
            "is_dba": "TRUE" if user == "SYS" else "FALSE",
        }

    # ------------------------------------------------------------ COPY

    def _copy(self, st: stmts.Statement) -> None:
        if self.status == "E":
            raise DbError(
                "25P02", "current transaction is aborted, commands ignored until end of transaction block"
            )
        try:
            spec = parse_copy(st).to_json()
        except DbError as e:
            if e.sqlstate == "42501":
                self.audit_refusal(st.text, "SANDBOX_FILES", e.sqlstate, e.message)
            raise
        refusal = self._copy_refusal(st, spec)
        if refusal is not None:
            raise refusal
        if self.ex is not None:
            self.ex.passed(copy_key(spec))
        if spec["direction"] == "out":
            self._governed(lambda ex: ex.with_workers(lambda: copy_out(ex, spec, self.client.send)))
            return
        self._governed(lambda ex: ex.with_workers(lambda: self._copy_in(ex, spec)))

    def _copy_refusal(self, st: stmts.Statement, spec: dict[str, Any]) -> DbError | None:
        """COPY is judged as what it runs: its query, a SELECT of its table (TO) or an INSERT
        into it (FROM), by the same sandbox, allow-list and privileges; audited as written."""
        if spec["query"] is not None:
            text = spec["query"]
        elif spec["direction"] == "out":
            text = f"SELECT * FROM {spec['table']}"
        else:
            text = f"INSERT INTO {spec['table']} SELECT 1"
        try:
            parsed = stmts.split(text)
        except stmts.SqlSyntaxError as e:
            return DbError("42601", str(e))
        if len(parsed) != 1:
            return DbError("42601", "COPY takes one query")
        return self._refusal(parsed[0], st.text)

    def _copy_in(self, ex: EngineSession, spec: dict[str, Any]) -> None:
        copy = CopyIn(ex, spec)
        self.client.send(copy.start())
        self.client.flush()
        try:
            self._copy_in_data(copy)
        except BaseException:
            copy.abort()
            raise

    def _copy_in_data(self, copy: CopyIn) -> None:
        while True:
            msg = self.client.next()
            if isinstance(msg, frontend.CopyData):
                copy.feed(msg.data)
            elif isinstance(msg, frontend.CopyDone):
                self.client.send(copy.finish())
                return
            elif isinstance(msg, frontend.CopyFail):
                raise copy.fail(msg.message)
            elif isinstance(msg, (frontend.Flush, frontend.Sync)):
                continue
            else:
                # PostgreSQL: an ERROR that ends the COPY (the message is dropped); the session goes on.
                kind = frontend.encode(msg)[:1]
                raise DbError(
                    "08P01", f"unexpected message type 0x{kind.hex().upper()} during COPY from stdin"
                )

    # ------------------------------------------------------------ extended protocol

    def _extended(self, msg: frontend.FrontendMessage) -> None:
        if isinstance(msg, frontend.Parse):
            self._parse(msg)
        elif isinstance(msg, frontend.Bind):
            self._bind(msg)
        elif isinstance(msg, frontend.Describe):
            local = (self.local_statements if msg.kind == "S" else self.local_portals).get(msg.name)
            if local is not None:
                call = None if local.stmt is None else notify_sql.pg_notify_call(local.stmt.text)
                count = 0 if call is None else notify_sql.parameter_count(call)
                out = backend.parameter_description([pgtypes.TEXT] * count) if msg.kind == "S" else b""
                self.client.send(out + self._local_description(local))
                return
            self._step(lambda ex: self.client.send(ex.op_describe(msg.kind, msg.name)))
        elif isinstance(msg, frontend.Execute):
            local = self.local_portals.get(msg.portal)
            if local is not None:
                if local.stmt is None:
                    self.client.send(backend.empty_query_response())
                else:
                    self._run_local(local.stmt, describe=False, values=local.values)
                return
            if not self._governed(lambda ex: ex.op_execute(msg.portal, msg.max_rows, self.client.send)):
                self._error_in_extended()
        elif isinstance(msg, frontend.Close):
            table = self.local_statements if msg.kind == "S" else self.local_portals
            if table.pop(msg.name, None) is not None:
                self.client.send(backend.CLOSE_COMPLETE)
                return
            if msg.kind == "S":
                self.prepared.pop(msg.name, None)
            if self.ex is None:
                self.client.send(backend.CLOSE_COMPLETE)
                return
            self._step(lambda ex: self.client.send(ex.op_close(msg.kind, msg.name)))

    def _repeated_cycle(self, bind: frontend.Bind) -> Callable[[], None] | None:
        """Bind, [Describe portal,] Execute, Sync of a prepared SELECT the engine session may run
        on its repeat path (EngineSession.fast_statement), when the client sent them together
        (drivers do) into the unnamed portal, outside a transaction block: handled in one step,
        with what each message would do (the lockdown verdict, views, activity, governance, the
        replies in order). Returns the step that runs them once they are taken from the queue, or
        None (nothing taken: the messages go their usual way)."""
        queue = self.client.queued()
        n = len(queue)
        if n < 2 or self.skipping or self.status != "I" or self.ex is None:
            return None
        describe = queue[0]
        if type(describe) is frontend.Describe:
            if n < 3 or describe.kind != "P" or describe.name != bind.portal:
                return None
            execute, sync = queue[1], queue[2]
        else:
            execute, sync = describe, queue[1]
        if (
            type(execute) is not frontend.Execute
            or execute.portal != bind.portal
            or execute.max_rows
            or type(sync) is not frontend.Sync
            or self.move_to is not None
            or self.evacuating
            or bind.statement in self.local_statements
            or bind.statement in self.statement_views
        ):
            return None
        parsed = self.parsed_statements.get(bind.statement)
        stamp = self.host.policy.change_stamp()
        if (
            parsed is None
            or stamp is None
            or parsed.judged.memo.get(("lockdown", self.con_id, self.user.common)) != stamp
        ):
            return None  # (the lockdown verdict is asked again on the usual path)
        ex = self.ex
        p = ex.fast_statement(bind.statement, bind.portal, bind.result_formats)
        if p is None:
            return None
        for _ in range(3 if execute is not describe else 2):
            queue.popleft()

        def cycle() -> None:
            ok, values = self._call(
                lambda ex: ex.fast_bind(bind.statement, p, bind.param_formats, bind.params)
            )
            if ok:
                self.client.send(backend.BIND_COMPLETE)
                self._activity_begin(execute)
                send = self.client.send
                described = DESCRIBE_FIRST if describe is not execute else ""
                if not self._governed(
                    lambda ex: ex.run_fast(p, values, bind.result_formats, described, send)
                ):
                    self._error_in_extended()
            else:
                self._error_in_extended()
            self._sync()

        return cycle

    def _step(self, fn: Callable[[EngineSession], Any]) -> None:
        """One extended-protocol step on the executor; an error skips the rest until Sync."""
        ok, _ = self._call(fn)
        if not ok:
            self._error_in_extended()

    def _local_description(self, local: Local) -> bytes:
        st = local.stmt
        if st is None:
            return backend.NO_DATA
        if container_commands.is_container_command(st):
            return self.host.describe_command(st.text)
        if st.kind == "show":
            return setshow.describe_show(st)
        if notify_sql.pg_notify_call(st.text) is not None:
            return _PG_NOTIFY_ROW
        return backend.NO_DATA

    def _parse(self, msg: frontend.Parse, quiet: bool = False) -> None:
        sql = msg.sql
        if msg.param_oids and json_params.declares_json(msg.param_oids):
            sql = json_params.typed(sql, msg.param_oids)
        try:
            parsed = stmts.split(sql)
        except stmts.SqlSyntaxError as e:  # an ErrorResponse, as in a simple query; the session goes on
            raise DbError(e.sqlstate, str(e)) from e
        if len(parsed) > 1:
            raise DbError("42601", "cannot insert multiple commands into a prepared statement")
        if not parsed:
            self.local_statements[msg.name] = Local(None)
            self.client.send(backend.PARSE_COMPLETE)
            return
        st = parsed[0]
        if self._is_local(st):
            self.local_statements[msg.name] = Local(st)
            self.client.send(backend.PARSE_COMPLETE)
            return
        refusal = self._refusal(st.judged, st.text)
        if refusal is not None:
            raise refusal
        self.local_statements.pop(msg.name, None)
        self.parsed_statements[msg.name] = st
        views = dictionary_views.referenced_views(st.judged) + pg_session_tables.read_by(st.engine_sql)
        if views:
            self.statement_views[msg.name] = views
        else:
            self.statement_views.pop(msg.name, None)
        self._register_views(views)
        op = st.engine_op(analysis.result_names(st.judged))
        for sql in _texts(op):
            refuse_governed(sql)
        ex = self._executor()
        ex.passed(*_texts(op))
        ok, reply = self._call(
            lambda ex: ex.op_parse(
                msg.name,
                str(op["sql"]),
                str(op["kind"]),
                str(op["tag"]),
                msg.param_oids or list(st.param_oids),
                op.get("pre"),  # type: ignore[arg-type]
                op.get("notices"),  # type: ignore[arg-type]
                op.get("names"),  # type: ignore[arg-type]
                st.judged.param_count,
                op.get("read_only"),  # type: ignore[arg-type]
                bool(op.get("writes")),
                str(op.get("lock", "")),
                op.get("isolation"),  # type: ignore[arg-type]
                op.get("alter"),  # type: ignore[arg-type]
                op.get("grouping"),  # type: ignore[arg-type]
                op.get("positional"),  # type: ignore[arg-type]
                op.get("hint"),  # type: ignore[arg-type]
                plain=op.get("plain"),  # type: ignore[arg-type]
            )
        )
        if not ok:
            self._error_in_extended()
            return
        if msg.name:
            self.prepared[msg.name] = (msg.sql, list(msg.param_oids))
            self.prepared_at[msg.name] = session_tables.now()
        if not quiet:
            self.client.send(reply)
        else:
            ex.status = self.status

    def _bind(self, msg: frontend.Bind) -> None:
        if msg.statement in self.local_statements:
            local = self.local_statements[msg.statement]
            values = [None if p is None else p.decode("utf-8", "replace") for p in msg.params]
            self.local_portals[msg.portal] = Local(local.stmt, values)
            self.client.send(backend.BIND_COMPLETE)
            return
        self.local_portals.pop(msg.portal, None)
        parsed = self.parsed_statements.get(msg.statement)
        if parsed is not None:
            # A lockdown profile changed since the Parse applies to this execution.
            refusal = self._lockdown_refusal(parsed)
            if refusal is not None:
                raise refusal
        # Dictionary views are read as of each execution, not as of the Parse.
        self._register_views(self.statement_views.get(msg.statement, []))
        self._step(
            lambda ex: self.client.send(
                ex.op_bind(msg.portal, msg.statement, msg.param_formats, msg.params, msg.result_formats)
            )
        )

    def _sync(self) -> None:
        if self.ex is not None:
            ok, _ = self._call(lambda ex: ex.op_sync())
        self.skipping = False
        self.client.send(self._ready())


# The Sync a repeat-path cycle took with its Bind (Session._repeated_cycle).
_TAKEN_SYNC = frontend.Sync()

# pg_notify()'s result: one column of type void.
_PG_NOTIFY_ROW = backend.row_description([backend.Column("pg_notify", pgtypes.VOID, 4, -1, 0)])


def _add(obj: Any, name: str, n: int) -> None:
    setattr(obj, name, getattr(obj, name) + n)


def _texts(op: dict[str, Any]) -> list[str]:
    """The engine texts an op may run (EngineSession.require_passed): its statement, those run
    first, and its text without jsonb's dispatch (pgcompat.rewrite.Rewritten.plain)."""
    return [str(op["sql"]), *op.get("pre", []), *([str(op["plain"])] if op.get("plain") else [])]
