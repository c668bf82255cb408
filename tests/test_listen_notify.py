"""LISTEN / NOTIFY (issue 14): delivered at commit, in order, once per distinct payload, within one
PDB only; an idle listener gets them at once; psycopg's notifies() and asyncpg's add_listener."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid

import asyncpg
import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD


def _channel() -> str:
    return "ch_" + uuid.uuid4().hex[:8]


def _collect(conn: psycopg.Connection, n: int, timeout: float = 5.0) -> list[tuple[str, str, int]]:
    out = []
    for note in conn.notifies(timeout=timeout, stop_after=n):
        out.append((note.channel, note.payload, note.pid))
    return out


def test_notify_reaches_an_idle_listener(server, pdb, conn) -> None:
    ch = _channel()
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as listener:
        listener.execute(f"LISTEN {ch}")
        threading.Timer(0.3, lambda: conn.execute(f"NOTIFY {ch}, 'hello'")).start()
        got = _collect(listener, 1)
    assert got == [(ch, "hello", conn.info.backend_pid)]


def test_notifications_wait_for_commit_in_order_and_once(server, pdb, conn) -> None:
    ch = _channel()
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as listener:
        listener.execute(f"LISTEN {ch}")
        conn.execute("BEGIN")
        conn.execute(f"NOTIFY {ch}, 'a'")
        conn.execute(f"NOTIFY {ch}, 'b'")
        conn.execute(f"NOTIFY {ch}, 'a'")  # a duplicate in one transaction is sent once
        assert _collect(listener, 1, timeout=0.5) == []  # nothing before COMMIT
        conn.execute("COMMIT")
        got = _collect(listener, 2)
        assert [p for _, p, _ in got] == ["a", "b"]
        conn.execute("BEGIN")
        conn.execute(f"NOTIFY {ch}, 'never'")
        conn.execute("ROLLBACK")
        assert _collect(listener, 1, timeout=0.5) == []


def test_a_listener_in_a_transaction_gets_them_after_it(server, pdb, conn) -> None:
    ch = _channel()
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as listener:
        listener.execute(f"LISTEN {ch}")
        listener.execute("BEGIN")
        conn.execute(f"NOTIFY {ch}, 'x'")
        time.sleep(0.3)
        listener.execute("SELECT 1")
        assert _collect(listener, 1, timeout=0.3) == []  # not delivered inside the block
        listener.execute("COMMIT")
        assert [p for _, p, _ in _collect(listener, 1)] == ["x"]


def test_unlisten_and_channel_names(server, pdb, conn) -> None:
    ch = _channel()
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as listener:
        listener.execute(f'LISTEN "{ch.upper()}"')  # quoted: case kept
        listener.execute(f"LISTEN {ch}")
        conn.execute(f"NOTIFY \"{ch.upper()}\", 'quoted'")
        conn.execute(f"NOTIFY {ch.upper()}, 'folded'")  # unquoted: lower case, the other channel
        got = {(c, p) for c, p, _ in _collect(listener, 2)}
        assert got == {(ch, "folded"), (ch.upper(), "quoted")}
        listener.execute("UNLISTEN *")
        conn.execute(f"NOTIFY {ch}, 'gone'")
        assert _collect(listener, 1, timeout=0.5) == []


def test_notifications_stay_in_their_pdb(server, root, pdb) -> None:
    other = "N" + uuid.uuid4().hex[:6].upper()
    root.execute(f'CREATE PLUGGABLE DATABASE {other} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"')
    root.execute(f"ALTER PLUGGABLE DATABASE {other} OPEN")
    try:
        with (
            server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as here,
            server.connect(other, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as there,
        ):
            here.execute("LISTEN shared_name")
            there.execute("NOTIFY shared_name, 'from another PDB'")
            assert _collect(here, 1, timeout=0.7) == []
    finally:
        root.execute(f"ALTER PLUGGABLE DATABASE {other} CLOSE IMMEDIATE")
        root.execute(f"DROP PLUGGABLE DATABASE {other} INCLUDING DATAFILES")


def test_payload_limit_and_syntax(conn) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        conn.execute(f"NOTIFY c, '{'x' * 8000}'")
    with pytest.raises(psycopg.errors.SyntaxError):
        conn.execute("LISTEN c, 'payload'")
    assert conn.execute("select 1").fetchone() == (1,)


def test_asyncpg_add_listener(server, pdb) -> None:
    ch = _channel()

    async def run() -> list[str]:
        kw = dict(
            host="127.0.0.1", port=server.port, user=PDB_ADMIN, password=PDB_PASSWORD, database=pdb, ssl=False
        )
        listener = await asyncpg.connect(**kw)
        sender = await asyncpg.connect(**kw)
        got: asyncio.Queue[str] = asyncio.Queue()
        try:
            await listener.add_listener(ch, lambda _c, _pid, _ch, payload: got.put_nowait(payload))
            await sender.execute(f"NOTIFY {ch}, 'one'")
            async with sender.transaction():
                await sender.execute(f"NOTIFY {ch}, 'two'")
            return [await asyncio.wait_for(got.get(), 5), await asyncio.wait_for(got.get(), 5)]
        finally:
            await listener.close()
            await sender.close()

    assert asyncio.run(run()) == ["one", "two"]


def test_pg_notify_function_with_literals_and_parameters(server, pdb, conn) -> None:
    ch = _channel()
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as listener:
        listener.execute(f"LISTEN {ch}")
        cur = conn.execute(f"SELECT pg_notify('{ch}', 'literal')")
        assert cur.fetchall() == [("",)] and cur.description[0].name == "pg_notify"
        conn.execute("SELECT pg_notify(%s, %s)", (ch, "parameter"))  # server-side binding
        with conn.transaction():
            conn.execute("SELECT pg_notify(%s, %s)", (ch, "at commit"), prepare=True)
        got = [p for _, p, _ in _collect(listener, 3)]
        assert got == ["literal", "parameter", "at commit"]
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        conn.execute("SELECT pg_notify('', 'x')")
