"""STORAGE limits, RENAME GLOBAL_NAME, OPEN RESTRICTED, SAVE/DISCARD STATE, ALL EXCEPT."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests import rawpg
from tests.server import RunningServer


def _name() -> str:
    return "S" + uuid.uuid4().hex[:8].upper()


def _open_pdb(root, **storage) -> str:
    name = _name()
    root.execute(
        f'CREATE PLUGGABLE DATABASE {name} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1" STORAGE (MAXSIZE 20M)'
    )
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    return name


def test_storage_maxsize_is_enforced(server: RunningServer, root) -> None:
    name = _open_pdb(root)
    assert root.execute(f"select max_size from v$pdbs where name = '{name}'").fetchone() == (20 << 20,)
    with server.connect(name, "adm", "Adm-Pw-1", autocommit=True) as c:
        c.execute("create table big(s text)")
        with pytest.raises(psycopg.Error, match="ORA-65114") as ei:
            for _ in range(50):
                c.execute("insert into big select repeat('x', 1000) || i from range(20000) r(i)")
                c.execute("checkpoint")
        assert ei.value.sqlstate == "53100"
        # reads and deletes still work
        assert c.execute("select count(*) > 0 from big").fetchone() == (True,)
        c.execute("delete from big")
    with pytest.raises(psycopg.Error, match="ORA-65113"):
        root.execute(f"ALTER PLUGGABLE DATABASE {name} STORAGE (MAXSIZE 1K)")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} STORAGE UNLIMITED")
    with server.connect(name, "adm", "Adm-Pw-1", autocommit=True) as c:
        c.execute("insert into big select repeat('y', 1000) from range(20000) r(i)")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")


def test_rename_global_name(server: RunningServer, root) -> None:
    name, new = _open_pdb(root), _name()
    root.execute(f"ALTER PLUGGABLE DATABASE {name} RENAME GLOBAL_NAME TO {new}")
    pdbs = {r[1] for r in root.execute("SHOW PDBS").fetchall()}
    assert new in pdbs and name not in pdbs
    with server.connect(new, "adm", "Adm-Pw-1") as c:
        assert c.execute("select 1").fetchone() == (1,)
    # The old name is gone: a local user is told so (3D000), not that its password failed.
    assert rawpg.login_error(server.port, "adm", "Adm-Pw-1", name)["C"] == "3D000"
    ops = [
        r[0]
        for r in root.execute(f"select operation from cdb_pdb_history where pdb_name = '{new}'").fetchall()
    ]
    assert "RENAME" in ops
    root.execute(f"ALTER PLUGGABLE DATABASE {new} CLOSE IMMEDIATE")


def test_restricted_and_all_except(server: RunningServer, root) -> None:
    a, b = _name(), _name()
    for n in (a, b):
        root.execute(f'CREATE PLUGGABLE DATABASE {n} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    root.execute(f"ALTER PLUGGABLE DATABASE {a} OPEN RESTRICTED")
    assert {r[1]: r[3] for r in root.execute("SHOW PDBS").fetchall()}[a] == "YES"
    root.execute(f"ALTER SESSION SET CONTAINER = {a}")
    root.execute('CREATE USER plain IDENTIFIED BY "Plain-Pw-1"')
    root.execute("GRANT CREATE SESSION TO plain")
    root.execute("ALTER SESSION SET CONTAINER = CDB$ROOT")
    assert "ORA-01035" in rawpg.login_error(server.port, "plain", "Plain-Pw-1", a)["M"]
    with server.connect(a, "adm", "Adm-Pw-1") as c:  # PDB_DBA has RESTRICTED SESSION
        assert c.execute("select 1").fetchone() == (1,)
    root.execute(f"ALTER PLUGGABLE DATABASE ALL EXCEPT {a} OPEN")
    modes = {r[1]: r[2] for r in root.execute("SHOW PDBS").fetchall()}
    assert modes[b] == "READ WRITE" and modes[a] == "READ WRITE"
    root.execute(f"ALTER PLUGGABLE DATABASE {a}, {b} SAVE STATE")
    saved = {r[0] for r in root.execute("select con_name from dba_pdb_saved_states").fetchall()}
    assert {a, b} <= saved
    root.execute(f"ALTER PLUGGABLE DATABASE {b} DISCARD STATE")
    saved = {r[0] for r in root.execute("select con_name from dba_pdb_saved_states").fetchall()}
    assert a in saved and b not in saved
    root.execute(f"ALTER PLUGGABLE DATABASE {a}, {b} CLOSE IMMEDIATE")


def test_open_force_switches_mode_with_sessions_connected(server: RunningServer, root) -> None:
    name = _name()
    root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with server.connect(name, "adm", "Adm-Pw-1", autocommit=True) as c:
        c.execute("create table t(a int)")
        for i in range(6):  # psycopg prepares it server-side from here on
            c.execute("insert into t values (%s)", (i,), prepare=True)
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN READ ONLY FORCE")
        assert c.execute("select count(*) from t").fetchone() == (6,)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            c.execute("insert into t values (%s)", (9,), prepare=True)
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN READ WRITE FORCE")
        c.execute("insert into t values (%s)", (7,), prepare=True)
        assert c.execute("select count(*) from t").fetchone() == (7,)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN UPGRADE FORCE")
    assert {r[1]: r[2] for r in root.execute("SHOW PDBS").fetchall()}[name] == "MIGRATE"
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE ABORT")
