"""Service tiers changed at runtime: ALTER SERVICE TIER (SQL) and PUT /api/v1/service-tiers/{name}
(REST) through the one function (tenants.tiers.alter_tier): validated, kept in the catalog across
a restart, applied online to the tier's open PDBs, audited, ETag / If-Match. A server of its own:
the tiers are the whole container's."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest

from tests.api_util import client, token
from tests.server import RunningServer, start_server

ADMIN, ADMIN_PW = "tadm", "Tier-Pw-123"
ENDLESS = "select count(*) from range(100000000000) a(i)"


@pytest.fixture(scope="module")
def tier_server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("tiers") / "data"
    srv = start_server(data)
    yield srv
    srv.stop()


def _pdb(srv: RunningServer, name: str, tier: str) -> None:
    with srv.connect(autocommit=True) as c:
        c.execute(
            f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {ADMIN} IDENTIFIED BY "{ADMIN_PW}" SERVICE TIER {tier}'
        )
        c.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")


def _param(srv: RunningServer, pdb: str, name: str) -> str:
    with srv.connect(autocommit=True) as c:
        c.execute(f"ALTER SESSION SET CONTAINER = {pdb}")
        return c.execute(f"SHOW PARAMETER {name}").fetchall()[0][2]


def test_sql_and_rest_change_a_tier_the_same_way(tier_server: RunningServer) -> None:
    srv = tier_server
    _pdb(srv, "BRZ1", "bronze")
    with client(srv, token(srv)) as c:
        assert c.get("/service-tiers/bronze").json()["sessions"] == 50
        with srv.connect(autocommit=True) as root:
            root.execute("ALTER SERVICE TIER bronze SET (sessions = 40, statement_timeout_ms = 120000)")
        via_sql = c.get("/service-tiers/bronze").json()
        assert via_sql["sessions"] == 40 and via_sql["statement_timeout_ms"] == 120000
        assert _param(srv, "BRZ1", "sessions") == "40"
        # back through REST: the same figures, the same stored override
        with srv.connect(autocommit=True) as root:
            root.execute("ALTER SERVICE TIER bronze RESET ALL")
        assert c.get("/service-tiers/bronze").json()["sessions"] == 50
        r = c.put("/service-tiers/bronze", json={"sessions": 40, "statement_timeout_ms": 120000})
        assert r.status_code == 200, r.text
        via_rest = r.json()
        assert {k: v for k, v in via_rest.items() if k != "notices"} == via_sql
        assert r.headers["etag"] == c.get("/service-tiers/bronze").headers["etag"]
        # null for a figure: back to conf/tiers.toml
        r = c.put("/service-tiers/bronze", json={"sessions": None})
        assert r.json()["sessions"] == 50 and r.json()["statement_timeout_ms"] == 120000
        with srv.connect(autocommit=True) as root:
            root.execute("ALTER SERVICE TIER bronze RESET (statement_timeout_ms)")
        assert c.get("/service-tiers/bronze").json()["statement_timeout_ms"] == 300000


def test_etag_and_if_match(tier_server: RunningServer) -> None:
    with client(tier_server, token(tier_server)) as c:
        tag = c.get("/service-tiers/silver").headers["etag"]
        r = c.put("/service-tiers/silver", json={"iops": 3500}, headers={"If-Match": tag})
        assert r.status_code == 200 and r.headers["etag"] != tag
        stale = c.put("/service-tiers/silver", json={"iops": 3600}, headers={"If-Match": tag})
        assert stale.status_code == 412
        assert c.get("/service-tiers/silver").json()["iops"] == 3500
        c.put("/service-tiers/silver", json={"reset_all": True})
        assert c.get("/service-tiers/silver").json()["iops"] == 3000


def test_impossible_values_are_refused(tier_server: RunningServer) -> None:
    srv = tier_server
    with client(srv, token(srv)) as c:
        r = c.put("/service-tiers/gold", json={"cpu": 0})
        assert r.status_code == 422 and r.json()["field"] == "cpu"
        r = c.put("/service-tiers/gold", json={"memory_mb": 1})
        assert r.status_code == 422 and r.json()["field"] == "memory_mb"
        r = c.put("/service-tiers/gold", json={"bogus": 1})
        assert r.status_code == 422
        # each figure fine, together impossible: the SQL path's ORA-65920 and SQLSTATE
        r = c.put("/service-tiers/gold", json={"cpu": 1, "cpu_min": 2})
        assert r.status_code == 422, r.text
        assert r.json()["ora"] == "ORA-65920" and r.json()["sqlstate"] == "22023"
        r = c.put("/service-tiers/nosuch", json={"cpu": 1})
        assert r.status_code == 422 and r.json()["ora"] == "ORA-02097"
        assert c.get("/service-tiers/gold").json()["cpu"] == 4  # nothing kept
    with srv.connect(autocommit=True) as root:
        for sql, number, state in [
            ("ALTER SERVICE TIER gold SET (cpu = 0)", "ORA-65920", "22023"),
            ("ALTER SERVICE TIER gold SET (cpu = 'lots')", "ORA-65920", "22023"),
            ("ALTER SERVICE TIER gold SET (bogus = 1)", "ORA-65920", "22023"),
            ("ALTER SERVICE TIER gold SET (priority = 'urgent')", "ORA-65920", "22023"),
            ("ALTER SERVICE TIER gold SET (cpu = 1, cpu_min = 2)", "ORA-65920", "22023"),
            ("ALTER SERVICE TIER gold SET (memory_mb = 100000000)", "ORA-65920", "22023"),
            ("ALTER SERVICE TIER nosuch SET (cpu = 1)", "ORA-02097", "22023"),
        ]:
            with pytest.raises(psycopg.Error) as e:
                root.execute(sql)
            assert e.value.sqlstate == state and number in str(e.value), (sql, str(e.value))
    # only in the root, only for SYS / SYSDBA
    with srv.connect(autocommit=True) as root:
        root.execute('CREATE USER c##tierless IDENTIFIED BY "Tl-Pw-1234"')
        root.execute("GRANT CREATE SESSION TO c##tierless CONTAINER = ALL")
    with (
        srv.connect(user="c##tierless", password="Tl-Pw-1234", autocommit=True) as c2,
        pytest.raises(psycopg.Error, match="ORA-01031"),
    ):
        c2.execute("ALTER SERVICE TIER gold SET (cpu = 6)")
    with client(srv, token(srv, "C##TIERLESS", "Tl-Pw-1234")) as c:
        assert c.put("/service-tiers/gold", json={"cpu": 6}).status_code == 403


def test_one_bound_per_figure_for_sql_rest_and_graphql(tier_server: RunningServer) -> None:
    """A figure's bound is resources.TIER_MAXIMUMS for all three: ALTER SERVICE TIER refuses what
    PUT refuses (it took up to 2**53 while REST stopped at 4,096 CPUs), and GraphQL's types follow
    (a shares figure past 2**31 could once be set in SQL and then not be read over GraphQL)."""
    srv = tier_server
    with srv.connect(autocommit=True) as root:
        for figure, too_many in [("cpu", 4097), ("shares", 1_000_001), ("sessions", 3_000_000_000)]:
            with pytest.raises(psycopg.Error) as e:
                root.execute(f"ALTER SERVICE TIER gold SET ({figure} = {too_many})")
            assert e.value.sqlstate == "22023" and "ORA-65920" in str(e.value), str(e.value)
            assert "at most" in str(e.value), str(e.value)
    with client(srv, token(srv)) as c:
        assert c.put("/service-tiers/gold", json={"cpu": 4097}).status_code == 422
        assert c.put("/service-tiers/gold", json={"memory_mb": (1 << 40) + 1}).status_code == 422
        r = c.post(
            "/graphql",
            json={"query": 'mutation { alterServiceTier(name: "gold", set: {cpu: 4097}) { tier { cpu } } }'},
        )
        assert r.json()["data"] is None and "4096" in str(r.json()["errors"]), r.text
        r = c.post(
            "/graphql",
            json={
                "query": 'mutation($m: BigInt) { alterServiceTier(name: "silver", set: {ioMbps: $m}) '
                "{ tier { ioMbps } } }",
                "variables": {"m": 3 << 31},
            },
        )
        assert r.json()["data"]["alterServiceTier"]["tier"]["ioMbps"] == 3 << 31, r.text
        r = c.post("/graphql", json={"query": '{ serviceTier(name: "silver") { ioMbps cpu } }'})
        assert r.json()["data"]["serviceTier"]["ioMbps"] == 3 << 31, r.text
        assert c.get("/service-tiers/gold").json()["cpu"] == 4  # nothing kept


def test_a_change_the_open_pdbs_do_not_fit_is_refused(tier_server: RunningServer) -> None:
    srv = tier_server
    _pdb(srv, "PLT1", "platinum")
    conns = [srv.connect("PLT1", ADMIN, ADMIN_PW, autocommit=True) for _ in range(3)]
    try:
        with srv.connect(autocommit=True) as root, pytest.raises(psycopg.Error) as e:
            root.execute("ALTER SERVICE TIER platinum SET (sessions = 2)")
        assert e.value.sqlstate == "53400" and "ORA-65921" in str(e.value)
        assert "PLT1 has 3 sessions" in str(e.value)
    finally:
        for x in conns:
            x.close()


def test_applied_online_to_the_open_pdbs_and_audited(tier_server: RunningServer) -> None:
    srv = tier_server
    _pdb(srv, "GLD1", "gold")
    with srv.connect("GLD1", ADMIN, ADMIN_PW, autocommit=True) as s:
        s.execute("select 1")
        with srv.connect(autocommit=True) as root:
            # GOLD has no statement timeout; now 300 ms, for the session already connected
            root.execute("ALTER SERVICE TIER gold SET (statement_timeout_ms = 300)")
        start = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            s.execute(ENDLESS)
        assert time.monotonic() - start < 20
        assert s.execute("select 42").fetchone() == (42,)
    with client(srv, token(srv)) as c:
        assert c.put("/service-tiers/gold", json={"statement_timeout_ms": None}).status_code == 200
        rows = c.get("/audit", params={"rule": "TIER_CHANGE", "limit": 1000}).json()["items"]
    mine = [r for r in rows if r["statement"] == "ALTER SERVICE TIER GOLD"]
    assert any("statement_timeout_ms 0 -> 300" in r["message"] for r in mine)
    assert any("statement_timeout_ms 300 -> 0" in r["message"] and r["username"] == "SYS" for r in mine)
    with srv.connect("GLD1", ADMIN, ADMIN_PW, autocommit=True) as s:
        s.execute("SET statement_timeout = '400ms'")  # the tier's limit is gone: only the client's now
        with pytest.raises(psycopg.errors.QueryCanceled):
            s.execute(ENDLESS)


def test_kept_across_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    srv = start_server(data)
    try:
        with srv.connect(autocommit=True) as root:
            root.execute("ALTER SERVICE TIER silver SET (network_mbps = 333, priority = 'High')")
    finally:
        srv.stop()
    srv = start_server(data)
    try:
        with client(srv, token(srv)) as c:
            t = c.get("/service-tiers/silver").json()
            assert t["network_mbps"] == 333 and t["priority"] == "HIGH"
            listed = {x["name"]: x for x in c.get("/service-tiers").json()["items"]}
            assert listed["silver"]["network_mbps"] == 333 and listed["gold"]["network_mbps"] == 500
            gql = c.post("/graphql", json={"query": "{ serviceTiers { name networkMbps } }"}).json()
            assert {"name": "silver", "networkMbps": 333} in gql["data"]["serviceTiers"]
    finally:
        srv.stop()
