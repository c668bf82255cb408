"""Service tiers changed at runtime: one function (alter_tier), called by the admin SQL

    ALTER SERVICE TIER gold SET (cpu = 6, memory_mb = 12288, priority = 'High', ...)
    ALTER SERVICE TIER gold RESET (cpu, memory_mb) | RESET ALL     -- back to conf/tiers.toml

and by PUT /api/v1/service-tiers/{name}. The changed figures are kept in the catalog (Cdb.tiers
merges them over conf/tiers.toml, the one reader), checked before they are kept (each figure, the
tier as a whole on this machine, every PDB of the tier with its current use and own parameters,
the guarantees over all tenants), applied online to the tier's open PDBs, and audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from catalog.cdb import Cdb
from catalog.commands import resources as resource_sql
from catalog.store import User
from governance import resources
from pgcompat.statements import Statement
from pgcompat.words import syntax_error
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID
from tenants import ops
from tenants import pdbs as pdb_ops
from tenants.sql import _P


@dataclass
class AlterTier:
    name: str
    changes: dict[str, object] = field(default_factory=dict)
    reset: list[str] = field(default_factory=list)  # keys back to conf/tiers.toml
    reset_all: bool = False


def parse(stmt: Statement) -> AlterTier:
    p = _P(stmt)
    p.expect("ALTER", "SERVICE", "TIER")
    cmd = AlterTier(p.name())
    if p.accept("SET"):
        cmd.changes = {k.lower(): v for k, v in p.pairs()}
    elif p.accept("RESET"):
        if p.accept("ALL"):
            cmd.reset_all = True
        else:
            p.punct("(")
            while True:
                cmd.reset.append(p.next().text.lower())
                if p.accept_punct(")"):
                    break
                p.punct(",")
    else:
        raise syntax_error(p.peek_word() or "end of statement")
    p.end()
    return cmd


def tier_dict(t: resources.Tier) -> dict[str, object]:
    return {f.name: getattr(t, f.name) for f in fields(t) if f.name != "name"}


async def alter_tier(
    cdb: Cdb,
    actor: User,
    name: str,
    changes: dict[str, object],
    reset: list[str] | None = None,
    reset_all: bool = False,
    client: str = "",
) -> tuple[resources.Tier, list[str]]:
    """Change a tier's figures (reset: back to the file's); the tier as it is now, and notices."""
    pdb_ops.require(cdb, actor)
    tier = resource_sql.tier_name(cdb, name)
    base = cdb.file_tier(tier)
    if base is None:  # a tier only the catalog remembers cannot be: tier_name read cdb.tiers
        raise ora(
            2097, name="DB_PERFORMANCE_PROFILE", reason=f"service tier {tier} is not in conf/tiers.toml"
        )
    checked: dict[str, object] = {}
    for key, value in changes.items():
        try:
            checked[key.lower()] = resources.tier_value(key.lower(), value)
        except resources.InvalidValue as e:
            raise ora(65920, str(e), name=tier, reason=key.lower()) from None
    for key in reset or []:
        if key.lower() not in resources.TIER_KEYS:
            raise ora(65920, f"{key} is not a service tier figure", name=tier, reason=key.lower())
    async with ops._guarantees:
        before = cdb.tiers[tier]
        kept = {} if reset_all else cdb.cat.tier_overrides().get(tier, {})
        kept = {k: v for k, v in kept.items() if k not in {r.lower() for r in reset or []}}
        kept.update(checked)
        file_values = tier_dict(base)
        kept = {k: v for k, v in kept.items() if file_values.get(k) != v}  # only what differs
        with cdb.cat.transaction():
            cdb.cat.set_tier_override(tier, kept, actor.name)
            after = cdb.tiers[tier]  # inside the transaction: not cached, the new figures
            try:
                resources.check_tier(after)
            except resources.InvalidValue as e:
                raise ora(65920, str(e), name=tier, reason="the figures together") from None
            misfit = _misfits(cdb, tier)
            if misfit:
                raise ora(65921, "; ".join(misfit), name=tier)
            notices = ops.check_guarantees(cdb, "", tier, {})
            changed = [
                f"{k} {v} -> {tier_dict(after)[k]}"
                for k, v in tier_dict(before).items()
                if tier_dict(after)[k] != v
            ]
            cdb.cat.add_audit(
                ROOT_ID, "CDB$ROOT", actor.name, client, "ALTER SERVICE TIER", f"ALTER SERVICE TIER {tier}",
                "TIER_CHANGE", "00000", "; ".join(changed) or "no change",
            )  # fmt: skip
    await resource_sql.apply_to_open_pdbs(cdb)
    return cdb.tiers[tier], notices


def _misfits(cdb: Cdb, tier: str) -> list[str]:
    """What of the current use of the PDBs running on tier does not fit its figures as now stored."""
    out: list[str] = []
    for c in cdb.cat.containers():
        if c.con_id <= SEED_ID or c.status == "UNPLUGGED":
            continue
        lim = cdb.limits(c)
        if lim.tier != tier:
            continue
        try:
            resources.check_consistent(lim)
        except resources.InvalidValue as e:
            out.append(f"{c.name}: {e}")
        used = cdb.size_of(c.con_id)
        if lim.max_pdb_storage and used > lim.max_pdb_storage:
            out.append(f"{c.name} uses {used} bytes of storage, {tier} would allow {lim.max_pdb_storage}")
        sessions = len(cdb.runtime.sessions_in(c.con_id))
        if sessions > lim.sessions:
            out.append(f"{c.name} has {sessions} sessions, {tier} would allow {lim.sessions}")
    return out


async def execute(cdb: Cdb, cmd: AlterTier, actor: User) -> tuple[str, list[str]]:
    _, notices = await alter_tier(cdb, actor, cmd.name, cmd.changes, cmd.reset, cmd.reset_all)
    return "ALTER SERVICE TIER", notices
