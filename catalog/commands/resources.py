"""PDB resource parameters in SQL: ALTER SYSTEM SET / RESET, service tiers, SHOW PARAMETER.

ALTER SYSTEM SET name = value [COMMENT = '...'] [DEFERRED] [SCOPE = MEMORY | SPFILE | BOTH]
                 [SID = '*'] [CONTAINER = CURRENT | ALL];
ALTER SYSTEM RESET name [SCOPE = ...] [SID = '*'] [CONTAINER = CURRENT | ALL];
ALTER PLUGGABLE DATABASE p SET SERVICE TIER t;      (catalog.commands.pdbs; root)
SHOW PARAMETER[S] [name];                            (names containing name, as SQL*Plus)

Inside a PDB a parameter applies to that PDB; in CDB$ROOT it needs CONTAINER = ALL (every PDB).
DB_PERFORMANCE_PROFILE is the PDB's service tier; MAX_PDB_STORAGE and MAX_SHARED_TEMP_SIZE are
the STORAGE clause's figures. Changes apply at once to the running engine and sessions; values no
engine could honour are refused (ORA-02097), unknown names too (ORA-02065).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.commands.lockdown import require_common_alter_system
from catalog.store import Container, User
from governance import resources
from pgcompat.container_commands import show_words
from pgcompat.statements import Statement
from pgcompat.words import Words, syntax_error
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID

if TYPE_CHECKING:
    from catalog.cdb import Cdb

# Kept with the container row (STORAGE clause, service tier), not in pdb_parameters.
_CONTAINER_COLUMNS = {"MAX_PDB_STORAGE": "max_size", "MAX_SHARED_TEMP_SIZE": "max_temp_size"}


@dataclass
class SetParameter:
    name: str  # as written, upper-case
    value: str | None  # None: RESET
    all_containers: bool


@dataclass
class ShowParameters:
    pattern: str  # upper-case; empty: all


@dataclass
class ShowResources:
    """SHOW RESOURCES: each visible open PDB's budgets and usage, as the DBA reads them."""


def parse(stmt: Statement) -> SetParameter | ShowParameters | ShowResources:
    if stmt.words[:1] == ("SHOW",):
        words = show_words(stmt)
        if words[0] == "RESOURCES":
            return ShowResources()
        return ShowParameters(words[1].strip("'\"") if len(words) > 1 else "")
    p = Words(stmt)
    p.expect("ALTER", "SYSTEM")
    reset = p.accept("RESET")
    if not reset:
        p.expect("SET")
    name = p.next().text.upper()
    value = None
    if not reset:
        if not p.accept_punct("="):
            raise syntax_error(f"expected = after {name}")
        item = p.next()
        value = item.text
        # 2 G written apart, or a negative number: join what belongs to the value.
        while not p.at_end() and p.peek_word() not in _CLAUSES and not p.peek().quoted:  # type: ignore[union-attr]
            value += p.next().text
    all_containers = False
    while not p.at_end():
        clause = p.next().text.upper()
        if clause == "DEFERRED":
            continue
        if clause not in _CLAUSES:
            raise syntax_error(clause)
        p.accept_punct("=")
        arg = p.next()
        if clause == "CONTAINER":
            if arg.word not in ("ALL", "CURRENT"):
                raise syntax_error(f"CONTAINER = {arg.text}")
            all_containers = arg.word == "ALL"
        elif clause == "SCOPE" and arg.word not in ("MEMORY", "SPFILE", "BOTH"):
            raise syntax_error(f"SCOPE = {arg.text}")
    return SetParameter(name, value, all_containers)


_CLAUSES = ("COMMENT", "DEFERRED", "SCOPE", "SID", "CONTAINER")


