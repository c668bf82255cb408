"""Tenants (issue 15) through real sessions: provisioning, states and their transitions, suspend,
resume, maintenance, tiers and quotas, templates, drop / undrop / purge."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import psycopg
import pytest

from tests.server import TEST_CONFIG, RunningServer, start_server

PW = "Tenant-Pw-1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of this module's own: the CPU, memory and IOPS guaranteed over all tenants are
    summed against the machine, so tenants other test files leave would change the answers."""
    srv = start_server(tmp_path_factory.mktemp("tenants") / "data")
    yield srv
    srv.stop()


def _name(prefix: str = "T") -> str:
    return prefix + uuid.uuid4().hex[:8].upper()


def _create(root: psycopg.Connection, name: str, extra: str = "SERVICE TIER bronze") -> None:
    root.execute(f'CREATE TENANT {name} ADMIN USER adm IDENTIFIED BY "{PW}" {extra}')


def _drop(root: psycopg.Connection, *names: str) -> None:
    for n in names:
        try:
            root.execute(f"DROP TENANT IF EXISTS {n} IMMEDIATE")
        except psycopg.Error:  # a test that failed in MIGRATING, or TERMINATED: settle it first
            root.execute(
                f"UNDROP TENANT {n}"
                if "TERMINATED to" in str(sys.exc_info()[1])
                else f"ALTER TENANT {n} RESUME"
            )
            root.execute(f"DROP TENANT IF EXISTS {n} IMMEDIATE")


@contextmanager
def _tenant(root: psycopg.Connection, extra: str = "SERVICE TIER bronze") -> Iterator[str]:
    name = _name()
    _create(root, name, extra)
    try:
        yield name
    finally:
        _drop(root, name)


def _pdbs(root: psycopg.Connection) -> dict[str, tuple]:
    return {r[1]: r for r in root.execute("SHOW PDBS").fetchall()}


def _tenant_row(conn: psycopg.Connection, name: str, view: str = "CDB_TENANTS") -> dict[str, object]:
    cur = conn.execute(f"SELECT * FROM {view} WHERE tenant_name = %s", (name,))
    row = cur.fetchone()
    assert row is not None, f"{name} not in {view}"
    assert cur.description is not None
    return {d.name.upper(): v for d, v in zip(cur.description, row, strict=True)}


def _events(root: psycopg.Connection, name: str) -> list[tuple]:
    return root.execute(
        "SELECT operation, from_state, to_state, reason, actor FROM CDB_TENANT_EVENTS"
        " WHERE tenant_name = %s ORDER BY event_time",
        (name,),
    ).fetchall()


