"""The tenant operations: each one function, called by the admin SQL (tenants.sql) and by the REST
API alike. Each returns the notices to show (warnings), or raises DbError.

Crash safety, as the PDB lifecycle's: an operation first commits its intent (the tenant's
pending_op, or its new state with what it needs to undo it), then touches PDBs, then commits the
result. recover() settles what a crash interrupted: a tenant still being created is removed with
its PDBs (it exists whole or not at all); a drop that was under way is finished.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from dataclasses import dataclass, field

from catalog import lifecycle, plug
from catalog.cdb import Cdb
from catalog.commands import resources as resource_sql
from catalog.files import crash_point
from catalog.store import Container, Tenant, TenantArchive, TenantTemplate, User
from governance import resources
from pgwire import auth
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID
from tenants import gate, quota, states

log = logging.getLogger("duckcdb.tenants")

DAY_S = 86400.0
# How long SUSPEND / DROP wait for the sessions they ended to be gone before closing the PDBs.
_SESSIONS_GONE_S = 5.0


@dataclass
class TenantSpec:
    """What CREATE TENANT (and POST /api/v1/tenants) says: tenant_name, admin_user, service_tier,
    auto_scaling, backup_enabled map onto name, admin_user, tier, auto_scaling, backup. Names as
    the catalog keeps them: upper-case, unless the user name was quoted (then as written)."""

    name: str
    admin_user: str
    admin_password: str
    display_name: str | None = None
    contact: str | None = None
    tier: str | None = None
    template: str | None = None
    auto_scaling: bool = False
    backup: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    if_not_exists: bool = False


# ------------------------------------------------------------------ who may


def require(cdb: Cdb, actor: User, privilege: str) -> None:
    """SYS, or a common user holding the system privilege (CREATE / ALTER / DROP TENANT) commonly."""
    if actor.name == "SYS" and actor.common:
        return
    if actor.common and cdb.cat.has_privilege(actor, ROOT_ID, privilege):
        return
    raise ora(1031, f"{privilege} is needed")


_locks: dict[str, asyncio.Lock] = {}
# Changes that add guarantees (provisioning, tiers, quotas) one at a time, so that two of them
# cannot each pass check_guarantees and together exceed the machine.
_guarantees = asyncio.Lock()


def lock(name: str) -> asyncio.Lock:
    """Serializes the operations on one tenant (each checks its state inside it)."""
    return _locks.setdefault(name.upper(), asyncio.Lock())


def get(cdb: Cdb, name: str) -> Tenant:
    t = cdb.cat.tenant(name.upper())
    if t is None:
        raise ora(65901, name=name.upper())
    return t


def _event(
    cdb: Cdb, t: Tenant, actor: User, op: str, to_state: str | None, reason: str | None = None
) -> None:
    cdb.cat.add_tenant_event(t.name, actor.name, op, t.state, to_state, reason)


# ------------------------------------------------------------------ guarantees


def _machine(cdb: Cdb) -> quota.Machine:
    return quota.Machine(
        resources.machine_cpus(),
        resources.machine_memory(),
        int(cdb.config.get("tenants", "machine_iops")),
        int(cdb.config.get("tenants", "machine_mbps")),
    )


def check_guarantees(
    cdb: Cdb, name: str, tier: str, new_quota: dict[str, int], extra_pdbs: int = 0
) -> list[str]:
    """The guarantees of every live tenant, with tenant name's tier and quota as proposed (and
    extra_pdbs more PDBs of it): ORA-65911 when they exceed the machine, or a warning with
    [tenants] allow_oversubscription."""
    needs: list[quota.Need] = []
    for t in cdb.cat.tenants():
        if t.state == states.TERMINATED or t.name == name:
            continue
        for c in cdb.cat.tenant_pdbs(t.name):
            needs.append(quota.need(cdb.tiers, c.tier, cdb.cat.pdb_parameters(c.con_id), t.quota))
    mine = cdb.cat.tenant_pdbs(name) if cdb.cat.tenant(name) is not None else []
    for c in mine:
        needs.append(quota.need(cdb.tiers, tier, _own_parameters(cdb, c), new_quota))
    for _ in range(extra_pdbs):
        needs.append(quota.need(cdb.tiers, tier, {}, new_quota))
    over = quota.over_machine(needs, _machine(cdb))
    if not over:
        return []
    what = "; ".join(over)
    if cdb.config.get("tenants", "allow_oversubscription"):
        return [f"guarantees oversubscribed (allowed by [tenants] allow_oversubscription): {what}"]
    raise ora(65911, what, resource=over[0].split(":")[0])


def _own_parameters(cdb: Cdb, c: Container) -> dict[str, str]:
    """c's parameters that are its own, not its tenant's quota (those are recomputed)."""
    own = cdb.cat.pdb_parameters(c.con_id)
    for param, _ in quota.MAPPING.values():
        if param is not None:
            own.pop(param, None)
    own.pop("DB_PERFORMANCE_PROFILE", None)
    return own


# ------------------------------------------------------------------ provisioning


async def _create_tenant(cdb: Cdb, actor: User, spec: TenantSpec) -> list[str]:
    """CREATE TENANT: the tenant and its first PDB (named after it) from the template or PDB$SEED,
    with the tier and the template's settings, opened READ WRITE and its state saved. Any failure
    removes what was built; a crash leaves the tenant whole or not at all (recover())."""
    require(cdb, actor, "CREATE TENANT")
    name = spec.name.upper()
    if cdb.cat.tenant(name) is not None:
        if spec.if_not_exists:
            return [f"tenant {name} already exists, skipping"]
        raise ora(65902, name=name)
    if cdb.find(name) is not None:
        raise ora(65012, name=name)
    tpl: TenantTemplate | None = None
    if spec.template is not None:
        tpl = cdb.cat.tenant_template(spec.template.upper())
        if tpl is None:
            raise ora(65908, name=spec.template.upper())
    tier_text = (
        spec.tier or (tpl.tier if tpl and tpl.tier else None) or cdb.config.get("container", "default_tier")
    )
    tier = resource_sql.tier_name(cdb, tier_text)
    notices = check_guarantees(cdb, name, tier, {}, extra_pdbs=1)
    now = time.time()
    t = Tenant(
        name=name,
        display_name=spec.display_name or name,
        contact=spec.contact,
        tier=tier,
        state=states.ACTIVE,
        reason=None,
        labels=dict(spec.labels),
        auto_scaling=spec.auto_scaling,
        backup=spec.backup,
        template=tpl.name if tpl else None,
        quota={},
        admin_user=spec.admin_user,
        pending_op="CREATE",
        created_at=now,
        changed_at=now,
        purge_after=None,
    )
    with cdb.cat.transaction():
        cdb.cat.insert_tenant(t)
    crash_point("tenant:intent")
    try:
        notices += await _provision_pdb(cdb, t, spec, tpl, tier)
        with cdb.cat.transaction():
            cdb.cat.update_tenant(name, pending_op=None)
            cdb.cat.add_tenant_event(name, actor.name, "CREATE", None, states.ACTIVE, _origin(tpl))
    except BaseException as e:
        log.warning("provisioning of tenant %s failed (%s): removing what was built", name, e)
        await _remove_half_built(cdb, name)
        raise
    return notices


def _origin(tpl: TenantTemplate | None) -> str:
    return f"from template {tpl.name}" if tpl else "from PDB$SEED"


async def _provision_pdb(
    cdb: Cdb, t: Tenant, spec: TenantSpec, tpl: TenantTemplate | None, tier: str
) -> list[str]:
    notices: list[str] = []
    admin = t.admin_user or spec.admin_user
    if tpl is None:
        notices += await lifecycle.create_pdb(
            cdb, t.name, admin, spec.admin_password, [], None, None, tier=tier
        )
    else:
        src = cdb.cat.container_by_id(tpl.pdb_con_id)
        if src is None:
            raise ora(65908, "its frozen copy is gone", name=tpl.name)
        notices += await lifecycle.clone_pdb(cdb, t.name, src.name, False, False, None, None, tier=tier)
    c = cdb.require_pdb(t.name)
    with cdb.cat.transaction():
        cdb.cat.add_tenant_pdb(t.name, c.con_id)
        if tpl is not None:
            verifier = auth.scram_verifier(spec.admin_password)
            if cdb.cat.user(admin, c.con_id) is None:
                cdb.cat.insert_user(admin, c.con_id, False, verifier, cdb.md5(spec.admin_password, admin))
            else:
                cdb.cat.set_password(admin, c.con_id, verifier, cdb.md5(spec.admin_password, admin))
            cdb.cat.grant_role(admin, c.con_id, "PDB_DBA", False)
            if tpl.lockdown_profile:
                cdb.cat.set_pdb_lockdown(c.con_id, tpl.lockdown_profile)
            for pname, value in tpl.parameters.items():
                cdb.cat.set_pdb_parameter(c.con_id, pname, value)
    crash_point("tenant:pdb")
    c = cdb.require_pdb(t.name)
    n = await lifecycle.open_pdb(cdb, c, "READ WRITE", False, False)
    if n:
        notices.append(n)
    crash_point("tenant:open")
    c = cdb.require_pdb(t.name)
    lifecycle.save_state(cdb, c, True)
    return notices


async def _remove_half_built(cdb: Cdb, name: str) -> None:
    """A tenant whose provisioning did not finish: its PDBs (and the one named after it) and its row go."""
    owned = {c.con_id for c in cdb.cat.tenant_pdbs(name)}
    t = cdb.cat.tenant(name)
    named = cdb.find(name)
    # The PDB named after it, made by this provisioning (never one that was there before it, or another's).
    if (
        named is not None
        and named.con_id > SEED_ID
        and t is not None
        and named.created_at >= t.created_at
        and cdb.cat.tenant_of(named.con_id) in (None, name)
    ):
        owned.add(named.con_id)
    for con_id in sorted(owned):
        c = cdb.cat.container_by_id(con_id)
        if c is None:
            continue
        await _close_quietly(cdb, c)
        c = cdb.cat.container_by_id(con_id) or c
        try:
            await lifecycle.drop_pdb(cdb, c, True)
        except DbError as e:
            log.error("could not drop PDB %s of half-built tenant %s: %s", c.name, name, e.message)
    with cdb.cat.transaction():
        cdb.cat.delete_tenant(name)


async def _close_quietly(cdb: Cdb, c: Container) -> None:
    if c.is_open or c.con_id in cdb.runtime.running():
        try:
            await lifecycle.close_pdb(cdb, c, True)
        except DbError:
            await cdb.runtime.stop_engine(c.con_id)
            cdb.cat.update_container(c.con_id, open_mode="MOUNTED", open_time=None)


def check_add_pdb(cdb: Cdb, actor: User, tenant: str) -> Tenant:
    """Before CREATE PLUGGABLE DATABASE ... TENANT t: t exists and is ACTIVE."""
    require(cdb, actor, "ALTER TENANT")
    t = get(cdb, tenant)
    if t.state != states.ACTIVE or t.pending_op:
        raise ora(
            65903, "a PDB is added to an ACTIVE tenant", name=t.name, from_state=t.state, to_state=t.state
        )
    check_guarantees(cdb, t.name, t.tier, t.quota, extra_pdbs=1)
    return t


async def add_pdb(cdb: Cdb, actor: User, tenant: str, pdb: str, tier_given: bool) -> None:
    """CREATE PLUGGABLE DATABASE ... TENANT t: the new PDB is t's, with t's tier (unless the
    statement named one) and quota."""
    t = get(cdb, tenant)
    c = cdb.require_pdb(pdb)
    with cdb.cat.transaction():
        cdb.cat.add_tenant_pdb(t.name, c.con_id)
        if not tier_given:
            cdb.cat.update_container(c.con_id, tier=t.tier)
        for pname, value in quota.parameters(t.quota).items():
            cdb.cat.set_pdb_parameter(c.con_id, pname, value)
        cdb.cat.add_tenant_event(t.name, actor.name, "ADD PDB", t.state, t.state, c.name)


# ------------------------------------------------------------------ states


async def _end_sessions(cdb: Cdb, con_ids: list[int], err: DbError, keep: set[str] | None = None) -> None:
    """End the sessions of these PDBs with err as a FATAL (those of users in keep stay)."""
    ended: list[int] = []
    for con_id in con_ids:
        for s in cdb.runtime.sessions_in(con_id):
            if keep is not None and s.user in keep:
                continue
            await s.terminate("57P01", err.message)
            ended.append(s.pid)
    deadline = time.monotonic() + _SESSIONS_GONE_S
    while time.monotonic() < deadline:
        left = [s for cid in con_ids for s in cdb.runtime.sessions_in(cid) if s.pid in ended]
        if not left:
            break
        await asyncio.sleep(0.05)


async def _suspend(cdb: Cdb, actor: User, name: str, reason: str | None) -> list[str]:
    """ALTER TENANT t SUSPEND REASON '...': every session of its PDBs ends with a FATAL saying why,
    logins are refused with the same words (tenants.gate), its PDBs close; nothing is deleted."""
    require(cdb, actor, "ALTER TENANT")
    t = get(cdb, name)
    states.check(t.name, t.state, states.SUSPENDED)
    reason = reason or "suspended by the operator"
    pdbs = cdb.cat.tenant_pdbs(t.name)
    with cdb.cat.transaction():
        for c in pdbs:
            cdb.cat.set_prior_state(c.con_id, c.open_mode if c.is_open else None, c.restricted, c.saved_state)
            # A restart while suspended must not reopen them.
            cdb.cat.update_container(c.con_id, saved_state=None, last_open_mode="MOUNTED")
        _event(cdb, t, actor, "SUSPEND", states.SUSPENDED, reason)
        cdb.cat.update_tenant(t.name, state=states.SUSPENDED, reason=reason)
    crash_point("tenant:suspend")
    await _end_sessions(cdb, [c.con_id for c in pdbs], ora(65904, name=t.name, reason=reason))
    for c in pdbs:
        await _close_quietly(cdb, cdb.cat.container_by_id(c.con_id) or c)
    return []


async def _maintenance(cdb: Cdb, actor: User, name: str, reason: str | None) -> list[str]:
    """ALTER TENANT t MAINTENANCE: only users with RESTRICTED SESSION stay connected and may log in."""
    require(cdb, actor, "ALTER TENANT")
    t = get(cdb, name)
    states.check(t.name, t.state, states.MAINTENANCE)
    with cdb.cat.transaction():
        _event(cdb, t, actor, "MAINTENANCE", states.MAINTENANCE, reason)
        cdb.cat.update_tenant(t.name, state=states.MAINTENANCE, reason=reason)
    err = ora(65905, name=t.name)
    for c in cdb.cat.tenant_pdbs(t.name):
        for s in cdb.runtime.sessions_in(c.con_id):
            if not gate.may_maintain(cdb.cat, s.user, getattr(s, "user_con_id", c.con_id), c.con_id):
                await s.terminate("57P01", err.message)
    return []


async def _set_migrating(cdb: Cdb, actor: User, name: str, reason: str | None) -> list[str]:
    """MIGRATING (for relocation, a later issue): sessions go on, new logins wait (57P03)."""
    require(cdb, actor, "ALTER TENANT")
    t = get(cdb, name)
    states.check(t.name, t.state, states.MIGRATING)
    with cdb.cat.transaction():
        _event(cdb, t, actor, "MIGRATE", states.MIGRATING, reason)
        cdb.cat.update_tenant(t.name, state=states.MIGRATING, reason=reason)
    return []


async def _resume(cdb: Cdb, actor: User, name: str) -> list[str]:
    """ALTER TENANT t RESUME: ACTIVE again; after a SUSPEND each PDB reopens in the mode it had
    (and its saved state comes back)."""
    require(cdb, actor, "ALTER TENANT")
    t = get(cdb, name)
    if t.state == states.TERMINATED:
        raise ora(65903, "use UNDROP TENANT", name=t.name, from_state=t.state, to_state=states.ACTIVE)
    states.check(t.name, t.state, states.ACTIVE)
    pdbs = cdb.cat.tenant_pdbs(t.name)
    reopen: list[tuple[Container, str, bool]] = []
    with cdb.cat.transaction():
        if t.state == states.SUSPENDED:
            for c in pdbs:
                mode, restricted, saved = cdb.cat.prior_state(c.con_id)
                cdb.cat.update_container(c.con_id, saved_state=saved, last_open_mode=mode or "MOUNTED")
                cdb.cat.set_prior_state(c.con_id, None, False, None)
                if mode:
                    reopen.append((c, mode, restricted))
        _event(cdb, t, actor, "RESUME", states.ACTIVE)
        cdb.cat.update_tenant(t.name, state=states.ACTIVE, reason=None)
    notices: list[str] = []
    for c, mode, restricted in reopen:
        fresh = cdb.cat.container_by_id(c.con_id) or c
        try:
            n = await lifecycle.open_pdb(cdb, fresh, mode, restricted, False)
        except DbError as e:
            notices.append(f"pluggable database {c.name} could not be reopened: {e.message}")
            continue
        if n:
            notices.append(n)
    return notices


# ------------------------------------------------------------------ tiers and quotas


def _fit(cdb: Cdb, c: Container, tier: str, t: Tenant, new_quota: dict[str, int]) -> list[str]:
    """What of c's current use does not fit tier (with its own parameters and the quota)."""
    over = {**_own_parameters(cdb, c), **quota.parameters(new_quota)}
    if c.max_size is not None:
        over["MAX_PDB_STORAGE"] = str(c.max_size)
    lim = resources.effective(cdb.tiers, tier, over)
    out = []
    used = cdb.size_of(c.con_id)
    if lim.max_pdb_storage and used > lim.max_pdb_storage:
        out.append(f"{c.name} uses {used} bytes of storage, {tier} allows {lim.max_pdb_storage}")
    sessions = len(cdb.runtime.sessions_in(c.con_id))
    if sessions > lim.sessions:
        out.append(f"{c.name} has {sessions} sessions, {tier} allows {lim.sessions}")
    try:
        resources.check_consistent(lim)
    except resources.InvalidValue as e:
        out.append(f"{c.name}: {e}")
    return out


