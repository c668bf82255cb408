"""Oracle's dictionary views over the catalog, as data: columns and rows for the engine to serve.

In CDB$ROOT the V$, CDB_ and DBA_ views list every container whatever its state (Oracle hides
closed PDBs from CDB_ views; DuckCDB does not). Inside a PDB they show that PDB only (DBA_USERS:
its local users and the common users). Timestamps are UTC; payload() turns them into ISO text
that the engine casts back to TIMESTAMP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from catalog.store import COMMON_GRANT, ORACLE_MAINTAINED_USERS, CatalogStore, Container, Grant, User
from policies import lockdown
from policies.dictionary_views import NAMES
from policies.source import ROOT_ID, SEED_ID, LockdownRule

Row = tuple[object, ...]


class Live(Protocol):
    """What the running CDB knows beyond its catalog (catalog.cdb.Cdb is one)."""

    def size_of(self, con_id: int) -> int: ...

    def resource_metrics(self, con_id: int, history: bool) -> list[Row]: ...

    def extra_rows(self, view: str, con_id: int) -> list[Row]:
        """Rows of a view a higher layer computes (metering's CDB_METERING, CDB_BILLING, ...)."""
        ...


class NoLive:
    """A CDB that is not running: no files measured, no resource usage."""

    def size_of(self, con_id: int) -> int:
        return 0

    def resource_metrics(self, con_id: int, history: bool) -> list[Row]:
        return []

    def extra_rows(self, view: str, con_id: int) -> list[Row]:
        return []


BLOCK_SIZE = 262144  # DuckDB's block size

_STATES = {"READ WRITE": "OPEN", "READ ONLY": "OPEN READ ONLY", "MIGRATE": "OPEN MIGRATE"}


@dataclass(frozen=True)
class DictView:
    name: str
    columns: list[tuple[str, str]]  # (column name, DuckDB type)
    make_rows: Callable[[CatalogStore, int, Live], list[Row]]

    def rows(self, store: CatalogStore, con_id: int, live: Live | None = None) -> list[Row]:
        """The view's rows as seen from container con_id (1: the root, every container)."""
        return self.make_rows(store, con_id, live or NoLive())


def _ts(epoch: float | None) -> dt.datetime | None:
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)


def _yes(flag: bool) -> str:
    return "YES" if flag else "NO"


def _visible(store: CatalogStore, con_id: int, with_root: bool) -> list[Container]:
    """The containers a view lists from con_id: all (with or without the root) in the root, else that one."""
    if con_id == ROOT_ID:
        return [c for c in store.containers() if with_root or c.con_id != ROOT_ID]
    return [c for c in store.containers() if c.con_id == con_id]


# ------------------------------------------------------------------ containers

_CONTAINER_COLUMNS = [
    ("CON_ID", "INTEGER"),
    ("DBID", "BIGINT"),
    ("CON_UID", "BIGINT"),
    ("GUID", "VARCHAR"),
    ("NAME", "VARCHAR"),
    ("OPEN_MODE", "VARCHAR"),
    ("RESTRICTED", "VARCHAR"),
    ("OPEN_TIME", "TIMESTAMP"),
    ("CREATE_SCN", "BIGINT"),
    ("TOTAL_SIZE", "BIGINT"),
    ("BLOCK_SIZE", "INTEGER"),
    ("LOCAL_UNDO", "INTEGER"),
    ("MAX_SIZE", "BIGINT"),
]


def _container_rows(with_root: bool) -> Callable[[CatalogStore, int, Live], list[Row]]:
    def rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
        return [
            (
                c.con_id,
                c.dbid,
                c.dbid,
                c.guid,
                c.name,
                c.open_mode,
                None if c.open_mode == "MOUNTED" else _yes(c.restricted),
                _ts(c.open_time),
                c.creation_scn,
                int(live.size_of(c.con_id) or 0),
                BLOCK_SIZE,
                1,
                c.max_size or 0,
            )
            for c in _visible(store, con_id, with_root)
        ]

    return rows


