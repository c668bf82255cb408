"""Lockdown profiles end to end: profiles created in the root, set CDB-wide, applied to the next
statement of a PDB session (prepared ones at their next Bind), shown in the dictionary, audited."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.server import RunningServer


@pytest.fixture
def root(server: RunningServer):
    with server.connect(autocommit=True) as c:
        yield c
        # The shared server's other tests must not run under this test's profile.
        c.execute("ALTER SYSTEM RESET PDB_LOCKDOWN")
        c.execute("DROP LOCKDOWN PROFILE IF EXISTS app")


def test_lockdown_end_to_end(server: RunningServer, pdb: str, root) -> None:
    root.execute("CREATE LOCKDOWN PROFILE app")
    root.execute("ALTER SYSTEM SET PDB_LOCKDOWN = app")
    assert root.execute(
        "SELECT profile_name, status FROM dba_lockdown_profiles WHERE profile_name = 'APP'"
    ).fetchall() == [("APP", "EMPTY")]
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        c.execute("CREATE TABLE lt (a INT)")
        c.execute("SET application_name = 'x'")
        prepared = "INSERT INTO lt VALUES (%s)"
        c.execute(prepared, (1,), prepare=True)
        root.execute("ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('CREATE TABLE', 'INSERT')")
        root.execute(
            "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER SESSION') CLAUSE = ('SET') OPTION = ('APPLICATION_NAME')"
        )
        with pytest.raises(psycopg.Error) as e:
            c.execute("CREATE TABLE lt2 (a INT)")
        assert e.value.sqlstate == "42501"
        assert e.value.diag.message_primary.startswith(
            "ORA-01031: insufficient privileges: CREATE TABLE is disabled by lockdown profile APP"
        )
        with pytest.raises(psycopg.Error) as e:
            c.execute(prepared, (2,), prepare=True)  # prepared before the change: refused at Bind
        assert e.value.sqlstate == "42501"
        with pytest.raises(psycopg.Error) as e:
            c.execute("SET application_name = 'y'")
        assert e.value.sqlstate == "42501"
        c.execute("SET search_path = main")
        assert c.execute("SELECT count(*) FROM lt").fetchone() == (1,)
        rules = c.execute(
            "SELECT rule_type, rule, clause, clause_option, status FROM v$lockdown_rules"
        ).fetchall()
        assert ("STATEMENT", "CREATE TABLE", None, None, "DISABLE") in rules
        with pytest.raises(psycopg.Error) as e:
            c.execute("CREATE LOCKDOWN PROFILE x")
        assert "ORA-65040" in e.value.diag.message_primary
        with pytest.raises(psycopg.Error) as e:
            c.execute("ALTER SYSTEM SET PDB_LOCKDOWN = ''")
        assert "ORA-01031" in e.value.diag.message_primary
        audit = root.execute("SELECT rule FROM cdb_audit_trail WHERE rule LIKE 'LOCKDOWN%'").fetchall()
        assert ("LOCKDOWN_STATEMENT",) in audit
    root.execute("ALTER SYSTEM RESET PDB_LOCKDOWN")
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        c.execute("CREATE TABLE lt2 (a INT)")