async def _set_tier(cdb: Cdb, actor: User, name: str, tier_text: str) -> list[str]:
    """ALTER TENANT t SET SERVICE TIER x: every PDB of t gets x online (no session dropped); a tier
    its current use does not fit is refused, saying what does not fit."""
    require(cdb, actor, "ALTER TENANT")
    t = get(cdb, name)
    if t.state == states.TERMINATED:
        raise ora(65907, name=t.name)
    tier = resource_sql.tier_name(cdb, tier_text)
    pdbs = cdb.cat.tenant_pdbs(t.name)
    misfit = [m for c in pdbs for m in _fit(cdb, c, tier, t, t.quota)]
    if misfit:
        raise ora(65910, "; ".join(misfit), name=t.name, tier=tier)
    notices = check_guarantees(cdb, t.name, tier, t.quota)
    with cdb.cat.transaction():
        for c in pdbs:
            cdb.cat.update_container(c.con_id, tier=tier)
            cdb.cat.set_pdb_parameter(c.con_id, "DB_PERFORMANCE_PROFILE", None)
            if t.auto_scaling:  # auto scaling starts again from the new tier's figures
                for pname in ("CPU_COUNT", "SGA_TARGET"):
                    cdb.cat.set_pdb_parameter(c.con_id, pname, quota.parameters(t.quota).get(pname))
        cdb.cat.add_tenant_event(
            t.name, actor.name, "SET SERVICE TIER", t.state, t.state, f"{t.tier} -> {tier}"
        )
        cdb.cat.record_tier_change(t.name, None, t.tier, tier, "SET SERVICE TIER", actor.name)
        cdb.cat.update_tenant(t.name, tier=tier)
    await _apply(cdb, pdbs)
    return notices


