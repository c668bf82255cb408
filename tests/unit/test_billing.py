"""Billing arithmetic against invoices computed by hand (metering.billing, prices of conf/duckcdb.toml)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from conf import load_config
from metering import billing

PRICING = billing.Pricing.from_conf(load_config().raw)
NOV = dt.datetime(2026, 11, 1)
DAY = 86400


def _invoice(uptime: float | None, usage: list[tuple[str, str, dt.datetime, float]]) -> dict:
    period = billing.parse_period("2026-11")
    # a Bronze tenant since October that moves to Gold on the 10th of November at 00:00
    segs = billing.tier_segments(
        "BRONZE", [(dt.datetime(2026, 11, 10), "GOLD")], (dt.datetime(2026, 10, 3), None), period
    )
    assert segs == [
        (NOV, dt.datetime(2026, 11, 10), "BRONZE"),
        (dt.datetime(2026, 11, 10), dt.datetime(2026, 12, 1), "GOLD"),
    ]
    return billing.compute(PRICING, "ACME", period, segs, usage, uptime, [], [])


# 100 CPU hours; storage growing from 100 GB (15 days) to 400 GB (15 days); 100 GB sent;
# 20 M + 5 M I/O operations; 1,000 connection hours
USAGE = [
    ("ACME", "cpu_time", NOV, 100 * 3.6e9),
    ("ACME", "storage", NOV, 100e9 * 15 * DAY + 400e9 * 15 * DAY),
    ("ACME", "network_sent_bytes", NOV, 100e9),
    ("ACME", "io_read_ops", NOV, 20e6),
    ("ACME", "io_write_ops", NOV, 5e6),
    ("ACME", "connection_time", NOV, 1000 * 3600.0),
]


def test_mid_month_tier_change_storage_growth_allowances_and_an_sla_credit() -> None:
    r = _invoice(98.5, USAGE)
    # base: Bronze 9/30 of $100 + Gold 21/30 of $500
    assert [b["amount"] for b in r["base_breakdown"]] == ["30.00", "350.00"]
    assert r["base_cost"] == "380.00" and r["service_tier"] == "GOLD"
    # allowances prorated the same way: CPU 10*0.3 + 60*0.7 = 45 h; storage 50*0.3 + 250*0.7 = 190
    # GB-month; egress 10*0.3 + 50*0.7 = 38 GB; I/O 1*0.3 + 10*0.7 = 7.3 M; connections 30 + 420 = 450 h
    assert r["usage_breakdown"] == {
        "cpu_time_cost": "2.75",  # (100 - 45) h x $0.05
        "storage_cost": "6.00",  # time-weighted 250 GB-month, (250 - 190) x $0.10
        "network_cost": "5.58",  # (100 - 38) GB x $0.09
        "io_operations_cost": "3.54",  # (25 - 7.3) M x $0.20
        "connection_time_cost": "5.50",  # (1000 - 450) h x $0.01
    }
    assert r["usage_cost"] == "23.37"
    # uptime 98.5% is below Gold's 99.0% threshold: 25% of the base
    assert r["sla"]["credit_percent"] == "25" and r["sla_credit"] == "95.00"
    assert r["total_cost"] == "308.37"  # 380.00 + 23.37 - 95.00
    assert all(isinstance(x, str) for x in (r["base_cost"], r["usage_cost"], r["total_cost"]))
    gross = {li["metric"]: li["amount"] for li in r["line_items"] if li["pdb"] == "ACME"}
    assert gross == {
        "cpu_hour": "5.00",
        "storage_gb_month": "25.00",
        "network_egress_gb": "9.00",
        "io_million_ops": "5.00",
        "connection_hour": "10.00",
    }


def test_no_credit_when_the_uptime_target_is_met_and_usage_within_allowances() -> None:
    r = _invoice(99.95, [("ACME", "cpu_time", NOV, 3.6e9)])  # 1 CPU hour, within the 45 included
    assert r["sla_credit"] == "0.00" and r["usage_cost"] == "0.00" and r["total_cost"] == "380.00"


def test_rounding_is_half_up_to_the_cent_per_amount() -> None:
    assert billing.money(Decimal("0.005")) == Decimal("0.01")
    assert billing.money(Decimal("0.0049")) == Decimal("0.00")
    # a 10-day range in a 30-day month of a $250 tier: 83.333... -> 83.33
    period = billing.parse_period("2026-11-01..2026-11-10")
    segs = billing.tier_segments("SILVER", [], (dt.datetime(2026, 1, 1), None), period)
    r = billing.compute(PRICING, "X", period, segs, [], None, [], [])
    assert r["base_cost"] == "83.33" and r["total_cost"] == "83.33"


def test_adjustments_carry_into_the_total() -> None:
    period = billing.parse_period("2026-12")
    segs = billing.tier_segments("BRONZE", [], (dt.datetime(2026, 1, 1), None), period)
    adj = [{"period": "2026-11", "amount": "1.25", "reason": "late corrections to 2026-11"}]
    r = billing.compute(PRICING, "X", period, segs, [], None, [], adj)
    assert r["adjustments_total"] == "1.25" and r["total_cost"] == "101.25"


def test_auto_scaling_steps_are_billed_by_the_seconds_in_each_tier() -> None:
    """A Bronze tenant whose PDB auto scales to Silver's figures on 10 Nov 12:00 and back on the 12th,
    then moves to Gold on the 20th (by hand: 9.5 + 1.5 + 8 + 11 days of a 30-day month)."""
    rank = PRICING.base_monthly
    ts = lambda d, h=0: dt.datetime(2026, 11, d, h).replace(tzinfo=dt.UTC).timestamp()  # noqa: E731
    rows = [
        (ts(10, 12), "G1", "SILVER", "AUTO SCALE UP BRONZE -> SILVER (ACME): CPU_COUNT 1 -> 2"),
        (ts(12), "G1", "BRONZE", "AUTO SCALE DOWN SILVER -> BRONZE (ACME): CPU_COUNT 2 -> 1"),
        (ts(20), None, "GOLD", "SET SERVICE TIER BRONZE -> GOLD"),
    ]
    changes = [
        (dt.datetime.fromtimestamp(w, dt.UTC).replace(tzinfo=None), t, why)
        for w, t, why in billing.billed_tiers("BRONZE", rows, rank)
    ]
    period = billing.parse_period("2026-11")
    segs = billing.tier_segments("BRONZE", changes, (dt.datetime(2026, 10, 3), None), period)
    r = billing.compute(PRICING, "ACME", period, segs, [], None, [], [], service_tier="GOLD")
    lines = [(b["service_tier"], b["amount"], b.get("change", "")[:18]) for b in r["base_breakdown"]]
    assert lines == [
        ("BRONZE", "31.67", ""),  # 9.5/30 x $100 = 31.666..
        ("SILVER", "12.50", "AUTO SCALE UP BRON"),  # 1.5/30 x $250
        ("BRONZE", "26.67", "AUTO SCALE DOWN SI"),  # 8/30 x $100 = 26.666..
        ("GOLD", "183.33", "SET SERVICE TIER B"),  # 11/30 x $500 = 183.333..
    ]
    assert r["base_cost"] == "254.17" and r["total_cost"] == "254.17" and r["service_tier"] == "GOLD"
    # auto scaling does not change the contracted tier: the SLA credit policy stays Bronze's
    r2 = billing.compute(PRICING, "ACME", period, segs[:2], [], 98.9, [], [], service_tier="BRONZE")
    assert r2["service_tier"] == "BRONZE" and r2["sla"]["credit_percent"] == "10"


def test_the_billed_tier_is_the_dearest_of_the_tenant_and_its_pdbs() -> None:
    rank = PRICING.base_monthly
    rows = [
        (1.0, "G1", "SILVER", "a"),  # one PDB scales up: Silver
        (2.0, "G2", "GOLD", "b"),  # another further: Gold
        (3.0, "G2", "BRONZE", "c"),  # it comes down: Silver again (G1 still up)
        (4.0, "G1", "BRONZE", "d"),  # both down: Bronze
        (5.0, None, "SILVER", "e"),  # the tenant's own change
        (6.0, "G1", "SILVER", "f"),  # a PDB at the tenant's tier: no change billed
    ]
    assert billing.billed_tiers("BRONZE", rows, rank) == [
        (1.0, "SILVER", "a"),
        (2.0, "GOLD", "b"),
        (3.0, "SILVER", "c"),
        (4.0, "BRONZE", "d"),
        (5.0, "SILVER", "e"),
    ]


def test_a_dropped_pdb_stops_counting_toward_its_tenants_tier() -> None:
    rows = [(1.0, "G1", "GOLD", "up"), (2.0, "G1", None, "DROP PLUGGABLE DATABASE P1")]
    assert billing.billed_tiers("BRONZE", rows, PRICING.base_monthly) == [
        (1.0, "GOLD", "up"),
        (2.0, "BRONZE", "DROP PLUGGABLE DATABASE P1"),
    ]


def test_the_month_closed_automatically() -> None:
    from metering.service import month_to_close

    ts = lambda *a: dt.datetime(*a, tzinfo=dt.UTC).timestamp()  # noqa: E731
    hour = 3600.0
    assert month_to_close(ts(2026, 12, 1, 0, 30), hour) == "2026-10"  # November is in its grace hour
    assert month_to_close(ts(2026, 12, 1, 1, 0, 1), hour) == "2026-11"
    assert month_to_close(ts(2027, 1, 4), hour) == "2026-12"