async def execute(cdb: Cdb, cmd: SetParameter, con_id: int, actor: User) -> str:
    if cmd.name == "RESOURCE_MANAGER_PLAN":
        await _set_plan(cdb, cmd, con_id, actor)
        return "ALTER SYSTEM"
    found = resources.lookup(cmd.name)
    if found is None:
        raise ora(2065, name=cmd.name)
    param, unit = found
    require_common_alter_system(cdb.cat, actor, con_id)
    if con_id == SEED_ID:
        raise ora(65017)
    if con_id == ROOT_ID and not cmd.all_containers:
        raise ora(
            2097,
            name=cmd.name,
            reason="in CDB$ROOT a PDB resource parameter needs CONTAINER = ALL (or ALTER SESSION SET CONTAINER)",
        )
    if con_id == ROOT_ID:
        targets = [c for c in cdb.cat.containers() if c.con_id > SEED_ID and c.status not in ("UNPLUGGED",)]
    else:
        c = cdb.cat.container_by_id(con_id)
        assert c is not None
        targets = [c]
    value = None
    if cmd.value is not None:
        try:
            value = resources.parse_value(param, unit, cmd.value.strip("'\""), cdb.tiers)
        except resources.InvalidValue as e:
            raise ora(2097, name=cmd.name, reason=str(e)) from None
    for c in targets:
        _check(cdb, c, param, value)
    with cdb.cat.transaction():
        for c in targets:
            _store(cdb, c, param, value, actor.name)
    for c in targets:
        fresh = cdb.cat.container_by_id(c.con_id)
        if fresh is not None:
            await cdb.runtime.apply_limits(fresh)
    return "ALTER SYSTEM"


async def _set_plan(cdb: Cdb, cmd: SetParameter, con_id: int, actor: User) -> None:
    """ALTER SYSTEM SET RESOURCE_MANAGER_PLAN = 'p' | '' (none): the CDB plan in force, root only."""
    if con_id != ROOT_ID:
        raise ora(65040)
    require_common_alter_system(cdb.cat, actor, con_id)
    plan = (cmd.value or "").strip("'\"").upper()
    if plan and cdb.cat.cdb_plan(plan) is None:
        raise ora(2097, name=cmd.name, reason=f"resource plan {plan} does not exist")
    cdb.cat.set_meta("resource_manager_plan", plan)
    await apply_to_open_pdbs(cdb)


async def apply_to_open_pdbs(cdb: Cdb) -> None:
    """After a change of the plan in force or of its directives: every open PDB's engine learns its
    limits (threads follow parallel_server_limit); the proxy's scheduler reads them itself."""
    for cid in cdb.runtime.running():
        c = cdb.cat.container_by_id(cid)
        if c is not None and cid > SEED_ID:
            await cdb.runtime.apply_limits(c)


def _check(cdb: Cdb, c: Container, param: resources.Parameter, value: str | None) -> None:
    """The PDB's limits as they would be after the change must be possible."""
    over = cdb.cat.pdb_parameters(c.con_id)
    tier = c.tier
    if param.kind == "tier":
        tier = value or cdb.config.get("container", "default_tier")
    elif param.name in _CONTAINER_COLUMNS:
        pass
    elif value is None:
        over.pop(param.name, None)
    else:
        over[param.name] = value
    size = c.max_size if param.name != "MAX_PDB_STORAGE" else (int(value) if value is not None else None)
    temp = (
        c.max_temp_size
        if param.name != "MAX_SHARED_TEMP_SIZE"
        else (int(value) if value is not None else None)
    )
    for name, v in (("MAX_PDB_STORAGE", size), ("MAX_SHARED_TEMP_SIZE", temp)):
        if v is not None:
            over[name] = str(v)
    lim = resources.effective(cdb.tiers, tier, over)
    try:
        resources.check_consistent(lim)
    except resources.InvalidValue as e:
        raise ora(2097, name=param.name, reason=str(e)) from None
    used = cdb.size_of(c.con_id) or 0
    if lim.max_pdb_storage and lim.max_pdb_storage < used:
        raise ora(65113, name=c.name, used=str(used))


