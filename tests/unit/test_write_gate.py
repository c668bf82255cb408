"""engine.write_gate: one writer at a time, waiters served in arrival order, waits that end."""

from __future__ import annotations

import threading
import time

import pytest

from engine.write_gate import WriteGate
from pgwire.errors import DbError


def never() -> str | None:
    return None


def test_holder_reenters_and_others_wait_their_turn_in_order() -> None:
    gate = WriteGate()
    assert gate.acquire(1, None, never) is False  # free: no wait
    assert gate.acquire(1, None, never) is False  # its own
    assert not gate.try_acquire(2)
    order: list[int] = []

    def waiter(sid: int) -> None:
        assert gate.acquire(sid, 5, never) is True
        order.append(sid)
        gate.release(sid)

    threads = []
    for sid in (2, 3, 4):
        t = threading.Thread(target=waiter, args=(sid,))
        t.start()
        threads.append(t)
        time.sleep(0.05)  # arrival order 2, 3, 4
    # a newcomer does not jump the queue
    assert not gate.try_acquire(5)
    gate.release(1)
    for t in threads:
        t.join(5)
    assert order == [2, 3, 4]
    assert gate.waits == 3
    assert gate.holder is None
    assert gate.generation == 4


def test_lock_timeout_is_55P03_and_the_queue_moves_on() -> None:
    gate = WriteGate()
    gate.acquire(1, None, never)
    started = time.monotonic()
    with pytest.raises(DbError) as e:
        gate.acquire(2, 0.2, never)
    assert e.value.sqlstate == "55P03"
    assert time.monotonic() - started >= 0.19
    gate.release(1)
    assert gate.try_acquire(3)  # the timed-out waiter left the queue


def test_interrupt_ends_a_wait_with_57014() -> None:
    gate = WriteGate()
    gate.acquire(1, None, never)
    flag: list[str] = []
    threading.Timer(0.1, lambda: flag.append("user request")).start()
    with pytest.raises(DbError) as e:
        gate.acquire(2, None, lambda: flag[0] if flag else None)
    assert e.value.sqlstate == "57014"
    assert "user request" in str(e.value)


def test_release_by_a_non_holder_changes_nothing_and_read_only_release_keeps_generation() -> None:
    gate = WriteGate()
    gate.acquire(1, None, never)
    gate.release(2)
    assert gate.held_by(1)
    gate.release(1, wrote=False)
    assert gate.generation == 0 and gate.holder is None
