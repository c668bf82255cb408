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


@pytest.fixture
def root(server: RunningServer):
    with server.connect(autocommit=True) as c:
        yield c


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
    hungry = "select len(list(s)) from (select i::varchar || repeat('x', 100) s from range(3000000) t(i))"
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
