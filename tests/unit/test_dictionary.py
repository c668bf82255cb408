"""Oracle dictionary views (catalog.dictionary) from the root and from inside a PDB."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from sqlglot.tokens import Token, TokenType

from catalog.commands.users import execute_user_command, parse_user_command
from catalog.dictionary import BLOCK_SIZE, VIEWS, NoLive, payload
from catalog.store import CatalogStore, User
from pgcompat.statements import Statement, split
from pgwire import auth
from policies.dictionary_views import referenced_views
from policies.source import ROOT_ID, SEED_ID

PDB1, PDB2 = 3, 4


@pytest.fixture
def store(tmp_path: Path) -> CatalogStore:
    """Root, seed, PDB1 open READ WRITE RESTRICTED with a saved state, PDB2 MOUNTED and NEW; users,
    roles and grants of both kinds."""
    s = CatalogStore(str(tmp_path / "catalog.sqlite3"))
    with s.transaction():
        s.insert_container(ROOT_ID, "CDB$ROOT", "NORMAL", "READ WRITE", "SILVER", None)
        s.insert_container(SEED_ID, "PDB$SEED", "NORMAL", "READ ONLY", "SILVER", None)
        p1 = s.insert_container(PDB1, "PDB1", "NEW", "MOUNTED", "SILVER", "CREATE")
        p2 = s.insert_container(PDB2, "PDB2", "NEW", "MOUNTED", "SILVER", "CREATE")
        s.update_container(
            PDB1,
            status="NORMAL",
            open_mode="READ WRITE",
            restricted=1,
            open_time=1_700_000_000.5,
            saved_state="READ WRITE",
            max_size=1 << 30,
            pending_op=None,
        )
        s.add_history(p1, "CREATE")
        s.add_history(p2, "CLONE", cloned_from="PDB1")
        s.insert_user("SYS", ROOT_ID, True, auth.scram_verifier("x"), None)
        s.grant_sys("SYS", ROOT_ID, "SYSDBA", True)
        s.insert_user("ADM1", PDB1, False, auth.scram_verifier("x"), None)
        s.grant_role("ADM1", PDB1, "PDB_DBA", False)
        s.insert_user("ADM2", PDB2, False, auth.scram_verifier("x"), None)
        s.grant_role("ADM2", PDB2, "PDB_DBA", False)
    sys = s.user("SYS", ROOT_ID)
    assert sys is not None
    for sql, con_id in (
        ("CREATE USER c##ops IDENTIFIED BY pw ACCOUNT LOCK", ROOT_ID),
        ("GRANT create session TO c##ops CONTAINER=ALL WITH ADMIN OPTION", ROOT_ID),
        ("GRANT create table TO c##ops", ROOT_ID),
        ("CREATE ROLE c##app", ROOT_ID),
        ("GRANT c##app TO c##ops CONTAINER=ALL", ROOT_ID),
        ("CREATE ROLE reader", PDB1),
        ("GRANT reader TO adm1", PDB1),
        ("GRANT select any table TO c##ops", PDB1),
    ):
        execute_user_command(s, parse_user_command(split(sql)[0]), con_id=con_id, actor=sys)
    yield s
    s.close()


class SizedLive(NoLive):
    def __init__(self, sizes: dict[int, int] | None = None) -> None:
        self.sizes = sizes

    def size_of(self, con_id: int) -> int:
        return self.sizes[con_id] if self.sizes is not None else con_id * 1000


def rows(store: CatalogStore, view: str, con_id: int, live=None) -> list[dict[str, object]]:
    v = VIEWS[view]
    out = []
    for r in v.rows(store, con_id, live):
        assert len(r) == len(v.columns), view
        out.append(dict(zip([c for c, _ in v.columns], r, strict=True)))
    return out


def col(store: CatalogStore, view: str, con_id: int, column: str) -> list[object]:
    return [r[column] for r in rows(store, view, con_id)]


def test_view_names_and_columns() -> None:
    assert set(VIEWS) == {
        "V$PDBS",
        "DBA_AUDIT_TRAIL",
        "CDB_AUDIT_TRAIL",
        "DBA_LOCKDOWN_PROFILES",
        "V$LOCKDOWN_RULES",
        "V$RSRCPDBMETRIC",
        "V$RSRCPDBMETRIC_HISTORY",
        "DBA_CDB_RSRC_PLANS",
        "DBA_CDB_RSRC_PLAN_DIRECTIVES",
        "V$CONTAINERS",
        "DBA_PDBS",
        "CDB_PDBS",
        "CDB_PDB_HISTORY",
        "DBA_PDB_HISTORY",
        "DBA_PDB_SAVED_STATES",
        "PDB_PLUG_IN_VIOLATIONS",
        "CDB_USERS",
        "DBA_USERS",
        "DBA_ROLES",
        "DBA_SYS_PRIVS",
        "DBA_ROLE_PRIVS",
        "DBA_TENANTS",
        "CDB_TENANTS",
        "DBA_TENANT_EVENTS",
        "CDB_TENANT_EVENTS",
        "DBA_TENANT_TEMPLATES",
        "DBA_PDB_BACKUPS",
        "CDB_PDB_BACKUPS",
        "CDB_METERING",
        "DBA_METERING",
        "CDB_BILLING",
        "DBA_BILLING",
        "CDB_SLA",
        "DBA_SLA",
        "CDB_SLA_VIOLATIONS",
        "DBA_SLA_VIOLATIONS",
    }
    names = {k: [c for c, _ in v.columns] for k, v in VIEWS.items()}
    container_cols = [
        "CON_ID",
        "DBID",
        "CON_UID",
        "GUID",
        "NAME",
        "OPEN_MODE",
        "RESTRICTED",
        "OPEN_TIME",
        "CREATE_SCN",
        "TOTAL_SIZE",
        "BLOCK_SIZE",
        "LOCAL_UNDO",
        "MAX_SIZE",
    ]
    assert names["V$PDBS"] == names["V$CONTAINERS"] == container_cols
    for view in ("DBA_PDBS", "CDB_PDBS"):
        assert {"PDB_ID", "PDB_NAME", "DBID", "CON_UID", "GUID", "STATUS", "CREATION_SCN", "CON_ID"} <= set(
            names[view]
        )
    history = ["PDB_NAME", "PDB_ID", "PDB_GUID", "OP_TIMESTAMP", "OPERATION", "CLONED_FROM_PDB_NAME"]
    assert names["DBA_PDB_HISTORY"] == history and names["CDB_PDB_HISTORY"] == [*history, "CON_ID"]
    assert names["DBA_PDB_SAVED_STATES"] == ["CON_ID", "CON_NAME", "GUID", "STATE", "RESTRICTED"]
    assert names["PDB_PLUG_IN_VIOLATIONS"] == ["TIME", "NAME", "CAUSE", "TYPE", "MESSAGE", "STATUS", "ACTION"]
    users = [
        "USERNAME",
        "USER_ID",
        "ACCOUNT_STATUS",
        "CREATED",
        "COMMON",
        "ORACLE_MAINTAINED",
        "ALLOWED_SCHEMAS",
    ]
    assert names["DBA_USERS"] == users and names["CDB_USERS"] == [*users, "CON_ID"]
    assert names["DBA_ROLES"] == ["ROLE", "COMMON", "ORACLE_MAINTAINED"]
    assert names["DBA_SYS_PRIVS"] == ["GRANTEE", "PRIVILEGE", "ADMIN_OPTION", "COMMON", "INHERITED"]
    assert names["DBA_ROLE_PRIVS"][:5] == [
        "GRANTEE",
        "GRANTED_ROLE",
        "ADMIN_OPTION",
        "DEFAULT_ROLE",
        "COMMON",
    ]
    types = {t for v in VIEWS.values() for _, t in v.columns}
    assert types <= {"INTEGER", "BIGINT", "VARCHAR", "TIMESTAMP", "DOUBLE", "DECIMAL(18,2)"}  # money: billing


# ------------------------------------------------------------------ containers


def test_v_pdbs_and_v_containers_in_root(store: CatalogStore) -> None:
    sizes = {ROOT_ID: 10, SEED_ID: 20, PDB1: 30, PDB2: 40}
    pdbs = rows(store, "V$PDBS", ROOT_ID, SizedLive(sizes))
    assert [r["NAME"] for r in pdbs] == ["PDB$SEED", "PDB1", "PDB2"]
    assert [r["CON_ID"] for r in rows(store, "V$CONTAINERS", ROOT_ID)] == [ROOT_ID, SEED_ID, PDB1, PDB2]
    by = {r["NAME"]: r for r in pdbs}
    assert by["PDB1"]["OPEN_MODE"] == "READ WRITE" and by["PDB1"]["RESTRICTED"] == "YES"
    assert by["PDB1"]["OPEN_TIME"] == dt.datetime(2023, 11, 14, 22, 13, 20, 500000)
    assert by["PDB1"]["TOTAL_SIZE"] == 30 and by["PDB1"]["MAX_SIZE"] == 1 << 30
    assert by["PDB2"]["OPEN_MODE"] == "MOUNTED" and by["PDB2"]["RESTRICTED"] is None
    assert by["PDB2"]["OPEN_TIME"] is None and by["PDB2"]["MAX_SIZE"] == 0
    assert by["PDB$SEED"]["OPEN_MODE"] == "READ ONLY" and by["PDB$SEED"]["RESTRICTED"] == "NO"
    c = store.container_by_id(PDB1)
    assert c is not None
    assert (
        by["PDB1"]["GUID"] == c.guid
        and by["PDB1"]["DBID"] == c.dbid
        and by["PDB1"]["CREATE_SCN"] == c.creation_scn
    )
    assert by["PDB1"]["BLOCK_SIZE"] == BLOCK_SIZE and by["PDB1"]["LOCAL_UNDO"] == 1
    assert rows(store, "V$PDBS", ROOT_ID)[0]["TOTAL_SIZE"] == 0  # without size_of


def test_v_pdbs_inside_a_pdb(store: CatalogStore) -> None:
    assert col(store, "V$PDBS", PDB1, "NAME") == ["PDB1"]
    assert col(store, "V$CONTAINERS", PDB1, "NAME") == ["PDB1"]
    assert col(store, "V$PDBS", PDB2, "NAME") == ["PDB2"]
    assert rows(store, "V$PDBS", 99) == []


def test_dba_and_cdb_pdbs(store: CatalogStore) -> None:
    for view in ("DBA_PDBS", "CDB_PDBS"):
        got = {r["PDB_NAME"]: (r["PDB_ID"], r["STATUS"], r["CON_ID"]) for r in rows(store, view, ROOT_ID)}
        assert got == {
            "PDB$SEED": (SEED_ID, "NORMAL", SEED_ID),
            "PDB1": (PDB1, "NORMAL", PDB1),
            "PDB2": (PDB2, "NEW", PDB2),
        }
        assert col(store, view, PDB2, "PDB_NAME") == ["PDB2"]
    created = rows(store, "DBA_PDBS", PDB1)[0]["CREATION_TIME"]
    assert isinstance(created, dt.datetime) and created.year >= 2024


def test_pdb_history(store: CatalogStore) -> None:
    root = rows(store, "CDB_PDB_HISTORY", ROOT_ID)
    assert [(r["PDB_NAME"], r["OPERATION"], r["CLONED_FROM_PDB_NAME"], r["CON_ID"]) for r in root] == [
        ("PDB1", "CREATE", None, PDB1),
        ("PDB2", "CLONE", "PDB1", PDB2),
    ]
    assert isinstance(root[0]["OP_TIMESTAMP"], dt.datetime)
    assert col(store, "DBA_PDB_HISTORY", ROOT_ID, "PDB_NAME") == ["PDB1", "PDB2"]
    assert col(store, "DBA_PDB_HISTORY", PDB2, "OPERATION") == ["CLONE"]
    assert col(store, "CDB_PDB_HISTORY", PDB1, "OPERATION") == ["CREATE"]
    # a dropped PDB's con_id reused by a new PDB: the old history stays out of the new PDB's view
    p1 = store.container_by_id(PDB1)
    assert p1 is not None
    store.add_history(p1, "DROP")
    store.delete_container(PDB1)
    new = store.insert_container(PDB1, "PDB9", "NEW", "MOUNTED", "SILVER", None)
    store.add_history(new, "CREATE")
    assert col(store, "DBA_PDB_HISTORY", PDB1, "PDB_NAME") == ["PDB9"]
    assert col(store, "CDB_PDB_HISTORY", ROOT_ID, "OPERATION") == ["CREATE", "CLONE", "DROP", "CREATE"]


def test_saved_states(store: CatalogStore) -> None:
    assert rows(store, "DBA_PDB_SAVED_STATES", ROOT_ID) == [
        {
            "CON_ID": PDB1,
            "CON_NAME": "PDB1",
            "GUID": store.container_by_id(PDB1).guid,  # type: ignore[union-attr]
            "STATE": "OPEN",
            "RESTRICTED": "YES",
        }
    ]
    store.update_container(PDB2, saved_state="READ ONLY")
    assert col(store, "DBA_PDB_SAVED_STATES", ROOT_ID, "STATE") == ["OPEN", "OPEN READ ONLY"]
    assert col(store, "DBA_PDB_SAVED_STATES", PDB2, "CON_NAME") == ["PDB2"]


def test_plug_in_violations(store: CatalogStore) -> None:
    assert rows(store, "PDB_PLUG_IN_VIOLATIONS", ROOT_ID) == []
    store.add_plug_violation(
        "PDB2", "Storage Version", "ERROR", "written by a newer DuckDB", "upgrade the server"
    )
    store.add_plug_violation("PDB1", "Parameter", "WARNING", "CPU_COUNT above the tier")
    root = rows(store, "PDB_PLUG_IN_VIOLATIONS", ROOT_ID)
    assert [(r["NAME"], r["TYPE"], r["STATUS"]) for r in root] == [
        ("PDB2", "ERROR", "PENDING"),
        ("PDB1", "WARNING", "PENDING"),
    ]
    assert root[0]["ACTION"] == "upgrade the server" and isinstance(root[0]["TIME"], dt.datetime)
    assert col(store, "PDB_PLUG_IN_VIOLATIONS", PDB1, "CAUSE") == ["Parameter"]
    store.resolve_plug_violations("PDB2")
    assert col(store, "PDB_PLUG_IN_VIOLATIONS", PDB2, "STATUS") == ["RESOLVED"]
    store.delete_container(PDB2)
    assert col(store, "PDB_PLUG_IN_VIOLATIONS", ROOT_ID, "NAME") == ["PDB1"]


# ------------------------------------------------------------------ users and privileges


def test_dba_users(store: CatalogStore) -> None:
    root = {r["USERNAME"]: r for r in rows(store, "DBA_USERS", ROOT_ID)}
    assert set(root) == {"SYS", "C##OPS"}
    assert (
        root["SYS"]["USER_ID"] == 0
        and root["SYS"]["ORACLE_MAINTAINED"] == "Y"
        and root["SYS"]["COMMON"] == "YES"
    )
    assert root["C##OPS"]["ACCOUNT_STATUS"] == "LOCKED" and root["C##OPS"]["ORACLE_MAINTAINED"] == "N"
    assert isinstance(root["C##OPS"]["CREATED"], dt.datetime)
    pdb1 = {r["USERNAME"]: r["COMMON"] for r in rows(store, "DBA_USERS", PDB1)}
    assert pdb1 == {"SYS": "YES", "C##OPS": "YES", "ADM1": "NO"}
    assert set(col(store, "DBA_USERS", PDB2, "USERNAME")) == {"SYS", "C##OPS", "ADM2"}


def test_cdb_users(store: CatalogStore) -> None:
    root = {(r["USERNAME"], r["CON_ID"]) for r in rows(store, "CDB_USERS", ROOT_ID)}
    common = {(u, c) for u in ("SYS", "C##OPS") for c in (ROOT_ID, SEED_ID, PDB1, PDB2)}
    assert root == common | {("ADM1", PDB1), ("ADM2", PDB2)}
    inside = {(r["USERNAME"], r["CON_ID"]) for r in rows(store, "CDB_USERS", PDB1)}
    assert inside == {("SYS", PDB1), ("C##OPS", PDB1), ("ADM1", PDB1)}


def test_dba_roles(store: CatalogStore) -> None:
    root = {r["ROLE"]: (r["COMMON"], r["ORACLE_MAINTAINED"]) for r in rows(store, "DBA_ROLES", ROOT_ID)}
    assert root == {
        "CONNECT": ("YES", "Y"),
        "RESOURCE": ("YES", "Y"),
        "DBA": ("YES", "Y"),
        "C##APP": ("YES", "N"),
    }
    pdb1 = {r["ROLE"]: r["COMMON"] for r in rows(store, "DBA_ROLES", PDB1)}
    assert pdb1 == {
        "CONNECT": "YES",
        "RESOURCE": "YES",
        "DBA": "YES",
        "C##APP": "YES",
        "PDB_DBA": "NO",
        "READER": "NO",
    }
    assert "READER" not in col(store, "DBA_ROLES", PDB2, "ROLE")


def test_dba_sys_privs(store: CatalogStore) -> None:
    def of(con_id: int, grantee: str) -> set[tuple[object, ...]]:
        return {
            (r["PRIVILEGE"], r["ADMIN_OPTION"], r["COMMON"], r["INHERITED"])
            for r in rows(store, "DBA_SYS_PRIVS", con_id)
            if r["GRANTEE"] == grantee
        }

    assert of(ROOT_ID, "C##OPS") == {
        ("CREATE SESSION", "YES", "YES", "NO"),
        ("CREATE TABLE", "NO", "NO", "NO"),
    }
    assert of(PDB1, "C##OPS") == {
        ("CREATE SESSION", "YES", "YES", "YES"),
        ("SELECT ANY TABLE", "NO", "NO", "NO"),
    }
    assert of(PDB2, "C##OPS") == {("CREATE SESSION", "YES", "YES", "YES")}
    assert ("SYSDBA", "NO", "YES", "NO") in of(ROOT_ID, "SYS")
    assert of(ROOT_ID, "PDB_DBA") == set()
    assert ("CREATE USER", "NO", "NO", "NO") in of(PDB1, "PDB_DBA")
    assert ("CREATE SESSION", "NO", "YES", "YES") in of(PDB1, "CONNECT")


def test_dba_role_privs(store: CatalogStore) -> None:
    def of(con_id: int) -> set[tuple[object, ...]]:
        return {
            (
                r["GRANTEE"],
                r["GRANTED_ROLE"],
                r["ADMIN_OPTION"],
                r["DEFAULT_ROLE"],
                r["COMMON"],
                r["INHERITED"],
            )
            for r in rows(store, "DBA_ROLE_PRIVS", con_id)
        }

    assert of(ROOT_ID) == {("C##OPS", "C##APP", "NO", "YES", "YES", "NO")}
    assert of(PDB1) == {
        ("C##OPS", "C##APP", "NO", "YES", "YES", "YES"),
        ("ADM1", "PDB_DBA", "NO", "YES", "NO", "NO"),
        ("ADM1", "READER", "NO", "YES", "NO", "NO"),
    }
    assert ("ADM2", "PDB_DBA", "NO", "YES", "NO", "NO") in of(PDB2)
    assert not any(g == "ADM1" for g, *_ in of(PDB2))


# ------------------------------------------------------------------ payload and statements


def test_payload_is_json_and_castable(store: CatalogStore) -> None:
    data = payload(store, ROOT_ID, list(VIEWS), SizedLive())
    text = json.dumps(data)
    assert set(json.loads(text)) == set(VIEWS)
    v = data["V$PDBS"]
    assert v["columns"][0] == ["CON_ID", "INTEGER"]
    pdb1 = next(r for r in v["rows"] if r[4] == "PDB1")
    assert pdb1[7] == "2023-11-14 22:13:20.500000" and pdb1[9] == PDB1 * 1000
    con = duckdb.connect()
    for name, body in data.items():
        if not body["rows"]:
            continue
        casts = ", ".join(f"CAST(? AS {t})" for _, t in body["columns"])
        for row in body["rows"]:
            got = con.execute(f"SELECT {casts}", row).fetchone()
            assert got is not None and len(got) == len(body["columns"]), name
    assert payload(store, PDB2, ["v$pdbs"])["V$PDBS"]["rows"][0][4] == "PDB2"
    with pytest.raises(KeyError):
        payload(store, ROOT_ID, ["NO_SUCH_VIEW"])


@pytest.mark.parametrize(
    "sql, expected",
    [
        ("select * from v$pdbs", ["V$PDBS"]),
        ('SELECT name FROM "V$PDBS"', ["V$PDBS"]),
        ('select * from "v$pdbs"', ["V$PDBS"]),
        (
            "select * from sys.dba_users u join cdb_users c on u.username = c.username",
            ["DBA_USERS", "CDB_USERS"],
        ),
        ("select * from V$CONTAINERS,v$pdbs, v$containers", ["V$CONTAINERS", "V$PDBS"]),
        ("select 'v$pdbs', $$dba_users$$, e'dba_roles'", []),
        ("select * from v$pdbsx, my_dba_users", []),
        ("select count(*) from dba_pdb_saved_states where x = $1", ["DBA_PDB_SAVED_STATES"]),
        (
            "select * from pdb_plug_in_violations, dba_pdb_history, cdb_pdb_history, dba_roles,"
            " dba_sys_privs, dba_role_privs, dba_pdbs, cdb_pdbs",
            [
                "PDB_PLUG_IN_VIOLATIONS",
                "DBA_PDB_HISTORY",
                "CDB_PDB_HISTORY",
                "DBA_ROLES",
                "DBA_SYS_PRIVS",
                "DBA_ROLE_PRIVS",
                "DBA_PDBS",
                "CDB_PDBS",
            ],
        ),
    ],
)
def test_referenced_views(sql: str, expected: list[str]) -> None:
    assert referenced_views(split(sql)[0]) == expected


def test_referenced_views_joins_split_tokens() -> None:
    # A tokenizer that cuts at '$' (as sqlglot does for some names) gives v, $, pdbs: one name.
    text = "select * from v$pdbs, v $containers"
    toks = [
        Token(TokenType.SELECT, "select", start=0, end=5),
        Token(TokenType.STAR, "*", start=7, end=7),
        Token(TokenType.FROM, "from", start=9, end=12),
        Token(TokenType.VAR, "v", start=14, end=14),
        Token(TokenType.VAR, "$", start=15, end=15),
        Token(TokenType.VAR, "pdbs", start=16, end=19),
        Token(TokenType.COMMA, ",", start=20, end=20),
        Token(TokenType.VAR, "v", start=22, end=22),
        Token(TokenType.VAR, "$containers", start=24, end=34),
    ]
    stmt = Statement(text, "select", "SELECT", (), tuple(toks), text)
    assert referenced_views(stmt) == ["V$PDBS"]  # "v $containers" has a gap: not a name


def test_rows_without_users(tmp_path: Path) -> None:
    s = CatalogStore(str(tmp_path / "c.sqlite3"))
    s.insert_container(ROOT_ID, "CDB$ROOT", "NORMAL", "READ WRITE", "SILVER", None)
    for name, view in VIEWS.items():
        got = view.rows(s, ROOT_ID)
        assert isinstance(got, list), name
    assert col(s, "DBA_USERS", ROOT_ID, "USERNAME") == []
    assert set(col(s, "DBA_ROLES", ROOT_ID, "ROLE")) == {"DBA", "CONNECT", "RESOURCE"}
    assert User("X", 1, True, "", None, "OPEN").user_id == 0
    s.close()
