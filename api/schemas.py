"""Request and response bodies (pydantic): a body that does not fit is 422 naming the field."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NAME = r"^[A-Za-z][A-Za-z0-9_$#]{0,127}$"
COMMON_NAME = r"^[A-Za-z][A-Za-z0-9_$#]{0,127}$"
PASSWORD = r'^[^"\x00]{1,128}$'


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    sqlstate: str | None = None
    ora: str | None = None


class TokenRequest(Strict):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)
    database: str | None = Field(default=None, max_length=128, description="the PDB of a local user")
    ttl_seconds: int | None = Field(default=None, ge=1, le=86400)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_at: float
    username: str
    tenant: str | None


class ResourceLimits(BaseModel):
    cpu_cores: float
    memory_mb: int
    storage_gb: float
    max_iops: int
    network_mbps: int
    max_connections: int


class Tenant(BaseModel):
    tenant_id: str
    tenant_name: str
    display_name: str
    contact: str | None
    service_tier: str
    status: str
    reason: str | None
    admin_user: str | None
    auto_scaling: bool
    backup_enabled: bool
    template: str | None
    labels: dict[str, str]
    quota: dict[str, int]
    pdbs: list[str]
    resource_limits: ResourceLimits
    monthly_cost: str = Field(
        description="the tier's base monthly price ([billing] base_monthly), a decimal string; "
        "usage is billed on top (GET /tenants/{id}/billing)"
    )
    created_at: float
    changed_at: float
    admin_password: str | None = Field(
        default=None, description="only in the answer to a creation that generated it"
    )


class TenantCreate(Strict):
    tenant_name: str = Field(pattern=NAME)
    admin_user: str = Field(pattern=NAME)
    admin_password: str | None = Field(
        default=None, pattern=PASSWORD, description="generated (and returned once) when absent"
    )
    service_tier: str | None = Field(default=None, pattern=NAME)
    template: str | None = Field(default=None, pattern=NAME)
    display_name: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=200)
    auto_scaling: bool = False
    backup_enabled: bool = False
    labels: dict[str, str] = Field(default_factory=dict)


class TenantUpdate(Strict):
    display_name: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=200)
    auto_scaling: bool | None = None
    backup_enabled: bool | None = None
    labels: dict[str, str] | None = None

    def options(self) -> dict[str, Any]:
        """tenants.ops.set_options' keywords for the fields given (REST's and GraphQL's one mapping)."""
        out: dict[str, Any] = {
            "display_name": self.display_name,
            "contact": self.contact,
            "auto_scaling": self.auto_scaling,
            "backup": self.backup_enabled,
            "labels": {k.upper(): v for k, v in self.labels.items()} if self.labels is not None else None,
        }
        return {k: v for k, v in out.items() if v is not None}


class Reason(Strict):
    reason: str | None = Field(default=None, max_length=500)


class TierChange(Strict):
    tier: str = Field(pattern=NAME)


class CpuQuota(Strict):
    min_percent: int | None = Field(default=None, ge=0, le=100)
    max_percent: int | None = Field(default=None, ge=0, le=100)
    shares: int | None = Field(default=None, ge=0)


class MemoryQuota(Strict):
    min_mb: int | None = Field(default=None, ge=0)
    max_mb: int | None = Field(default=None, ge=0)


class IoQuota(Strict):
    min_iops: int | None = Field(default=None, ge=0)
    max_iops: int | None = Field(default=None, ge=0)
    min_mbps: int | None = Field(default=None, ge=0)
    max_mbps: int | None = Field(default=None, ge=0)


class Quota(Strict):
    cpu: CpuQuota | None = None
    memory: MemoryQuota | None = None
    io: IoQuota | None = None

    def quota_keys(self) -> dict[str, int]:
        """The brief's body as ALTER TENANT t QUOTA's keys (the one mapping: REST's and GraphQL's)."""
        names: list[tuple[BaseModel | None, dict[str, str]]] = [
            (self.cpu, {"min_percent": "CPU_MIN_PERCENT", "max_percent": "CPU_MAX_PERCENT", "shares": "CPU_SHARES"}),
            (self.memory, {"min_mb": "MEMORY_MIN_MB", "max_mb": "MEMORY_MAX_MB"}),
            (self.io, {"min_iops": "MIN_IOPS", "max_iops": "MAX_IOPS", "min_mbps": "MIN_MBPS", "max_mbps": "MAX_MBPS"}),
        ]  # fmt: skip
        out: dict[str, int] = {}
        for part, keys in names:
            if part is not None:
                out.update({key: v for attr, key in keys.items() if (v := getattr(part, attr)) is not None})
        return out


class Pdb(BaseModel):
    pdb_id: str
    con_id: int
    pdb_name: str
    guid: str
    status: str
    open_mode: str
    restricted: bool
    saved_state: str | None
    service_tier: str
    tenant: str | None
    max_size: int | None
    max_temp_size: int | None
    lockdown_profile: str | None
    created_at: float
    open_time: float | None
    location: str = Field(default="pdbs", description="its storage location (RELOCATE TO)")


