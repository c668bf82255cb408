"""UNPLUG INTO a manifest or a .pdb archive, DROP, plug back in, open: the data comes back intact."""

from __future__ import annotations

import shutil
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import psycopg
import pytest

from tests.server import RunningServer


def _name() -> str:
    return "U" + uuid.uuid4().hex[:8].upper()


def _pdb_with_data(server: RunningServer, root) -> str:
    name = _name()
    root.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with server.connect(name, "adm", "Adm-Pw-1", autocommit=True) as c:
        c.execute("CREATE ROLE reader")
        c.execute("GRANT CREATE SESSION TO reader")
        c.execute('CREATE USER app IDENTIFIED BY "App-Pw-1"')
        c.execute("GRANT reader TO app")
        c.execute("GRANT SELECT ON t TO reader")
        c.execute("create table t(id int primary key, v text)")
        c.execute("insert into t select i, 'row ' || i from range(1000) r(i)")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE")
    return name


@pytest.mark.parametrize("ext", ["xml", "pdb"])
def test_unplug_drop_plug_open_round_trip(server: RunningServer, root, ext) -> None:
    name = _pdb_with_data(server, root)
    target = f"{name.lower()}.{ext}"
    root.execute(f"ALTER PLUGGABLE DATABASE {name} UNPLUG INTO '{target}'")
    rows = {r[1]: r for r in root.execute("SHOW PDBS").fetchall()}
    assert rows[name][2] == "MOUNTED"
    with pytest.raises(psycopg.Error, match="ORA-65086"):
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    for other in ("SAVE STATE", "STORAGE UNLIMITED", f"RENAME GLOBAL_NAME TO {_name()}"):
        with pytest.raises(psycopg.Error, match="ORA-65086"):
            root.execute(f"ALTER PLUGGABLE DATABASE {name} {other}")
    with pytest.raises(psycopg.Error, match="ORA-65343"):
        root.execute(f"ALTER PLUGGABLE DATABASE {name} UNPLUG INTO 'again.xml'")
    exchange = server.data_dir / "exchange"
    assert (exchange / target).exists()
    if ext == "xml":
        m = ET.parse(exchange / target).getroot()
        assert m.findtext("pdbname") == name
        f = m.find("files/file")
        assert f is not None and len(f.get("sha256", "")) == 64
        users = [u.get("name") for u in m.iterfind("users/user")]
        assert "ADM" in users
        assert all(u.get("verifier", "").startswith("SCRAM-SHA-256$") for u in m.iterfind("users/user"))
    # same GUID still in the CDB: plugging it in again without AS CLONE is refused
    with pytest.raises(psycopg.Error, match="ORA-65122"):
        root.execute(f"CREATE PLUGGABLE DATABASE {_name()} USING '{target}'")
    root.execute(f"DROP PLUGGABLE DATABASE {name} KEEP DATAFILES")
    back = _name()
    root.execute(f"CREATE PLUGGABLE DATABASE {back} USING '{target}' COPY")
    root.execute(f"ALTER PLUGGABLE DATABASE {back} OPEN")
    with server.connect(back, "adm", "Adm-Pw-1") as c:
        assert c.execute("select count(*), sum(id), max(v) from t").fetchone() == (1000, 499500, "row 999")
    # local users, roles and grants came back with the PDB
    with server.connect(back, "app", "App-Pw-1") as c:
        assert c.execute("select count(*) from t").fetchone() == (1000,)
    root.execute(f"ALTER PLUGGABLE DATABASE {back} CLOSE IMMEDIATE")


def test_paths_outside_the_exchange_directory_are_refused(server: RunningServer, root) -> None:
    name = _pdb_with_data(server, root)
    for bad in ("/tmp/evil.xml", "../catalog.sqlite3.xml", "sub/../../x.xml"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            root.execute(f"ALTER PLUGGABLE DATABASE {name} UNPLUG INTO '{bad}'")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        root.execute(f"CREATE PLUGGABLE DATABASE {_name()} USING '/etc/passwd'")


def test_check_plug_compatibility_and_checksum_violation(server: RunningServer, root) -> None:
    name = _pdb_with_data(server, root)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} UNPLUG INTO '{name}.xml'")
    root.execute(f"DROP PLUGGABLE DATABASE {name} KEEP DATAFILES")
    ok = root.execute(f"SELECT DBMS_PDB.CHECK_PLUG_COMPATIBILITY('{name}.xml', '{name}')").fetchone()
    assert ok == ("YES",)
    # damage the data file the manifest points at
    m = ET.parse(server.data_dir / "exchange" / f"{name}.xml").getroot()
    path = m.find("files/file").get("path")
    with open(path, "r+b") as f:
        f.seek(5000)
        f.write(b"corrupt!")
    assert root.execute(f"SELECT DBMS_PDB.CHECK_PLUG_COMPATIBILITY('{name}.xml', '{name}')").fetchone() == (
        "NO",
    )
    plugged = _name()
    root.execute(f"CREATE PLUGGABLE DATABASE {plugged} AS CLONE USING '{name}.xml'")
    with pytest.raises(psycopg.Error, match="Checksum mismatch"):
        root.execute(f"ALTER PLUGGABLE DATABASE {plugged} OPEN")
    root.execute(f"DROP PLUGGABLE DATABASE {plugged} INCLUDING DATAFILES")


