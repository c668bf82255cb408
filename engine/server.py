"""The engine process of one open PDB: opens its DuckDB file inside the sandbox, serves sessions.

Started by the proxy's supervisor as `python -m engine --spec JSON`. Each proxy session is one
unix-socket connection served by its own thread with its own DuckDB connection; DuckDB releases
the GIL while it works, so sessions run in parallel.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sys
import threading
from typing import Any

import duckdb

from engine.copy import CopyIn, copy_out
from engine.errors import to_db_error
from engine.governed import refuse_governed
from engine.session import EngineSession
from pgwire import channel
from pgwire.channel import EngineSpec
from pgwire.errors import DbError

# Spec fields the supervisor may change while the engine runs -> the DuckDB setting each one is.
# They stay changeable after the configuration is locked; tenants' SQL never reaches them
# (the proxy refuses engine settings, and engine.governed refuses them again here).
GOVERNED_SETTINGS = {
    "memory_limit": "memory_limit",
    "threads": "threads",
    "max_temp_size": "max_temp_directory_size",
}


def open_database(spec: EngineSpec) -> duckdb.DuckDBPyConnection:
    """The PDB's DuckDB with explicit limits and the sandbox on, configuration locked."""
    os.makedirs(spec.temp_dir, exist_ok=True)
    config: dict[str, Any] = {
        "memory_limit": spec.memory_limit,
        "threads": spec.threads,
        "temp_directory": spec.temp_dir,
        "max_temp_directory_size": spec.max_temp_size,
        "integer_division": True,  # PostgreSQL: 7/2 = 3
        "default_null_order": "nulls_last_on_asc_first_on_desc",  # PostgreSQL's NULL ordering
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "access_mode": "READ_ONLY" if spec.read_only else "READ_WRITE",
    }
    con = duckdb.connect(spec.db_path, config=config)
    allowed = spec.allowed_dir.rstrip("/") + "/"
    con.execute(f"SET allowed_directories = ['{allowed}']")
    con.execute("SET enable_external_access = false")
    con.execute("SET allow_community_extensions = false")
    configs = ", ".join(f"'{n}'" for n in ["TimeZone", "search_path", "schema", *GOVERNED_SETTINGS.values()])
    con.execute(f"SET allowed_configs = [{configs}]")
    con.execute("SET lock_configuration = true")
    return con


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def recv_frame(sock: socket.socket) -> tuple[bytes, bytes]:
    kind, n = channel.HEADER.unpack(_recv_exact(sock, channel.HEADER.size))
    if n < 0 or n > channel.MAX_FRAME:
        raise EOFError
    return kind, _recv_exact(sock, n)