_PDBS_COLUMNS = [
    ("PDB_ID", "INTEGER"),
    ("PDB_NAME", "VARCHAR"),
    ("DBID", "BIGINT"),
    ("CON_UID", "BIGINT"),
    ("GUID", "VARCHAR"),
    ("STATUS", "VARCHAR"),
    ("CREATION_SCN", "BIGINT"),
    ("CREATION_TIME", "TIMESTAMP"),
    ("CON_ID", "INTEGER"),
]


def _pdbs_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    return [
        (
            c.con_id,
            c.name,
            c.dbid,
            c.dbid,
            c.guid,
            "RELOCATING" if c.pending_op == "RELOCATE" else c.status,
            c.creation_scn,
            _ts(c.created_at),
            c.con_id,
        )  # fmt: skip
        for c in _visible(store, con_id, with_root=False)
    ]


_HISTORY_COLUMNS = [
    ("PDB_NAME", "VARCHAR"),
    ("PDB_ID", "INTEGER"),
    ("PDB_GUID", "VARCHAR"),
    ("OP_TIMESTAMP", "TIMESTAMP"),
    ("OPERATION", "VARCHAR"),
    ("CLONED_FROM_PDB_NAME", "VARCHAR"),
]


def _history_rows(with_con_id: bool) -> Callable[[CatalogStore, int, Live], list[Row]]:
    def rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
        guid = None
        if con_id != ROOT_ID:
            c = store.container_by_id(con_id)
            if c is None:
                return []
            guid = c.guid  # con_ids are reused after a DROP; GUIDs are not
        out: list[Row] = []
        for h in store.history():
            if guid is not None and h.guid != guid:
                continue
            row: Row = (h.pdb_name, h.con_id, h.guid, _ts(h.op_time), h.operation, h.cloned_from)
            out.append((*row, h.con_id) if with_con_id else row)
        return out

    return rows


_SAVED_STATES_COLUMNS = [
    ("CON_ID", "INTEGER"),
    ("CON_NAME", "VARCHAR"),
    ("GUID", "VARCHAR"),
    ("STATE", "VARCHAR"),
    ("RESTRICTED", "VARCHAR"),
]


def _saved_states_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    return [
        (c.con_id, c.name, c.guid, _STATES.get(c.saved_state, c.saved_state), _yes(c.restricted))
        for c in _visible(store, con_id, with_root=False)
        if c.saved_state
    ]


_VIOLATIONS_COLUMNS = [
    ("TIME", "TIMESTAMP"),
    ("NAME", "VARCHAR"),
    ("CAUSE", "VARCHAR"),
    ("TYPE", "VARCHAR"),
    ("MESSAGE", "VARCHAR"),
    ("STATUS", "VARCHAR"),
    ("ACTION", "VARCHAR"),
]


def _violations_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    name = None
    if con_id != ROOT_ID:
        c = store.container_by_id(con_id)
        if c is None:
            return []
        name = c.name
    return [
        (_ts(v.time), v.name, v.cause, v.type, v.message, v.status, v.action)
        for v in store.plug_violations()
        if name is None or v.name == name
    ]


# ------------------------------------------------------------------ users, roles, grants

_USERS_COLUMNS = [
    ("USERNAME", "VARCHAR"),
    ("USER_ID", "BIGINT"),
    ("ACCOUNT_STATUS", "VARCHAR"),
    ("CREATED", "TIMESTAMP"),
    ("COMMON", "VARCHAR"),
    ("ORACLE_MAINTAINED", "VARCHAR"),
    ("ALLOWED_SCHEMAS", "VARCHAR"),
]


def _user_row(u: User) -> Row:
    return (
        u.name,
        u.user_id,
        u.account_status,
        _ts(u.created_at),
        _yes(u.common),
        "Y" if u.name in ORACLE_MAINTAINED_USERS and u.common else "N",
        "ALL" if u.allowed_schemas is None else ", ".join(u.allowed_schemas),
    )