def _store(cdb: Cdb, c: Container, param: resources.Parameter, value: str | None, actor: str) -> None:
    if param.kind == "tier":
        tier = value or cdb.config.get("container", "default_tier")
        cdb.cat.update_container(c.con_id, tier=tier)
        # billing prorates a PDB's base price by its tiers over time (a tenant's PDB too)
        cdb.cat.record_tier_change(cdb.cat.tenant_of(c.con_id), c, c.tier, tier, "SET SERVICE TIER", actor)
    elif param.name in _CONTAINER_COLUMNS:
        cdb.cat.update_container(c.con_id, **{_CONTAINER_COLUMNS[param.name]: int(value) if value else None})
    else:
        cdb.cat.set_pdb_parameter(c.con_id, param.name, value)


def show_rows(cdb: Cdb, con_id: int, pattern: str) -> list[tuple[str, str, str]]:
    """(NAME, TYPE, VALUE) of the parameters whose names contain pattern, as SHOW PARAMETER prints;
    the root shows the CDB's plan in force and the default tier's figures."""
    c = cdb.cat.container_by_id(con_id)
    if c is None or con_id in (ROOT_ID, SEED_ID):
        tier = cdb.config.get("container", "default_tier")
        lim = resources.effective(cdb.tiers, tier, {})
    else:
        lim = cdb.limits(c)
    rows = []
    for p in resources.PARAMETERS.values():
        if pattern and pattern not in p.name:
            continue
        kind = {"bytes": "big integer", "tier": "string", "priority": "string"}.get(p.kind, "integer")
        rows.append((p.name.lower(), kind, resources.show_value(p, lim.value(p))))
    if pattern in "RESOURCE_MANAGER_PLAN":
        rows.append(("resource_manager_plan", "string", cdb.cat.get_meta("resource_manager_plan") or ""))
    return sorted(rows)


def tier_name(cdb: Cdb, text: str) -> str:
    """A service tier's name as stored; ORA-02097 for one conf/tiers.toml does not define."""
    try:
        return resources.parse_value(resources.PARAMETERS["DB_PERFORMANCE_PROFILE"], "tier", text, cdb.tiers)
    except resources.InvalidValue as e:
        raise ora(2097, name="DB_PERFORMANCE_PROFILE", reason=str(e)) from None


async def set_tier(cdb: Cdb, c: Container, text: str, actor: str = "SYS") -> None:
    """ALTER PLUGGABLE DATABASE c SET SERVICE TIER text: applied online."""
    if c.con_id <= SEED_ID:
        raise ora(65017) if c.con_id == SEED_ID else ora(65040)
    tier = tier_name(cdb, text)
    param = resources.PARAMETERS["DB_PERFORMANCE_PROFILE"]
    _check(cdb, c, param, tier)
    with cdb.cat.transaction():
        _store(cdb, c, param, tier, actor)
    fresh = cdb.cat.container_by_id(c.con_id)
    assert fresh is not None
    await cdb.runtime.apply_limits(fresh)


RESOURCE_COLUMNS = ("PDB_NAME", "RESOURCE", "STATISTIC", "VALUE")
PARAMETER_COLUMNS = ("NAME", "TYPE", "VALUE")


def columns_of(cmd: SetParameter | ShowParameters | ShowResources) -> tuple[str, ...]:
    """The result columns of a command (none for ALTER SYSTEM)."""
    if isinstance(cmd, ShowResources):
        return RESOURCE_COLUMNS
    if isinstance(cmd, ShowParameters):
        return PARAMETER_COLUMNS
    return ()