async def _apply(cdb: Cdb, pdbs: list[Container]) -> None:
    for c in pdbs:
        fresh = cdb.cat.container_by_id(c.con_id)
        if fresh is not None and fresh.con_id in cdb.runtime.running():
            await cdb.runtime.apply_limits(fresh)


async def _set_quota(cdb: Cdb, actor: User, name: str, new: dict[str, int]) -> list[str]:
    """ALTER TENANT t QUOTA (CPU_MIN_PERCENT = .., ..., MAX_MBPS = ..): merged over t's quota, mapped
    onto each PDB's parameters (tenants.quota.MAPPING), applied online; guarantees checked."""
    require(cdb, actor, "ALTER TENANT")
    t = get(cdb, name)
    if t.state == states.TERMINATED:
        raise ora(65907, name=t.name)
    merged = quota.validate({**t.quota, **quota.validate(new)})
    pdbs = cdb.cat.tenant_pdbs(t.name)
    misfit = [m for c in pdbs for m in _fit(cdb, c, c.tier, t, merged)]
    if misfit:
        raise ora(65913, name=", ".join(sorted(new)), reason="; ".join(misfit))
    notices = check_guarantees(cdb, t.name, t.tier, merged)
    params = quota.parameters(merged)
    with cdb.cat.transaction():
        for c in pdbs:
            for pname, _ in quota.MAPPING.values():
                if pname is not None:
                    cdb.cat.set_pdb_parameter(c.con_id, pname, params.get(pname))
        described = ", ".join(f"{k} = {v}" for k, v in sorted(merged.items()))
        cdb.cat.add_tenant_event(t.name, actor.name, "QUOTA", t.state, t.state, described)
        cdb.cat.update_tenant(t.name, quota=merged)
    await _apply(cdb, pdbs)
    return notices


