"""The HTTP API against the live server over real HTTP: tokens and API keys, tenant context,
problem+json, conventions (ETag, Idempotency-Key, pagination, validation), long operations,
GraphQL, and parity with the admin SQL."""

from __future__ import annotations

import sqlite3
import time
import uuid

import httpx
import pytest

from tests.api_util import client, token, wait_operation
from tests.server import SYS_PASSWORD, RunningServer

A_PW = "Tenant-A-Pw-1"
B_PW = "Tenant-B-Pw-1"


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:6]}".upper()


@pytest.fixture(scope="module")
def sys_token(server: RunningServer) -> str:
    return token(server)


@pytest.fixture(scope="module")
def tenants(server: RunningServer, sys_token: str):
    """Two tenants made through the API: A (admin A_ADM) and B (admin B_ADM)."""
    names = (_name("ta"), _name("tb"))
    with client(server, sys_token) as c:
        for name, adm, pw in ((names[0], "A_ADM", A_PW), (names[1], "B_ADM", B_PW)):
            r = c.post(
                "/tenants",
                json={"tenant_name": name, "admin_user": adm, "admin_password": pw, "service_tier": "bronze"},
            )
            assert r.status_code == 201, r.text
    yield names
    with client(server, token(server)) as c:
        for name in names:
            c.delete(f"/tenants/{name}", params={"immediate": True})


@pytest.fixture(scope="module")
def a_token(server: RunningServer, tenants: tuple[str, str]) -> str:
    return token(server, "A_ADM", A_PW, tenants[0])


@pytest.fixture(scope="module")
def b_token(server: RunningServer, tenants: tuple[str, str]) -> str:
    return token(server, "B_ADM", B_PW, tenants[1])


# ------------------------------------------------------------------ auth


def test_no_token_is_401_with_problem_json(server: RunningServer) -> None:
    r = httpx.get(f"{server.api}/tenants")
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["status"] == 401
    assert (
        httpx.get(f"{server.api}/tenants", headers={"Authorization": "Bearer dct_nonsense"}).status_code
        == 401
    )


def test_token_from_password(server: RunningServer) -> None:
    r = httpx.post(f"{server.api}/auth/token", json={"username": "SYS", "password": "wrong"})
    assert r.status_code == 401 and r.json()["sqlstate"] == "28P01"
    tok = token(server)
    me = httpx.get(f"{server.api}/whoami", headers={"Authorization": f"Bearer {tok}"}).json()
    assert me == {"username": "SYS", "common": True, "admin": True, "tenant": None}


def test_short_lived_token_expires(server: RunningServer) -> None:
    tok = token(server, ttl=1)
    h = {"Authorization": f"Bearer {tok}"}
    assert httpx.get(f"{server.api}/whoami", headers=h).status_code == 200
    time.sleep(1.3)
    assert httpx.get(f"{server.api}/whoami", headers=h).status_code == 401


def test_api_key_from_sql_shown_once_stored_hashed(server: RunningServer) -> None:
    key = _name("k")
    with server.connect(autocommit=True) as con:
        rows = con.execute(f"CREATE API KEY {key} FOR USER SYS").fetchall()
        assert len(rows) == 1 and rows[0][0] == key and rows[0][1] == "SYS"
        secret = rows[0][2]
        assert secret.startswith("dck_")
        h = {"Authorization": f"Bearer {secret}"}
        assert httpx.get(f"{server.api}/whoami", headers=h).json()["username"] == "SYS"
        # the catalog holds its SHA-256 only
        cat = sqlite3.connect(f"file:{server.data_dir / 'catalog.sqlite3'}?mode=ro", uri=True)
        stored = cat.execute("SELECT secret_sha256 FROM api_keys WHERE name = ?", (key,)).fetchone()[0]
        assert secret not in stored and len(stored) == 64
        dump = "\n".join(cat.iterdump())
        assert secret not in dump
        cat.close()
        con.execute(f"DROP API KEY {key}")
        assert httpx.get(f"{server.api}/whoami", headers=h).status_code == 401
        with pytest.raises(Exception, match="does not exist"):
            con.execute(f"DROP API KEY {key}")
        con.execute(f"DROP API KEY IF EXISTS {key}")


def test_api_key_expires(server: RunningServer) -> None:
    key = _name("k")
    with server.connect(autocommit=True) as con:
        secret = con.execute(f"CREATE API KEY {key} FOR USER SYS EXPIRES IN 1 SECONDS").fetchone()[2]
    h = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{server.api}/whoami", headers=h).status_code == 200
    time.sleep(1.3)
    assert httpx.get(f"{server.api}/whoami", headers=h).status_code == 401


def test_api_key_for_another_user_needs_privilege(server: RunningServer, tenants: tuple[str, str]) -> None:
    """A tenant's admin may make a key for itself, not for SYS (ORA-01031, as a refused grant)."""
    with server.connect(tenants[0], "A_ADM", A_PW, autocommit=True) as con:
        secret = con.execute(f"CREATE API KEY {_name('k')} FOR USER A_ADM").fetchone()[2]
        with pytest.raises(Exception, match="ORA-01918|ORA-01031"):
            con.execute(f"CREATE API KEY {_name('k')} FOR USER SYS")
    me = httpx.get(f"{server.api}/whoami", headers={"Authorization": f"Bearer {secret}"}).json()
    assert me["username"] == "A_ADM" and me["tenant"] == tenants[0] and not me["admin"]


# ------------------------------------------------------------------ tenant context