async def show_resources(cdb: Cdb, con_id: int) -> list[tuple[str, str, str, str]]:
    """Per open PDB visible from con_id: memory, CPU, I/O, network and buffer statistics (the
    brief's "Resource Isolation" figures), as its engine last reported them (every second)."""
    ids = [con_id] if con_id > SEED_ID else [c for c in cdb.runtime.running() if c > SEED_ID]
    await cdb.runtime.refresh_stats(ids)
    rows: list[tuple[str, str, str, str]] = []
    for cid in ids:
        c = cdb.cat.container_by_id(cid)
        lim = cdb.limits_of(cid)
        snap = cdb.runtime.stats(cid)
        if c is None or lim is None or snap is None:
            continue
        u, now, b = snap["usage"], snap["current"], snap["buckets"]
        span = max(now["end"] - now["begin"], 1e-6)
        io_ops, io_bytes, net = b["io_ops"], b["io_bytes"], b["network"]
        sessions = cdb.runtime.sessions_in(cid)
        stats: list[tuple[str, str, object]] = [
            ("memory", "allocated_bytes", u["memory_bytes"]),
            ("memory", "quota_bytes", lim.memory_bytes),
            ("memory", "utilization_percent", round(100 * u["memory_bytes"] / lim.memory_bytes, 1)),
            ("memory", "peak_usage_bytes", u["memory_peak"]),
            ("memory", "oom_count", u["oom_count"]),
            # the parsed statements its sessions keep (bounded by bytes, in the PDB's engine)
            ("memory", "statement_cache_bytes", snap.get("statement_cache", (0, 0))[0]),
            ("memory", "statement_cache_budget_bytes", snap.get("statement_cache", (0, 0))[1]),
            ("cpu", "min_cpu_count", lim.cpu_min_count),
            ("cpu", "max_cpu_count", lim.cpu_count),
            ("cpu", "engine_threads", lim.engine_threads),
            ("cpu", "shares", lim.shares),
            ("cpu", "priority", lim.priority),
            ("cpu", "utilization_limit_percent", lim.utilization_limit),
            ("cpu", "current_usage_percent", round(100 * now["cpu_consumed_ms"] / (span * 1000), 1)),
            ("cpu", "consumed_seconds", round(u["cpu_seconds"], 3)),
            ("cpu", "running_statements", snap["running"]),
            ("cpu", "waiting_statements", snap["waiting"]),
            ("cpu", "statement_slots", snap["cap"]),
            ("cpu", "throttled_count", u["throttled_statements"]),
            ("cpu", "wait_seconds", round(u["cpu_wait_seconds"], 3)),
            ("locks", "write_gate_waits", snap.get("write_gate_waits", 0)),
            ("io", "current_iops", round(now["iops"], 1)),
            ("io", "max_iops", lim.max_iops),
            ("io", "current_mbps", round(now["io_mbps"], 3)),
            ("io", "max_mbps", lim.max_mbps),
            ("io", "tokens_available", round(io_ops["tokens"], 1)),
            ("io", "tokens_capacity", round(io_ops["capacity"], 1)),
            ("io", "refill_rate_per_sec", io_ops["rate"]),
            ("io", "throttled_operations", io_ops["throttled"] + io_bytes["throttled"]),
            ("io", "throttle_seconds", round(io_ops["throttle_time"] + io_bytes["throttle_time"], 3)),
            ("io", "bytes_read", u["bytes_read"]),
            ("io", "bytes_written", u["bytes_written"]),
            ("network", "limit_mbps", lim.network_mbps),
            ("network", "current_rate_mbps", round(now["bytes_sent"] * 8 / 1e6 / span, 3)),
            ("network", "connections", len(sessions)),
            ("network", "max_connections", lim.sessions),
            ("network", "bytes_sent", u["bytes_sent"]),
            ("network", "bytes_received", u["bytes_received"]),
            ("network", "throttled_count", net["throttled"]),
        ]
        for sess in sorted(sessions, key=lambda x: x.pid):
            stats.append((f"session {sess.pid}", "bytes_sent", sess.bytes_sent))
            stats.append((f"session {sess.pid}", "bytes_received", sess.bytes_received))
        try:
            for tag, used, spilled in await cdb.runtime.memory_by_kind(cid):
                stats.append(("buffer", f"{str(tag).lower()}_bytes", used))
                if spilled:
                    stats.append(("buffer", f"{str(tag).lower()}_spilled_bytes", spilled))
        except OSError:
            pass
        rows += [(c.name, r, s, str(v)) for r, s, v in stats]
    return rows