def set_options(
    cdb: Cdb,
    actor: User,
    name: str,
    *,
    display_name: str | None = None,
    contact: str | None = None,
    auto_scaling: bool | None = None,
    backup: bool | None = None,
    labels: dict[str, str] | None = None,
) -> list[str]:
    """ALTER TENANT t SET CONTACT / DISPLAY NAME / AUTO SCALING / BACKUP / LABELS."""
    require(cdb, actor, "ALTER TENANT")
    t = get(cdb, name)
    fields: dict[str, object] = {}
    if display_name is not None:
        fields["display_name"] = display_name
    if contact is not None:
        fields["contact"] = contact
    if auto_scaling is not None:
        fields["auto_scaling"] = int(auto_scaling)
    if backup is not None:
        fields["backup"] = int(backup)
    if labels is not None:
        fields["labels"] = {**t.labels, **labels}
    with cdb.cat.transaction():
        cdb.cat.update_tenant(t.name, **fields)
        cdb.cat.add_tenant_event(t.name, actor.name, "SET", t.state, t.state, ", ".join(sorted(fields)))
    return []


# ------------------------------------------------------------------ templates


async def create_template(
    cdb: Cdb,
    actor: User,
    name: str,
    source: str,
    no_data: bool,
    tier: str | None,
    lockdown_profile: str | None,
    parameters: dict[str, str],
) -> list[str]:
    """CREATE TENANT TEMPLATE t FROM PDB p [NO DATA] [SERVICE TIER x] [LOCKDOWN PROFILE lp]
    [PARAMETERS (...)]: a frozen copy of p (a closed PDB named TPL$t that never opens: schema,
    data unless NO DATA, local users and roles, parameters) plus the settings."""
    require(cdb, actor, "CREATE TENANT")
    name = name.upper()
    if cdb.cat.tenant_template(name) is not None:
        raise ora(65909, name=name)
    src = cdb.require_pdb(source)
    if cdb.cat.template_of_pdb(src.con_id):
        raise ora(
            65914,
            "a template is made from a PDB",
            name=src.name,
            template=cdb.cat.template_of_pdb(src.con_id) or "",
        )
    tier_name = resource_sql.tier_name(cdb, tier) if tier else None
    if lockdown_profile and cdb.cat.lockdown_profile(lockdown_profile.upper()) is None:
        raise ora(65208, name=lockdown_profile.upper())
    params: dict[str, str] = {}
    for pname, text in parameters.items():
        found = resources.lookup(pname)
        if found is None or found[0].kind == "tier":
            raise ora(2065, name=pname.upper())
        try:
            params[found[0].name] = resources.parse_value(found[0], found[1], text, cdb.tiers)
        except resources.InvalidValue as e:
            raise ora(2097, name=pname.upper(), reason=str(e)) from None
    frozen = f"TPL${name}"
    if cdb.find(frozen) is not None:
        raise ora(65012, name=frozen)
    notices = await lifecycle.clone_pdb(cdb, frozen, src.name, False, no_data, None, None, tier=tier_name)
    c = cdb.require_pdb(frozen)
    with cdb.cat.transaction():
        cdb.cat.insert_tenant_template(
            TenantTemplate(
                name,
                c.con_id,
                src.name,
                no_data,
                tier_name,
                lockdown_profile.upper() if lockdown_profile else None,
                params,
                time.time(),
            )
        )
    return notices


