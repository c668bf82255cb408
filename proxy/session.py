"""One client connection: startup, authentication, then the query loop.

The session owns the protocol state (extended-protocol statements, skip-until-Sync, COPY mode,
transaction status from the engine) and routes each statement: container commands and session
parameters are answered here, everything else goes to the container's engine as ops.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog import dictionary
from catalog.commands import lockdown as lockdown_sql
from catalog.commands import object_privs as object_privs_sql
from catalog.commands import plans as resource_plan_sql
from catalog.commands import resources as resource_sql
from catalog.commands import users as users_sql
from catalog.store import Container, User
from governance import resources, sampler
from pgcompat import analysis, container_commands, params
from pgcompat import statements as stmts
from pgcompat.copy import parse_copy
from pgwire import auth, backend, channel, frontend
from pgwire.errors import DbError, ProtocolViolation
from pgwire.oracle import ora
from policies import dictionary_views, lockdown, privileges, sandbox, whitelist
from policies.source import ROOT_ID, SEED_ID
from proxy import admin, set_show
from proxy.supervisor import EngineChannel, EngineGone

if TYPE_CHECKING:
    from governance.governor import PdbGovernor
    from proxy.server import Server

log = logging.getLogger("duckcdb.session")

# Bytes gathered for the client before they are written without waiting for the end of a response.
OUT_CHUNK = 256 * 1024
# Names of the dictionary views (V$PDBS, ...): not tables of the tenant's schemas.
DICTIONARY_VIEWS = dictionary_views.NAMES
# Kinds the proxy answers itself; everything else runs in the engine.
LOCAL_KINDS = frozenset({"admin", "set", "reset", "show", "discard"})


# Engine ops that run statements, and so run under the statement timeout.
_TIMED_OPS = frozenset({"query", "execute", "copy_out", "copy_in"})


def _text_columns(names: tuple[str, ...]) -> list[backend.Column]:
    return [backend.Column(n, 25) for n in names]


class Disconnect(Exception):
    pass


@dataclass
class LocalStatement:
    """A statement the proxy answers itself, kept for the extended protocol."""

    stmt: stmts.Statement | None  # None: empty query


class Session:
    def __init__(self, server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.cdb = server.cdb
        self.runtime = server.supervisor
        self.reader = reader
        self.writer = writer
        self.parser = frontend.FrontendParser()
        self.pid = 0
        self.key = 0
        self.con_id = 0
        self.container: Container | None = None
        self.login_container: Container | None = None
        self.user: User | None = None
        self.channel: EngineChannel | None = None
        self.status = "I"
        self.params: dict[str, str] = {}
        self.local_statements: dict[str, LocalStatement] = {}
        self.local_portals: dict[str, LocalStatement] = {}
        self.statement_views: dict[str, list[str]] = {}  # prepared statement -> dictionary views it reads
        self.parsed_statements: dict[str, stmts.Statement] = {}  # engine-bound Parses, re-checked at Bind
        self.engine_statements: dict[str, dict[str, Any]] = {}  # named Parse ops, replayed after OPEN FORCE
        self.pending_ops: list[dict[str, Any]] = []
        self.pending_blobs: list[bytes | None] = []
        self.skipping = False
        self.closed = False
        self.peer = writer.get_extra_info("peername")
        self._queue: deque[frontend.FrontendMessage] = deque()
        self._out: list[bytes] = []
        self._out_size = 0
        self.bytes_sent = 0
        self.bytes_received = 0
        self.gov: PdbGovernor | None = None  # the live budgets of the session's PDB
        self._allowed: list[str] | None = None  # the user's ALLOWED SCHEMAS, as of _allowed_stamp
        self._allowed_stamp: tuple[int, int] | None = None
        self._user_limits_cache: dict[str, str] = {}
        self._user_limits_stamp: tuple[int, int] | None = None

    # ------------------------------------------------------------ I/O

    async def next_message(self, idle: bool = False) -> frontend.FrontendMessage:
        """The client's next message; idle: waiting for a new command, under the idle timeouts."""
        if not self._queue:
            # Everything owed to the client goes out before waiting for it.
            await self.flush()
            limit = self._idle_limit() if idle else None
            while not self._queue:
                if limit is None:
                    data = await self._read()
                else:
                    try:
                        async with asyncio.timeout(limit[0] / 1000):
                            data = await self._read()
                    except TimeoutError:
                        raise DbError(limit[1], limit[2]) from None
                self._queue.extend(self.parser.feed(data))
        return self._queue.popleft()

    def _idle_limit(self) -> tuple[int, str, str] | None:
        """(ms, SQLSTATE, message) of the idle timeout that applies now (the tightest setting, see
        _session_limit); None without one."""
        if self.status == "I":
            ms = self._session_limit("IDLE_SESSION_TIMEOUT", "idle_session_timeout")
            return (ms, "57P05", "terminating connection due to idle-session timeout") if ms else None
        ms = self._session_limit("IDLE_IN_TRANSACTION_SESSION_TIMEOUT", "idle_in_transaction_session_timeout")
        return (ms, "25P03", "terminating connection due to idle-in-transaction timeout") if ms else None

    def _session_limit(
        self,
        param: str,
        client_param: str | None = None,
        lim: resources.Limits | None = None,
        user_limits: dict[str, str] | None = None,
    ) -> int:
        """The tightest of a session limit's settings: the PDB's (its tier's or its own), the
        user's (ALTER USER u SET ...) and the client's own SET; 0 = unlimited."""
        lim = lim or self.cdb.limits_of(self.con_id)
        pdb = int(lim.value(resources.PARAMETERS[param])) if lim else 0
        user = int((self._user_limits() if user_limits is None else user_limits).get(param, 0))
        client = params.duration_ms(self.params.get(client_param, "0")) if client_param else 0
        return resources.tightest(pdb, user, client)

    def _user_limits(self) -> dict[str, str]:
        """The user's own session limits, read again when the catalog changes."""
        stamp = self.cdb.cat.change_stamp()
        if stamp is None or stamp != self._user_limits_stamp:
            assert self.user is not None
            self._user_limits_cache = self.cdb.cat.user_session_limits(self.user.name, self.user.con_id)
            self._user_limits_stamp = stamp
        return self._user_limits_cache

    async def _read(self) -> bytes:
        data = await self.reader.read(1 << 16)
        if not data:
            raise Disconnect()
        self.bytes_received += len(data)
        if self.gov is not None:
            self.gov.usage.bytes_received += len(data)
        return data

    async def send(self, data: bytes) -> None:
        """Queue bytes for the client; they leave in one write per response (or every OUT_CHUNK)."""
        if self.closed:
            raise Disconnect()
        self._out.append(data)
        self._out_size += len(data)
        if self._out_size >= OUT_CHUNK:
            await self.flush()

    async def flush(self) -> None:
        if not self._out:
            return
        data = b"".join(self._out) if len(self._out) > 1 else self._out[0]
        self._out.clear()
        self._out_size = 0
        if self.closed:
            raise Disconnect()
        self.bytes_sent += len(data)
        gov = self.gov
        if gov is not None:
            # NETWORK_MBPS: the PDB's clients get its bytes no faster than its rate.
            gov.usage.bytes_sent += len(data)
            gov.network.charge(len(data))
            await gov.network.wait()
        self.writer.write(data)
        await self.writer.drain()

    async def terminate(self, sqlstate: str, message: str) -> None:
        """End this session from outside (CLOSE IMMEDIATE, engine crash, shutdown)."""
        if self.closed:
            return
        self.closed = True
        try:
            self.writer.write(backend.error_response(sqlstate, message, severity="FATAL"))
            self.writer.close()
        except Exception:
            pass
        if self.channel is not None:
            self.channel.close()

    # ------------------------------------------------------------ startup

    async def run(self) -> None:
        try:
            await self._startup()
            await self._loop()
        except (Disconnect, ConnectionError, asyncio.IncompleteReadError):
            pass
        except ProtocolViolation as e:
            await self._fatal("08P01", str(e))
        except DbError as e:
            await self._fatal(e.sqlstate, e.message)
        except EngineGone:
            name = self.container.name if self.container else "?"
            await self._fatal("57P01", f"terminating connection because the engine of {name} stopped")
        except Exception:  # a bug must end only this connection, and say so
            log.exception("session %s failed", self.pid)
            await self._fatal(
                "XX000", "internal error in DuckCDB; the connection is closed (see the server log)"
            )
        finally:
            self.closed = True
            if self.container is not None:
                self.runtime.detach(self)
            self.server.unregister(self)
            if self.channel is not None:
                self.channel.close()
            try:
                self.writer.close()
            except Exception:
                pass

    async def _fatal(self, sqlstate: str, message: str) -> None:
        if self.closed:
            return
        try:
            self._out.append(backend.error_response(sqlstate, message, severity="FATAL"))
            await self.flush()
        except Exception:
            pass

    async def _startup(self) -> None:
        timeout = float(self.server.config.get("server", "auth_timeout_s"))
        async with asyncio.timeout(timeout):
            startup = await self._negotiate()
            await self._authenticate(startup)

    async def _negotiate(self) -> frontend.StartupMessage:
        tls_done = False
        while True:
            msg = await self.next_message()
            if isinstance(msg, frontend.SSLRequest):
                ctx = self.server.ssl_context
                if ctx is None or tls_done:
                    await self.send(backend.SSL_NO)
                    continue
                if self._queue or self.parser._buf:
                    raise ProtocolViolation("unencrypted data after SSL request")
                await self.send(backend.SSL_YES)
                await self.flush()
                await self.writer.start_tls(ctx)
                tls_done = True
            elif isinstance(msg, frontend.GSSENCRequest):
                await self.send(backend.SSL_NO)
            elif isinstance(msg, frontend.CancelRequest):
                await self.server.cancel(msg.pid, msg.key)
                raise Disconnect()
            elif isinstance(msg, frontend.StartupMessage):
                self.tls = tls_done
                return msg

    async def _authenticate(self, startup: frontend.StartupMessage) -> None:
        p = startup.params
        raw_user = p.get("user", "")
        if not raw_user:
            raise DbError("28000", "no PostgreSQL user name specified in startup packet")
        user_name = raw_user[1:-1] if raw_user.startswith('"') else raw_user.upper()
        db_name = p.get("database") or raw_user
        container = self.cdb.find(db_name[1:-1] if db_name.startswith('"') else db_name)
        self.login_container = container
        self.server.check_lockout(self, user_name)
        # Authenticate first, as PostgreSQL does; a common user learns afterwards that the database is unknown.
        user = self.cdb.cat.user(user_name, container.con_id if container else ROOT_ID)
        await self._check_password(user, user_name)
        self.server.login_succeeded(self, user_name)
        if container is None or container.pending_op == "DROP":
            raise DbError("3D000", f'database "{db_name}" does not exist')
        assert user is not None
        if user.account_status != "OPEN":
            self.server.audit_login_failure(self, user_name, "account locked")
            raise ora(28000)
        if container.con_id == SEED_ID:
            raise ora(65017, "connect to a PDB", sqlstate="42501")
        if not self._may_login(user, container):
            self.server.audit_login_failure(self, user_name, "no CREATE SESSION")
            raise ora(1045, name=user_name)
        if not container.is_open:
            raise ora(1109, f"pluggable database {container.name} is {container.open_mode}")
        if container.restricted and not self.cdb.cat.has_privilege(
            user, container.con_id, "RESTRICTED SESSION"
        ):
            raise ora(1035, name=container.name)
        self.user = user
        await self._enter(container)
        self.params = {k: v.default for k, v in params.PARAMS.items()}
        self.params["session_authorization"] = user.name
        self.params["is_superuser"] = "on" if user.name == "SYS" else "off"
        for k, v in p.items():
            prm = params.lookup(k)
            if prm is not None and not prm.read_only:
                try:
                    self.params[prm.name.lower()] = params.normalize(prm, v)
                except ValueError as e:
                    raise DbError("22023", str(e)) from e
            elif k == "options":
                pass  # -c options: accepted, unknown ones ignored as the server ignores unknown GUCs with a prefix
        tz = self.params["timezone"]
        self.pid, self.key = self.server.register(self)  # first: the engine learns the session's pid
        self.channel = await self._open_channel(tz)
        out = [backend.auth_ok()]
        for prm in params.PARAMS.values():
            if prm.report and prm.name.lower() == prm.name.lower():
                out.append(backend.parameter_status(prm.name, self.params[prm.name.lower()]))
        out.append(backend.backend_key_data(self.pid, self.key))
        out.append(backend.ready_for_query("I"))
        await self.send(b"".join(out))

    async def _enter(self, container: Container) -> None:
        self._admit(container)
        if self.container is not None:
            self.runtime.detach(self)
        self.container = container
        self.con_id = container.con_id
        self.gov = self.runtime.pdb_governor(self.con_id)
        self.runtime.attach(self)

    def _admit(self, container: Container) -> None:
        """The PDB's SESSIONS limit: one more session is refused with ORA-00018. SYS is never
        refused (as PostgreSQL reserves connections for superusers), so the DBA can always get in."""
        lim = self.cdb.limits_of(container.con_id)
        if lim is None or (self.user is not None and self.user.name == "SYS" and self.user.common):
            return
        if len(self.runtime.sessions(container.con_id)) >= lim.sessions:
            raise ora(18, f"{container.name} allows {lim.sessions}")

    async def _open_channel(self, tz: str) -> EngineChannel:
        eng = self.runtime.engine(self.con_id)
        if eng is None:
            raise ora(1109, self.container.name if self.container else None)
        try:
            return await eng.open_channel(tz, self._userenv())
        except (OSError, EngineGone) as e:
            raise DbError("57P03", f"the engine of {eng.spec.name} is not available, try again") from e

    def _userenv(self) -> dict[str, str]:
        """What SYS_CONTEXT('USERENV', key) answers in this session."""
        c = self.container
        user = self.user.name if self.user else ""
        return {
            "con_name": c.name if c else "",
            "con_id": str(c.con_id) if c else "",
            "cdb_name": "CDB$ROOT",
            "db_name": c.name if c else "",
            "session_user": user,
            "current_user": user,
            "current_schema": user,
            "authenticated_identity": user,
            "sessionid": str(self.pid),
            "ip_address": str(self.peer[0]) if isinstance(self.peer, tuple) else "",
            "is_dba": "TRUE" if user == "SYS" else "FALSE",
        }

    def _may_login(self, user: User, c: Container) -> bool:
        return user.name == "SYS" or self.cdb.cat.has_privilege(user, c.con_id, "CREATE SESSION")

    async def _check_password(self, user: User | None, user_name: str) -> None:
        method = self.server.config.get("auth", "method")
        fail = DbError("28P01", f'password authentication failed for user "{user_name}"')
        if method == "md5":
            salt = os.urandom(4)
            await self.send(backend.auth_md5(salt))
            msg = await self.next_message()
            if not isinstance(msg, frontend.AuthResponse):
                raise ProtocolViolation("expected password message")
            response = msg.data.rstrip(b"\0").decode()
            if user is None or not user.md5 or not auth.check_md5(user.md5, salt, response):
                self.server.audit_login_failure(self, user_name, "bad password")
                raise fail
            return
        if method == "password":
            await self.send(backend.auth_cleartext())
            msg = await self.next_message()
            if not isinstance(msg, frontend.AuthResponse):
                raise ProtocolViolation("expected password message")
            pw = msg.data.rstrip(b"\0").decode()
            if user is None or not auth.check_password(user.scram, pw):
                self.server.audit_login_failure(self, user_name, "bad password")
                raise fail
            return
        await self._scram(user, user_name, fail)

    async def _scram(self, user: User | None, user_name: str, fail: DbError) -> None:
        await self.send(backend.auth_sasl(["SCRAM-SHA-256"]))
        msg = await self.next_message()
        if not isinstance(msg, frontend.AuthResponse):
            raise ProtocolViolation("expected SASLInitialResponse")
        r = frontend._Reader(msg.data)
        mech = r.cstr()
        if mech != "SCRAM-SHA-256":
            raise DbError("28000", f"unsupported SASL mechanism {mech}")
        n = r.int32()
        client_first = r.take(n).decode() if n >= 0 else ""
        ex = auth.ScramExchange(user.scram if user else None)
        try:
            await self.send(backend.auth_sasl_continue(ex.first(client_first).encode()))
            msg = await self.next_message()
            if not isinstance(msg, frontend.AuthResponse):
                raise ProtocolViolation("expected SASLResponse")
            final = ex.final(msg.data.decode())
        except (auth.ScramError, ValueError, UnicodeDecodeError):
            self.server.audit_login_failure(self, user_name, "bad password")
            raise fail from None
        await self.send(backend.auth_sasl_final(final.encode()))

    # ------------------------------------------------------------ main loop

    async def _loop(self) -> None:
        while True:
            msg = await self.next_message(idle=True)
            if isinstance(msg, frontend.Terminate):
                raise Disconnect()
            if isinstance(msg, frontend.Query):
                await self._simple_query(msg.sql)
            elif isinstance(msg, frontend.Sync):
                await self._sync()
            elif isinstance(msg, frontend.Flush):
                await self._flush_ops()
            elif isinstance(msg, (frontend.CopyData, frontend.CopyDone, frontend.CopyFail)):
                continue  # outside COPY these are ignored, as PostgreSQL does
            elif isinstance(msg, frontend.FunctionCall):
                await self.send(
                    backend.error_response("0A000", "the function call protocol is not supported")
                )
            elif self.skipping:
                continue
            else:
                try:
                    await self._extended(msg)
                except DbError as e:
                    await self._flush_ops()
                    await self.send(e.to_wire())
                    self._error_in_extended()

    def _error_in_extended(self) -> None:
        self.skipping = True
        if self.status == "T":
            self.status = "E"

    async def _engine(
        self, ops: list[dict[str, Any]], blobs: list[bytes | None] | None = None
    ) -> dict[str, Any]:
        if self.channel is None:
            # The session entered a container that is not open (ALTER SESSION SET CONTAINER).
            if ops and ops[-1]["op"] == "sync" and len(ops) == 1:
                return {"status": self.status}
            await self.send(ora(1219).to_wire())
            return {"failed": True}
        if not any(op["op"] in _TIMED_OPS for op in ops):
            res = await self.channel.request(ops, blobs or [], self.send)
        else:
            res = await self._governed_request(ops, blobs or [])
        if "status" in res:
            self.status = res["status"]
        return res

    async def _governed_request(self, ops: list[dict[str, Any]], blobs: list[bytes | None]) -> dict[str, Any]:
        """A request that runs statements: under the statement timeout, after the PDB's I/O
        buckets allow it and the CPU scheduler gives it a slot."""
        assert self.channel is not None
        gov = self.gov = self.runtime.pdb_governor(self.con_id)
        lim, user_limits = (gov.limits if gov else None), self._user_limits()
        timeout = self._session_limit("STATEMENT_TIMEOUT", "statement_timeout", lim, user_limits)
        deadline = asyncio.get_running_loop().time() + timeout / 1000 if timeout else None
        if gov is not None:
            try:
                async with asyncio.timeout_at(deadline):
                    await gov.io_bytes.wait()
                    await gov.io_ops.wait()
                    await self.runtime.governor.admit(gov)
            except TimeoutError:
                # Timed out waiting for a slot: nothing of the request ran.
                await self.send(DbError("57014", "canceling statement due to statement timeout").to_wire())
                if self.status == "T":
                    self.status = "E"
                return {"failed": True}
        max_result = self._session_limit("MAX_RESULT_SIZE", None, lim, user_limits)
        if max_result != self.channel.max_result_bytes:
            ops = [{"op": "session_limits", "max_result_bytes": max_result}, *ops]
            self.channel.max_result_bytes = max_result
        timer = None
        if deadline is not None:
            timer = asyncio.get_running_loop().call_at(
                deadline, lambda: asyncio.ensure_future(self.cancel("statement timeout"))
            )
        try:
            res = await self.channel.request(ops, blobs, self.send)
        finally:
            if timer is not None:
                timer.cancel()
            if gov is not None:
                self.runtime.governor.release(gov)
                eng = self.runtime.engine(self.con_id)
                sampler.sample_soon(gov, eng.pid if eng else None)
        if gov is not None and res.get("error") == "53200":
            gov.usage.oom_count += 1
        return res

    # ------------------------------------------------------------ simple protocol

    async def _simple_query(self, sql: str) -> None:
        try:
            parsed = stmts.split(sql)
        except stmts.SqlSyntaxError as e:
            await self.send(backend.error_response("42601", str(e)) + backend.ready_for_query(self.status))
            return
        if not parsed:
            await self.send(backend.empty_query_response() + backend.ready_for_query(self.status))
            return
        group: list[dict[str, Any]] = []
        views: list[str] = []
        ok = True
        for st in parsed:
            local = self._is_local(st)
            refusal = None if local else self._refusal(st)
            if local or refusal is not None:
                # Statements before this one run first: a message stops at its first error.
                if group:
                    ok = not (
                        await self._engine(self._dictionary_ops(views) + [{"op": "query", "stmts": group}])
                    ).get("failed")
                    group, views = [], []
                    if not ok:
                        break
                try:
                    if refusal is not None:
                        raise refusal
                    await self._run_local(st, describe=True)
                except DbError as e:
                    await self.send(e.to_wire())
                    if self.status == "T":
                        self.status = "E"
                    ok = False
                    break
            else:
                group.append(st.engine_op(analysis.result_names(st)))
                views += dictionary_views.referenced_views(st)
        if ok and group:
            await self._engine(self._dictionary_ops(views) + [{"op": "query", "stmts": group}])
        await self.send(backend.ready_for_query(self.status))

    def _refusal(self, st: stmts.Statement) -> DbError | None:
        """The sandbox's and the lockdown profile's verdict on a statement bound for an engine,
        audited when they refuse."""
        a = analysis.analyze(st)
        v = sandbox.check(a)
        if v is None:
            v = self._whitelist_violation(a)
        if v is None:
            assert self.user is not None
            v = privileges.check(self.cdb.cat, self.user, self.con_id, st, a, DICTIONARY_VIEWS)
        if v is None:
            return self._lockdown_refusal(st, a)
        if v.rule == "UNPARSED":
            err = DbError(
                "42601", f"syntax error: {v.message}", hint="DuckCDB refuses statements it cannot analyse"
            )
        else:
            err = DbError("42501", f"permission denied: {v.message}")
        self.server.audit_refusal(self, st.text, v.rule, err.sqlstate, err.message)
        return err

    def _whitelist_violation(self, a: analysis.Analysis) -> sandbox.Violation | None:
        """ALLOWED SCHEMAS of the session's user, read each time: a change applies at once."""
        assert self.user is not None
        stamp = self.cdb.cat.change_stamp()
        if stamp is None or stamp != self._allowed_stamp:
            self._allowed = self.cdb.cat.allowed_schemas(self.user.name, self.user.con_id)
            self._allowed_stamp = stamp
        return whitelist.check(self._allowed, a, DICTIONARY_VIEWS)

    def _lockdown_refusal(self, st: stmts.Statement, a: analysis.Analysis | None = None) -> DbError | None:
        """ORA-01031 when the lockdown profile in force in this container disables st; audited."""
        assert self.user is not None
        v = lockdown.check(self.cdb.cat, self.con_id, self.user.common, st, a)
        if v is None:
            return None
        err = DbError("42501", v.message)  # v.message: "ORA-01031: insufficient privileges: ..."
        self.server.audit_refusal(self, st.text, v.rule, err.sqlstate, err.message)
        return err

    @staticmethod
    def _is_local(st: stmts.Statement) -> bool:
        """Statements the proxy answers itself: container, user and session commands."""
        return (
            st.kind in LOCAL_KINDS
            or st.kind in ("copy", "listen", "notify", "unlisten")
            or container_commands.is_user_command(st)
            or container_commands.is_lockdown_command(st)
            or container_commands.is_object_grant(st)
            or container_commands.is_resource_command(st)
            or container_commands.is_plan_command(st)
        )

    def _dictionary_ops(self, views: list[str]) -> list[dict[str, Any]]:
        """The dictionary views a statement reads, computed for this container, as an engine op."""
        if not views:
            return []
        tables = dictionary.payload(self.cdb.cat, self.con_id, sorted(set(views)), self.cdb)
        return [{"op": "dictionary", "tables": tables}]

    async def _run_local(self, st: stmts.Statement, describe: bool) -> None:
        refusal = self._lockdown_refusal(st)  # SET, ALTER SESSION, COPY, user and container commands
        if refusal is not None:
            raise refusal
        if st.kind == "copy":
            await self._copy(st)
            return
        if self.status == "E":
            raise DbError(
                "25P02", "current transaction is aborted, commands ignored until end of transaction block"
            )
        if container_commands.is_object_grant(st):
            assert self.user is not None
            cmd_o = object_privs_sql.parse_object_grant(st)
            tag = object_privs_sql.execute_object_grant(
                self.cdb.cat, cmd_o, con_id=self.con_id, actor=self.user
            )
            await self.send(backend.command_complete(tag))
        elif container_commands.is_lockdown_command(st):
            assert self.user is not None
            cmd = lockdown_sql.parse_lockdown_command(st)
            tag = lockdown_sql.execute_lockdown_command(
                self.cdb.cat, cmd, con_id=self.con_id, actor=self.user
            )
            await self.send(backend.command_complete(tag))
        elif container_commands.is_plan_command(st):
            assert self.user is not None
            call = resource_plan_sql.parse(st)
            tag = resource_plan_sql.execute(self.cdb.cat, call, self.con_id, self.user)
            if call.procedure not in resource_plan_sql.PENDING_AREA:
                await resource_sql.apply_to_open_pdbs(self.cdb)
            await self.send(backend.command_complete(tag))
        elif container_commands.is_resource_command(st):
            assert self.user is not None
            cmd_r = resource_sql.parse(st)
            if isinstance(cmd_r, resource_sql.ShowResources):
                rows = await resource_sql.show_resources(self.cdb, self.con_id)
                await self._rows(_text_columns(resource_sql.RESOURCE_COLUMNS), rows, describe)
                return
            if isinstance(cmd_r, resource_sql.ShowParameters):
                rows_p = resource_sql.show_rows(self.cdb, self.con_id, cmd_r.pattern)
                await self._rows(_text_columns(resource_sql.PARAMETER_COLUMNS), rows_p, describe)
                return
            tag = await resource_sql.execute(self.cdb, cmd_r, self.con_id, self.user)
            await self.send(backend.command_complete(tag))
        elif container_commands.is_user_command(st):
            assert self.user is not None
            md5 = self.server.config.get("auth", "method") == "md5"
            cmd = users_sql.parse_user_command(st)
            tag = users_sql.execute_user_command(
                self.cdb.cat, cmd, con_id=self.con_id, actor=self.user, md5=md5
            )
            await self.send(backend.command_complete(tag))
        elif st.kind == "admin":
            await admin.run_admin(self, st, describe)
        elif st.kind == "set":
            await set_show.run_set(self, st)
        elif st.kind == "reset":
            await set_show.run_reset(self, st)
        elif st.kind == "show":
            await set_show.run_show(self, st, describe)
        elif st.kind == "discard":
            self.params = {k: v.default for k, v in params.PARAMS.items()} | {
                "session_authorization": self.params["session_authorization"],
                "is_superuser": self.params["is_superuser"],
            }
            await self._engine([{"op": "timezone", "value": self.params["timezone"]}])
            await self.send(backend.command_complete("DISCARD ALL"))
        elif st.kind in ("listen", "notify", "unlisten"):
            if st.kind == "unlisten":
                await self.send(backend.command_complete("UNLISTEN"))
                return
            raise DbError(
                "0A000", f"{st.kind.upper()} is not supported: DuckCDB has no asynchronous notifications"
            )

    # ------------------------------------------------------------ SET / SHOW / RESET

    async def _rows(
        self,
        cols: list[backend.Column],
        rows: list[tuple[object, ...]],
        describe: bool,
        tag: str | None = None,
    ) -> None:
        out = backend.row_description(cols) if describe else b""
        out += backend.text_rows(rows)
        out += backend.command_complete(tag or f"SELECT {len(rows)}")
        await self.send(out)

    # ------------------------------------------------------------ container commands

    async def _set_container(self, name: str) -> None:
        """Move this session to another container's engine (common users with SET CONTAINER)."""
        assert self.user is not None
        target = self.cdb.find(name)
        if target is None:
            raise ora(65011, name=name)
        if self.status != "I":
            raise ora(65023, name=self.container.name if self.container else "")
        allowed = self.user.name == "SYS" or (
            self.user.common and self.cdb.cat.has_privilege(self.user, target.con_id, "SET CONTAINER")
        )
        if not allowed or target.con_id == SEED_ID:
            raise ora(1031)
        old = self.channel
        self.channel = None
        if old is not None:
            old.close()
        await self._enter(target)
        # A closed container can be entered; its queries fail with ORA-01219 until it opens.
        if target.is_open and self.runtime.engine(target.con_id) is not None:
            self.channel = await self._open_channel(self.params["timezone"])

    async def reattach(self) -> None:
        """Move to the container's new engine after OPEN FORCE: the open transaction is gone,
        named prepared statements are prepared again so that drivers can keep using them."""
        if self.closed or self.container is None:
            return
        assert self.user is not None
        c = self.cdb.cat.container_by_id(self.con_id)
        if c is None or (
            c.restricted and not self.cdb.cat.has_privilege(self.user, c.con_id, "RESTRICTED SESSION")
        ):
            await self.terminate(
                "57P01", "terminating connection: the pluggable database was reopened RESTRICTED"
            )
            return
        old, self.channel = self.channel, None
        if old is not None:
            old.close()
        fresh = await self._open_channel(self.params["timezone"])
        if self.engine_statements:

            async def discard(_: bytes) -> None:
                pass

            await fresh.request([*self.engine_statements.values(), {"op": "sync"}], [], discard)
        self.channel = fresh
        self.status = "I"

    async def _copy(self, st: stmts.Statement) -> None:
        if self.status == "E":
            raise DbError(
                "25P02", "current transaction is aborted, commands ignored until end of transaction block"
            )
        try:
            spec = parse_copy(st)
        except DbError as e:
            if e.sqlstate == "42501":
                self.server.audit_refusal(self, st.text, "SANDBOX_FILES", e.sqlstate, e.message)
            raise
        if spec.direction == "out":
            await self._engine([{"op": "copy_out", "spec": spec.to_json()}])
            return
        res = await self._engine([{"op": "copy_in", "spec": spec.to_json()}])
        if not res.get("copy_in") or self.channel is None:
            return  # the engine refused (unknown table, aborted transaction): its error was sent
        while True:
            msg = await self.next_message()
            if isinstance(msg, frontend.CopyData):
                self.channel.send(channel.frame(channel.COPY_CHUNK, msg.data))
                if self.channel.writer is not None:
                    await self.channel.writer.drain()
            elif isinstance(msg, frontend.CopyDone):
                self.channel.send(channel.pack_request({"ops": [{"op": "copy_done"}]}))
                break
            elif isinstance(msg, frontend.CopyFail):
                self.channel.send(
                    channel.pack_request({"ops": [{"op": "copy_fail", "message": msg.message}]})
                )
                break
            elif isinstance(msg, (frontend.Flush, frontend.Sync)):
                continue
            else:
                self.channel.send(
                    channel.pack_request(
                        {"ops": [{"op": "copy_fail", "message": "unexpected message during COPY"}]}
                    )
                )
                await self.channel.pump(self.send)
                raise ProtocolViolation(f"unexpected message type during COPY: {type(msg).__name__}")
        res = await self.channel.pump(self.send)
        if "status" in res:
            self.status = res["status"]

    # ------------------------------------------------------------ extended protocol

    async def _extended(self, msg: frontend.FrontendMessage) -> None:
        if isinstance(msg, frontend.Parse):
            await self._parse(msg)
        elif isinstance(msg, frontend.Bind):
            if msg.statement in self.local_statements:
                await self._flush_ops()
                self.local_portals[msg.portal] = self.local_statements[msg.statement]
                await self.send(backend.BIND_COMPLETE)
                return
            self.local_portals.pop(msg.portal, None)
            parsed = self.parsed_statements.get(msg.statement)
            if parsed is not None:
                # A lockdown profile changed since the Parse applies to this execution.
                refusal = self._lockdown_refusal(parsed)
                if refusal is not None:
                    raise refusal
            # Dictionary views are read as of each execution, not as of the Parse.
            self.pending_ops += self._dictionary_ops(self.statement_views.get(msg.statement, []))
            base = len(self.pending_blobs)
            self.pending_blobs.extend(msg.params)
            self.pending_ops.append(
                {
                    "op": "bind",
                    "portal": msg.portal,
                    "stmt": msg.statement,
                    "pformats": msg.param_formats,
                    "params": list(range(base, base + len(msg.params))),
                    "rformats": msg.result_formats,
                }
            )
        elif isinstance(msg, frontend.Describe):
            local = (self.local_statements if msg.kind == "S" else self.local_portals).get(msg.name)
            if local is not None:
                await self._flush_ops()
                out = backend.parameter_description([]) if msg.kind == "S" else b""
                await self.send(out + self._local_description(local))
                return
            self.pending_ops.append({"op": "describe", "kind": msg.kind, "name": msg.name})
        elif isinstance(msg, frontend.Execute):
            local = self.local_portals.get(msg.portal)
            if local is not None:
                await self._flush_ops()
                if local.stmt is None:
                    await self.send(backend.empty_query_response())
                else:
                    await self._run_local(local.stmt, describe=False)
                return
            self.pending_ops.append({"op": "execute", "portal": msg.portal, "max_rows": msg.max_rows})
            if len(self.pending_ops) > 256:
                await self._flush_ops()
        elif isinstance(msg, frontend.Close):
            table = self.local_statements if msg.kind == "S" else self.local_portals
            if table.pop(msg.name, None) is not None:
                await self._flush_ops()
                await self.send(backend.CLOSE_COMPLETE)
                return
            if msg.kind == "S":
                self.engine_statements.pop(msg.name, None)
            self.pending_ops.append({"op": "close", "kind": msg.kind, "name": msg.name})

    def _local_description(self, local: LocalStatement) -> bytes:
        st = local.stmt
        if st is not None and container_commands.is_resource_command(st):
            cols = resource_sql.columns_of(resource_sql.parse(st))
            return backend.row_description(_text_columns(cols)) if cols else backend.NO_DATA
        if st is not None and st.kind == "admin" and st.words[:2] == ("SHOW", "PDBS"):
            return backend.row_description(admin.PDBS_COLUMNS)
        if st is not None and st.kind in ("show", "admin") and st.words[:1] == ("SHOW",):
            name = st.tokens[1].text.lower() if len(st.tokens) > 1 else "setting"
            return backend.row_description([backend.Column(name if st.kind == "show" else name.upper(), 25)])
        return backend.NO_DATA

    async def _parse(self, msg: frontend.Parse) -> None:
        try:
            parsed = stmts.split(msg.sql)
        except stmts.SqlSyntaxError as e:  # an ErrorResponse, as in a simple query; the session goes on
            raise DbError(e.sqlstate, str(e)) from e
        if len(parsed) > 1:
            raise DbError("42601", "cannot insert multiple commands into a prepared statement")
        if not parsed:
            await self._flush_ops()
            self.local_statements[msg.name] = LocalStatement(None)
            await self.send(backend.PARSE_COMPLETE)
            return
        st = parsed[0]
        if self._is_local(st):
            await self._flush_ops()
            self.local_statements[msg.name] = LocalStatement(st)
            await self.send(backend.PARSE_COMPLETE)
            return
        refusal = self._refusal(st)
        if refusal is not None:
            raise refusal
        self.local_statements.pop(msg.name, None)
        self.parsed_statements[msg.name] = st
        views = dictionary_views.referenced_views(st)
        if views:
            self.statement_views[msg.name] = views
        else:
            self.statement_views.pop(msg.name, None)
        self.pending_ops += self._dictionary_ops(views)
        op = {
            "op": "parse",
            "name": msg.name,
            **st.engine_op(analysis.result_names(st)),
            "param_oids": msg.param_oids or list(st.param_oids),
            "param_count": st.param_count,
        }
        self.pending_ops.append(op)
        if msg.name:
            self.engine_statements[msg.name] = op

    async def _flush_ops(self) -> None:
        if not self.pending_ops:
            return
        ops, blobs = self.pending_ops, self.pending_blobs
        self.pending_ops, self.pending_blobs = [], []
        res = await self._engine(ops, blobs)
        if res.get("failed"):
            self.skipping = True

    async def _sync(self) -> None:
        if not self.skipping:
            self.pending_ops.append({"op": "sync"})
            await self._flush_ops()
        else:
            self.pending_ops, self.pending_blobs = [], []
            await self._engine([{"op": "sync"}])
        self.skipping = False
        await self.send(backend.ready_for_query(self.status))

    async def cancel(self, reason: str = "user request") -> None:
        """Interrupt the statement this session runs (CancelRequest, statement timeout)."""
        eng = self.runtime.engine(self.con_id)
        if eng is not None and self.channel is not None:
            await eng.cancel(self.channel.session_id, reason)
