"""The control channel between the proxy and an engine process, sans-I/O: typed messages, their
framing, and the state of a session that moves between processes.

One unix-socket connection per engine, opened by the proxy (the engine listens); both sides send
requests and one-way notices on it. The client sessions themselves never cross it: after login
the proxy hands the client's socket to the engine (SCM_RIGHTS), which serves the session.

A frame is b"M" + total length (4 bytes) + JSON length (4 bytes) + JSON + blob. The JSON holds the
message's type tag and fields; a message's `data` field (bytes) travels as the blob. A message
class with `carries_fd` travels with one file descriptor (a client socket): the I/O layer sends
it with the frame's bytes and hands it to the message's `fd` field when it arrives.
"""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

FRAME = b"M"
# How a statement that locks rows waits for its PDB's write gate (a statement's "lock" op field).
LOCK_WAIT, LOCK_NOWAIT, LOCK_SKIP = "wait", "nowait", "skip"
_HEAD = struct.Struct("!cII")
MAX_FRAME = 1 << 30


class ControlError(Exception):
    """The control channel carried bytes that are not a message; the link must be dropped."""


@dataclass
class SessionState:
    """Everything a process needs to serve a session it did not start: who, where, with what
    settings. Travels with the client's socket (Handoff, MoveOut)."""

    pid: int
    key: int
    user: str
    user_con_id: int
    common: bool
    con_id: int  # the container the session is in now
    container: str
    params: dict[str, str]
    peer: str = ""
    tls: bool = False
    # Named prepared statements to prepare again on the new engine (OPEN ... FORCE): their texts
    # and parameter types, in the order they were prepared.
    statements: list[tuple[str, str, list[int]]] = field(default_factory=list)
    database: str = ""  # the container as the client named it at login (startup `database`)


@dataclass
class Message:
    """Base of every control message. id: a request's number (its reply carries it as `to`);
    0 for a one-way notice."""

    tag: ClassVar[str] = ""
    carries_fd: ClassVar[bool] = False
    id: int = 0


_TYPES: dict[str, type[Message]] = {}


def message(cls: type[Message]) -> type[Message]:
    """Register a message class under its tag."""
    cls.tag = cls.__name__
    _TYPES[cls.tag] = cls
    return cls


# ------------------------------------------------------------------ replies


@message
@dataclass
class Reply(Message):
    to: int = 0
    value: Any = None
    data: bytes = b""
    error: dict[str, Any] | None = None  # DbError.to_json()


# ------------------------------------------------------------------ proxy -> engine


@message
@dataclass
class Hello(Message):
    """First message of a link: the engine's token proves the proxy started it (or adopted it).
    limits: the PDB's effective limits (governance.resources.Limits as a dict; None for the root),
    slots: its share of statement slots, stamp: the catalog's change stamp."""

    token: str = ""
    limits: dict[str, Any] | None = None
    slots: int = 0
    stamp: list[int] = field(default_factory=list)


@message
@dataclass
class Handoff(Message):
    """Serve this session from now on. data: bytes to write to the client first (the end of the
    login), pending: bytes the proxy read from the client beyond the login."""

    carries_fd: ClassVar[bool] = True
    state: dict[str, Any] = field(default_factory=dict)
    data: bytes = b""
    pending: str = ""  # latin-1 text of the client's bytes already read (rare: a pipelining client)
    fd: int = -1
    # the session comes back to the container it was in, carried across a reopen (OPEN FORCE):
    # already counted as a session opened there (metering)
    returning: bool = False


@message
@dataclass
class Stamp(Message):
    """The catalog changed: cached policy answers older than this stamp are stale."""

    stamp: list[int] = field(default_factory=list)


@message
@dataclass
class Slots(Message):
    """How many statements the PDB may run at once now (its fair share of the CPUs)."""

    count: int = 0


@message
@dataclass
class Cancel(Message):
    pid: int = 0
    reason: str = "user request"


@message
@dataclass
class Terminate(Message):
    """End a session (pid) or every session (pid 0) with a FATAL error."""

    pid: int = 0
    sqlstate: str = "57P01"
    message: str = "terminating connection due to administrator command"


@message
@dataclass
class SetLimits(Message):
    """The engine's own limits: memory_limit, threads, max_temp_size (DuckDB settings), max_size."""

    limits: dict[str, Any] = field(default_factory=dict)


@message
@dataclass
class ListSessions(Message):
    """The pids of the sessions the engine serves (the reply's value)."""


@message
@dataclass
class GetStats(Message):
    """The PDB's counters now (the reply's value is a Stats snapshot)."""


@message
@dataclass
class Memory(Message):
    """DuckDB's buffer memory by kind; the reply's value is [[tag, bytes, spilled bytes], ...]."""


@message
@dataclass
class CloneTo(Message):
    """Write a consistent copy of the database to path (a hot clone)."""

    path: str = ""
    schema_only: bool = False


