"""SLA monitoring (issue 16): per PDB and SLA minute, whether it could serve, how many statement
cycles it answered and how many failed by the server's fault, and the response times in a
DDSketch merged from the engine's per-second sketches; compliance of each tenant checked every
minute against its tier's targets ([sla] in conf), violations recorded, logged and ended.

- Uptime: the share of the calendar month's judged minutes in which every PDB of the tenant could
  serve (open, its engine up and reporting). Minutes of a tenant in MAINTENANCE, in a declared
  maintenance window, SUSPENDED or TERMINATED are not judged (the service is off by agreement).
- Response time: over the last check_minutes minutes, the average, p95 and p99 of the server-side
  response time (message received to ReadyForQuery), exact to the sketch's 1%.
- Error rate: server failures (governance.meter.is_server_error) over statement cycles, same window.
- Severity: by type and magnitude, from [sla.severity] in conf (severity()).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ddsketch import DDSketch

from governance.meter import new_sketch, quantile, sketch_from_dict, sketch_to_dict
from metering.store import utc

if TYPE_CHECKING:
    from metering.service import Metering, PdbInfo

log = logging.getLogger("duckcdb.sla")

FINAL_AFTER_S = 3  # an engine's second is complete once this old (its snapshot comes every second)
REMEDIATION = {
    "Uptime": "Check the PDB's engine and the server log for restarts; open the PDB; consider a "
    "higher tier or moving the tenant to a less loaded server.",
    "ResponseTime": "Look at the tenant's slow statements and V$RSRCPDBMETRIC (CPU wait, I/O "
    "throttling); raise CPU_COUNT or the tier, or move noisy neighbours.",
    "ErrorRate": "Read the server log for the failures (53xxx resources, 57xxx shutdowns, XX000 "
    "internal errors); fix the cause or raise the PDB's memory.",
}


SEVERITIES = ("Critical", "High", "Medium", "Low")  # the brief's, highest first


def severity(conf: dict[str, Any], type_: str, magnitude: float) -> str:
    """A violation's severity from its magnitude (times the target's budget it used) and the
    thresholds of [sla.severity.<type>] in conf, the one place they live; Low below them all."""
    levels = conf.get("severity", {}).get(type_, {})
    for name in SEVERITIES[:-1]:
        if name in levels and magnitude >= float(levels[name]):
            return name
    return "Low"


def uptime_magnitude(uptime: float, target: float) -> float:
    """Downtime over the downtime the target allows."""
    allowed = 100.0 - target
    return (100.0 - uptime) / allowed if allowed > 0 else float("inf")


@dataclass
class Targets:
    uptime: float
    max_response_ms: float
    p95_ms: float
    p99_ms: float
    max_error_rate: float


@dataclass
class Minute:
    """One PDB's current SLA minute, in memory until it is written."""

    minute: int
    up: bool = True
    judged: bool = False  # at least one check counted (not excluded)
    excluded: bool = False
    cycles: int = 0
    server_errors: int = 0
    sketch: DDSketch = field(default_factory=new_sketch)


@dataclass
class Window:
    """A tenant's last minutes, for the response-time and error-rate judgements."""

    minutes: deque[tuple[int, DDSketch, int, int]]


def targets_for(conf: dict[str, Any], tier: str) -> Targets:
    t = conf.get("targets", {}).get(tier.upper()) or conf.get("targets", {}).get("SILVER", {})
    return Targets(
        float(t.get("uptime", 99.5)),
        float(t.get("max_response_ms", 50)),
        float(t.get("p95_ms", 150)),
        float(t.get("p99_ms", 300)),
        float(t.get("max_error_rate", 0.5)),
    )