def test_tenant_admin_reaches_only_its_tenant(
    server: RunningServer, tenants: tuple[str, str], a_token: str
) -> None:
    a, b = tenants
    with client(server, a_token) as c:
        r = c.get(f"/tenants/{a}")
        assert r.status_code == 400 and "X-Tenant-ID" in r.json()["title"]  # header required
        assert c.get(f"/tenants/{a}", headers={"X-Tenant-ID": a}).status_code == 200
        assert c.get(f"/tenants/{b}", headers={"X-Tenant-ID": a}).status_code == 403
        assert c.get(f"/tenants/{b}", headers={"X-Tenant-ID": b}).status_code == 403
        assert c.get(f"/pdbs/{b}", headers={"X-Tenant-ID": a}).status_code == 403
        listed = c.get("/tenants", headers={"X-Tenant-ID": a}).json()
        assert [t["tenant_id"] for t in listed["items"]] == [a]
        pdbs = c.get("/pdbs", headers={"X-Tenant-ID": a}).json()["items"]
        assert {p["pdb_name"] for p in pdbs} == {a}
        # its own tenant, but ALTER TENANT needs a common administrator: the SQL path's refusal
        r = c.post(f"/tenants/{a}/suspend", headers={"X-Tenant-ID": a}, json={"reason": "x"})
        assert r.status_code == 403 and r.json()["ora"] == "ORA-01031" and r.json()["sqlstate"] == "42501"


def test_cross_tenant_attempts_are_audited(
    server: RunningServer, tenants: tuple[str, str], a_token: str, sys_token: str
) -> None:
    a, b = tenants
    marker = f"/api/v1/tenants/{b}/statistics"
    with client(server, a_token, a) as c:
        assert c.get(f"/tenants/{b}/statistics").status_code == 403
    with client(server, sys_token) as c:
        rows = c.get("/audit", params={"rule": "CROSS_TENANT", "username": "A_ADM", "limit": 1000}).json()[
            "items"
        ]
    assert any(r["statement"] == f"GET {marker}" and r["sqlstate"] == "42501" for r in rows)
    with server.connect(autocommit=True) as con:
        seen = con.execute(
            "SELECT count(*) FROM cdb_audit_trail WHERE sql_text = %s", (f"GET {marker}",)
        ).fetchone()[0]
    assert seen >= 1


def test_mutations_are_audited(server: RunningServer, sys_token: str) -> None:
    with client(server, sys_token) as c:
        r = c.put("/tenants/NO_SUCH_TENANT/tier", json={"tier": "gold"})
        assert r.status_code == 404
        rows = c.get("/audit", params={"action": "API", "limit": 1000}).json()["items"]
    hit = [x for x in rows if x["statement"] == "PUT /api/v1/tenants/NO_SUCH_TENANT/tier"]
    assert (
        hit
        and hit[-1]["username"] == "SYS"
        and hit[-1]["sqlstate"] == "42704"
        and hit[-1]["message"] == "HTTP 404"
    )


# ------------------------------------------------------------------ errors, validation


def test_problem_carries_ora_and_sqlstate_of_the_sql_path(
    server: RunningServer, sys_token: str, tenants: tuple[str, str]
) -> None:
    with client(server, sys_token) as c:
        r = c.post(
            "/tenants", json={"tenant_name": tenants[0], "admin_user": "X", "admin_password": "Pw-12345"}
        )
    assert r.status_code == 409
    body = r.json()
    assert body["ora"] == "ORA-65902" and body["sqlstate"] == "42710"
    with server.connect(autocommit=True) as con, pytest.raises(Exception) as e:
        con.execute(f'CREATE TENANT {tenants[0]} ADMIN USER X IDENTIFIED BY "Pw-12345"')
    assert e.value.sqlstate == body["sqlstate"]  # type: ignore[attr-defined]
    assert str(e.value).startswith(body["detail"])


def test_validation_422_names_the_field(server: RunningServer, sys_token: str) -> None:
    with client(server, sys_token) as c:
        r = c.post("/tenants", json={"tenant_name": "ok_name", "admin_user": "admin@acme.com"})
        assert r.status_code == 422 and r.json()["field"] == "admin_user"
        r = c.put("/tenants/x/quota", json={"cpu": {"max_percent": 150}})
        assert r.status_code == 422 and r.json()["field"] == "cpu.max_percent"
        r = c.post("/tenants", json={"tenant_name": "ok_name", "admin_user": "u", "bogus": 1})
        assert r.status_code == 422 and r.json()["field"] == "bogus"


# ------------------------------------------------------------------ conventions


def test_etag_if_match_and_if_none_match(
    server: RunningServer, sys_token: str, tenants: tuple[str, str]
) -> None:
    a = tenants[0]
    with client(server, sys_token) as c:
        r = c.get(f"/tenants/{a}")
        tag = r.headers["etag"]
        assert c.get(f"/tenants/{a}", headers={"If-None-Match": tag}).status_code == 304
        r2 = c.put(f"/tenants/{a}", json={"contact": "ops@a.example"}, headers={"If-Match": tag})
        assert r2.status_code == 200 and r2.json()["contact"] == "ops@a.example"
        assert r2.headers["etag"] != tag
        stale = c.put(f"/tenants/{a}", json={"contact": "other@a.example"}, headers={"If-Match": tag})
        assert stale.status_code == 412
        assert c.get(f"/tenants/{a}").json()["contact"] == "ops@a.example"


def test_idempotency_key_returns_the_first_result(server: RunningServer, sys_token: str) -> None:
    name = _name("idem")
    key = uuid.uuid4().hex
    body = {"pdb_name": name, "admin_user": "adm", "admin_password": "Pw-12345"}
    with client(server, sys_token) as c:
        first = c.post("/pdbs", json=body, headers={"Idempotency-Key": key})
        again = c.post("/pdbs", json=body, headers={"Idempotency-Key": key})
        assert first.status_code == 201 and again.status_code == 201
        assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
        without = c.post("/pdbs", json=body)
        assert without.status_code == 409 and without.json()["ora"] == "ORA-65012"
        other = c.post("/pdbs", json={**body, "admin_password": "Pw-99999"}, headers={"Idempotency-Key": key})
        assert other.status_code == 422
        assert (
            sum(1 for p in c.get("/pdbs", params={"limit": 1000}).json()["items"] if p["pdb_name"] == name)
            == 1
        )
        assert c.delete(f"/pdbs/{name}").status_code == 204
        assert c.get(f"/pdbs/{name}").status_code == 404


