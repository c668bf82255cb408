"""SLA severities by violation type and magnitude ([sla.severity] of conf/duckcdb.toml): every
type reaches each of the four severities at the thresholds the conf states."""

from __future__ import annotations

import pytest

from conf import load_config
from metering.sla import SEVERITIES, severity, uptime_magnitude

CONF = load_config().raw["sla"]


@pytest.mark.parametrize(
    ("type_", "magnitude", "expected"),
    [
        # Uptime: downtime over the target's allowed downtime (Gold 99.9%: 0.1% allowed)
        ("Uptime", uptime_magnitude(99.89, 99.9), "Low"),  # 1.1 x
        ("Uptime", uptime_magnitude(99.85, 99.9), "Medium"),  # 1.5 x
        ("Uptime", uptime_magnitude(99.75, 99.9), "High"),  # 2.5 x
        ("Uptime", uptime_magnitude(99.0, 99.9), "Critical"),  # 10 x
        # ResponseTime: the worst missed figure over its target
        ("ResponseTime", 1.2, "Low"),
        ("ResponseTime", 2.0, "Medium"),
        ("ResponseTime", 6.0, "High"),
        ("ResponseTime", 12.0, "Critical"),
        # ErrorRate: the server's error rate over the largest allowed
        ("ErrorRate", 2.0, "Low"),
        ("ErrorRate", 3.0, "Medium"),
        ("ErrorRate", 20.0, "High"),
        ("ErrorRate", 100.0, "Critical"),
    ],
)
def test_each_type_reaches_each_severity(type_: str, magnitude: float, expected: str) -> None:
    assert severity(CONF, type_, magnitude) == expected


def test_every_severity_is_used_and_thresholds_are_ordered() -> None:
    assert SEVERITIES == ("Critical", "High", "Medium", "Low")
    for type_ in ("Uptime", "ResponseTime", "ErrorRate"):
        levels = CONF["severity"][type_]
        assert levels["Critical"] > levels["High"] > levels["Medium"] >= 1.0


def test_uptime_magnitude() -> None:
    assert uptime_magnitude(99.5, 99.9) == pytest.approx(5.0)
    assert uptime_magnitude(100.0, 99.0) == 0.0