async def drop_template(cdb: Cdb, actor: User, name: str) -> list[str]:
    require(cdb, actor, "DROP TENANT")
    tpl = cdb.cat.tenant_template(name.upper())
    if tpl is None:
        raise ora(65908, name=name.upper())
    with cdb.cat.transaction():
        cdb.cat.delete_tenant_template(tpl.name)
    c = cdb.cat.container_by_id(tpl.pdb_con_id)
    if c is not None:
        await lifecycle.drop_pdb(cdb, c, True)
    return []


# ------------------------------------------------------------------ deprovisioning


def _archive_name(cdb: Cdb, tenant: str, pdb: str) -> str:
    return f"{cdb.config.get('tenants', 'archive_dir')}/{tenant}/{pdb}.pdb"


async def _drop_tenant(
    cdb: Cdb, actor: User, name: str, immediate: bool, if_exists: bool = False
) -> list[str]:
    """DROP TENANT t [IMMEDIATE]: TERMINATED; its sessions end, logins are refused; its PDBs are
    unplugged into .pdb archives and dropped; UNDROP TENANT within the retention brings it back,
    the background purge removes it after. IMMEDIATE: no archive, purged at once."""
    require(cdb, actor, "DROP TENANT")
    if if_exists and cdb.cat.tenant(name.upper()) is None:
        return [f"tenant {name.upper()} does not exist, skipping"]
    t = get(cdb, name)
    states.check(t.name, t.state, states.TERMINATED)
    retention = float(cdb.config.get("tenants", "retention_days")) * DAY_S
    with cdb.cat.transaction():
        _event(cdb, t, actor, "DROP IMMEDIATE" if immediate else "DROP", states.TERMINATED)
        cdb.cat.update_tenant(
            t.name,
            state=states.TERMINATED,
            reason="dropped",
            pending_op="DROP IMMEDIATE" if immediate else "DROP",
            purge_after=time.time() + (0 if immediate else retention),
        )
    crash_point("tenant:drop")
    await _finish_drop(cdb, t.name, immediate)
    return []


