"""The server: the data directory (one server at a time), the listener and its front door, the
engines (adopted or started), the audit of logins, and an orderly stop."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import logging
import os
import socket
import ssl
from pathlib import Path

from api.listener import HttpListener
from catalog import lifecycle
from catalog.cdb import Cdb
from catalog.store import Container
from conf import Config
from metering import ops as metering_ops
from metering.service import Metering, storage_sizes
from pgwire.errors import DbError, ProtocolViolation
from proxy import engine_requests
from proxy.frontdoor import Disconnect, FrontDoor
from proxy.logins import LOCAL, LockoutPolicy, LoginThrottle
from proxy.sessions import Sessions
from proxy.supervisor import Supervisor
from proxy.tls import ensure_certificate
from tenants import autoscale as tenant_autoscale
from tenants import backups as tenant_backups
from tenants import ops as tenant_ops

log = logging.getLogger("duckcdb.server")
audit = logging.getLogger("duckcdb.audit")


class DataDirInUse(Exception):
    pass


def lock_data_dir(data_dir: Path) -> int:
    """An exclusive lock on the data directory for this server's life; DataDirInUse (with the
    holder's PID) when another server has it. Nothing in the directory is touched before."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / "server.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise DataDirInUse(f"data directory {data_dir} in use by PID {holder}") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _listen_unix(path: Path) -> tuple[socket.socket, Path] | None:
    """A listening unix socket at path (libpq's .s.PGSQL.<port>); a file left by a server that
    died is replaced, one that a live server answers on is left alone (None)."""
    if path.exists():
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(str(path))
        except OSError:
            path.unlink(missing_ok=True)
        else:
            log.warning("%s is served by another server: not listening there", path)
            return None
        finally:
            probe.close()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
    except OSError as e:
        log.warning("cannot listen on %s: %s", path, e)
        sock.close()
        return None
    os.chmod(path, 0o777)  # as PostgreSQL's unix_socket_permissions: passwords still apply
    sock.listen(1024)
    sock.setblocking(False)
    return sock, path


