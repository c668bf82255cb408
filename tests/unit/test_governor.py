"""The CPU shares (the proxy's Allotter), each engine's admission against its share (PdbGovernor)
and the token buckets, driven directly: fair shares, guarantees, caps and throttling counts
without a server."""

from __future__ import annotations

import dataclasses
import threading
import time

from governance.buckets import TokenBucket
from governance.governor import Allotter, PdbGovernor
from governance.resources import load_tiers, tier_limits

TIERS = load_tiers()


def limits(tier: str, **over: object):
    return dataclasses.replace(tier_limits(TIERS[tier]), **over)


def test_token_bucket_burst_debt_and_unlimited() -> None:
    b = TokenBucket(1000.0)
    assert b.capacity == 2000.0 and b.delay() == 0.0
    b.charge(2500)  # 500 beyond the burst: half a second of debt
    assert 0.4 < b.delay() <= 0.5
    unlimited = TokenBucket(0.0)
    unlimited.charge(10**12)
    assert unlimited.delay() == 0.0


def test_token_bucket_wait_counts_throttling() -> None:
    b = TokenBucket(10_000.0)
    b.charge(20_000 + 1_000)  # 0.1 s of debt
    start = time.monotonic()
    b.wait()
    assert time.monotonic() - start >= 0.08
    assert b.throttled == 1 and b.throttle_time > 0.05


def test_share_of_slots_follows_weights_among_active_pdbs() -> None:
    a = Allotter(slots=4)
    a.set_limits(3, limits("GOLD"))  # weight 4 shares x High 4 = 16
    a.set_limits(4, limits("BRONZE"))  # 1 x Low 1 = 1
    # Alone, a PDB may use every slot.
    assert a.cap(4) == 4
    a.set_active(3, True)
    a.set_active(4, True)
    # With both active, Bronze keeps one slot (nobody starves) and Gold gets its share.
    assert a.cap(4) == 1
    assert a.cap(3) == 3
    # Each engine is told only when its number changes.
    assert a.changed() == {3: 3, 4: 1}
    assert a.changed() == {}
    a.set_active(3, False)
    assert a.changed() == {4: 4}  # Gold, idle, keeps its share should it come back


def test_cpu_min_count_is_guaranteed_and_utilization_limit_caps() -> None:
    a = Allotter(slots=4)
    a.set_limits(3, limits("GOLD"))
    a.set_limits(4, limits("BRONZE", cpu_min_count=2))
    a.set_active(3, True)
    a.set_active(4, True)
    assert a.cap(4) == 2
    a.set_limits(5, limits("PLATINUM", utilization_limit=25))
    assert a.cap(5) == 1


def test_admission_runs_the_share_and_queues_beyond_it() -> None:
    g = PdbGovernor(limits("BRONZE"), cap=2)
    assert g.admit(None) and g.admit(None)
    assert g.running == 2
    admitted: list[float] = []

    def third() -> None:
        g.admit(None)
        admitted.append(time.monotonic())

    t = threading.Thread(target=third)
    t.start()
    time.sleep(0.05)
    assert not admitted and g.waiting == 1 and g.usage.throttled_statements == 1
    g.set_cap(1)  # the proxy shrank the share: one release is not enough now
    g.release()
    time.sleep(0.05)
    assert not admitted
    released = time.monotonic()
    g.release()
    t.join(5)
    assert admitted and admitted[0] >= released
    assert g.running == 1 and g.waiting == 0
    assert g.usage.cpu_wait_seconds > 0.05 and g.usage.statements == 2


def test_a_waiter_that_gives_up_leaves_the_queue() -> None:
    g = PdbGovernor(limits("SILVER"), cap=1)
    assert g.admit(None)
    assert not g.admit(time.monotonic() + 0.05)
    assert g.waiting == 0 and g.running == 1
    g.release()
    assert g.admit(time.monotonic() + 0.05)  # the slot is free again
    assert g.running == 1


def test_activity_is_reported_once_each_way() -> None:
    g = PdbGovernor(limits("SILVER"), cap=4)
    seen: list[bool] = []
    g.on_active = seen.append
    g.admit(None)
    g.release()
    g.admit(None)
    g.release()
    assert seen == [True]
    g.last_active -= 10  # a second without a statement
    g.idle_check()
    g.idle_check()
    assert seen == [True, False]
