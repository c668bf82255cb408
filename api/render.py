"""The REST renderings of a tenant and a PDB (their bodies and ETags), shared by the REST
handlers (api.rest) and the long operations' results (api.long_ops), whichever door started them."""

from typing import Any

from api.core import Api
from catalog.cdb import Cdb
from catalog.store import Container
from catalog.store import Tenant as TenantRow
from metering import ops as metering_ops

MiB = 1 << 20
GiB = 1 << 30


def tenant_out(api: Api, t: TenantRow, c_list: list[Container] | None = None) -> dict[str, Any]:
    """A tenant as REST shows it (and its ETag is of); c_list: its PDBs, when already read."""
    cdb = api.cdb
    pdb_rows = c_list if c_list is not None else cdb.cat.tenant_pdbs(t.name)
    tier = cdb.tiers.get(t.tier)
    if pdb_rows:
        lim = cdb.limits_of(pdb_rows[0].con_id) or cdb.limits(pdb_rows[0])  # cached per catalog change
        limits = {
            "cpu_cores": float(lim.cpu_count),
            "memory_mb": lim.memory_bytes // MiB,
            "storage_gb": round(lim.max_pdb_storage / GiB, 3),
            "max_iops": lim.max_iops,
            "network_mbps": lim.network_mbps,
            "max_connections": lim.sessions,
        }
    else:
        limits = {
            "cpu_cores": float(tier.cpu if tier else 0),
            "memory_mb": tier.memory_mb if tier else 0,
            "storage_gb": float(tier.storage_gb if tier else 0),
            "max_iops": tier.iops if tier else 0,
            "network_mbps": tier.network_mbps if tier else 0,
            "max_connections": tier.sessions if tier else 0,
        }
    return {
        "tenant_id": t.name,
        "tenant_name": t.name,
        "display_name": t.display_name,
        "contact": t.contact,
        "service_tier": t.tier.lower(),
        "status": t.state.lower(),
        "reason": t.reason,
        "admin_user": t.admin_user,
        "auto_scaling": t.auto_scaling,
        "backup_enabled": t.backup,
        "template": t.template,
        "labels": t.labels,
        "quota": t.quota,
        "pdbs": [c.name for c in pdb_rows],
        "resource_limits": limits,
        # money as a decimal string, never a float: the tier's base price ([billing])
        "monthly_cost": str(metering_ops.base_monthly_price(api.server.metering, t.tier)),
        "created_at": t.created_at,
        "changed_at": t.changed_at,
    }


def pdb_out(cdb: Cdb, c: Container) -> dict[str, Any]:
    """A PDB as REST shows it (and its ETag is of)."""
    return {
        "pdb_id": c.name,
        "con_id": c.con_id,
        "pdb_name": c.name,
        "guid": c.guid,
        "status": c.status,
        "open_mode": c.open_mode,
        "restricted": bool(c.restricted),
        "saved_state": c.saved_state,
        "service_tier": c.tier.lower(),
        "tenant": cdb.cat.tenant_of(c.con_id),
        "max_size": c.max_size,
        "max_temp_size": c.max_temp_size,
        "lockdown_profile": cdb.cat.pdb_lockdown(c.con_id),
        "created_at": c.created_at,
        "open_time": c.open_time,
        "location": c.location or "pdbs",
    }
