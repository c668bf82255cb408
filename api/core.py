"""What every request shares: the principal behind its bearer token, its tenant context
(X-Tenant-ID), the per-token rate limit, the audit of refusals and mutations, pagination, ETags,
Idempotency-Key replay, and long operations."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from api.keys import Tokens
from api.problems import ApiError
from catalog.cdb import Cdb
from catalog.store import Container, Operation, User
from pgwire.errors import DbError
from policies.source import ROOT_ID, SEED_ID
from tenants import gate

log = logging.getLogger("duckcdb.api")


@dataclass
class Principal:
    user: User
    admin: bool  # SYS or a common administrator: the whole container
    tenant: str | None  # a tenant user's tenant (the tenant of the PDB the user lives in)
    token_key: str  # the rate limit's key


class Bucket:
    __slots__ = ("tokens", "at")

    def __init__(self, tokens: float) -> None:
        self.tokens = tokens
        self.at = time.monotonic()


@dataclass
class Api:
    """The API's state for one server."""

    server: Any  # proxy.server.Server (its cdb, sessions, config)
    tokens: Tokens
    rate_per_s: float
    burst: float
    buckets: dict[str, Bucket] = field(default_factory=dict)
    idempotent: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    # token SHA-256 -> (catalog change stamp, expiry, principal): no catalog query per request
    # while the catalog is unchanged (a dropped key, a locked user or a new grant changes it)
    principals: dict[str, tuple[Any, float | None, Principal]] = field(default_factory=dict)
    # name -> (catalog change stamp, value): catalog reads of long lists, kept while it is unchanged
    snapshots: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def cdb(self) -> Cdb:
        return self.server.cdb

    # -------------------------------------------------------------- who

    async def principal(self, request: Request) -> Principal:
        """The request's principal, as the routes' dependency: async, so that it runs on the event
        loop, which owns the catalog's connection (a sync dependency runs in a worker thread)."""
        return self.principal_of(request)

    def principal_of(self, request: Request) -> Principal:
        cached = getattr(request.state, "principal", None)
        if cached is not None:
            return cached
        header = request.headers.get("authorization", "")
        scheme, _, bearer = header.partition(" ")
        if scheme.lower() != "bearer" or not bearer.strip():
            raise ApiError(401, "Unauthorized", "a Bearer token is required", www_authenticate="Bearer")
        key = hashlib.sha256(bearer.strip().encode()).hexdigest()
        stamp = self.cdb.cat.change_stamp()
        hit = self.principals.get(key)
        if (
            hit is not None
            and stamp is not None
            and hit[0] == stamp
            and (hit[1] is None or hit[1] > time.time())
        ):
            p = hit[2]
        else:
            ident = self.tokens.resolve(bearer.strip())
            if ident is None:
                self.principals.pop(key, None)
                raise ApiError(
                    401, "Unauthorized", "the token is unknown or expired", www_authenticate="Bearer"
                )
            if not ident.user.common:
                # the wire protocol's login gate: a suspended, migrating or terminated tenant's
                # users are refused (checked again whenever the catalog changes)
                c = self.cdb.cat.container_by_id(ident.user.con_id)
                refusal = gate.login_refusal(self.cdb.cat, c, ident.user) if c is not None else None
                if refusal is not None:
                    raise ApiError(403, "Forbidden", refusal.message, **ora_fields(refusal))
            p = self.make_principal(ident.user, key[:32])
            if stamp is not None:
                if len(self.principals) > 10000:
                    self.principals.clear()
                self.principals[key] = (stamp, ident.expires_at, p)
        self.rate_limit(p.token_key)
        request.state.principal = p
        return p

    def snapshot(self, name: str, build: Callable[[], Any]) -> Any:
        """build() as of the catalog's current state: read again only when the catalog changed
        (listing 1,000 tenants page by page reads them once). The value is shared: do not change it."""
        stamp = self.cdb.cat.change_stamp()
        hit = self.snapshots.get(name)
        if hit is not None and stamp is not None and hit[0] == stamp:
            return hit[1]
        value = build()
        if stamp is not None:
            self.snapshots[name] = (stamp, value)
        return value

    def make_principal(self, user: User, key: str) -> Principal:
        cat = self.cdb.cat
        admin = (user.name == "SYS" and user.common) or (
            user.common
            and any(
                cat.has_privilege(user, ROOT_ID, priv) for priv in ("SYSDBA", "ALTER TENANT", "CREATE TENANT")
            )
        )
        tenant = None if user.common else cat.tenant_of(user.con_id)
        return Principal(user, bool(admin), tenant, key)

    def rate_limit(self, key: str) -> None:
        now = time.monotonic()
        b = self.buckets.get(key)
        if b is None:
            b = self.buckets[key] = Bucket(self.burst)
        b.tokens = min(self.burst, b.tokens + (now - b.at) * self.rate_per_s)
        b.at = now
        if b.tokens < 1:
            retry = max(1, int((1 - b.tokens) / self.rate_per_s + 0.999))
            raise ApiError(
                429, "Too Many Requests", f"rate limit of {self.rate_per_s:g}/s per token", retry_after=retry
            )
        b.tokens -= 1

    # -------------------------------------------------------------- tenant context

    def refuse_cross_tenant(self, request: Request, p: Principal, named: str, detail: str) -> ApiError:
        """A cross-tenant attempt: written to the audit trail like a refused statement, then 403."""
        self.cdb.cat.add_audit(
            p.user.con_id,
            self._pdb_name(p.user.con_id),
            p.user.name,
            client_of(request),
            "API",
            f"{request.method} {request.url.path}",
            "CROSS_TENANT",
            "42501",
            f"{detail} (tenant {named})",
        )
        return ApiError(403, "Forbidden", detail, sqlstate="42501", ora="ORA-01031")

    def _pdb_name(self, con_id: int) -> str:
        c = self.cdb.cat.container_by_id(con_id)
        return c.name if c else ""

    def header_tenant(self, request: Request, p: Principal) -> str | None:
        """X-Tenant-ID, checked: a tenant user must send its own tenant's."""
        h = request.headers.get("x-tenant-id")
        name = h.strip().upper() if h and h.strip() else None
        if p.admin:
            return name
        if name is None:
            raise ApiError(400, "X-Tenant-ID required", "tenant users name their tenant in X-Tenant-ID")
        if p.tenant is None or name != p.tenant:
            raise self.refuse_cross_tenant(
                request, p, name, "X-Tenant-ID names another tenant than the token's"
            )
        return name

    def scope_tenant(self, request: Request, p: Principal, name: str) -> str:
        """A tenant-scoped call on tenant name: the header (if any) and the token must agree with it."""
        name = name.upper()
        header = self.header_tenant(request, p)
        if header is not None and header != name:
            raise self.refuse_cross_tenant(request, p, name, "the tenant named differs from X-Tenant-ID")
        if not p.admin and name != p.tenant:
            raise self.refuse_cross_tenant(request, p, name, "a tenant's token reaches only its own tenant")
        return name

    def scope_pdb(self, request: Request, p: Principal, name: str) -> Container:
        """A PDB-scoped call: admins reach every PDB; a tenant user only its tenant's."""
        cdb = self.cdb
        c = cdb.find(name)
        header = self.header_tenant(request, p)
        owner = cdb.cat.tenant_of(c.con_id) if c is not None else None
        if not p.admin:
            if c is None or owner != p.tenant:
                raise self.refuse_cross_tenant(
                    request, p, owner or name.upper(), "a tenant's token reaches only its tenant's PDBs"
                )
        elif header is not None and c is not None and owner != header:
            raise self.refuse_cross_tenant(
                request, p, owner or "-", "the PDB is not the X-Tenant-ID tenant's"
            )
        if c is None or c.con_id <= SEED_ID:
            raise DbError("42704", f"ORA-65011: pluggable database {name.upper()} does not exist")
        return c

    def visible_tenants(self, request: Request, p: Principal) -> set[str] | None:
        """None: every tenant (an admin without X-Tenant-ID); else the names one may see."""
        header = self.header_tenant(request, p)
        if p.admin:
            return None if header is None else {header}
        return {p.tenant} if p.tenant else set()

    async def acknowledge_change(self) -> None:
        """As the SQL path does before it acknowledges a command: every engine hears of a catalog
        change first, so a changed grant, profile or limit applies to the next statement."""
        supervisor = getattr(self.server, "supervisor", None)
        if supervisor is not None:
            try:
                await supervisor.broadcast_stamp()
            except Exception:  # noqa: BLE001 - the watcher tries again within 0.25 s
                log.exception("could not tell the engines of a catalog change")

    # -------------------------------------------------------------- operations

    def start_operation(
        self,
        p: Principal,
        kind: str,
        target: str,
        tenant: str | None,
        work: Callable[[], Awaitable[dict[str, Any]]],
    ) -> Operation:
        op = Operation(
            uuid.uuid4().hex, kind, target, tenant, p.user.name, "RUNNING", time.time(), None, None, None
        )
        self.cdb.cat.insert_operation(op)

        async def run() -> None:
            try:
                result = await work()
                await self.acknowledge_change()
            except DbError as e:
                self.cdb.cat.finish_operation(op.id, "FAILED", None, error_body(e))
            except Exception as e:  # noqa: BLE001 - a bug fails the operation, and is logged
                log.exception("operation %s (%s %s) failed", op.id, kind, target)
                self.cdb.cat.finish_operation(
                    op.id, "FAILED", None, {"title": "internal error", "detail": str(e)}
                )
            else:
                self.cdb.cat.finish_operation(op.id, "SUCCEEDED", result, None)

        task = asyncio.get_running_loop().create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return op

    def recover_operations(self) -> None:
        """Operations a stopped server left RUNNING: FAILED, interrupted (what they did is settled
        by the recovery of the PDB lifecycle and the tenants)."""
        for op in self.cdb.cat.operations():
            if op.status == "RUNNING":
                self.cdb.cat.finish_operation(
                    op.id,
                    "FAILED",
                    None,
                    {"title": "interrupted", "detail": "the server stopped while it ran"},
                )


