"""A tiny recording proxy: real clients talk to a live server through it, and each connection's
client -> server bytes are written as a recording (tests/fuzz/recording.py) for the fuzzer.

    # proxy only: point any client at the printed port, Ctrl-C to stop
    .venv/bin/python -m tests.fuzz.record proxy --target-port 55432 --name mysession

    # the recordings the fuzzer ships: starts a server, runs psql, psycopg, asyncpg (and pgjdbc
    # when javac and the driver are there) through the proxy, writes tests/fuzz/recorded/
    .venv/bin/python -m tests.fuzz.record scripted [--clients psql,psycopg,asyncpg,jdbc]

Clients connect with sslmode=disable (and gssencmode=disable) and password authentication; the
authentication messages are left out of the recordings (see recording.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from tests.fuzz.recording import RECORDED, Recording, split_client_stream

ROOT = Path(__file__).resolve().parents[2]


class RecordingProxy:
    """Forwards 127.0.0.1:<port> to the target, keeping each connection's client bytes."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.streams: list[bytearray] = []  # client -> server bytes, one per connection
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopped = False
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            buf = bytearray()
            with self._lock:
                self.streams.append(buf)
            for src, dst, keep in ((client, upstream, buf), (upstream, client, None)):
                t = threading.Thread(target=self._pump, args=(src, dst, keep), daemon=True)
                t.start()
                self._threads.append(t)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, keep: bytearray | None) -> None:
        try:
            while True:
                data = src.recv(1 << 16)
                if not data:
                    break
                if keep is not None:
                    keep += data
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def take(self) -> list[bytes]:
        """The streams of the connections so far (waiting for them to end), and forget them."""
        for t in self._threads:
            t.join(30)
        with self._lock:
            out = [bytes(s) for s in self.streams]
            self.streams.clear()
            self._threads.clear()
        return out

    def close(self) -> None:
        self._stopped = True
        self.listener.close()


def to_recording(name: str, stream: bytes, comments: list[str]) -> Recording:
    startup, messages = split_client_stream(stream)
    auth = [m for m in messages if m[0] == b"p"]
    post = [m for m in messages if m[0] != b"p"]
    rec = Recording(name, list(comments), startup, post)
    rec.comments.append(f"{len(auth)} authentication message(s) left out; {len(post)} messages after login")
    return rec


# ---------------------------------------------------------------- scripted client sessions

PDB, ADMIN, PASSWORD = "RECPDB", "recadm", "Rec-Admin-Pw-1"

PSQL_SCRIPT = r"""
SELECT 1 AS one, 'two' AS two;
DROP TABLE IF EXISTS fz_psql;
CREATE TABLE fz_psql (id integer PRIMARY KEY, name varchar(20), price numeric(10,2), seen timestamp);
\d
\d fz_psql
COPY fz_psql (id, name, price, seen) FROM STDIN;
1	apple	1.50	2024-01-02 03:04:05
2	pear	\N	2024-02-03 04:05:06
3	fig	9.99	\N
\.
SELECT count(*), sum(price) FROM fz_psql;
SELECT * FROM fz_psql WHERE id = 'not a number';
SELECT 1/0;
BEGIN;
UPDATE fz_psql SET price = price * 2 WHERE id = 1;
SAVEPOINT s1;
DELETE FROM fz_psql WHERE id = 2;
ROLLBACK TO SAVEPOINT s1;
SELECT name, price FROM fz_psql ORDER BY id;
COMMIT;
BEGIN;
INSERT INTO fz_psql VALUES (1, 'dup', 0, now());
ROLLBACK;
SELECT id, upper(name) FROM fz_psql ORDER BY id DESC LIMIT 2;
"""