def test_pagination_cursor_sort_filter(server: RunningServer, sys_token: str) -> None:
    with client(server, sys_token) as c:
        everything = c.get("/service-tiers", params={"sort": "name"}).json()
        names = [t["name"] for t in everything["items"]]
        assert names == sorted(names) and everything["total"] == len(names) >= 4
        seen, cursor = [], None
        while True:
            params = {"limit": 1, "sort": "name"}
            if cursor:
                params["cursor"] = cursor
            r = c.get("/service-tiers", params=params).json()
            assert len(r["items"]) == 1
            seen.append(r["items"][0]["name"])
            cursor = r["next_cursor"]
            if cursor is None:
                break
        assert seen == names
        desc = c.get("/service-tiers", params={"sort": "-name"}).json()["items"]
        assert [t["name"] for t in desc] == names[::-1]
        assert c.get("/service-tiers", params={"cursor": "garbage"}).status_code == 422
        assert (
            c.get(
                "/service-tiers",
                params={
                    "sort": "-name",
                    "cursor": c.get("/service-tiers", params={"limit": 1, "sort": "name"}).json()[
                        "next_cursor"
                    ],
                },
            ).status_code
            == 422
        )
        gold = c.get("/tenants", params={"service_tier": "bronze", "limit": 1000}).json()["items"]
        assert gold and all(t["service_tier"] == "bronze" for t in gold)


# ------------------------------------------------------------------ operations


def test_clone_is_an_operation(server: RunningServer, sys_token: str, tenants: tuple[str, str]) -> None:
    target = _name("clone")
    with client(server, sys_token) as c:
        r = c.post(f"/pdbs/{tenants[1]}/clone", json={"target_name": target, "clone_type": "metadata"})
        assert r.status_code == 202 and r.headers["location"].startswith("/api/v1/operations/")
        op = wait_operation(c, r.headers["location"])
        assert op["status"] == "SUCCEEDED" and op["result"]["pdb"]["pdb_name"] == target
        again = c.post(f"/pdbs/{tenants[1]}/clone", json={"target_name": target})
        failed = wait_operation(c, again.headers["location"])
        assert failed["status"] == "FAILED" and failed["error"]["ora"] == "ORA-65012"
        assert failed["error"]["sqlstate"] == "42710"
        assert c.delete(f"/pdbs/{target}").status_code == 204


# ------------------------------------------------------------------ parity with the admin SQL


def _sql_tenant(con, name: str) -> tuple:
    return con.execute(
        "SELECT tenant_name, state, service_tier FROM dba_tenants WHERE tenant_name = %s", (name,)
    ).fetchone()


def test_parity_tenant_lifecycle(server: RunningServer, sys_token: str) -> None:
    """Each step once in SQL on one tenant and once over HTTP on another: the same states, tiers,
    quotas (as PDB parameters) and events."""
    by_sql, by_api = _name("psql"), _name("papi")
    with server.connect(autocommit=True) as con, client(server, sys_token) as c:
        con.execute(f'CREATE TENANT {by_sql} ADMIN USER adm IDENTIFIED BY "Pw-12345" SERVICE TIER bronze')
        assert (
            c.post(
                "/tenants",
                json={
                    "tenant_name": by_api,
                    "admin_user": "adm",
                    "admin_password": "Pw-12345",
                    "service_tier": "bronze",
                },
            ).status_code
            == 201
        )
        steps = [
            (
                f"ALTER TENANT {by_sql} SUSPEND REASON 'overdue'",
                ("POST", f"/tenants/{by_api}/suspend", {"reason": "overdue"}),
            ),
            (f"ALTER TENANT {by_sql} RESUME", ("POST", f"/tenants/{by_api}/resume", None)),
            (
                f"ALTER TENANT {by_sql} SET SERVICE TIER silver",
                ("PUT", f"/tenants/{by_api}/tier", {"tier": "silver"}),
            ),
            (
                f"ALTER TENANT {by_sql} QUOTA (CPU_MAX_PERCENT = 50, MEMORY_MAX_MB = 1024, MAX_IOPS = 900)",
                (
                    "PUT",
                    f"/tenants/{by_api}/quota",
                    {"cpu": {"max_percent": 50}, "memory": {"max_mb": 1024}, "io": {"max_iops": 900}},
                ),
            ),
        ]
        for sql, (verb, path, body) in steps:
            con.execute(sql)
            r = c.request(verb, path, json=body)
            assert r.status_code == 200, r.text
            s_row, a_row = _sql_tenant(con, by_sql), _sql_tenant(con, by_api)
            assert s_row[1:] == a_row[1:], sql
            assert r.json()["status"] == a_row[1].lower() and r.json()["service_tier"] == a_row[2].lower()
        params = {}
        for name in (by_sql, by_api):
            with server.connect(name, "adm", "Pw-12345", autocommit=True) as pc:
                params[name] = {row[0]: row[2] for row in pc.execute("SHOW PARAMETER").fetchall()}
        assert params[by_sql] == params[by_api]
        events = {
            n: [
                r[0]
                for r in con.execute(
                    "SELECT operation FROM dba_tenant_events WHERE tenant_name = %s ORDER BY event_time", (n,)
                ).fetchall()
            ]
            for n in (by_sql, by_api)
        }
        assert events[by_sql] == events[by_api]
        api_view = c.get(f"/tenants/{by_api}").json()
        assert api_view["quota"] == {"CPU_MAX_PERCENT": 50, "MEMORY_MAX_MB": 1024, "MAX_IOPS": 900}
        assert (
            api_view["resource_limits"]["memory_mb"] == 1024
            and api_view["resource_limits"]["max_iops"] == 900
        )
        # errors: the same refusal both ways
        with pytest.raises(Exception) as e:
            con.execute(f"ALTER TENANT {by_sql} RESUME")
        r = c.post(f"/tenants/{by_api}/resume")
        assert r.status_code == 409 and r.json()["sqlstate"] == e.value.sqlstate  # type: ignore[attr-defined]
        assert r.json()["detail"].replace(by_api, "T") == str(e.value).split("\n")[0].replace(by_sql, "T")
        con.execute(f"DROP TENANT {by_sql} IMMEDIATE")
        assert c.delete(f"/tenants/{by_api}", params={"immediate": True}).status_code == 204
        assert _sql_tenant(con, by_sql) is None and _sql_tenant(con, by_api) is None
        assert c.get(f"/tenants/{by_api}").status_code == 404


