"""The fuzz target: a running server, a healthy session kept open beside the fuzzed ones, and the
checks made after every case.

After each case: (a) the server process is alive; (b) the healthy session (opened first, kept
open) still runs SELECT 1 and reads its own table right; (c) the RSS of the server process and
of its children stays within a bound over what it was at the start; (d) every byte the server
sent parses as backend messages of known types, each ErrorResponse has a severity and a SQLSTATE,
and a connection that the client ended (EOF) is closed by the server.

Internal errors (SQLSTATE XX000, or a traceback in the server log) are findings of their own:
they do not fail a case, they are collected (Target.findings) for a separate verdict.
"""

from __future__ import annotations

import re
import socket
import time
import uuid
from dataclasses import dataclass, field

from pgwire import backend
from tests.fuzz import mutate, wire
from tests.fuzz.recording import Recording
from tests.server import SYS_PASSWORD, RunningServer

FUZZ_PDB, FUZZ_USER, FUZZ_PASSWORD = "FUZZPDB", "fuzzadm", "Fuzz-Admin-Pw-1"
MEMORY_BOUND_KB = 200 * 1024
# Message types a PostgreSQL v3 server sends.
BACKEND_TYPES = frozenset(b"RKSZTDCEINtn123sGHWdcAvV")
SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")
# Many cases fail logins on purpose; a real lockout would stop the fuzzer, not find anything.
CONFIG = """
[auth]
max_failures = 1000000

[server]
auth_timeout_s = 10
"""
HEALTH_ROWS = [[b"3", b"6", b"abc"]]


class CaseFailed(AssertionError):
    pass


@dataclass
class Outcome:
    """What one case got back."""

    replies: wire.Replies
    closed: bool
    sentinel: bool = False  # the sentinel query after the case was answered
    closed_by_server: bool = False  # the server closed the connection before the client's EOF
    eof_closed: bool = True  # the server closed the connection after the client's EOF
    leftover: bytes = b""  # bytes of an incomplete message at the end
    sent: bytes = b""  # what the case sent (after the login, for a post-login case)
    login_s: float = 0.0
    seconds: float = 0.0