def _ended(conn: psycopg.Connection) -> psycopg.Error:
    """The error the next statement of a session that was ended gets (its FATAL)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            conn.execute("SELECT 1")
        except psycopg.Error as e:
            return e
        time.sleep(0.1)
    raise AssertionError("the session was not ended")


# ------------------------------------------------------------------ provisioning


def test_create_tenant_provisions_open_saved_pdb(server: RunningServer, root) -> None:
    name = _name()
    root.execute(
        f"CREATE TENANT {name} ADMIN USER adm IDENTIFIED BY \"{PW}\" CONTACT 'ops@acme.com'"
        " SERVICE TIER bronze AUTO SCALING ON BACKUP ON LABELS (region = 'eu', plan = 'pro')"
    )
    try:
        assert _pdbs(root)[name][2:] == ("READ WRITE", "NO")
        saved = root.execute("SELECT state FROM DBA_PDB_SAVED_STATES WHERE con_name = %s", (name,)).fetchone()
        assert saved == ("OPEN",)
        row = _tenant_row(root, name)
        assert row["DISPLAY_NAME"] == name
        assert row["CONTACT"] == "ops@acme.com"
        assert row["SERVICE_TIER"] == "BRONZE"
        assert row["STATE"] == "ACTIVE"
        assert row["PDBS"] == name
        assert row["ADMIN_USER"] == "ADM"
        assert (row["AUTO_SCALING"], row["BACKUP"]) == ("ON", "ON")
        assert row["LABELS"] == "PLAN = pro, REGION = eu"
        assert row["CREATED"] is not None and row["CHANGED"] is not None
        with server.connect(name, "adm", PW, autocommit=True) as c:
            c.execute("CREATE TABLE t (a int)")
            c.execute("INSERT INTO t VALUES (1)")
            assert c.execute("SHOW PARAMETER db_performance_profile").fetchone()[2] == "BRONZE"
        assert _events(root, name) == [("CREATE", None, "ACTIVE", "from PDB$SEED", "SYS")]
        with pytest.raises(psycopg.Error, match=f"ORA-65902: tenant {name} already exists") as ei:
            _create(root, name)
        assert ei.value.sqlstate == "42710"
        root.execute(f'CREATE TENANT IF NOT EXISTS {name} ADMIN USER adm IDENTIFIED BY "{PW}"')
    finally:
        _drop(root, name)
    assert name not in _pdbs(root)


def test_tenant_admin_sees_only_its_own_row(server: RunningServer, root) -> None:
    with _tenant(root) as a, _tenant(root) as b:
        with server.connect(a, "adm", PW, autocommit=True) as c:
            rows = c.execute("SELECT tenant_name FROM DBA_TENANTS").fetchall()
            assert rows == [(a,)]
            assert c.execute("SELECT tenant_name FROM CDB_TENANTS").fetchall() == [(a,)]
            events = c.execute("SELECT DISTINCT tenant_name FROM DBA_TENANT_EVENTS").fetchall()
            assert events == [(a,)]
            assert c.execute("SELECT count(*) FROM DBA_TENANT_TEMPLATES").fetchone() == (0,)
        names = {r[0] for r in root.execute("SELECT tenant_name FROM CDB_TENANTS").fetchall()}
        assert {a, b} <= names


def test_pdb_created_for_a_tenant_joins_it(server: RunningServer, root) -> None:
    with _tenant(root) as name:
        extra = _name("P")
        root.execute(f'CREATE PLUGGABLE DATABASE {extra} ADMIN USER x IDENTIFIED BY "{PW}" TENANT {name}')
        assert _tenant_row(root, name)["PDBS"] == f"{name},{extra}"
        root.execute(f"ALTER PLUGGABLE DATABASE {extra} OPEN")
        with server.connect(extra, "x", PW, autocommit=True) as c:
            assert c.execute("SHOW PARAMETER db_performance_profile").fetchone()[2] == "BRONZE"
        with pytest.raises(psycopg.Error, match="ORA-65901"):
            root.execute(
                f'CREATE PLUGGABLE DATABASE {_name("P")} ADMIN USER x IDENTIFIED BY "{PW}" TENANT nosuch'
            )


def test_only_sys_and_holders_of_tenant_privileges(server: RunningServer, root) -> None:
    ops = "C##" + _name("OPS")
    root.execute(f'CREATE USER {ops} IDENTIFIED BY "{PW}"')
    root.execute(f"GRANT CREATE SESSION TO {ops} CONTAINER = ALL")
    name = _name()
    try:
        with server.connect("CDB$ROOT", ops, PW, autocommit=True) as c:
            with pytest.raises(psycopg.Error, match="ORA-01031") as ei:
                _create(c, name)
            assert ei.value.sqlstate == "42501"
            root.execute(f"GRANT CREATE TENANT TO {ops} CONTAINER = ALL")
            _create(c, name)
            with pytest.raises(psycopg.Error, match="ORA-01031.*ALTER TENANT"):
                c.execute(f"ALTER TENANT {name} SUSPEND")
            with pytest.raises(psycopg.Error, match="ORA-01031.*DROP TENANT"):
                c.execute(f"DROP TENANT {name}")
            root.execute(f"GRANT ALTER TENANT, DROP TENANT TO {ops} CONTAINER = ALL")
            c.execute(f"ALTER TENANT {name} SUSPEND")
            assert _events(root, name)[-1][4] == ops
            c.execute(f"DROP TENANT {name} IMMEDIATE")
        _create(root, name)
        with (
            server.connect(name, "adm", PW, autocommit=True) as c,
            pytest.raises(psycopg.Error, match="ORA-65040"),
        ):
            c.execute(f"ALTER TENANT {name} SUSPEND")
    finally:
        _drop(root, name)
        root.execute(f"DROP USER {ops}")


def test_failed_provisioning_leaves_nothing(server: RunningServer, root) -> None:
    """A template whose frozen copy lost its file: the clone fails after the tenant's intent was
    written; the tenant and its PDB are gone again."""
    src = _name("S")
    root.execute(f'CREATE PLUGGABLE DATABASE {src} ADMIN USER a IDENTIFIED BY "{PW}"')
    root.execute(f"ALTER PLUGGABLE DATABASE {src} OPEN")
    tpl = _name("TPL")
    root.execute(f"CREATE TENANT TEMPLATE {tpl} FROM PDB {src}")
    guid = root.execute("SELECT guid FROM CDB_PDBS WHERE pdb_name = %s", (f"TPL${tpl}",)).fetchone()[0]
    (server.data_dir / "pdbs" / guid / "data.duckdb").unlink()
    name = _name()
    try:
        with pytest.raises(psycopg.Error):
            _create(root, name, f"TEMPLATE {tpl}")
        assert root.execute(
            "SELECT count(*) FROM CDB_TENANTS WHERE tenant_name = %s", (name,)
        ).fetchone() == (0,)
        assert name not in _pdbs(root)
        assert not any(p.name.startswith("clone") for p in (server.data_dir / "pdbs").glob("*/*"))
        with pytest.raises(psycopg.Error, match="ORA-65908"):
            _create(root, name, "TEMPLATE nosuch")
    finally:
        _drop(root, name)
        root.execute(f"DROP TENANT TEMPLATE {tpl}")
        root.execute(f"ALTER PLUGGABLE DATABASE {src} CLOSE IMMEDIATE")
        root.execute(f"DROP PLUGGABLE DATABASE {src} INCLUDING DATAFILES")


# ------------------------------------------------------------------ states


def test_suspend_ends_sessions_refuses_logins_resume_reopens(server: RunningServer, root) -> None:
    with _tenant(root) as name:
        with server.connect(name, "adm", PW, autocommit=True) as c:
            c.execute("CREATE TABLE t AS SELECT 42 AS a")
        session = server.connect(name, "adm", PW, autocommit=True)
        root.execute(f"ALTER TENANT {name} SUSPEND REASON 'Payment overdue'")
        err = _ended(session)
        assert f"ORA-65904: tenant {name} is suspended: Payment overdue" in str(err)
        assert (err.diag.severity, err.sqlstate) == ("FATAL", "57P01")
        session.close()
        with pytest.raises(
            psycopg.OperationalError, match=f"ORA-65904: tenant {name} is suspended: Payment overdue"
        ):
            server.connect(name, "adm", PW)
        assert _pdbs(root)[name][2] == "MOUNTED"
        row = _tenant_row(root, name)
        assert (row["STATE"], row["STATE_REASON"]) == ("SUSPENDED", "Payment overdue")
        with pytest.raises(
            psycopg.Error,
            match=f"ORA-65912: pluggable database {name} belongs to tenant {name}, which is SUSPENDED",
        ):
            root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
        # refused transitions name both states
        with pytest.raises(
            psycopg.Error, match=f"ORA-65903: tenant {name} cannot go from SUSPENDED to SUSPENDED"
        ) as ei:
            root.execute(f"ALTER TENANT {name} SUSPEND")
        assert ei.value.sqlstate == "55000"
        with pytest.raises(psycopg.Error, match="cannot go from SUSPENDED to MAINTENANCE"):
            root.execute(f"ALTER TENANT {name} MAINTENANCE")
        with pytest.raises(psycopg.Error, match="cannot go from SUSPENDED to MIGRATING"):
            root.execute(f"ALTER TENANT {name} MIGRATE")
        root.execute(f"ALTER TENANT {name} RESUME")
        assert _pdbs(root)[name][2:] == ("READ WRITE", "NO")
        with server.connect(name, "adm", PW, autocommit=True) as c:
            assert c.execute("SELECT a FROM t").fetchone() == (42,)
        with pytest.raises(psycopg.Error, match="cannot go from ACTIVE to ACTIVE"):
            root.execute(f"ALTER TENANT {name} RESUME")
        assert [e[:4] for e in _events(root, name)[1:]] == [
            ("SUSPEND", "ACTIVE", "SUSPENDED", "Payment overdue"),
            ("RESUME", "SUSPENDED", "ACTIVE", None),
        ]
        # a PDB that was READ ONLY comes back READ ONLY, and the saved state with it
        root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN READ ONLY")
        root.execute(f"ALTER TENANT {name} SUSPEND")
        assert _tenant_row(root, name)["STATE_REASON"] == "suspended by the operator"
        root.execute(f"ALTER TENANT {name} RESUME")
        assert _pdbs(root)[name][2] == "READ ONLY"


def test_migrating_keeps_sessions_refuses_logins(server: RunningServer, root) -> None:
    with _tenant(root) as name:
        session = server.connect(name, "adm", PW, autocommit=True)
        root.execute(f"ALTER TENANT {name} MIGRATE REASON 'to node 2'")
        assert session.execute("SELECT 1").fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError, match="ORA-65906: .* is being migrated; connect again"):
            server.connect(name, "adm", PW)
        with pytest.raises(psycopg.Error, match="cannot go from MIGRATING to SUSPENDED"):
            root.execute(f"ALTER TENANT {name} SUSPEND")
        with pytest.raises(psycopg.Error, match="cannot go from MIGRATING to TERMINATED"):
            root.execute(f"DROP TENANT {name}")
        root.execute(f"ALTER TENANT {name} RESUME")
        server.connect(name, "adm", PW).close()
        session.close()


def test_maintenance_admits_only_administrative_users(server: RunningServer, root) -> None:
    with _tenant(root) as name:
        with server.connect(name, "adm", PW, autocommit=True) as c:
            c.execute(f'CREATE USER app IDENTIFIED BY "{PW}"')
            c.execute("GRANT CREATE SESSION TO app")
        app = server.connect(name, "app", PW, autocommit=True)
        adm = server.connect(name, "adm", PW, autocommit=True)
        root.execute(f"ALTER TENANT {name} MAINTENANCE REASON 'upgrade'")
        assert "ORA-65905" in str(_ended(app))
        app.close()
        with pytest.raises(psycopg.OperationalError, match=f"ORA-65905: tenant {name} is in maintenance"):
            server.connect(name, "app", PW)
        assert adm.execute("SELECT 2").fetchone() == (2,)
        server.connect(name, "adm", PW).close()
        assert _tenant_row(root, name)["STATE"] == "MAINTENANCE"
        root.execute(f"ALTER TENANT {name} RESUME")
        server.connect(name, "app", PW).close()
        adm.close()


# ------------------------------------------------------------------ tiers and quotas


def test_tier_change_online_and_downgrade_that_does_not_fit(server: RunningServer, root) -> None:
    with _tenant(root, "") as name:  # the default tier, SILVER
        assert _tenant_row(root, name)["SERVICE_TIER"] == "SILVER"
        session = server.connect(name, "adm", PW)
        session.execute("CREATE TABLE t (a int)")
        session.execute("INSERT INTO t VALUES (1)")  # a transaction left open across the change
        root.execute(f"ALTER TENANT {name} SET SERVICE TIER gold")
        session.execute("INSERT INTO t VALUES (2)")
        session.commit()
        assert session.execute("SELECT count(*) FROM t").fetchone() == (2,)
        assert session.execute("SHOW PARAMETER db_performance_profile").fetchone()[2] == "GOLD"
        assert session.execute("SHOW PARAMETER sessions").fetchone()[2] == "250"
        assert _tenant_row(root, name)["SERVICE_TIER"] == "GOLD"
        assert _events(root, name)[-1][:4] == ("SET SERVICE TIER", "ACTIVE", "ACTIVE", "SILVER -> GOLD")
        # BRONZE allows 50 sessions: with 51 connected the downgrade does not fit
        extra = [server.connect(name, "adm", PW, autocommit=True) for _ in range(50)]
        try:
            with pytest.raises(
                psycopg.Error,
                match=f"ORA-65910: tenant {name} does not fit service tier BRONZE: {name} has 51 sessions, BRONZE allows 50",
            ) as ei:
                root.execute(f"ALTER TENANT {name} SET SERVICE TIER bronze")
            assert ei.value.sqlstate == "53400"
        finally:
            for c in extra:
                c.close()
        deadline = time.monotonic() + 10
        while True:
            try:
                root.execute(f"ALTER TENANT {name} SET SERVICE TIER bronze")
                break
            except psycopg.Error:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert session.execute("SHOW PARAMETER db_performance_profile").fetchone()[2] == "BRONZE"
        with pytest.raises(psycopg.Error, match="ORA-02097"):
            root.execute(f"ALTER TENANT {name} SET SERVICE TIER diamond")
        session.close()


def _param(conn: psycopg.Connection, name: str) -> str:
    return conn.execute(f"SHOW PARAMETER {name}").fetchall()[0][2]


def test_quota_maps_onto_pdb_parameters(server: RunningServer, root) -> None:
    with _tenant(root) as name:
        session = server.connect(name, "adm", PW, autocommit=True)
        root.execute(
            f"ALTER TENANT {name} QUOTA (CPU_MIN_PERCENT = 10, CPU_MAX_PERCENT = 100, CPU_SHARES = 1000,"
            " MEMORY_MIN_MB = 512, MEMORY_MAX_MB = 2048, MIN_IOPS = 500, MAX_IOPS = 1000, MIN_MBPS = 10,"
            " MAX_MBPS = 100)"
        )
        cpus = len(os.sched_getaffinity(0))
        assert _param(session, "cpu_count") == str(cpus)  # 100 percent of the machine
        assert _param(session, "cpu_min_count") == "1"  # 10 percent, rounded up to a whole CPU
        assert _param(session, "sga_target") == "2G"
        assert _param(session, "max_iops") == "1000"
        assert _param(session, "max_mbps") == "100"
        row = _tenant_row(root, name)
        assert "CPU_SHARES = 1000" in str(row["QUOTA"]) and "MEMORY_MIN_MB = 512" in str(row["QUOTA"])
        # a later quota merges over the first; the PDB follows
        root.execute(f"ALTER TENANT {name} QUOTA (MAX_IOPS = 600)")
        assert _param(session, "max_iops") == "600"
        assert _param(session, "max_mbps") == "100"
        with pytest.raises(psycopg.Error, match="ORA-65913: invalid tenant quota DISK_GB"):
            root.execute(f"ALTER TENANT {name} QUOTA (DISK_GB = 1)")
        with pytest.raises(
            psycopg.Error,
            match="ORA-65913: invalid tenant quota MIN_IOPS: MIN_IOPS \\(500\\) exceeds MAX_IOPS \\(300\\)",
        ):
            root.execute(f"ALTER TENANT {name} QUOTA (MAX_IOPS = 300)")
        assert _param(session, "max_iops") == "600"
        session.close()


def test_guarantees_over_the_machine_are_refused(server: RunningServer, root) -> None:
    cpus = len(os.sched_getaffinity(0))
    with _tenant(root) as a, _tenant(root) as b:
        root.execute(f"ALTER TENANT {a} QUOTA (CPU_MIN_PERCENT = 100, CPU_MAX_PERCENT = 100)")
        with pytest.raises(
            psycopg.Error,
            match=f"ORA-65911: guaranteed CPU over all tenants would exceed the machine: CPU: {cpus + 1} CPUs guaranteed on a {cpus}-CPU machine, 1 CPU\\(s\\) too many",
        ) as ei:
            root.execute(f"ALTER TENANT {b} QUOTA (CPU_MIN_PERCENT = 10)")
        assert ei.value.sqlstate == "53400"
        # a tier whose CPU_MIN_COUNT does not fit either (SILVER guarantees 1 CPU)
        with pytest.raises(psycopg.Error, match="ORA-65911"):
            root.execute(f"ALTER TENANT {b} SET SERVICE TIER silver")
        with pytest.raises(psycopg.Error, match="ORA-65911"):
            _create(root, _name(), "SERVICE TIER silver")
        with pytest.raises(psycopg.Error, match="memory: .* MB too many"):
            root.execute(f"ALTER TENANT {b} QUOTA (MEMORY_MIN_MB = 100000000)")
        assert _tenant_row(root, b)["QUOTA"] is None
        root.execute(f"ALTER TENANT {a} QUOTA (CPU_MIN_PERCENT = 0)")
        root.execute(f"ALTER TENANT {b} SET SERVICE TIER silver")


# ------------------------------------------------------------------ templates


def test_template_with_data_and_without(server: RunningServer, root) -> None:
    src = _name("S")
    root.execute(f'CREATE PLUGGABLE DATABASE {src} ADMIN USER a IDENTIFIED BY "{PW}"')
    root.execute(f"ALTER PLUGGABLE DATABASE {src} OPEN")
    with server.connect(src, "a", PW, autocommit=True) as c:
        c.execute("CREATE TABLE items AS SELECT range AS id FROM range(1000)")
        c.execute(f'CREATE USER reader IDENTIFIED BY "{PW}"')
        c.execute("GRANT CREATE SESSION, SELECT ANY TABLE TO reader")
    full, empty = _name("TPL"), _name("TPL")
    root.execute(
        f"CREATE TENANT TEMPLATE {full} FROM PDB {src} SERVICE TIER bronze LOCKDOWN PROFILE saas"
        " PARAMETERS (STATEMENT_TIMEOUT = '5s', MAX_IOPS = 700)"
    )
    root.execute(f"CREATE TENANT TEMPLATE {empty} FROM PDB {src} NO DATA SERVICE TIER bronze")
    t1, t2 = _name(), _name()
    try:
        rows = dict(
            (r[0], r[1:])
            for r in root.execute(
                "SELECT template_name, source_pdb, pdb_name, no_data, service_tier, lockdown_profile, parameters"
                " FROM DBA_TENANT_TEMPLATES"
            ).fetchall()
        )
        assert rows[full] == (
            src,
            f"TPL${full}",
            "NO",
            "BRONZE",
            "SAAS",
            "MAX_IOPS = 700, STATEMENT_TIMEOUT = 5000",
        )
        assert rows[empty][2] == "YES"
        with pytest.raises(psycopg.Error, match="ORA-65909"):
            root.execute(f"CREATE TENANT TEMPLATE {full} FROM PDB {src}")
        with pytest.raises(psycopg.Error, match="ORA-65914"):
            root.execute(f"ALTER PLUGGABLE DATABASE TPL${full} OPEN")
        root.execute(f'CREATE TENANT {t1} ADMIN USER boss IDENTIFIED BY "{PW}" TEMPLATE {full}')
        root.execute(f'CREATE TENANT {t2} ADMIN USER boss IDENTIFIED BY "{PW}" TEMPLATE {empty}')
        assert _tenant_row(root, t1)["TEMPLATE"] == full
        assert _tenant_row(root, t1)["SERVICE_TIER"] == "BRONZE"
        with server.connect(t1, "boss", PW, autocommit=True) as c:
            assert c.execute("SELECT count(*), sum(id) FROM items").fetchone() == (1000, 499500)
            assert _param(c, "statement_timeout") == "5000ms"
            assert _param(c, "max_iops") == "700"
        with server.connect(t1, "reader", PW, autocommit=True) as c:  # the source's local users come along
            assert c.execute("SELECT count(*) FROM items").fetchone() == (1000,)
        with server.connect(t2, "boss", PW, autocommit=True) as c:
            assert c.execute("SELECT count(*) FROM items").fetchone() == (0,)
        assert _events(root, t1)[0][3] == f"from template {full}"
    finally:
        _drop(root, t1, t2)
        root.execute(f"DROP TENANT TEMPLATE {full}")
        root.execute(f"DROP TENANT TEMPLATE {empty}")
        root.execute(f"ALTER PLUGGABLE DATABASE {src} CLOSE IMMEDIATE")
        root.execute(f"DROP PLUGGABLE DATABASE {src} INCLUDING DATAFILES")
    assert f"TPL${full}" not in _pdbs(root)
    with pytest.raises(psycopg.Error, match="ORA-65908"):
        root.execute(f"DROP TENANT TEMPLATE {full}")


# ------------------------------------------------------------------ deprovisioning


def test_drop_undrop_and_immediate(server: RunningServer, root) -> None:
    name = _name()
    _create(root, name)
    extra = _name("P")
    try:
        root.execute(f'CREATE PLUGGABLE DATABASE {extra} ADMIN USER x IDENTIFIED BY "{PW}" TENANT {name}')
        with server.connect(name, "adm", PW, autocommit=True) as c:
            c.execute("CREATE TABLE t AS SELECT range AS a FROM range(10)")
        session = server.connect(name, "adm", PW, autocommit=True)
        before = time.time()
        root.execute(f"DROP TENANT {name}")
        assert f"ORA-65907: tenant {name} is terminated" in str(_ended(session))
        session.close()
        for pdb in (name, extra):
            with pytest.raises(psycopg.OperationalError, match=f"ORA-65907: tenant {name} is terminated"):
                server.connect(pdb, "adm", PW)
        pdbs = _pdbs(root)
        assert name not in pdbs and extra not in pdbs
        archive = server.data_dir / "exchange" / "tenant_archive" / name
        assert sorted(p.name for p in archive.iterdir()) == sorted([f"{name}.pdb", f"{extra}.pdb"])
        row = _tenant_row(root, name)
        assert row["STATE"] == "TERMINATED"
        purge_after = row["PURGE_AFTER"]
        assert purge_after is not None
        days = (purge_after.timestamp() - before) / 86400  # type: ignore[attr-defined]
        assert 6.99 < days < 7.01
        with pytest.raises(
            psycopg.Error,
            match=f"ORA-65903: tenant {name} cannot go from TERMINATED to ACTIVE: use UNDROP TENANT",
        ):
            root.execute(f"ALTER TENANT {name} RESUME")
        with pytest.raises(psycopg.Error, match="cannot go from TERMINATED to TERMINATED"):
            root.execute(f"DROP TENANT {name}")
        root.execute(f"UNDROP TENANT {name}")
        pdbs = _pdbs(root)
        assert pdbs[name][2] == "READ WRITE" and pdbs[extra][2] == "MOUNTED"
        with server.connect(name, "adm", PW, autocommit=True) as c:
            assert c.execute("SELECT sum(a) FROM t").fetchone() == (45,)
        assert set(str(_tenant_row(root, name)["PDBS"]).split(",")) == {name, extra}
        assert not list(archive.iterdir())
        with pytest.raises(psycopg.Error, match="cannot go from ACTIVE to ACTIVE"):
            root.execute(f"UNDROP TENANT {name}")
        root.execute(f"DROP TENANT {name} IMMEDIATE")
        assert root.execute(
            "SELECT count(*) FROM CDB_TENANTS WHERE tenant_name = %s", (name,)
        ).fetchone() == (0,)
        pdbs = _pdbs(root)
        assert name not in pdbs and extra not in pdbs
        assert not archive.exists()
        ops = [e[0] for e in _events(root, name)]
        assert ops == ["CREATE", "ADD PDB", "DROP", "UNDROP", "DROP IMMEDIATE", "PURGE"]
        with pytest.raises(psycopg.Error, match="ORA-65901"):
            root.execute(f"UNDROP TENANT {name}")
        with pytest.raises(psycopg.Error, match=f"ORA-65901: tenant {name} does not exist") as ei:
            root.execute(f"DROP TENANT {name}")
        assert ei.value.sqlstate == "42704"
        notices: list[str] = []
        root.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        root.execute(f"DROP TENANT IF EXISTS {name}")
        assert notices == [f"tenant {name} does not exist, skipping"]
    finally:
        _drop(root, name)


def test_drop_of_a_suspended_tenant_undrops_as_it_was(server: RunningServer, root) -> None:
    with _tenant(root) as name:
        root.execute(f"ALTER TENANT {name} SUSPEND REASON 'late'")
        root.execute(f"DROP TENANT {name}")
        root.execute(f"UNDROP TENANT {name}")
        assert _pdbs(root)[name][2] == "READ WRITE"
        server.connect(name, "adm", PW).close()


OVERSUBSCRIBED_CONFIG = (
    TEST_CONFIG
    + """
