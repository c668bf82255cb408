"""The authorization matrix: every endpoint of the OpenAPI document with no token, an expired
token, another tenant's admin, the tenant's own admin and SYS. Where a tenant admin's right comes
from the SQL privileges (users, roles, grants in its own PDB), the same statement is run in SQL as
that admin and the endpoint must agree with it."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.api_util import client, token
from tests.server import RunningServer

A_PW = "Matrix-A-Pw-1"
B_PW = "Matrix-B-Pw-1"
PUBLIC = {("POST", "/auth/token"), ("GET", "/health"), ("GET", "/ready"), ("GET", "/version")}
X = "NOSUCH_X"  # a name nothing has


@pytest.fixture(scope="module")
def world(server: RunningServer):
    sys_tok = token(server)
    a, b = (f"MA_{uuid.uuid4().hex[:5]}".upper(), f"MB_{uuid.uuid4().hex[:5]}".upper())
    with client(server, sys_tok) as c:
        for name, adm, pw in ((a, "MA_ADM", A_PW), (b, "MB_ADM", B_PW)):
            r = c.post(
                "/tenants",
                json={"tenant_name": name, "admin_user": adm, "admin_password": pw, "service_tier": "bronze"},
            )
            assert r.status_code == 201, r.text
    expired = token(server, ttl=1)
    a_tok = token(server, "MA_ADM", A_PW, a)
    b_tok = token(server, "MB_ADM", B_PW, b)
    session = server.connect(a, "MA_ADM", A_PW, autocommit=True)
    with client(server, sys_tok) as c:
        pid = next(
            s["pid"]
            for s in c.get("/sessions", params={"limit": 1000}).json()["items"]
            if s["container"] == a
        )
    time.sleep(1.2)
    yield {"a": a, "b": b, "sys": sys_tok, "own": a_tok, "other": b_tok, "expired": expired, "pid": pid}
    session.close()
    with client(server, token(server)) as c:
        for name in (a, b):
            c.delete(f"/tenants/{name}", params={"immediate": True})


def _rows(w: dict) -> list[tuple]:
    """(method, path, body, other, own, sys, sys_path, sys_body): expected statuses; own may be
    "sql:<statement>" (decided by what the SQL path answers that admin)."""
    a, pid = w["a"], w["pid"]
    tenant = {"tenant_name": f"M_{uuid.uuid4().hex[:5]}", "admin_user": "adm", "admin_password": "Pw-12345"}
    pdb = {"pdb_name": f"MP_{uuid.uuid4().hex[:5]}", "admin_user": "adm", "admin_password": "Pw-12345"}
    user = f"MU_{uuid.uuid4().hex[:5]}".upper()
    role = f"MR_{uuid.uuid4().hex[:5]}".upper()
    T, P = f"/tenants/{a}", f"/pdbs/{a}"
    tx, px = f"/tenants/{X}", f"/pdbs/{X}"
    rows = [
        ("GET", "/whoami", None, 200, 200, 200),
        ("GET", "/tenant-states", None, 200, 200, 200),
        ("POST", "/tenants", tenant, 403, 403, 422, None, {**tenant, "service_tier": "nosuchtier"}),
        ("GET", "/tenants", None, 200, 200, 200),
        ("GET", T, None, 403, 200, 200),
        ("PUT", T, {"contact": "x@y"}, 403, 403, 404, tx),
        ("DELETE", T, None, 403, 403, 404, tx),
        ("POST", f"{T}/undrop", None, 403, 403, 404, f"{tx}/undrop"),
        ("POST", f"{T}/suspend", {"reason": "r"}, 403, 403, 404, f"{tx}/suspend"),
        ("POST", f"{T}/resume", None, 403, 403, 404, f"{tx}/resume"),
        ("POST", f"{T}/maintenance", None, 403, 403, 404, f"{tx}/maintenance"),
        ("PUT", f"{T}/tier", {"tier": "gold"}, 403, 403, 404, f"{tx}/tier"),
        ("PUT", f"{T}/quota", {"cpu": {"max_percent": 50}}, 403, 403, 404, f"{tx}/quota"),
        ("GET", f"{T}/pdbs", None, 403, 200, 200),
        ("GET", f"{T}/events", None, 403, 200, 200),
        ("GET", f"{T}/resources", None, 403, 200, 200),
        ("GET", f"{T}/statistics", None, 403, 200, 200),
        ("GET", f"{T}/sla", None, 403, 200, 200),
        ("GET", f"{T}/billing", None, 403, 200, 200),
        ("GET", f"{T}/usage", None, 403, 200, 200),
        ("GET", f"/metering/records?tenant={a}", None, 403, 200, 200),
        ("GET", f"/metering/usage?tenant={a}", None, 403, 200, 200),
        ("GET", f"/billing/reports?tenant={a}", None, 403, 200, 200),
        ("GET", f"/billing/invoices?tenant={a}", None, 403, 200, 200),
        ("GET", f"/billing/invoices/{a}/2026-01", None, 403, 200, 200),
        ("GET", "/billing/export?period=2026-01", None, 403, 403, 200),
        ("POST", "/billing/periods/2001-01/close", None, 403, 403, 200),
        ("GET", f"/sla/violations?tenant={a}", None, 403, 200, 200),
        ("GET", f"/sla/compliance?tenant={a}", None, 403, 200, 200),
        *[("GET", f"/isolation/{r}?tenant={a}", None, 403, 200, 200) for r in ("memory", "cpu", "io", "network", "buffer-pool")],
        ("POST", "/pdbs", pdb, 403, 403, 422, None, {**pdb, "service_tier": "nosuchtier"}),
        ("GET", "/pdbs", None, 200, 200, 200),
        ("GET", P, None, 403, 200, 200),
        ("DELETE", P, None, 403, 403, 404, px),
        ("POST", f"{P}/open", None, 403, 403, 404, f"{px}/open"),
        ("POST", f"{P}/close", None, 403, 403, 404, f"{px}/close"),
        ("POST", f"{P}/save-state", None, 403, 403, 404, f"{px}/save-state"),
        ("DELETE", f"{P}/saved-state", None, 403, 403, 404, f"{px}/saved-state"),
        ("POST", f"{P}/clone", {"target_name": "MCLONE"}, 403, 403, 404, f"{px}/clone"),
        ("POST", f"{P}/unplug", {"xml_path": "m.xml"}, 403, 403, 404, f"{px}/unplug"),
        ("POST", "/pdbs/plug", {"xml_path": "nosuch.xml", "pdb_name": "MPLUG"}, 403, 403, 202),
        ("GET", f"{P}/parameters", None, 403, 200, 200),
        ("PUT", f"{P}/parameters/SESSIONS", {"value": "10"}, 403, 403, 404, f"{px}/parameters/SESSIONS"),
        ("GET", f"{P}/history", None, 403, 200, 200),
        ("GET", f"{P}/violations", None, 403, 200, 200),
        ("POST", f"{P}/lockdown", {"profile": "SAAS"}, 403, 403, 404, f"{px}/lockdown"),
        ("GET", f"{P}/sessions", None, 403, 200, 200),
        ("POST", f"{P}/backups", None, 403, 403, 404, f"{px}/backups"),
        ("GET", f"{P}/backups", None, 403, 200, 200),
        ("POST", f"{P}/restore", {"backup_id": "x"}, 403, 403, 404, f"{px}/restore"),
        ("GET", f"/operations/{uuid.uuid4().hex}", None, 404, 404, 404),
        ("GET", "/operations", None, 200, 200, 200),
        ("GET", "/sessions", None, 200, 200, 200),
        ("POST", f"/sessions/{pid}/cancel", None, 403, 403, 202),
        ("DELETE", f"/sessions/{pid}", None, 403, 403, 404, "/sessions/999999999"),
        ("GET", "/users", None, 200, 200, 200),
        ("POST", "/users", {"username": user, "password": "Pw-12345", "container": a}, 403,
         f'sql:CREATE USER {user} IDENTIFIED BY "Pw-12345"', 404, None, {"username": user, "password": "Pw-12345", "container": X}),
        ("DELETE", f"/users/{user}?container={a}", None, 403, f"sql:DROP USER {user}", 404, f"/users/{user}?container={X}"),
        ("GET", "/roles", None, 200, 200, 200),
        ("POST", "/roles", {"role": role, "container": a}, 403, f"sql:CREATE ROLE {role}", 404, None, {"role": role, "container": X}),
        ("DELETE", f"/roles/{role}?container={a}", None, 403, f"sql:DROP ROLE {role}", 404, f"/roles/{role}?container={X}"),
        ("GET", "/grants", None, 200, 200, 200),
        ("POST", "/grants", {"grantee": "MA_ADM", "privilege": "CREATE TABLE", "container": a}, 403,
         "sql:GRANT CREATE TABLE TO MA_ADM", 404, None, {"grantee": "SYS", "privilege": "CREATE TABLE", "container": X}),
        ("POST", "/grants/revoke", {"grantee": "MA_ADM", "privilege": "CREATE TABLE", "container": a}, 403,
         "sql:REVOKE CREATE TABLE FROM MA_ADM", 404, None, {"grantee": "SYS", "privilege": "CREATE TABLE", "container": X}),
        ("GET", "/cdb/lockdown-profiles", None, 200, 200, 200),
        ("GET", "/cdb/lockdown-profiles/SAAS", None, 200, 200, 200),
        ("POST", "/cdb/lockdown-profiles", {"name": "M_PROFILE"}, 403, 403, 409, None, {"name": "SAAS"}),
        ("DELETE", f"/cdb/lockdown-profiles/{X}", None, 403, 403, 404),
        ("GET", "/service-tiers", None, 200, 200, 200),
        ("GET", "/service-tiers/gold", None, 200, 200, 200),
        ("GET", "/cdb/resource-plans", None, 403, 403, 200),
        ("GET", f"/cdb/resource-plans/{X}", None, 403, 403, 404),
        ("GET", "/tenant-templates", None, 200, 200, 200),
        ("GET", f"/tenant-templates/{X}", None, 404, 404, 404),
        ("POST", "/tenant-templates", {"name": "M_TPL", "source_pdb": a}, 403, 403, 202, None, {"name": "M_TPL2", "source_pdb": X}),
        ("DELETE", f"/tenant-templates/{X}", None, 403, 403, 404),
        ("GET", "/audit", None, 403, 403, 200),
        ("POST", f"{T}/migrate", None, 403, 403, 404, f"{tx}/migrate"),
        ("PUT", f"{P}/tier", {"tier": "gold"}, 403, 403, 404, f"{px}/tier"),
        ("PUT", f"{P}/storage", {"max_size_bytes": 1 << 30}, 403, 403, 404, f"{px}/storage"),
        ("DELETE", f"{P}/parameters/SESSIONS", None, 403, 403, 404, f"{px}/parameters/SESSIONS"),
        ("GET", f"/backups/{X}", None, 404, 404, 404),
        ("GET", "/auth/keys", None, 200, 200, 200),
        ("POST", "/auth/keys", {"name": "MKEY", "username": "SYS"}, 403, 403, 404, None, {"name": "MKEY", "username": X}),
        ("DELETE", f"/auth/keys/{X}", None, 404, 404, 404),
        ("POST", "/cdb/resource-plans", {"plan": "MPLAN"}, 403, 403, 201, None, {"plan": f"MPLAN_{uuid.uuid4().hex[:4]}"}),
        ("DELETE", f"/cdb/resource-plans/{X}", None, 403, 403, 404),
        ("POST", f"/cdb/resource-plans/{X}/directives", {"pluggable_database": a}, 403, 403, 404),
        ("PUT", f"/cdb/resource-plans/{X}/directives/{a}", {"shares": 2}, 403, 403, 404),
        ("DELETE", f"/cdb/resource-plans/{X}/directives/{a}", None, 403, 403, 404),
        ("PUT", "/cdb/resource-manager-plan", {"plan": X}, 403, 403, 422),
        ("GET", "/cdb/resource-manager-plan", None, 403, 403, 200),
        ("GET", f"{P}/statistics", None, 403, 200, 200),
        ("POST", "/cdb/lockdown-profiles/SAAS/rules", {"kind": "STATEMENT", "values": ["ALTER SYSTEM"]}, 403, 403, 404,
         f"/cdb/lockdown-profiles/{X}/rules"),
        ("PUT", "/service-tiers/gold", {"cpu": 4}, 403, 403, 422, "/service-tiers/nosuchtier"),
        ("POST", f"{P}/relocate", {"location": "fast"}, 403, 403, 404, f"{px}/relocate"),
    ]  # fmt: skip
    return [r + (None,) * (8 - len(r)) for r in rows]


def _template(path: str) -> str:
    """The OpenAPI path a concrete path is an instance of (by segment shape)."""
    return path.split("?")[0]


def _matches(spec_path: str, path: str) -> bool:
    a, b = spec_path.split("/"), path.split("/")
    return len(a) == len(b) and all(x == y or x.startswith("{") for x, y in zip(a, b, strict=True))


def test_matrix_covers_every_endpoint(server: RunningServer, world: dict) -> None:
    doc = httpx.get(f"{server.api}/openapi.json").json()
    spec = {(m.upper(), p.removeprefix("/api/v1")) for p, v in doc["paths"].items() for m in v}
    spec -= {("GET", "/graphql"), ("POST", "/graphql")} | PUBLIC
    covered = {
        (m, s) for m, s in spec for row in _rows(world) if row[0] == m and _matches(s, _template(row[1]))
    }
    assert spec - covered == set()
    assert len(spec) >= 68


def _call(
    server: RunningServer, tok: str | None, tenant: str | None, method: str, path: str, body: object
) -> httpx.Response:
    with client(server, tok, tenant) as c:
        return c.request(method, path, json=body)


@pytest.mark.parametrize("who", ["none", "expired"])
def test_without_a_valid_token_everything_is_401(server: RunningServer, world: dict, who: str) -> None:
    tok = None if who == "none" else world["expired"]
    for method, path, body, *_ in _rows(world):
        r = _call(server, tok, None, method, path, body)
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    for method, path in PUBLIC:
        assert (
            _call(server, tok, None, method, path, {"username": "SYS", "password": "x"}).status_code != 401
            or path == "/auth/token"
        )


def test_another_tenants_admin(server: RunningServer, world: dict) -> None:
    for method, path, body, other, *_ in _rows(world):
        r = _call(server, world["other"], world["b"], method, path, body)
        assert r.status_code == other, (method, path, r.text)
        # naming the tenant it attacks in X-Tenant-ID does not help
        if other == 403 and world["a"] in path:
            assert _call(server, world["other"], world["a"], method, path, body).status_code == 403


def test_the_tenants_own_admin(server: RunningServer, world: dict) -> None:
    a = world["a"]
    for method, path, body, _other, own, *_ in _rows(world):
        r = _call(server, world["own"], a, method, path, body)
        if isinstance(own, str):
            with server.connect(a, "MA_ADM", A_PW, autocommit=True) as con:
                try:
                    con.execute(own.removeprefix("sql:"))
                    sql_state = None
                except Exception as e:  # noqa: BLE001 - its SQLSTATE is what we compare
                    sql_state = e.sqlstate  # type: ignore[attr-defined]
                # undo what the SQL did, so that the API meets the same state it did
                undo = {"CREATE USER": "DROP USER", "CREATE ROLE": "DROP ROLE"}
                stmt = own.removeprefix("sql:")
                if sql_state is None:
                    for verb, inverse in undo.items():
                        if stmt.startswith(verb):
                            con.execute(f"{inverse} {stmt.split()[2]}")
                    if stmt.startswith("DROP USER"):
                        con.execute(f'CREATE USER {stmt.split()[2]} IDENTIFIED BY "Pw-12345"')
                    if stmt.startswith("DROP ROLE"):
                        con.execute(f"CREATE ROLE {stmt.split()[2]}")
                    if stmt.startswith("GRANT"):
                        con.execute(stmt.replace("GRANT", "REVOKE").replace(" TO ", " FROM "))
                    if stmt.startswith("REVOKE"):
                        con.execute(stmt.replace("REVOKE", "GRANT").replace(" FROM ", " TO "))
            r = _call(server, world["own"], a, method, path, body)
            if sql_state is None:
                assert r.status_code < 300, (method, path, r.text)
            else:
                assert r.json().get("sqlstate") == sql_state, (method, path, r.text)
        else:
            assert r.status_code == own, (method, path, r.text)


def test_sys(server: RunningServer, world: dict) -> None:
    for method, path, body, _o, _own, sys_code, sys_path, sys_body in _rows(world):
        r = _call(
            server, world["sys"], None, method, sys_path or path, sys_body if sys_body is not None else body
        )
        assert r.status_code == sys_code, (method, sys_path or path, r.text)
        assert r.status_code < 500