def _users_in(store: CatalogStore, con_id: int) -> list[Row]:
    return [_user_row(u) for u in store.all_users() if u.common or u.con_id == con_id]


def _dba_users_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    return _users_in(store, con_id)


def _cdb_users_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    """Each container's users, common ones once per container, as Oracle lists them."""
    users = store.all_users()  # read once: there may be thousands of containers
    common = [_user_row(u) for u in users if u.common]
    local: dict[int, list[Row]] = {}
    for u in users:
        if not u.common:
            local.setdefault(u.con_id, []).append(_user_row(u))
    return [
        (*r, c.con_id)
        for c in _visible(store, con_id, with_root=True)
        for r in common + local.get(c.con_id, [])
    ]


def _per_pdb_roles(store: CatalogStore) -> set[str]:
    """Roles present as local roles in every PDB (PDB_DBA)."""
    return {r.name for r in store.all_roles() if r.con_id == COMMON_GRANT}


def _roles_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    return [
        (r.name, _yes(r.common), "Y" if r.oracle_maintained else "N")
        for r in store.all_roles()
        if r.common or r.con_id == con_id or (r.con_id == COMMON_GRANT and con_id != ROOT_ID)
    ]


def _grant_rows(store: CatalogStore, con_id: int, grants: list[Grant]) -> list[Row]:
    """(grantee, what, ADMIN_OPTION, COMMON, INHERITED) of the grants in force in con_id."""
    per_pdb = _per_pdb_roles(store)
    out: list[Row] = []
    for g in grants:
        if g.grantee in per_pdb:
            # PDB_DBA's privileges: local grants of a local role, in every PDB (not in the root).
            if con_id == ROOT_ID:
                continue
            out.append((g.grantee, g.what, _yes(g.admin_option), "NO", "NO"))
        elif g.common or g.con_id == con_id:
            out.append(
                (
                    g.grantee,
                    g.what,
                    _yes(g.admin_option),
                    _yes(g.common),
                    _yes(g.common and con_id != ROOT_ID),
                )
            )
    return out


def _sys_privs_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    return _grant_rows(store, con_id, store.sys_grants())


def _role_privs_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    return [
        (g, role, admin, "YES", common, inherited)
        for g, role, admin, common, inherited in _grant_rows(store, con_id, store.role_grants())
    ]


_AUDIT_COLUMNS = [
    ("TIMESTAMP", "TIMESTAMP"),
    ("PDB_NAME", "VARCHAR"),
    ("USERNAME", "VARCHAR"),
    ("USERHOST", "VARCHAR"),
    ("ACTION_NAME", "VARCHAR"),
    ("SQL_TEXT", "VARCHAR"),
    ("RULE", "VARCHAR"),
    ("RETURNCODE", "VARCHAR"),
    ("MESSAGE", "VARCHAR"),
]


def _audit_rows(with_con_id: bool) -> Callable[[CatalogStore, int, Live], list[Row]]:
    """Refused statements and failed logins: a PDB sees its own, the root (CDB_) every PDB's."""

    def rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
        source = store.audit_rows(None if con_id == ROOT_ID and with_con_id else con_id)
        out = []
        for t, cid, pdb, user, client, action, sql, rule, state, message in source:
            row: Row = (_ts(t), pdb, user, client, action, sql, rule, state, message)
            out.append((*row, cid) if with_con_id else row)
        return out

    return rows


# ------------------------------------------------------------------ lockdown profiles

_LOCKDOWN_COLUMNS = [
    ("PROFILE_NAME", "VARCHAR"),
    ("RULE_TYPE", "VARCHAR"),
    ("RULE", "VARCHAR"),
    ("CLAUSE", "VARCHAR"),
    ("CLAUSE_OPTION", "VARCHAR"),
    ("OPTION_VALUE", "VARCHAR"),
    ("MIN_VALUE", "VARCHAR"),
    ("MAX_VALUE", "VARCHAR"),
    ("LIST", "VARCHAR"),
    ("STATUS", "VARCHAR"),
    ("USERS", "VARCHAR"),
    ("COMMON", "VARCHAR"),
    ("INHERITED", "VARCHAR"),
]
_LOCKDOWN_RULES_COLUMNS = [
    ("RULE_TYPE", "VARCHAR"),
    ("RULE", "VARCHAR"),
    ("CLAUSE", "VARCHAR"),
    ("CLAUSE_OPTION", "VARCHAR"),
    ("STATUS", "VARCHAR"),
    ("USERS", "VARCHAR"),
    ("CON_ID", "INTEGER"),
]