@pytest.mark.parametrize("same_name", [True, False])
def test_drop_keep_datafiles_then_plug_nocopy_in_place(server: RunningServer, root, same_name) -> None:
    # The kept file is already where a PDB of that GUID keeps it: NOCOPY plugs it in place.
    name = _pdb_with_data(server, root)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} UNPLUG INTO '{name}.xml'")
    root.execute(f"DROP PLUGGABLE DATABASE {name} KEEP DATAFILES")
    back = name if same_name else _name()
    root.execute(f"CREATE PLUGGABLE DATABASE {back} USING '{name}.xml' NOCOPY")
    root.execute(f"ALTER PLUGGABLE DATABASE {back} OPEN")
    with server.connect(back, "adm", "Adm-Pw-1") as c:
        assert c.execute("select count(*), sum(id) from t").fetchone() == (1000, 499500)
    root.execute(f"ALTER PLUGGABLE DATABASE {back} CLOSE IMMEDIATE")


@pytest.mark.parametrize("mode", ["NOCOPY", "COPY", "MOVE"])
def test_a_changed_data_file_is_a_violation_in_every_mode(server: RunningServer, root, mode) -> None:
    name = _pdb_with_data(server, root)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} UNPLUG INTO '{name}.xml'")
    root.execute(f"DROP PLUGGABLE DATABASE {name} KEEP DATAFILES")
    m = ET.parse(server.data_dir / "exchange" / f"{name}.xml").getroot()
    with open(m.find("files/file").get("path"), "ab") as f:  # grown after the unplug
        f.write(b"\0" * 4096)
    root.execute(f"CREATE PLUGGABLE DATABASE {name} USING '{name}.xml' {mode}")
    rows = root.execute("select cause, type from pdb_plug_in_violations where name = %s", (name,)).fetchall()
    assert ("Checksum mismatch", "ERROR") in rows
    with pytest.raises(psycopg.Error, match="Checksum mismatch"):
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    root.execute(f"DROP PLUGGABLE DATABASE {name} INCLUDING DATAFILES")


def test_a_failed_plug_leaves_nothing_behind(server: RunningServer, root) -> None:
    name = _pdb_with_data(server, root)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} UNPLUG INTO '{name}.xml'")
    root.execute(f"DROP PLUGGABLE DATABASE {name} KEEP DATAFILES")
    # The manifest now names a copy of the file, and another file sits where the PDB would
    # keep its own: NOCOPY cannot link the copy there.
    manifest = server.data_dir / "exchange" / f"{name}.xml"
    tree = ET.parse(manifest)
    f = tree.getroot().find("files/file")
    kept = Path(f.get("path"))
    moved = kept.with_name("elsewhere.duckdb")
    shutil.copyfile(kept, moved)
    f.set("path", str(moved))
    tree.write(manifest)
    with pytest.raises(psycopg.Error, match="ORA-65026") as e:
        root.execute(f"CREATE PLUGGABLE DATABASE {name} USING '{name}.xml' NOCOPY")
    assert e.value.sqlstate == "58030"
    assert name not in [r[1] for r in root.execute("SHOW PDBS").fetchall()]
    assert kept.exists() and moved.exists()  # nothing of the user's was removed
    # the session goes on, and the same plug works once the way is clear
    kept.unlink()
    root.execute(f"CREATE PLUGGABLE DATABASE {name} USING '{name}.xml' NOCOPY")
    root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    with server.connect(name, "adm", "Adm-Pw-1") as c:
        assert c.execute("select count(*) from t").fetchone() == (1000,)
    root.execute(f"ALTER PLUGGABLE DATABASE {name} CLOSE IMMEDIATE")
