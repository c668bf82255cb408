"""The proxy's CPU scheduler and token buckets (governance.governor), driven directly: fair shares,
guarantees, caps and throttling counts without a server."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest

from governance.buckets import TokenBucket
from governance.governor import Governor
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
    asyncio.run(b.wait())
    assert time.monotonic() - start >= 0.08
    assert b.throttled == 1 and b.throttle_time > 0.05


def _run(coro):  # noqa: ANN001, ANN202
    return asyncio.run(coro)


def test_share_of_slots_follows_weights_among_active_pdbs() -> None:
    gov = Governor(slots=4)
    gold = gov.pdb(3, limits("GOLD"))  # weight 4 shares x High 4 = 16
    bronze = gov.pdb(4, limits("BRONZE"))  # 1 x Low 1 = 1
    now = time.monotonic()
    # Alone, a PDB may use every slot.
    assert gov.cap(bronze, now) == 4
    gold.last_active = bronze.last_active = now
    # With both active, Bronze keeps one slot (nobody starves) and Gold gets its share.
    assert gov.cap(bronze, now) == 1
    assert gov.cap(gold, now) == 3


def test_cpu_min_count_is_guaranteed_and_utilization_limit_caps() -> None:
    gov = Governor(slots=4)
    gold = gov.pdb(3, limits("GOLD"))
    low = gov.pdb(4, limits("BRONZE", cpu_min_count=2))
    gold.last_active = low.last_active = time.monotonic()
    assert gov.cap(low) == 2
    capped = gov.pdb(5, limits("PLATINUM", utilization_limit=25))
    assert gov.cap(capped) == 1


def test_admission_reserves_each_share_and_queues_beyond_it() -> None:
    async def scenario() -> list[str]:
        gov = Governor(slots=2)
        gold = gov.pdb(3, limits("GOLD"))
        bronze = gov.pdb(4, limits("BRONZE"))
        order: list[str] = []
        await gov.admit(bronze)
        await gov.admit(bronze)  # alone: both slots
        assert bronze.running == 2

        async def run(g, tag: str) -> None:  # noqa: ANN001
            await gov.admit(g)
            order.append(tag)

        # Gold is below its share: it runs at once, without waiting for Bronze's statements
        # (no preemption; the engines' nice values share the CPU meanwhile).
        await run(gold, "gold")
        assert order == ["gold"] and gold.usage.throttled_statements == 0
        # Bronze is over its share now that Gold is active: its next statement waits ...
        waiting = asyncio.create_task(run(bronze, "bronze"))
        await asyncio.sleep(0.01)
        assert order == ["gold"] and bronze.usage.throttled_statements == 1
        gov.release(bronze)
        await asyncio.sleep(0.01)
        assert order == ["gold"]  # ... still one running, its one slot
        gov.release(bronze)
        await asyncio.sleep(0.01)
        assert order == ["gold", "bronze"]  # ... until it is below its share again
        await waiting
        assert bronze.usage.cpu_wait_seconds > 0
        return order

    assert _run(scenario()) == ["gold", "bronze"]


def test_a_waiter_that_gives_up_leaves_the_queue() -> None:
    async def scenario() -> None:
        gov = Governor(slots=1)
        g = gov.pdb(3, limits("SILVER"))
        await gov.admit(g)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await gov.admit(g)
        assert not g.waiting and g.running == 1
        gov.release(g)
        await gov.admit(g)  # the slot is free again
        assert g.running == 1

    _run(scenario())
