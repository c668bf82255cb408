"""Resource governance: service tiers, PDB resource parameters (ALTER SYSTEM SET), and the limits
they enforce (sessions, memory, statement and idle timeouts), changed online."""

from __future__ import annotations

import time
import uuid

import psycopg
import pytest

from tests import rawpg
from tests.server import SYS_PASSWORD, RunningServer

ADMIN, ADMIN_PW = "adm", "Adm-Pw-1"
# Long enough that only a limit ends it.
ENDLESS = "select count(*) from range(100000000000) a"


def _name() -> str:
    return "G" + uuid.uuid4().hex[:8].upper()


def _open_pdb(root: psycopg.Connection, clause: str = "") -> str:
    name = _name()
    root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {ADMIN} IDENTIFIED BY "{ADMIN_PW}" {clause}')
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    return name


def _as_sys(server: RunningServer, name: str) -> psycopg.Connection:
    """SYS inside the PDB: the provider's DBA, who may change its budgets."""
    return server.connect(name, "SYS", SYS_PASSWORD, autocommit=True)


def _params(con: psycopg.Connection, pattern: str = "") -> dict[str, str]:
    return {r[0]: r[2] for r in con.execute(f"SHOW PARAMETER {pattern}").fetchall()}


def test_service_tier_at_create_and_online(server: RunningServer, root) -> None:
    name = _open_pdb(root, "SERVICE TIER gold")
    with _as_sys(server, name) as s, server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as user:
        p = _params(s)
        assert p["db_performance_profile"] == "GOLD"
        assert p["cpu_count"] == "4" and p["sessions"] == "250" and p["sga_target"] == "8G"
        user.execute("create table t(x int)")
        user.execute("begin")
        user.execute("insert into t values (1)")
        # A tier change applies to the running engine; the open transaction goes on.
        root.execute(f"ALTER PLUGGABLE DATABASE {name} SET SERVICE TIER bronze")
        assert _params(s, "sessions") == {"sessions": "50"}
        assert _params(s)["db_performance_profile"] == "BRONZE"
        user.execute("insert into t values (2)")
        user.execute("commit")
        assert user.execute("select count(*) from t").fetchone() == (2,)
        s.execute("ALTER SYSTEM SET DB_PERFORMANCE_PROFILE = platinum")
        assert _params(s, "cpu") == {"cpu_count": "8", "cpu_min_count": "2"}
    with pytest.raises(psycopg.Error, match="ORA-02097.*tier") as ei:
        root.execute(f"ALTER PLUGGABLE DATABASE {name} SET SERVICE TIER diamond")
    assert ei.value.sqlstate == "22023"
    with pytest.raises(psycopg.Error, match="ORA-02097"):
        root.execute(f'CREATE PLUGGABLE DATABASE {_name()} ADMIN USER a IDENTIFIED BY "x" SERVICE TIER tin')


