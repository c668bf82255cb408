"""GraphQL's mutations over real HTTP (httpx) against live servers: PDB relocation and service
tier changes, and the tenant / PDB lifecycle mutations, each through the function the admin SQL
and REST call. For each: the catalog state SQL, REST and GraphQL leave is the same; the errors
are REST's (HTTP status, SQLSTATE, ORA- number in the error's extensions); a tenant-scoped token
is refused as REST refuses it, and the refusal is audited."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.api_util import client, token, wait_operation
from tests.server import RunningServer, start_server

A_PW, B_PW, PW = "Gm-A-Pw-12", "Gm-B-Pw-12", "Gm-Pw-1234"
OPERATION = "operationId kind target tenant username status error errorSqlstate errorOra result location"


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:6]}".upper()


def gql(c: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    r = c.post("/graphql", json={"query": query, **({"variables": variables} if variables else {})})
    assert r.status_code == 200, r.text
    return r.json()


def gql_error(c: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one error of a mutation that failed: its message and extensions."""
    r = gql(c, query, variables)
    assert r.get("data") is None and len(r["errors"]) == 1, r
    return {"message": r["errors"][0]["message"], **r["errors"][0]["extensions"]}


def wait_gql_operation(c: httpx.Client, op_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        op = gql(c, f'{{ operation(operationId: "{op_id}") {{ {OPERATION} }} }}')["data"]["operation"]
        if op["status"] != "RUNNING":
            return op
        time.sleep(0.1)
    raise AssertionError(f"operation {op_id} still running")


def catalog(srv: RunningServer) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{srv.data_dir / 'catalog.sqlite3'}?mode=ro", uri=True)


def audit_rows(c: httpx.Client, since: float, rule: str | None = None) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"since": since, "limit": 1000}
    if rule:
        params["rule"] = rule
    r = c.get("/audit", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def sql_error(srv: RunningServer, statement: str) -> psycopg.Error:
    with srv.connect(autocommit=True) as root, pytest.raises(psycopg.Error) as e:
        root.execute(statement)
    return e.value


def same_error(gql_err: dict[str, Any], rest: httpx.Response, sql: psycopg.Error | None = None) -> None:
    """GraphQL's error carries what REST's problem+json does (and the SQL path's SQLSTATE and ORA-)."""
    body = rest.json()
    assert rest.headers["content-type"] == "application/problem+json"
    assert gql_err["status"] == rest.status_code, (gql_err, body)
    assert gql_err.get("sqlstate") == body.get("sqlstate"), (gql_err, body)
    assert gql_err.get("ora") == body.get("ora"), (gql_err, body)
    if sql is not None:
        assert sql.sqlstate == gql_err["sqlstate"]
        assert str(sql).startswith(gql_err["ora"] + ":"), (str(sql), gql_err)


@pytest.fixture(scope="module")
def sys_token(server: RunningServer) -> str:
    return token(server)


@pytest.fixture(scope="module")
def tenants(server: RunningServer, sys_token: str):
    """Tenants A and B (made through REST) and their admins' tokens."""
    a, b = _name("ga"), _name("gb")
    with client(server, sys_token) as c:
        for name, adm, pw in ((a, "GA_ADM", A_PW), (b, "GB_ADM", B_PW)):
            r = c.post(
                "/tenants",
                json={"tenant_name": name, "admin_user": adm, "admin_password": pw, "service_tier": "bronze"},
            )
            assert r.status_code == 201, r.text
    yield {
        "a": a,
        "b": b,
        "a_tok": token(server, "GA_ADM", A_PW, a),
        "b_tok": token(server, "GB_ADM", B_PW, b),
    }
    with client(server, token(server)) as c:
        for name in (a, b):
            c.delete(f"/tenants/{name}", params={"immediate": True})


# ------------------------------------------------------------------ relocation

RELOCATE = 'mutation($n: String!, $l: String!, $a: String! = "NORMAL") { relocatePdb(name: $n, location: $l, availability: $a) { %s } }'


def _pdb_with_rows(srv: RunningServer, name: str) -> None:
    with srv.connect(autocommit=True) as c:
        c.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER radm IDENTIFIED BY "{PW}"')
        c.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with srv.connect(name, "RADM", PW, autocommit=True) as c:
        c.execute("create table t as select * from range(300) r(i)")


def _placed(srv: RunningServer, name: str) -> dict[str, Any]:
    """What the catalog and the disk say of a PDB's place: the state the three doors must agree on."""
    with catalog(srv) as cat:
        row = cat.execute(
            "SELECT guid, location, relocate_to, pending_op, open_mode, status, tier FROM containers WHERE name = ?",
            (name,),
        ).fetchone()
        history = [
            r[0]
            for r in cat.execute(
                "SELECT operation FROM history WHERE pdb_name = ? ORDER BY id", (name,)
            ).fetchall()
        ]
    guid, *rest = row
    folders = sorted(
        str(p.parent.relative_to(srv.data_dir))
        for p in srv.data_dir.rglob(guid)
        if (p / "data.duckdb").exists()
    )
    with srv.connect(name, "RADM", PW, autocommit=True) as c:
        rows = c.execute("select count(*) from t").fetchone()[0]
    return {"catalog": tuple(rest), "history": history, "folders": folders, "rows": rows}


def test_relocate_pdb_sql_rest_and_graphql_leave_the_same_state(
    server: RunningServer, sys_token: str
) -> None:
    by_sql, by_rest, by_gql = _name("rs"), _name("rr"), _name("rg")
    for n in (by_sql, by_rest, by_gql):
        _pdb_with_rows(server, n)
    where = f"gqfast_{uuid.uuid4().hex[:4]}"
    with client(server, sys_token) as c:
        with server.connect(autocommit=True) as root:
            root.execute(f"ALTER PLUGGABLE DATABASE {by_sql} RELOCATE TO '{where}'")
        r = c.post(f"/pdbs/{by_rest}/relocate", json={"location": where})
        assert r.status_code == 202, r.text
        rest_op = wait_operation(c, r.headers["location"])
        m = gql(c, RELOCATE % OPERATION, {"n": by_gql.lower(), "l": where})
        assert "errors" not in m, m
        op = m["data"]["relocatePdb"]
        # the operation REST's 202 gives, with REST's Location
        assert op["kind"] == "RELOCATE" and op["target"] == by_gql and op["username"] == "SYS"
        assert op["location"] == f"/api/v1/operations/{op['operationId']}"
        assert op["status"] in ("RUNNING", "SUCCEEDED")
        done = wait_gql_operation(c, op["operationId"])
        assert done["status"] == "SUCCEEDED" and done["error"] is None, done
        # REST sees the GraphQL-started operation, and its result has the shape of REST's own
        via_rest = wait_operation(c, done["location"])
        assert via_rest["result"] == done["result"]
        assert set(done["result"]) == set(rest_op["result"])
        assert done["result"]["location"] == rest_op["result"]["location"] == where
        assert done["result"]["open_mode"] == "READ WRITE"
        # the same catalog state, history and place on disk for all three
        states = [_placed(server, n) for n in (by_sql, by_rest, by_gql)]
        assert states[0] == states[1] == states[2], states
        assert states[0]["catalog"][:3] == (where, None, None)  # location, no relocate_to, no pending op
        assert states[0]["history"][-1] == "RELOCATE" and states[0]["folders"] == [where]
        assert states[0]["rows"] == 300
        # the Pdb type says where it is now
        got = gql(c, f'{{ pdb(name: "{by_gql}") {{ location openMode }} }}')["data"]["pdb"]
        assert got == {"location": where, "openMode": "READ WRITE"}
        # and back to the default location, keeping its sessions (MAX)
        back = gql(c, RELOCATE % "operationId", {"n": by_gql, "l": "pdbs", "a": "MAX"})
        assert wait_gql_operation(c, back["data"]["relocatePdb"]["operationId"])["status"] == "SUCCEEDED"
        assert _placed(server, by_gql)["folders"] == ["pdbs"]
        with server.connect(autocommit=True) as root:
            for n in (by_sql, by_rest, by_gql):
                root.execute(f"ALTER PLUGGABLE DATABASE {n} CLOSE IMMEDIATE")
                root.execute(f"DROP PLUGGABLE DATABASE {n} INCLUDING DATAFILES")


def test_relocate_pdb_errors_are_the_sql_and_rest_errors(server: RunningServer, sys_token: str) -> None:
    name = _name("re")
    _pdb_with_rows(server, name)
    before = _placed(server, name)
    with client(server, sys_token) as c:
        # a location that may not hold PDBs: 42501 ORA-65923, refused before any operation starts
        for bad in ("root", "../outside", "/etc"):
            e = gql_error(c, RELOCATE % "operationId", {"n": name, "l": bad})
            rest = c.post(f"/pdbs/{name}/relocate", json={"location": bad})
            sql = sql_error(server, f"ALTER PLUGGABLE DATABASE {name} RELOCATE TO '{bad}'")
            same_error(e, rest, sql)
            assert e["status"] == 403 and e["ora"] == "ORA-65923"
        # no such PDB: 404, 42704, ORA-65011
        e = gql_error(c, RELOCATE % "operationId", {"n": "NO_SUCH_PDB", "l": "fast"})
        rest = c.post("/pdbs/NO_SUCH_PDB/relocate", json={"location": "fast"})
        same_error(e, rest, sql_error(server, "ALTER PLUGGABLE DATABASE NO_SUCH_PDB RELOCATE TO 'fast'"))
        assert (e["status"], e["sqlstate"], e["ora"]) == (404, "42704", "ORA-65011")
        # an availability REST's schema refuses: 422 naming the field
        e = gql_error(c, RELOCATE % "operationId", {"n": name, "l": "fast", "a": "FASTEST"})
        rest = c.post(f"/pdbs/{name}/relocate", json={"location": "fast", "availability": "FASTEST"})
        assert rest.status_code == 422 and rest.json()["field"] == "availability"
        assert (e["status"], e["code"], e["field"]) == (422, "BAD_USER_INPUT", "availability")
    assert _placed(server, name) == before  # nothing moved
    with server.connect(autocommit=True) as root:
        root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
        root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")


def test_relocate_pdb_refused_to_tenant_tokens_and_audited(
    server: RunningServer, sys_token: str, tenants: dict[str, Any]
) -> None:
    a, b = tenants["a"], tenants["b"]
    t0 = time.time()
    with client(server, tenants["a_tok"], a) as c:
        # its own PDB: the SQL path's privilege check (SYS or SYSDBA), as REST
        own = gql_error(c, RELOCATE % "operationId", {"n": a, "l": "fast"})
        same_error(own, c.post(f"/pdbs/{a}/relocate", json={"location": "fast"}))
        assert (own["status"], own["sqlstate"], own["ora"]) == (403, "42501", "ORA-01031")
        # another tenant's PDB: a cross-tenant attempt
        other = gql_error(c, RELOCATE % "operationId", {"n": b, "l": "fast"})
        same_error(other, c.post(f"/pdbs/{b}/relocate", json={"location": "fast"}))
        assert (other["status"], other["sqlstate"]) == (403, "42501")
    with client(server, sys_token) as c:
        rows = audit_rows(c, t0)
        gql_calls = [r for r in rows if r["statement"] == "POST /api/v1/graphql"]
        # every GraphQL request audited with its mutation's outcome, not the HTTP 200 alone
        calls = [r for r in gql_calls if r["rule"] == "API_CALL"]
        assert [r["message"] for r in calls] == ["HTTP 200; relocatePdb 42501"] * 2
        assert all(r["sqlstate"] == "42501" and r["username"] == "GA_ADM" for r in calls)
        crossing = [r for r in gql_calls if r["rule"] == "CROSS_TENANT"]
        assert len(crossing) == 1 and f"(tenant {b})" in crossing[0]["message"]
        assert gql(c, f'{{ pdb(name: "{b}") {{ location }} }}')["data"]["pdb"]["location"] == "pdbs"
    # no token at all: 401 before any GraphQL
    r = httpx.post(
        f"{server.api}/graphql", json={"query": RELOCATE % "operationId", "variables": {"n": a, "l": "x"}}
    )
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


# ------------------------------------------------------------------ service tiers

ALTER_TIER = """mutation($n: String!, $s: ServiceTierFiguresInput, $r: [String!], $all: Boolean! = false, $m: String) {
  alterServiceTier(name: $n, set: $s, reset: $r, resetAll: $all, ifMatch: $m) {
    tier { name cpu sessions statementTimeoutMs iops memoryMb priority etag } notices etag } }"""


@pytest.fixture(scope="module")
def tier_server(tmp_path_factory: pytest.TempPathFactory):
    """A server of its own: a tier is the whole container's."""
    srv = start_server(tmp_path_factory.mktemp("gqltiers") / "data")
    yield srv
    srv.stop()


def _override(srv: RunningServer, tier: str) -> dict[str, Any] | None:
    with catalog(srv) as cat:
        row = cat.execute("SELECT settings FROM service_tier_overrides WHERE tier = ?", (tier,)).fetchone()
    return json.loads(row[0]) if row else None


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(w.title() for w in rest)


def test_alter_service_tier_sql_rest_and_graphql_leave_the_same_state(tier_server: RunningServer) -> None:
    srv = tier_server
    with srv.connect(autocommit=True) as root:
        root.execute(
            f'CREATE PLUGGABLE DATABASE SLV1 ADMIN USER sadm IDENTIFIED BY "{PW}" SERVICE TIER silver'
        )
        root.execute("ALTER PLUGGABLE DATABASE SLV1 OPEN")
    states = []
    with client(srv, token(srv)) as c:
        for door in ("sql", "rest", "gql"):
            assert _override(srv, "SILVER") is None
            if door == "sql":
                with srv.connect(autocommit=True) as root:
                    root.execute(
                        "ALTER SERVICE TIER silver SET (sessions = 70, statement_timeout_ms = 120000)"
                    )
            elif door == "rest":
                r = c.put("/service-tiers/silver", json={"sessions": 70, "statement_timeout_ms": 120000})
                assert r.status_code == 200, r.text
            else:
                m = gql(c, ALTER_TIER, {"n": "silver", "s": {"sessions": 70, "statementTimeoutMs": 120000}})
                assert "errors" not in m, m
                got = m["data"]["alterServiceTier"]
                assert got["tier"]["sessions"] == 70 and got["tier"]["statementTimeoutMs"] == 120000
                assert got["etag"] == got["tier"]["etag"] == c.get("/service-tiers/silver").headers["etag"]
            rest_view = c.get("/service-tiers/silver").json()
            gql_view = gql(c, '{ serviceTier(name: "SILVER") { name sessions statementTimeoutMs cpu iops } }')
            with srv.connect(autocommit=True) as root:
                root.execute("ALTER SESSION SET CONTAINER = SLV1")
                applied = root.execute("SHOW PARAMETER sessions").fetchall()[0][2]
            states.append((_override(srv, "SILVER"), rest_view, applied))
            assert gql_view["data"]["serviceTier"] == {
                _camel(k): rest_view[k] for k in ("name", "sessions", "statement_timeout_ms", "cpu", "iops")
            }
            # back to conf/tiers.toml, each door in turn
            if door == "sql":
                with srv.connect(autocommit=True) as root:
                    root.execute("ALTER SERVICE TIER silver RESET ALL")
            elif door == "rest":
                assert c.put("/service-tiers/silver", json={"reset_all": True}).status_code == 200
            else:
                part = gql(c, ALTER_TIER, {"n": "silver", "r": ["sessions"]})["data"]["alterServiceTier"]
                assert part["tier"]["sessions"] == 100 and part["tier"]["statementTimeoutMs"] == 120000
                assert _override(srv, "SILVER") == {"statement_timeout_ms": 120000}
                done = gql(c, ALTER_TIER, {"n": "silver", "all": True})["data"]["alterServiceTier"]
                assert done["tier"]["statementTimeoutMs"] == 900000
        assert states[0] == states[1] == states[2], states
        assert states[0][0] == {"sessions": 70, "statement_timeout_ms": 120000} and states[0][2] == "70"
        # each change is in the audit trail as the SQL path writes it
        rows = c.get("/audit", params={"rule": "TIER_CHANGE", "limit": 1000}).json()["items"]
        assert sum("sessions 100 -> 70" in r["message"] for r in rows) == 3


def test_alter_service_tier_errors_and_if_match(tier_server: RunningServer) -> None:
    srv = tier_server
    with client(srv, token(srv)) as c:
        # no such tier: the SQL path's error
        e = gql_error(c, ALTER_TIER, {"n": "diamond", "s": {"cpu": 4}})
        same_error(
            e,
            c.put("/service-tiers/diamond", json={"cpu": 4}),
            sql_error(srv, "ALTER SERVICE TIER diamond SET (cpu = 4)"),
        )
        # a figure below its minimum: REST's schema, 422 naming the field
        e = gql_error(c, ALTER_TIER, {"n": "gold", "s": {"sessions": 0}})
        rest = c.put("/service-tiers/gold", json={"sessions": 0})
        assert (e["status"], e["field"]) == (rest.status_code, rest.json()["field"]) == (422, "sessions")
        # a figure the tier function refuses (not a tier key): ORA-65920 as in SQL
        e = gql_error(c, ALTER_TIER, {"n": "gold", "r": ["no_such_figure"]})
        sql = sql_error(srv, "ALTER SERVICE TIER gold RESET (no_such_figure)")
        assert (e["sqlstate"], e["ora"]) == (sql.sqlstate, "ORA-65920") and str(sql).startswith("ORA-65920")
        # a priority REST's schema refuses
        e = gql_error(c, ALTER_TIER, {"n": "gold", "s": {"priority": "Urgent"}})
        assert (e["status"], e["field"]) == (422, "priority")
        # ifMatch: REST's ETag; stale is 412 and nothing changes
        tag = c.get("/service-tiers/gold").headers["etag"]
        ok = gql(c, ALTER_TIER, {"n": "gold", "s": {"iops": 9000}, "m": tag})["data"]["alterServiceTier"]
        assert ok["tier"]["iops"] == 9000 and ok["etag"] != tag
        stale = gql_error(c, ALTER_TIER, {"n": "gold", "s": {"iops": 9500}, "m": tag})
        assert stale["status"] == 412
        assert c.put("/service-tiers/gold", json={"iops": 9500}, headers={"If-Match": tag}).status_code == 412
        assert c.get("/service-tiers/gold").json()["iops"] == 9000
        assert (
            gql(c, ALTER_TIER, {"n": "gold", "all": True})["data"]["alterServiceTier"]["tier"]["iops"]
            == 10000
        )
        assert _override(srv, "GOLD") is None


def test_alter_service_tier_refused_to_a_tenant_token_and_audited(tier_server: RunningServer) -> None:
    srv = tier_server
    t = _name("tt")
    with client(srv, token(srv)) as c:
        r = c.post("/tenants", json={"tenant_name": t, "admin_user": "tt_adm", "admin_password": PW})
        assert r.status_code == 201, r.text
        before = c.get("/service-tiers/gold").json()
    t0 = time.time()
    with client(srv, token(srv, "TT_ADM", PW, t), t) as c:
        e = gql_error(c, ALTER_TIER, {"n": "gold", "s": {"cpu": 8}})
        same_error(e, c.put("/service-tiers/gold", json={"cpu": 8}))
        assert (e["status"], e["sqlstate"], e["ora"]) == (403, "42501", "ORA-01031")
    with client(srv, token(srv)) as c:
        assert c.get("/service-tiers/gold").json() == before
        calls = [r for r in audit_rows(c, t0, "API_CALL") if r["statement"] == "POST /api/v1/graphql"]
        assert [(r["username"], r["sqlstate"], r["message"]) for r in calls] == [
            ("TT_ADM", "42501", "HTTP 200; alterServiceTier 42501")
        ]
        c.delete(f"/tenants/{t}", params={"immediate": True})


# ------------------------------------------------------------------ tenants and PDBs


def test_tenant_mutations_leave_the_state_sql_and_rest_leave(server: RunningServer, sys_token: str) -> None:
    """The same changes to a tenant through each door in turn (one tenant at a time: the tiers'
    guarantees are the machine's): the same tenant body and events after, and after a drop and undrop."""
    fields = "tenantId status serviceTier contact labels quota reason"
    quota = {"cpu": {"minPercent": 5, "maxPercent": 80, "shares": 700}, "io": {"maxIops": 900}}

    def by_sql(n: str, root: psycopg.Connection) -> None:
        root.execute(
            f"CREATE TENANT {n} ADMIN USER adm IDENTIFIED BY \"{PW}\" CONTACT 'a@b' SERVICE TIER bronze"
        )
        root.execute(f"ALTER TENANT {n} SET CONTACT 'ops@acme'")
        root.execute(f"ALTER TENANT {n} SET LABELS (region = 'eu')")
        root.execute(
            f"ALTER TENANT {n} QUOTA (CPU_MIN_PERCENT = 5, CPU_MAX_PERCENT = 80, CPU_SHARES = 700, MAX_IOPS = 900)"
        )
        root.execute(f"ALTER TENANT {n} SET SERVICE TIER silver")
        root.execute(f"ALTER TENANT {n} MAINTENANCE REASON 'patching'")
        root.execute(f"ALTER TENANT {n} RESUME")
        root.execute(f"ALTER TENANT {n} SUSPEND REASON 'unpaid'")

    def by_rest(n: str, c: httpx.Client) -> None:
        r = c.post("/tenants", json={"tenant_name": n, "admin_user": "adm", "admin_password": PW,
                                     "service_tier": "bronze", "contact": "a@b"})  # fmt: skip
        assert r.status_code == 201, r.text
        for method, path, body in (
            ("PUT", "", {"contact": "ops@acme"}),
            ("PUT", "", {"labels": {"region": "eu"}}),
            (
                "PUT",
                "/quota",
                {"cpu": {"min_percent": 5, "max_percent": 80, "shares": 700}, "io": {"max_iops": 900}},
            ),
            ("PUT", "/tier", {"tier": "silver"}),
            ("POST", "/maintenance", {"reason": "patching"}),
            ("POST", "/resume", None),
            ("POST", "/suspend", {"reason": "unpaid"}),
        ):
            r = c.request(method, f"/tenants/{n}{path}", json=body)
            assert r.status_code == 200, r.text

    def by_gql(n: str, c: httpx.Client) -> None:
        m = gql(
            c,
            f'mutation {{ createTenant(tenantId: "{n}", adminUser: "adm", adminPassword: "{PW}", serviceTier: "bronze", contact: "a@b") {{ {fields} }} }}',
        )
        assert "errors" not in m, m
        steps = [
            ('updateTenant(tenantId: "%s", contact: "ops@acme")', {}),
            ('updateTenant(tenantId: "%s", labels: {region: "eu"})', {}),
            ('setTenantQuota(tenantId: "%s", cpu: $cpu, io: $io)', {"cpu": quota["cpu"], "io": quota["io"]}),
            ('setTenantTier(tenantId: "%s", tier: "silver")', {}),
            ('setTenantMaintenance(tenantId: "%s", reason: "patching")', {}),
            ('resumeTenant(tenantId: "%s")', {}),
            ('suspendTenant(tenantId: "%s", reason: "unpaid")', {}),
        ]
        for step, variables in steps:
            decl = "($cpu: CpuQuotaInput, $io: IoQuotaInput)" if variables else ""
            m = gql(c, f"mutation{decl} {{ {step % n} {{ {fields} }} }}", variables or None)
            assert "errors" not in m, (step, m)
        got = next(iter(m["data"].values()))
        assert (
            got["status"] == "suspended" and got["reason"] == "unpaid" and got["labels"] == {"REGION": "eu"}
        )
        assert got["quota"] == {
            "CPU_MIN_PERCENT": 5,
            "CPU_MAX_PERCENT": 80,
            "CPU_SHARES": 700,
            "MAX_IOPS": 900,
        }

    def state(c: httpx.Client, n: str) -> tuple[Any, Any]:
        body = c.get(f"/tenants/{n}").json()
        for k in ("tenant_id", "tenant_name", "display_name", "pdbs", "created_at", "changed_at"):
            body.pop(k)
        events = [
            (e["operation"], e["from_state"], e["to_state"], e["reason"])
            for e in c.get(f"/tenants/{n}/events", params={"limit": 1000}).json()["items"]
        ]
        return body, [e for e in events if e[0] not in ("CREATE", "ADD PDB")]

    seen = []
    with client(server, sys_token) as c, server.connect(autocommit=True) as root:
        for door in ("sql", "rest", "gql"):
            n = _name("t" + door[0])
            if door == "sql":
                by_sql(n, root)
            elif door == "rest":
                by_rest(n, c)
            else:
                by_gql(n, c)
            changed = state(c, n)
            # undrop: a dropped (terminated) tenant comes back the same way through each door
            root.execute(f"DROP TENANT {n}")
            if door == "sql":
                root.execute(f"UNDROP TENANT {n}")
            elif door == "rest":
                assert c.post(f"/tenants/{n}/undrop").status_code == 200
            else:
                m = gql(c, f'mutation {{ undropTenant(tenantId: "{n}") {{ status }} }}')
                assert "errors" not in m, m
            seen.append((changed, state(c, n)))
            assert (
                gql(c, f'mutation {{ dropTenant(tenantId: "{n}", immediate: true) }}')["data"]["dropTenant"]
                is True
            )
    assert seen[0] == seen[1] == seen[2], seen


def test_pdb_mutations_leave_the_state_sql_and_rest_leave(server: RunningServer, sys_token: str) -> None:
    by_sql, by_rest, by_gql = _name("ps"), _name("pr"), _name("pg")
    profile = _name("lp")

    def state(n: str) -> dict[str, Any]:
        body = c.get(f"/pdbs/{n}").json()
        for k in ("pdb_id", "pdb_name", "con_id", "guid", "created_at", "open_time"):
            body.pop(k)
        return body

    with client(server, sys_token) as c, server.connect(autocommit=True) as root:
        root.execute(
            f'CREATE PLUGGABLE DATABASE {by_sql} ADMIN USER padm IDENTIFIED BY "{PW}" SERVICE TIER bronze'
        )
        root.execute(f"ALTER PLUGGABLE DATABASE {by_sql} OPEN")  # a new PDB opens read write first
        root.execute(f"ALTER PLUGGABLE DATABASE {by_sql} CLOSE")
        root.execute(f"ALTER PLUGGABLE DATABASE {by_sql} OPEN READ ONLY")
        root.execute(f"ALTER PLUGGABLE DATABASE {by_sql} SAVE STATE")
        root.execute(f"ALTER PLUGGABLE DATABASE {by_sql} SET SERVICE TIER silver")
        root.execute(f"ALTER PLUGGABLE DATABASE {by_sql} STORAGE (MAXSIZE 3G)")
        r = c.post(
            "/pdbs",
            json={"pdb_name": by_rest, "admin_user": "padm", "admin_password": PW, "service_tier": "bronze"},
        )
        assert r.status_code == 201, r.text
        for path, body in (
            ("open", None),
            ("close", None),
            ("open", {"mode": "READ_ONLY"}),
            ("save-state", None),
        ):
            assert c.post(f"/pdbs/{by_rest}/{path}", json=body).status_code == 200
        assert c.put(f"/pdbs/{by_rest}/tier", json={"tier": "silver"}).status_code == 200
        assert c.put(f"/pdbs/{by_rest}/storage", json={"max_size_bytes": 3 << 30}).status_code == 200

        m = gql(
            c,
            f'mutation {{ createPdb(pdbName: "{by_gql}", adminUser: "padm", adminPassword: "{PW}", serviceTier: "bronze") {{ name openMode serviceTier }} }}',
        )
        assert m["data"]["createPdb"] == {"name": by_gql, "openMode": "MOUNTED", "serviceTier": "bronze"}, m
        tag = gql(c, f'{{ pdb(name: "{by_gql}") {{ etag }} }}')["data"]["pdb"]["etag"]
        assert tag == c.get(f"/pdbs/{by_gql}").headers["etag"]
        m = gql(
            c,
            f"""mutation($size: BigInt) {{
              o: openPdb(name: "{by_gql}") {{ openMode }}
              x: closePdb(name: "{by_gql}") {{ openMode }}
              a: openPdb(name: "{by_gql}", mode: "READ_ONLY") {{ openMode }}
              b: savePdbState(name: "{by_gql}") {{ savedState }}
              c: setPdbTier(name: "{by_gql}", tier: "silver") {{ serviceTier }}
              d: setPdbStorage(name: "{by_gql}", maxSizeBytes: $size) {{ maxSize }} }}""",
            {"size": 3 << 30},
        )
        assert "errors" not in m, m
        assert m["data"]["d"]["maxSize"] == 3 << 30  # past GraphQL's 32-bit Int: a BigInt
        assert state(by_sql) == state(by_rest) == state(by_gql)
        assert state(by_gql)["open_mode"] == "READ ONLY" and state(by_gql)["service_tier"] == "silver"
        # a stale ETag is refused as REST refuses it, and changes nothing
        e = gql_error(
            c,
            f'mutation {{ setPdbTier(name: "{by_gql}", tier: "gold", ifMatch: {json.dumps(tag)}) {{ name }} }}',
        )
        assert e["status"] == 412 and state(by_gql)["service_tier"] == "silver"

        # lockdown profile made and assigned through each door
        root.execute(f"CREATE LOCKDOWN PROFILE {profile}_S")
        root.execute(f"ALTER LOCKDOWN PROFILE {profile}_S DISABLE STATEMENT = ('ALTER SYSTEM')")
        root.execute(f"ALTER LOCKDOWN PROFILE {profile}_S DISABLE FEATURE = ('OS_ACCESS')")
        r = c.post(
            "/cdb/lockdown-profiles", json={"name": f"{profile}_R", "disabled_statements": ["ALTER SYSTEM"]}
        )
        assert r.status_code == 201, r.text
        m = gql(
            c,
            f'mutation {{ createLockdownProfile(name: "{profile}_G", disabledStatements: ["ALTER SYSTEM"]) {{ name rules }} }}',
        )
        assert m["data"]["createLockdownProfile"] == {"name": f"{profile}_G", "rules": 2}, m

        def rules(p: str) -> list[Any]:
            return [
                {k: v for k, v in x.items() if k not in ("id", "profile")}
                for x in c.get(f"/cdb/lockdown-profiles/{p}").json()["rules"]
            ]

        assert rules(f"{profile}_S") == rules(f"{profile}_R") == rules(f"{profile}_G")
        # a quote in a value is refused before anything is made
        e = gql_error(
            c,
            f"""mutation {{ createLockdownProfile(name: "{profile}_Q", disabledFeatures: ["a'b"]) {{ name }} }}""",
        )
        assert e["status"] == 422 and c.get(f"/cdb/lockdown-profiles/{profile}_Q").status_code == 404
        root.execute(f"ALTER PLUGGABLE DATABASE {by_sql} CLOSE")
        root.execute(f"ALTER PLUGGABLE DATABASE {by_sql} OPEN")
        with server.connect(by_sql, autocommit=True) as con:
            con.execute(f"ALTER SYSTEM SET PDB_LOCKDOWN = {profile}_S")
        assert c.post(f"/pdbs/{by_rest}/close").status_code == 200
        assert c.post(f"/pdbs/{by_rest}/open").status_code == 200
        assert c.post(f"/pdbs/{by_rest}/lockdown", json={"profile": f"{profile}_R"}).status_code == 200
        m = gql(
            c,
            f"""mutation {{ a: closePdb(name: "{by_gql}") {{ openMode }} b: openPdb(name: "{by_gql}") {{ openMode }}
              c: setPdbLockdownProfile(name: "{by_gql}", profile: "{profile}_G") {{ lockdownProfile }} }}""",
        )
        assert m["data"]["c"]["lockdownProfile"] == f"{profile}_G", m
        views = [state(n) for n in (by_sql, by_rest, by_gql)]
        assert [v.pop("lockdown_profile") for v in views] == [f"{profile}_S", f"{profile}_R", f"{profile}_G"]
        assert views[0] == views[1] == views[2]

        # clone: an operation, as REST's 202
        m = gql(c, f'mutation {{ clonePdb(name: "{by_gql}", targetName: "{by_gql}_C") {{ {OPERATION} }} }}')
        op = wait_gql_operation(c, m["data"]["clonePdb"]["operationId"])
        assert op["kind"] == "CLONE" and op["status"] == "SUCCEEDED", op
        made = c.get(f"/pdbs/{by_gql}_C").json()
        keys = ("pdb_name", "guid", "con_id", "service_tier", "location", "tenant", "max_size")
        assert {k: op["result"]["pdb"][k] for k in keys} == {k: made[k] for k in keys}
        # a clone onto a name in use fails as the SQL path fails: its ORA- number in the operation
        m = gql(c, f'mutation {{ clonePdb(name: "{by_gql}", targetName: "{by_rest}") {{ operationId }} }}')
        failed = wait_gql_operation(c, m["data"]["clonePdb"]["operationId"])
        sql = sql_error(server, f"CREATE PLUGGABLE DATABASE {by_rest} FROM {by_gql}")
        assert failed["status"] == "FAILED" and failed["errorSqlstate"] == sql.sqlstate
        assert str(sql).startswith(failed["errorOra"] + ":")
        for n in (by_sql, by_rest, by_gql, f"{by_gql}_C"):
            gql(
                c, f'mutation {{ closePdb(name: "{n}", immediate: true) {{ name }} }}'
            )  # a clone may be closed
            assert gql(c, f'mutation {{ dropPdb(name: "{n}") }}')["data"]["dropPdb"] is True
        assert gql_error(c, f'mutation {{ dropPdb(name: "{by_gql}") }}')["ora"] == "ORA-65011"
        for suffix in ("S", "R", "G"):
            root.execute(f"DROP LOCKDOWN PROFILE {profile}_{suffix}")


# (GraphQL document, REST method, REST path, REST body): the same call through both doors.
def _pairs(t: str) -> list[tuple[str, str, str, Any]]:
    return [
        (f'updateTenant(tenantId: "{t}", contact: "x@y") {{ tenantId }}', "PUT", f"/tenants/{t}", {"contact": "x@y"}),
        (f'dropTenant(tenantId: "{t}")', "DELETE", f"/tenants/{t}", None),
        (f'undropTenant(tenantId: "{t}") {{ tenantId }}', "POST", f"/tenants/{t}/undrop", None),
        (f'suspendTenant(tenantId: "{t}", reason: "r") {{ tenantId }}', "POST", f"/tenants/{t}/suspend", {"reason": "r"}),
        (f'resumeTenant(tenantId: "{t}") {{ tenantId }}', "POST", f"/tenants/{t}/resume", None),
        (f'setTenantMaintenance(tenantId: "{t}") {{ tenantId }}', "POST", f"/tenants/{t}/maintenance", None),
        (f'migrateTenant(tenantId: "{t}") {{ tenantId }}', "POST", f"/tenants/{t}/migrate", None),
        (f'setTenantTier(tenantId: "{t}", tier: "gold") {{ tenantId }}', "PUT", f"/tenants/{t}/tier", {"tier": "gold"}),
        (f'setTenantQuota(tenantId: "{t}", cpu: {{maxPercent: 50}}) {{ tenantId }}', "PUT", f"/tenants/{t}/quota",
         {"cpu": {"max_percent": 50}}),
        (f'createPdb(pdbName: "GMX_PDB", adminUser: "adm", adminPassword: "{PW}", tenant: "{t}") {{ name }}', "POST",
         "/pdbs", {"pdb_name": "GMX_PDB", "admin_user": "adm", "admin_password": PW, "tenant": t}),
        (f'openPdb(name: "{t}") {{ name }}', "POST", f"/pdbs/{t}/open", None),
        (f'closePdb(name: "{t}") {{ name }}', "POST", f"/pdbs/{t}/close", None),
        (f'savePdbState(name: "{t}") {{ name }}', "POST", f"/pdbs/{t}/save-state", None),
        (f'discardPdbState(name: "{t}") {{ name }}', "DELETE", f"/pdbs/{t}/saved-state", None),
        (f'setPdbTier(name: "{t}", tier: "gold") {{ name }}', "PUT", f"/pdbs/{t}/tier", {"tier": "gold"}),
        (f'setPdbStorage(name: "{t}", maxSizeBytes: 1073741824) {{ name }}', "PUT", f"/pdbs/{t}/storage",
         {"max_size_bytes": 1 << 30}),
        (f'dropPdb(name: "{t}")', "DELETE", f"/pdbs/{t}", None),
        (f'clonePdb(name: "{t}", targetName: "GMX_CLONE") {{ operationId }}', "POST", f"/pdbs/{t}/clone",
         {"target_name": "GMX_CLONE"}),
        (f'unplugPdb(name: "{t}", xmlPath: "gmx.xml") {{ operationId }}', "POST", f"/pdbs/{t}/unplug", {"xml_path": "gmx.xml"}),
        (f'relocatePdb(name: "{t}", location: "fast") {{ operationId }}', "POST", f"/pdbs/{t}/relocate", {"location": "fast"}),
        (f'backupPdb(name: "{t}") {{ operationId }}', "POST", f"/pdbs/{t}/backups", None),
        (f'restorePdb(name: "{t}", backupId: "x") {{ operationId }}', "POST", f"/pdbs/{t}/restore", {"backup_id": "x"}),
        (f'setPdbLockdownProfile(name: "{t}", profile: "SAAS") {{ name }}', "POST", f"/pdbs/{t}/lockdown", {"profile": "SAAS"}),
    ]  # fmt: skip


_UNSCOPED = [
    (f'createTenant(tenantId: "GMX_T", adminUser: "adm", adminPassword: "{PW}") {{ tenantId }}', "POST", "/tenants",
     {"tenant_name": "GMX_T", "admin_user": "adm", "admin_password": PW}),
    (f'createTenantFromTemplate(tenantId: "GMX_T", template: "GMX_TPL", adminUser: "adm", adminPassword: "{PW}") {{ operationId }}',
     "POST", "/tenants", {"tenant_name": "GMX_T", "template": "GMX_TPL", "admin_user": "adm", "admin_password": PW}),
    ('plugPdb(xmlPath: "gmx.xml", pdbName: "GMX_PLUG") { operationId }', "POST", "/pdbs/plug",
     {"xml_path": "gmx.xml", "pdb_name": "GMX_PLUG"}),
    ('createLockdownProfile(name: "GMX_LP") { name }', "POST", "/cdb/lockdown-profiles", {"name": "GMX_LP"}),
    ("alterServiceTier(name: \"gold\", set: {cpu: 4}) { etag }", "PUT", "/service-tiers/gold", {"cpu": 4}),
]  # fmt: skip


def test_every_mutation_refuses_a_tenant_token_as_rest_does(
    server: RunningServer, tenants: dict[str, Any]
) -> None:
    """A tenant's admin, on its own tenant and on another's: each mutation answers what its REST
    endpoint answers (status, SQLSTATE, ORA-), every attempt is audited, and nothing changes."""
    a, b = tenants["a"], tenants["b"]
    with client(server, token(server)) as admin:
        schema = gql(admin, "{ __schema { mutationType { fields { name } } } }")["data"]["__schema"]
        every = {f["name"] for f in schema["mutationType"]["fields"]}
    # every mutation of the schema is in the table (a new one without its row fails here)
    assert every == {doc.split("(")[0] for doc, *_ in _pairs(a) + _UNSCOPED}
    t0 = time.time()
    with client(server, token(server)) as admin:
        before = {n: (admin.get(f"/tenants/{n}").json(), admin.get(f"/pdbs/{n}").json()) for n in (a, b)}
    with client(server, tenants["a_tok"], a) as c:
        rows = (
            [(row, "own") for row in _pairs(a)]
            + [(row, "other") for row in _pairs(b)]
            + [(row, "-") for row in _UNSCOPED]
        )
        for (doc, method, path, body), whose in rows:
            e = gql_error(c, f"mutation {{ {doc} }}")
            rest = c.request(method, path, json=body)
            same_error(e, rest)
            assert e["status"] == 403, (doc, e)
            if whose == "other":
                assert e["sqlstate"] == "42501", (doc, e)
    with client(server, token(server)) as admin:
        after = {n: (admin.get(f"/tenants/{n}").json(), admin.get(f"/pdbs/{n}").json()) for n in (a, b)}
        assert after == before
        calls = [r for r in audit_rows(admin, t0, "API_CALL") if r["statement"] == "POST /api/v1/graphql"]
        assert len(calls) == len(rows) and all(r["username"] == "GA_ADM" and r["sqlstate"] for r in calls)
        crossing = [
            r for r in audit_rows(admin, t0, "CROSS_TENANT") if r["statement"] == "POST /api/v1/graphql"
        ]
        # each attempt on B's tenant or PDBs (REST's too) is written as a cross-tenant attempt
        assert len(crossing) == len(_pairs(b))
