"""The proxy <-> engine control channel (pgwire.control), without a server: every message type
through the codec, frames fed in pieces, broken frames; then both ends of a real link over a
socketpair (the proxy's on an event loop, the engine's in threads), a client socket passed along."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import threading

import pytest

from pgwire import control
from pgwire.errors import DbError
from proxy.links import EngineLink
from worker.link import Link

SAMPLES: list[control.Message] = [
    control.Reply(to=7, value={"a": [1, 2]}, data=b"\x00wire\xff"),
    control.Reply(to=8, error=DbError("42501", "no").to_json()),
    control.Hello(token="t", limits={"tier": "GOLD"}, slots=3, stamp=[1, 2]),
    control.Handoff(state={"pid": 1}, data=b"greeting", pending="Q\x00\x00\x00\x08x\x00"),
    control.Stamp(stamp=[4, 5]),
    control.Slots(count=2),
    control.Cancel(pid=3, reason="statement timeout"),
    control.Terminate(pid=0, sqlstate="57P01", message="bye"),
    control.SetLimits(limits={"threads": 2}),
    control.ListSessions(),
    control.GetStats(),
    control.Memory(),
    control.CloneTo(path="/x", schema_only=True),
    control.Evacuate(),
    control.Stop(),
    control.Command(state={"pid": 1}, text="SHOW PDBS", describe=False, in_transaction=True),
    control.DescribeCommand(text="SHOW PDBS"),
    control.Dictionary(con_id=3, views=["V$PDBS"]),
    control.Read(method="effective_roles", args=["U", 3]),
    control.Audit(
        con_id=3, container="P", user="U", action="REFUSED", statement="x", rule="R", sqlstate="42501"
    ),
    control.Ended(pid=9),
    control.Activity(active=True),
    control.Stats(stats={"usage": {"statements": 1}}),
    control.MoveOut(state={"pid": 2}, pending="abc"),
]


def _fields(m: control.Message) -> dict[str, object]:
    return {f.name: getattr(m, f.name) for f in dataclasses.fields(m) if f.name != "fd"}


@pytest.mark.parametrize("msg", SAMPLES, ids=lambda m: m.tag)
def test_every_message_survives_the_codec(msg: control.Message) -> None:
    msg.id = 41
    (back,) = control.Parser().feed(control.encode(msg))
    assert type(back) is type(msg) and _fields(back) == _fields(msg)


def test_frames_fed_a_byte_at_a_time_and_several_at_once() -> None:
    stream = b"".join(control.encode(m) for m in SAMPLES)
    p = control.Parser()
    got = [m for i in range(len(stream)) for m in p.feed(stream[i : i + 1])]
    assert [type(m) for m in got] == [type(m) for m in SAMPLES]
    assert [type(m) for m in control.Parser().feed(stream)] == [type(m) for m in SAMPLES]


def test_only_the_messages_that_carry_a_socket_say_so() -> None:
    assert {type(m) for m in SAMPLES if m.carries_fd} == {control.Handoff, control.MoveOut}


@pytest.mark.parametrize(
    "frame",
    [
        b"X\x00\x00\x00\x05\x00\x00\x00\x01{",  # not a control frame
        control.encode(control.Stop()).replace(b'"Stop"', b'"Nope"'),  # unknown type
        control.encode(control.Slots(count=1)).replace(b'"count"', b'"kount"'),  # unknown field
        b"M\x7f\xff\xff\xff",  # absurd length
    ],
)
def test_broken_frames_are_refused(frame: bytes) -> None:
    with pytest.raises(control.ControlError):
        control.Parser().feed(frame)


def test_session_state_round_trip() -> None:
    state = control.SessionState(
        10001,
        77,
        "U",
        3,
        False,
        3,
        "P",
        {"timezone": "UTC"},
        "127.0.0.1",
        statements=[("s1", "select 1", [23])],
    )
    msg = control.MoveOut(state=control.state_dict(state))
    (back,) = control.Parser().feed(control.encode(msg))
    assert control.state_of(back) == state


def test_a_link_both_ways_with_a_socket_passed() -> None:
    """Requests and replies in both directions, a notice, and a descriptor that arrives usable."""
    proxy_end, engine_end = socket.socketpair()
    received: dict[str, object] = {}
    handed = threading.Event()

    def on_handoff(link: Link, msg: control.Handoff) -> str:
        with socket.socket(fileno=msg.fd) as s:
            received["peer"] = s.recv(5)
        received["state"] = msg.state
        handed.set()
        return "taken"

    def on_slots(link: Link, msg: control.Slots) -> None:
        received["slots"] = msg.count

    engine = Link(
        engine_end, {control.Handoff: on_handoff, control.Slots: on_slots}, frozenset(), lambda link: None
    )
    threading.Thread(target=engine.serve, daemon=True).start()

    async def scenario() -> None:
        async def on_read(link: EngineLink, msg: control.Read) -> object:
            if msg.method == "boom":
                raise DbError("42501", "refused")
            return {"method": msg.method, "args": msg.args}

        proxy = EngineLink(proxy_end, {control.Read: on_read})
        client, server_side = socket.socketpair()
        client.sendall(b"hello")
        reply = await proxy.call(control.Handoff(state={"pid": 5}), fd=os.dup(server_side.fileno()))
        server_side.close()
        assert reply.value == "taken"
        proxy.send(control.Slots(count=3))
        # The engine asks the proxy, from another thread, while the loop runs.
        got = await asyncio.to_thread(lambda: engine.call(control.Read(method="limits", args=[3])).value)
        assert got == {"method": "limits", "args": [3]}
        with pytest.raises(DbError, match="refused"):
            await asyncio.to_thread(lambda: engine.call(control.Read(method="boom")))
        client.close()
        proxy.close()

    asyncio.run(scenario())
    assert handed.wait(5) and received["peer"] == b"hello" and received["state"] == {"pid": 5}
    assert received["slots"] == 3
