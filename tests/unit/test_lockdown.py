"""Lockdown profiles: the grammar (catalog.commands.lockdown), the verdicts (policies.lockdown) and the
dictionary views, against a catalog store on a temp file."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog import dictionary
from catalog.commands.lockdown import (
    AlterProfile,
    CreateProfile,
    DropProfile,
    SetPdbLockdown,
    execute_lockdown_command,
    parse_lockdown_command,
)
from catalog.commands.users import execute_user_command, parse_user_command
from catalog.store import SHIPPED_LOCKDOWN_PROFILES, CatalogStore, User
from pgcompat.analysis import analyze
from pgcompat.container_commands import is_lockdown_command
from pgcompat.statements import split
from pgwire import auth
from pgwire.errors import DbError
from policies import dictionary_views, lockdown
from policies.source import ROOT_ID, SEED_ID

PDB1, PDB2 = 3, 4


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CatalogStore]:
    """Root, seed, two open PDBs; SYS; C##DBA with SYSDBA; C##OPS (common, no privilege); C##SYSADM
    with ALTER SYSTEM granted commonly; PDBADM, the local PDB_DBA of PDB1."""
    s = CatalogStore(str(tmp_path / "catalog.sqlite3"))
    with s.transaction():
        s.insert_container(ROOT_ID, "CDB$ROOT", "NORMAL", "READ WRITE", "SILVER", None)
        s.insert_container(SEED_ID, "PDB$SEED", "NORMAL", "READ ONLY", "SILVER", None)
        s.insert_container(PDB1, "PDB1", "NORMAL", "READ WRITE", "SILVER", None)
        s.insert_container(PDB2, "PDB2", "NORMAL", "READ WRITE", "SILVER", None)
        s.insert_user("SYS", ROOT_ID, True, auth.scram_verifier("x"), None)
        s.grant_sys("SYS", ROOT_ID, "SYSDBA", True)
        s.insert_user("PDBADM", PDB1, False, auth.scram_verifier("x"), None)
        s.grant_role("PDBADM", PDB1, "PDB_DBA", False)
    sys = user(s, "SYS")
    for sql in (
        "CREATE USER c##dba IDENTIFIED BY pw",
        "GRANT sysdba TO c##dba CONTAINER=ALL",
        "CREATE USER c##ops IDENTIFIED BY pw",
        "GRANT create session TO c##ops CONTAINER=ALL",
        "CREATE USER c##sysadm IDENTIFIED BY pw",
        "GRANT alter system TO c##sysadm CONTAINER=ALL",
    ):
        execute_user_command(s, parse_user_command(split(sql)[0]), con_id=ROOT_ID, actor=sys)
    yield s
    s.close()


def user(store: CatalogStore, name: str, con_id: int = ROOT_ID) -> User:
    u = store.user(name, con_id)
    assert u is not None
    return u


def run(store: CatalogStore, sql: str, con_id: int = ROOT_ID, actor: str = "SYS") -> str:
    (stmt,) = split(sql)
    assert is_lockdown_command(stmt), sql
    who = user(store, actor, con_id)
    return execute_lockdown_command(store, parse_lockdown_command(stmt), con_id=con_id, actor=who)


def fails(store: CatalogStore, sql: str, number: int, con_id: int = ROOT_ID, actor: str = "SYS") -> DbError:
    with pytest.raises(DbError) as e:
        run(store, sql, con_id, actor)
    assert e.value.message.startswith(f"ORA-{number:05d}:"), e.value.message
    return e.value


def parse_fails(sql: str, number: int = 922) -> DbError:
    with pytest.raises(DbError) as e:
        parse_lockdown_command(split(sql)[0])
    assert e.value.message.startswith(f"ORA-{number:05d}:"), e.value.message
    return e.value


def verdict(store: CatalogStore, sql: str, con_id: int = PDB1, common: bool = False) -> str | None:
    """The refusal message of the profile in force, or None."""
    (stmt,) = split(sql)
    v = lockdown.check(store, con_id, common, stmt, analyze(stmt))
    return None if v is None else v.message


def refused(store: CatalogStore, sql: str, con_id: int = PDB1, common: bool = False) -> bool:
    return verdict(store, sql, con_id, common) is not None


def profile(store: CatalogStore, name: str, *rules: str, pdb: int | None = ROOT_ID) -> None:
    """CREATE LOCKDOWN PROFILE name, ALTER it with each rule, and set it as PDB_LOCKDOWN in pdb."""
    run(store, f"CREATE LOCKDOWN PROFILE {name}")
    for rule in rules:
        run(store, f"ALTER LOCKDOWN PROFILE {name} {rule}")
    if pdb is not None:
        run(store, f"ALTER SYSTEM SET PDB_LOCKDOWN = {name}", con_id=pdb)


def view(store: CatalogStore, name: str, con_id: int) -> list[dict[str, object]]:
    v = dictionary.VIEWS[name]
    out = []
    for r in v.rows(store, con_id):
        assert len(r) == len(v.columns)
        out.append(dict(zip([c for c, _ in v.columns], r, strict=True)))
    return out


# ------------------------------------------------------------------ classification and grammar


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("CREATE LOCKDOWN PROFILE p", True),
        ("alter lockdown profile p disable feature = ('OS_ACCESS')", True),
        ("DROP LOCKDOWN PROFILE p", True),
        ("ALTER SYSTEM SET PDB_LOCKDOWN = p", True),
        ("ALTER SYSTEM SET pdb_lockdown = '' SCOPE = BOTH", True),
        ("ALTER SYSTEM RESET PDB_LOCKDOWN", True),
        ("ALTER SYSTEM SET cpu_count = 4", False),
        ("CREATE PROFILE p LIMIT SESSIONS_PER_USER 2", False),
        ("SELECT 'CREATE LOCKDOWN PROFILE p'", False),
        ('ALTER SYSTEM SET "PDB_LOCKDOWN" = p', False),
    ],
)
def test_is_lockdown_command(sql: str, expected: bool) -> None:
    assert is_lockdown_command(split(sql)[0]) is expected


def test_parse_create_and_drop() -> None:
    def parse(sql: str) -> object:
        return parse_lockdown_command(split(sql)[0])

    assert parse("CREATE LOCKDOWN PROFILE app") == CreateProfile("APP")
    assert parse('create lockdown profile "Mixed"') == CreateProfile("Mixed")
    assert parse("CREATE LOCKDOWN PROFILE app FROM saas") == CreateProfile("APP", "SAAS", False)
    assert parse("CREATE LOCKDOWN PROFILE app INCLUDING saas") == CreateProfile("APP", "SAAS", True)
    assert parse("CREATE LOCKDOWN PROFILE IF NOT EXISTS c##app") == CreateProfile(
        "C##APP", if_not_exists=True
    )
    assert parse("DROP LOCKDOWN PROFILE app") == DropProfile("APP")
    assert parse("DROP LOCKDOWN PROFILE IF EXISTS app") == DropProfile("APP", True)
    assert parse("ALTER SYSTEM SET PDB_LOCKDOWN = saas") == SetPdbLockdown("SAAS")
    assert parse("ALTER SYSTEM SET PDB_LOCKDOWN = 'saas' SCOPE = BOTH") == SetPdbLockdown("saas", True)
    assert parse("ALTER SYSTEM SET PDB_LOCKDOWN = ''") == SetPdbLockdown(None, True)
    assert parse("ALTER SYSTEM RESET PDB_LOCKDOWN SCOPE = SPFILE") == SetPdbLockdown(None)


def test_parse_alter_forms() -> None:
    def parse(rule: str) -> AlterProfile:
        cmd = parse_lockdown_command(split(f"ALTER LOCKDOWN PROFILE p {rule}")[0])
        assert isinstance(cmd, AlterProfile)
        return cmd

    c = parse("DISABLE STATEMENT = ('alter system', 'CREATE TABLE')")
    assert (c.status, c.rule_type, c.rules, c.clauses, c.users) == (
        "DISABLE",
        "STATEMENT",
        ["ALTER SYSTEM", "CREATE TABLE"],
        None,
        "ALL",
    )
    c = parse("ENABLE STATEMENT = ALL EXCEPT = ('SELECT', 'INSERT') USERS = LOCAL")
    assert (c.status, c.rules, c.rule_except, c.users) == ("ENABLE", ["ALL"], ["SELECT", "INSERT"], "LOCAL")
    c = parse("DISABLE STATEMENT ALL EXCEPT ('SELECT')")  # ORACLE.md writes ALL without '='
    assert (c.rules, c.rule_except) == (["ALL"], ["SELECT"])
    c = parse("DISABLE STATEMENT = ('CREATE MACRO', DROP MACRO)")  # aliases, unquoted words
    assert c.rules == ["CREATE FUNCTION", "DROP FUNCTION"]
    c = parse("DISABLE STATEMENT = ('ALTER TABLE') CLAUSE = ALL EXCEPT = ('ADD COLUMN')")
    assert (c.clauses, c.clause_except) == (["ALL"], ["ADD COLUMN"])
    c = parse(
        "DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('cpu_count') VALUE = ('1', '2')"
    )
    assert (c.clauses, c.options, c.values) == (["SET"], ["CPU_COUNT"], ["1", "2"])
    c = parse("DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('SGA_TARGET') VALUE = '1G'")
    assert c.values == ["1G"]
    c = parse(
        "DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('SGA_TARGET')"
        " MINVALUE = '1G' MAXVALUE = '4G' USERS = COMMON"
    )
    assert (c.min_value, c.max_value, c.users) == ("1G", "4G", "COMMON")
    c = parse(
        "DISABLE STATEMENT = ('ALTER SESSION') CLAUSE = ('SET') OPTION = ALL EXCEPT = ('APPLICATION_NAME')"
    )
    assert (c.options, c.option_except) == (["ALL"], ["APPLICATION_NAME"])
    c = parse("DISABLE FEATURE = ('NETWORK_ACCESS', 'lob_file_access')")
    assert (c.rule_type, c.rules) == ("FEATURE", ["NETWORK_ACCESS", "LOB_FILE_ACCESS"])
    c = parse("ENABLE FEATURE = ALL EXCEPT = ('OS_ACCESS')")
    assert (c.status, c.rules, c.rule_except) == ("ENABLE", ["ALL"], ["OS_ACCESS"])
    c = parse("DISABLE OPTION = ('OLAP', 'spatial')")
    assert (c.rule_type, c.rules) == ("OPTION", ["OLAP", "SPATIAL"])
    c = parse("DISABLE OPTION = ALL EXCEPT = ('TEXT') USERS = ALL")
    assert (c.rules, c.rule_except) == (["ALL"], ["TEXT"])


@pytest.mark.parametrize(
    ("sql", "number", "words"),
    [
        ("ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ('FROB')", 922, "unknown statement 'FROB'"),
        ("ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ALL EXCEPT = ('FROB')", 922, "unknown statement"),
        (
            "ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ('ALTER TABLE') CLAUSE = ('SET X')",
            922,
            "unknown clause",
        ),
        ("ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ('SELECT') CLAUSE = ('SET')", 922, "has no clauses"),
        ("ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ALL CLAUSE = ('SET')", 922, "named statements"),
        ("ALTER LOCKDOWN PROFILE p DISABLE FEATURE = ('TELEPORT')", 922, "unknown feature"),
        ("ALTER LOCKDOWN PROFILE p DISABLE OPTION = ('PARTITIONING')", 922, "unknown option"),
        (
            "ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ('ALTER TABLE') CLAUSE = ('ADD COLUMN') OPTION = ('X')",
            922,
            "OPTION needs CLAUSE",
        ),
        (
            "ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET')"
            " OPTION = ('CPU_COUNT') VALUE = ('2') MINVALUE = '1'",
            922,
            "cannot be combined",
        ),
        (
            "ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET')"
            " OPTION = ('CPU_COUNT') MINVALUE = 'many'",
            922,
            "must be a number",
        ),
        (
            "ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET')"
            " OPTION = ('CPU_COUNT') MINVALUE = '8' MAXVALUE = '2'",
            922,
            "above MAXVALUE",
        ),
        (
            "ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('PDB_LOCKDOWN')",
            65370,
            "PDB_LOCKDOWN initialization parameter cannot be specified",
        ),
        ("ALTER LOCKDOWN PROFILE p STATEMENT = ('SELECT')", 922, "expected DISABLE or ENABLE"),
        ("ALTER LOCKDOWN PROFILE p DISABLE COMMAND = ('SELECT')", 922, "expected STATEMENT"),
        ("ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ('SELECT') USERS = SOME", 922, "USERS = SOME"),
        ("ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = ('SELECT') PLEASE", 922, "PLEASE"),
        ("ALTER LOCKDOWN PROFILE p DISABLE STATEMENT = 'SELECT'", 922, "expected ("),
        ("CREATE LOCKDOWN PROFILE 1abc", 922, "invalid lockdown profile name"),
        ("CREATE LOCKDOWN PROFILE 'p'", 922, "lockdown profile name"),
        ("CREATE LOCKDOWN PROFILE p USING q", 922, "USING"),
        ("DROP LOCKDOWN PROFILE p CASCADE", 922, "CASCADE"),
        ("ALTER SYSTEM SET PDB_LOCKDOWN", 922, "expected ="),
        ("ALTER SYSTEM SET PDB_LOCKDOWN = p SOMETHING", 922, "SOMETHING"),
    ],
)
def test_parse_errors(sql: str, number: int, words: str) -> None:
    assert words in parse_fails(sql, number).message


# ------------------------------------------------------------------ execution and its errors


def test_tags_and_shipped_profiles(store: CatalogStore) -> None:
    assert [p.name for p in store.lockdown_profiles()] == sorted(SHIPPED_LOCKDOWN_PROFILES)
    assert all(p.shipped for p in store.lockdown_profiles())
    assert store.lockdown_rules() == []
    assert run(store, "CREATE LOCKDOWN PROFILE app") == "CREATE LOCKDOWN PROFILE"
    assert run(store, "ALTER LOCKDOWN PROFILE app DISABLE OPTION = ('OLAP')") == "ALTER LOCKDOWN PROFILE"
    assert run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = app") == "ALTER SYSTEM"
    assert run(store, "DROP LOCKDOWN PROFILE app") == "DROP LOCKDOWN PROFILE"
    # The shipped profiles can be altered and assigned, not dropped; they disable nothing at first.
    run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = saas")
    assert not refused(store, "ALTER SYSTEM SET cpu_count = 4")
    assert not refused(store, "INSTALL httpfs")
    for name in SHIPPED_LOCKDOWN_PROFILES:
        e = fails(store, f"DROP LOCKDOWN PROFILE {name}", 2381)
        assert e.sqlstate == "42501" and name in e.message
    run(store, "ALTER LOCKDOWN PROFILE saas DISABLE STATEMENT = ('ALTER SYSTEM')")
    assert refused(store, "ALTER SYSTEM SET cpu_count = 4")


def test_shipped_profiles_survive_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "c.sqlite3")
    s = CatalogStore(path)
    s.insert_lockdown_profile("MINE")
    s.close()
    s = CatalogStore(path)
    assert {p.name for p in s.lockdown_profiles()} == {*SHIPPED_LOCKDOWN_PROFILES, "MINE"}
    assert [p.name for p in s.lockdown_profiles() if p.shipped] == sorted(SHIPPED_LOCKDOWN_PROFILES)
    s.close()


def test_errors(store: CatalogStore) -> None:
    run(store, "CREATE LOCKDOWN PROFILE app")
    e = fails(store, "CREATE LOCKDOWN PROFILE app", 65209)
    assert e.sqlstate == "42710" and "APP" in e.message
    fails(store, "CREATE LOCKDOWN PROFILE saas", 65209)
    assert run(store, "CREATE LOCKDOWN PROFILE IF NOT EXISTS app") == "CREATE LOCKDOWN PROFILE"
    e = fails(store, "CREATE LOCKDOWN PROFILE b FROM nosuch", 65208)
    assert e.sqlstate == "42704" and "NOSUCH" in e.message
    fails(store, "CREATE LOCKDOWN PROFILE b INCLUDING nosuch", 65208)
    assert store.lockdown_profile("B") is None  # nothing half-made
    fails(store, "ALTER LOCKDOWN PROFILE nosuch DISABLE OPTION = ('OLAP')", 65208)
    fails(store, "DROP LOCKDOWN PROFILE nosuch", 65208)
    assert run(store, "DROP LOCKDOWN PROFILE IF EXISTS nosuch") == "DROP LOCKDOWN PROFILE"
    fails(store, "ALTER SYSTEM SET PDB_LOCKDOWN = nosuch", 65208)
    fails(store, "ALTER SYSTEM SET PDB_LOCKDOWN = 'nosuch'", 65208, con_id=PDB1)
    # Lockdown DDL only in the root, whoever runs it.
    for sql in (
        "CREATE LOCKDOWN PROFILE x",
        "ALTER LOCKDOWN PROFILE app DISABLE OPTION = ('OLAP')",
        "DROP LOCKDOWN PROFILE app",
    ):
        e = fails(store, sql, 65040, con_id=PDB1)
        assert e.sqlstate == "42501"
        fails(store, sql, 65040, con_id=PDB1, actor="PDBADM")
        # ... and only for SYS or SYSDBA.
        fails(store, sql, 1031, actor="C##OPS")
        fails(store, sql, 1031, actor="C##SYSADM")
    assert run(store, "CREATE LOCKDOWN PROFILE by_dba", actor="C##DBA") == "CREATE LOCKDOWN PROFILE"
    assert store.lockdown_rules("APP") == []
    # PDB_LOCKDOWN: in the root SYS / SYSDBA / ALTER SYSTEM; in a PDB a common user with it commonly.
    fails(store, "ALTER SYSTEM SET PDB_LOCKDOWN = app", 1031, actor="C##OPS")
    fails(store, "ALTER SYSTEM SET PDB_LOCKDOWN = app", 1031, con_id=PDB1, actor="C##OPS")
    fails(store, "ALTER SYSTEM SET PDB_LOCKDOWN = ''", 1031, con_id=PDB1, actor="PDBADM")
    fails(store, "ALTER SYSTEM RESET PDB_LOCKDOWN", 1031, con_id=PDB1, actor="PDBADM")
    assert run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = app", con_id=PDB1, actor="C##SYSADM") == "ALTER SYSTEM"
    assert run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = saas", con_id=PDB2, actor="C##DBA") == "ALTER SYSTEM"
    assert run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = app", actor="C##SYSADM") == "ALTER SYSTEM"
    assert store.lockdown_assignments() == {ROOT_ID: "APP", PDB1: "APP", PDB2: "SAAS"}
    sys = user(store, "SYS")
    with pytest.raises(DbError) as e:
        execute_lockdown_command(store, SetPdbLockdown("APP"), con_id=SEED_ID, actor=sys)
    assert e.value.message.startswith("ORA-65017")


def test_pdb_lockdown_in_a_pdb_needs_a_common_grant(store: CatalogStore) -> None:
    """A local ALTER SYSTEM grant, to a local or a common user, does not let a PDB lift its lockdown."""
    run(store, "CREATE LOCKDOWN PROFILE app")
    adm = user(store, "PDBADM", PDB1)
    for sql in ("GRANT alter system TO pdbadm", "GRANT alter system TO c##ops"):
        execute_user_command(store, parse_user_command(split(sql)[0]), con_id=PDB1, actor=user(store, "SYS"))
    assert "ALTER SYSTEM" in store.effective_privileges(adm.name, PDB1)
    fails(store, "ALTER SYSTEM SET PDB_LOCKDOWN = app", 1031, con_id=PDB1, actor="PDBADM")
    fails(store, "ALTER SYSTEM SET PDB_LOCKDOWN = app", 1031, con_id=PDB1, actor="C##OPS")
    assert store.pdb_lockdown(PDB1) is None


def test_grant_of_sysdba_allows_lockdown_ddl(store: CatalogStore) -> None:
    fails(store, "CREATE LOCKDOWN PROFILE x", 1031, actor="C##OPS")
    execute_user_command(
        store,
        parse_user_command(split("GRANT sysdba TO c##ops")[0]),
        con_id=ROOT_ID,
        actor=user(store, "SYS"),
    )
    assert run(store, "CREATE LOCKDOWN PROFILE x", actor="C##OPS") == "CREATE LOCKDOWN PROFILE"


def test_rules_are_stored_one_per_name_and_replaced(store: CatalogStore) -> None:
    profile(
        store,
        "app",
        "DISABLE STATEMENT = ('ALTER SYSTEM', 'ALTER SESSION') CLAUSE = ('SET', 'RESET') OPTION = ('CPU_COUNT')",
        pdb=None,
    )
    rules = store.lockdown_rules("APP")
    assert [(r.rule, r.clause, r.clause_option) for r in rules] == [
        ("ALTER SYSTEM", "SET", "CPU_COUNT"),
        ("ALTER SYSTEM", "RESET", "CPU_COUNT"),
        ("ALTER SESSION", "SET", "CPU_COUNT"),
        ("ALTER SESSION", "RESET", "CPU_COUNT"),
    ]
    run(
        store,
        "ALTER LOCKDOWN PROFILE app ENABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('CPU_COUNT')",
    )
    rules = store.lockdown_rules("APP")
    assert len(rules) == 4  # the same scope: replaced, and moved last
    assert (rules[-1].rule, rules[-1].clause, rules[-1].status) == ("ALTER SYSTEM", "SET", "ENABLE")


# ------------------------------------------------------------------ where a profile is in force


def test_cdb_wide_and_pdb_profiles(store: CatalogStore) -> None:
    profile(store, "wide", "DISABLE STATEMENT = ('CREATE TABLE')")
    profile(store, "own", "DISABLE STATEMENT = ('DROP TABLE')", pdb=None)
    for pdb in (PDB1, PDB2):
        assert refused(store, "CREATE TABLE t (a INT)", pdb)
        assert not refused(store, "DROP TABLE t", pdb)
    assert not refused(store, "CREATE TABLE t (a INT)", ROOT_ID)  # never in the root
    assert lockdown.in_force(store, ROOT_ID) is None
    run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = own", con_id=PDB1)
    assert not refused(store, "CREATE TABLE t (a INT)", PDB1)  # the PDB's own replaces the CDB-wide one
    assert refused(store, "DROP TABLE t", PDB1)
    assert refused(store, "CREATE TABLE t (a INT)", PDB2)
    assert lockdown.profile_in_force(store, PDB1) == "OWN"
    assert lockdown.profile_in_force(store, PDB2) == "WIDE"
    run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = ''", con_id=PDB1)  # back to the CDB-wide one
    assert refused(store, "CREATE TABLE t (a INT)", PDB1)
    assert not refused(store, "DROP TABLE t", PDB1)
    run(store, "ALTER SYSTEM RESET PDB_LOCKDOWN")
    assert not refused(store, "CREATE TABLE t (a INT)", PDB1)
    assert not refused(store, "CREATE TABLE t (a INT)", PDB2)
    assert store.lockdown_assignments() == {}


def test_a_change_applies_to_the_next_statement(store: CatalogStore, tmp_path: Path) -> None:
    profile(store, "app")
    sql = "ALTER SYSTEM SET cpu_count = 4"
    assert not refused(store, sql)  # a new profile disables nothing
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER SYSTEM')")
    assert refused(store, sql)
    run(store, "ALTER LOCKDOWN PROFILE app ENABLE STATEMENT = ('ALTER SYSTEM')")
    assert not refused(store, sql)
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER SYSTEM')")
    assert refused(store, sql)
    # A change made through another connection to the catalog file applies too.
    other = sqlite3.connect(store.path)
    other.execute("DELETE FROM lockdown_rules")
    other.commit()
    other.close()
    time.sleep(0.002)  # another connection's commits show within a millisecond (store.change_stamp)
    assert not refused(store, sql)
    # A dropped profile still named by PDB_LOCKDOWN restricts nothing, as in Oracle.
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER SYSTEM')")
    assert refused(store, sql)
    run(store, "DROP LOCKDOWN PROFILE app")
    assert store.lockdown_assignments() == {ROOT_ID: "APP"}
    assert not refused(store, sql)


def test_a_dropped_pdb_takes_its_setting_with_it(store: CatalogStore) -> None:
    profile(store, "own", "DISABLE STATEMENT = ('SELECT')", pdb=PDB2)
    assert refused(store, "SELECT 1", PDB2)
    with store.transaction():
        store.delete_container(PDB2)
        store.insert_container(PDB2, "NEWPDB", "NEW", "READ WRITE", "SILVER", None)
    assert store.pdb_lockdown(PDB2) is None
    assert not refused(store, "SELECT 1", PDB2)


# ------------------------------------------------------------------ FROM and INCLUDING


def test_from_copies_including_follows(store: CatalogStore) -> None:
    profile(store, "base", "DISABLE STATEMENT = ('CREATE TABLE')", pdb=None)
    run(store, "CREATE LOCKDOWN PROFILE copied FROM base")
    run(store, "CREATE LOCKDOWN PROFILE follows INCLUDING base")
    run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = copied", con_id=PDB1)
    run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = follows", con_id=PDB2)
    assert [r.rule for r in store.lockdown_rules("COPIED")] == ["CREATE TABLE"]
    assert store.lockdown_rules("FOLLOWS") == []
    assert refused(store, "CREATE TABLE t (a INT)", PDB1) and refused(store, "CREATE TABLE t (a INT)", PDB2)
    # A later change of the base: the copy keeps what it copied, the follower follows.
    run(store, "ALTER LOCKDOWN PROFILE base DISABLE STATEMENT = ('DROP TABLE')")
    run(store, "ALTER LOCKDOWN PROFILE base ENABLE STATEMENT = ('CREATE TABLE')")
    assert refused(store, "CREATE TABLE t (a INT)", PDB1)
    assert not refused(store, "DROP TABLE t", PDB1)
    assert not refused(store, "CREATE TABLE t (a INT)", PDB2)
    assert refused(store, "DROP TABLE t", PDB2)
    # The follower's own rules come after the base's: they override them.
    run(store, "ALTER LOCKDOWN PROFILE follows ENABLE STATEMENT = ('DROP TABLE')")
    assert not refused(store, "DROP TABLE t", PDB2)
    run(store, "ALTER LOCKDOWN PROFILE follows DISABLE STATEMENT = ('CREATE TABLE')")
    assert refused(store, "CREATE TABLE t (a INT)", PDB2)
    # Dropping the base takes its rules away from the follower.
    run(store, "ALTER LOCKDOWN PROFILE base DISABLE STATEMENT = ('TRUNCATE TABLE')")
    assert refused(store, "TRUNCATE t", PDB2)
    run(store, "DROP LOCKDOWN PROFILE base")
    assert not refused(store, "TRUNCATE t", PDB2)
    assert refused(store, "CREATE TABLE t (a INT)", PDB2)


def test_including_chains_and_from_an_including_profile(store: CatalogStore) -> None:
    profile(store, "a", "DISABLE STATEMENT = ('CREATE VIEW')", pdb=None)
    run(store, "CREATE LOCKDOWN PROFILE b INCLUDING a")
    run(store, "ALTER LOCKDOWN PROFILE b DISABLE STATEMENT = ('CREATE INDEX')")
    run(store, "CREATE LOCKDOWN PROFILE c INCLUDING b")
    run(store, "CREATE LOCKDOWN PROFILE d FROM c")  # copies what is in force in c: a's and b's rules
    run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = c", con_id=PDB1)
    run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = d", con_id=PDB2)
    for pdb in (PDB1, PDB2):
        assert refused(store, "CREATE VIEW v AS SELECT 1", pdb)
        assert refused(store, "CREATE INDEX i ON t (a)", pdb)
    run(store, "ALTER LOCKDOWN PROFILE a DISABLE STATEMENT = ('CREATE SCHEMA')")
    assert refused(store, "CREATE SCHEMA s", PDB1)
    assert not refused(store, "CREATE SCHEMA s", PDB2)
    message = verdict(store, "CREATE SCHEMA s", PDB1)
    assert message is not None and "a rule of A included by C" in message
    # A cycle (possible after a drop and re-create) resolves without looping.
    run(store, "DROP LOCKDOWN PROFILE a")
    run(store, "CREATE LOCKDOWN PROFILE a INCLUDING c")
    assert refused(store, "CREATE INDEX i ON t (a)", PDB1)
    assert not refused(store, "CREATE VIEW v AS SELECT 1", PDB1)


# ------------------------------------------------------------------ statements, clauses, options


def test_order_all_and_except(store: CatalogStore) -> None:
    profile(store, "app", "DISABLE STATEMENT = ALL", "ENABLE STATEMENT = ('SELECT')")
    assert not refused(store, "SELECT * FROM t")
    assert refused(store, "INSERT INTO t VALUES (1)")
    assert refused(store, "CREATE TABLE x (a INT)")
    assert refused(store, "VACUUM")  # ALL covers statements the table does not name too
    # Never locked: transaction control, cursors, SHOW, and the lockdown commands.
    for sql in (
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT s",
        "RELEASE s",
        "FETCH 10 FROM c",
        "SHOW search_path",
    ):
        assert not refused(store, sql), sql
    assert not refused(store, "ALTER SYSTEM SET PDB_LOCKDOWN = ''")
    assert not refused(store, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
    # A later DISABLE ALL overrides the earlier ENABLE again.
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ALL")
    assert refused(store, "SELECT * FROM t")
    run(store, "ALTER LOCKDOWN PROFILE app ENABLE STATEMENT = ALL EXCEPT = ('INSERT', 'CREATE TABLE')")
    assert not refused(store, "SELECT * FROM t")
    assert not refused(store, "UPDATE t SET a = 1")
    assert refused(store, "INSERT INTO t VALUES (1)")
    assert refused(store, "CREATE TABLE x (a INT)")


def test_users_common_and_local(store: CatalogStore) -> None:
    profile(store, "app", "DISABLE STATEMENT = ('CREATE TABLE') USERS = LOCAL")
    assert refused(store, "CREATE TABLE t (a INT)", common=False)
    assert not refused(store, "CREATE TABLE t (a INT)", common=True)
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('DROP TABLE') USERS = COMMON")
    assert refused(store, "DROP TABLE t", common=True)
    assert not refused(store, "DROP TABLE t", common=False)
    # USERS = ALL after a USERS = LOCAL rule: the later one decides for everyone.
    run(store, "ALTER LOCKDOWN PROFILE app ENABLE STATEMENT = ('CREATE TABLE')")
    assert not refused(store, "CREATE TABLE t (a INT)", common=False)


def test_alter_table_clauses(store: CatalogStore) -> None:
    profile(store, "app", "DISABLE STATEMENT = ('ALTER TABLE') CLAUSE = ('DROP COLUMN', 'RENAME')")
    assert not refused(store, "ALTER TABLE t ADD COLUMN b INT")
    assert refused(store, "ALTER TABLE t DROP COLUMN b")
    assert refused(store, "ALTER TABLE IF EXISTS s.t RENAME TO u")
    assert not refused(store, "ALTER TABLE t RENAME COLUMN a TO b")
    assert refused(store, "ALTER TABLE t ADD COLUMN c INT, DROP COLUMN b")  # any of its actions
    assert not refused(store, "ALTER TABLE t ALTER COLUMN a TYPE BIGINT")
    run(
        store,
        "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER TABLE') CLAUSE = ALL EXCEPT = ('ADD COLUMN')",
    )
    assert refused(store, "ALTER TABLE t ALTER COLUMN a TYPE BIGINT")
    assert refused(store, "ALTER TABLE t ADD PRIMARY KEY (a)")  # ADD CONSTRAINT
    assert not refused(store, "ALTER TABLE t ADD COLUMN c INT")


def test_session_options(store: CatalogStore) -> None:
    profile(store, "app", "DISABLE STATEMENT = ('ALTER SESSION') CLAUSE = ('SET') OPTION = ('TIMEZONE')")
    assert refused(store, "SET TIME ZONE 'Europe/Paris'")
    assert refused(store, "SET timezone = 'UTC'")
    assert refused(store, "SET SESSION TimeZone TO 'UTC'")
    assert not refused(store, "RESET timezone")  # the RESET clause is another clause
    assert not refused(store, "SET application_name = 'x'")
    assert not refused(store, "ALTER SESSION SET CONTAINER = pdb2")
    run(
        store,
        "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER SESSION') CLAUSE = ('SET')"
        " OPTION = ALL EXCEPT = ('APPLICATION_NAME', 'SEARCH_PATH')",
    )
    assert refused(store, "ALTER SESSION SET CONTAINER = pdb2")
    assert refused(store, "SET extra_float_digits = 3")
    assert refused(store, "SET SCHEMA 'x'") is False  # SET SCHEMA is SEARCH_PATH
    assert not refused(store, "SET search_path = a, b")
    assert not refused(store, "SET application_name TO 'psql'")
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER SESSION')")
    assert refused(store, "SET application_name TO 'psql'")
    assert refused(store, "RESET ALL")


def test_system_option_values(store: CatalogStore) -> None:
    profile(
        store,
        "app",
        "DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('CPU_COUNT') VALUE = ('1', '2')",
    )
    assert refused(store, "ALTER SYSTEM SET cpu_count = 2")
    assert refused(store, "ALTER SYSTEM SET CPU_COUNT = '1' SCOPE = BOTH")
    assert not refused(store, "ALTER SYSTEM SET cpu_count = 4")
    assert not refused(store, "ALTER SYSTEM SET sessions = 2")
    assert refused(store, "SET GLOBAL cpu_count = 2")  # DuckDB's SET GLOBAL is ALTER SYSTEM SET
    assert not refused(store, "SET cpu_count = 2")  # ALTER SESSION: not this rule
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('CHECKPOINT')")
    assert refused(store, "CHECKPOINT")
    assert refused(store, "FORCE CHECKPOINT")


def test_min_and_max_values(store: CatalogStore) -> None:
    profile(
        store,
        "app",
        "DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('SGA_TARGET') MINVALUE = '1G' MAXVALUE = '4G'",
    )
    assert not refused(store, "ALTER SYSTEM SET sga_target = 2G")
    assert not refused(store, "ALTER SYSTEM SET sga_target = '4096M'")
    assert not refused(store, "ALTER SYSTEM SET sga_target = 1073741824")
    assert refused(store, "ALTER SYSTEM SET sga_target = 512M")
    assert refused(store, "ALTER SYSTEM SET sga_target = 8G")
    assert refused(store, "ALTER SYSTEM SET sga_target = 'lots'")  # not a number: refused
    # An ENABLE range re-allows values inside it after a DISABLE of the option.
    run(
        store,
        "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('CPU_COUNT')",
    )
    run(
        store,
        "ALTER LOCKDOWN PROFILE app ENABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('CPU_COUNT')"
        " MINVALUE = '2' MAXVALUE = '8'",
    )
    assert not refused(store, "ALTER SYSTEM SET cpu_count = 4")
    assert refused(store, "ALTER SYSTEM SET cpu_count = 16")
    assert refused(store, "ALTER SYSTEM SET cpu_count = 1")
    # MAXVALUE alone.
    run(
        store,
        "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('SESSIONS')"
        " MAXVALUE = '100'",
    )
    assert not refused(store, "ALTER SYSTEM SET sessions = 100")
    assert refused(store, "ALTER SYSTEM SET sessions = 101")


# ------------------------------------------------------------------ features and database options


def test_network_and_os_access(store: CatalogStore) -> None:
    profile(store, "app", "DISABLE FEATURE = ('NETWORK_ACCESS')")
    assert refused(store, "SELECT * FROM read_csv('https://example.com/x.csv')")
    assert refused(store, "SELECT * FROM 's3://bucket/x.parquet'")
    assert refused(store, "SELECT * FROM postgres_scan('dbname=x', 'public', 't')")
    assert refused(store, "ATTACH 'postgres:dbname=x' AS p (TYPE postgres)")
    assert refused(store, "COPY t TO 's3://bucket/t.csv'")
    assert refused(store, "CREATE SECRET (TYPE s3, KEY_ID 'k')")
    assert refused(store, "INSTALL httpfs")  # downloads
    assert not refused(store, "SELECT * FROM read_csv('/data/x.csv')")
    assert not refused(store, "COPY t TO '/tmp/t.csv'")
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE FEATURE = ('OS_ACCESS')")
    assert refused(store, "SELECT * FROM read_csv('/data/x.csv')")
    assert refused(store, "SELECT * FROM 'data.csv'")
    assert refused(store, "SELECT * FROM t JOIN 'x.parquet' USING (a)")
    assert refused(store, "COPY t TO '/tmp/t.csv'")
    assert refused(store, "COPY t FROM '/tmp/t.csv'")
    assert refused(store, "COPY t TO PROGRAM 'ls'")
    assert refused(store, "ATTACH 'other.db'")
    assert refused(store, "EXPORT DATABASE 'dir'")
    assert not refused(store, "COPY t FROM STDIN")
    assert not refused(store, "COPY (SELECT 1) TO STDOUT")
    assert not refused(store, "SELECT * FROM t WHERE a = 't'")
    # One leaf feature of a bundle re-enabled.
    run(store, "ALTER LOCKDOWN PROFILE app ENABLE FEATURE = ('COPY_FILE_ACCESS')")
    assert not refused(store, "COPY t TO '/tmp/t.csv'")
    assert refused(store, "SELECT * FROM read_csv('/data/x.csv')")
    message = verdict(store, "SELECT * FROM read_parquet('/x.parquet')")
    assert message is not None and "feature OS_ACCESS (FILE_ACCESS)" in message


def test_feature_all_except_and_leaves(store: CatalogStore) -> None:
    profile(store, "app", "DISABLE FEATURE = ALL EXCEPT = ('OS_ACCESS', 'AWR_ACCESS')")
    assert not refused(store, "SELECT * FROM read_csv('/data/x.csv')")
    assert not refused(store, "EXPLAIN ANALYZE SELECT 1")
    assert refused(store, "SELECT * FROM read_csv('http://x/y.csv')")
    assert refused(store, "LOAD spatial")
    assert refused(store, "SELECT * FROM read_blob('/data/x.bin')")  # LOB_FILE_ACCESS, not excepted
    assert refused(store, "CALL enable_logging()")  # CTX_LOGGING
    assert not refused(store, "SELECT 1")


@pytest.mark.parametrize(
    ("feature", "sql", "other"),
    [
        ("EXTENSIONS", "LOAD spatial", "SELECT 1"),
        ("EXTENSIONS", "FORCE INSTALL spatial", "SELECT 1"),
        ("LOB_FILE_ACCESS", "SELECT content FROM read_blob('/x.bin')", "SELECT * FROM read_csv('/x.csv')"),
        ("CTX_LOGGING", "SELECT * FROM duckdb_logs", "SELECT 1"),
        ("CTX_LOGGING", "SET logging_level = 'debug'", "SET application_name = 'x'"),
        ("AWR_ACCESS", "EXPLAIN ANALYZE SELECT * FROM t", "EXPLAIN SELECT * FROM t"),
        ("AWR_ACCESS", "SELECT * FROM duckdb_memory()", "SELECT * FROM duckdb_tables()"),
        ("AWR_ACCESS", "PRAGMA enable_profiling", "SELECT 1"),
        ("HTTP_ACCESS", "SELECT http_get('http://x')", "SELECT * FROM read_csv('/x.csv')"),
        (
            "CLOUD_STORAGE_ACCESS",
            "SELECT * FROM read_parquet('gs://b/x')",
            "SELECT * FROM read_csv('http://x')",
        ),
        ("REMOTE_DATABASE_ACCESS", "SELECT * FROM mysql_query('db', 'SELECT 1')", "SELECT 1"),
        ("DATABASE_FILE_ACCESS", "DETACH other", "SELECT 1"),
        ("FILE_ACCESS", "SELECT * FROM glob('/data/*')", "COPY t TO '/tmp/x.csv'"),
    ],
)
def test_each_feature(store: CatalogStore, feature: str, sql: str, other: str) -> None:
    profile(store, "app", f"DISABLE FEATURE = ('{feature}')")
    assert refused(store, sql)
    assert not refused(store, other)


def test_common_user_local_schema_access(store: CatalogStore) -> None:
    profile(store, "app", "DISABLE FEATURE = ('COMMON_SCHEMA_ACCESS')")
    for sql in (
        "SELECT * FROM t",
        "INSERT INTO app.orders VALUES (1)",
        "CREATE TABLE t (a INT)",
        "ALTER TABLE t ADD COLUMN b INT",
        "DROP VIEW v",
        "WITH x AS (SELECT * FROM t) SELECT * FROM x",
    ):
        assert refused(store, sql, common=True), sql
        assert not refused(store, sql, common=False), sql
    for sql in (
        "SELECT * FROM dba_users",
        "SELECT * FROM v$pdbs",
        "SELECT * FROM pg_catalog.pg_class",
        "SELECT * FROM information_schema.tables",
        "WITH x AS (SELECT 1) SELECT * FROM x",
        "SELECT 1",
        "SET search_path = app",
    ):
        assert not refused(store, sql, common=True), sql


def test_database_options(store: CatalogStore) -> None:
    profile(store, "app", "DISABLE OPTION = ('OLAP')")
    assert refused(store, "SELECT * FROM t PIVOT (sum(x) FOR y IN (1, 2))")
    assert refused(store, "SELECT a, sum(b) FROM t GROUP BY ROLLUP (a)")
    assert refused(store, "SELECT a FROM t GROUP BY GROUPING SETS ((a), ())")
    assert refused(store, "SUMMARIZE t")
    assert not refused(store, "SELECT a, sum(b) FROM t GROUP BY a")
    assert not refused(store, "SELECT st_point(1, 2)")
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE OPTION = ALL EXCEPT = ('TEXT')")
    assert refused(store, "SELECT st_point(1, 2)")
    assert not refused(store, "SELECT fts_main_docs.match_bm25(id, 'x') FROM docs")
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE OPTION = ('TEXT') USERS = LOCAL")
    assert refused(store, "SELECT fts_main_docs.match_bm25(id, 'x') FROM docs")
    assert not refused(store, "SELECT fts_main_docs.match_bm25(id, 'x') FROM docs", common=True)


def test_violation_names_rule_and_profile(store: CatalogStore) -> None:
    profile(
        store,
        "app",
        "DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('CPU_COUNT') MAXVALUE = '4' USERS = LOCAL",
    )
    (stmt,) = split("ALTER SYSTEM SET cpu_count = 8")
    v = lockdown.check(store, PDB1, False, stmt, analyze(stmt))
    assert v is not None and v.rule == "LOCKDOWN_STATEMENT"
    assert v.message == (
        "ORA-01031: insufficient privileges: ALTER SYSTEM SET CPU_COUNT = 8 is disabled by lockdown profile APP"
        " (DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('CPU_COUNT') MAXVALUE = '4'"
        " USERS = LOCAL)"
    )
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE FEATURE = ('EXTENSIONS')")
    (stmt,) = split("LOAD x")
    v = lockdown.check(store, PDB1, False, stmt)  # the analysis is optional
    assert v is not None and v.rule == "LOCKDOWN_FEATURE"
    assert v.message.startswith("ORA-01031: insufficient privileges: feature EXTENSIONS is disabled")
    run(store, "ALTER LOCKDOWN PROFILE app DISABLE OPTION = ALL")
    (stmt,) = split("SELECT st_point(1, 2)")
    v = lockdown.check(store, PDB1, False, stmt)
    assert v is not None and v.rule == "LOCKDOWN_OPTION"
    assert v.message.endswith("option SPATIAL is disabled by lockdown profile APP (DISABLE OPTION = ALL)")


# ------------------------------------------------------------------ the statement mapping


@pytest.mark.parametrize(
    ("sql", "actions"),
    [
        ("SELECT 1", ["SELECT"]),
        ("WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a", ["INSERT"]),
        ("UPDATE t SET a = 1", ["UPDATE"]),
        ("DELETE FROM t", ["DELETE"]),
        ("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", ["MERGE"]),
        ("EXPLAIN DELETE FROM t", ["EXPLAIN PLAN", "DELETE"]),
        ("PREPARE p AS UPDATE t SET a = 1", ["UPDATE"]),
        ("DECLARE c CURSOR FOR SELECT 1", ["SELECT"]),
        ("SELECT * FROM t FOR UPDATE", ["SELECT"]),
        ("SELECT * FROM t FOR NO KEY UPDATE OF t", ["SELECT"]),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", ["SELECT", "DELETE"]),
        ("WITH u AS (UPDATE t SET a = 1 RETURNING a) SELECT * FROM u", ["SELECT", "UPDATE"]),
        ("WITH i AS (INSERT INTO t VALUES (1) RETURNING a) SELECT * FROM i", ["SELECT", "INSERT"]),
        ("COPY t FROM STDIN", ["COPY FROM"]),
        ("COPY (SELECT 1) TO STDOUT", ["COPY TO"]),
        ("CREATE TEMP TABLE t AS SELECT 1", ["CREATE TABLE"]),
        ("DROP TABLE IF EXISTS t", ["DROP TABLE"]),
        ("TRUNCATE t", ["TRUNCATE TABLE"]),
        ("CREATE UNIQUE INDEX i ON t (a)", ["CREATE INDEX"]),
        ("DROP INDEX i", ["DROP INDEX"]),
        ("CREATE OR REPLACE VIEW v AS SELECT 1", ["CREATE VIEW"]),
        ("DROP VIEW v", ["DROP VIEW"]),
        ("CREATE SEQUENCE s", ["CREATE SEQUENCE"]),
        ("CREATE OR REPLACE MACRO m(a) AS a + 1", ["CREATE FUNCTION"]),
        ("DROP MACRO m", ["DROP FUNCTION"]),
        ("CREATE TYPE mood AS ENUM ('a', 'b')", ["CREATE TYPE"]),
        ("CREATE SCHEMA s", ["CREATE SCHEMA"]),
        ("DROP SCHEMA s CASCADE", ["DROP SCHEMA"]),
        ("GRANT SELECT ON t TO u", ["GRANT"]),
        ("REVOKE create session FROM u", ["REVOKE"]),
        ("CREATE USER u IDENTIFIED BY p", ["CREATE USER"]),
        ("ALTER USER u ACCOUNT LOCK", ["ALTER USER"]),
        ("DROP USER u", ["DROP USER"]),
        ("CREATE ROLE r", ["CREATE ROLE"]),
        ("DROP ROLE r", ["DROP ROLE"]),
        ("COMMENT ON TABLE t IS 'x'", ["COMMENT"]),
        ("SET GLOBAL threads = 4", ["ALTER SYSTEM SET THREADS = 4"]),
        ("RESET GLOBAL threads", ["ALTER SYSTEM RESET THREADS"]),
        ("ALTER SYSTEM SET cpu_count = 4", ["ALTER SYSTEM SET CPU_COUNT = 4"]),
        ("ALTER SYSTEM RESET cpu_count", ["ALTER SYSTEM RESET CPU_COUNT"]),
        ("ALTER SYSTEM KILL SESSION '12,34'", ["ALTER SYSTEM KILL SESSION"]),
        ("CHECKPOINT", ["ALTER SYSTEM CHECKPOINT"]),
        ("SET TIME ZONE 'UTC'", ["ALTER SESSION SET TIMEZONE = UTC"]),
        ('SET search_path = a, "b"', ["ALTER SESSION SET SEARCH_PATH = a, b"]),
        ("SET LOCAL statement_timeout TO 5", ["ALTER SESSION SET STATEMENT_TIMEOUT = 5"]),
        ("SET SCHEMA 'app'", ["ALTER SESSION SET SEARCH_PATH = app"]),
        ("SET NAMES 'UTF8'", ["ALTER SESSION SET CLIENT_ENCODING = UTF8"]),
        ("SET SESSION AUTHORIZATION bob", ["ALTER SESSION SET SESSION_AUTHORIZATION = bob"]),
        ("RESET application_name", ["ALTER SESSION RESET APPLICATION_NAME"]),
        ("ALTER SESSION SET CONTAINER = cdb$root", ["ALTER SESSION SET CONTAINER = cdb$root"]),
        (
            "ALTER SESSION SET nls_date_format = 'YYYY' time_zone = 'UTC'",
            ["ALTER SESSION SET NLS_DATE_FORMAT = YYYY", "ALTER SESSION SET TIME_ZONE = UTC"],
        ),
        ("ALTER PLUGGABLE DATABASE pdb1 CLOSE IMMEDIATE", ["ALTER PLUGGABLE DATABASE CLOSE"]),
        ("ALTER PLUGGABLE DATABASE pdb1 SAVE STATE", ["ALTER PLUGGABLE DATABASE SAVE STATE"]),
        ("CREATE PLUGGABLE DATABASE p ADMIN USER a IDENTIFIED BY b", ["CREATE PLUGGABLE DATABASE"]),
        ("INSTALL httpfs", ["INSTALL"]),
        ("FORCE INSTALL httpfs", ["INSTALL"]),
        ("LOAD httpfs", ["LOAD"]),
        ("ATTACH 'x.db' AS x", ["ATTACH"]),
        ("EXPORT DATABASE 'd'", ["EXPORT DATABASE"]),
        ("PRAGMA version", ["PRAGMA"]),
        ("VACUUM", ["VACUUM"]),
        ("BEGIN", []),
        ("SHOW PDBS", []),
        ("SET TRANSACTION READ ONLY", []),
        ("CREATE LOCKDOWN PROFILE p", []),
    ],
)
def test_statement_mapping(sql: str, actions: list[str]) -> None:
    (stmt,) = split(sql)
    assert [a.text() for a in lockdown.usage(stmt, analyze(stmt)).actions] == actions


def test_every_statement_clause_and_feature_is_documented() -> None:
    doc = lockdown.__doc__ or ""
    for name in (*lockdown.FEATURES, *lockdown.BUNDLES, *lockdown.DB_OPTIONS, *lockdown.STATEMENT_ALIASES):
        assert name in doc, name
    for name in lockdown.STATEMENTS:
        assert name in doc, name
    for statement, clauses in lockdown.CLAUSES.items():
        assert statement in doc
        for clause in clauses:
            assert clause in doc, (statement, clause)
    assert set(lockdown.STATEMENT_ALIASES.values()) <= set(lockdown.STATEMENTS)
    assert set(lockdown.BUNDLE_OF) <= set(lockdown.FEATURES)


def test_root_is_never_locked_down(store: CatalogStore) -> None:
    profile(store, "app", "DISABLE STATEMENT = ALL", "DISABLE FEATURE = ALL", "DISABLE OPTION = ALL")
    assert refused(store, "SELECT 1", PDB1)
    assert not refused(store, "SELECT 1", ROOT_ID)
    assert not refused(store, "SELECT * FROM t PIVOT (sum(x) FOR y IN (1))", ROOT_ID)
    assert verdict(store, "SELECT 1", SEED_ID) is None


# ------------------------------------------------------------------ dictionary views


def test_dictionary_views(store: CatalogStore) -> None:
    assert [c for c, _ in dictionary.VIEWS["DBA_LOCKDOWN_PROFILES"].columns] == [
        "PROFILE_NAME",
        "RULE_TYPE",
        "RULE",
        "CLAUSE",
        "CLAUSE_OPTION",
        "OPTION_VALUE",
        "MIN_VALUE",
        "MAX_VALUE",
        "LIST",
        "STATUS",
        "USERS",
        "COMMON",
        "INHERITED",
    ]
    assert [c for c, _ in dictionary.VIEWS["V$LOCKDOWN_RULES"].columns] == [
        "RULE_TYPE",
        "RULE",
        "CLAUSE",
        "CLAUSE_OPTION",
        "STATUS",
        "USERS",
        "CON_ID",
    ]
    rows = view(store, "DBA_LOCKDOWN_PROFILES", ROOT_ID)
    assert [(r["PROFILE_NAME"], r["STATUS"], r["RULE_TYPE"]) for r in rows] == [
        ("PRIVATE_DBAAS", "EMPTY", None),
        ("PUBLIC_DBAAS", "EMPTY", None),
        ("SAAS", "EMPTY", None),
    ]
    assert view(store, "V$LOCKDOWN_RULES", ROOT_ID) == []
    assert view(store, "V$LOCKDOWN_RULES", PDB1) == []
    assert view(store, "DBA_LOCKDOWN_PROFILES", PDB1) == []
    profile(
        store,
        "base",
        "DISABLE STATEMENT = ALL EXCEPT = ('SELECT', 'INSERT')",
        "DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('CPU_COUNT') VALUE = ('1', '2')",
        "DISABLE STATEMENT = ('ALTER SYSTEM') CLAUSE = ('SET') OPTION = ('SGA_TARGET') MINVALUE = '1G' MAXVALUE = '4G'",
        pdb=None,
    )
    run(store, "CREATE LOCKDOWN PROFILE app INCLUDING base")
    run(store, "ALTER LOCKDOWN PROFILE app ENABLE FEATURE = ('OS_ACCESS') USERS = COMMON")
    run(
        store,
        "ALTER LOCKDOWN PROFILE app DISABLE STATEMENT = ('ALTER SESSION') CLAUSE = ('SET') OPTION = ('X') VALUE = ('on')",
    )
    run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = app", con_id=PDB1)
    rows = view(store, "DBA_LOCKDOWN_PROFILES", ROOT_ID)
    app = [r for r in rows if r["PROFILE_NAME"] == "APP"]
    assert [(r["RULE_TYPE"], r["RULE"], r["INHERITED"]) for r in app] == [
        ("STATEMENT", "ALL EXCEPT (SELECT, INSERT)", "YES"),
        ("STATEMENT", "ALTER SYSTEM", "YES"),
        ("STATEMENT", "ALTER SYSTEM", "YES"),
        ("FEATURE", "OS_ACCESS", "NO"),
        ("STATEMENT", "ALTER SESSION", "NO"),
    ]
    assert app[1]["LIST"] == "1, 2" and app[1]["OPTION_VALUE"] is None
    assert (app[2]["CLAUSE"], app[2]["CLAUSE_OPTION"], app[2]["MIN_VALUE"], app[2]["MAX_VALUE"]) == (
        "SET",
        "SGA_TARGET",
        "1G",
        "4G",
    )
    assert (app[3]["STATUS"], app[3]["USERS"], app[3]["COMMON"]) == ("ENABLE", "COMMON", "YES")
    assert (app[4]["OPTION_VALUE"], app[4]["LIST"]) == ("on", None)
    base = [r for r in rows if r["PROFILE_NAME"] == "BASE"]
    assert [r["INHERITED"] for r in base] == ["NO", "NO", "NO"]
    assert {r["PROFILE_NAME"] for r in rows} == {"APP", "BASE", *SHIPPED_LOCKDOWN_PROFILES}
    # Inside a PDB: the profile in force only.
    assert {r["PROFILE_NAME"] for r in view(store, "DBA_LOCKDOWN_PROFILES", PDB1)} == {"APP"}
    assert view(store, "DBA_LOCKDOWN_PROFILES", PDB2) == []
    rules = view(store, "V$LOCKDOWN_RULES", PDB1)
    assert [(r["RULE_TYPE"], r["RULE"], r["STATUS"], r["CON_ID"]) for r in rules] == [
        ("STATEMENT", "ALL EXCEPT (SELECT, INSERT)", "DISABLE", PDB1),
        ("STATEMENT", "ALTER SYSTEM", "DISABLE", PDB1),
        ("STATEMENT", "ALTER SYSTEM", "DISABLE", PDB1),
        ("FEATURE", "OS_ACCESS", "ENABLE", PDB1),
        ("STATEMENT", "ALTER SESSION", "DISABLE", PDB1),
    ]
    assert view(store, "V$LOCKDOWN_RULES", PDB2) == []
    # The root lists the rules in force in every PDB; a CDB-wide profile reaches PDB2.
    run(store, "ALTER SYSTEM SET PDB_LOCKDOWN = base")
    root_rules = view(store, "V$LOCKDOWN_RULES", ROOT_ID)
    assert [r["CON_ID"] for r in root_rules] == [PDB1] * 5 + [PDB2] * 3
    assert view(store, "V$LOCKDOWN_RULES", PDB2) == [{**r, "CON_ID": PDB2} for r in root_rules[:3]]
    data = dictionary.payload(store, PDB1, ["DBA_LOCKDOWN_PROFILES", "V$LOCKDOWN_RULES"])
    assert json.loads(json.dumps(data))["V$LOCKDOWN_RULES"]["rows"][0][-1] == PDB1


def test_dictionary_view_names_are_referenced(store: CatalogStore) -> None:
    (stmt,) = split("SELECT * FROM v$lockdown_rules, dba_lockdown_profiles")
    assert dictionary_views.referenced_views(stmt) == ["V$LOCKDOWN_RULES", "DBA_LOCKDOWN_PROFILES"]