def _selection(name: str | None, excepts: tuple[str, ...]) -> str | None:
    """A rule's statement, clause or option: the name, ALL, or ALL EXCEPT (a, b)."""
    if name == "ALL" and excepts:
        return f"ALL EXCEPT ({', '.join(excepts)})"
    return name


def _lockdown_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    """Every profile's rules in the root (a profile without rules: one EMPTY row); inside a PDB, the
    rules of the profile in force there. Rules reached through INCLUDING come first, INHERITED YES."""
    if con_id == ROOT_ID:
        names = [p.name for p in store.lockdown_profiles()]
    else:
        force = lockdown.profile_in_force(store, con_id)
        names = [force] if force is not None and store.lockdown_profile(force) is not None else []
    out: list[Row] = []
    for name in names:
        rules = lockdown.resolved_rules(store, name)
        if not rules:
            out.append((name, None, None, None, None, None, None, None, None, "EMPTY", None, "YES", "NO"))
        for r, inherited in rules:
            values = r.option_values
            out.append(
                (
                    name,
                    r.rule_type,
                    _selection(r.rule, r.rule_except),
                    _selection(r.clause, r.clause_except),
                    _selection(r.clause_option, r.option_except),
                    values[0] if len(values) == 1 else None,
                    r.min_value,
                    r.max_value,
                    ", ".join(values) if len(values) > 1 else None,
                    r.status,
                    r.users,
                    "YES",
                    _yes(inherited),
                )
            )
    return out


def _rule_row(r: LockdownRule, con_id: int) -> Row:
    return (
        r.rule_type,
        _selection(r.rule, r.rule_except),
        _selection(r.clause, r.clause_except),
        _selection(r.clause_option, r.option_except),
        r.status,
        r.users,
        con_id,
    )


def _lockdown_rules_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    """The rules in force in the asking PDB; in the root, those in force in every PDB (none apply
    to the root itself)."""
    targets = [c.con_id for c in store.containers() if c.con_id > SEED_ID] if con_id == ROOT_ID else [con_id]
    out: list[Row] = []
    for cid in targets:
        force = lockdown.in_force(store, cid)
        if force is not None:
            out += [_rule_row(r, cid) for r, _ in force.rules]
    return out


# ------------------------------------------------------------------ resource usage

# V$RSRCPDBMETRIC (the current interval; one row per PDB) and its history (one row per closed
# minute, the last hour). Oracle's columns, and DuckCDB's network, statement and OOM counts.
RSRC_METRIC_COLUMNS = [
    ("BEGIN_TIME", "TIMESTAMP"),
    ("END_TIME", "TIMESTAMP"),
    ("INTSIZE_CSEC", "BIGINT"),
    ("CON_ID", "INTEGER"),
    ("PDB_NAME", "VARCHAR"),
    ("CPU_CONSUMED_TIME", "DOUBLE"),
    ("CPU_WAIT_TIME", "DOUBLE"),
    ("AVG_RUNNING_SESSIONS", "DOUBLE"),
    ("AVG_WAITING_SESSIONS", "DOUBLE"),
    ("CPU_UTILIZATION_LIMIT", "INTEGER"),
    ("AVG_CPU_UTILIZATION", "DOUBLE"),
    ("IOPS", "DOUBLE"),
    ("IOMBPS", "DOUBLE"),
    ("IOPS_THROTTLE_EXEMPT", "DOUBLE"),
    ("AVG_IO_THROTTLE", "DOUBLE"),
    ("SGA_BYTES", "BIGINT"),
    ("NETWORK_BYTES_SENT", "BIGINT"),
    ("NETWORK_BYTES_RECEIVED", "BIGINT"),
    ("STATEMENTS", "BIGINT"),
    ("OOM_COUNT", "BIGINT"),
]


