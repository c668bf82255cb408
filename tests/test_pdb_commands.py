"""First container commands in CDB$ROOT as SYS, with their Oracle errors."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests import rawpg
from tests.server import SYS_PASSWORD, RunningServer


def _name() -> str:
    return "P" + uuid.uuid4().hex[:8].upper()


def _create(root: psycopg.Connection, name: str, user: str = "adm", pw: str = "Adm-Pw-1") -> None:
    root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {user} IDENTIFIED BY "{pw}"')


def _pdbs(root: psycopg.Connection) -> dict[str, tuple]:
    return {r[1]: r for r in root.execute("SHOW PDBS").fetchall()}


def test_show_pdbs_lists_seed_read_only(root) -> None:
    cur = root.execute("show pdbs")
    assert [d.name for d in cur.description] == ["CON_ID", "CON_NAME", "OPEN MODE", "RESTRICTED"]
    rows = {r[1]: r for r in cur.fetchall()}
    assert rows["PDB$SEED"] == (2, "PDB$SEED", "READ ONLY", "NO")
    assert "CDB$ROOT" not in rows


def test_create_open_use_close_drop(server: RunningServer, root) -> None:
    name = _name()
    _create(root, name)
    assert _pdbs(root)[name][2:] == ("MOUNTED", None)
    with pytest.raises(psycopg.OperationalError, match="ORA-01109"):
        server.connect(name, "adm", "Adm-Pw-1")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    assert _pdbs(root)[name][2:] == ("READ WRITE", "NO")
    # database names are case-insensitive, user names too
    with server.connect(name.lower(), "ADM", "Adm-Pw-1", autocommit=True) as c:
        c.execute("create table t(a int)")
        c.execute("insert into t values (1), (2)")
        assert c.execute("select sum(a) from t").fetchone() == (3,)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE")
    assert _pdbs(root)[name][2] == "MOUNTED"
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN READ ONLY")
    with server.connect(name, "adm", "Adm-Pw-1", autocommit=True) as c:
        assert c.execute("select sum(a) from t").fetchone() == (3,)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            c.execute("insert into t values (3)")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
    root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")
    assert name not in _pdbs(root)


def test_oracle_errors(root) -> None:
    name = _name()
    _create(root, name)
    with pytest.raises(psycopg.Error, match="ORA-65012") as ei:
        _create(root, name)
    assert ei.value.sqlstate == "42710"
    with pytest.raises(psycopg.Error, match="ORA-65011"):
        root.execute("ALTER PLUGGABLE DATABASE nosuchpdb OPEN")
    with pytest.raises(psycopg.Error, match="ORA-65011"):
        root.execute("DROP PLUGGABLE DATABASE nosuchpdb INCLUDING DATAFILES")
    with pytest.raises(psycopg.Error, match="ORA-65085"):
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN READ ONLY")
    with pytest.raises(psycopg.Error, match="ORA-65020"):
        root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with pytest.raises(psycopg.Error, match="ORA-65019"):
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN READ ONLY")
    with pytest.raises(psycopg.Error, match="ORA-65025"):
        root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")
    with pytest.raises(psycopg.Error, match="ORA-65017"):
        root.execute("ALTER PLUGGABLE DATABASE PDB$SEED OPEN")
    with pytest.raises(psycopg.Error, match="ORA-65017"):
        root.execute("DROP PLUGGABLE DATABASE PDB$SEED INCLUDING DATAFILES")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
    with pytest.raises(psycopg.Error, match="ORA-65179"):
        root.execute(f"DROP PLUGGABLE DATABASE {name} KEEP DATAFILES")
    root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")


def test_open_again_same_mode_is_a_notice(root) -> None:
    name = _name()
    _create(root, name)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN READ WRITE")
    notices: list[str] = []
    root.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN READ WRITE")
    assert any("already open" in n for n in notices)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
    root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")


def test_container_commands_refused_inside_a_pdb(server: RunningServer, root) -> None:
    name = _name()
    _create(root, name)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with server.connect(name, "adm", "Adm-Pw-1", autocommit=True) as c:
        with pytest.raises(psycopg.Error, match="ORA-65040"):
            c.execute("CREATE PLUGGABLE DATABASE x ADMIN USER a IDENTIFIED BY b")
        con_id = c.execute("SHOW CON_ID").fetchone()[0]
        assert c.execute("SHOW PDBS").fetchall() == [(con_id, name, "READ WRITE", "NO")]
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")


def test_close_immediate_disconnects_sessions(server: RunningServer, root) -> None:
    name = _name()
    _create(root, name)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    c = server.connect(name, "adm", "Adm-Pw-1", autocommit=True)
    c.execute("select 1")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
    with pytest.raises(psycopg.OperationalError):
        c.execute("select 1")
    c.close()


def test_pdb_admin_cannot_reach_another_pdb(server: RunningServer, root, pdb) -> None:
    name = _name()
    _create(root, name, "other", "Other-Pw-1")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    assert rawpg.login_error(server.port, "other", "Other-Pw-1", pdb)["C"] == "28P01"


def test_auth_errors(server: RunningServer, pdb) -> None:
    assert rawpg.login_error(server.port, "SYS", "wrong", "CDB$ROOT")["C"] == "28P01"
    assert rawpg.login_error(server.port, "SYS", SYS_PASSWORD, "nosuchdb")["C"] == "3D000"
    assert rawpg.login_error(server.port, "nosuchuser", "x", "CDB$ROOT")["C"] == "28P01"
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        server.connect("CDB$ROOT", "SYS", "wrong")


def test_alter_session_set_container(server: RunningServer, root) -> None:
    name = _name()
    _create(root, name)
    assert root.execute("SHOW CON_NAME").fetchone() == ("CDB$ROOT",)
    root.execute(f"ALTER SESSION SET CONTAINER = {name}")
    assert root.execute("SHOW CON_NAME").fetchone() == (name,)
    # a closed container can be entered; its queries fail with ORA-01219
    with pytest.raises(psycopg.Error, match="ORA-01219"):
        root.execute("select 1")
    root.execute("ALTER SESSION SET CONTAINER = CDB$ROOT")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    root.execute(f"ALTER SESSION SET CONTAINER = {name}")
    assert root.execute("select sys_context('USERENV', 'CON_NAME') from dual").fetchone() == (name,)
    root.execute("create table moved(a int)")
    con_id = root.execute("SHOW CON_ID").fetchone()[0]
    assert con_id > 2
    root.execute("ALTER SESSION SET CONTAINER = CDB$ROOT")
    with server.connect(name, "adm", "Adm-Pw-1") as c:
        assert c.execute("select count(*) from moved").fetchone() == (0,)
    with pytest.raises(psycopg.Error, match="ORA-65011"):
        root.execute("ALTER SESSION SET CONTAINER = nosuch")
    root.autocommit = False
    root.execute("select 1")
    with pytest.raises(psycopg.Error, match="ORA-65023"):
        root.execute(f"ALTER SESSION SET CONTAINER = {name}")
    root.rollback()
    root.autocommit = True
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")


def test_local_user_cannot_set_container(server: RunningServer, root) -> None:
    name = _name()
    _create(root, name)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with (
        server.connect(name, "adm", "Adm-Pw-1", autocommit=True) as c,
        pytest.raises(psycopg.Error, match="ORA-01031"),
    ):
        c.execute("ALTER SESSION SET CONTAINER = CDB$ROOT")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")


def test_if_exists_and_if_not_exists(root) -> None:
    name = _name()
    notices: list[str] = []
    root.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    root.execute(f"DROP PLUGGABLE DATABASE IF EXISTS {name} INCLUDING DATAFILES")
    assert any("does not exist, skipping" in n for n in notices)
    root.execute(f'CREATE PLUGGABLE DATABASE IF NOT EXISTS {name} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    root.execute(f'CREATE PLUGGABLE DATABASE IF NOT EXISTS {name} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    assert any("already exists, skipping" in n for n in notices)
    root.execute(f"DROP PLUGGABLE DATABASE IF EXISTS {name} INCLUDING DATAFILES")
    assert name not in _pdbs(root)