def test_parameters_override_the_tier_and_bad_values_are_refused(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    with _as_sys(server, name) as s:
        s.execute("ALTER SYSTEM SET CPU_COUNT = 1")
        s.execute("ALTER SYSTEM SET SGA_TARGET = 512M SCOPE = BOTH")
        s.execute("ALTER SYSTEM SET MAX_IDLE_TIME = 30")  # Oracle's minutes
        p = _params(s)
        assert p["cpu_count"] == "1" and p["sga_target"] == "512M"
        assert p["idle_session_timeout"] == "1800000ms"
        s.execute("ALTER SYSTEM RESET CPU_COUNT")
        assert _params(s, "cpu_count")["cpu_count"] == "2"  # SILVER's again
        bad = {
            "ALTER SYSTEM SET CPU_MIN_COUNT = 2 CONTAINER = CURRENT": "ORA-02097.*CPU_MIN_COUNT",
            "ALTER SYSTEM SET SGA_TARGET = 1T": "ORA-02097.*memory",
            "ALTER SYSTEM SET SGA_TARGET = 1M": "ORA-02097.*at least 64M",
            "ALTER SYSTEM SET SESSIONS = 0": "ORA-02097",
            "ALTER SYSTEM SET CPU_COUNT = many": "ORA-02097.*whole number",
            "ALTER SYSTEM SET NO_SUCH_THING = 1": "ORA-02065",
        }
        s.execute("ALTER SYSTEM SET CPU_COUNT = 1")
        for sql, err in bad.items():
            with pytest.raises(psycopg.Error, match=err):
                s.execute(sql)
        assert _params(s, "cpu_count")["cpu_count"] == "1"
    # The tenant's own administrator cannot raise its budgets.
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as user:
        with pytest.raises(psycopg.Error, match="ORA-01031") as ei:
            user.execute("ALTER SYSTEM SET CPU_COUNT = 2")
        assert ei.value.sqlstate == "42501"
        # ... nor change the engine's settings with DuckDB's own SET.
        with pytest.raises(psycopg.Error) as ei:
            user.execute("SET threads = 2")
        assert ei.value.sqlstate == "42501"
    # In the root a PDB parameter needs CONTAINER = ALL.
    with pytest.raises(psycopg.Error, match="ORA-02097.*CONTAINER"):
        root.execute("ALTER SYSTEM SET SESSIONS = 10")


def test_sessions_limit(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    with _as_sys(server, name) as s:
        s.execute("ALTER SYSTEM SET SESSIONS = 2")
    first = server.connect(name, ADMIN, ADMIN_PW)
    second = server.connect(name, ADMIN, ADMIN_PW)
    err = rawpg.login_error(server.port, ADMIN, ADMIN_PW, name)
    assert err["C"] == "53300" and "ORA-00018" in err["M"]
    # The DBA still gets in, and raising the limit admits the next one at once.
    with _as_sys(server, name) as s:
        s.execute("ALTER SYSTEM SET SESSIONS = 3")
    with server.connect(name, ADMIN, ADMIN_PW) as third:
        assert third.execute("select 1").fetchone() == (1,)
    second.close()
    with server.connect(name, ADMIN, ADMIN_PW) as fourth:
        assert fourth.execute("select 2").fetchone() == (2,)
    first.close()


def test_statement_timeout_of_the_pdb_and_of_the_client(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    with _as_sys(server, name) as s:
        s.execute("ALTER SYSTEM SET STATEMENT_TIMEOUT = '1s'")
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        start = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            c.execute(ENDLESS)
        assert time.monotonic() - start < 10
        assert c.execute("select 42").fetchone() == (42,)
        # The client may set a tighter limit, never a looser one.
        c.execute("SET statement_timeout = '200ms'")
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            c.execute(ENDLESS)
        c.execute("SET statement_timeout = 0")
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            c.execute(ENDLESS)  # the PDB's 1 s still applies
        # Extended protocol too.
        with pytest.raises(psycopg.errors.QueryCanceled):
            c.execute("select count(*) from range(%s) a", [100000000000])
        assert c.execute("select 1").fetchone() == (1,)


def test_idle_in_transaction_and_idle_session_timeouts(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        c.execute("SET idle_in_transaction_session_timeout = '300ms'")
        c.execute("begin")
        c.execute("select 1")
        time.sleep(1.0)
        with pytest.raises(psycopg.Error) as ei:
            c.execute("select 1")
        assert ei.value.sqlstate == "25P03"
    with _as_sys(server, name) as s:
        s.execute("ALTER SYSTEM SET IDLE_SESSION_TIMEOUT = '500ms'")
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        c.execute("select 1")
        time.sleep(1.2)
        with pytest.raises(psycopg.Error) as ei:
            c.execute("select 1")
        assert ei.value.sqlstate == "57P05"


def test_memory_limit_fails_only_that_pdb(server: RunningServer, root) -> None:
    small, other = _open_pdb(root), _open_pdb(root)
    with _as_sys(server, small) as s:
        s.execute("ALTER SYSTEM SET SGA_TARGET = 64M")
    # One list of ~300 MB: DuckDB cannot spill it to disk.
    hungry = (
        "select len(list(s)) from (select i::varchar || repeat('x', 100) s from range(3000000) t(i)) AS q"
    )
    with (
        server.connect(small, ADMIN, ADMIN_PW, autocommit=True) as c,
        server.connect(other, ADMIN, ADMIN_PW, autocommit=True) as o,
    ):
        with pytest.raises(psycopg.Error) as ei:
            c.execute(hungry)
        assert ei.value.sqlstate == "53200"
        assert o.execute(hungry).fetchone() == (3000000,)
        assert c.execute("select 1").fetchone() == (1,)
        # Raised online, the same statement runs in the same session.
        with _as_sys(server, small) as s:
            s.execute("ALTER SYSTEM SET SGA_TARGET = 2G")
        assert c.execute(hungry).fetchone() == (3000000,)


def _resources(con: psycopg.Connection) -> dict[tuple[str, str], str]:
    return {(r[1], r[2]): r[3] for r in con.execute("SHOW RESOURCES").fetchall()}


def test_metrics_view_and_show_resources(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        for i in range(5):
            c.execute("select %s::int", [i]).fetchone()
        (row,) = c.execute(
            "select con_id, pdb_name, statements, cpu_utilization_limit, network_bytes_sent from v$rsrcpdbmetric"
        ).fetchall()
        assert row[1] == name and row[2] >= 5 and row[3] == 100 and row[4] > 0
        res = _resources(c)
        assert res[("memory", "quota_bytes")] == str(4096 << 20)  # SILVER
        assert int(res[("memory", "allocated_bytes")]) > 0
        assert res[("network", "connections")] == "1"
        assert res[("cpu", "priority")] == "MEDIUM"
        assert any(k[0] == "buffer" for k in res)
        # the statements its sessions parsed are held in its own engine, within a byte budget
        assert (
            0
            < int(res[("memory", "statement_cache_bytes")])
            <= int(res[("memory", "statement_cache_budget_bytes")])
        )
        assert res[("locks", "write_gate_waits")] == "0"
    in_root = {r[0]: r for r in root.execute("select pdb_name, statements from v$rsrcpdbmetric").fetchall()}
    assert in_root[name][1] >= 5
    # The history has V$RSRCPDBMETRIC's columns (its rows come a minute at a time).
    now_cols = [d.name for d in root.execute("select * from v$rsrcpdbmetric").description]
    hist_cols = [d.name for d in root.execute("select * from v$rsrcpdbmetric_history").description]
    assert hist_cols == now_cols and "CPU_CONSUMED_TIME" in now_cols


def test_network_pacing(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    with _as_sys(server, name) as s:
        s.execute("ALTER SYSTEM SET NETWORK_MBPS = 16")  # 2 MB/s, 4 MB of burst
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        start = time.monotonic()
        rows = c.execute("select repeat('x', 1000) from range(10000)").fetchall()  # ~10 MB
        elapsed = time.monotonic() - start
        assert len(rows) == 10000
        assert elapsed >= 2.0  # (10 MB - 4 MB of burst) at 2 MB/s: at least 3 s
        res = _resources(c)
        assert int(res[("network", "throttled_count")]) > 0
        assert int(res[("network", "bytes_sent")]) >= 10_000_000
        # Counted per session too: this one received the 10 MB.
        (pid,) = {k[0] for k in res if k[0].startswith("session ")}
        assert int(res[(pid, "bytes_sent")]) >= 10_000_000 and int(res[(pid, "bytes_received")]) > 0


def test_io_throttling_delays_and_counts(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    with _as_sys(server, name) as s:
        s.execute("ALTER SYSTEM SET MAX_MBPS = 1")  # 1 MB/s, 2 MB of burst
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        # About 5 MB written, charged to the bucket when the statement ends ...
        c.execute("create table w as select i, md5(i::varchar) s from range(300000) t(i)")
        start = time.monotonic()
        c.execute("select 1")  # ... so the next statement waits the debt out: (5 - 2) MB at 1 MB/s
        waited = time.monotonic() - start
        res = _resources(c)
        assert int(res[("io", "bytes_written")]) > 3_000_000
        assert int(res[("io", "throttled_operations")]) >= 1
        assert waited >= 1.0
        # Reads and writes go on: throttling delays, it never fails.
        assert c.execute("select count(*) from w").fetchone() == (300000,)


def test_oom_events_are_counted(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    with _as_sys(server, name) as s:
        s.execute("ALTER SYSTEM SET SGA_TARGET = 64M")
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        for _ in range(2):
            with pytest.raises(psycopg.Error) as ei:
                c.execute("select len(list(repeat('x', 200) || i)) from range(3000000) t(i)")
            assert ei.value.sqlstate == "53200"
        assert _resources(c)[("memory", "oom_count")] == "2"
        assert c.execute("select oom_count from v$rsrcpdbmetric").fetchone() == (2,)


def test_memory_bomb_ends_at_most_its_own_engine(server: RunningServer, root) -> None:
    bomb, other = _open_pdb(root), _open_pdb(root)
    with _as_sys(server, bomb) as s:
        s.execute("ALTER SYSTEM SET SGA_TARGET = 128M")
    with server.connect(other, ADMIN, ADMIN_PW, autocommit=True) as o:
        o.execute("create table t as select 1 x")
        with server.connect(bomb, ADMIN, ADMIN_PW, autocommit=True) as b:
            # Strings of 100 MB each, outside DuckDB's buffer manager: the address-space cap stops them.
            with pytest.raises(psycopg.Error) as ei:
                b.execute("select max(length(repeat('x', 100000000) || i::varchar)) from range(200) t(i)")
            assert ei.value.sqlstate in ("53200", "57P01", "XX000")
        assert o.execute("select x from t").fetchone() == (1,)
    deadline = time.monotonic() + 30
    while True:  # the bomb's PDB answers again (its engine survived, or was restarted)
        try:
            with server.connect(bomb, ADMIN, ADMIN_PW) as again:
                assert again.execute("select 1").fetchone() == (1,)
            break
        except psycopg.OperationalError:
            assert time.monotonic() < deadline
            time.sleep(0.5)


def test_cdb_resource_plan_directives(server: RunningServer, root) -> None:
    a, b = _open_pdb(root), _open_pdb(root)
    plan = "P" + uuid.uuid4().hex[:6].upper()
    rm = "DBMS_RESOURCE_MANAGER"
    root.execute(f"EXEC {rm}.CREATE_PENDING_AREA()")
    root.execute(f"EXEC {rm}.CREATE_CDB_PLAN(plan => '{plan}', comment => 'tenants')")
    root.execute(
        f"EXEC {rm}.CREATE_CDB_PLAN_DIRECTIVE(plan => '{plan}', pluggable_database => '{a}',"
        " shares => 3, utilization_limit => 50, parallel_server_limit => 50)"
    )
    root.execute(f"CALL {rm}.CREATE_CDB_PLAN_DIRECTIVE('{plan}', '{b}', NULL, 7)")
    root.execute(f"EXECUTE {rm}.SUBMIT_PENDING_AREA")
    with pytest.raises(psycopg.Error, match="ORA-29364"):
        root.execute(f"EXEC {rm}.CREATE_CDB_PLAN_DIRECTIVE('{plan}', '{a}', NULL, 2)")
    with pytest.raises(psycopg.Error, match="ORA-29355"):
        root.execute(f"EXEC {rm}.UPDATE_CDB_PLAN_DIRECTIVE('{plan}', '{a}', new_utilization_limit => 300)")
    with pytest.raises(psycopg.Error, match="ORA-65011"):
        root.execute(f"EXEC {rm}.CREATE_CDB_PLAN_DIRECTIVE('{plan}', 'NO_SUCH_PDB', NULL, 2)")
    with pytest.raises(psycopg.Error, match="ORA-02097"):
        root.execute("ALTER SYSTEM SET RESOURCE_MANAGER_PLAN = 'NO_SUCH_PLAN'")
    directives = root.execute(
        "select pluggable_database, shares, utilization_limit, parallel_server_limit"
        f" from dba_cdb_rsrc_plan_directives where plan = '{plan}' order by 1"
    ).fetchall()
    assert sorted(directives) == sorted([(a, 3, 50, 50), (b, 7, 100, 100)])
    # Not in force yet: the tier's shares.
    with _as_sys(server, a) as s:
        assert _resources(s)[("cpu", "shares")] == "2"
    root.execute(f"ALTER SYSTEM SET RESOURCE_MANAGER_PLAN = '{plan}'")
    assert root.execute(f"select status from dba_cdb_rsrc_plans where plan = '{plan}'").fetchone() == (
        "ACTIVE",
    )
    with _as_sys(server, a) as s:
        res = _resources(s)
        assert res[("cpu", "shares")] == "3" and res[("cpu", "utilization_limit_percent")] == "50"
        assert res[("cpu", "engine_threads")] == "1"  # half of SILVER's 2
        assert s.execute("select cpu_utilization_limit from v$rsrcpdbmetric").fetchone() == (50,)
        with pytest.raises(psycopg.Error, match="ORA-65040"):
            s.execute(f"EXEC {rm}.DELETE_CDB_PLAN('{plan}')")
    with pytest.raises(psycopg.Error, match="ORA-29360"):
        root.execute(f"EXEC {rm}.DELETE_CDB_PLAN('{plan}')")
    root.execute(f"EXEC {rm}.UPDATE_CDB_PLAN_DIRECTIVE('{plan}', '{a}', new_shares => 5)")
    with _as_sys(server, a) as s:
        assert _resources(s)[("cpu", "shares")] == "5"
    root.execute("ALTER SYSTEM SET RESOURCE_MANAGER_PLAN = ''")
    root.execute(f"EXEC {rm}.DELETE_CDB_PLAN_DIRECTIVE('{plan}', '{a}')")
    root.execute(f"EXEC {rm}.DELETE_CDB_PLAN('{plan}')")
    assert root.execute(f"select count(*) from dba_cdb_rsrc_plans where plan = '{plan}'").fetchone() == (0,)
    with _as_sys(server, a) as s:
        assert _resources(s)[("cpu", "engine_threads")] == "2"


def test_per_user_limits_and_max_result_size(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        c.execute('CREATE USER app IDENTIFIED BY "App-Pw-1"')
        c.execute("GRANT CREATE SESSION TO app")
        c.execute("ALTER USER app SET STATEMENT_TIMEOUT = '300ms'")
        c.execute("ALTER ROLE app SET max_result_size = 100K")
        with pytest.raises(psycopg.Error, match="ORA-00922"):
            c.execute("ALTER USER app SET CPU_COUNT = 1")
    with server.connect(name, "app", "App-Pw-1", autocommit=True) as app:
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            app.execute(ENDLESS)
        assert len(app.execute("select repeat('x', 100) from range(500)").fetchall()) == 500
        with pytest.raises(psycopg.Error, match="MAX_RESULT_SIZE") as ei:
            app.execute("select repeat('x', 100) from range(5000)").fetchall()
        assert ei.value.sqlstate == "54000"
        # A cursor fetches in parts that each stay under the limit.
        app.execute("begin")
        app.execute("declare cur cursor for select repeat('x', 100) from range(5000)")
        assert len(app.execute("fetch 500 from cur").fetchall()) == 500
        app.execute("commit")
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        c.execute("ALTER USER app RESET STATEMENT_TIMEOUT")
        c.execute("ALTER USER app RESET MAX_RESULT_SIZE")
    with server.connect(name, "app", "App-Pw-1", autocommit=True) as app:
        assert len(app.execute("select repeat('x', 100) from range(5000)").fetchall()) == 5000
    with _as_sys(server, name) as s:
        s.execute("ALTER SYSTEM SET MAX_RESULT_SIZE = 200K")
    with (
        server.connect(name, "app", "App-Pw-1", autocommit=True) as app,
        pytest.raises(psycopg.Error, match="MAX_RESULT_SIZE"),
    ):
        app.execute("select repeat('x', 100) from range(5000)").fetchall()


def test_max_pdb_storage_parameter_and_spill_limit(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    with _as_sys(server, name) as s:
        s.execute("ALTER SYSTEM SET MAX_PDB_STORAGE = 20M")
        s.execute("ALTER SYSTEM SET MAX_SHARED_TEMP_SIZE = 1M")
        s.execute("ALTER SYSTEM SET SGA_TARGET = 64M")
        shown = _params(s, "max_")
        assert shown["max_pdb_storage"] == "20M" and shown["max_shared_temp_size"] == "1M"
    assert root.execute(f"select max_size from v$pdbs where name = '{name}'").fetchone() == (20 << 20,)
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        # A sort bigger than memory must spill; 1 MB of temp space does not hold it.
        with pytest.raises(psycopg.Error, match="MAX_SHARED_TEMP_SIZE") as ei:
            c.execute(
                "select count(*) from (select md5(i::varchar) s from range(3000000) t(i) order by s) AS q"
            )
        assert ei.value.sqlstate == "53400"
        with _as_sys(server, name) as s:
            s.execute("ALTER SYSTEM RESET MAX_SHARED_TEMP_SIZE")
            s.execute("ALTER SYSTEM RESET SGA_TARGET")
        c.execute("create table big(s text)")
        with pytest.raises(psycopg.Error, match="ORA-65114") as ei:
            for _ in range(50):
                c.execute("insert into big select repeat('x', 1000) || i from range(20000) r(i)")
                c.execute("checkpoint")
        assert ei.value.sqlstate == "53100"
        assert c.execute("select count(*) > 0 from big").fetchone() == (True,)
    with _as_sys(server, name) as s:
        with pytest.raises(psycopg.Error, match="ORA-65113"):
            s.execute("ALTER SYSTEM SET MAX_PDB_STORAGE = 1M")
        s.execute("ALTER SYSTEM SET MAX_PDB_STORAGE = UNLIMITED")
    with server.connect(name, ADMIN, ADMIN_PW, autocommit=True) as c:
        c.execute("insert into big select repeat('y', 1000) from range(20000) r(i)")
