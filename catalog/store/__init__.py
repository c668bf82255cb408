"""The CDB$ROOT catalog store: containers, users, privileges, history, in one SQLite file.

SQLite with WAL and synchronous=FULL: a committed change survives kill -9 and power loss, and a
half-done change never shows. Every lifecycle operation writes its intent here before touching
files (see catalog.lifecycle), which is what makes restarts land before or after an operation.

Users, roles and grants follow Oracle's multitenant rules (see catalog.commands.users):

- users / roles: a common one is one row with con_id 1 (CDB$ROOT) and common = 1; a local one has
  its PDB's con_id and common = 0. The built-in role PDB_DBA is one row with con_id 0: a local
  role present in every PDB.
- sys_privs / role_privs: a grant made in one container (CONTAINER=CURRENT) has that con_id and
  common = 0; a grant made with CONTAINER=ALL has common = 1 and con_id 0 (COMMON_GRANT), and
  applies in every container. admin_option records WITH ADMIN OPTION.
"""

from __future__ import annotations

from catalog.store.api import ApiKey, ApiRows, Operation
from catalog.store.audit import AuditRows
from catalog.store.base import counted_statements
from catalog.store.containers import ContainerRows
from catalog.store.lockdown import LockdownRows
from catalog.store.models import (
    BUILTIN_ROLES,
    COMMON_GRANT,
    ORACLE_MAINTAINED_USERS,
    ROOT_NAME,
    SEED_NAME,
    SHIPPED_LOCKDOWN_PROFILES,
    SYSTEM_PRIVILEGES,
    USER_ONLY_PRIVILEGES,
    Container,
    Grant,
    HistoryEvent,
    PdbBackup,
    PlugViolation,
    Role,
    Tenant,
    TenantArchive,
    TenantEvent,
    TenantTemplate,
    User,
)
from catalog.store.plans import PlanRows
from catalog.store.principals import PrincipalRows
from catalog.store.tenants import TenantRows
from catalog.store.tiers import TierRows


class CatalogStore(
    ContainerRows, PrincipalRows, LockdownRows, PlanRows, AuditRows, TenantRows, ApiRows, TierRows
):
    """The CDB$ROOT catalog: one SQLite connection, its rows by kind (one mixin each)."""


__all__ = [
    "counted_statements",
    "BUILTIN_ROLES",
    "COMMON_GRANT",
    "ORACLE_MAINTAINED_USERS",
    "ROOT_NAME",
    "SEED_NAME",
    "SHIPPED_LOCKDOWN_PROFILES",
    "SYSTEM_PRIVILEGES",
    "USER_ONLY_PRIVILEGES",
    "ApiKey",
    "Operation",
    "CatalogStore",
    "Container",
    "Grant",
    "HistoryEvent",
    "PdbBackup",
    "PlugViolation",
    "Role",
    "Tenant",
    "TenantArchive",
    "TenantEvent",
    "TenantTemplate",
    "User",
]