[tenants]
allow_oversubscription = true
retention_days = 0.00003
purge_interval_s = 0.5

[backups]
interval_s = { SILVER = 1 }
keep = { SILVER = 2 }
check_interval_s = 0.5
"""
)


def test_oversubscription_allowed_warns_and_purge_after_retention(tmp_path) -> None:
    srv = start_server(tmp_path / "data", config=OVERSUBSCRIBED_CONFIG)
    try:
        with srv.connect(autocommit=True) as root:
            notices: list[str] = []
            root.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
            a, b = _name(), _name()
            _create(root, a, "")
            _create(root, b, "")
            root.execute(f"ALTER TENANT {a} QUOTA (CPU_MIN_PERCENT = 100, CPU_MAX_PERCENT = 100)")
            assert any("oversubscribed" in n and "too many" in n for n in notices), notices
            root.execute(f"DROP TENANT {a}")
            deadline = time.monotonic() + 20
            while root.execute(
                "SELECT count(*) FROM CDB_TENANTS WHERE tenant_name = %s", (a,)
            ).fetchone() != (0,):
                assert time.monotonic() < deadline, "not purged"
                time.sleep(0.2)
            assert _events(root, a)[-1][:4] == ("PURGE", "TERMINATED", None, "retention ended")
            assert not (srv.data_dir / "exchange" / "tenant_archive" / a).exists()
            with pytest.raises(psycopg.Error, match="ORA-65901"):
                root.execute(f"UNDROP TENANT {a}")
            assert f"tenant {a} purged (retention ended)" in srv.log_text()
            # ALTER PLUGGABLE DATABASE ALL OPEN skips a suspended tenant's PDBs and templates' copies
            root.execute(f"ALTER TENANT {b} SUSPEND")
            root.execute(f"CREATE TENANT TEMPLATE tpl FROM PDB {b}")
            root.execute("ALTER PLUGGABLE DATABASE ALL OPEN")
            assert (_pdbs(root)[b][2], _pdbs(root)["TPL$TPL"][2]) == ("MOUNTED", "MOUNTED")
            root.execute(f"ALTER TENANT {b} RESUME")
            # BACKUP ON: scheduled backups every second (SILVER here), the newest 2 kept
            root.execute(f"ALTER TENANT {b} SET BACKUP ON")
            deadline = time.monotonic() + 30
            seen: set[str] = set()
            while len(seen) < 4:
                assert time.monotonic() < deadline, seen
                rows = root.execute(
                    "SELECT backup_id, backup_type, status FROM CDB_PDB_BACKUPS WHERE pdb_name = %s", (b,)
                ).fetchall()
                assert all(r[1:] in (("SCHEDULED", "AVAILABLE"), ("SCHEDULED", "RUNNING")) for r in rows), (
                    rows
                )
                assert len([r for r in rows if r[2] == "AVAILABLE"]) <= 3, rows  # 2 kept (+1 just taken)
                seen |= {r[0] for r in rows}
                time.sleep(0.2)
            root.execute(f"ALTER TENANT {b} SET BACKUP OFF")
    finally:
        srv.stop()


# ------------------------------------------------------------------ backups


def test_backup_while_writing_restore_in_place_and_as_new(server: RunningServer, root) -> None:
    import threading

    with _tenant(root) as name:
        with server.connect(name, "adm", PW, autocommit=True) as c:
            c.execute("CREATE TABLE t AS SELECT range AS id FROM range(1000)")
        stop = threading.Event()
        written = [1000]

        def writer() -> None:
            with server.connect(name, "adm", PW, autocommit=True) as w:
                while not stop.is_set():
                    w.execute("INSERT INTO t VALUES (%s)", (written[0],))
                    written[0] += 1

        th = threading.Thread(target=writer)
        th.start()
        try:
            time.sleep(0.3)
            notices: list[str] = []
            root.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
            root.execute(f"BACKUP PLUGGABLE DATABASE {name}")
            time.sleep(0.3)
        finally:
            stop.set()
            th.join()
        assert written[0] > 1000
        row = root.execute(
            "SELECT backup_id, backup_type, status, size_bytes, sha256, duration_s FROM CDB_PDB_BACKUPS"
            " WHERE pdb_name = %s",
            (name,),
        ).fetchone()
        bid = row[0]
        assert row[1:3] == ("MANUAL", "AVAILABLE") and row[3] > 0 and len(row[4]) == 64 and row[5] >= 0
        assert any(bid in n for n in notices)
        # a consistent copy: the rows of a prefix of the inserts, no gap
        copy = _name("R")
        root.execute(f"RESTORE PLUGGABLE DATABASE {name} FROM BACKUP '{bid}' AS {copy}")
        try:
            root.execute(f"ALTER PLUGGABLE DATABASE {copy} OPEN")
            with server.connect(copy, "adm", PW, autocommit=True) as c:
                n, top = c.execute("SELECT count(*), max(id) FROM t").fetchone()
            assert 1000 <= n < written[0] and top == n - 1
            # in place: only closed, then the PDB is as the backup was
            with pytest.raises(psycopg.Error, match="ORA-65025"):
                root.execute(f"RESTORE PLUGGABLE DATABASE {name} FROM BACKUP '{bid}'")
            root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
            root.execute(f"RESTORE PLUGGABLE DATABASE {name} FROM BACKUP '{bid}'")
            root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
            with server.connect(name, "adm", PW, autocommit=True) as c:
                assert c.execute("SELECT count(*) FROM t").fetchone() == (n,)
                assert c.execute("SELECT backup_id FROM DBA_PDB_BACKUPS").fetchall() == [(bid,)]
            # a backup whose checksum does not match is refused
            guid = root.execute("SELECT guid FROM CDB_PDBS WHERE pdb_name = %s", (name,)).fetchone()[0]
            f = server.data_dir / "backups" / guid / bid / "data.duckdb"
            data = bytearray(f.read_bytes())
            data[len(data) // 2] ^= 0xFF
            f.write_bytes(bytes(data))
            root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
            with pytest.raises(
                psycopg.Error, match=f"ORA-65915: backup {bid} is damaged: the SHA-256 of data.duckdb"
            ):
                root.execute(f"RESTORE PLUGGABLE DATABASE {name} FROM BACKUP '{bid}'")
            with pytest.raises(psycopg.Error, match="ORA-65916"):
                root.execute(f"RESTORE PLUGGABLE DATABASE {name} FROM BACKUP 'nosuch'")
            root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
            with server.connect(name, "adm", PW, autocommit=True) as c:
                assert c.execute("SELECT count(*) FROM t").fetchone() == (n,)
        finally:
            root.execute(f"ALTER PLUGGABLE DATABASE {copy} CLOSE IMMEDIATE")
            root.execute(f"DROP PLUGGABLE DATABASE {copy} INCLUDING DATAFILES")


# ------------------------------------------------------------------ auto scaling

# Busy from half a CPU, whatever the machine's idle share: a Bronze engine (nice 4) loaded by one
# client can find the machine less than 1% idle while the suite runs beside other work. (A tenth of
# a CPU was too little: opening the PDB and its first sessions scaled it up before the load.)
AUTOSCALE_CONFIG = (
    TEST_CONFIG
    + """
