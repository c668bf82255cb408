"""The PostgreSQL v3 codec both ways, without sockets (pgwire.frontend, pgwire.backend): every
client message round-trips through the client's encoder and the server's parser, in any
fragmentation; limits are enforced from the header, before a body is read."""

from __future__ import annotations

import dataclasses
import struct

import pytest

from pgcompat import params
from pgwire import backend, frontend
from pgwire.errors import ProtocolViolation

STARTUP = [
    frontend.SSLRequest(),
    frontend.GSSENCRequest(),
    frontend.StartupMessage(frontend.PROTOCOL_V3, {"user": "u", "database": "d", "application_name": "é"}),
]
MESSAGES = [
    frontend.Query("select 1; select 'x'"),
    frontend.Parse("s1", "select $1::int", [23]),
    frontend.Bind("p", "s1", [1], [b"\x00\x00\x00\x01", None], [0, 1]),
    frontend.Describe("S", "s1"),
    frontend.Execute("p", 10),
    frontend.Close("P", "p"),
    frontend.Sync(),
    frontend.Flush(),
    frontend.CopyData(b"1\t2\n"),
    frontend.CopyDone(),
    frontend.CopyFail("no"),
    frontend.AuthResponse(b"secret\x00"),
    frontend.Undecodable("Q", 0xFF, b"select 'caf\xff'\x00"),  # 22021 for the statement, not the stream
    frontend.Parse("s\u00e9", "select 'caf\u00e9'", list(range(40_000))),  # counts are unsigned 16-bit
    frontend.Terminate(),
]


def test_startup_messages_round_trip_and_then_the_rest() -> None:
    stream = b"".join(frontend.encode(m) for m in STARTUP + MESSAGES)
    p = frontend.FrontendParser()
    assert p.feed(stream) == STARTUP + MESSAGES


def test_any_fragmentation_gives_the_same_messages() -> None:
    stream = b"".join(frontend.encode(m) for m in MESSAGES)
    for size in (1, 2, 3, 7, 64):
        p = frontend.FrontendParser(startup=False)
        got = [m for i in range(0, len(stream), size) for m in p.feed(stream[i : i + size])]
        assert got == MESSAGES


def test_cancel_request_ends_the_startup_phase() -> None:
    (msg,) = frontend.FrontendParser().feed(frontend.encode(frontend.CancelRequest(10001, 1234)))
    assert msg == frontend.CancelRequest(10001, 1234)


def test_unread_bytes_are_kept_for_a_socket_that_moves() -> None:
    data = frontend.encode(frontend.Query("select 1"))
    p = frontend.FrontendParser(startup=False)
    assert p.feed(data[:7]) == [] and p.pending() == data[:7]


def test_an_oversized_message_is_refused_from_its_header() -> None:
    p = frontend.FrontendParser(startup=False, max_message=1000)
    header = b"p" + (1 << 30).to_bytes(4, "big")  # 1 GiB declared, no body sent
    with pytest.raises(frontend.MessageTooLarge) as ei:
        p.feed(header)
    assert ei.value.sqlstate == "54000"


def test_an_unknown_type_is_refused_from_its_header() -> None:
    with pytest.raises(ProtocolViolation, match="invalid frontend message type"):
        frontend.FrontendParser(startup=False).feed(b"\x01\x00\x00\x00\xff")


@pytest.mark.parametrize("length", [0, 3, 10_001])
def test_startup_lengths_out_of_range_are_refused(length: int) -> None:
    with pytest.raises(ProtocolViolation):
        frontend.FrontendParser().feed(length.to_bytes(4, "big") + b"\x00" * 8)


def test_backend_messages_parse_back() -> None:
    out = (
        backend.row_description([backend.Column("a", 23, 4)])
        + backend.text_rows([(1,), (None,)])
        + backend.command_complete("SELECT 2")
        + backend.error_response("22012", "division by zero", detail="d")
        + backend.ready_for_query("I")
    )
    p = backend.BackendParser()
    got = [m for i in range(len(out)) for m in p.feed(out[i : i + 1])]
    assert [k for k, _ in got] == [b"T", b"D", b"D", b"C", b"E", b"Z"]
    fields = backend.parse_error_fields(got[4][1])
    assert fields["C"] == "22012" and fields["M"] == "division by zero" and fields["D"] == "d"


def test_messages_of_an_unexpected_type_or_size_are_refused_from_their_header() -> None:
    p = frontend.FrontendParser(startup=False, accept=frontend.AUTH_MESSAGES, max_message=100)
    with pytest.raises(ProtocolViolation):
        p.feed(b"Q\x00\x01\x00\x00")  # the type alone decides: no body needed
    p = frontend.FrontendParser(startup=False, max_message=100)
    with pytest.raises(frontend.MessageTooLarge) as e:
        p.feed(b"Q\x7f\xff\xff\xff")
    assert e.value.sqlstate == "54000"
    with pytest.raises(ProtocolViolation):  # a CancelRequest too short
        frontend.FrontendParser().feed(b"\x00\x00\x00\x08\x04\xd2\x16.")


def test_invalid_utf8_in_the_startup_packet_is_not_the_streams_error() -> None:
    body = struct.pack("!i", frontend.PROTOCOL_V3) + b"user\x00\xffx\x00application_name\x00a\xffb\x00\x00"
    (msg,) = frontend.FrontendParser().feed(struct.pack("!i", len(body) + 4) + body)
    assert isinstance(msg, frontend.StartupMessage)
    assert msg.params["user"] == "\ufffdx"
    assert params.normalize(params.PARAMS["application_name"], msg.params["application_name"]) == "a?b"


def test_every_frontend_message_type_has_an_encoder() -> None:
    kinds = {
        t
        for t in vars(frontend).values()
        if dataclasses.is_dataclass(t) and t.__module__ == frontend.__name__
    }
    kinds -= {frontend.FrontendParser}
    covered = {type(m) for m in STARTUP + MESSAGES} | {frontend.CancelRequest, frontend.FunctionCall}
    assert kinds == covered