def test_parity_pdb_lifecycle(server: RunningServer, sys_token: str) -> None:
    by_sql, by_api = _name("qsql"), _name("qapi")
    with server.connect(autocommit=True) as con, client(server, sys_token) as c:
        con.execute(
            f'CREATE PLUGGABLE DATABASE {by_sql} ADMIN USER adm IDENTIFIED BY "Pw-12345" SERVICE TIER gold'
        )
        assert (
            c.post(
                "/pdbs",
                json={
                    "pdb_name": by_api,
                    "admin_user": "adm",
                    "admin_password": "Pw-12345",
                    "service_tier": "gold",
                },
            ).status_code
            == 201
        )

        def modes() -> tuple:
            rows = {r[1]: r[2:] for r in con.execute("SHOW PDBS").fetchall()}
            return rows[by_sql], rows[by_api]

        s, a = modes()
        assert s == a
        for sql, (path, body) in [
            (f"ALTER PLUGGABLE DATABASE {by_sql} OPEN", (f"/pdbs/{by_api}/open", None)),
            (
                f"ALTER PLUGGABLE DATABASE {by_sql} CLOSE IMMEDIATE",
                (f"/pdbs/{by_api}/close", {"immediate": True}),
            ),
            (
                f"ALTER PLUGGABLE DATABASE {by_sql} OPEN READ ONLY",
                (f"/pdbs/{by_api}/open", {"mode": "READ_ONLY"}),
            ),
            (f"ALTER PLUGGABLE DATABASE {by_sql} CLOSE", (f"/pdbs/{by_api}/close", None)),
            (f"ALTER PLUGGABLE DATABASE {by_sql} OPEN", (f"/pdbs/{by_api}/open", None)),
            (f"ALTER PLUGGABLE DATABASE {by_sql} SAVE STATE", (f"/pdbs/{by_api}/save-state", None)),
        ]:
            con.execute(sql)
            r = c.post(path, json=body)
            assert r.status_code == 200, r.text
            s, a = modes()
            assert s == a, sql
            assert r.json()["open_mode"] == a[0]
        saved = dict(con.execute("SELECT con_name, state FROM dba_pdb_saved_states").fetchall())
        assert saved[by_sql] == saved[by_api]
        listed = {
            p["pdb_name"]: p["open_mode"] for p in c.get("/pdbs", params={"limit": 1000}).json()["items"]
        }
        assert {
            n: m
            for n, _id, m, *_ in [(r[1], r[0], r[2]) for r in con.execute("SHOW PDBS").fetchall()]
            if n in listed
        } == {n: m for n, m in listed.items()}
        # the same error both ways
        with pytest.raises(Exception) as e:
            con.execute("ALTER PLUGGABLE DATABASE no_such_pdb OPEN")
        r = c.post("/pdbs/no_such_pdb/open")
        assert r.status_code == 404 and r.json()["sqlstate"] == e.value.sqlstate  # type: ignore[attr-defined]
        con.execute(f"ALTER PLUGGABLE DATABASE {by_sql} CLOSE IMMEDIATE")
        con.execute(f"DROP PLUGGABLE DATABASE {by_sql} INCLUDING DATAFILES")
        assert c.post(f"/pdbs/{by_api}/close", json={"immediate": True}).status_code == 200
        assert c.delete(f"/pdbs/{by_api}").status_code == 204
        names = {r[1] for r in con.execute("SHOW PDBS").fetchall()}
        assert by_sql not in names and by_api not in names


def test_parity_isolation_and_show_resources(
    server: RunningServer, sys_token: str, tenants: tuple[str, str]
) -> None:
    a = tenants[0]
    with client(server, sys_token) as c:
        mem = c.get("/isolation/memory", params={"tenant": a}).json()
        cpu = c.get("/isolation/cpu", params={"tenant": a}).json()
        io = c.get("/isolation/io", params={"tenant": a}).json()
        net = c.get("/isolation/network", params={"tenant": a}).json()
    for key in ("allocated_bytes", "quota_bytes", "utilization_percent", "peak_usage_bytes", "oom_count"):
        assert key in mem
    assert mem["tenant_id"] == a and mem["quota_bytes"] == 2048 * 1024 * 1024
    assert {"max_cpu_count", "current_usage_percent", "shares", "throttled_count"} <= set(cpu)
    assert {"current_iops", "max_iops", "tokens_available", "tokens_capacity"} <= set(io)
    assert io["max_iops"] == 1000 and net["tenant_id"] == a
    with server.connect(a, "A_ADM", A_PW, autocommit=True) as con:
        rows = {(r[1], r[2]): r[3] for r in con.execute("SHOW RESOURCES").fetchall()}
    assert str(mem["quota_bytes"]) == rows[("memory", "quota_bytes")]
    assert str(io["max_iops"]) == rows[("io", "max_iops")]


def test_parity_users_and_grants(server: RunningServer, sys_token: str, tenants: tuple[str, str]) -> None:
    a = tenants[0]
    user = _name("u")
    with client(server, sys_token) as c, server.connect(autocommit=True) as con:
        assert (
            c.post("/users", json={"username": user, "password": "Pw-12345", "container": a}).status_code
            == 201
        )
        assert (
            c.post(
                "/grants", json={"grantee": user, "privilege": "CREATE SESSION", "container": a}
            ).status_code
            == 201
        )
        with server.connect(a, user, "Pw-12345", autocommit=True) as uc:
            assert uc.execute("SELECT 1").fetchone() == (1,)
        rows = con.execute("SELECT username FROM cdb_users WHERE username = %s", (user,)).fetchall()
        assert rows
        again = c.post("/users", json={"username": user, "password": "Pw-12345", "container": a})
        with pytest.raises(Exception) as e:
            con.execute(f"ALTER SESSION SET CONTAINER = {a}")
            con.execute(f'CREATE USER {user} IDENTIFIED BY "Pw-12345"')
        assert again.status_code == 409 and again.json()["sqlstate"] == e.value.sqlstate  # type: ignore[attr-defined]
        assert c.delete(f"/users/{user}", params={"container": a}).status_code == 204


