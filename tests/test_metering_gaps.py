"""Metering across reopens and outages, and billed tier history (issue 16): a session carried by
OPEN FORCE is not a second session opened; storage is accrued over the time the server was down
(kill -9), once, across restarts; a PDB without a tenant is billed by the seconds in each tier."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.server import RunningServer, start_server
from tests.test_metering import METER_CONFIG, PW, _tenant, _usage_when

NO_HTTP = METER_CONFIG.replace("enabled = true", "enabled = false")


@pytest.fixture(scope="module")
def gsrv(tmp_path_factory: pytest.TempPathFactory):
    srv = start_server(tmp_path_factory.mktemp("gaps") / "data", config=NO_HTTP)
    yield srv
    srv.stop()


def test_a_session_carried_by_open_force_is_not_opened_again(gsrv: RunningServer) -> None:
    name = _tenant(gsrv)
    a = gsrv.connect(name, "adm", PW, autocommit=True)
    b = gsrv.connect(name, "adm", PW, autocommit=True)
    try:
        a.execute("CREATE TABLE t (x INT)")
        assert _usage_when(gsrv, name, "sessions_opened", 2)["sessions_opened"] == 2
        with gsrv.connect(autocommit=True) as root:
            root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN READ WRITE FORCE")
            root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN READ WRITE FORCE")
        # both sessions were carried (twice) to the new engines, and go on
        a.execute("INSERT INTO t VALUES (1)")
        assert b.execute("SELECT count(*) FROM t").fetchone() == (1,)
        u = _usage_when(gsrv, name, "statements", 3)
        assert u["sessions_opened"] == 2, u
        # a new login is one more
        with gsrv.connect(name, "adm", PW, autocommit=True) as c:
            c.execute("SELECT 1")
        assert _usage_when(gsrv, name, "statements", 4)["sessions_opened"] == 3
    finally:
        a.close()
        b.close()


def _storage_seconds(srv: RunningServer, tenant: str, size: int, since: dt.datetime) -> float:
    """The seconds of storage metered for tenant in the intervals from since, at a constant size."""
    with srv.connect(autocommit=True) as root:
        (v,) = root.execute(
            "SELECT coalesce(sum(value), 0) FROM CDB_METERING WHERE tenant_name = %s AND grain = 'INTERVAL'"
            " AND metric = 'storage' AND period_start >= %s",
            (tenant, since),
        ).fetchone()
    return float(v) / size


def _files(srv: RunningServer, pdb: str) -> int:
    with srv.connect(autocommit=True) as root:
        (guid,) = root.execute("SELECT guid FROM v$pdbs WHERE name = %s", (pdb,)).fetchone()
    total = 0
    for f in srv.data_dir.glob(f"**/{guid}/data.duckdb*"):
        total += f.stat().st_size
    return total


def test_storage_is_accrued_while_the_server_is_down_once_across_restarts(tmp_path) -> None:  # noqa: ANN001
    srv = start_server(tmp_path / "data", config=NO_HTTP)
    try:
        name = _tenant(srv)
        with srv.connect(name, "adm", PW, autocommit=True) as c:
            c.execute("CREATE TABLE t AS SELECT range AS x FROM range(100000)")
            c.execute("CHECKPOINT")
        size = _files(srv, name)
        assert size > 0
        # counted from the first interval that starts once the files have their final size (the
        # time a loaded machine takes to create the table is metered at smaller sizes)
        settled = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        born = None
        deadline = time.monotonic() + 20
        while born is None and time.monotonic() < deadline:
            time.sleep(0.5)
            with srv.connect(autocommit=True) as root:
                (born,) = root.execute(
                    "SELECT min(period_start) FROM CDB_METERING WHERE tenant_name = %s"
                    " AND grain = 'INTERVAL' AND metric = 'storage' AND period_start >= %s",
                    (name, settled),
                ).fetchone()
        assert born is not None
        time.sleep(2.5)
        covered = _storage_seconds(srv, name, size, born)
        assert covered > 1
        # kill -9 of every process; the server stays down 6 s
        srv.kill_all()
        down = time.time()
        time.sleep(6)
        srv = start_server(tmp_path / "data", config=NO_HTTP)
        assert _files(srv, name) == size  # nothing wrote the files in between
        time.sleep(3)
        first = (dt.datetime.now(dt.UTC).replace(tzinfo=None) - born).total_seconds()
        got = _storage_seconds(srv, name, size, born)
        # the outage is metered: without it the total would be 6 s short; at most the last
        # interval (1 s) and a tick are not written yet
        assert first - 3.0 <= got <= first + 0.5, (got, first, time.time() - down)
        # a second kill -9 and restart at once: the outage counted before is not counted again
        srv.kill_all()
        time.sleep(2)
        srv = start_server(tmp_path / "data", config=NO_HTTP)
        time.sleep(3)
        again = (dt.datetime.now(dt.UTC).replace(tzinfo=None) - born).total_seconds()
        got = _storage_seconds(srv, name, size, born)
        assert again - 3.0 <= got <= again + 0.5, (got, again)
        assert "accrued over the time the server was down" in srv.log_text()
    finally:
        srv.stop()


def test_a_pdb_without_a_tenant_is_billed_by_the_seconds_in_each_tier(gsrv: RunningServer) -> None:
    name = "P" + uuid.uuid4().hex[:8].upper()
    with gsrv.connect(autocommit=True) as root:
        root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER adm IDENTIFIED BY "{PW}"')
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
        time.sleep(1.2)
        root.execute(f"ALTER PLUGGABLE DATABASE {name} SET SERVICE TIER gold")
        time.sleep(1.2)
        root.execute(f"ALTER PLUGGABLE DATABASE {name} SET SERVICE TIER silver")
        month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
        r = json.loads(root.execute(f"SHOW BILLING FOR TENANT {name} PERIOD '{month}'").fetchone()[-1])
    segs = r["base_breakdown"]
    assert [s["service_tier"] for s in segs][1:] == ["GOLD", "SILVER"]
    assert segs[1]["change"].startswith(f"SET SERVICE TIER {segs[0]['service_tier']} -> GOLD ({name})")
    assert segs[0]["to"] == segs[1]["from"] and segs[1]["to"] == segs[2]["from"]
    assert r["service_tier"] == "SILVER"
    start = dt.datetime.fromisoformat(r["period_start"])
    month_s = Decimal((dt.datetime.fromisoformat(r["period_end"]) - start).days * 86400)
    prices = {"BRONZE": 100, "SILVER": 250, "GOLD": 500, "PLATINUM": 1000}
    for s in segs:
        secs = int(
            (dt.datetime.fromisoformat(s["to"]) - dt.datetime.fromisoformat(s["from"])).total_seconds()
        )
        want = (Decimal(prices[s["service_tier"]]) * secs / month_s).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(s["amount"]) == want
    assert Decimal(r["base_cost"]) == sum(Decimal(s["amount"]) for s in segs)


def test_the_previous_month_closes_by_itself_and_a_late_tenant_is_frozen_on_first_ask(
    gsrv: RunningServer,
) -> None:
    now = dt.datetime.now(dt.UTC)
    prev = (now.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    if now.day == 1 and now.hour < 2:
        pytest.skip("inside the previous month's grace hour")
    deadline = time.monotonic() + 30
    while f"billing period {prev} closed automatically" not in gsrv.log_text():
        assert time.monotonic() < deadline, "the previous month was not closed"
        time.sleep(0.5)
    name = _tenant(gsrv)  # born after the close
    with gsrv.connect(autocommit=True) as root:
        first = root.execute(f"SHOW BILLING FOR TENANT {name} PERIOD '{prev}'").fetchone()[-1]
        root.execute(
            f"ALTER SYSTEM CORRECT USAGE FOR PLUGGABLE DATABASE {name} METRIC 'cpu_time' VALUE 36000000000"
            f" AT '{prev}-15 00:00:00'"
        )
        assert root.execute(f"SHOW BILLING FOR TENANT {name} PERIOD '{prev}'").fetchone()[-1] == first
        assert root.execute(
            "SELECT status FROM CDB_BILLING WHERE tenant_id = %s AND period = %s", (name, prev)
        ).fetchall() == [("CLOSED",)]


def test_a_dropped_pdb_without_a_tenant_is_billed_until_its_drop(gsrv: RunningServer) -> None:
    name = "D" + uuid.uuid4().hex[:8].upper()
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    with gsrv.connect(autocommit=True) as root:
        root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER adm IDENTIFIED BY "{PW}"')
        root.execute(f"ALTER PLUGGABLE DATABASE {name} SET SERVICE TIER gold")
        time.sleep(1.5)
        root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")
        dropped = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        time.sleep(1.0)
        r = json.loads(root.execute(f"SHOW BILLING FOR TENANT {name} PERIOD '{month}'").fetchone()[-1])
        assert [s["service_tier"] for s in r["base_breakdown"]][-1] == "GOLD"
        end = dt.datetime.fromisoformat(r["base_breakdown"][-1]["to"])
        assert end <= dropped  # billed until the drop, not until now
        assert root.execute("SELECT status FROM CDB_BILLING WHERE tenant_id = %s", (name,)).fetchall() == [
            ("OPEN",)
        ]
        assert not root.execute("SELECT 1 FROM CDB_SLA WHERE tenant_id = %s", (name,)).fetchall()
