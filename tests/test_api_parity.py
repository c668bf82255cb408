"""Parity of reads: the table of dictionary views / SHOW commands and the endpoints that answer the
same question, each asked both ways on the same live server, with the same answer."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.api_util import client, token, wait_operation
from tests.server import RunningServer

PW = "Parity-Pw-1"
CLOSED = "2001-02"  # a billing period long past: its invoices are frozen and never move


@pytest.fixture(scope="module")
def world(server: RunningServer):
    sys_tok = token(server)
    name = f"PR_{uuid.uuid4().hex[:5]}".upper()
    with client(server, sys_tok) as c:
        r = c.post(
            "/tenants",
            json={"tenant_name": name, "admin_user": "padm", "admin_password": PW, "service_tier": "bronze"},
        )
        assert r.status_code == 201, r.text
        assert c.post(f"/tenants/{name}/suspend", json={"reason": "parity"}).status_code == 200
        assert c.post(f"/tenants/{name}/resume").status_code == 200
        assert (
            c.post(
                "/cdb/lockdown-profiles", json={"name": f"{name}_LP", "disabled_statements": ["ALTER SYSTEM"]}
            ).status_code
            == 201
        )
        assert (
            c.post("/cdb/resource-plans", json={"plan": f"{name}_PLAN", "comment": "parity"}).status_code
            == 201
        )
        # a closed billing period (through the API's ALTER SYSTEM CLOSE BILLING PERIOD)
        assert c.post(f"/billing/periods/{CLOSED}/close").status_code == 200
        r = c.post("/tenant-templates", json={"name": f"{name}_TPL", "source_pdb": name, "no_data": True})
        op = wait_operation(c, r.headers["location"])
        assert op["status"] == "SUCCEEDED", op
    yield name, sys_tok
    with client(server, sys_tok) as c:
        c.delete(f"/cdb/lockdown-profiles/{name}_LP")
        c.delete(f"/cdb/resource-plans/{name}_PLAN")
        c.delete(f"/tenant-templates/{name}_TPL")
        c.delete(f"/tenants/{name}", params={"immediate": True})


def _all(c, path: str, **params) -> list[dict]:
    r = c.get(path, params={"limit": 1000, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


# (what, SQL in the root, its rows as comparable tuples, endpoint, its items as the same tuples)
TABLE = [
    (
        "PDBs and open modes",
        "SHOW PDBS",
        lambda rows, t: {(r[1], r[2]) for r in rows if r[1] != "PDB$SEED"},
        "/pdbs",
        lambda items, t: {(i["pdb_name"], i["open_mode"]) for i in items},
    ),
    (
        "tenants, states, tiers",
        "SELECT tenant_name, state, service_tier FROM dba_tenants",
        lambda rows, t: {tuple(r) for r in rows},
        "/tenants",
        lambda items, t: {(i["tenant_id"], i["status"].upper(), i["service_tier"].upper()) for i in items},
    ),
    (
        "tenant events",
        "SELECT tenant_name, operation, from_state, to_state FROM dba_tenant_events WHERE tenant_name = '{t}' ORDER BY event_time",
        lambda rows, t: [tuple(r) for r in rows],
        "/tenants/{t}/events",
        lambda items, t: [(t, i["operation"], i["from_state"], i["to_state"]) for i in items],
    ),
    (
        "PDB history",
        "SELECT pdb_name, operation FROM cdb_pdb_history WHERE pdb_name = '{t}' ORDER BY op_timestamp",
        lambda rows, t: [tuple(r) for r in rows],
        "/pdbs/{t}/history",
        lambda items, t: [(i["pdb_name"], i["operation"]) for i in items],
    ),
    (
        "lockdown profiles",
        "SELECT DISTINCT profile_name FROM dba_lockdown_profiles",
        lambda rows, t: {r[0] for r in rows},
        "/cdb/lockdown-profiles",
        lambda items, t: {i["name"] for i in items},
    ),
    (
        "lockdown rules of a profile",
        "SELECT rule_type, rule, status FROM dba_lockdown_profiles WHERE profile_name = '{t}_LP' AND rule IS NOT NULL",
        lambda rows, t: {tuple(r) for r in rows},
        "/cdb/lockdown-profiles/{t}_LP",
        None,
    ),
    (
        "CDB resource plans",
        "SELECT plan, comments FROM dba_cdb_rsrc_plans",
        lambda rows, t: {tuple(r) for r in rows},
        "/cdb/resource-plans",
        lambda items, t: {(i["plan"], i["comment"]) for i in items},
    ),
    (
        "tenant templates",
        "SELECT template_name FROM dba_tenant_templates",
        lambda rows, t: {r[0] for r in rows},
        "/tenant-templates",
        lambda items, t: {i["name"] for i in items},
    ),
    (
        "users",
        "SELECT DISTINCT username, account_status, common FROM cdb_users",
        lambda rows, t: {tuple(r) for r in rows},
        "/users",
        None,
    ),
    (
        "roles",
        "SELECT DISTINCT role FROM dba_roles",
        lambda rows, t: {r[0] for r in rows},
        "/roles",
        # the root's roles: PDB_DBA (con_id 0) is local to every PDB, in DBA_ROLES inside each PDB
        lambda items, t: {i["role"] for i in items if i["con_id"] != 0},
    ),
    (
        "closed invoices",
        "SELECT tenant_id, period, status, service_tier, total_cost FROM cdb_billing WHERE status = 'CLOSED'",
        lambda rows, t: {(*r[:4], str(r[4])) for r in rows},
        "/billing/invoices",
        lambda items, t: {
            (i["tenant_id"], i["period"], i["status"], i["service_tier"], i["total_cost"])
            for i in items
            if i["status"] == "CLOSED"
        },
    ),
    (
        "SLA targets and tiers",
        "SELECT tenant_id, service_tier, target_uptime_percent, target_p99_ms FROM cdb_sla",
        lambda rows, t: {tuple(r) for r in rows},
        "/sla/compliance",
        lambda items, t: {
            (
                i["tenant_id"],
                i["service_tier"],
                i["sla_target"]["uptime_percent"],
                i["sla_target"]["p99_response_time_ms"],
            )
            for i in items
        },
    ),
    (
        "bill of a closed month",
        "SHOW BILLING FOR TENANT {t} PERIOD '2001-02'",
        lambda rows, t: json.loads(rows[0][-1]),
        "/tenants/{t}/billing?period=2001-02",
        None,
    ),
    (
        "usage of a tenant in a past month",
        "SHOW USAGE FOR TENANT {t} PERIOD '2001-01' BY DAY",
        lambda rows, t: json.loads(rows[0][-1]),
        "/tenants/{t}/usage?period=2001-01&grain=day",
        None,
    ),
    (
        "audit trail size",
        "SELECT count(*) FROM cdb_audit_trail",
        lambda rows, t: rows[0][0],
        "/audit",
        None,
    ),
]


@pytest.mark.parametrize("row", TABLE, ids=[r[0] for r in TABLE])
def test_read_parity(server: RunningServer, world: tuple[str, str], row: tuple) -> None:
    t, tok = world
    what, sql, from_sql, path, from_api = row
    with server.connect(autocommit=True) as con, client(server, tok) as c:
        got_sql = from_sql(con.execute(sql.format(t=t)).fetchall(), t)
        if what == "lockdown rules of a profile":
            body = c.get(path.format(t=t)).json()
            got_api = {(r["rule_type"], r["rule"], r["status"]) for r in body["rules"]}
        elif what == "users":
            got_api = {
                (u["username"], u["account_status"], "YES" if u["common"] else "NO") for u in _all(c, path)
            }
        elif what in ("bill of a closed month", "usage of a tenant in a past month"):
            got_api = c.get(path.format(t=t)).json()
        elif what == "audit trail size":
            got_api = c.get(path, params={"limit": 1}).json()["total"]
            got_sql = con.execute(sql).fetchone()[0]  # after the API call: it may have been audited
            assert got_api <= got_sql
            return
        else:
            got_api = from_api(_all(c, path.format(t=t)), t)
    assert got_sql == got_api and got_sql, what


def test_parameters_parity(server: RunningServer, world: tuple[str, str]) -> None:
    t, tok = world
    with server.connect(t, "padm", PW, autocommit=True) as con, client(server, tok) as c:
        shown = {(r[0], r[1], r[2]) for r in con.execute("SHOW PARAMETER").fetchall()}
        listed = {(i["name"], i["type"], i["value"]) for i in _all(c, f"/pdbs/{t}/parameters")}
    assert shown == listed and shown
