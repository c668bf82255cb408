"""The FastAPI application: problem+json errors, the audit of every mutating request and of every
refusal, Idempotency-Key replay, the OpenAPI document and a self-contained docs page."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from importlib import resources as pkg_resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware

from api import admin_rest, graphql, links, metering_routes, rest
from api.core import Api, client_of
from api.problems import ApiError, db_problem, problem, title_of
from conf import VERSION
from metering.prom import render_metrics
from pgwire.errors import DbError

log = logging.getLogger("duckcdb.api")
MUTATING = frozenset({"POST", "PUT", "DELETE", "PATCH"})


@dataclass
class Replay:
    body_sha: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes


# prometheus_client.CONTENT_TYPE_LATEST
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def create_app(api: Api) -> Any:
    app = FastAPI(
        title="DuckCDB management API",
        version=VERSION,
        description="Tenants, PDBs, resources and isolation of a DuckCDB container, over the same "
        "operations as its admin SQL. Bearer tokens: POST /api/v1/auth/token or CREATE API KEY.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.api = api

    @app.exception_handler(ApiError)
    async def api_error(request: Request, e: ApiError) -> JSONResponse:
        headers: dict[str, str] = {}
        extra = dict(e.extra)
        if "retry_after" in extra:
            headers["Retry-After"] = str(extra.pop("retry_after"))
        if "www_authenticate" in extra:
            headers["WWW-Authenticate"] = str(extra.pop("www_authenticate"))
        request.state.sqlstate = extra.get("sqlstate")
        return problem(e.status, e.title, e.detail, headers=headers or None, **extra)

    @app.exception_handler(DbError)
    async def db_error(request: Request, e: DbError) -> JSONResponse:
        request.state.sqlstate = e.sqlstate
        return db_problem(e)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException) -> JSONResponse:
        return problem(
            e.status_code, title_of(e.status_code), str(e.detail) if e.detail else None, headers=e.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(x) for x in err.get("loc", ()) if x != "body"),
                "message": err.get("msg", ""),
            }
            for err in e.errors()
        ]
        first = errors[0]["field"] if errors else ""
        return problem(
            422,
            "invalid request",
            f"{first}: {errors[0]['message']}" if errors else None,
            field=first,
            errors=errors,
        )

    async def audit_and_replay(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if request.method not in MUTATING or not path.startswith("/api/v1/"):
            return await call_next(request)
        if path == "/api/v1/graphql":
            # GraphQL: a mutation is audited as one (a query is a read, whatever its verb)
            mutation = b"mutation" in await request.body()
            response = await call_next(request)
            if mutation:
                await api.acknowledge_change()
                _audit(api, request, response.status_code)
            return response
        response = await _replayable(api, request, call_next)
        await api.acknowledge_change()
        if not path.startswith("/api/v1/auth/token"):
            _audit(api, request, response.status_code)
        return response

    app.include_router(rest.router(api))
    app.include_router(admin_rest.router(api))
    app.include_router(metering_routes.router(api))
    links.install(app)
    app.include_router(graphql.router(api), prefix="/api/v1")

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus' scrape (metering.prom): on the API's listener, 127.0.0.1 by default, no token."""
        return Response(render_metrics(api.server.metering), media_type=PROMETHEUS_TEXT)

    @app.get("/api/v1/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(pkg_resources.files("api").joinpath("docs.html").read_text())

    return _MutatingOnly(app, BaseHTTPMiddleware(app, dispatch=audit_and_replay))


class _MutatingOnly:
    """Reads go straight to the application; only mutating requests pass the audit and replay
    middleware (BaseHTTPMiddleware costs ~0.2 ms a request)."""

    def __init__(self, app: FastAPI, mutating: Any) -> None:
        self.app = app
        self.mutating = mutating

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in MUTATING:
            await self.mutating(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _audit(api: Api, request: Request, status: int) -> None:
    """Every mutating request: who, what, the result (its SQLSTATE when it failed)."""
    p = getattr(request.state, "principal", None)
    # a GraphQL request answers 200 whatever its mutations did: each one's outcome is on the request
    mutations = getattr(request.state, "graphql_mutations", None)
    ok = status < 400 and not getattr(request.state, "graphql_failed", False)
    sqlstate = getattr(request.state, "sqlstate", None) or ("00000" if ok else "")
    con_id = p.user.con_id if p else 0
    c = api.cdb.cat.container_by_id(con_id) if p else None
    api.cdb.cat.add_audit(
        con_id,
        c.name if c else "",
        p.user.name if p else "",
        client_of(request),
        "API",
        f"{request.method} {request.url.path}",
        "API_CALL",
        sqlstate,
        f"HTTP {status}" + (f"; {', '.join(mutations)}" if mutations else ""),
    )


async def _replayable(api: Api, request: Request, call_next: Any) -> Response:
    """POST with Idempotency-Key: the first answer is kept (per token and path) and given again to
    every retry with the same key; the same key with another body is 422."""
    key = request.headers.get("idempotency-key")
    if request.method != "POST" or not key:
        return await call_next(request)
    token = hashlib.sha256(request.headers.get("authorization", "").encode()).hexdigest()
    body_sha = hashlib.sha256(await request.body()).hexdigest()
    slot = (token, key, request.url.path)
    while True:
        entry = api.idempotent.get(slot)
        if isinstance(entry, asyncio.Future):
            await asyncio.shield(entry)
            continue
        break
    if isinstance(entry, Replay):
        if entry.body_sha != body_sha:
            return problem(
                422, "Idempotency-Key reused", "this key was used with another body", field="Idempotency-Key"
            )
        headers = dict(entry.headers)
        headers["Idempotent-Replayed"] = "true"
        return Response(entry.body, status_code=entry.status, headers=headers)
    fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    api.idempotent[slot] = fut
    try:
        response = await call_next(request)
        body = b"".join([chunk async for chunk in response.body_iterator])
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        if response.status_code < 500 and response.status_code not in (401, 429):
            api.idempotent[slot] = Replay(body_sha, response.status_code, headers, body)
            if len(api.idempotent) > 10000:
                api.idempotent.pop(next(iter(api.idempotent)))
        else:
            api.idempotent.pop(slot, None)
        return Response(body, status_code=response.status_code, headers=dict(headers))
    except BaseException:
        api.idempotent.pop(slot, None)
        raise
    finally:
        fut.set_result(None)
