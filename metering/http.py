"""A minimal HTTP/1.1 listener in the server's own event loop, serving GET /metrics (Prometheus)
and nothing else, started only when conf [http] enabled = true. It is a stopgap until the REST
API's listener (issue 17, FastAPI on uvicorn in the same loop) mounts render_metrics at /metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from metering.prom import CONTENT_TYPE

log = logging.getLogger("duckcdb.http")

MAX_REQUEST = 16384


async def serve(host: str, port: int, render: Callable[[], bytes]) -> asyncio.Server:
    """Listen on host:port; GET /metrics answers render(); anything else 404 or 405."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):
                head = await reader.readuntil(b"\r\n\r\n")
            if len(head) > MAX_REQUEST:
                raise ValueError("request too large")
            method, path, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            path = path.split("?", 1)[0]
            if path != "/metrics":
                status, body, ctype = "404 Not Found", b"not found\n", "text/plain"
            elif method not in ("GET", "HEAD"):
                status, body, ctype = "405 Method Not Allowed", b"GET only\n", "text/plain"
            else:
                status, body, ctype = "200 OK", render(), CONTENT_TYPE
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n".encode("latin-1")
            )
            if method != "HEAD":
                writer.write(body)
            await writer.drain()
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
            ValueError,
            ConnectionError,
        ):
            pass
        except Exception:  # a bug ends this request only
            log.exception("HTTP request failed")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, host, port, limit=MAX_REQUEST)
    log.info("metrics on http://%s:%s/metrics", host, server.sockets[0].getsockname()[1])
    return server