# ------------------------------------------------------------------ GraphQL


def test_graphql_queries_batched(server: RunningServer, sys_token: str, tenants: tuple[str, str]) -> None:
    with client(server, sys_token) as c:
        r = c.post(
            "/graphql",
            json={
                "query": "{ tenants(limit: 1000) { tenantId status pdbs { name openMode } } serviceTiers { name } }"
            },
        )
    assert r.status_code == 200, r.text
    data = r.json()
    got = {t["tenantId"]: [p["name"] for p in t["pdbs"]] for t in data["data"]["tenants"]}
    assert got[tenants[0]] == [tenants[0]] and got[tenants[1]] == [tenants[1]]
    assert len(got) >= 2
    # every tenant's PDBs came from one batch: two catalog queries, however many tenants
    assert data["extensions"]["catalog_lookups"] == 2


def test_graphql_authorization_and_tenant_context(
    server: RunningServer, tenants: tuple[str, str], a_token: str
) -> None:
    a, b = tenants
    assert httpx.post(f"{server.api}/graphql", json={"query": "{ tenants { tenantId } }"}).status_code == 401
    with client(server, a_token, a) as c:
        mine = c.post("/graphql", json={"query": "{ tenants { tenantId } }"}).json()
        assert [t["tenantId"] for t in mine["data"]["tenants"]] == [a]
        other = c.post("/graphql", json={"query": f'{{ tenant(tenantId: "{b}") {{ tenantId }} }}'}).json()
        assert other["data"] is None and other["errors"][0]["extensions"]["status"] == 403
        m = c.post(
            "/graphql", json={"query": f'mutation {{ suspendTenant(tenantId: "{a}") {{ status }} }}'}
        ).json()
        assert m["errors"][0]["extensions"]["sqlstate"] == "42501"


def test_graphql_mutation_same_function(
    server: RunningServer, sys_token: str, tenants: tuple[str, str]
) -> None:
    b = tenants[1]
    with client(server, sys_token) as c:
        m = c.post(
            "/graphql",
            json={
                "query": f'mutation {{ suspendTenant(tenantId: "{b}", reason: "gql") {{ status reason }} }}'
            },
        ).json()
        assert m["data"]["suspendTenant"] == {"status": "suspended", "reason": "gql"}
        assert c.get(f"/tenants/{b}").json()["status"] == "suspended"
        m = c.post(
            "/graphql", json={"query": f'mutation {{ resumeTenant(tenantId: "{b}") {{ status }} }}'}
        ).json()
        assert m["data"]["resumeTenant"]["status"] == "active"
        again = c.post(
            "/graphql", json={"query": f'mutation {{ resumeTenant(tenantId: "{b}") {{ status }} }}'}
        ).json()
        assert again["errors"][0]["extensions"]["sqlstate"] == "55000"


def test_graphql_depth_and_token_limits(server: RunningServer, sys_token: str) -> None:
    deep = "{ tenants { pdbs { name " + "".join("__typename " for _ in range(1)) + "} } }"
    with client(server, sys_token) as c:
        ok = c.post("/graphql", json={"query": deep}).json()
        assert "errors" not in ok
        nested = "{ tenants { pdbs { owner { pdbs { owner { pdbs { owner { tenantId } } } } } } } }"
        r = c.post("/graphql", json={"query": nested}).json()
        assert "exceeds maximum operation depth" in r["errors"][0]["message"]
        shallow = "{ tenants { tenantId pdbs { owner { tenantId } } } }"
        r = c.post("/graphql", json={"query": shallow}).json()
        assert "errors" not in r
        assert all(p["owner"]["tenantId"] == t["tenantId"] for t in r["data"]["tenants"] for p in t["pdbs"])
        huge = "{ " + " ".join("serviceTiers { name cpu memoryMb }" for _ in range(600)) + " }"
        r = c.post("/graphql", json={"query": huge}).json()
        assert "token" in r["errors"][0]["message"].lower()


# ------------------------------------------------------------------ docs


def test_openapi_and_docs_page_self_contained(server: RunningServer) -> None:
    doc = httpx.get(f"{server.api}/openapi.json").json()
    paths = doc["paths"]
    for p in (
        "/api/v1/tenants",
        "/api/v1/tenants/{tenant_id}",
        "/api/v1/pdbs/plug",
        "/api/v1/isolation/network",
    ):
        assert p in paths
    ops = sum(len(v) for v in paths.values())
    assert ops >= 68
    page = httpx.get(f"{server.api}/docs").text
    assert "openapi.json" in page and "http" not in page.split("<script>")[1].split("fetch(")[0].replace(
        "https", ""
    )
    assert "cdn" not in page.lower() and "//" not in "".join(
        x for x in page.split('"') if x.startswith("http")
    )


_ = SYS_PASSWORD


