"""Users, roles and grants over the wire, and the dictionary views from any client."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from pgwire.auth import scram_verifier
from tests import rawpg
from tests.server import RunningServer


def _name(prefix: str = "D") -> str:
    return prefix + uuid.uuid4().hex[:8].upper()


def test_common_user_logs_in_where_granted(server: RunningServer, root) -> None:
    pdb = _name()
    root.execute(f'CREATE PLUGGABLE DATABASE {pdb} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    root.execute(f"ALTER PLUGGABLE DATABASE {pdb} OPEN")
    user = _name("C##U")
    with pytest.raises(psycopg.Error, match="ORA-65096"):
        root.execute('CREATE USER plainname IDENTIFIED BY "x"')
    root.execute(f'CREATE USER {user} IDENTIFIED BY "Common-Pw-1"')
    assert rawpg.login_error(server.port, user, "Common-Pw-1", pdb)["M"].startswith("ORA-01045")
    root.execute(f"GRANT CREATE SESSION TO {user} CONTAINER=ALL")
    with server.connect(pdb, user, "Common-Pw-1") as c:
        assert c.execute("select 1").fetchone() == (1,)
    root.execute(f"ALTER USER {user} ACCOUNT LOCK")
    assert rawpg.login_error(server.port, user, "Common-Pw-1", pdb)["C"] == "28000"
    root.execute(f"ALTER USER {user} ACCOUNT UNLOCK")
    root.execute(f'ALTER USER {user} IDENTIFIED BY "New-Pw-2"')
    with server.connect(pdb, user, "New-Pw-2") as c:
        assert c.execute("select 2").fetchone() == (2,)
    rows = root.execute(
        f"select username, common from cdb_users where username = '{user}' and con_id = 1"
    ).fetchall()
    assert rows == [(user, "YES")]


def test_local_user_in_a_pdb(server: RunningServer, root) -> None:
    pdb = _name()
    root.execute(f'CREATE PLUGGABLE DATABASE {pdb} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    root.execute(f"ALTER PLUGGABLE DATABASE {pdb} OPEN")
    with server.connect(pdb, "adm", "Adm-Pw-1", autocommit=True) as c:
        with pytest.raises(psycopg.Error, match="ORA-65094"):
            c.execute('CREATE USER c##nope IDENTIFIED BY "x"')
        c.execute('CREATE USER app IDENTIFIED BY "App-Pw-1"')
        c.execute("GRANT CREATE SESSION TO app")
        users = {r[0] for r in c.execute("select username from dba_users").fetchall()}
        assert {"ADM", "APP", "SYS"} <= users
        assert c.execute("select pdb_name, status from dba_pdbs").fetchall() == [(pdb, "NORMAL")]
    with server.connect(pdb, "app", "App-Pw-1") as c:
        assert c.execute("select 1").fetchone() == (1,)
    # psql's \password sends ALTER USER ... PASSWORD 'SCRAM-SHA-256$...'
    with server.connect(pdb, "adm", "Adm-Pw-1", autocommit=True) as c:
        c.execute(f"ALTER USER app PASSWORD '{scram_verifier('Changed-Pw-3')}'")
    with server.connect(pdb, "app", "Changed-Pw-3") as c:
        assert c.execute("select 1").fetchone() == (1,)
    # the local user exists only in its PDB
    assert rawpg.login_error(server.port, "app", "Changed-Pw-3", "CDB$ROOT")["C"] == "28P01"


def test_dictionary_views_in_root_and_pdb(server: RunningServer, root) -> None:
    a, b = _name(), _name()
    for n in (a, b):
        root.execute(f'CREATE PLUGGABLE DATABASE {n} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    root.execute(f"ALTER PLUGGABLE DATABASE {a} OPEN")
    rows = dict(root.execute("select name, open_mode from v$pdbs").fetchall())
    assert rows[a] == "READ WRITE" and rows[b] == "MOUNTED" and rows["PDB$SEED"] == "READ ONLY"
    assert "CDB$ROOT" in {r[0] for r in root.execute("select name from v$containers").fetchall()}
    statuses = dict(root.execute("select pdb_name, status from cdb_pdbs").fetchall())
    assert statuses[b] == "NEW" and statuses[a] == "NORMAL"
    ops = root.execute(f"select operation from cdb_pdb_history where pdb_name = '{a}'").fetchall()
    assert ("CREATE",) in ops
    with server.connect(a, "adm", "Adm-Pw-1") as c:
        names = [r[0] for r in c.execute("select name from v$pdbs").fetchall()]
        assert names == [a]
        # no other PDB leaks into the PDB's dictionary
        assert b not in str(c.execute("select * from cdb_pdbs").fetchall())
    root.execute(f"ALTER PLUGGABLE DATABASE {a} CLOSE IMMEDIATE")


def test_prepared_dictionary_query_sees_changes(server: RunningServer, root) -> None:
    name = _name()
    q = "select count(*) from v$pdbs where name = %s"
    for _ in range(6):  # past psycopg's prepare threshold
        assert root.execute(q, (name,), prepare=True).fetchone() == (0,)
    root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    assert root.execute(q, (name,), prepare=True).fetchone() == (1,)
