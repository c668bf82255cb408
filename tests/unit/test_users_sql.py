"""Users, roles and system privileges (catalog.commands.users) against a catalog store on a temp file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalog.commands.users import (
    AlterUser,
    CreateRole,
    CreateUser,
    DropRole,
    DropUser,
    GrantCommand,
    RevokeCommand,
    execute_user_command,
    parse_user_command,
)
from catalog.store import COMMON_GRANT, SYSTEM_PRIVILEGES, CatalogStore, User
from pgcompat.container_commands import is_user_command
from pgcompat.statements import split
from pgwire import auth
from pgwire.errors import DbError
from pgwire.oracle import ORACLE_ERRORS, ora
from policies.source import ROOT_ID, SEED_ID

PDB1, PDB2, MOUNTED, READ_ONLY = 3, 4, 5, 6
SYS_PW = "Sys-Pw-1"


@pytest.fixture
def store(tmp_path: Path) -> CatalogStore:
    """Root, seed, two open PDBs, a mounted one and a read-only one; SYS as catalog.cdb makes it,
    and an ADMIN USER with PDB_DBA in PDB1 as CREATE PLUGGABLE DATABASE makes it."""
    s = CatalogStore(str(tmp_path / "catalog.sqlite3"))
    with s.transaction():
        s.insert_container(ROOT_ID, "CDB$ROOT", "NORMAL", "READ WRITE", "SILVER", None)
        s.insert_container(SEED_ID, "PDB$SEED", "NORMAL", "READ ONLY", "SILVER", None)
        for con_id, name, mode in (
            (PDB1, "PDB1", "READ WRITE"),
            (PDB2, "PDB2", "READ WRITE"),
            (MOUNTED, "PDB3", "MOUNTED"),
            (READ_ONLY, "PDB4", "READ ONLY"),
        ):
            s.insert_container(con_id, name, "NORMAL", mode, "SILVER", None)
        s.insert_user("SYS", ROOT_ID, True, auth.scram_verifier(SYS_PW), None)
        for priv in ("CREATE SESSION", "SET CONTAINER", "RESTRICTED SESSION", "SYSDBA"):
            s.grant_sys("SYS", ROOT_ID, priv, True)
        for priv in ("CREATE SESSION", "CREATE USER", "CREATE TABLE", "SELECT ANY TABLE"):
            s.grant_sys("PDB_DBA", 0, priv, True)
        s.insert_user("PDBADM", PDB1, False, auth.scram_verifier("adm"), None)
        s.grant_role("PDBADM", PDB1, "PDB_DBA", False)
    yield s
    s.close()


def sys_user(store: CatalogStore) -> User:
    u = store.user("SYS", ROOT_ID)
    assert u is not None
    return u


def run(
    store: CatalogStore, sql: str, con_id: int = ROOT_ID, actor: User | str | None = None, md5: bool = False
) -> str:
    if actor is None:
        actor = sys_user(store)
    elif isinstance(actor, str):
        found = store.user(actor, con_id)
        assert found is not None, actor
        actor = found
    (stmt,) = split(sql)
    assert is_user_command(stmt), sql
    return execute_user_command(store, parse_user_command(stmt), con_id=con_id, actor=actor, md5=md5)


def fails(
    number: int, store: CatalogStore, sql: str, con_id: int = ROOT_ID, actor: User | str | None = None
) -> DbError:
    with pytest.raises(DbError) as ei:
        run(store, sql, con_id, actor)
    assert ei.value.message.startswith(f"ORA-{number:05d}:"), ei.value.message
    assert ei.value.sqlstate == ORACLE_ERRORS[number][0]
    return ei.value


def parse(sql: str):
    (stmt,) = split(sql)
    return parse_user_command(stmt)


def parse_fails(number: int, sql: str) -> None:
    with pytest.raises(DbError) as ei:
        parse(sql)
    assert ei.value.message.startswith(f"ORA-{number:05d}:"), ei.value.message


def privs(store: CatalogStore, name: str, con_id: int) -> set[str]:
    return store.effective_privileges(name, con_id)


# ------------------------------------------------------------------ classification


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE USER c##a IDENTIFIED BY x",
        "create user if not exists bob identified by x",
        "ALTER USER bob ACCOUNT LOCK",
        "ALTER USER \"BOB\" PASSWORD 'x'",
        "ALTER ROLE bob PASSWORD 'x'",
        "DROP USER bob CASCADE",
        "CREATE ROLE c##r",
        "DROP ROLE r",
        "GRANT CREATE SESSION TO bob",
        "grant dba to c##a container=all",
        "REVOKE connect FROM bob",
    ],
)
def test_is_user_command(sql: str) -> None:
    assert is_user_command(split(sql)[0])


@pytest.mark.parametrize(
    "sql",
    [
        "GRANT SELECT ON t TO bob",
        "grant insert, update on schema1.t to bob",
        "REVOKE DELETE ON t FROM bob",
        "CREATE TABLE users (id int)",
        "SELECT 'CREATE USER x'",
        "CREATE PLUGGABLE DATABASE p ADMIN USER a IDENTIFIED BY b",
        "DROP TABLE role",
        "ALTER SESSION SET CONTAINER = pdb1",
    ],
)
def test_is_not_user_command(sql: str) -> None:
    assert not is_user_command(split(sql)[0])


# ------------------------------------------------------------------ parsing


def test_parse_create_user_forms() -> None:
    assert parse('CREATE USER c##Bob IDENTIFIED BY "Pass Word"') == CreateUser("C##BOB", "Pass Word")
    assert parse("create user bob identified by Secret1") == CreateUser("BOB", "Secret1")
    assert parse("create user bob identified by 1abc") == CreateUser("BOB", "1abc")
    assert parse('create user "mixedCase" identified by x').name == "mixedCase"
    cmd = parse(
        "CREATE USER c##a IDENTIFIED BY pw CONTAINER = ALL ACCOUNT LOCK DEFAULT TABLESPACE users"
        " TEMPORARY TABLESPACE temp QUOTA 10M ON users QUOTA UNLIMITED ON data PROFILE default PASSWORD EXPIRE"
    )
    assert cmd == CreateUser("C##A", "pw", container="ALL", locked=True)
    assert parse("create user bob identified by pw container=current account unlock").container == "CURRENT"
    assert parse("create user bob identified by pw quota 5 M on users") == CreateUser("BOB", "pw")
    assert parse("CREATE USER IF NOT EXISTS bob IDENTIFIED BY pw").if_not_exists
    assert parse("CREATE USER bob WITH PASSWORD 'pg pw'") == CreateUser("BOB", "pg pw")
    verifier = auth.scram_verifier("v")
    assert parse(f"CREATE USER bob IDENTIFIED BY VALUES '{verifier}'") == CreateUser("BOB", verifier=verifier)


def test_parse_create_user_errors() -> None:
    parse_fails(988, "CREATE USER bob")
    parse_fails(988, "CREATE USER bob IDENTIFIED BY")
    parse_fails(988, "CREATE USER bob IDENTIFIED BY VALUES 'not-a-verifier'")
    parse_fails(1935, "CREATE USER 1bob IDENTIFIED BY x")
    parse_fails(1935, "CREATE USER 'bob' IDENTIFIED BY x")
    parse_fails(1935, 'CREATE USER "" IDENTIFIED BY x')
    parse_fails(922, "CREATE USER bob IDENTIFIED BY x SUPERPOWERS")
    parse_fails(922, "CREATE USER bob IDENTIFIED BY x CONTAINER = SOME")
    parse_fails(922, "CREATE USER bob IDENTIFIED BY x CONTAINER ALL")
    parse_fails(3001, "CREATE USER bob IDENTIFIED EXTERNALLY")
    parse_fails(3001, "CREATE USER bob NO AUTHENTICATION")


def test_parse_alter_user_forms() -> None:
    assert parse("ALTER USER bob IDENTIFIED BY newpw") == AlterUser("BOB", password="newpw")
    assert parse('ALTER USER bob IDENTIFIED BY "n" REPLACE "o"') == AlterUser("BOB", password="n")
    assert parse("alter user bob account lock") == AlterUser("BOB", lock=True)
    assert parse("alter user bob account unlock") == AlterUser("BOB", lock=False)
    assert parse("alter user bob identified by x account unlock") == AlterUser(
        "BOB", password="x", lock=False
    )
    assert parse("alter user bob default role all password expire") == AlterUser("BOB")
    verifier = auth.scram_verifier("from-psql")
    # psql's \password sends the verifier, quoting the name
    assert parse(f"ALTER USER \"BOB\" PASSWORD '{verifier}'") == AlterUser("BOB", verifier=verifier)
    assert parse(f"ALTER USER bob WITH ENCRYPTED PASSWORD '{verifier}'").verifier == verifier
    assert parse("ALTER USER bob WITH PASSWORD 'plain'") == AlterUser("BOB", password="plain")
    assert parse("ALTER USER bob PASSWORD E'it''s'") == AlterUser("BOB", password="it's")
    assert parse("ALTER USER bob PASSWORD $$dollar$$") == AlterUser("BOB", password="dollar")
    assert parse("ALTER ROLE bob PASSWORD 'plain'") == AlterUser("BOB", password="plain", tag="ALTER ROLE")


def test_parse_alter_user_errors() -> None:
    parse_fails(922, "ALTER USER bob")
    parse_fails(922, "ALTER USER bob ACCOUNT")
    parse_fails(988, "ALTER USER bob PASSWORD ''")
    parse_fails(988, "ALTER USER bob PASSWORD 'md5" + "0" * 32 + "'")
    parse_fails(3001, "ALTER ROLE r NOT IDENTIFIED")


def test_parse_drop_and_roles() -> None:
    assert parse("DROP USER bob") == DropUser("BOB")
    assert parse("drop user bob cascade") == DropUser("BOB", cascade=True)
    assert parse("drop user if exists bob") == DropUser("BOB", if_exists=True)
    parse_fails(922, "DROP USER bob RESTRICT")
    assert parse("CREATE ROLE c##r CONTAINER=ALL") == CreateRole("C##R", container="ALL")
    assert parse("create role r not identified") == CreateRole("R")
    assert parse("create role if not exists r").if_not_exists
    parse_fails(3001, "CREATE ROLE r IDENTIFIED BY x")
    assert parse("DROP ROLE r") == DropRole("R")
    assert parse("DROP ROLE IF EXISTS r") == DropRole("R", if_exists=True)


def test_parse_grant_revoke() -> None:
    cmd = parse(
        "GRANT create session, SET CONTAINER, dba, c##r TO c##a, c##b CONTAINER=ALL WITH ADMIN OPTION"
    )
    assert cmd == GrantCommand(
        ["CREATE SESSION", "SET CONTAINER"], ["DBA", "C##R"], ["C##A", "C##B"], "ALL", admin_option=True
    )
    assert parse("grant select any table to bob with admin option container = current") == GrantCommand(
        ["SELECT ANY TABLE"], [], ["BOB"], "CURRENT", True
    )
    everything = parse("GRANT ALL PRIVILEGES TO bob")
    assert set(everything.privileges) == set(SYSTEM_PRIVILEGES) - {"SYSDBA"}
    assert parse('GRANT "MyRole" TO bob').roles == ["MyRole"]
    assert parse("REVOKE create table, resource FROM bob, joe container=all") == RevokeCommand(
        ["CREATE TABLE"], ["RESOURCE"], ["BOB", "JOE"], "ALL"
    )
    assert parse("REVOKE ALL PRIVILEGES FROM bob").all_privileges
    parse_fails(990, "GRANT CREATE NONSENSE TO bob")
    parse_fails(990, "GRANT TO bob")
    parse_fails(990, "GRANT dba bob")
    parse_fails(922, "GRANT dba")
    parse_fails(1935, "GRANT dba TO")
    parse_fails(922, "GRANT dba TO bob WITH GRANT OPTION")
    parse_fails(3001, "GRANT dba TO bob WITH DELEGATE OPTION")
    parse_fails(922, "REVOKE dba FROM bob WITH ADMIN OPTION")


# ------------------------------------------------------------------ CREATE USER


def test_create_common_user(store: CatalogStore) -> None:
    assert run(store, 'CREATE USER c##bob IDENTIFIED BY "pw 1"') == "CREATE USER"
    u = store.user("C##BOB", PDB1)  # a common user is seen from every container
    assert u is not None and u.common and u.con_id == ROOT_ID and u.account_status == "OPEN"
    assert auth.check_password(u.scram, "pw 1") and not auth.check_password(u.scram, "pw 2")
    assert u.md5 is None
    assert "pw 1" not in str(store.db.execute("SELECT * FROM users").fetchall())


def test_create_user_md5_and_lock(store: CatalogStore) -> None:
    run(store, "CREATE USER c##m IDENTIFIED BY secret ACCOUNT LOCK", md5=True)
    u = store.user("C##M", ROOT_ID)
    assert u is not None and u.md5 == auth.md5_verifier("secret", "C##M")
    assert u.account_status == "LOCKED"


def test_create_local_user(store: CatalogStore) -> None:
    assert run(store, "CREATE USER bob IDENTIFIED BY pw", PDB1) == "CREATE USER"
    u = store.user("BOB", PDB1)
    assert u is not None and not u.common and u.con_id == PDB1
    assert store.user("BOB", PDB2) is None
    assert store.user("BOB", ROOT_ID) is None
    run(store, "CREATE USER bob IDENTIFIED BY other CONTAINER=CURRENT", PDB2)  # same name, other PDB
    assert store.user("BOB", PDB2) is not None


def test_create_user_name_rules(store: CatalogStore) -> None:
    fails(65096, store, "CREATE USER bob IDENTIFIED BY pw")
    fails(65096, store, "CREATE USER bob IDENTIFIED BY pw CONTAINER=ALL")
    fails(65049, store, "CREATE USER c##bob IDENTIFIED BY pw CONTAINER=CURRENT")
    fails(65094, store, "CREATE USER c##bob IDENTIFIED BY pw", PDB1)
    fails(65094, store, 'CREATE USER "c##bob" IDENTIFIED BY pw', PDB1)
    fails(65050, store, "CREATE USER bob IDENTIFIED BY pw CONTAINER=ALL", PDB1)
    assert store.all_users() == [u for u in store.all_users() if u.name in ("SYS", "PDBADM")]


def test_create_user_duplicates(store: CatalogStore) -> None:
    run(store, "CREATE USER c##a IDENTIFIED BY pw")
    e = fails(1920, store, "CREATE USER c##a IDENTIFIED BY pw2")
    assert "'C##A'" in e.message
    assert run(store, "CREATE USER IF NOT EXISTS c##a IDENTIFIED BY pw2") == "CREATE USER"
    a = store.user("C##A", ROOT_ID)
    assert a is not None and auth.check_password(a.scram, "pw")  # unchanged
    fails(1920, store, "CREATE USER pdbadm IDENTIFIED BY x", PDB1)
    fails(1920, store, "CREATE USER dba IDENTIFIED BY x", PDB1)  # the common role DBA
    fails(1920, store, "CREATE USER pdb_dba IDENTIFIED BY x", PDB1)  # the per-PDB role
    run(store, "CREATE ROLE c##r")
    fails(1920, store, "CREATE USER c##r IDENTIFIED BY x")
    fails(1920, store, "CREATE USER IF NOT EXISTS c##r IDENTIFIED BY x")  # a role, not a user


def test_create_user_container_state(store: CatalogStore) -> None:
    fails(65017, store, "CREATE USER bob IDENTIFIED BY pw", SEED_ID)
    fails(1109, store, "CREATE USER bob IDENTIFIED BY pw", MOUNTED)
    fails(16000, store, "CREATE USER bob IDENTIFIED BY pw", READ_ONLY)
    fails(65011, store, "CREATE USER bob IDENTIFIED BY pw", 99)


def test_create_user_needs_privilege(store: CatalogStore) -> None:
    run(store, "CREATE USER clerk IDENTIFIED BY pw", PDB1)
    fails(1031, store, "CREATE USER joe IDENTIFIED BY pw", PDB1, actor="CLERK")
    assert run(store, "CREATE USER joe IDENTIFIED BY pw", PDB1, actor="PDBADM") == "CREATE USER"  # PDB_DBA
    run(store, "GRANT CREATE USER TO clerk", PDB1)
    assert run(store, "CREATE USER ann IDENTIFIED BY pw", PDB1, actor="CLERK") == "CREATE USER"
    # PDB_DBA of PDB1 is nothing in PDB2
    adm = store.user("PDBADM", PDB1)
    assert adm is not None
    with pytest.raises(DbError, match="ORA-01031"):
        execute_user_command(store, parse("CREATE USER x IDENTIFIED BY y"), con_id=PDB2, actor=adm)


def test_common_ddl_needs_common_privilege(store: CatalogStore) -> None:
    run(store, "CREATE USER c##ops IDENTIFIED BY pw")
    run(store, "GRANT CREATE USER TO c##ops")  # in the root only, not commonly
    fails(1031, store, "CREATE USER c##new IDENTIFIED BY pw", actor="C##OPS")
    run(store, "GRANT CREATE USER TO c##ops CONTAINER=ALL")
    assert run(store, "CREATE USER c##new IDENTIFIED BY pw", actor="C##OPS") == "CREATE USER"
    run(store, "CREATE USER c##dba IDENTIFIED BY pw")
    run(store, "GRANT dba TO c##dba CONTAINER=ALL")
    assert run(store, "CREATE USER c##new2 IDENTIFIED BY pw", actor="C##DBA") == "CREATE USER"
    assert run(store, "CREATE USER loc IDENTIFIED BY pw", PDB2, actor="C##DBA") == "CREATE USER"


# ------------------------------------------------------------------ ALTER USER


def test_alter_user_password(store: CatalogStore) -> None:
    run(store, "CREATE USER bob IDENTIFIED BY old", PDB1)
    assert run(store, "ALTER USER bob IDENTIFIED BY new", PDB1) == "ALTER USER"
    u = store.user("BOB", PDB1)
    assert u is not None and auth.check_password(u.scram, "new") and not auth.check_password(u.scram, "old")
    run(store, "ALTER USER bob IDENTIFIED BY md5pw", PDB1, md5=True)
    u = store.user("BOB", PDB1)
    assert u is not None and u.md5 == auth.md5_verifier("md5pw", "BOB")


def test_alter_user_pg_password(store: CatalogStore) -> None:
    run(store, "CREATE USER c##pg IDENTIFIED BY old")
    verifier = auth.scram_verifier("from psql")
    assert run(store, f"ALTER USER \"C##PG\" PASSWORD '{verifier}'") == "ALTER USER"
    u = store.user("C##PG", ROOT_ID)
    assert u is not None and u.scram == verifier and u.md5 is None
    run(store, "ALTER USER c##pg WITH PASSWORD 'clear text'")
    u = store.user("C##PG", ROOT_ID)
    assert u is not None and u.scram != "clear text" and auth.check_password(u.scram, "clear text")
    assert run(store, "ALTER ROLE c##pg PASSWORD 'third'") == "ALTER ROLE"
    u = store.user("C##PG", ROOT_ID)
    assert u is not None and auth.check_password(u.scram, "third")


def test_alter_user_lock_unlock(store: CatalogStore) -> None:
    run(store, "CREATE USER bob IDENTIFIED BY pw", PDB1)
    run(store, "ALTER USER bob ACCOUNT LOCK", PDB1, actor="PDBADM")
    u = store.user("BOB", PDB1)
    assert u is not None and u.account_status == "LOCKED"
    run(store, "ALTER USER bob ACCOUNT UNLOCK", PDB1)
    u = store.user("BOB", PDB1)
    assert u is not None and u.account_status == "OPEN"
    assert ora(28000).message == "ORA-28000: the account is locked" and ora(28000).sqlstate == "28000"


def test_alter_user_errors(store: CatalogStore) -> None:
    fails(1918, store, "ALTER USER nobody IDENTIFIED BY x", PDB1)
    fails(1918, store, "ALTER USER pdbadm IDENTIFIED BY x", PDB2)  # a local user of another PDB
    fails(1031, store, "ALTER USER sys ACCOUNT LOCK")
    run(store, "CREATE USER c##a IDENTIFIED BY pw")
    run(store, "GRANT dba TO c##a CONTAINER=ALL")
    fails(1031, store, "ALTER USER sys IDENTIFIED BY hijack", actor="C##A")
    assert run(store, "ALTER USER sys IDENTIFIED BY newsys") == "ALTER USER"  # SYS itself
    fails(65066, store, "ALTER USER c##a IDENTIFIED BY x", PDB1)
    fails(65066, store, "ALTER USER c##a ACCOUNT LOCK", PDB1)
    fails(65050, store, "ALTER USER pdbadm DEFAULT TABLESPACE users CONTAINER=ALL", PDB1)


def test_alter_own_password_without_privilege(store: CatalogStore) -> None:
    run(store, "CREATE USER bob IDENTIFIED BY pw", PDB1)
    run(store, "CREATE USER joe IDENTIFIED BY pw", PDB1)
    assert run(store, "ALTER USER bob IDENTIFIED BY mine", PDB1, actor="BOB") == "ALTER USER"
    u = store.user("BOB", PDB1)
    assert u is not None and auth.check_password(u.scram, "mine")
    fails(1031, store, "ALTER USER joe IDENTIFIED BY x", PDB1, actor="BOB")
    fails(1031, store, "ALTER USER bob ACCOUNT UNLOCK", PDB1, actor="BOB")


# ------------------------------------------------------------------ DROP USER


def test_drop_user(store: CatalogStore) -> None:
    run(store, "CREATE USER bob IDENTIFIED BY pw", PDB1)
    run(store, "GRANT create session, connect TO bob", PDB1)
    assert run(store, "DROP USER bob CASCADE", PDB1) == "DROP USER"
    assert store.user("BOB", PDB1) is None
    assert store.sys_grants("BOB") == [] and store.role_grants("BOB") == []
    fails(1918, store, "DROP USER bob", PDB1)
    assert run(store, "DROP USER IF EXISTS bob", PDB1) == "DROP USER"


def test_drop_common_user_everywhere(store: CatalogStore) -> None:
    run(store, "CREATE USER c##a IDENTIFIED BY pw")
    run(store, "GRANT create session TO c##a CONTAINER=ALL")
    run(store, "GRANT create table TO c##a", PDB2)
    fails(65050, store, "DROP USER c##a", PDB1)
    run(store, "DROP USER c##a")
    assert store.user("C##A", PDB2) is None and store.sys_grants("C##A") == []


def test_drop_user_errors(store: CatalogStore) -> None:
    fails(1031, store, "DROP USER sys")
    fails(1031, store, "DROP USER sys CASCADE")
    run(store, "CREATE USER bob IDENTIFIED BY pw", PDB1)
    fails(1031, store, "DROP USER pdbadm", PDB1, actor="BOB")
    fails(1940, store, "DROP USER pdbadm", PDB1, actor="PDBADM")
    assert run(store, "DROP USER bob", PDB1, actor="PDBADM") == "DROP USER"


# ------------------------------------------------------------------ roles


def test_create_and_drop_roles(store: CatalogStore) -> None:
    assert run(store, "CREATE ROLE c##app") == "CREATE ROLE"
    r = store.role("C##APP", PDB1)
    assert r is not None and r.common and r.con_id == ROOT_ID
    assert run(store, "CREATE ROLE app_reader", PDB1) == "CREATE ROLE"
    r = store.role("APP_READER", PDB1)
    assert r is not None and not r.common and store.role("APP_READER", PDB2) is None
    fails(65096, store, "CREATE ROLE app")
    fails(65049, store, "CREATE ROLE c##x CONTAINER=CURRENT")
    fails(65094, store, "CREATE ROLE c##x", PDB1)
    fails(65050, store, "CREATE ROLE x CONTAINER=ALL", PDB1)
    fails(1921, store, "CREATE ROLE app_reader", PDB1)
    fails(1921, store, "CREATE ROLE pdbadm", PDB1)
    fails(1921, store, "CREATE ROLE connect", PDB1)
    assert run(store, "CREATE ROLE IF NOT EXISTS app_reader", PDB1) == "CREATE ROLE"
    run(store, "GRANT app_reader TO pdbadm", PDB1)
    fails(65050, store, "DROP ROLE c##app", PDB1)
    assert run(store, "DROP ROLE app_reader", PDB1) == "DROP ROLE"
    assert store.role("APP_READER", PDB1) is None
    assert "APP_READER" not in store.effective_roles("PDBADM", PDB1)
    assert [g for g in store.role_grants() if g.what == "APP_READER"] == []
    fails(1919, store, "DROP ROLE app_reader", PDB1)
    assert run(store, "DROP ROLE IF EXISTS app_reader", PDB1) == "DROP ROLE"
    run(store, "DROP ROLE c##app")
    assert store.role("C##APP", ROOT_ID) is None


def test_builtin_roles(store: CatalogStore) -> None:
    for name in ("DBA", "CONNECT", "RESOURCE"):
        r = store.role(name, ROOT_ID)
        assert r is not None and r.common and r.oracle_maintained
    pdb_dba = store.role("PDB_DBA", PDB1)
    assert pdb_dba is not None and not pdb_dba.common and pdb_dba.oracle_maintained
    assert store.role("PDB_DBA", ROOT_ID) is None
    assert privs(store, "PDBADM", PDB1) >= {
        "CREATE SESSION",
        "CREATE USER",
        "ALTER USER",
        "DROP USER",
        "CREATE ROLE",
    }
    fails(28014, store, "DROP ROLE dba")
    fails(28014, store, "DROP ROLE pdb_dba", PDB1)
    fails(1919, store, "GRANT pdb_dba TO sys")  # local to each PDB: not in the root


def test_role_creator_gets_admin_option(store: CatalogStore) -> None:
    run(store, "CREATE ROLE mine", PDB1, actor="PDBADM")
    assert [
        (g.grantee, g.con_id, g.admin_option) for g in store.role_grants("PDBADM") if g.what == "MINE"
    ] == [("PDBADM", PDB1, True)]
    run(store, "CREATE USER clerk IDENTIFIED BY pw", PDB1)
    fails(1031, store, "DROP ROLE mine", PDB1, actor="CLERK")
    run(store, "GRANT mine TO clerk WITH ADMIN OPTION", PDB1)
    assert run(store, "DROP ROLE mine", PDB1, actor="CLERK") == "DROP ROLE"


# ------------------------------------------------------------------ GRANT / REVOKE


def test_plain_grant_in_root_applies_to_root_only(store: CatalogStore) -> None:
    run(store, "CREATE USER c##a IDENTIFIED BY pw")
    assert run(store, "GRANT CREATE SESSION TO c##a") == "GRANT"
    a = store.user("C##A", ROOT_ID)
    assert a is not None
    assert store.has_privilege(a, ROOT_ID, "CREATE SESSION")
    assert not store.has_privilege(a, PDB1, "CREATE SESSION")
    run(store, "GRANT CREATE SESSION TO c##a CONTAINER=ALL")
    assert store.has_privilege(a, PDB1, "CREATE SESSION") and store.has_privilege(a, PDB2, "CREATE SESSION")
    # both grants exist: one local to the root, one common
    assert sorted((g.con_id, g.common) for g in store.sys_grants("C##A")) == [
        (COMMON_GRANT, True),
        (ROOT_ID, False),
    ]


def test_grant_in_pdb_to_common_user(store: CatalogStore) -> None:
    run(store, "CREATE USER c##a IDENTIFIED BY pw")
    run(store, "GRANT create session TO c##a", PDB1, actor="PDBADM")
    assert "CREATE SESSION" in privs(store, "C##A", PDB1)
    assert "CREATE SESSION" not in privs(store, "C##A", PDB2)
    assert "CREATE SESSION" not in privs(store, "C##A", ROOT_ID)


def test_grant_roles_and_recursion(store: CatalogStore) -> None:
    run(store, "CREATE USER bob IDENTIFIED BY pw", PDB1)
    run(store, "CREATE ROLE inner_r", PDB1)
    run(store, "CREATE ROLE outer_r", PDB1)
    run(store, "GRANT create view TO inner_r", PDB1)
    run(store, "GRANT inner_r, resource TO outer_r", PDB1)
    run(store, "GRANT outer_r TO bob", PDB1)
    p = privs(store, "BOB", PDB1)
    assert {"CREATE VIEW", "CREATE TABLE", "CREATE SEQUENCE", "CREATE PROCEDURE"} <= p
    assert "CREATE SESSION" not in p
    assert store.effective_roles("BOB", PDB1) == {"OUTER_R", "INNER_R", "RESOURCE"}
    fails(1934, store, "GRANT outer_r TO inner_r", PDB1)
    fails(1934, store, "GRANT inner_r TO inner_r", PDB1)
    fails(1931, store, "GRANT sysdba TO inner_r", PDB1)


def test_grant_to_public(store: CatalogStore) -> None:
    run(store, "CREATE USER bob IDENTIFIED BY pw", PDB1)
    run(store, "GRANT create session TO public", PDB1)
    assert "CREATE SESSION" in privs(store, "BOB", PDB1)
    assert "CREATE SESSION" in privs(store, "PDBADM", PDB1)
    run(store, "REVOKE create session FROM public", PDB1)
    assert "CREATE SESSION" not in privs(store, "BOB", PDB1)


def test_grant_admin_option(store: CatalogStore) -> None:
    run(store, "CREATE USER c##lead IDENTIFIED BY pw")
    run(store, "CREATE USER c##dev IDENTIFIED BY pw")
    run(store, "GRANT create session TO c##lead CONTAINER=ALL WITH ADMIN OPTION")
    assert [g.admin_option for g in store.sys_grants("C##LEAD")] == [True]
    run(store, "GRANT create session TO c##lead CONTAINER=ALL")  # a re-grant keeps the ADMIN OPTION
    assert [g.admin_option for g in store.sys_grants("C##LEAD")] == [True]
    assert run(store, "GRANT create session TO c##dev CONTAINER=ALL", actor="C##LEAD") == "GRANT"
    fails(1031, store, "GRANT create table TO c##dev CONTAINER=ALL", actor="C##LEAD")
    fails(1031, store, "GRANT connect TO c##dev", actor="C##LEAD")
    fails(1031, store, "GRANT create session TO c##lead", actor="C##DEV")


def test_grant_errors(store: CatalogStore) -> None:
    run(store, "CREATE USER c##a IDENTIFIED BY pw")
    fails(65050, store, "GRANT create session TO pdbadm CONTAINER=ALL", PDB1)
    fails(1917, store, "GRANT create session TO nobody", PDB1)
    fails(1917, store, "GRANT create session TO pdbadm", PDB2)
    fails(1919, store, "GRANT no_such_role TO pdbadm", PDB1)
    fails(990, store, "GRANT create nonsense TO pdbadm", PDB1)
    run(store, "CREATE USER clerk IDENTIFIED BY pw", PDB1)
    fails(1031, store, "GRANT create session TO clerk", PDB1, actor="CLERK")
    fails(1031, store, "GRANT connect TO clerk", PDB1, actor="CLERK")
    # nothing applied when one grantee is unknown
    fails(1917, store, "GRANT create table TO clerk, ghost", PDB1)
    assert "CREATE TABLE" not in privs(store, "CLERK", PDB1)


def test_common_grant_to_local_grantee(store: CatalogStore) -> None:
    # Only the store can make a local user in the root (say, a damaged catalog); the rule still holds.
    store.insert_user("LOCALROOT", ROOT_ID, False, auth.scram_verifier("x"), None)
    fails(65030, store, "GRANT create session TO localroot CONTAINER=ALL")
    assert store.sys_grants("LOCALROOT") == []


def test_revoke(store: CatalogStore) -> None:
    run(store, "CREATE USER c##a IDENTIFIED BY pw")
    run(store, "GRANT create session, connect TO c##a CONTAINER=ALL")
    run(store, "GRANT create table TO c##a")
    assert run(store, "REVOKE create table FROM c##a") == "REVOKE"
    assert "CREATE TABLE" not in privs(store, "C##A", ROOT_ID)
    fails(65092, store, "REVOKE create session FROM c##a")  # granted commonly, revoked locally
    fails(65092, store, "REVOKE connect FROM c##a", PDB1)  # SYS (common) in a PDB
    fails(65029, store, "REVOKE create session FROM c##a", PDB1, actor="PDBADM")  # a local user
    fails(65050, store, "REVOKE create session FROM c##a CONTAINER=ALL", PDB1)
    run(store, "REVOKE create session, connect FROM c##a CONTAINER=ALL")
    assert privs(store, "C##A", PDB1) == set()
    fails(1952, store, "REVOKE create session FROM c##a CONTAINER=ALL")
    fails(1951, store, "REVOKE connect FROM c##a CONTAINER=ALL")
    fails(1919, store, "REVOKE no_role FROM c##a")
    fails(1917, store, "REVOKE create session FROM ghost")


def test_revoke_is_atomic_and_all_privileges(store: CatalogStore) -> None:
    run(store, "CREATE USER bob IDENTIFIED BY pw", PDB1)
    run(store, "GRANT create session TO bob", PDB1)
    fails(1952, store, "REVOKE create session, create table FROM bob", PDB1)
    assert "CREATE SESSION" in privs(store, "BOB", PDB1)
    run(store, "GRANT create table, create view TO bob", PDB1)
    assert run(store, "REVOKE ALL PRIVILEGES FROM bob", PDB1) == "REVOKE"
    assert privs(store, "BOB", PDB1) == set()


def test_revoke_needs_privilege(store: CatalogStore) -> None:
    run(store, "CREATE USER bob IDENTIFIED BY pw", PDB1)
    run(store, "GRANT create session TO bob", PDB1)
    fails(1031, store, "REVOKE create session FROM bob", PDB1, actor="BOB")
    assert run(store, "REVOKE create session FROM bob", PDB1, actor="PDBADM") == "REVOKE"


# ------------------------------------------------------------------ store


def test_sys_has_every_privilege(store: CatalogStore) -> None:
    sys = sys_user(store)
    assert privs(store, "SYS", PDB1) == set(SYSTEM_PRIVILEGES)
    assert store.has_privilege(sys, PDB2, "ALTER DATABASE")


def test_has_privilege_for_pdb_admin_as_cdb_makes_it(store: CatalogStore) -> None:
    adm = store.user("PDBADM", PDB1)
    assert adm is not None
    assert store.has_privilege(adm, PDB1, "CREATE SESSION")
    assert not store.has_privilege(adm, PDB2, "CREATE SESSION")
    assert not store.has_privilege(adm, PDB1, "SYSDBA")


def test_user_ids(store: CatalogStore) -> None:
    run(store, "CREATE USER c##a IDENTIFIED BY pw")
    run(store, "CREATE USER b IDENTIFIED BY pw", PDB1)
    ids = {u.name: u.user_id for u in store.all_users()}
    assert ids["SYS"] == 0
    assert ids["PDBADM"] > 100 and ids["C##A"] > ids["PDBADM"] and ids["B"] > ids["C##A"]
    run(store, "DROP USER b", PDB1)
    run(store, "CREATE USER b IDENTIFIED BY pw", PDB1)
    assert {u.name: u.user_id for u in store.all_users()}["B"] > ids["B"]  # never reused


def test_copy_local_users_and_delete_container(store: CatalogStore) -> None:
    run(store, "CREATE USER c##a IDENTIFIED BY pw")
    run(store, "GRANT create session TO c##a CONTAINER=ALL")
    run(store, "CREATE ROLE app", PDB1)
    run(store, "GRANT create view TO app WITH ADMIN OPTION", PDB1)
    run(store, "GRANT app TO pdbadm", PDB1)
    store.copy_local_users(PDB1, PDB2)
    assert store.role("APP", PDB2) is not None
    assert "CREATE VIEW" in privs(store, "PDBADM", PDB2)
    assert [g.admin_option for g in store.sys_grants("APP") if g.con_id == PDB2] == [True]
    store.delete_container(PDB1)
    assert store.role("APP", PDB1) is None and store.user("PDBADM", PDB1) is None
    assert "CREATE VIEW" in privs(store, "PDBADM", PDB2)
    assert "CREATE SESSION" in privs(store, "C##A", PDB2)  # common grants stay


def test_builtin_role_revoke_survives_reopen(store: CatalogStore) -> None:
    run(store, "REVOKE set container FROM connect CONTAINER=ALL")
    again = CatalogStore(store.path)
    assert "SET CONTAINER" not in again.effective_privileges("CONNECT", ROOT_ID)
    assert "CREATE SESSION" in again.effective_privileges("CONNECT", ROOT_ID)
    again.close()


def test_migrates_first_release_catalog(tmp_path: Path) -> None:
    path = str(tmp_path / "old.sqlite3")
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE users (name TEXT NOT NULL, con_id INTEGER NOT NULL, common INTEGER NOT NULL,
            scram TEXT NOT NULL, md5 TEXT, account_status TEXT NOT NULL DEFAULT 'OPEN',
            created_at REAL NOT NULL, PRIMARY KEY (name, con_id));
        CREATE TABLE sys_privs (grantee TEXT NOT NULL, con_id INTEGER NOT NULL, privilege TEXT NOT NULL,
            common INTEGER NOT NULL, PRIMARY KEY (grantee, con_id, privilege));
        CREATE TABLE role_privs (grantee TEXT NOT NULL, con_id INTEGER NOT NULL, role TEXT NOT NULL,
            common INTEGER NOT NULL, PRIMARY KEY (grantee, con_id, role));
        INSERT INTO users VALUES ('SYS', 1, 1, 'v', NULL, 'OPEN', 1.0), ('ADM', 3, 0, 'v', NULL, 'OPEN', 2.0);
        INSERT INTO sys_privs VALUES ('SYS', 1, 'SYSDBA', 1), ('PDB_DBA', 0, 'CREATE USER', 1);
        INSERT INTO role_privs VALUES ('ADM', 3, 'PDB_DBA', 0);
        """
    )
    db.commit()
    db.close()
    s = CatalogStore(path)
    assert {u.name: u.user_id for u in s.all_users()} == {"SYS": 0, "ADM": 101}
    assert [(g.con_id, g.common) for g in s.sys_grants("SYS")] == [(COMMON_GRANT, True)]
    assert "CREATE USER" in s.effective_privileges("ADM", 3)
    s.grant_sys("ADM", 3, "CREATE VIEW", False, admin_option=True)
    assert [g.admin_option for g in s.sys_grants("ADM")] == [True]
    s.insert_user("NEW", 3, False, "v", None)
    assert {u.name: u.user_id for u in s.all_users()}["NEW"] == 102
    s.close()


def test_error_table_entries() -> None:
    for number in (1031, 1917, 1918, 1919, 1920, 1921, 990, 28000, 65029, 65030, 65049, 65050, 65094, 65096):
        assert number in ORACLE_ERRORS
    assert ORACLE_ERRORS[1031][0] == "42501"
    assert ORACLE_ERRORS[1918][0] == "42704"
    assert ORACLE_ERRORS[1920][0] == "42710"
    assert ORACLE_ERRORS[65096][0] == "42939"
    assert ora(1918, name="X").message == "ORA-01918: user 'X' does not exist"