def test_parity_resource_plans(server: RunningServer, sys_token: str, tenants: tuple[str, str]) -> None:
    by_sql, by_api = _name("PLS"), _name("PLA")
    a = tenants[0]
    with server.connect(autocommit=True) as con, client(server, sys_token) as c:
        con.execute(f"EXEC DBMS_RESOURCE_MANAGER.CREATE_CDB_PLAN(plan => '{by_sql}', comment => 'c')")
        con.execute(
            f"EXEC DBMS_RESOURCE_MANAGER.CREATE_CDB_PLAN_DIRECTIVE(plan => '{by_sql}', pluggable_database => '{a}', shares => 3, utilization_limit => 50)"
        )
        assert c.post("/cdb/resource-plans", json={"plan": by_api, "comment": "c"}).status_code == 201
        r = c.post(
            f"/cdb/resource-plans/{by_api}/directives",
            json={"pluggable_database": a, "shares": 3, "utilization_limit": 50},
        )
        assert r.status_code == 201, r.text
        rows = con.execute(
            "SELECT plan, pluggable_database, shares, utilization_limit, parallel_server_limit FROM dba_cdb_rsrc_plan_directives WHERE plan IN (%s, %s)",
            (by_sql, by_api),
        ).fetchall()
        by_plan = {r[0]: r[1:] for r in rows if r[1] == a}
        assert by_plan[by_sql] == by_plan[by_api]
        con.execute(
            f"EXEC DBMS_RESOURCE_MANAGER.UPDATE_CDB_PLAN_DIRECTIVE(plan => '{by_sql}', pluggable_database => '{a}', new_shares => 5)"
        )
        r = c.put(f"/cdb/resource-plans/{by_api}/directives/{a}", json={"shares": 5})
        assert r.status_code == 200 and r.json()["directives"][0]["shares"] == 5
        con.execute(f"ALTER SYSTEM SET RESOURCE_MANAGER_PLAN = '{by_sql}'")
        assert c.get("/cdb/resource-manager-plan").json() == {"plan": by_sql}
        assert c.put("/cdb/resource-manager-plan", json={"plan": by_api}).json() == {"plan": by_api}
        # the plan in force cannot be deleted, either way
        with pytest.raises(Exception) as e:
            con.execute(f"EXEC DBMS_RESOURCE_MANAGER.DELETE_CDB_PLAN(plan => '{by_api}')")
        r = c.delete(f"/cdb/resource-plans/{by_api}")
        assert r.status_code == 409 and r.json()["sqlstate"] == e.value.sqlstate  # type: ignore[attr-defined]
        assert c.put("/cdb/resource-manager-plan", json={"plan": None}).json() == {"plan": None}
        con.execute(f"EXEC DBMS_RESOURCE_MANAGER.DELETE_CDB_PLAN(plan => '{by_sql}')")
        assert c.delete(f"/cdb/resource-plans/{by_api}").status_code == 204
        assert c.get(f"/cdb/resource-plans/{by_api}").status_code == 404


def test_api_keys_over_http(server: RunningServer, sys_token: str) -> None:
    name = _name("hk")
    with client(server, sys_token) as c:
        r = c.post("/auth/keys", json={"name": name, "username": "SYS", "expires_in_days": 1})
        assert r.status_code == 201 and r.json()["secret"].startswith("dck_")
        secret = r.json()["secret"]
        listed = c.get("/auth/keys", params={"limit": 1000}).json()["items"]
        mine = [k for k in listed if k["name"] == name]
        assert mine and "secret" not in mine[0] and mine[0]["expires_at"] > time.time()
        assert secret not in c.get("/auth/keys", params={"limit": 1000}).text
        assert (
            httpx.get(f"{server.api}/whoami", headers={"Authorization": f"Bearer {secret}"}).status_code
            == 200
        )
        assert c.post("/auth/keys", json={"name": name, "username": "SYS"}).status_code == 409
        assert c.delete(f"/auth/keys/{name}").status_code == 204
        assert (
            httpx.get(f"{server.api}/whoami", headers={"Authorization": f"Bearer {secret}"}).status_code
            == 401
        )


def test_graphql_mutations_audited(server: RunningServer, sys_token: str) -> None:
    with client(server, sys_token) as c:
        c.post("/graphql", json={"query": 'mutation { resumeTenant(tenantId: "NO_SUCH_T") { status } }'})
        rows = c.get("/audit", params={"action": "API", "limit": 1000, "sort": "-time"}).json()["items"]
    assert rows[0]["statement"] == "POST /api/v1/graphql" and rows[0]["username"] == "SYS"


def test_unplug_and_plug_as_operations(server: RunningServer, sys_token: str) -> None:
    name, again = _name("up"), _name("pl")
    with client(server, sys_token) as c:
        assert (
            c.post(
                "/pdbs", json={"pdb_name": name, "admin_user": "adm", "admin_password": "Pw-12345"}
            ).status_code
            == 201
        )
        assert c.post(f"/pdbs/{name}/open").status_code == 200
        with server.connect(name, "adm", "Pw-12345", autocommit=True) as pc:
            pc.execute("CREATE TABLE kept AS SELECT range AS i FROM range(1000)")
        assert c.post(f"/pdbs/{name}/close", json={"immediate": True}).status_code == 200
        r = c.post(f"/pdbs/{name}/unplug", json={"xml_path": f"{name.lower()}.xml"})
        assert r.status_code == 202
        op = wait_operation(c, r.headers["location"])
        assert op["status"] == "SUCCEEDED", op
        assert c.get(f"/pdbs/{name}").json()["status"] == "UNPLUGGED"
        assert c.delete(f"/pdbs/{name}", params={"including_datafiles": False}).status_code == 204
        r = c.post(
            "/pdbs/plug", json={"xml_path": f"{name.lower()}.xml", "pdb_name": again, "file_mode": "COPY"}
        )
        op = wait_operation(c, r.headers["location"])
        assert op["status"] == "SUCCEEDED", op
        assert c.post(f"/pdbs/{again}/open").json()["open_mode"] == "READ WRITE"
        with server.connect(again, "adm", "Pw-12345", autocommit=True) as pc:
            assert pc.execute("SELECT count(*) FROM kept").fetchone() == (1000,)
        history = [h["operation"] for h in c.get(f"/pdbs/{again}/history").json()["items"]]
        assert "PLUG" in history or "CREATE" in history
        # a manifest that is not there: the operation fails with the SQL path's error
        r = c.post("/pdbs/plug", json={"xml_path": "no_such_manifest.xml", "pdb_name": _name("pl")})
        failed = wait_operation(c, r.headers["location"])
        assert failed["status"] == "FAILED" and failed["error"]["sqlstate"]
        c.post(f"/pdbs/{again}/close", json={"immediate": True})
        assert c.delete(f"/pdbs/{again}").status_code == 204