_PLAN_COLUMNS = [("PLAN", "VARCHAR"), ("COMMENTS", "VARCHAR"), ("STATUS", "VARCHAR")]
_DIRECTIVE_COLUMNS = [
    ("PLAN", "VARCHAR"),
    ("PLUGGABLE_DATABASE", "VARCHAR"),
    ("DIRECTIVE_TYPE", "VARCHAR"),
    ("SHARES", "INTEGER"),
    ("UTILIZATION_LIMIT", "INTEGER"),
    ("PARALLEL_SERVER_LIMIT", "INTEGER"),
    ("MANDATORY", "VARCHAR"),
]


def _plan_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    """CDB resource plans; STATUS says which one is in force (RESOURCE_MANAGER_PLAN)."""
    if con_id != ROOT_ID:
        return []
    active = store.get_meta("resource_manager_plan") or ""
    return [(plan, comment, "ACTIVE" if plan == active else None) for plan, comment in store.cdb_plans()]


def _directive_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    """Plan directives; inside a PDB only its own. NULL figures take the tier's shares and 100 percent."""
    name = None
    if con_id != ROOT_ID:
        c = store.container_by_id(con_id)
        name = c.name if c else ""
    return [
        (
            plan,
            pdb,
            "DEFAULT_PDB" if pdb.startswith("ORA$") else "PDB",
            shares,
            100 if util is None else util,
            100 if parallel is None else parallel,
            "YES" if pdb.startswith("ORA$") else "NO",
        )
        for plan, pdb, shares, util, parallel in store.plan_directives()
        if name is None or pdb == name
    ]


def _metric_rows(history: bool) -> Callable[[CatalogStore, int, Live], list[Row]]:
    def rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
        return live.resource_metrics(con_id, history)

    return rows


# ------------------------------------------------------------------ tenants (the tenants package)

_TENANT_COLUMNS = [
    ("TENANT_NAME", "VARCHAR"),
    ("DISPLAY_NAME", "VARCHAR"),
    ("CONTACT", "VARCHAR"),
    ("SERVICE_TIER", "VARCHAR"),
    ("STATE", "VARCHAR"),
    ("STATE_REASON", "VARCHAR"),
    ("PDBS", "VARCHAR"),
    ("ADMIN_USER", "VARCHAR"),
    ("TEMPLATE", "VARCHAR"),
    ("AUTO_SCALING", "VARCHAR"),
    ("BACKUP", "VARCHAR"),
    ("LABELS", "VARCHAR"),
    ("QUOTA", "VARCHAR"),
    ("CREATED", "TIMESTAMP"),
    ("CHANGED", "TIMESTAMP"),
    ("PURGE_AFTER", "TIMESTAMP"),
]


def _own_tenant(store: CatalogStore, con_id: int) -> str | None:
    """The tenant whose rows a container sees: all in the root (None), else its PDB's tenant ('' if none)."""
    if con_id == ROOT_ID:
        return None
    return store.tenant_of(con_id) or ""


def _tenant_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    """In the root every tenant; inside a PDB only the tenant that owns it (a tenant's admin sees
    its own row, never another's)."""
    own = _own_tenant(store, con_id)
    return [
        (
            t.name,
            t.display_name,
            t.contact,
            t.tier,
            t.state,
            t.reason,
            ",".join(c.name for c in store.tenant_pdbs(t.name)) or None,
            t.admin_user,
            t.template,
            "ON" if t.auto_scaling else "OFF",
            "ON" if t.backup else "OFF",
            ", ".join(f"{k} = {v}" for k, v in sorted(t.labels.items())) or None,
            ", ".join(f"{k} = {v}" for k, v in sorted(t.quota.items())) or None,
            _ts(t.created_at),
            _ts(t.changed_at),
            _ts(t.purge_after),
        )
        for t in store.tenants()
        if own is None or t.name == own
    ]