async def _finish_drop(cdb: Cdb, name: str, immediate: bool) -> None:
    """The part of a drop after its intent: idempotent, so that recover() can run it again."""
    pdbs = cdb.cat.tenant_pdbs(name)
    await _end_sessions(cdb, [c.con_id for c in pdbs], ora(65907, name=name))
    for c in pdbs:
        c = cdb.cat.container_by_id(c.con_id) or c
        # A suspended tenant's PDBs come back as they were before the SUSPEND.
        prior_mode, prior_restricted, _ = cdb.cat.prior_state(c.con_id)
        mode = prior_mode or (c.open_mode if c.is_open else None)
        restricted = prior_restricted if prior_mode else c.restricted
        await _close_quietly(cdb, c)
        c = cdb.cat.container_by_id(c.con_id) or c
        archived = {a.pdb_name for a in cdb.cat.tenant_archives(name)}
        if not immediate and c.name not in archived:  # archived before a crash: recorded as it was then
            file = _archive_name(cdb, name, c.name)
            path = plug.exchange_path(cdb, file)
            path.parent.mkdir(parents=True, exist_ok=True)
            if c.status != "UNPLUGGED":
                await plug.unplug_pdb(cdb, c, file)
            with cdb.cat.transaction():
                cdb.cat.add_tenant_archive(TenantArchive(name, c.name, file, mode, restricted))
        c = cdb.cat.container_by_id(c.con_id) or c
        crash_point("tenant:archive")
        await lifecycle.drop_pdb(cdb, c, True)
    if immediate:
        purge_tenant(cdb, name, "DROP IMMEDIATE")
        return
    with cdb.cat.transaction():
        cdb.cat.update_tenant(name, pending_op=None)