class PdbCreate(Strict):
    pdb_name: str = Field(pattern=NAME)
    admin_user: str = Field(pattern=NAME)
    admin_password: str = Field(pattern=PASSWORD)
    service_tier: str | None = Field(default=None, pattern=NAME)
    tenant: str | None = Field(default=None, pattern=NAME)
    max_size_bytes: int | None = Field(default=None, ge=1)


class OpenRequest(Strict):
    mode: Literal["READ_WRITE", "READ_ONLY", "UPGRADE", "MIGRATE"] = "READ_WRITE"
    restricted: bool = False
    force: bool = False


class CloseRequest(Strict):
    immediate: bool = False


class CloneRequest(Strict):
    target_name: str = Field(pattern=NAME)
    clone_type: Literal["full", "hot", "snapshot", "metadata"] = "hot"
    service_tier: str | None = Field(default=None, pattern=NAME)


class UnplugRequest(Strict):
    xml_path: str = Field(
        min_length=1, max_length=1024, description="a name in the exchange directory (.xml or .pdb)"
    )


class PlugRequest(Strict):
    xml_path: str = Field(min_length=1, max_length=1024)
    pdb_name: str = Field(pattern=NAME)
    as_clone: bool = False
    file_mode: Literal["COPY", "MOVE", "NOCOPY"] = "COPY"


class LockdownAssign(Strict):
    profile: str | None = Field(pattern=NAME)


class LockdownProfileCreate(Strict):
    name: str = Field(pattern=NAME)
    disabled_statements: list[str] = Field(default_factory=list)
    disabled_features: list[str] = Field(default_factory=list)
    disabled_options: list[str] = Field(default_factory=list)
    allow_os_access: bool = False


class ParameterSet(Strict):
    value: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.]+$")


class UserCreate(Strict):
    username: str = Field(pattern=NAME)
    password: str = Field(pattern=PASSWORD)
    container: str | None = Field(
        default=None, pattern=NAME, description="a PDB for a local user; absent: a common C## user"
    )


class RoleCreate(Strict):
    role: str = Field(pattern=NAME)
    container: str | None = Field(default=None, pattern=NAME)


class GrantRequest(Strict):
    grantee: str = Field(pattern=NAME)
    privilege: str = Field(
        pattern=r"^[A-Za-z][A-Za-z_ $#]{0,60}$", description="a system privilege or a role"
    )
    container: str | None = Field(default=None, pattern=NAME)
    common: bool = False


class TemplateCreate(Strict):
    name: str = Field(pattern=NAME)
    source_pdb: str = Field(pattern=NAME)
    no_data: bool = False
    service_tier: str | None = Field(default=None, pattern=NAME)
    lockdown_profile: str | None = Field(default=None, pattern=NAME)
    parameters: dict[str, str] = Field(default_factory=dict)


class RestoreRequest(Strict):
    backup_id: str = Field(min_length=1, max_length=64)
    new_name: str | None = Field(default=None, pattern=NAME)


class OperationOut(BaseModel):
    operation_id: str
    kind: str
    target: str
    tenant: str | None
    username: str
    status: str
    created_at: float
    finished_at: float | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None


class PageOut(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int


class TenantPage(BaseModel):
    items: list[Tenant]
    next_cursor: str | None
    total: int


class PdbPage(BaseModel):
    items: list[Pdb]
    next_cursor: str | None
    total: int


class Notices(BaseModel):
    notices: list[str]


class PlanCreate(Strict):
    plan: str = Field(pattern=NAME)
    comment: str = Field(default="", max_length=200, pattern=r"^[^'\x00]*$")


class Directive(Strict):
    pluggable_database: str = Field(pattern=NAME)
    shares: int | None = Field(default=None, ge=1, le=10000)
    utilization_limit: int | None = Field(default=None, ge=1, le=100)
    parallel_server_limit: int | None = Field(default=None, ge=0, le=100)


class DirectiveUpdate(Strict):
    shares: int | None = Field(default=None, ge=1, le=10000)
    utilization_limit: int | None = Field(default=None, ge=1, le=100)
    parallel_server_limit: int | None = Field(default=None, ge=0, le=100)


class PlanInForce(Strict):
    plan: str | None = Field(pattern=NAME, description="null: no plan in force")


class StorageChange(Strict):
    max_size_bytes: int | None = Field(default=None, ge=1, description="null: UNLIMITED")
    max_temp_size_bytes: int | None = Field(default=None, ge=1)


class KeyCreate(Strict):
    name: str = Field(pattern=NAME)
    username: str = Field(pattern=NAME)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class LockdownRule(Strict):
    action: Literal["DISABLE", "ENABLE"] = "DISABLE"
    kind: Literal["STATEMENT", "FEATURE", "OPTION"]
    values: list[str] = Field(min_length=1, max_length=50)
    users: Literal["ALL", "COMMON", "LOCAL"] | None = None
