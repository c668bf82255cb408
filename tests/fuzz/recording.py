"""Recorded client sessions (tests/fuzz/recorded/*.pgmsgs): what real clients sent to a server.

A recording is the client -> server byte stream of one connection, split into messages, one a
line, so that it is small, diffable and readable:

    # comments (the client, how it was recorded)
    startup <the startup packet, with its length>      (SSLRequest/GSSENCRequest too, if sent)
    Q SELECT 1\\x00                                     (type byte, space, the message body)

Bodies are written with printable ASCII as is, and \\\\ and \\xNN for everything else. The
authentication messages ('p') are not kept: a SCRAM exchange depends on the server's nonce, so
a replay logs in by itself (tests.fuzz.wire.login) and then sends the post-login messages.
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass, field
from pathlib import Path

RECORDED = Path(__file__).resolve().parent / "recorded"


def escape(data: bytes) -> str:
    out = []
    for b in data:
        if b == 0x5C:
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "".join(out)


def unescape(text: str) -> bytes:
    return codecs.escape_decode(text.encode("ascii"))[0]  # type: ignore[attr-defined]


@dataclass
class Recording:
    name: str
    comments: list[str] = field(default_factory=list)
    startup: list[bytes] = field(default_factory=list)  # untyped packets, each with its length
    messages: list[tuple[bytes, bytes]] = field(default_factory=list)  # (type, body) after login

    def dumps(self) -> str:
        lines = [f"# {c}" for c in self.comments]
        lines += [f"startup {escape(p)}" for p in self.startup]
        lines += [f"{kind.decode('latin-1')} {escape(body)}" for kind, body in self.messages]
        return "\n".join(lines) + "\n"

    @classmethod
    def loads(cls, name: str, text: str) -> Recording:
        rec = cls(name)
        for line in text.splitlines():
            if not line:
                continue
            if line.startswith("#"):
                rec.comments.append(line[1:].strip())
                continue
            token, _, rest = line.partition(" ")
            if token == "startup":
                rec.startup.append(unescape(rest))
            elif len(token) == 1:
                rec.messages.append((token.encode("latin-1"), unescape(rest)))
            else:
                raise ValueError(f"{name}: unreadable line {line[:60]!r}")
        return rec

    def stream(self) -> bytes:
        """The post-login messages as the client sent them."""
        return b"".join(k + struct.pack("!i", len(b) + 4) + b for k, b in self.messages)


def load_all(folder: Path = RECORDED) -> list[Recording]:
    return [Recording.loads(p.stem, p.read_text()) for p in sorted(folder.glob("*.pgmsgs"))]


def split_client_stream(data: bytes) -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    """(untyped startup packets, typed messages) of a client's byte stream. The startup phase
    ends with the StartupMessage (protocol 3.x); a CancelRequest ends the connection."""
    startup: list[bytes] = []
    pos = 0
    while pos + 8 <= len(data):
        (n,) = struct.unpack_from("!i", data, pos)
        (code,) = struct.unpack_from("!i", data, pos + 4)
        startup.append(data[pos : pos + n])
        pos += n
        if code >> 16 == 3 or code == 80877102:
            break
    messages: list[tuple[bytes, bytes]] = []
    while pos + 5 <= len(data):
        (n,) = struct.unpack_from("!i", data, pos + 1)
        messages.append((data[pos : pos + 1], data[pos + 5 : pos + 1 + n]))
        pos += 1 + n
    return startup, messages