def operation_out(op: Operation) -> dict[str, Any]:
    """A long operation as the API shows it (202 bodies, GET /operations/{id})."""
    return {
        "operation_id": op.id, "kind": op.kind, "target": op.target, "tenant": op.tenant,
        "username": op.username, "status": op.status, "created_at": op.created_at,
        "finished_at": op.finished_at, "result": op.result, "error": op.error,
    }  # fmt: skip


def ora_fields(e: DbError) -> dict[str, Any]:
    from api.problems import _ORA

    m = _ORA.match(e.message)
    return {"sqlstate": e.sqlstate, **({"ora": f"ORA-{m.group(1)}"} if m else {})}


def error_body(e: DbError) -> dict[str, Any]:
    from api.problems import _ORA, status_of

    m = _ORA.match(e.message)
    out: dict[str, Any] = {
        "title": e.message.split(":", 1)[0] if m else "database error",
        "detail": e.message,
    }
    out["sqlstate"] = e.sqlstate
    out["status"] = status_of(e)
    if m:
        out["ora"] = f"ORA-{m.group(1)}"
    return out


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


# ------------------------------------------------------------------ lists, ETags


def etag_of(body: Any) -> str:
    return '"' + hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:32] + '"'


def check_if_match(request: Request, current: Any) -> None:
    check_etag(request.headers.get("if-match"), current)