class SlaMonitor:
    def __init__(self, meter: Metering) -> None:
        self.meter = meter
        self.conf = meter.cdb.config.raw.get("sla", {})
        self.minute_s = int(self.conf.get("minute_s", 60))
        self.check_minutes = int(self.conf.get("check_minutes", 5))
        self.min_statements = int(self.conf.get("min_statements", 20))
        self.current: dict[str, Minute] = {}  # guid -> the minute in progress
        self.done: list[tuple[str, Minute]] = []  # minutes ended, not yet written
        self.merged_upto: dict[str, int] = {}  # guid -> last engine second merged
        self.pending_seconds: dict[str, dict[int, dict[str, Any]]] = {}  # guid -> second -> sketch
        self.windows: dict[str, Window] = {}  # tenant -> its last minutes
        self.last_check = 0

    # ------------------------------------------------------------ measuring

    def _minute(self, guid: str, now: float) -> Minute:
        m = int(now // self.minute_s)
        cur = self.current.get(guid)
        if cur is None or cur.minute != m:
            if cur is not None:
                self.done.append((guid, cur))
            cur = self.current[guid] = Minute(m)
        return cur

    def observe(
        self, guid: str, info: PdbInfo, tenant_state: str | None, now: float, died: float | None
    ) -> None:
        """One availability check of a PDB (every tick); died: when its engine last died (an
        outage shorter than a tick between two checks still makes its minute down)."""
        cur = self._minute(guid, now)
        excluded = tenant_state in (
            "MAINTENANCE",
            "SUSPENDED",
            "TERMINATED",
            "PROVISIONING",
            "CLOSED",
        ) or self._in_window(info, now)
        if excluded:
            cur.excluded = True
            return
        cur.judged = True
        if not info.serving or (died is not None and died >= cur.minute * self.minute_s):
            cur.up = False

    def _in_window(self, info: PdbInfo, now: float) -> bool:
        windows = self.meter.store_windows.get(info.tenant, ())
        return any(s <= now < e for s, e in windows)

    def account(self, guid: str, deltas: dict[str, float], sketches: dict[str, Any], now: float) -> None:
        """An engine snapshot's deltas (cycles, server errors) and its per-second sketches."""
        cur = self._minute(guid, now)
        cur.cycles += int(deltas.get("cycles", 0))
        cur.server_errors += int(deltas.get("server_errors", 0))
        pend = self.pending_seconds.setdefault(guid, {})
        upto = self.merged_upto.get(guid, 0)
        for sec_text, d in sketches.items():
            sec = int(sec_text)
            if sec > upto:
                pend[sec] = d  # the newest copy of that second
        final = sorted(s for s in pend if s <= now - FINAL_AFTER_S)
        for sec in final:
            sk = sketch_from_dict(pend.pop(sec))
            target = cur if sec // self.minute_s == cur.minute else self._late(guid, sec)
            if target is not None:
                target.sketch.merge(sk)
            self.merged_upto[guid] = max(self.merged_upto.get(guid, 0), sec)

    def _late(self, guid: str, sec: int) -> Minute | None:
        """The ended, unwritten minute a late second belongs to."""
        m = sec // self.minute_s
        for g, minute in reversed(self.done):
            if g == guid and minute.minute == m:
                return minute
        return None

    # ------------------------------------------------------------ minutes: written, judged

    async def minute_tick(self, now: float) -> None:
        """Write the minutes that ended FINAL_AFTER_S ago (their last seconds merged), then judge
        every tenant once per minute."""
        boundary = int(now // self.minute_s)
        ready = [(g, m) for g, m in self.done if (m.minute + 1) * self.minute_s + FINAL_AFTER_S <= now]
        if not ready:
            return
        self.done = [(g, m) for g, m in self.done if (g, m) not in ready]
        rows = []
        for guid, m in ready:
            info = self.meter.info.get(guid)
            if info is None:
                continue
            rows.append(
                (
                    guid,
                    info.tenant,
                    info.pdb,
                    utc(m.minute * self.minute_s),
                    self.minute_s,
                    m.up,
                    m.excluded and not m.judged,
                    m.cycles,
                    m.server_errors,
                    json.dumps(sketch_to_dict(m.sketch)) if m.sketch.count else None,
                )
            )
            w = self.windows.setdefault(info.tenant, Window(deque(maxlen=self.check_minutes * 4)))
            w.minutes.append((m.minute, m.sketch, m.cycles, m.server_errors))
        await asyncio.to_thread(self.meter.store.add_minutes, rows)
        if boundary != self.last_check:
            self.last_check = boundary
            await asyncio.to_thread(self.check, now)

    def uptimes(self, now: float) -> dict[str, tuple[int, int]]:
        """Per tenant, (minutes up, minutes judged) in the calendar month so far."""
        month = utc(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        rows = self.meter.store.query(
            "SELECT tenant, count(*) FILTER (WHERE ok), count(*) FROM (SELECT tenant, minute,"
            " bool_and(up) AS ok FROM sla_minutes WHERE NOT excluded AND minute >= ? GROUP BY tenant, minute)"
            " GROUP BY tenant",
            (month,),
        )
        return {t: (int(u), int(n)) for t, u, n in rows}

    def current_metrics(self, tenant: str, now: float, uptimes: dict[str, tuple[int, int]]) -> dict[str, Any]:
        """The SLA's current metrics of a tenant (the brief's current_metrics)."""
        up, judged = uptimes.get(tenant, (0, 0))
        first = int(now // self.minute_s) - self.check_minutes
        sk = new_sketch()
        cycles = errors = 0
        w = self.windows.get(tenant)
        for minute, s, c, e in w.minutes if w else ():
            if minute >= first:
                if s.count:
                    sk.merge(s)
                cycles += c
                errors += e
        avg = sk.sum / sk.count if sk.count else None
        return {
            "uptime_percent": round(100.0 * up / judged, 4) if judged else 100.0,
            "minutes_judged": judged,
            "avg_response_time_ms": _ms(avg),
            "p50_response_time_ms": _ms(quantile(sk, 0.5)),
            "p95_response_time_ms": _ms(quantile(sk, 0.95)),
            "p99_response_time_ms": _ms(quantile(sk, 0.99)),
            "statements": cycles,
            "server_errors": errors,
            "error_rate_percent": round(100.0 * errors / cycles, 4) if cycles else 0.0,
        }

    def check(self, now: float) -> None:
        """Judge every tenant (and PDB without one) against its tier's targets: open a violation
        when a target is missed, end it when it is met again."""
        uptimes = self.uptimes(now)
        tenants: dict[str, tuple[str, str]] = {}
        for info in list(self.meter.info.values()):
            tenants.setdefault(info.tenant, (info.tier, info.pdb))
        for tenant, (tier, pdb) in tenants.items():
            t = targets_for(self.conf, tier)
            cm = self.current_metrics(tenant, now, uptimes)
            found: dict[str, tuple[str, str, float, float]] = {}
            if cm["minutes_judged"] and cm["uptime_percent"] < t.uptime:
                found["Uptime"] = (
                    severity(self.conf, "Uptime", uptime_magnitude(cm["uptime_percent"], t.uptime)),
                    f"uptime {cm['uptime_percent']}% this month is below the {tier} target of {t.uptime}%",
                    cm["uptime_percent"],
                    t.uptime,
                )
            if cm["statements"] >= self.min_statements:
                misses = []
                for what, key, lim in (
                    ("average", "avg_response_time_ms", t.max_response_ms),
                    ("p99", "p99_response_time_ms", t.p99_ms),
                    ("p95", "p95_response_time_ms", t.p95_ms),
                ):
                    v = cm[key]
                    if v is not None and v > lim:
                        misses.append((v / lim if lim > 0 else float("inf"), what, v, lim))
                if misses:
                    worst = max(misses)
                    text = ", ".join(f"{what} {v} ms > {lim} ms" for _, what, v, lim in misses)
                    found["ResponseTime"] = (
                        severity(self.conf, "ResponseTime", worst[0]),
                        f"response time over the last {self.check_minutes} minutes: {text} ({tier})",
                        worst[2],
                        worst[3],
                    )
                rate = cm["error_rate_percent"]
                if rate > t.max_error_rate:
                    found["ErrorRate"] = (
                        severity(
                            self.conf,
                            "ErrorRate",
                            rate / t.max_error_rate if t.max_error_rate > 0 else float("inf"),
                        ),
                        f"{cm['server_errors']} of {cm['statements']} statements failed by the server's fault"
                        f" ({rate}%) in the last {self.check_minutes} minutes; the {tier} target is"
                        f" {t.max_error_rate}%",
                        rate,
                        t.max_error_rate,
                    )
            store = self.meter.store
            for type_ in ("Uptime", "ResponseTime", "ErrorRate"):
                open_ = store.open_violation(tenant, type_)
                if type_ in found and open_ is None:
                    sev, desc, measured, target = found[type_]
                    store.add_violation(
                        tenant, pdb, type_, sev, desc, REMEDIATION[type_], measured, target, utc(now)
                    )
                    log.warning("SLA violation: tenant %s: %s %s: %s", tenant, sev, type_, desc)
                elif type_ in found and open_ is not None and _higher(found[type_][0], open_[1]):
                    sev, desc, measured, _target = found[type_]
                    store.raise_violation(open_[0], sev, desc, measured)
                    log.warning("SLA violation worse: tenant %s: %s %s: %s", tenant, sev, type_, desc)
                elif type_ not in found and open_ is not None:
                    store.end_violation(open_[0], utc(now))
                    log.warning("SLA violation ended: tenant %s: %s", tenant, type_)


def _higher(a: str, b: str) -> bool:
    return SEVERITIES.index(a) < SEVERITIES.index(b) if b in SEVERITIES else True


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def month_start(now: float) -> dt.datetime:
    return utc(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
