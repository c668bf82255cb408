"""Mutations of recorded client sessions and of the startup phase, as hypothesis strategies.

A post-login case is a recording's message list with a few mutations applied. Each mutation is a
small tuple, so hypothesis prints a failing case readably and can shrink it:

    ("drop", i)  ("dup", i, times)  ("move", i, j)  ("swap", i, j)
    ("truncate_body", i, keep)        the body cut, the length field fixed (framing intact)
    ("truncate_stream", i, keep)      the stream cut inside message i (framing broken)
    ("type", i, byte)                 another type byte
    ("length", i, value)              the length field set to value (small, huge, negative)
    ("flip", i, ((pos, xor), ...))    bytes of the body flipped
    ("set_int", i, pos, size, value)  an int16/int32 inside the body set (counts, lengths)
    ("splice", i, recording, j, n)    n messages of another recording inserted before message i
    ("insert_raw", i, data)           raw bytes before message i (framing broken)
    ("bad_utf8", i, pos, seq)         an invalid UTF-8 sequence inserted into the body's text

Indices are taken modulo the current length, so every mutation applies to every recording.
A startup case is a list of pieces sent before authentication (startup packets with any version,
parameters and length; SSLRequest, GSSENCRequest, CancelRequest variants; authentication
messages; garbage).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from hypothesis import strategies as st

from pgwire import frontend
from tests.fuzz.recording import Recording

# ---------------------------------------------------------------- the stream as frames


@dataclass(frozen=True)
class Frame:
    kind: bytes
    body: bytes
    length: int | None = None  # a declared length that is not the body's (None: the true one)

    def encode(self) -> bytes:
        n = len(self.body) + 4 if self.length is None else self.length
        return self.kind + struct.pack("!i", _int32(n)) + self.body


@dataclass(frozen=True)
class Raw:
    data: bytes

    def encode(self) -> bytes:
        return self.data


Piece = Frame | Raw


def _int32(n: int) -> int:
    return (n + 2**31) % 2**32 - 2**31


def frames_of(rec: Recording) -> list[Piece]:
    msgs = list(rec.messages)
    while msgs and msgs[-1][0] == b"X":  # the replay ends the session itself
        msgs.pop()
    return [Frame(k, b) for k, b in msgs]


def encode(pieces: list[Piece]) -> bytes:
    return b"".join(p.encode() for p in pieces)


def framing_intact(pieces: list[Piece]) -> bool:
    """True when every message's length field is its true length (the server can find the end of
    each message, so it must answer a sentinel after them or close the connection)."""
    return all(isinstance(p, Frame) and p.length is None for p in pieces)


# ---------------------------------------------------------------- mutations

INVALID_UTF8 = (
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\xc0\x80",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\x80",
    b"\xe2\x82",
)
TYPE_BYTES = b"QPBDESHXdcfpFCZz\x00\xff"
LENGTHS = (0, 1, 3, 4, 5, 7, 2**16, 2**20 + 1, 2**30 - 1, 2**30, 2**30 + 1, 2**31 - 1, -1, -4, -(2**31))
INTS = (0, 1, -1, 2, 255, 32767, -32768, 65535, 2**31 - 1, -(2**31), 2**16, 1000000)


def apply(pieces: list[Piece], op: tuple, recordings: list[Recording]) -> list[Piece]:
    out = list(pieces)
    if not out and op[0] not in ("splice", "insert_raw"):
        return out
    name = op[0]
    n = len(out)
    if name == "drop":
        del out[op[1] % n]
    elif name == "dup":
        i = op[1] % n
        out[i:i] = [out[i]] * op[2]
    elif name == "move":
        p = out.pop(op[1] % n)
        out.insert(op[2] % (len(out) + 1), p)
    elif name == "swap":
        i, j = op[1] % n, op[2] % n
        out[i], out[j] = out[j], out[i]
    elif name == "splice":
        src = frames_of(recordings[op[2] % len(recordings)])
        if src:
            j = op[3] % len(src)
            at = op[1] % (n + 1)
            out[at:at] = src[j : j + op[4]]
    elif name == "insert_raw":
        at = op[1] % (n + 1)
        out.insert(at, Raw(op[2]))
    else:
        i = op[1] % n
        p = out[i]
        if isinstance(p, Raw):
            return out
        if name == "truncate_body":
            out[i] = Frame(p.kind, p.body[: op[2] % (len(p.body) + 1)], p.length)
        elif name == "truncate_stream":
            data = p.encode()
            out[i:] = [Raw(data[: op[2] % max(1, len(data))])]
        elif name == "type":
            out[i] = Frame(bytes([op[2]]), p.body, p.length)
        elif name == "length":
            out[i] = Frame(p.kind, p.body, op[2])
        elif name == "flip":
            body = bytearray(p.body)
            for pos, xor in op[2]:
                if body:
                    body[pos % len(body)] ^= xor or 0xFF
            out[i] = Frame(p.kind, bytes(body), p.length)
        elif name == "set_int":
            _, _, pos, size, value = op
            body = bytearray(p.body)
            if len(body) >= size:
                at = pos % (len(body) - size + 1)
                fmt = "!h" if size == 2 else "!i"
                bits = 16 if size == 2 else 32
                v = (value + 2 ** (bits - 1)) % 2**bits - 2 ** (bits - 1)
                body[at : at + size] = struct.pack(fmt, v)
            out[i] = Frame(p.kind, bytes(body), p.length)
        elif name == "bad_utf8":
            _, _, pos, seq = op
            text = [k for k, b in enumerate(p.body) if 0x20 <= b < 0x7F]
            at = text[pos % len(text)] if text else pos % (len(p.body) + 1)
            out[i] = Frame(p.kind, p.body[:at] + seq + p.body[at:], p.length)
        else:
            raise ValueError(f"unknown mutation {op!r}")
    return out


idx = st.integers(min_value=0, max_value=10_000)


def mutation(n_recordings: int) -> st.SearchStrategy[tuple]:
    small_bytes = st.binary(min_size=1, max_size=64)
    return st.one_of(
        st.tuples(st.just("drop"), idx),
        st.tuples(st.just("dup"), idx, st.integers(1, 3)),
        st.tuples(st.just("move"), idx, idx),
        st.tuples(st.just("swap"), idx, idx),
        st.tuples(st.just("truncate_body"), idx, idx),
        st.tuples(st.just("truncate_stream"), idx, idx),
        st.tuples(st.just("type"), idx, st.one_of(st.sampled_from(list(TYPE_BYTES)), st.integers(0, 255))),
        st.tuples(
            st.just("length"),
            idx,
            st.one_of(st.sampled_from(LENGTHS), st.integers(-(2**31), 2**31 - 1), st.integers(0, 64)),
        ),
        st.tuples(
            st.just("flip"),
            idx,
            st.lists(st.tuples(idx, st.integers(0, 255)), min_size=1, max_size=4).map(tuple),
        ),
        st.tuples(
            st.just("set_int"),
            idx,
            idx,
            st.sampled_from((2, 4)),
            st.one_of(st.sampled_from(INTS), st.integers(-(2**31), 2**31 - 1)),
        ),
        st.tuples(st.just("splice"), idx, st.integers(0, max(0, n_recordings - 1)), idx, st.integers(1, 4)),
        st.tuples(st.just("insert_raw"), idx, small_bytes),
        st.tuples(st.just("bad_utf8"), idx, idx, st.sampled_from(INVALID_UTF8)),
    )


@dataclass(frozen=True)
class PostLoginCase:
    recording: str
    ops: tuple[tuple, ...]
    parts: int  # the stream is sent in this many writes (the server's parser sees it cut up)

    def pieces(self, by_name: dict[str, Recording], recordings: list[Recording]) -> list[Piece]:
        pieces = frames_of(by_name[self.recording])
        for op in self.ops:
            pieces = apply(pieces, op, recordings)
        return pieces


def post_login_cases(recordings: list[Recording], max_ops: int = 4) -> st.SearchStrategy[PostLoginCase]:
    return st.builds(
        PostLoginCase,
        recording=st.sampled_from([r.name for r in recordings]),
        ops=st.lists(mutation(len(recordings)), min_size=1, max_size=max_ops).map(tuple),
        parts=st.integers(1, 3),
    )


# ---------------------------------------------------------------- before authentication

VERSIONS = (
    frontend.PROTOCOL_V3,
    frontend.PROTOCOL_V3 + 1,
    frontend.PROTOCOL_V3 + 2,
    frontend.PROTOCOL_V3 + 0xFFFF,
    0x20000,
    0x40000,
    0x10000,
    0,
    -1,
    frontend.SSL_REQUEST,
    frontend.GSSENC_REQUEST,
    frontend.CANCEL_REQUEST,
    80877105,
)
KEYS = (
    b"user",
    b"database",
    b"options",
    b"application_name",
    b"client_encoding",
    b"DateStyle",
    b"TimeZone",
    b"replication",
    b"search_path",
    b"extra_float_digits",
    b"_pq_.protocol_extension",
    b"statement_timeout",
    b"",
)
VALUES = (
    b"SYS",
    b'"SYS"',
    b"fuzzadm",
    b"FUZZPDB",
    b"CDB$ROOT",
    b"PDB$SEED",
    b"NOSUCHPDB",
    b"",
    b"UTF8",
    b"SQL_ASCII",
    b"-c statement_timeout=1 -c search_path=x",
    b"ISO, MDY",
    b"Europe/Paris",
    b"true",
    b"database",
    b"\xff\xfe",
    b"fuzz\xc3",
    b"x" * 300,
)


def _text(max_size: int = 40) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.sampled_from(VALUES),
        st.binary(max_size=max_size).filter(lambda b: b"\0" not in b),
        st.text(max_size=max_size).map(lambda s: s.replace("\0", "").encode()),
    )


@st.composite
def _startup_packet(draw) -> bytes:
    version = draw(st.one_of(st.sampled_from(VERSIONS), st.integers(-(2**31), 2**31 - 1)))
    params = draw(st.lists(st.tuples(st.one_of(st.sampled_from(KEYS), _text(20)), _text()), max_size=6))
    if draw(st.booleans()):
        params = [(b"user", draw(st.sampled_from(VALUES)))] + params
    body = struct.pack("!i", _int32(version)) + b"".join(k + b"\0" + v + b"\0" for k, v in params)
    tail = draw(st.sampled_from((b"\0", b"", b"\0\0", b"x")))
    body += tail
    if draw(st.integers(0, 9)) == 0:
        body += b"y" * draw(st.integers(9000, 12000))  # beyond PostgreSQL's 10,000-byte limit
    length = len(body) + 4
    if draw(st.integers(0, 4)) == 0:
        length = draw(st.one_of(st.sampled_from(LENGTHS), st.integers(-(2**31), 2**31 - 1)))
    return struct.pack("!i", _int32(length)) + body


@st.composite
def _cancel(draw) -> bytes:
    length = draw(st.sampled_from((16, 16, 12, 20, 8)))
    body = struct.pack("!i", frontend.CANCEL_REQUEST) + struct.pack(
        "!ii", draw(st.integers(-(2**31), 2**31 - 1)), draw(st.integers(-(2**31), 2**31 - 1))
    )
    body += b"\0" * max(0, length - 4 - len(body))
    return struct.pack("!i", length) + body[: max(0, length - 4)]


@st.composite
def _auth_message(draw) -> bytes:
    """A message sent where the server expects a password or SASL message."""
    kind = draw(st.one_of(st.just(b"p"), st.sampled_from([bytes([b]) for b in TYPE_BYTES])))
    mech = draw(st.sampled_from((b"SCRAM-SHA-256", b"SCRAM-SHA-256-PLUS", b"", b"PLAIN", b"\xff")))
    first = draw(
        st.one_of(
            st.sampled_from(
                (
                    b"n,,n=,r=fuzznonce",
                    b"n,,n=,r=",
                    b"y,,n=,r=abc",
                    b"p=tls-server-end-point,,n=,r=abc",
                    b"n,,",
                    b"",
                    b"n,,n=\xff,r=\xff\xfe",
                    b"n,,r=abc,r=def",
                    b"c=biws,r=fuzznonce,p=AAAA",
                )
            ),
            st.binary(max_size=80),
        )
    )
    declared = draw(st.one_of(st.just(len(first)), st.sampled_from((-1, -2, 0, 2**31 - 1, len(first) + 10))))
    body = draw(
        st.sampled_from(
            (
                mech + b"\0" + struct.pack("!i", declared) + first,
                first,
                first + b"\0",
                mech,
            )
        )
    )
    length = len(body) + 4
    if draw(st.integers(0, 5)) == 0:
        length = draw(st.sampled_from(LENGTHS))
    return kind + struct.pack("!i", _int32(length)) + body


SSL_REQUEST = struct.pack("!ii", 8, frontend.SSL_REQUEST)
GSSENC_REQUEST = struct.pack("!ii", 8, frontend.GSSENC_REQUEST)


def valid_startup(user: str, database: str) -> bytes:
    return frontend.encode(
        frontend.StartupMessage(frontend.PROTOCOL_V3, {"user": user, "database": database})
    )


@dataclass(frozen=True)
class StartupCase:
    pieces: tuple[bytes, ...]
    parts: int

    def data(self) -> bytes:
        return b"".join(self.pieces)


def startup_cases(recordings: list[Recording]) -> st.SearchStrategy[StartupCase]:
    recorded = [p for r in recordings for p in r.startup]
    seeds = [*recorded, valid_startup("fuzzadm", "FUZZPDB"), valid_startup("SYS", "CDB$ROOT")]

    @st.composite
    def mutated_seed(draw) -> bytes:
        data = bytearray(draw(st.sampled_from(seeds)))
        for pos, xor in draw(st.lists(st.tuples(idx, st.integers(1, 255)), max_size=3)):
            data[pos % len(data)] ^= xor
        return bytes(data)

    piece = st.one_of(
        _startup_packet(),
        st.sampled_from((SSL_REQUEST, GSSENC_REQUEST, struct.pack("!iii", 12, frontend.SSL_REQUEST, 0))),
        _cancel(),
        mutated_seed(),
        st.binary(min_size=1, max_size=64),
    )
    # A valid startup packet first, then what the server gets where it expects authentication.
    after_login_start = st.tuples(
        st.sampled_from(seeds[-2:]), st.lists(_auth_message(), min_size=1, max_size=3)
    ).map(lambda t: (t[0], *t[1]))
    return st.builds(
        StartupCase,
        pieces=st.one_of(st.lists(piece, min_size=1, max_size=4).map(tuple), after_login_start),
        parts=st.integers(1, 3),
    )