_TENANT_EVENT_COLUMNS = [
    ("TENANT_NAME", "VARCHAR"),
    ("EVENT_TIME", "TIMESTAMP"),
    ("ACTOR", "VARCHAR"),
    ("OPERATION", "VARCHAR"),
    ("FROM_STATE", "VARCHAR"),
    ("TO_STATE", "VARCHAR"),
    ("REASON", "VARCHAR"),
]


def _tenant_event_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    own = _own_tenant(store, con_id)
    if own == "":
        return []
    return [
        (e.tenant, _ts(e.time), e.actor, e.operation, e.from_state, e.to_state, e.reason)
        for e in store.tenant_events(own)
    ]


_TEMPLATE_COLUMNS = [
    ("TEMPLATE_NAME", "VARCHAR"),
    ("SOURCE_PDB", "VARCHAR"),
    ("PDB_NAME", "VARCHAR"),
    ("NO_DATA", "VARCHAR"),
    ("SERVICE_TIER", "VARCHAR"),
    ("LOCKDOWN_PROFILE", "VARCHAR"),
    ("PARAMETERS", "VARCHAR"),
    ("CREATED", "TIMESTAMP"),
]


def _template_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    if con_id != ROOT_ID:
        return []
    out: list[Row] = []
    for t in store.tenant_templates():
        c = store.container_by_id(t.pdb_con_id)
        params = ", ".join(f"{k} = {v}" for k, v in sorted(t.parameters.items())) or None
        out.append(
            (
                t.name,
                t.source_pdb,
                c.name if c else None,
                _yes(t.no_data),
                t.tier,
                t.lockdown_profile,
                params,
                _ts(t.created_at),
            )
        )
    return out


_BACKUP_COLUMNS = [
    ("BACKUP_ID", "VARCHAR"),
    ("PDB_NAME", "VARCHAR"),
    ("CON_ID", "INTEGER"),
    ("BACKUP_TYPE", "VARCHAR"),
    ("STATUS", "VARCHAR"),
    ("START_TIME", "TIMESTAMP"),
    ("END_TIME", "TIMESTAMP"),
    ("DURATION_S", "DOUBLE"),
    ("SIZE_BYTES", "BIGINT"),
    ("SHA256", "VARCHAR"),
    ("MESSAGE", "VARCHAR"),
]


def _backup_rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
    """PDB backups (tenants.backups); inside a PDB only its own."""
    guid = None
    if con_id != ROOT_ID:
        c = store.container_by_id(con_id)
        if c is None:
            return []
        guid = c.guid
    return [
        (
            b.id,
            b.pdb_name,
            b.con_id,
            b.kind,
            b.status,
            _ts(b.started_at),
            _ts(b.finished_at),
            round(b.finished_at - b.started_at, 3) if b.finished_at else None,
            b.size,
            b.sha256,
            b.message,
        )
        for b in store.backups(guid)
    ]


# ------------------------------------------------------------------ metering, billing, SLA (the metering package)

METERING_COLUMNS = [
    ("TENANT_NAME", "VARCHAR"),
    ("PDB_NAME", "VARCHAR"),
    ("METRIC", "VARCHAR"),
    ("UNIT", "VARCHAR"),
    ("GRAIN", "VARCHAR"),
    ("PERIOD_START", "TIMESTAMP"),
    ("PERIOD_END", "TIMESTAMP"),
    ("VALUE", "DOUBLE"),
]

BILLING_COLUMNS = [
    ("TENANT_ID", "VARCHAR"),
    ("PERIOD", "VARCHAR"),
    ("STATUS", "VARCHAR"),
    ("SERVICE_TIER", "VARCHAR"),
    ("BASE_COST", "DECIMAL(18,2)"),
    ("USAGE_COST", "DECIMAL(18,2)"),
    ("SLA_CREDIT", "DECIMAL(18,2)"),
    ("ADJUSTMENTS", "DECIMAL(18,2)"),
    ("TOTAL_COST", "DECIMAL(18,2)"),
    ("CURRENCY", "VARCHAR"),
    ("REPORT", "VARCHAR"),
]