def check_etag(want: str | None, current: Any) -> None:
    """If-Match (REST's header, GraphQL's ifMatch): 412 when the resource changed since that ETag."""
    if want is None:
        return
    tags = {t.strip() for t in want.split(",")}
    if "*" in tags or etag_of(current) in tags:
        return
    raise ApiError(412, "Precondition Failed", "the resource changed since that ETag")


def encode_cursor(offset: int, sort: str | None) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "s": sort}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str | None) -> int:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = int(raw["o"])
    except Exception:  # noqa: BLE001 - any malformed cursor is the client's error
        raise ApiError(
            422, "invalid cursor", "the cursor is not one this server gave", field="cursor"
        ) from None
    if raw.get("s") != sort or offset < 0:
        raise ApiError(422, "invalid cursor", "the cursor belongs to another sort order", field="cursor")
    return offset


def page(items: list[dict[str, Any]], ls: Any, filters: dict[str, str | None]) -> dict[str, Any]:
    """Filter (exact, case-insensitive), sort (field or -field), then one page and its next cursor."""
    limit, cursor, sort = ls.limit, ls.cursor, ls.sort
    for key, want in filters.items():
        if want is not None:
            items = [i for i in items if str(i.get(key, "")).upper() == want.upper()]
    if sort:
        key = sort.lstrip("-")
        if items and key not in items[0]:
            raise ApiError(422, "invalid sort", f"cannot sort by {key}", field="sort")
        items = sorted(items, key=lambda i: (i.get(key) is None, i.get(key)), reverse=sort.startswith("-"))
    offset = decode_cursor(cursor, sort) if cursor else 0
    chunk = items[offset : offset + limit]
    nxt = encode_cursor(offset + limit, sort) if offset + limit < len(items) else None
    return {"items": chunk, "next_cursor": nxt, "total": len(items)}


def page_rows(
    rows: list[Any], ls: Any, render: Callable[[Any], dict[str, Any]], keep: Callable[[Any], bool]
) -> dict[str, Any]:
    """page() of a long list in its natural order (no sort): the rows kept, and only the page's
    rows rendered (1,000 tenants are not rendered to answer for 100). The same cursors as page()."""
    rows = [r for r in rows if keep(r)]
    offset = decode_cursor(ls.cursor, None) if ls.cursor else 0
    chunk = rows[offset : offset + ls.limit]
    nxt = encode_cursor(offset + ls.limit, None) if offset + ls.limit < len(rows) else None
    return {"items": [render(r) for r in chunk], "next_cursor": nxt, "total": len(rows)}
