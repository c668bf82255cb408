"""CREATE PLUGGABLE DATABASE ... FROM: cold, hot (source taking writes), NO DATA, SNAPSHOT COPY."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest

from tests.server import RunningServer


def _name() -> str:
    return "C" + uuid.uuid4().hex[:8].upper()


def _source(server: RunningServer, root) -> str:
    src = _name()
    root.execute(f'CREATE PLUGGABLE DATABASE {src} ADMIN USER adm IDENTIFIED BY "Adm-Pw-1"')
    root.execute(f"ALTER PLUGGABLE DATABASE {src} OPEN")
    with server.connect(src, "adm", "Adm-Pw-1", autocommit=True) as c:
        c.execute("create table t(id int primary key, v text default 'd')")
        c.execute("insert into t select i, 'v' || i from range(100) r(i)")
        c.execute("create view tv as select count(*) n from t")
        c.execute("create sequence sq")
        c.execute("create macro plus1(x) as x + 1")
    return src


def test_clone_of_open_source_and_no_data(server: RunningServer, root) -> None:
    src = _source(server, root)
    full, empty = _name(), _name()
    root.execute(f"CREATE PLUGGABLE DATABASE {full} FROM {src}")
    root.execute(f"CREATE PLUGGABLE DATABASE {empty} FROM {src} NO DATA")
    for name in (full, empty):
        root.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    # the clone has the source's local users
    with server.connect(full, "adm", "Adm-Pw-1") as c:
        assert c.execute("select count(*), max(id) from t").fetchone() == (100, 99)
        assert c.execute("select n from tv").fetchone() == (100,)
    with server.connect(empty, "adm", "Adm-Pw-1") as c:
        assert c.execute("select count(*) from t").fetchone() == (0,)
        assert c.execute("select n from tv").fetchone() == (0,)
        assert c.execute("select plus1(1), nextval('sq')").fetchone() == (2, 1)
        c.execute("insert into t(id) values (1)")
        with pytest.raises(psycopg.errors.UniqueViolation):
            c.execute("insert into t(id) values (1)")
    # the source is untouched
    with server.connect(src, "adm", "Adm-Pw-1") as c:
        assert c.execute("select count(*) from t").fetchone() == (100,)


def test_hot_clone_while_source_takes_writes(server: RunningServer, root) -> None:
    src = _source(server, root)
    stop = threading.Event()
    committed: list[int] = []

    def writer() -> None:
        with server.connect(src, "adm", "Adm-Pw-1", autocommit=True) as c:
            i = 1000
            while not stop.is_set():
                # each transaction inserts two rows: a clone must never hold just one of them
                with c.transaction():
                    c.execute("insert into t values (%s, 'a'), (%s, 'b')", (i, i + 1))
                committed.append(i)
                i += 2

    t = threading.Thread(target=writer)
    t.start()
    time.sleep(0.5)
    clone = _name()
    try:
        root.execute(f"CREATE PLUGGABLE DATABASE {clone} FROM {src}")
    finally:
        stop.set()
        t.join()
    root.execute(f"ALTER PLUGGABLE DATABASE {clone} OPEN")
    with server.connect(clone, "adm", "Adm-Pw-1") as c:
        n = c.execute("select count(*) from t where id >= 1000").fetchone()[0]
        assert n % 2 == 0
        assert c.execute("select count(*) from t where id < 100").fetchone() == (100,)
    assert committed


def test_clone_errors_and_snapshot_copy(server: RunningServer, root) -> None:
    src = _source(server, root)
    with pytest.raises(psycopg.Error, match="ORA-65011"):
        root.execute(f"CREATE PLUGGABLE DATABASE {_name()} FROM nosuchpdb")
    with pytest.raises(psycopg.Error, match="ORA-65012"):
        root.execute(f"CREATE PLUGGABLE DATABASE {src} FROM {src}")
    root.execute(f"ALTER PLUGGABLE DATABASE {src} CLOSE IMMEDIATE")
    snap = _name()
    notices: list[str] = []
    root.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    root.execute(f"CREATE PLUGGABLE DATABASE {snap} FROM {src} SNAPSHOT COPY")
    root.execute(f"ALTER PLUGGABLE DATABASE {snap} OPEN")
    with server.connect(snap, "adm", "Adm-Pw-1") as c:
        assert c.execute("select count(*) from t").fetchone() == (100,)
    history = [r for r in root.execute("SHOW PDBS").fetchall() if r[1] == snap]
    assert history and history[0][2] == "READ WRITE"
    # a snapshot clone's source cannot be dropped while the clone exists
    with pytest.raises(psycopg.Error, match="snapshot clones") as ei:
        root.execute(f"DROP PLUGGABLE DATABASE {src} INCLUDING DATAFILES")
    assert ei.value.sqlstate == "2BP01"
    root.execute(f"ALTER PLUGGABLE DATABASE {snap} CLOSE IMMEDIATE")
    root.execute(f"DROP PLUGGABLE DATABASE {snap} INCLUDING DATAFILES")
    root.execute(f"DROP PLUGGABLE DATABASE {src} INCLUDING DATAFILES")