SLA_COLUMNS = [
    ("TENANT_ID", "VARCHAR"),
    ("SERVICE_TIER", "VARCHAR"),
    ("TARGET_UPTIME_PERCENT", "DOUBLE"),
    ("TARGET_MAX_RESPONSE_MS", "DOUBLE"),
    ("TARGET_P95_MS", "DOUBLE"),
    ("TARGET_P99_MS", "DOUBLE"),
    ("TARGET_MAX_ERROR_RATE_PERCENT", "DOUBLE"),
    ("UPTIME_PERCENT", "DOUBLE"),
    ("AVG_RESPONSE_TIME_MS", "DOUBLE"),
    ("P50_RESPONSE_TIME_MS", "DOUBLE"),
    ("P95_RESPONSE_TIME_MS", "DOUBLE"),
    ("P99_RESPONSE_TIME_MS", "DOUBLE"),
    ("ERROR_RATE_PERCENT", "DOUBLE"),
    ("STATEMENTS", "BIGINT"),
    ("COMPLIANT", "VARCHAR"),
    ("OPEN_VIOLATIONS", "INTEGER"),
]

VIOLATION_COLUMNS = [
    ("VIOLATION_ID", "BIGINT"),
    ("TENANT_ID", "VARCHAR"),
    ("PDB_NAME", "VARCHAR"),
    ("VIOLATION_TYPE", "VARCHAR"),
    ("SEVERITY", "VARCHAR"),
    ("DESCRIPTION", "VARCHAR"),
    ("REMEDIATION", "VARCHAR"),
    ("MEASURED", "DOUBLE"),
    ("TARGET", "DOUBLE"),
    ("START_TIME", "TIMESTAMP"),
    ("END_TIME", "TIMESTAMP"),
]


def _extra(view: str) -> Callable[[CatalogStore, int, Live], list[Row]]:
    def rows(store: CatalogStore, con_id: int, live: Live) -> list[Row]:
        return live.extra_rows(view, con_id)

    return rows


def _view(
    name: str, columns: list[tuple[str, str]], rows: Callable[[CatalogStore, int, Live], list[Row]]
) -> tuple[str, DictView]:
    return name, DictView(name, columns, rows)