def run_psql(port: int) -> list[str]:
    env = dict(os.environ, PGPASSWORD=PASSWORD)
    dsn = f"host=127.0.0.1 port={port} dbname={PDB} user={ADMIN} sslmode=disable gssencmode=disable"
    out = subprocess.run(
        ["psql", "-X", "-v", "ON_ERROR_STOP=0", dsn],
        input=PSQL_SCRIPT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    version = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return [f"client: {version}, a script on stdin (queries, \\d, COPY FROM STDIN, errors, transactions)"] + [
        f"psql said: {line}" for line in out.stderr.splitlines()[:6]
    ]


def run_psycopg(port: int) -> list[str]:
    import psycopg

    kw = dict(host="127.0.0.1", port=port, dbname=PDB, user=ADMIN, password=PASSWORD, sslmode="disable")
    with psycopg.connect(**kw, gssencmode="disable", autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS fz_psycopg")
        con.execute("CREATE TABLE fz_psycopg (id integer, label text, amount double precision, data bytea)")
        # simple query protocol (several statements, no parameters)
        with psycopg.ClientCursor(con) as cur:
            cur.execute("SELECT 1; SELECT 'x' AS x")
            cur.execute("INSERT INTO fz_psycopg VALUES (%s, %s, %s, %s)", (0, "client-side", 0.5, b"\x00"))
        # extended protocol with parameters, text and binary
        con.execute("INSERT INTO fz_psycopg VALUES (%s, %s, %s, %s)", (1, "one", 1.25, b"\x01\x02"))
        con.execute("INSERT INTO fz_psycopg VALUES (%b, %b, %b, %b)", (2, "two", -2.5, b"\xff"))
        con.cursor().executemany(
            "INSERT INTO fz_psycopg VALUES (%s, %s, %s, %s)", [(i, f"n{i}", i / 3, None) for i in range(3, 8)]
        )
        con.execute(
            "SELECT * FROM fz_psycopg WHERE id > %s AND label <> %s", (1, "zzz"), binary=True
        ).fetchall()
        con.execute("SELECT %s::int + %s::int AS s", (20, 22), prepare=True).fetchone()
        con.execute("SELECT %s::int + %s::int AS s", (1, 2), prepare=True).fetchone()
        # an error in the extended protocol
        try:
            con.execute("SELECT %s::int / 0", (5,))
        except psycopg.Error:
            pass
        # a transaction and a server-side cursor
        with con.transaction(), con.cursor(name="fz_cur") as cur:
            cur.itersize = 3
            cur.execute("SELECT id, label FROM fz_psycopg ORDER BY id")
            cur.fetchmany(2)
            cur.fetchall()
        # pipeline mode
        with con.pipeline():
            con.execute("UPDATE fz_psycopg SET amount = amount + %s WHERE id = %s", (1.0, 3))
            con.execute("SELECT count(*) FROM fz_psycopg")
            con.execute("SELECT label FROM fz_psycopg WHERE id = %s", (4,))
        # COPY FROM STDIN through the driver
        with con.cursor().copy("COPY fz_psycopg (id, label) FROM STDIN") as cp:
            cp.write_row((100, "copied"))
            cp.write_row((101, None))
        con.execute("SELECT count(*) FROM fz_psycopg").fetchone()
    return [
        f"client: psycopg {psycopg.__version__} (simple, extended text/binary, prepared, "
        "executemany, error, server-side cursor, pipeline, COPY)"
    ]


def run_asyncpg(port: int) -> list[str]:
    import asyncpg

    async def main() -> None:
        con = await asyncpg.connect(
            host="127.0.0.1", port=port, database=PDB, user=ADMIN, password=PASSWORD, ssl=False
        )
        try:
            await con.execute("DROP TABLE IF EXISTS fz_asyncpg")
            await con.execute("CREATE TABLE fz_asyncpg (id bigint, name text, ok boolean, n numeric)")
            stmt = await con.prepare("SELECT $1::bigint * 2 AS doubled, $2::text || '!' AS loud")
            await stmt.fetch(21, "hey")
            await stmt.fetchrow(-1, "")
            await con.executemany(
                "INSERT INTO fz_asyncpg VALUES ($1, $2, $3, $4)",
                [(i, f"r{i}", i % 2 == 0, i) for i in range(5)],
            )
            await con.copy_records_to_table(
                "fz_asyncpg",
                records=[(10, "copied", True, 1), (11, None, None, None)],
                columns=["id", "name", "ok", "n"],
            )
            await con.fetch("SELECT * FROM fz_asyncpg WHERE id >= $1 ORDER BY id", 3)
            async with con.transaction():
                cur = await con.cursor("SELECT id FROM fz_asyncpg ORDER BY id")
                await cur.fetch(2)
                await cur.fetch(2)
            try:
                await con.fetch("SELECT $1::int / 0", 7)
            except asyncpg.PostgresError:
                pass
            await con.fetchval("SELECT count(*) FROM fz_asyncpg")
        finally:
            await con.close()

    asyncio.run(main())
    return [
        f"client: asyncpg {asyncpg.__version__} (prepared statements, binary parameters, "
        "executemany, copy_records_to_table, cursor in a transaction, error)"
    ]


JDBC_JAR = Path("/usr/share/java/postgresql.jar")
JDBC_SOURCE = r"""
import java.sql.*;
public class FuzzRecord {
    public static void main(String[] a) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + a[0] + "/" + a[1] + "?sslmode=disable&gssEncMode=disable";
        try (Connection c = DriverManager.getConnection(url, a[2], a[3])) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS fz_jdbc");
                s.execute("CREATE TABLE fz_jdbc (id int, name varchar(30), d date)");
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO fz_jdbc VALUES (?, ?, ?)")) {
                for (int i = 0; i < 6; i++) {
                    p.setInt(1, i); p.setString(2, "j" + i); p.setDate(3, Date.valueOf("2024-03-0" + (i + 1)));
                    p.addBatch();
                }
                p.executeBatch();
            }
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("SELECT id, name FROM fz_jdbc WHERE id > ?")) {
                p.setFetchSize(2);
                p.setInt(1, 1);
                try (ResultSet r = p.executeQuery()) { while (r.next()) { r.getString(2); } }
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                try { s.executeQuery("SELECT 1/0"); } catch (SQLException e) { }
                s.executeQuery("SELECT count(*) FROM fz_jdbc").close();
            }
            c.getMetaData().getTables(null, null, "fz_jdbc", null).close();
        }
        System.out.println("recorded");
    }
}
"""


def run_jdbc(port: int) -> list[str]:
    if not JDBC_JAR.exists() or shutil.which("javac") is None:
        raise RuntimeError("pgjdbc or javac missing (make test-deps)")
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "FuzzRecord.java").write_text(JDBC_SOURCE)
        subprocess.run(["javac", "-cp", str(JDBC_JAR), "-d", d, str(Path(d) / "FuzzRecord.java")], check=True)
        run = subprocess.run(
            ["java", "-cp", f"{d}:{JDBC_JAR}", "FuzzRecord", str(port), PDB, ADMIN, PASSWORD],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if run.returncode != 0:
            raise RuntimeError(run.stdout + run.stderr)
    return [
        f"client: pgjdbc ({JDBC_JAR.resolve().name}; batch insert, fetch size in a transaction, "
        "error, metadata)"
    ]


CLIENTS = {"psql": run_psql, "psycopg": run_psycopg, "asyncpg": run_asyncpg, "jdbc": run_jdbc}


def scripted(out: Path, clients: list[str]) -> None:
    from tests.server import start_server

    with tempfile.TemporaryDirectory(prefix="fuzz-record-") as tmp:
        srv = start_server(Path(tmp) / "data")
        try:
            with srv.connect(autocommit=True) as con:
                con.execute(f'CREATE PLUGGABLE DATABASE {PDB} ADMIN USER {ADMIN} IDENTIFIED BY "{PASSWORD}"')
                con.execute(f"ALTER PLUGGABLE DATABASE {PDB} OPEN")
            proxy = RecordingProxy(srv.port)
            out.mkdir(parents=True, exist_ok=True)
            for name in clients:
                comments = CLIENTS[name](proxy.port)
                streams = proxy.take()
                for i, stream in enumerate(streams):
                    fname = name if len(streams) == 1 else f"{name}-{i + 1}"
                    rec = to_recording(
                        fname, stream, [*comments, "recorded with tests/fuzz/record.py scripted"]
                    )
                    (out / f"{fname}.pgmsgs").write_text(rec.dumps())
                    print(f"{fname}: {len(rec.messages)} messages, {len(stream)} bytes")
            proxy.close()
        finally:
            srv.stop()


def proxy_only(target_port: int, name: str, out: Path) -> None:
    proxy = RecordingProxy(target_port)
    print(f"recording on 127.0.0.1:{proxy.port} -> 127.0.0.1:{target_port}; Ctrl-C to stop", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    proxy.close()
    out.mkdir(parents=True, exist_ok=True)
    for i, stream in enumerate(proxy.take()):
        rec = to_recording(f"{name}-{i + 1}", stream, ["recorded with tests/fuzz/record.py proxy"])
        (out / f"{rec.name}.pgmsgs").write_text(rec.dumps())
        print(f"{rec.name}: {len(rec.messages)} messages")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("proxy")
    p.add_argument("--target-port", type=int, required=True)
    p.add_argument("--name", default="session")
    p.add_argument("--out", type=Path, default=RECORDED)
    s = sub.add_parser("scripted")
    s.add_argument("--clients", default="psql,psycopg,asyncpg,jdbc")
    s.add_argument("--out", type=Path, default=RECORDED)
    args = ap.parse_args(argv)
    if args.cmd == "proxy":
        proxy_only(args.target_port, args.name, args.out)
    else:
        scripted(args.out, args.clients.split(","))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