@dataclass
class Target:
    srv: RunningServer
    recordings: list[Recording]
    healthy: wire.Session
    base: wire.Memory
    log_offset: int = 0
    findings: dict[str, list[str]] = field(default_factory=dict)  # internal errors: signature -> cases
    known: set[str] = field(default_factory=set)  # finding signatures that no longer fail a strict check
    cases: int = 0
    peak: wire.Memory | None = None

    @property
    def by_name(self) -> dict[str, Recording]:
        return {r.name: r for r in self.recordings}

    # ------------------------------------------------------------ setup

    @classmethod
    def prepare(cls, srv: RunningServer, recordings: list[Recording]) -> Target:
        sys_session = wire.login(srv.port, "SYS", SYS_PASSWORD, "CDB$ROOT")
        for sql in (
            f'CREATE PLUGGABLE DATABASE {FUZZ_PDB} ADMIN USER {FUZZ_USER} IDENTIFIED BY "{FUZZ_PASSWORD}"',
            f"ALTER PLUGGABLE DATABASE {FUZZ_PDB} OPEN",
        ):
            r = sys_session.roundtrip(wire.query(sql))
            assert not r.errors(), r.errors()
        sys_session.close()
        healthy = wire.login(srv.port, FUZZ_USER, FUZZ_PASSWORD, FUZZ_PDB)
        for sql in (
            "CREATE SCHEMA fz_health_schema",
            "CREATE TABLE fz_health_schema.fz_health (i integer, s text)",
            "INSERT INTO fz_health_schema.fz_health VALUES (1, 'a'), (2, 'b'), (3, 'c')",
        ):
            r = healthy.roundtrip(wire.query(sql))
            assert not r.errors(), r.errors()
        t = cls(srv, recordings, healthy, wire.Memory.of(srv.proc.pid))
        # Every recording once as it was, so that caches and engines are warm before the baseline.
        for rec in recordings:
            t.run_post_login(mutate.frames_of(rec))
        t.base = wire.Memory.of(srv.proc.pid)
        t.log_offset = len(srv.log.read_bytes())
        t.findings.clear()
        return t

    # ------------------------------------------------------------ running cases

    def run_post_login(self, pieces: list[mutate.Piece], parts: int = 1) -> Outcome:
        t0 = time.monotonic()
        # A statement the mutations made slow ends in 57014 rather than looking like a hang.
        session = wire.login(
            self.srv.port, FUZZ_USER, FUZZ_PASSWORD, FUZZ_PDB, extra={"statement_timeout": "5s"}
        )
        login_s = time.monotonic() - t0
        parser = session.parser
        data = mutate.encode(pieces)
        intact = mutate.framing_intact(pieces)
        token = uuid.uuid4().hex
        if intact:
            # Whatever state the case left (COPY IN, skip-until-Sync, a failed transaction), this
            # brings the session back to a query whose answer proves it went on.
            data += (
                wire.msg(b"f", b"fuzz\0")
                + wire.SYNC
                + wire.query("ROLLBACK")
                + wire.query(f"SELECT '{token}'")
            )
        try:
            out = self._exchange(session.sock, parser, data, parts, token.encode() if intact else None)
        finally:
            session.sock.close()
        out.login_s = login_s
        out.sent = data
        out.seconds = time.monotonic() - t0
        return out

    def run_startup(self, data: bytes, parts: int = 1) -> Outcome:
        t0 = time.monotonic()
        sock = wire.connect(self.srv.port)
        try:
            out = self._exchange(sock, None, data, parts, None)
        finally:
            sock.close()
        r = out.replies
        single, r.messages, out.leftover, r.parse_error = wire.split_preauth(r.raw)
        if len(single) > data.count(mutate.SSL_REQUEST[4:]) + data.count(mutate.GSSENC_REQUEST[4:]):
            r.parse_error = r.parse_error or f"{len(single)} single-byte answers: {r.raw[:40]!r}"
        out.sent = data
        out.seconds = time.monotonic() - t0
        return out

    def _exchange(
        self,
        sock: socket.socket,
        parser: backend.BackendParser | None,
        data: bytes,
        parts: int,
        token: bytes | None,
    ) -> Outcome:
        replies = wire.Replies()
        step = max(1, len(data) // parts + 1)
        sock.settimeout(10)
        try:
            for k in range(0, len(data), step):
                sock.sendall(data[k : k + step])
                if parts > 1:
                    time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except TimeoutError:
            self.findings.setdefault("the server stopped reading", []).append(f"{len(data)} bytes to send")
        sentinel = False
        if token is not None:
            r = _read_until_sentinel(sock, parser, token, total=20)
            _merge(replies, r)
            sentinel = any(k == b"D" and token in b for k, b in r.messages)
        closed = closed_by_server = replies.closed
        eof_closed = True
        if not closed:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            r = wire.read_replies(sock, parser, total=10, idle=10, parse=parser is not None)
            _merge(replies, r)
            eof_closed = closed = r.closed
        leftover = bytes(parser._buf) if parser is not None else b""
        return Outcome(replies, closed, sentinel, closed_by_server, eof_closed, leftover)

    def findings_report(self) -> str:
        """One paragraph per distinct internal error: how often, and the shortest case."""
        out = []
        for sig, texts in self.findings.items():
            shortest = min(texts, key=len)
            out.append(f"{sig}: {len(texts)} case(s); shortest:\n    {shortest[:800]}")
        return "\n".join(out)

    # ------------------------------------------------------------ checks

    def check(self, out: Outcome, case: object, *, intact: bool = False, strict: bool = False) -> None:
        """(a)-(d) after one case; raises CaseFailed. Internal errors become findings, and fail
        the case too when strict (unless their signature is in self.known)."""
        self.cases += 1
        problems = []
        internal: list[tuple[str, str]] = []
        r = out.replies
        # (d) the replies
        if r.parse_error:
            problems.append(f"reply does not parse: {r.parse_error}")
        if out.closed and out.leftover:
            problems.append(f"connection closed inside a message: {out.leftover[:80]!r}")
        for kind, body in r.messages:
            if kind[0] not in BACKEND_TYPES:
                problems.append(f"unknown backend message type {kind!r}")
            if kind in (b"E", b"N"):
                try:
                    fields = wire.error_fields(body)
                except (ValueError, UnicodeDecodeError) as e:
                    problems.append(f"malformed {kind.decode()} message: {e}")
                    continue
                if kind == b"E" and not SQLSTATE.match(fields.get("C", "")):
                    problems.append(f"ErrorResponse without a SQLSTATE: {fields}")
                if kind == b"E" and "S" not in fields:
                    problems.append(f"ErrorResponse without a severity: {fields}")
                if fields.get("C") == "XX000":
                    internal.append(
                        (f"XX000 {_normalize(fields.get('M', ''))}", f"XX000 {fields.get('M')!r}")
                    )
        if intact and not out.sentinel and not out.closed_by_server:
            problems.append("a well-framed stream was neither answered (sentinel) nor ended by the server")
        if not out.eof_closed:
            problems.append("the server kept the connection open after the client's EOF (10 s)")
        # (a) the server process
        pid = self.srv.proc.pid
        if not wire.alive(pid):
            problems.append(f"the server process died (exit {self.srv.proc.poll()})")
        else:
            # (b) the healthy session
            try:
                h = self.healthy.roundtrip(wire.query("SELECT 1"), timeout=30)
                if wire.rows(h.messages) != [[b"1"]]:
                    problems.append(f"healthy session: SELECT 1 gave {h.kinds()} {h.errors()}")
                h = self.healthy.roundtrip(
                    wire.query(
                        "SELECT count(*), sum(i), string_agg(s, '' ORDER BY s) FROM fz_health_schema.fz_health"
                    ),
                    timeout=30,
                )
                if wire.rows(h.messages) != HEALTH_ROWS:
                    problems.append(f"healthy session: its table gave {wire.rows(h.messages)} {h.errors()}")
            except (OSError, ValueError) as e:
                problems.append(f"healthy session broken: {e!r}")
            # (c) memory
            mem = wire.Memory.of(pid)
            if (
                self.peak is None
                or mem.proxy_kb + mem.children_kb > self.peak.proxy_kb + self.peak.children_kb
            ):
                self.peak = mem
            if mem.proxy_kb - self.base.proxy_kb > MEMORY_BOUND_KB:
                problems.append(f"server RSS {self.base.proxy_kb} -> {mem.proxy_kb} KiB")
            total, base_total = mem.proxy_kb + mem.children_kb, self.base.proxy_kb + self.base.children_kb
            if total - base_total > MEMORY_BOUND_KB:
                problems.append(f"server + children RSS {base_total} -> {total} KiB")
        internal += self._scan_log()
        for sig, text in internal:
            self.findings.setdefault(sig, []).append(f"{text} for {case!r}")
        if strict:
            problems += [text for sig, text in internal if sig not in self.known]
        if problems:
            raise CaseFailed(
                "; ".join(problems)
                + "".join(f"\nsignature: {sig}" for sig, _ in internal)
                + f"\ncase: {case!r}\nreplies: {r.raw[:600]!r}\nsent: {out.sent[:3000]!r}"
            )

    def _scan_log(self) -> list[tuple[str, str]]:
        """(signature, text) of each traceback the server logged since the last look: the
        signature is the exception's type and the innermost frame (file, function)."""
        data = self.srv.log.read_bytes()
        new, self.log_offset = data[self.log_offset :], len(data)
        text = new.decode(errors="replace")
        out = []
        for block in text.split("Traceback (most recent call last):")[1:]:
            frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', block)
            last = re.search(r"\n(\w[\w.]*(?:Error|Exception|Exit|Warning)\b[^\n]*)", block)
            exc = last.group(1) if last else block.strip().splitlines()[-1]
            where = f"{frames[-1][0].rsplit('/', 1)[-1]}:{frames[-1][2]}" if frames else "?"
            out.append(
                (
                    f"traceback {exc.split(':')[0]} at {where}",
                    f"traceback in the server log: {exc[:200]} at {where}",
                )
            )
        return out


def _normalize(text: str) -> str:
    return re.sub(r"\d+", "N", re.sub(r"0x[0-9a-f]+", "0xN", text))[:120]


def _merge(into: wire.Replies, r: wire.Replies) -> None:
    into.raw += r.raw
    into.messages.extend(r.messages)
    into.closed = into.closed or r.closed
    into.parse_error = into.parse_error or r.parse_error


def _read_until_sentinel(
    sock: socket.socket, parser: backend.BackendParser, token: bytes, total: float
) -> wire.Replies:
    out = wire.Replies()
    deadline = time.monotonic() + total
    seen = False
    while time.monotonic() < deadline:
        r = wire.read_replies(sock, parser, total=deadline - time.monotonic(), until_ready=True)
        _merge(out, r)
        if r.closed or r.parse_error or not r.messages:
            break
        if any(k == b"D" and token in b for k, b in r.messages):
            seen = True
        if seen and out.messages and out.messages[-1][0] == b"Z":
            break
    return out