VIEWS: dict[str, DictView] = dict(
    [
        _view("V$PDBS", _CONTAINER_COLUMNS, _container_rows(with_root=False)),
        _view("DBA_AUDIT_TRAIL", _AUDIT_COLUMNS, _audit_rows(with_con_id=False)),
        _view("CDB_AUDIT_TRAIL", [*_AUDIT_COLUMNS, ("CON_ID", "INTEGER")], _audit_rows(with_con_id=True)),
        _view("V$CONTAINERS", _CONTAINER_COLUMNS, _container_rows(with_root=True)),
        _view("DBA_PDBS", _PDBS_COLUMNS, _pdbs_rows),
        _view("CDB_PDBS", _PDBS_COLUMNS, _pdbs_rows),
        _view("CDB_PDB_HISTORY", [*_HISTORY_COLUMNS, ("CON_ID", "INTEGER")], _history_rows(with_con_id=True)),
        _view("DBA_PDB_HISTORY", _HISTORY_COLUMNS, _history_rows(with_con_id=False)),
        _view("DBA_PDB_SAVED_STATES", _SAVED_STATES_COLUMNS, _saved_states_rows),
        _view("PDB_PLUG_IN_VIOLATIONS", _VIOLATIONS_COLUMNS, _violations_rows),
        _view("CDB_USERS", [*_USERS_COLUMNS, ("CON_ID", "INTEGER")], _cdb_users_rows),
        _view("DBA_USERS", _USERS_COLUMNS, _dba_users_rows),
        _view(
            "DBA_ROLES",
            [("ROLE", "VARCHAR"), ("COMMON", "VARCHAR"), ("ORACLE_MAINTAINED", "VARCHAR")],
            _roles_rows,
        ),
        _view(
            "DBA_SYS_PRIVS",
            [
                ("GRANTEE", "VARCHAR"),
                ("PRIVILEGE", "VARCHAR"),
                ("ADMIN_OPTION", "VARCHAR"),
                ("COMMON", "VARCHAR"),
                ("INHERITED", "VARCHAR"),
            ],
            _sys_privs_rows,
        ),
        _view(
            "DBA_ROLE_PRIVS",
            [
                ("GRANTEE", "VARCHAR"),
                ("GRANTED_ROLE", "VARCHAR"),
                ("ADMIN_OPTION", "VARCHAR"),
                ("DEFAULT_ROLE", "VARCHAR"),
                ("COMMON", "VARCHAR"),
                ("INHERITED", "VARCHAR"),
            ],
            _role_privs_rows,
        ),
        _view("DBA_LOCKDOWN_PROFILES", _LOCKDOWN_COLUMNS, _lockdown_rows),
        _view("V$LOCKDOWN_RULES", _LOCKDOWN_RULES_COLUMNS, _lockdown_rules_rows),
        _view("V$RSRCPDBMETRIC", RSRC_METRIC_COLUMNS, _metric_rows(history=False)),
        _view("DBA_CDB_RSRC_PLANS", _PLAN_COLUMNS, _plan_rows),
        _view("DBA_CDB_RSRC_PLAN_DIRECTIVES", _DIRECTIVE_COLUMNS, _directive_rows),
        _view("V$RSRCPDBMETRIC_HISTORY", RSRC_METRIC_COLUMNS, _metric_rows(history=True)),
        _view("DBA_TENANTS", _TENANT_COLUMNS, _tenant_rows),
        _view("CDB_TENANTS", _TENANT_COLUMNS, _tenant_rows),
        _view("DBA_TENANT_EVENTS", _TENANT_EVENT_COLUMNS, _tenant_event_rows),
        _view("CDB_TENANT_EVENTS", _TENANT_EVENT_COLUMNS, _tenant_event_rows),
        _view("DBA_TENANT_TEMPLATES", _TEMPLATE_COLUMNS, _template_rows),
        _view("DBA_PDB_BACKUPS", _BACKUP_COLUMNS, _backup_rows),
        _view("CDB_PDB_BACKUPS", _BACKUP_COLUMNS, _backup_rows),
        _view("CDB_METERING", METERING_COLUMNS, _extra("CDB_METERING")),
        _view("DBA_METERING", METERING_COLUMNS, _extra("DBA_METERING")),
        _view("CDB_BILLING", BILLING_COLUMNS, _extra("CDB_BILLING")),
        _view("DBA_BILLING", BILLING_COLUMNS, _extra("DBA_BILLING")),
        _view("CDB_SLA", SLA_COLUMNS, _extra("CDB_SLA")),
        _view("DBA_SLA", SLA_COLUMNS, _extra("DBA_SLA")),
        _view("CDB_SLA_VIOLATIONS", VIOLATION_COLUMNS, _extra("CDB_SLA_VIOLATIONS")),
        _view("DBA_SLA_VIOLATIONS", VIOLATION_COLUMNS, _extra("DBA_SLA_VIOLATIONS")),
    ]
)
assert set(VIEWS) == NAMES, "policies.dictionary_views.NAMES must list every view"


def _json_value(v: object) -> object:
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    return v


def payload(
    store: CatalogStore, con_id: int, names: list[str], live: Live | None = None
) -> dict[str, dict[str, list[list[object]]]]:
    """{name: {"columns": [[column, type], ...], "rows": [[value, ...], ...]}}, JSON-serializable."""
    out: dict[str, dict[str, list[list[object]]]] = {}
    for name in names:
        view = VIEWS[name.upper()]
        out[view.name] = {
            "columns": [[c, t] for c, t in view.columns],
            "rows": [[_json_value(v) for v in row] for row in view.rows(store, con_id, live)],
        }
    return out