async def _undrop_tenant(cdb: Cdb, actor: User, name: str) -> list[str]:
    """UNDROP TENANT t: within the retention, its PDBs are plugged back from their archives and
    reopened as they were; t is ACTIVE again."""
    require(cdb, actor, "DROP TENANT")
    t = get(cdb, name)
    if t.state != states.TERMINATED:
        raise ora(65903, name=t.name, from_state=t.state, to_state=states.ACTIVE)
    if t.pending_op:
        raise ora(
            65903,
            f"its {t.pending_op} is still under way",
            name=t.name,
            from_state=t.state,
            to_state=states.ACTIVE,
        )
    if t.purge_after is not None and time.time() > t.purge_after:
        raise ora(65907, "its retention has ended", name=t.name)
    notices: list[str] = []
    archives = cdb.cat.tenant_archives(t.name)
    for a in archives:
        if cdb.find(a.pdb_name) is not None:
            raise ora(65012, f"it is needed to undrop tenant {t.name}", name=a.pdb_name)
    for a in archives:
        notices += await plug.plug_pdb(cdb, a.pdb_name, a.file, False, "COPY", False)
        c = cdb.require_pdb(a.pdb_name)
        with cdb.cat.transaction():
            cdb.cat.add_tenant_pdb(t.name, c.con_id)
            cdb.cat.update_container(c.con_id, tier=c.tier)
        if a.open_mode:
            n = await lifecycle.open_pdb(cdb, c, a.open_mode, a.restricted, False)
            if n:
                notices.append(n)
            lifecycle.save_state(cdb, cdb.require_pdb(a.pdb_name), True)
        with cdb.cat.transaction():
            cdb.cat.delete_tenant_archive(t.name, a.pdb_name)
        await asyncio.to_thread(plug.exchange_path(cdb, a.file).unlink, True)
    with cdb.cat.transaction():
        _event(cdb, t, actor, "UNDROP", states.ACTIVE)
        cdb.cat.update_tenant(t.name, state=states.ACTIVE, reason=None, purge_after=None)
    return notices


