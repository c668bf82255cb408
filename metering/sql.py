"""The metering commands in SQL; each runs its one function of metering.ops.

SHOW BILLING FOR TENANT t PERIOD '2026-12'            -- one invoice (a period: 'YYYY-MM' or 'YYYY-MM-DD..YYYY-MM-DD')
SHOW BILLING EXPORT PERIOD '2026-12' FORMAT CSV|JSON  -- every tenant's invoice, as one text value
SHOW SLA FOR TENANT t                                 -- the SLA report (JSON)
SHOW USAGE FOR TENANT t PERIOD '2026-12' [BY DAY]     -- what it used (JSON; BY HOUR|DAY|MONTH: a series)
ALTER SYSTEM CLOSE BILLING PERIOD '2026-11'           -- freeze a period's invoices (root)
ALTER SYSTEM DECLARE MAINTENANCE WINDOW FOR TENANT t FROM '2026-12-05 02:00' TO '2026-12-05 04:00' [REASON '...']
ALTER SYSTEM CORRECT USAGE FOR PLUGGABLE DATABASE p METRIC 'cpu_time' VALUE n AT '2026-11-15 00:00'
                                                      -- a late correction: closed periods keep their
                                                      -- invoices, the next month adjusts
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from metering import ops
from metering.service import Metering
from pgwire.errors import DbError

_STR = r"'((?:[^']|'')*)'"
_NAME = r"([A-Za-z][A-Za-z0-9_$#]*)"
_PATTERNS = {
    "report": re.compile(rf"^\s*SHOW\s+BILLING\s+FOR\s+TENANT\s+{_NAME}\s+PERIOD\s+{_STR}\s*;?\s*$", re.I),
    "export": re.compile(
        rf"^\s*SHOW\s+BILLING\s+EXPORT\s+PERIOD\s+{_STR}\s+FORMAT\s+(CSV|JSON)\s*;?\s*$", re.I
    ),
    "sla": re.compile(rf"^\s*SHOW\s+SLA\s+FOR\s+TENANT\s+{_NAME}\s*;?\s*$", re.I),
    "usage": re.compile(
        rf"^\s*SHOW\s+USAGE\s+FOR\s+TENANT\s+{_NAME}\s+PERIOD\s+{_STR}(?:\s+BY\s+(HOUR|DAY|MONTH))?\s*;?\s*$",
        re.I,
    ),
    "close": re.compile(rf"^\s*ALTER\s+SYSTEM\s+CLOSE\s+BILLING\s+PERIOD\s+{_STR}\s*;?\s*$", re.I),
    "window": re.compile(
        rf"^\s*ALTER\s+SYSTEM\s+DECLARE\s+MAINTENANCE\s+WINDOW\s+FOR\s+TENANT\s+{_NAME}\s+FROM\s+{_STR}"
        rf"\s+TO\s+{_STR}(?:\s+REASON\s+{_STR})?\s*;?\s*$",
        re.I,
    ),
    "correct": re.compile(
        rf"^\s*ALTER\s+SYSTEM\s+CORRECT\s+USAGE\s+FOR\s+PLUGGABLE\s+DATABASE\s+{_NAME}\s+METRIC\s+{_STR}"
        rf"\s+VALUE\s+(-?[0-9]+(?:\.[0-9]+)?)\s+AT\s+{_STR}\s*;?\s*$",
        re.I,
    ),
}

REPORT_COLUMNS = (
    "TENANT_ID",
    "PERIOD",
    "SERVICE_TIER",
    "BASE_COST",
    "USAGE_COST",
    "SLA_CREDIT",
    "ADJUSTMENTS",
    "TOTAL_COST",
    "CURRENCY",
    "REPORT",
)


@dataclass
class Command:
    kind: str
    args: tuple[str, ...]


def parse(text: str) -> Command:
    for kind, pat in _PATTERNS.items():
        m = pat.match(text)
        if m:
            return Command(kind, tuple((g or "").replace("''", "'") for g in m.groups()))
    raise DbError(
        "42601", "syntax error in a billing command: see SHOW BILLING FOR TENANT t PERIOD 'YYYY-MM'"
    )


def columns(cmd: Command) -> tuple[str, ...]:
    if cmd.kind == "report":
        return REPORT_COLUMNS
    if cmd.kind == "export":
        return ("EXPORT",)
    if cmd.kind in ("sla", "usage"):
        return ("REPORT",)
    return ()


def execute(
    m: Metering, cmd: Command, own_tenant: str | None, actor: Any = None
) -> tuple[str, list[tuple[Any, ...]]]:
    """(command tag, rows). own_tenant: None in the root (every tenant), else the tenant of the
    session's PDB, the only one it may ask about; root-only commands are refused elsewhere. actor:
    the user, who in the root must be SYS or a SYSDBA (ops.require_billing_admin)."""
    if own_tenant is None and actor is not None:
        ops.require_billing_admin(m, actor)
    if (
        cmd.kind in ("report", "sla", "usage")
        and own_tenant is not None
        and cmd.args[0].upper() != own_tenant
    ):
        raise DbError("42501", "ORA-01031: insufficient privileges: a PDB sees only its own tenant")
    if cmd.kind in ("export", "close", "window", "correct") and own_tenant is not None:
        raise DbError("42501", "ORA-65040: operation not allowed from within a pluggable database")
    if cmd.kind == "report":
        r = ops.billing_report(m, cmd.args[0], cmd.args[1])
        row = (
            r["tenant_id"],
            r["period"],
            r["service_tier"],
            r["base_cost"],
            r["usage_cost"],
            r["sla_credit"],
            r["adjustments_total"],
            r["total_cost"],
            r["currency"],
            json.dumps(r, indent=2, sort_keys=True),
        )
        return "SELECT 1", [row]
    if cmd.kind == "export":
        return "SELECT 1", [(ops.export_period(m, cmd.args[0], cmd.args[1]),)]
    if cmd.kind == "sla":
        return "SELECT 1", [(json.dumps(ops.sla_status(m, cmd.args[0]), indent=2, sort_keys=True),)]
    if cmd.kind == "usage":
        r = ops.usage_report(m, cmd.args[0], cmd.args[1], cmd.args[2] or None)
        return "SELECT 1", [(json.dumps(r, indent=2, sort_keys=True),)]
    if cmd.kind == "close":
        ops.close_period(m, cmd.args[0])
        return "ALTER SYSTEM", []
    if cmd.kind == "correct":
        ops.correct_usage(m, cmd.args[0], cmd.args[1], float(cmd.args[2]), _ts(cmd.args[3]))
        return "ALTER SYSTEM", []
    start, end = (_ts(a) for a in cmd.args[1:3])
    ops.declare_maintenance(m, cmd.args[0], start, end, cmd.args[3] or None)
    return "ALTER SYSTEM", []


def _ts(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise DbError("22007", f"invalid timestamp {text!r} (UTC, 'YYYY-MM-DD HH:MM[:SS]')") from None
