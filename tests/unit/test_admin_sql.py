"""Parsing of the container statements (catalog.commands.pdbs): what each command carries, and the
Oracle errors for what is malformed. Execution is tested end to end (tests/test_oracle_admin.py)."""

from __future__ import annotations

import pytest

from catalog.commands.pdbs import (
    AlterPdb,
    CheckPlugCompatibility,
    CreatePdb,
    DropPdb,
    SetContainer,
    Show,
    parse_admin,
)
from pgcompat.statements import split
from pgwire.errors import DbError


def parse(sql: str) -> object:
    (stmt,) = split(sql)
    return parse_admin(stmt)


def test_create_from_seed_with_every_option() -> None:
    cmd = parse(
        'CREATE PLUGGABLE DATABASE IF NOT EXISTS sales ADMIN USER "Admin" IDENTIFIED BY "Pw-1"'
        " ROLES = (dba, c##reader) STORAGE (MAXSIZE 10 G, MAX_SHARED_TEMP_SIZE 512M)"
        " DEFAULT TABLESPACE users DATAFILE '/u01/users.dbf' SIZE 100M AUTOEXTEND ON NEXT 10M MAXSIZE UNLIMITED"
        " FILE_NAME_CONVERT = ('/seed/', '/sales/') SERVICE TIER gold"
    )
    assert cmd == CreatePdb(
        name="SALES",
        if_not_exists=True,
        admin_user="Admin",
        admin_password="Pw-1",
        roles=["DBA", "C##READER"],
        max_size=10 << 30,
        max_temp_size=512 << 20,
        tier="GOLD",
    )


def test_clone_plug_and_storage_unlimited() -> None:
    clone = parse("CREATE PLUGGABLE DATABASE b FROM a SNAPSHOT COPY NO DATA STORAGE UNLIMITED")
    assert isinstance(clone, CreatePdb)
    assert (clone.source, clone.snapshot, clone.no_data, clone.max_size, clone.max_temp_size) == (
        "A",
        True,
        True,
        0,
        0,
    )
    plug = parse("CREATE PLUGGABLE DATABASE c AS CLONE USING '/tmp/c.xml' NOCOPY")
    assert isinstance(plug, CreatePdb)
    assert (plug.as_clone, plug.using, plug.file_mode) == (True, "/tmp/c.xml", "NOCOPY")


def test_alter_forms() -> None:
    assert parse("ALTER PLUGGABLE DATABASE p1, p2 OPEN READ ONLY RESTRICTED FORCE") == AlterPdb(
        names=["P1", "P2"],
        all=False,
        except_names=[],
        action="OPEN",
        mode="READ ONLY",
        restricted=True,
        force=True,
    )
    cmd = parse("ALTER PLUGGABLE DATABASE ALL EXCEPT p3 CLOSE IMMEDIATE")
    assert isinstance(cmd, AlterPdb)
    assert (cmd.all, cmd.except_names, cmd.action, cmd.immediate) == (True, ["P3"], "CLOSE", True)
    cmd = parse("ALTER PLUGGABLE DATABASE p1 UNPLUG INTO '/tmp/p1.pdb'")
    assert isinstance(cmd, AlterPdb)
    assert (cmd.action, cmd.target) == ("UNPLUG", "/tmp/p1.pdb")
    cmd = parse("ALTER PLUGGABLE DATABASE p1 STORAGE (MAXSIZE 2G)")
    assert isinstance(cmd, AlterPdb)
    assert (cmd.action, cmd.max_size, cmd.max_temp_size) == ("STORAGE", 2 << 30, None)
    cmd = parse("ALTER PLUGGABLE DATABASE p1 SET SERVICE TIER platinum")
    assert isinstance(cmd, AlterPdb)
    assert (cmd.action, cmd.tier) == ("TIER", "PLATINUM")
    cmd = parse("ALTER PLUGGABLE DATABASE p1 RENAME GLOBAL_NAME TO p9")
    assert isinstance(cmd, AlterPdb)
    assert (cmd.action, cmd.new_name) == ("RENAME", "P9")


def test_container_names_with_dollar_and_quotes() -> None:
    assert parse("ALTER SESSION SET CONTAINER = CDB$ROOT") == SetContainer("CDB$ROOT")
    assert parse("alter session set container=pdb$seed") == SetContainer("PDB$SEED")
    assert parse('ALTER SESSION SET CONTAINER = "MixedCase"') == SetContainer("MixedCase")
    assert parse("DROP PLUGGABLE DATABASE IF EXISTS old INCLUDING DATAFILES") == DropPdb(
        "OLD", if_exists=True, including_datafiles=True
    )
    assert parse("SHOW CON_NAME") == Show("CON_NAME")


def test_check_plug_compatibility_named_and_positional() -> None:
    named = parse("SELECT DBMS_PDB.CHECK_PLUG_COMPATIBILITY(pdb_descr_file => '/tmp/x.xml', pdb_name => 'x')")
    assert named == CheckPlugCompatibility("/tmp/x.xml", "X")
    assert parse("SELECT DBMS_PDB.CHECK_PLUG_COMPATIBILITY('/tmp/y.xml', 'y')") == CheckPlugCompatibility(
        "/tmp/y.xml", "Y"
    )


@pytest.mark.parametrize(
    ("sql", "ora_text"),
    [
        ("CREATE PLUGGABLE DATABASE p", "ORA-65000"),  # from the seed without ADMIN USER
        ("CREATE PLUGGABLE DATABASE 1p ADMIN USER a IDENTIFIED BY b", "ORA-65000"),
        ("CREATE PLUGGABLE DATABASE 'p' ADMIN USER a IDENTIFIED BY b", "ORA-65000"),
        ("CREATE PLUGGABLE DATABASE p ADMIN USER a IDENTIFIED BY b BOGUS", "ORA-00922"),
        ("CREATE PLUGGABLE DATABASE p ADMIN USER a IDENTIFIED BY b STORAGE (MAXSIZE lots)", "ORA-02180"),
        ("CREATE PLUGGABLE DATABASE p ADMIN USER a IDENTIFIED BY b STORAGE (MINSIZE 1G)", "ORA-00922"),
        ("CREATE PLUGGABLE DATABASE p ADMIN USER a IDENTIFIED BY b STORAGE (MAXSIZE 1G", "ORA-00922"),
        ("CREATE PLUGGABLE DATABASE p USING pfile", "ORA-00922"),  # the file must be quoted
        ("ALTER PLUGGABLE DATABASE p OPEN SIDEWAYS", "ORA-00922"),
        ("ALTER PLUGGABLE DATABASE p CLOSE IMMEDIATE NOW", "ORA-00922"),
        ("ALTER PLUGGABLE DATABASE p", "ORA-00922"),
        ("ALTER SESSION SET CONTAINER = p1 p2", "ORA-00922"),
        ("DROP PLUGGABLE DATABASE p KEEP DATAFILES NOW", "ORA-00922"),
        ("DROP PLUGGABLE DATABASE", "ORA-00922"),
        ("SELECT DBMS_PDB.CHECK_PLUG_COMPATIBILITY(pdb_name => 'x')", "pdb_descr_file"),
    ],
)
def test_malformed_statements_get_oracle_errors(sql: str, ora_text: str) -> None:
    with pytest.raises(DbError) as e:
        parse(sql)
    assert e.value.sqlstate == "42601"
    assert ora_text in e.value.message