def purge_tenant(cdb: Cdb, name: str, why: str) -> None:
    """Remove a terminated tenant for good: its archives and its row (its events stay)."""
    t = cdb.cat.tenant(name)
    if t is None:
        return
    for a in cdb.cat.tenant_archives(name):
        plug.exchange_path(cdb, a.file).unlink(missing_ok=True)
    folder = plug.exchange_path(cdb, _archive_name(cdb, name, "X")).parent
    shutil.rmtree(folder, ignore_errors=True)
    with cdb.cat.transaction():
        cdb.cat.add_tenant_event(name, "SYS", "PURGE", t.state, None, why)
        cdb.cat.delete_tenant(name)
    log.info("tenant %s purged (%s)", name, why)


def purge_expired(cdb: Cdb, now: float | None = None) -> list[str]:
    """The background purge: terminated tenants whose retention has ended. Returns their names."""
    now = time.time() if now is None else now
    done = []
    for t in cdb.cat.tenants():
        if (
            t.state == states.TERMINATED
            and not t.pending_op
            and t.purge_after is not None
            and t.purge_after <= now
        ):
            purge_tenant(cdb, t.name, "retention ended")
            done.append(t.name)
    return done


async def purge_loop(cdb: Cdb) -> None:
    """Runs in the server's event loop: purge_expired() every [tenants] purge_interval_s."""
    interval = float(cdb.config.get("tenants", "purge_interval_s"))
    while True:
        await asyncio.sleep(interval)
        try:
            purge_expired(cdb)
        except Exception:  # noqa: BLE001 - the next round tries again; the server goes on
            log.exception("tenant purge failed")


# ------------------------------------------------------------------ start-up


async def recover(cdb: Cdb) -> None:
    """After lifecycle.start: a tenant still being created is removed with its PDBs; a drop that was
    under way is finished."""
    for t in cdb.cat.tenants():
        if t.pending_op == "CREATE":
            log.warning("tenant %s was being created when the server stopped: removed", t.name)
            await _remove_half_built(cdb, t.name)
            cdb.cat.add_tenant_event(
                t.name, "SYS", "CREATE ROLLED BACK", None, None, "interrupted by a restart"
            )
        elif t.pending_op in ("DROP", "DROP IMMEDIATE"):
            log.warning("finishing the interrupted drop of tenant %s", t.name)
            await _finish_drop(cdb, t.name, t.pending_op == "DROP IMMEDIATE")
        elif t.state == states.SUSPENDED:
            # Engines that outlived the previous proxy (adopted) of a tenant suspended meanwhile.
            pdbs = [c for c in cdb.cat.tenant_pdbs(t.name) if c.is_open or c.con_id in cdb.runtime.running()]
            if pdbs:
                log.warning("tenant %s is suspended: closing its PDBs that are still open", t.name)
                reason = t.reason or "suspended by the operator"
                await _end_sessions(cdb, [c.con_id for c in pdbs], ora(65904, name=t.name, reason=reason))
                for c in pdbs:
                    await _close_quietly(cdb, c)


# ------------------------------------------------------------------ the operations, one tenant at a time
# (the private function of the same name does the work and says what it is)


async def create_tenant(cdb: Cdb, actor: User, spec: TenantSpec) -> list[str]:
    async with lock(spec.name), _guarantees:
        return await _create_tenant(cdb, actor, spec)


async def suspend(cdb: Cdb, actor: User, name: str, reason: str | None) -> list[str]:
    async with lock(name):
        return await _suspend(cdb, actor, name, reason)


async def maintenance(cdb: Cdb, actor: User, name: str, reason: str | None) -> list[str]:
    async with lock(name):
        return await _maintenance(cdb, actor, name, reason)


async def set_migrating(cdb: Cdb, actor: User, name: str, reason: str | None) -> list[str]:
    async with lock(name):
        return await _set_migrating(cdb, actor, name, reason)


async def resume(cdb: Cdb, actor: User, name: str) -> list[str]:
    async with lock(name):
        return await _resume(cdb, actor, name)


async def set_tier(cdb: Cdb, actor: User, name: str, tier_text: str) -> list[str]:
    async with lock(name), _guarantees:
        return await _set_tier(cdb, actor, name, tier_text)


async def set_quota(cdb: Cdb, actor: User, name: str, new: dict[str, int]) -> list[str]:
    async with lock(name), _guarantees:
        return await _set_quota(cdb, actor, name, new)


async def drop_tenant(
    cdb: Cdb, actor: User, name: str, immediate: bool, if_exists: bool = False
) -> list[str]:
    async with lock(name):
        return await _drop_tenant(cdb, actor, name, immediate, if_exists)


async def undrop_tenant(cdb: Cdb, actor: User, name: str) -> list[str]:
    async with lock(name):
        return await _undrop_tenant(cdb, actor, name)