class Server:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.cdb = Cdb(config)
        self.supervisor = Supervisor(self.cdb)
        self.sessions = Sessions(self.supervisor)
        self.supervisor.sessions = self.sessions
        self.cdb.attach_runtime(self.supervisor)
        self.ssl_context: ssl.SSLContext | None = None
        self._listener: socket.socket | None = None
        self._unix: tuple[socket.socket, Path] | None = None  # the unix socket and its path
        self._accepting: list[asyncio.Task[None]] = []
        self._doors: set[asyncio.Task[None]] = set()
        self.generated_password: str | None = None
        self.logins = LoginThrottle(LockoutPolicy.from_config(config))
        self._lock_fd: int | None = None
        self.http: HttpListener | None = None
        self.metering: Metering  # set at start (it opens <data_dir>/metering.duckdb)

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
        self._lock_fd = lock_data_dir(self.config.data_dir)
        self.generated_password = self.cdb.initialize()
        self.ssl_context = self._tls()
        self.supervisor.handlers = engine_requests.handlers(self)
        # the PDBs' sizes as the outage left them, before an engine starts (metering accrues the
        # time the server was down at these sizes)
        sizes_at_start = storage_sizes(self.cdb)
        adopted = await self.supervisor.adopt()
        await lifecycle.start(self.cdb, adopted)
        await tenant_ops.recover(self.cdb)
        tenant_backups.recover(self.cdb)
        self.metering = Metering(self.cdb, self.supervisor, sizes_at_start)
        self.cdb.extra_views = {
            name: functools.partial(fn, self.metering) for name, fn in metering_ops.VIEWS.items()
        }
        self.supervisor.watch_catalog()
        host = self.config.get("server", "host")
        port = int(self.config.get("server", "port"))
        self._listener = self._listen(host, port)
        loop = asyncio.get_running_loop()
        self._accepting.append(loop.create_task(self._accept_loop(self._listener)))
        self._accepting.append(loop.create_task(tenant_ops.purge_loop(self.cdb)))
        self._accepting.append(loop.create_task(tenant_backups.schedule_loop(self.cdb)))
        self._accepting.append(loop.create_task(tenant_autoscale.loop(self.cdb)))
        self._accepting.append(loop.create_task(self.metering.loop()))
        if self.config.get("http", "enabled"):
            self.http = HttpListener(self)
            try:
                await self.http.start()
            except OSError as e:
                log.warning("HTTP API not listening: %s", e)
                self.http = None
        unix_dir = self.config.get("server", "unix_socket_dir")
        if unix_dir:
            self._unix = _listen_unix(Path(unix_dir) / f".s.PGSQL.{self.port}")
            if self._unix is not None:
                self._accepting.append(loop.create_task(self._accept_loop(self._unix[0])))

    @staticmethod
    def _listen(host: str, port: int) -> socket.socket:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
        sock.listen(1024)
        sock.setblocking(False)
        return sock

    @property
    def port(self) -> int:
        assert self._listener is not None
        return self._listener.getsockname()[1]

    async def _accept_loop(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                sock, addr = await loop.sock_accept(listener)
            except OSError as e:
                log.warning("accept failed: %s", e)
                await asyncio.sleep(0.1)
                continue
            sock.setblocking(False)
            peer = str(addr[0]) if isinstance(addr, tuple) else LOCAL
            task = loop.create_task(self._door(sock, peer))
            self._doors.add(task)
            task.add_done_callback(self._doors.discard)

    async def _door(self, sock: socket.socket, peer: str) -> None:
        """One connection up to its handoff (or its end)."""
        door = FrontDoor(self, sock, peer)
        handed = False
        try:
            if len(self.sessions.by_pid) + len(self._doors) > int(
                self.config.get("server", "max_connections")
            ):
                await door.fatal("53300", "sorry, too many clients already")
                return
            timeout = float(self.config.get("server", "auth_timeout_s"))
            async with asyncio.timeout(timeout):
                startup = await door.negotiate()
                if startup is None:
                    return
                login = await door.authenticate(startup)
            await self.sessions.handoff(sock, login)
            handed = True
        except (Disconnect, ConnectionError, TimeoutError):
            pass
        except ProtocolViolation as e:
            await door.fatal(e.sqlstate, str(e))
        except DbError as e:
            await door.fatal(e.sqlstate, e.message)
        except Exception:  # a bug must end only this connection, and say so
            log.exception("login from %s failed", peer)
            await door.fatal(
                "XX000", "internal error in DuckCDB; the connection is closed (see the server log)"
            )
        finally:
            if not handed and sock.fileno() >= 0:
                with contextlib.suppress(OSError):
                    sock.close()

    # ------------------------------------------------------------ logins

    def audit_login_failure(self, peer: str, container: Container | None, user: str, reason: str) -> None:
        audit.warning("login failed: user=%s from=%s reason=%s", user, peer, reason)
        self.logins.failed(user, container.name if container else "", peer)
        self.cdb.cat.add_audit(
            container.con_id if container else 0,
            container.name if container else "",
            user,
            peer,
            "LOGON",
            None,
            "LOGIN_FAILED",
            "28P01",
            reason,
        )

    # ------------------------------------------------------------ stop

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.stop()
        for task in self._accepting:
            task.cancel()
        if self._listener is not None:
            self._listener.close()
        if self._unix is not None:
            self._unix[0].close()
            self._unix[1].unlink(missing_ok=True)
        for t in list(self._doors):
            t.cancel()
        metering = getattr(self, "metering", None)  # absent when the start failed early
        if metering is not None:
            with contextlib.suppress(Exception):
                await self.supervisor.refresh_stats(self.supervisor.running())
            await metering.close()
        await self.supervisor.shutdown()
        await self.sessions.close_all("terminating connection due to administrator command")
        if self._lock_fd is not None:
            os.close(self._lock_fd)
