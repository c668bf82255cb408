"""The HTTP listener: uvicorn serving the API inside the server's own event loop (no second
process), on [http] host:port, with the server's TLS certificate when TLS is configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn

from api.app import create_app
from api.core import Api
from api.keys import Tokens

log = logging.getLogger("duckcdb.api")


class _Uvicorn(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the server's own loop handles SIGINT / SIGTERM (proxy.cli)


class HttpListener:
    def __init__(self, server: Any) -> None:
        self.server = server
        cfg = server.config
        self.api = Api(
            server,
            Tokens(server.cdb, float(cfg.get("http", "token_ttl_s"))),
            float(cfg.get("http", "rate_limit_per_s")),
            float(cfg.get("http", "rate_limit_burst")),
        )
        self.sock: socket.socket | None = None
        self._uv: _Uvicorn | None = None
        self._task: asyncio.Task[None] | None = None
        self.tls = False

    @property
    def port(self) -> int:
        assert self.sock is not None
        return self.sock.getsockname()[1]

    @property
    def url(self) -> str:
        host = self.server.config.get("http", "host")
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}/api/v1"

    async def start(self) -> None:
        cfg = self.server.config
        host, port = cfg.get("http", "host"), int(cfg.get("http", "port"))
        self.api.recover_operations()
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
        sock.listen(1024)
        sock.setblocking(False)
        self.sock = sock
        kw: dict[str, Any] = {}
        cert, key = self._certificate()
        if cert:
            kw = {"ssl_certfile": cert, "ssl_keyfile": key}
            self.tls = True
        config = uvicorn.Config(
            create_app(self.api),
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop="none",
            http="h11",
            timeout_graceful_shutdown=2,
            **kw,
        )
        self._uv = _Uvicorn(config)
        self._task = asyncio.get_running_loop().create_task(self._uv.serve(sockets=[sock]))
        while not self._uv.started and not self._task.done():
            await asyncio.sleep(0.01)
        if self._task.done():
            self._task.result()

    def _certificate(self) -> tuple[str | None, str | None]:
        cfg = self.server.config
        cert = cfg.get("tls", "cert_file")
        key = cfg.get("tls", "key_file")
        if not cert and self.server.ssl_context is not None:
            tls_dir = cfg.data_dir / "tls"  # proxy.tls.ensure_certificate's files
            if (tls_dir / "server.crt").exists() and (tls_dir / "server.key").exists():
                return str(tls_dir / "server.crt"), str(tls_dir / "server.key")
        return (str(cert), str(key) if key else None) if cert else (None, None)

    async def stop(self) -> None:
        if self._uv is not None:
            self._uv.should_exit = True
        if self._task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(self._task, 5)
        for t in list(self.api.tasks):
            t.cancel()
