"""The metering, billing and SLA endpoints and GraphQL fields (issue 17 over issue 16), on a real
server metering every second: each asked both ways (SQL and HTTP) with the same answer, the
tenant context enforced and audited, errors as problem+json, money as decimal strings."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import uuid
from decimal import Decimal

import httpx
import psycopg
import pytest

from tests.api_util import client, token
from tests.server import RunningServer, start_server
from tests.test_metering import METER_CONFIG, PW, _run, _tenant, _usage_when

MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
CLOSED = "2026-01"  # a past month this module closes: its numbers never move


@pytest.fixture(scope="module")
def msrv(tmp_path_factory: pytest.TempPathFactory):
    srv = start_server(
        tmp_path_factory.mktemp("apimeter") / "data", env={"DUCKCDB_FAULTS": "1"}, config=METER_CONFIG
    )
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def world(msrv: RunningServer):
    a, b = _tenant(msrv), _tenant(msrv)
    with msrv.connect(a, "adm", PW, autocommit=True) as c:
        c.execute("CREATE TABLE t AS SELECT range AS x FROM range(1000)")
    _run(msrv, a, "SELECT 1", 5)
    assert _run(msrv, a, "SELECT /*fault:engine*/ 1", 8) == 8  # server errors: an ErrorRate violation
    _usage_when(msrv, a, "statements", 15)
    with msrv.connect(autocommit=True) as root:
        root.execute(f"ALTER SYSTEM CLOSE BILLING PERIOD '{CLOSED}'")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with msrv.connect(autocommit=True) as root:
            if root.execute("SELECT count(*) FROM CDB_SLA_VIOLATIONS WHERE tenant_id = %s", (a,)).fetchone()[
                0
            ]:
                break
        time.sleep(0.5)
    return {
        "a": a,
        "b": b,
        "sys": token(msrv),
        "a_tok": token(msrv, "ADM", PW, a),
        "b_tok": token(msrv, "ADM", PW, b),
    }


def _sql(srv: RunningServer, sql: str, *args: object) -> list[tuple]:
    with srv.connect(autocommit=True) as root:
        return root.execute(sql, args or None).fetchall()


def _ts(x: object) -> dt.datetime:
    """A time as the SQL views give it: UTC without a zone (the API says +00:00)."""
    t = x if isinstance(x, dt.datetime) else dt.datetime.fromisoformat(str(x))
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


# ------------------------------------------------------------------ parity: SQL and HTTP


def test_records_parity_filters_and_pagination(msrv: RunningServer, world: dict) -> None:
    a = world["a"]
    until = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)).replace(tzinfo=None, microsecond=0)
    rows = _sql(
        msrv,
        "SELECT tenant_name, pdb_name, metric, unit, grain, period_start, period_end, value FROM CDB_METERING"
        " WHERE tenant_name = %s AND grain = 'INTERVAL' AND period_start < %s",
        a,
        until,
    )
    assert rows
    with client(msrv, world["sys"]) as c:
        items, cursor = [], None
        while True:
            params = {"tenant": a, "grain": "interval", "until": until.isoformat(), "limit": 7}
            r = c.get("/metering/records", params={**params, **({"cursor": cursor} if cursor else {})})
            assert r.status_code == 200, r.text
            items += r.json()["items"]
            assert r.json()["total"] == len(rows)
            cursor = r.json()["next_cursor"]
            if cursor is None:
                break
        got = {
            (i["tenant_name"], i["pdb_name"], i["metric"], i["unit"], i["grain"], _ts(i["period_start"]),
             _ts(i["period_end"]), i["value"])
            for i in items
        }  # fmt: skip
        assert len(items) == len(rows) and got == set(rows)
        # a metric's filter and sort; the rollups
        st = c.get("/metering/records", params={"tenant": a, "metric": "statements", "grain": "month"}).json()
        (total,) = _sql(
            msrv, "SELECT sum(value) FROM CDB_METERING WHERE tenant_name = %s AND grain = 'MONTH' AND metric = 'statements'", a
        )[0]  # fmt: skip
        assert sum(i["value"] for i in st["items"]) == total
        srt = c.get("/metering/records", params={"tenant": a, "sort": "-value", "limit": 5}).json()["items"]
        assert [i["value"] for i in srt] == sorted((i["value"] for i in srt), reverse=True)
        assert c.get("/metering/records", params={"sort": "nosuch"}).status_code == 422


STABLE = {
    "sessions_opened",
    "statements",
    "failed_statements",
    "transactions_committed",
    "transactions_rolled_back",
}


def test_usage_parity(msrv: RunningServer, world: dict) -> None:
    a = world["a"]
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    (text,) = _sql(msrv, f"SHOW USAGE FOR TENANT {a} PERIOD '{month}' BY DAY")[0]
    shown = json.loads(text)
    with client(msrv, world["sys"]) as c:
        api = c.get(f"/tenants/{a}/usage", params={"period": month, "grain": "day"}).json()
        listed = c.get("/metering/usage", params={"period": month, "tenant": a}).json()["items"]
    assert set(api) == set(shown) and api["period"] == month and api["grain"] == "DAY"
    # the counts of an idle tenant do not move between the two reads (storage and CPU time do)
    pick = lambda u: {m["metric"]: m["value"] for m in u["metrics"] if m["metric"] in STABLE}  # noqa: E731
    assert pick(api) == pick(shown) == pick(listed[0])
    assert pick(api)["statements"] >= 14 and pick(api)["sessions_opened"] >= 3
    assert api["storage_average_bytes"] > 0 and {p["pdb"] for p in api["pdbs"]} == {a}


def test_billing_invoices_and_export_parity(msrv: RunningServer, world: dict) -> None:
    a = world["a"]
    (row,) = _sql(msrv, f"SHOW BILLING FOR TENANT {a} PERIOD '{CLOSED}'")
    closed = _sql(
        msrv,
        "SELECT tenant_id, period, status, service_tier, base_cost, usage_cost, sla_credit, adjustments,"
        " total_cost, currency FROM CDB_BILLING WHERE status = 'CLOSED' AND period = %s",
        CLOSED,
    )
    (csv_text,) = _sql(msrv, f"SHOW BILLING EXPORT PERIOD '{CLOSED}' FORMAT CSV")[0]
    (json_text,) = _sql(msrv, f"SHOW BILLING EXPORT PERIOD '{CLOSED}' FORMAT JSON")[0]
    with client(msrv, world["sys"]) as c:
        bill = c.get(f"/tenants/{a}/billing", params={"period": CLOSED}).json()
        assert bill == json.loads(row[-1])
        reports = c.get("/billing/reports", params={"period": CLOSED, "limit": 1000}).json()["items"]
        assert {r["tenant_id"]: r for r in reports}[a] == bill
        inv = c.get("/billing/invoices", params={"status": "closed", "period": CLOSED, "limit": 1000}).json()
        got = {
            (i["tenant_id"], i["period"], i["status"], i["service_tier"], Decimal(i["base_cost"]),
             Decimal(i["usage_cost"]), Decimal(i["sla_credit"]), Decimal(i["adjustments_total"]),
             Decimal(i["total_cost"]), i["currency"])
            for i in inv["items"]
        }  # fmt: skip
        assert got == set(closed) and len(got) >= 2
        one = c.get(f"/billing/invoices/{a}/{CLOSED}")
        assert one.status_code == 200 and one.json()["status"] == "CLOSED" and one.json()["report"] == bill
        assert (
            c.get(
                f"/billing/invoices/{a}/{CLOSED}", headers={"If-None-Match": one.headers["etag"]}
            ).status_code
            == 304
        )
        csv_api = c.get("/billing/export", params={"period": CLOSED, "format": "csv"})
        assert csv_api.headers["content-type"].startswith("text/csv") and csv_api.text == csv_text
        by_accept = c.get("/billing/export", params={"period": CLOSED}, headers={"Accept": "text/csv"})
        assert by_accept.text == csv_text
        js = c.get("/billing/export", params={"period": CLOSED})
        assert js.headers["content-type"] == "application/json" and js.json() == json.loads(json_text)
        # the open month: OPEN, in the list and by itself
        month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
        now = c.get(f"/billing/invoices/{a}/{month}").json()
        assert now["status"] == "OPEN" and now["tenant_id"] == a
        opened = c.get("/billing/invoices", params={"tenant": a, "status": "open"}).json()["items"]
        assert [(i["tenant_id"], i["period"], i["status"]) for i in opened] == [(a, month, "OPEN")]
    # money: decimal strings with two places, never numbers
    for r in (bill, now["report"]):
        for k in ("base_cost", "usage_cost", "sla_credit", "adjustments_total", "total_cost"):
            assert isinstance(r[k], str) and MONEY.match(r[k]), (k, r[k])
        assert all(MONEY.match(v) for v in r["usage_breakdown"].values())
        assert all(MONEY.match(li["amount"]) for li in r["line_items"])


def test_a_closed_invoice_never_changes(msrv: RunningServer, world: dict) -> None:
    a = world["a"]
    with client(msrv, world["sys"]) as c:
        before = c.get(f"/billing/invoices/{a}/{CLOSED}")
        # a late correction into the closed month: the next month adjusts, the invoice stays
        with msrv.connect(autocommit=True) as root:
            root.execute(
                f"ALTER SYSTEM CORRECT USAGE FOR PLUGGABLE DATABASE {a} METRIC 'cpu_time' VALUE 3600000000000"
                f" AT '{CLOSED}-20 00:00:00'"
            )
        after = c.get(f"/billing/invoices/{a}/{CLOSED}")
        assert after.json() == before.json() and after.headers["etag"] == before.headers["etag"]
        assert c.put(f"/billing/invoices/{a}/{CLOSED}", json={}).status_code == 405
        assert c.delete(f"/billing/invoices/{a}/{CLOSED}").status_code == 405
        # closing again through the API changes nothing either
        r = c.post(f"/billing/periods/{CLOSED}/close")
        assert r.status_code == 200 and r.json()["period"] == CLOSED and MONEY.match(r.json()["total_cost"])
        assert c.get(f"/billing/invoices/{a}/{CLOSED}").json() == before.json()
        nxt = c.get(f"/tenants/{a}/billing", params={"period": "2026-02"}).json()
        assert nxt["adjustments"] == [
            {"period": CLOSED, "amount": "50.00", "reason": f"late corrections to {CLOSED}"}
        ]  # 1,000 CPU hours at $0.05 (none included: the tenant did not exist then)


def test_sla_violations_and_compliance_parity(msrv: RunningServer, world: dict) -> None:
    a = world["a"]
    rows = _sql(
        msrv,
        "SELECT violation_id, tenant_id, pdb_name, violation_type, severity, description, start_time"
        " FROM CDB_SLA_VIOLATIONS WHERE tenant_id = %s ORDER BY violation_id",
        a,
    )
    assert rows and rows[0][3] == "ErrorRate" and rows[0][4] == "Critical"
    (sla_text,) = _sql(msrv, f"SHOW SLA FOR TENANT {a}")[0]
    cdb_sla = _sql(msrv, "SELECT tenant_id, service_tier, target_uptime_percent, compliant FROM CDB_SLA")
    with client(msrv, world["sys"]) as c:
        items = c.get("/sla/violations", params={"tenant": a}).json()["items"]
        got = [
            (v["violation_id"], v["tenant_id"], v["pdb_name"], v["violation_type"], v["severity"],
             v["description"], _ts(v["start_time"]))
            for v in items
        ]  # fmt: skip
        assert got[: len(rows)] == rows
        crit = c.get("/sla/violations", params={"severity": "Critical", "type": "ErrorRate"}).json()["items"]
        assert a in {v["tenant_id"] for v in crit} and all(v["severity"] == "Critical" for v in crit)
        assert not c.get("/sla/violations", params={"tenant": world["b"]}).json()["items"]
        sla = c.get(f"/tenants/{a}/sla").json()
        shown = json.loads(sla_text)
        assert (sla["tenant_id"], sla["service_tier"], sla["sla_target"]) == (
            shown["tenant_id"], shown["service_tier"], shown["sla_target"]
        )  # fmt: skip
        comp = c.get("/sla/compliance", params={"limit": 1000}).json()["items"]
        assert {(s["tenant_id"], s["service_tier"], s["sla_target"]["uptime_percent"]) for s in comp} == {
            r[:3] for r in cdb_sla
        }
        yes = c.get("/sla/compliance", params={"compliant": True, "limit": 1000}).json()["items"]
        no = c.get("/sla/compliance", params={"compliant": False, "limit": 1000}).json()["items"]
        assert all(s["compliant"] for s in yes) and not any(s["compliant"] for s in no)
        assert len(yes) + len(no) == len(comp)


# ------------------------------------------------------------------ tenant context, errors


def test_a_tenant_admin_reaches_only_its_tenant_and_refusals_are_audited(
    msrv: RunningServer, world: dict
) -> None:
    a, b = world["a"], world["b"]
    with client(msrv, world["a_tok"], a) as c:
        for path in ("/metering/records", "/metering/usage", "/billing/reports", "/billing/invoices",
                     "/sla/violations", "/sla/compliance"):  # fmt: skip
            r = c.get(path, params={"limit": 1000})
            assert r.status_code == 200, (path, r.text)
            names = {i.get("tenant_id") or i.get("tenant_name") for i in r.json()["items"]}
            assert names <= {a}, (path, names)
        assert c.get(f"/tenants/{a}/billing").status_code == 200
        for path, params in (
            (f"/tenants/{b}/billing", {}),
            (f"/tenants/{b}/usage", {}),
            (f"/billing/invoices/{b}/{CLOSED}", {}),
            ("/metering/records", {"tenant": b}),
            ("/sla/violations", {"tenant": b}),
        ):
            r = c.get(path, params=params)
            assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json", path
            assert r.json()["sqlstate"] == "42501" and r.json()["ora"] == "ORA-01031"
        # the whole container's export and closing are SYS's (as in SQL: ORA-01031 / ORA-65040)
        r = c.get("/billing/export", params={"period": CLOSED})
        assert r.status_code == 403 and r.json()["ora"] == "ORA-01031"
        assert c.post(f"/billing/periods/{CLOSED}/close").status_code == 403
    with client(msrv, world["a_tok"]) as c:  # without X-Tenant-ID
        assert c.get(f"/tenants/{a}/billing").status_code == 400
    with msrv.connect(a, "adm", PW, autocommit=True) as own, pytest.raises(psycopg.Error, match="ORA-01031"):
        own.execute(f"SHOW BILLING FOR TENANT {b} PERIOD '{CLOSED}'")
    with client(msrv, world["sys"]) as c:
        audit = c.get("/audit", params={"rule": "CROSS_TENANT", "username": "ADM", "limit": 1000}).json()[
            "items"
        ]
    assert any(f"/tenants/{b}/billing" in x["statement"] for x in audit)
    assert any("/sla/violations" in x["statement"] for x in audit)


def test_errors_are_problem_json_with_the_sql_codes(msrv: RunningServer, world: dict) -> None:
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    with client(msrv, world["sys"]) as c:
        r = c.get("/tenants/NOSUCH_T/billing")
        assert r.status_code == 404 and r.json()["ora"] == "ORA-65901" and r.json()["sqlstate"] == "42704"
        r = c.get("/tenants/NOSUCH_T/usage")
        assert r.status_code == 404 and r.json()["ora"] == "ORA-65901"
        r = c.post(f"/billing/periods/{month}/close")  # the month has not ended
        assert r.status_code == 409 and r.json()["sqlstate"] == "55000"
        with msrv.connect(autocommit=True) as root, pytest.raises(psycopg.Error) as e:
            root.execute(f"ALTER SYSTEM CLOSE BILLING PERIOD '{month}'")
        assert e.value.sqlstate == "55000"
        r = c.get("/billing/reports", params={"period": "2026-13"})
        assert r.status_code == 422 and r.json()["sqlstate"] == "22007"
        assert c.get("/billing/reports", params={"period": "last month"}).status_code == 422
        assert c.get("/sla/violations", params={"severity": "Dire"}).status_code == 422


# ------------------------------------------------------------------ GraphQL

GQL = """{ tenants(limit: 20) { tenantId
  usage { period metrics { metric value } storageAverageBytes }
  billing(period: "%s") { totalCost baseCost currency lineItems { pdb metric amount } baseBreakdown { serviceTier amount } }
  sla { compliant targetUptimePercent openViolations }
  slaViolations { violationType severity }
  pdbs { name usage { metric value } } } }"""


def test_graphql_metering_fields_batched_and_the_same_as_rest(msrv: RunningServer, world: dict) -> None:
    a = world["a"]
    with client(msrv, world["sys"]) as c:
        first = c.post("/graphql", json={"query": GQL % CLOSED}).json()
        assert "errors" not in first, first
        n1 = len(first["data"]["tenants"])
        for _ in range(3):  # more tenants: the same number of lookups
            _tenant(msrv)
        again = c.post("/graphql", json={"query": GQL % CLOSED}).json()
        assert len(again["data"]["tenants"]) == n1 + 3
        assert again["extensions"]["catalog_lookups"] == first["extensions"]["catalog_lookups"] <= 8
        mine = {t["tenantId"]: t for t in again["data"]["tenants"]}[a]
        rest = c.get(f"/tenants/{a}/billing", params={"period": CLOSED}).json()
        assert mine["billing"]["totalCost"] == rest["total_cost"] and MONEY.match(
            mine["billing"]["totalCost"]
        )
        assert [li["amount"] for li in mine["billing"]["lineItems"]] == [
            li["amount"] for li in rest["line_items"]
        ]
        assert mine["sla"]["targetUptimePercent"] == 99.0
        assert ("ErrorRate", "Critical") in {
            (v["violationType"], v["severity"]) for v in mine["slaViolations"]
        }
        counts = {m["metric"]: m["value"] for m in mine["usage"]["metrics"]}
        assert counts["statements"] >= 14
        pdb_counts = {m["metric"]: m["value"] for m in mine["pdbs"][0]["usage"]}
        assert pdb_counts["statements"] == counts["statements"]
        bad = c.post(
            "/graphql", json={"query": '{ tenants { billing(period: "nope") { totalCost } } }'}
        ).json()
        assert bad["errors"][0].get("extensions", {}).get("sqlstate") == "22007", bad
    with client(msrv, world["a_tok"], a) as c:  # a tenant's admin: its own tenant's figures only
        own = c.post("/graphql", json={"query": GQL % CLOSED}).json()
        assert [t["tenantId"] for t in own["data"]["tenants"]] == [a]
        other = c.post(
            "/graphql",
            json={"query": f'{{ tenant(tenantId: "{world["b"]}") {{ billing {{ totalCost }} }} }}'},
        ).json()
        assert other["data"] is None and other["errors"][0]["extensions"]["status"] == 403


def test_untenanted_pdb_is_billed_as_its_own_for_admins_only(msrv: RunningServer, world: dict) -> None:
    name = "UP" + uuid.uuid4().hex[:6].upper()
    with msrv.connect(autocommit=True) as root:
        root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER adm IDENTIFIED BY "{PW}"')
    with client(msrv, world["sys"]) as c:
        r = c.get(f"/billing/invoices/{name}/{dt.datetime.now(dt.UTC).strftime('%Y-%m')}")
        assert r.status_code == 200 and r.json()["tenant_id"] == name
    with client(msrv, world["a_tok"], world["a"]) as c:
        assert c.get(f"/billing/invoices/{name}/{CLOSED}").status_code == 403
    assert httpx.get(f"{msrv.api}/billing/reports").status_code == 401