@message
@dataclass
class Evacuate(Message):
    """Hand every session back (MoveOut each), then stop serving: the PDB reopens elsewhere."""


@message
@dataclass
class Stop(Message):
    """Checkpoint, end the sessions, exit."""


# ------------------------------------------------------------------ engine -> proxy


@message
@dataclass
class Command(Message):
    """Run a container command (PDBs, users, lockdown, parameters, SET CONTAINER) for a session.
    The reply's data is the wire answer; its value may carry an effect ({"enter": ...})."""

    state: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    describe: bool = True
    in_transaction: bool = False


@message
@dataclass
class DescribeCommand(Message):
    """RowDescription (or NoData) of a container command, for the extended protocol's Describe."""

    text: str = ""


@message
@dataclass
class Dictionary(Message):
    """Rows of dictionary views for a container: the reply's value is catalog.dictionary.payload."""

    con_id: int = 0
    views: list[str] = field(default_factory=list)


@message
@dataclass
class Read(Message):
    """A catalog read behind a verdict or a limit (policies.source.PolicySource and friends)."""

    method: str = ""
    args: list[Any] = field(default_factory=list)


@message
@dataclass
class Audit(Message):
    con_id: int = 0
    container: str = ""
    user: str = ""
    client: str = ""
    action: str = ""
    statement: str | None = None
    rule: str = ""
    sqlstate: str = ""
    message: str = ""


@message
@dataclass
class Ended(Message):
    """A session ended (its socket is closed)."""

    pid: int = 0


@message
@dataclass
class Activity(Message):
    """The PDB started (active) or stopped running statements: the proxy reshares the CPUs."""

    active: bool = False


@message
@dataclass
class Stats(Message):
    """The PDB's counters and metrics intervals, sent every second."""

    stats: dict[str, Any] = field(default_factory=dict)


@message
@dataclass
class MoveOut(Message):
    """This session leaves the engine (SET CONTAINER, OPEN FORCE): its socket and state go to the
    proxy, which hands them to the engine of con_id (0: the container in the state)."""

    carries_fd: ClassVar[bool] = True
    state: dict[str, Any] = field(default_factory=dict)
    pending: str = ""  # latin-1 text of the client's bytes read but not handled yet
    fd: int = -1


# ------------------------------------------------------------------ framing


def encode(msg: Message) -> bytes:
    body = {f.name: getattr(msg, f.name) for f in fields(msg) if f.name not in ("data", "fd")}
    body["t"] = msg.tag
    head = json.dumps(body, separators=(",", ":")).encode()
    blob = getattr(msg, "data", b"")
    return _HEAD.pack(FRAME, 4 + len(head) + len(blob), len(head)) + head + blob


def decode(payload: bytes) -> Message:
    (n,) = struct.unpack_from("!I", payload, 0)
    try:
        body = json.loads(payload[4 : 4 + n])
        cls = _TYPES[body.pop("t")]
        msg = cls(**body)
    except (ValueError, KeyError, TypeError) as e:
        raise ControlError(f"not a control message: {e}") from e
    if hasattr(msg, "data"):
        msg.data = bytes(payload[4 + n :])  # type: ignore[attr-defined]
    return msg


class Parser:
    """Incremental parser of a control link's bytes."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        self._buf += data
        out: list[Message] = []
        buf, pos = self._buf, 0
        while len(buf) - pos >= 5:
            kind, n = buf[pos : pos + 1], struct.unpack_from("!I", buf, pos + 1)[0]
            if kind != FRAME or n > MAX_FRAME:
                raise ControlError(f"bad control frame {bytes(kind)!r} of {n} bytes")
            if len(buf) - pos - 5 < n:
                break
            out.append(decode(bytes(buf[pos + 5 : pos + 5 + n])))
            pos += 5 + n
        del buf[:pos]
        return out


def state_of(msg: Handoff | MoveOut) -> SessionState:
    s = dict(msg.state)
    s["statements"] = [tuple(x) for x in s.get("statements", [])]
    return SessionState(**s)


def state_dict(state: SessionState) -> dict[str, Any]:
    return asdict(state)


@dataclass
class EngineSpec:
    """What the supervisor tells an engine when it starts it (on its standard input, never on
    the command line): which file, where to listen, which limits, the link's token."""

    name: str
    con_id: int
    db_path: str
    socket_path: str
    token: str
    read_only: bool
    memory_limit: str
    threads: int
    temp_dir: str
    max_temp_size: str
    allowed_dir: str
    max_size: int | None = None  # STORAGE MAXSIZE in bytes; None = unlimited
    orphan_grace_s: float = 60.0  # how long it waits for a proxy before it gives up, idle
    max_message_bytes: int = 1 << 30  # the largest message a client may send ([server])

    @classmethod
    def from_json(cls, text: str) -> EngineSpec:
        return cls(**json.loads(text))