def test_backup_and_restore_as_operations(
    server: RunningServer, sys_token: str, tenants: tuple[str, str]
) -> None:
    b = tenants[1]
    with client(server, sys_token) as c:
        with server.connect(b, "B_ADM", B_PW, autocommit=True) as pc:
            pc.execute("CREATE TABLE IF NOT EXISTS precious AS SELECT 42 AS v")
        r = c.post(f"/pdbs/{b}/backups")
        assert r.status_code == 202
        op = wait_operation(c, r.headers["location"])
        assert op["status"] == "SUCCEEDED", op
        backup_id = op["result"]["backup_id"]
        listed = c.get(f"/pdbs/{b}/backups").json()["items"]
        assert any(x["backup_id"] == backup_id and x["status"] == "AVAILABLE" for x in listed)
        assert c.get(f"/backups/{backup_id}").json()["sha256"] == op["result"]["sha256"]
        copy = _name("rs")
        r = c.post(f"/pdbs/{b}/restore", json={"backup_id": backup_id, "new_name": copy})
        op = wait_operation(c, r.headers["location"])
        assert op["status"] == "SUCCEEDED", op
        c.post(f"/pdbs/{copy}/open")
        with server.connect(copy, "B_ADM", B_PW, autocommit=True) as pc:
            assert pc.execute("SELECT v FROM precious").fetchone() == (42,)
        c.post(f"/pdbs/{copy}/close", json={"immediate": True})
        assert c.delete(f"/pdbs/{copy}").status_code == 204
        r = c.post(f"/pdbs/{b}/restore", json={"backup_id": "no-such-backup"})
        failed = wait_operation(c, r.headers["location"])
        assert failed["status"] == "FAILED" and failed["error"]["ora"] == "ORA-65916"


def test_tenant_from_template_is_an_operation(
    server: RunningServer, sys_token: str, tenants: tuple[str, str]
) -> None:
    tpl, t = _name("tpl"), _name("tt")
    with client(server, sys_token) as c:
        r = c.post(
            "/tenant-templates", json={"name": tpl, "source_pdb": tenants[0], "service_tier": "bronze"}
        )
        op = wait_operation(c, r.headers["location"])
        assert op["status"] == "SUCCEEDED", op
        assert c.get(f"/tenant-templates/{tpl}").json()["source_pdb"] == tenants[0]
        r = c.post(
            "/tenants",
            json={"tenant_name": t, "admin_user": "tadm", "admin_password": "Pw-12345", "template": tpl},
        )
        assert r.status_code == 202
        op = wait_operation(c, r.headers["location"])
        assert op["status"] == "SUCCEEDED", op
        assert op["result"]["tenant"]["template"] == tpl
        with server.connect(t, "tadm", "Pw-12345", autocommit=True) as pc:
            assert pc.execute("SELECT 1").fetchone() == (1,)
        tag = c.get(f"/tenants/{t}").headers["etag"]
        assert (
            c.delete(f"/tenants/{t}", params={"immediate": True}, headers={"If-Match": '"stale"'}).status_code
            == 412
        )
        assert (
            c.delete(f"/tenants/{t}", params={"immediate": True}, headers={"If-Match": tag}).status_code
            == 204
        )
        assert c.delete(f"/tenant-templates/{tpl}").status_code == 204
        assert c.get(f"/tenant-templates/{tpl}").status_code == 404


def test_sessions_list_cancel_terminate(
    server: RunningServer, sys_token: str, tenants: tuple[str, str]
) -> None:
    a = tenants[0]
    con = server.connect(a, "A_ADM", A_PW, autocommit=True)
    try:
        with client(server, sys_token) as c:
            mine = [s for s in c.get(f"/pdbs/{a}/sessions").json()["items"] if s["username"] == "A_ADM"]
            assert mine
            pid = max(s["pid"] for s in mine)
            assert c.post(f"/sessions/{pid}/cancel").status_code == 202
            assert c.delete(f"/sessions/{pid}").status_code == 204
            with pytest.raises(Exception, match="administrator command|terminat|closed"):
                for _ in range(50):
                    con.execute("SELECT 1")
                    time.sleep(0.1)
            assert c.delete(f"/sessions/{pid}").status_code == 404
    finally:
        con.close()


def test_lockdown_profile_rules_apply_like_sql(
    server: RunningServer, sys_token: str, tenants: tuple[str, str]
) -> None:
    prof = _name("lp")
    b = tenants[1]
    with client(server, sys_token) as c:
        r = c.post(
            "/cdb/lockdown-profiles",
            json={"name": prof, "disabled_statements": ["ALTER SYSTEM"], "allow_os_access": True},
        )
        assert r.status_code == 201 and len(r.json()["rules"]) == 1
        r = c.post(
            f"/cdb/lockdown-profiles/{prof}/rules", json={"kind": "STATEMENT", "values": ["CREATE VIEW"]}
        )
        assert r.status_code == 200 and len(r.json()["rules"]) == 2
        assert c.post(f"/pdbs/{b}/lockdown", json={"profile": prof}).json()["lockdown_profile"] == prof
        with (
            server.connect(b, "B_ADM", B_PW, autocommit=True) as pc,
            pytest.raises(Exception, match="ORA-01031"),
        ):
            pc.execute("CREATE VIEW v_locked AS SELECT 1")
        assert c.post(f"/pdbs/{b}/lockdown", json={"profile": None}).json()["lockdown_profile"] is None
        with server.connect(b, "B_ADM", B_PW, autocommit=True) as pc:
            pc.execute("CREATE VIEW v_unlocked AS SELECT 1")
        stats = c.get(f"/pdbs/{b}/statistics").json()["resources"]
        assert stats["memory"]["quota_bytes"] > 0
        assert c.delete(f"/cdb/lockdown-profiles/{prof}").status_code == 204


def test_health_ready_version(server: RunningServer, tenants: tuple[str, str]) -> None:
    assert httpx.get(f"{server.api}/health").json() == {"status": "ok"}
    ready = httpx.get(f"{server.api}/ready")
    assert ready.status_code == 200 and ready.json()["ready"] is True and ready.json()["engines"] >= 2
    assert httpx.get(f"{server.api}/version").json()["api"] == "v1"
    assert httpx.get(f"{server.api}/no/such/thing").headers["content-type"] == "application/problem+json"


