"""The tenant model without a server: the transition table, the quota mapping and guarantees, the
tenant views' visibility, and the SQL parser."""

from __future__ import annotations

import time

import pytest

from catalog.dictionary import VIEWS
from catalog.store import CatalogStore, Tenant
from governance import resources
from pgcompat.statements import split
from pgwire.errors import DbError
from tenants import quota, sql, states


def test_transition_table() -> None:
    assert states.allowed("ACTIVE", "SUSPENDED")
    assert states.allowed("SUSPENDED", "ACTIVE")
    assert states.allowed("TERMINATED", "ACTIVE")
    assert not states.allowed("SUSPENDED", "MAINTENANCE")
    assert not states.allowed("MIGRATING", "TERMINATED")
    assert set(states.TRANSITIONS) == set(states.STATES)
    with pytest.raises(DbError, match="ORA-65903: tenant ACME cannot go from TERMINATED to SUSPENDED") as ei:
        states.check("ACME", "TERMINATED", "SUSPENDED")
    assert ei.value.sqlstate == "55000"


def test_quota_mapping_and_guarantees() -> None:
    cpus = resources.machine_cpus()
    q = quota.validate(
        {
            "cpu_min_percent": 10,
            "CPU_MAX_PERCENT": 100,
            "MEMORY_MAX_MB": 2048,
            "MAX_IOPS": 9,
            "MAX_MBPS": 7,
            "CPU_SHARES": 5,
        }
    )
    assert quota.parameters(q) == {
        "CPU_MIN_COUNT": "1",
        "CPU_COUNT": str(cpus),
        "SGA_TARGET": str(2048 << 20),
        "MAX_IOPS": "9",
        "MAX_MBPS": "7",
    }
    with pytest.raises(DbError, match="ORA-65913: invalid tenant quota CPU_MAX_PERCENT"):
        quota.validate({"CPU_MAX_PERCENT": 101})
    with pytest.raises(DbError, match="MIN_MBPS \\(9\\) exceeds MAX_MBPS \\(8\\)"):
        quota.validate({"MIN_MBPS": 9, "MAX_MBPS": 8})
    machine = quota.Machine(cpus=2, memory_bytes=1 << 30, iops=100, mbps=0)
    fits = [quota.Need(1, 512 << 20, 50, 10), quota.Need(1, 512 << 20, 50, 10)]
    assert quota.over_machine(fits, machine) == []
    over = quota.over_machine([*fits, quota.Need(1, 1 << 20, 1, 5)], machine)
    assert over == [
        "CPU: 3 CPUs guaranteed on a 2-CPU machine, 1 CPU(s) too many",
        "memory: 1025 MB guaranteed of 1024 MB, 1 MB too many",
        "IOPS: 101 guaranteed of 100, 1 too many",
    ]
    tiers = resources.load_tiers()
    assert quota.need(tiers, "SILVER", {}, {}).cpus == tiers["SILVER"].cpu_min
    assert quota.need(tiers, "BRONZE", {}, {"CPU_MIN_PERCENT": 100, "CPU_MAX_PERCENT": 100}).cpus == cpus


def _tenant(name: str) -> Tenant:
    now = time.time()
    return Tenant(
        name, name, None, "SILVER", "ACTIVE", None, {}, False, False, None, {}, "ADM", None, now, now, None
    )


def test_tenant_views_show_a_pdb_only_its_own_tenant(tmp_path) -> None:
    store = CatalogStore(str(tmp_path / "c.sqlite3"))
    store.insert_container(1, "CDB$ROOT", "NORMAL", "READ WRITE", "SILVER", None)
    a = store.insert_container(3, "A", "NORMAL", "MOUNTED", "SILVER", None)
    b = store.insert_container(4, "B", "NORMAL", "MOUNTED", "SILVER", None)
    store.insert_container(5, "LONE", "NORMAL", "MOUNTED", "SILVER", None)
    for t, c in (("A", a), ("B", b)):
        store.insert_tenant(_tenant(t))
        store.add_tenant_pdb(t, c.con_id)
        store.add_tenant_event(t, "SYS", "CREATE", None, "ACTIVE")
    names = lambda view, con: [r[0] for r in VIEWS[view].rows(store, con)]  # noqa: E731
    assert names("CDB_TENANTS", 1) == ["A", "B"]
    assert names("DBA_TENANTS", 3) == ["A"]
    assert names("DBA_TENANTS", 4) == ["B"]
    assert names("DBA_TENANTS", 5) == []
    assert names("DBA_TENANT_EVENTS", 4) == ["B"]
    assert names("CDB_TENANT_EVENTS", 1) == ["A", "B"]
    assert names("DBA_TENANT_EVENTS", 5) == []
    # a dropped PDB leaves its tenant
    store.delete_container(4)
    assert [r[6] for r in VIEWS["CDB_TENANTS"].rows(store, 1)] == ["A", None]
    store.close()


def test_parser() -> None:
    cmd = sql.parse(
        split(
            "CREATE TENANT acme ADMIN USER u IDENTIFIED BY \"pw\" CONTACT 'a@acme.com' SERVICE TIER gold"
            " TEMPLATE std AUTO SCALING ON BACKUP OFF LABELS (region = 'eu', tier2 = 'x')"
        )[0]
    )
    assert isinstance(cmd, sql.CreateTenant)
    s = cmd.spec
    assert (s.name, s.admin_user, s.admin_password, s.contact, s.tier, s.template) == (
        "ACME",
        "U",
        "pw",
        "a@acme.com",
        "GOLD",
        "STD",
    )
    assert (s.auto_scaling, s.backup, s.labels) == (True, False, {"REGION": "eu", "TIER2": "x"})
    q = sql.parse(split("ALTER TENANT acme QUOTA (CPU_MIN_PERCENT = 10, MAX_MBPS = 100)")[0])
    assert isinstance(q, sql.AlterTenant) and q.quota == {"CPU_MIN_PERCENT": 10, "MAX_MBPS": 100}
    d = sql.parse(split("DROP TENANT IF EXISTS acme IMMEDIATE")[0])
    assert d == sql.DropTenant("ACME", True, True)
    r = sql.parse(split("RESTORE PLUGGABLE DATABASE p FROM BACKUP 'P-1' AS q")[0])
    assert r == sql.RestorePdb("P", "P-1", "Q")
    with pytest.raises(DbError, match="ORA-65000"):
        sql.parse(split("CREATE TENANT acme")[0])
    with pytest.raises(DbError, match="ORA-00922"):
        sql.parse(split("ALTER TENANT acme EXPLODE")[0])


def test_dba_holds_the_tenant_privileges(tmp_path) -> None:
    import sqlite3

    from catalog.store.schema import migrate

    store = CatalogStore(str(tmp_path / "new.sqlite3"))
    assert {"CREATE TENANT", "ALTER TENANT", "DROP TENANT"} <= store.effective_privileges("DBA", 1)
    store.close()
    # a catalog made before tenants (schema version 1) gets them by the migration
    db = sqlite3.connect(str(tmp_path / "old.sqlite3"), isolation_level=None)
    migrate(db)
    db.execute("DELETE FROM sys_privs WHERE privilege LIKE '% TENANT'")
    db.execute("PRAGMA user_version = 1")
    migrate(db)
    got = {r[0] for r in db.execute("SELECT privilege FROM sys_privs WHERE grantee = 'DBA'")}
    assert {"CREATE TENANT", "ALTER TENANT", "DROP TENANT"} <= got
    db.close()
