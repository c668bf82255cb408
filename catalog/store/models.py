"""The rows of the catalog as Python values, and the names and privileges built into every catalog."""

from __future__ import annotations

from dataclasses import dataclass

ROOT_NAME = "CDB$ROOT"


SEED_NAME = "PDB$SEED"


COMMON_GRANT = 0  # con_id of CONTAINER=ALL grants and of the built-in per-PDB role PDB_DBA


# The system privileges DuckCDB knows (GRANT of any other multi-word name: ORA-00990).
SYSTEM_PRIVILEGES: tuple[str, ...] = (
    "CREATE SESSION",
    "SET CONTAINER",
    "RESTRICTED SESSION",
    "SYSDBA",
    "CREATE USER",
    "ALTER USER",
    "DROP USER",
    "CREATE ROLE",
    "DROP ANY ROLE",
    "GRANT ANY PRIVILEGE",
    "GRANT ANY ROLE",
    "CREATE TABLE",
    "CREATE ANY TABLE",
    "SELECT ANY TABLE",
    "INSERT ANY TABLE",
    "UPDATE ANY TABLE",
    "DELETE ANY TABLE",
    "DROP ANY TABLE",
    "CREATE VIEW",
    "CREATE SEQUENCE",
    "CREATE PROCEDURE",
    "ALTER SYSTEM",
    "CREATE PLUGGABLE DATABASE",
    "ALTER DATABASE",
    "UNLIMITED TABLESPACE",
    "AUDIT SYSTEM",
    "CREATE TENANT",
    "ALTER TENANT",
    "DROP TENANT",
)


# Granted to nobody but users (Oracle: ORA-01931 for a role).
USER_ONLY_PRIVILEGES = frozenset({"SYSDBA"})


# Built-in roles: name -> (common, privileges). Common ones live in the root and every PDB;
# PDB_DBA is a local role of each PDB (the ADMIN USER of CREATE PLUGGABLE DATABASE gets it).
BUILTIN_ROLES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "CONNECT": (True, ("CREATE SESSION", "SET CONTAINER")),
    "RESOURCE": (True, ("CREATE TABLE", "CREATE SEQUENCE", "CREATE PROCEDURE")),
    "DBA": (True, tuple(p for p in SYSTEM_PRIVILEGES if p not in USER_ONLY_PRIVILEGES)),
    "PDB_DBA": (
        False,
        (
            "CREATE SESSION",
            "RESTRICTED SESSION",
            "CREATE USER",
            "ALTER USER",
            "DROP USER",
            "CREATE ROLE",
            "DROP ANY ROLE",
            "GRANT ANY PRIVILEGE",
            "GRANT ANY ROLE",
            "CREATE TABLE",
            "CREATE ANY TABLE",
            "SELECT ANY TABLE",
            "INSERT ANY TABLE",
            "UPDATE ANY TABLE",
            "DELETE ANY TABLE",
            "DROP ANY TABLE",
            "CREATE VIEW",
            "CREATE SEQUENCE",
            "CREATE PROCEDURE",
            "UNLIMITED TABLESPACE",
        ),
    ),
}


ORACLE_MAINTAINED_USERS = frozenset({"SYS"})


# Lockdown profiles that exist from the start, empty, and cannot be dropped (see catalog.commands.lockdown).
SHIPPED_LOCKDOWN_PROFILES = ("PRIVATE_DBAAS", "SAAS", "PUBLIC_DBAAS")


@dataclass
class Container:
    con_id: int
    name: str
    guid: str
    dbid: int
    status: str
    open_mode: str
    restricted: bool
    saved_state: str | None
    last_open_mode: str | None
    pending_op: str | None
    tier: str
    max_size: int | None
    max_temp_size: int | None
    creation_scn: int
    created_at: float
    open_time: float | None
    snapshot_of: int | None = None  # con_id of the source of a SNAPSHOT COPY clone
    location: str | None = None  # storage location (RELOCATE TO); None: data/pdbs
    relocate_to: str | None = None  # a RELOCATE's target while it runs (with pending_op RELOCATE)

    @property
    def is_open(self) -> bool:
        return self.open_mode in ("READ WRITE", "READ ONLY", "MIGRATE")


@dataclass
class User:
    name: str
    con_id: int
    common: bool
    scram: str
    md5: str | None
    account_status: str
    user_id: int = 0  # filled by all_users(); user() leaves it 0
    created_at: float = 0.0
    allowed_schemas: list[str] | None = None  # filled by all_users(); None: every schema


@dataclass
class Role:
    name: str
    con_id: int  # 1 for a common role, the PDB for a local one, 0 for PDB_DBA (every PDB)
    common: bool
    oracle_maintained: bool


@dataclass
class Grant:
    """One row of sys_privs (what = privilege) or role_privs (what = role)."""

    grantee: str
    con_id: int  # COMMON_GRANT (0) for a CONTAINER=ALL grant
    what: str
    common: bool
    admin_option: bool


@dataclass
class HistoryEvent:
    pdb_name: str
    con_id: int
    guid: str
    operation: str
    op_time: float
    cloned_from: str | None


@dataclass
class PlugViolation:
    id: int
    time: float
    name: str
    cause: str
    type: str  # ERROR or WARNING
    message: str
    status: str  # PENDING or RESOLVED
    action: str | None


@dataclass
class Tenant:
    """A customer (tenants.ops): owns PDBs; its tier, state, quota and options hang on it."""

    name: str
    display_name: str
    contact: str | None
    tier: str
    state: str  # ACTIVE, SUSPENDED, MAINTENANCE, MIGRATING, TERMINATED
    reason: str | None
    labels: dict[str, str]
    auto_scaling: bool
    backup: bool
    template: str | None
    quota: dict[str, int]
    admin_user: str | None
    pending_op: str | None  # CREATE, DROP while one runs (crash recovery)
    created_at: float
    changed_at: float
    purge_after: float | None  # TERMINATED: when the background purge removes it


@dataclass
class TenantEvent:
    tenant: str
    time: float
    actor: str
    operation: str
    from_state: str | None
    to_state: str | None
    reason: str | None


@dataclass
class TenantTemplate:
    name: str
    pdb_con_id: int
    source_pdb: str
    no_data: bool
    tier: str | None
    lockdown_profile: str | None
    parameters: dict[str, str]
    created_at: float


@dataclass
class TenantArchive:
    tenant: str
    pdb_name: str
    file: str
    open_mode: str | None
    restricted: bool


@dataclass
class PdbBackup:
    id: str
    con_id: int
    pdb_name: str
    guid: str
    kind: str  # MANUAL, SCHEDULED
    status: str  # RUNNING, AVAILABLE, FAILED
    started_at: float
    finished_at: float | None
    size: int | None
    sha256: str | None
    path: str  # the backup's folder
    message: str | None