class Engine:
    def __init__(self, spec: EngineSpec) -> None:
        self.spec = spec
        self.db = open_database(spec)
        self.sessions: dict[int, EngineSession] = {}
        self.lock = threading.Lock()
        self.next_id = 1

    def set_limits(self, limits: dict[str, Any]) -> None:
        """New limits from the supervisor, applied to the running database (no session is dropped)."""
        if "max_size" in limits:
            self.spec.max_size = limits["max_size"]
        for key, setting in GOVERNED_SETTINGS.items():
            if key in limits and limits[key] is not None:
                value = limits[key]
                literal = str(int(value)) if key == "threads" else "'" + str(value).replace("'", "") + "'"
                self.db.execute(f"SET GLOBAL {setting} = {literal}")
                setattr(self.spec, key, value)

    def storage_full(self) -> bool:
        """Whether the PDB's files have reached STORAGE MAXSIZE (writes are then refused)."""
        limit = self.spec.max_size
        if limit is None:
            return False
        used = 0
        for path in (self.spec.db_path, self.spec.db_path + ".wal"):
            try:
                used += os.stat(path).st_size
            except OSError:
                pass
        return used >= limit

    def serve(self) -> None:
        if os.path.exists(self.spec.socket_path):
            os.unlink(self.spec.socket_path)
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            srv.bind(self.spec.socket_path)
        finally:
            os.umask(old)
        srv.listen(512)
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=self._serve_conn, args=(conn,), daemon=True).start()

    def _serve_conn(self, sock: socket.socket) -> None:
        session: EngineSession | None = None
        try:
            kind, payload = recv_frame(sock)
            hello, _ = channel.unpack_request(payload)
            if not secrets.compare_digest(str(hello.get("token", "")), self.spec.token):
                return
            if hello.get("op") == "cancel":
                with self.lock:
                    target = self.sessions.get(int(hello["session"]))
                if target is not None:
                    target.cancel_reason = str(hello.get("reason") or "user request")
                    target.con.interrupt()
                return
            if hello.get("op") == "limits":
                try:
                    self.set_limits(hello)
                    answer: dict[str, Any] = {"ok": True}
                except duckdb.Error as e:
                    answer = {"ok": False, **to_db_error(e).to_json()}
                sock.sendall(channel.pack_json(channel.DONE, answer))
                return
            if hello.get("op") == "memory":
                rows = self.db.cursor().execute(
                    "SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory() ORDER BY tag"
                )
                sock.sendall(channel.pack_json(channel.DONE, {"ok": True, "tags": rows.fetchall()}))
                return
            if hello.get("op") == "checkpoint":
                self.db.execute("CHECKPOINT")
                sock.sendall(channel.pack_json(channel.DONE, {"ok": True}))
                return
            with self.lock:
                sid = self.next_id
                self.next_id += 1
                session = EngineSession(self.db.cursor(), sid, self.spec.read_only, self.storage_full)
                self.sessions[sid] = session
            tz = hello.get("timezone")
            if tz:
                session.set_timezone(tz)
            session.set_userenv(hello.get("userenv") or {})
            sock.sendall(channel.pack_json(channel.DONE, {"session": sid, "status": "I"}))
            while True:
                kind, payload = recv_frame(sock)
                if kind != channel.REQUEST:
                    continue
                header, blobs = channel.unpack_request(payload)
                self._handle(session, sock, header, blobs)
        except (EOFError, ConnectionError, OSError):
            pass
        finally:
            if session is not None:
                with self.lock:
                    self.sessions.pop(session.id, None)
                session.close()
            sock.close()

    def _handle(
        self, s: EngineSession, sock: socket.socket, header: dict[str, Any], blobs: list[bytes | None]
    ) -> None:
        out: list[bytes] = []
        size = 0

        def emit(b: bytes) -> None:
            nonlocal size
            out.append(b)
            size += len(b)
            if size >= 512 * 1024:
                flush()

        def flush() -> None:
            nonlocal size
            if out:
                sock.sendall(channel.frame(channel.WIRE, b"".join(out)))
                out.clear()
                size = 0

        failed = False
        s.last_error = ""
        for op in header["ops"]:
            name = op["op"]
            try:
                if name == "query":
                    for st in op["stmts"]:
                        for sql in (st["sql"], *(st.get("pre") or ())):
                            refuse_governed(sql)
                    failed = not s.op_query(op["stmts"], emit)
                elif name == "parse":
                    for sql in (op["sql"], *(op.get("pre") or ())):
                        refuse_governed(sql)
                    emit(
                        s.op_parse(
                            op["name"],
                            op["sql"],
                            op["kind"],
                            op["tag"],
                            op["param_oids"],
                            op.get("pre"),
                            op.get("notices"),
                            op.get("names"),
                            op.get("param_count", 0),
                        )
                    )
                elif name == "bind":
                    params = [blobs[i] for i in op["params"]]
                    emit(s.op_bind(op["portal"], op["stmt"], op["pformats"], params, op["rformats"]))
                elif name == "describe":
                    emit(s.op_describe(op["kind"], op["name"]))
                elif name == "execute":
                    s.op_execute(op["portal"], op["max_rows"], emit)
                elif name == "close":
                    emit(s.op_close(op["kind"], op["name"]))
                elif name == "sync":
                    s.op_sync()
                elif name == "clone_to":
                    s.clone_to(op["path"], op["schema_only"])
                elif name == "dictionary":
                    s.register_dictionary(op["tables"])
                elif name == "timezone":
                    s.set_timezone(op["value"])
                elif name == "session_limits":
                    s.max_result_bytes = int(op["max_result_bytes"])
                elif name == "copy_in":
                    flush()
                    CopyIn(s, op["spec"], sock, recv_frame).run(emit)
                elif name == "copy_out":
                    copy_out(s, op["spec"], emit)
                else:
                    raise DbError("08P01", f"unknown engine op {name}")
            except Exception as e:  # an error ends this request; the session stays usable
                emit(s.fail(e))
                failed = True
            if failed:
                break
        # The last wire bytes and the DONE frame leave in one write.
        answer: dict[str, Any] = {"status": s.status, "failed": failed}
        if failed and s.last_error:
            answer["error"] = s.last_error  # the SQLSTATE: the proxy counts OOM events
        done = channel.pack_json(channel.DONE, answer)
        sock.sendall(channel.frame(channel.WIRE, b"".join(out)) + done if out else done)


def _die_with_parent() -> None:
    """An engine never outlives its proxy (Linux): orphans would hold the PDB's file lock."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if os.getppid() == 1:
        os._exit(1)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    _die_with_parent()
    spec = EngineSpec.from_json(argv[argv.index("--spec") + 1])
    signal.signal(signal.SIGTERM, lambda *_: _shutdown(engine))
    try:
        engine = Engine(spec)
    except Exception as e:
        err = to_db_error(e)
        sys.stdout.write("FAILED " + json.dumps(err.to_json()) + "\n")
        sys.stdout.flush()
        sys.exit(3)
    engine.serve()


def _shutdown(engine: Engine) -> None:
    """Checkpoint so the next open finds a clean file, then leave."""
    try:
        engine.db.execute("CHECKPOINT")
    except Exception:
        pass
    os._exit(0)