def test_graphql_tenant_and_pdb_mutations_match_sql(
    server: RunningServer, sys_token: str, a_token: str, tenants: tuple[str, str]
) -> None:
    name = _name("gq")
    q = 'mutation { createTenant(tenantId: "%s", adminUser: "gadm", adminPassword: "Pw-12345", serviceTier: "bronze") { tenantId status serviceTier pdbs { name openMode } } }'
    with client(server, sys_token) as c, server.connect(autocommit=True) as con:
        r = c.post("/graphql", json={"query": q % name}).json()
        assert r["data"]["createTenant"] == {
            "tenantId": name,
            "status": "active",
            "serviceTier": "bronze",
            "pdbs": [{"name": name, "openMode": "READ WRITE"}],
        }
        assert con.execute(
            "SELECT state, service_tier FROM dba_tenants WHERE tenant_name = %s", (name,)
        ).fetchone() == ("ACTIVE", "BRONZE")
        again = c.post("/graphql", json={"query": q % name}).json()
        assert again["errors"][0]["extensions"]["sqlstate"] == "42710"
        closed = c.post(
            "/graphql",
            json={"query": f'mutation {{ closePdb(name: "{name}", immediate: true) {{ openMode }} }}'},
        ).json()
        assert closed["data"]["closePdb"]["openMode"] == "MOUNTED"
        shown = {r[1]: r[2] for r in con.execute("SHOW PDBS").fetchall()}
        assert shown[name] == "MOUNTED"
        opened = c.post(
            "/graphql", json={"query": f'mutation {{ openPdb(name: "{name}") {{ openMode }} }}'}
        ).json()
        assert opened["data"]["openPdb"]["openMode"] == "READ WRITE"
        dropped = c.post(
            "/graphql", json={"query": f'mutation {{ dropTenant(tenantId: "{name}", immediate: true) }}'}
        ).json()
        assert dropped["data"]["dropTenant"] is True
        assert con.execute("SELECT count(*) FROM dba_tenants WHERE tenant_name = %s", (name,)).fetchone() == (
            0,
        )
    with client(server, a_token, tenants[0]) as c:
        r = c.post(
            "/graphql", json={"query": f'mutation {{ closePdb(name: "{tenants[1]}") {{ openMode }} }}'}
        ).json()
        assert r["errors"][0]["extensions"]["status"] == 403
        r = c.post("/graphql", json={"query": q % _name("gq")}).json()
        assert r["errors"][0]["extensions"]["sqlstate"] == "42501"


def test_suspended_tenant_users_are_refused_like_logins(server: RunningServer, sys_token: str) -> None:
    name = _name("su")
    with client(server, sys_token) as c:
        r = c.post(
            "/tenants",
            json={
                "tenant_name": name,
                "admin_user": "sadm",
                "admin_password": "Pw-12345",
                "service_tier": "bronze",
            },
        )
        assert r.status_code == 201
        tok = token(server, "sadm", "Pw-12345", name)
        with client(server, tok, name) as tc:
            assert tc.get(f"/tenants/{name}").status_code == 200
            assert c.post(f"/tenants/{name}/suspend", json={"reason": "overdue"}).status_code == 200
            with pytest.raises(Exception) as e:
                server.connect(name, "sadm", "Pw-12345")
            r = tc.get(f"/tenants/{name}")
            assert r.status_code == 403 and r.json()["ora"] == "ORA-65904"
            assert r.json()["detail"] in str(e.value)  # the login's own FATAL message
            refused = httpx.post(
                f"{server.api}/auth/token",
                json={"username": "sadm", "password": "Pw-12345", "database": name},
            )
            assert refused.status_code != 200 and refused.json()["ora"] == "ORA-65904"
            assert c.post(f"/tenants/{name}/resume").status_code == 200
            assert tc.get(f"/tenants/{name}").status_code == 200
        assert c.delete(f"/tenants/{name}", params={"immediate": True}).status_code == 204


def test_pdb_tier_and_storage_with_if_match(
    server: RunningServer, sys_token: str, tenants: tuple[str, str]
) -> None:
    a = tenants[0]
    with client(server, sys_token) as c, server.connect(autocommit=True) as con:
        tag = c.get(f"/pdbs/{a}").headers["etag"]
        r = c.put(f"/pdbs/{a}/storage", json={"max_size_bytes": 5 << 30}, headers={"If-Match": tag})
        assert r.status_code == 200 and r.json()["max_size"] == 5 << 30
        assert c.put(f"/pdbs/{a}/tier", json={"tier": "bronze"}, headers={"If-Match": tag}).status_code == 412
        with server.connect(a, "A_ADM", A_PW, autocommit=True) as pc:
            shown = {row[0]: row[2] for row in pc.execute("SHOW PARAMETER max_pdb_storage").fetchall()}
        assert str(5 << 30) in shown.values() or "5G" in shown.values()
        r = c.put(f"/pdbs/{a}/storage", json={"max_size_bytes": 1})
        with pytest.raises(Exception) as e:
            con.execute(f"ALTER PLUGGABLE DATABASE {a} STORAGE (MAXSIZE 1K)")
        assert r.status_code == 409 and r.json()["sqlstate"] == e.value.sqlstate  # type: ignore[attr-defined]
        assert r.json()["ora"] == "ORA-65113"


def test_cancel_stops_the_running_statement(
    server: RunningServer, sys_token: str, tenants: tuple[str, str]
) -> None:
    import threading

    a = tenants[0]
    con = server.connect(a, "A_ADM", A_PW, autocommit=True)
    outcome: list[BaseException | None] = []

    def long_query() -> None:
        try:
            con.execute("SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3").fetchone()
            outcome.append(None)
        except BaseException as e:  # noqa: BLE001 - the cancellation is what we look for
            outcome.append(e)

    try:
        with client(server, sys_token) as c:
            pid = max(
                s["pid"] for s in c.get(f"/pdbs/{a}/sessions").json()["items"] if s["username"] == "A_ADM"
            )
            worker = threading.Thread(target=long_query)
            worker.start()
            time.sleep(1.0)
            assert c.post(f"/sessions/{pid}/cancel").status_code == 202
            worker.join(30)
        assert not worker.is_alive() and outcome and outcome[0] is not None
        assert getattr(outcome[0], "sqlstate", None) == "57014"
        assert con.execute("SELECT 1").fetchone() == (1,)  # the session goes on
    finally:
        con.close()