[autoscaling]
interval_s = 1
busy_percent = 50
min_spare_percent = 0
idle_windows = 2
memory_step_mb = 1024
"""
)


def test_auto_scaling_under_a_cpu_bound_load(tmp_path) -> None:
    import threading

    srv = start_server(tmp_path / "data", config=AUTOSCALE_CONFIG)
    try:
        with srv.connect(autocommit=True) as root:
            name = _name()
            _create(root, name, "SERVICE TIER bronze AUTO SCALING ON")
            quiet = _name()
            _create(root, quiet, "SERVICE TIER bronze AUTO SCALING ON")
            watch = srv.connect(name, "adm", PW, autocommit=True)
            assert (_param(watch, "cpu_count"), _param(watch, "sga_target")) == ("1", "2G")
            stop = threading.Event()

            def load() -> None:
                with srv.connect(name, "adm", PW, autocommit=True) as w:
                    while not stop.is_set():
                        w.execute("SELECT sum(hash(range)) FROM range(20000000)")

            th = threading.Thread(target=load)
            th.start()
            try:
                deadline = time.monotonic() + 60
                while _param(watch, "cpu_count") != "2":
                    assert time.monotonic() < deadline, _events(root, name)
                    time.sleep(0.3)
            finally:
                stop.set()
                th.join()
            ups = [e for e in _events(root, name) if e[0] == "AUTO SCALE UP"]
            assert (
                ups
                and "CPU_COUNT 1 -> 2, SGA_TARGET 2048M -> 3072M" in ups[0][3]
                and "CPUs used of 1" in ups[0][3]
            )
            assert _param(watch, "sga_target") in ("3G", "4G")  # a step, or two, up to SILVER's 4G
            assert _events(root, quiet)[-1][0] == "CREATE"  # an idle tenant is left alone
            deadline = time.monotonic() + 60
            while (_param(watch, "cpu_count"), _param(watch, "sga_target")) != ("1", "2G"):
                assert time.monotonic() < deadline, _events(root, name)
                time.sleep(0.3)
            downs = [e for e in _events(root, name) if e[0] == "AUTO SCALE DOWN"]
            assert downs and "idle for" in downs[-1][3]
            watch.close()
            # billing: the seconds at Silver's figures are billed at Silver's price, the rest at Bronze's
            month = time.strftime("%Y-%m", time.gmtime())
            bill = json.loads(root.execute(f"SHOW BILLING FOR TENANT {name} PERIOD '{month}'").fetchone()[-1])
            segs = bill["base_breakdown"]
            assert [s["service_tier"] for s in segs] == ["BRONZE", "SILVER", "BRONZE"], segs
            assert segs[1]["change"].startswith(f"AUTO SCALE UP BRONZE -> SILVER ({name}): CPU_COUNT 1 -> 2")
            assert segs[2]["change"].startswith(f"AUTO SCALE DOWN SILVER -> BRONZE ({name})")
            assert bill["service_tier"] == "BRONZE"  # the contracted tier did not change
            month_s = Decimal(calendar.monthrange(*map(int, month.split("-")))[1] * 86400)
            for s, price in zip(segs, (100, 250, 100), strict=True):
                secs = int(
                    (
                        dt.datetime.fromisoformat(s["to"]) - dt.datetime.fromisoformat(s["from"])
                    ).total_seconds()
                )
                want = (Decimal(price) * secs / month_s).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
                assert Decimal(s["amount"]) == want
    finally:
        srv.stop()
