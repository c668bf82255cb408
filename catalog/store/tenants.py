"""Tenants' rows: the tenant, the PDBs it owns, its state changes, templates and archives.

The operations (provision, suspend, resume, tier, quota, drop, undrop, purge) live in the tenants
package; this is only their storage, beside the containers it points at.
"""

from __future__ import annotations

import json
import time

from catalog.store.base import StoreBase
from catalog.store.models import Container, PdbBackup, Tenant, TenantArchive, TenantEvent, TenantTemplate

_TENANT_COLS = (
    "name, display_name, contact, tier, state, reason, labels, auto_scaling, backup, template, quota,"
    " admin_user, pending_op, created_at, changed_at, purge_after"
)


def _tenant(r: tuple) -> Tenant:
    v = list(r)
    v[6] = json.loads(v[6] or "{}")
    v[7] = bool(v[7])
    v[8] = bool(v[8])
    v[10] = json.loads(v[10] or "{}")
    return Tenant(*v)


class TenantRows(StoreBase):
    def tenants(self) -> list[Tenant]:
        rows = self.db.execute(f"SELECT {_TENANT_COLS} FROM tenants ORDER BY name").fetchall()
        return [_tenant(r) for r in rows]

    def tenant(self, name: str) -> Tenant | None:
        row = self.db.execute(f"SELECT {_TENANT_COLS} FROM tenants WHERE name = ?", (name,)).fetchone()
        return _tenant(row) if row else None

    def insert_tenant(self, t: Tenant) -> None:
        self.db.execute(
            f"INSERT INTO tenants ({_TENANT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                t.name,
                t.display_name,
                t.contact,
                t.tier,
                t.state,
                t.reason,
                json.dumps(t.labels, sort_keys=True),
                int(t.auto_scaling),
                int(t.backup),
                t.template,
                json.dumps(t.quota, sort_keys=True),
                t.admin_user,
                t.pending_op,
                t.created_at,
                t.changed_at,
                t.purge_after,
            ),
        )

    def update_tenant(self, name: str, **fields: object) -> None:
        vals = {k: json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for k, v in fields.items()}
        vals["changed_at"] = time.time()
        cols = ", ".join(f"{k} = ?" for k in vals)
        self.db.execute(f"UPDATE tenants SET {cols} WHERE name = ?", (*vals.values(), name))

    def delete_tenant(self, name: str) -> None:
        self.db.execute("DELETE FROM tenant_pdbs WHERE tenant = ?", (name,))
        self.db.execute("DELETE FROM tenant_archives WHERE tenant = ?", (name,))
        self.db.execute("DELETE FROM tenants WHERE name = ?", (name,))

    # ---------------------------------------------------------------- PDBs of a tenant

    def add_tenant_pdb(self, tenant: str, con_id: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO tenant_pdbs (con_id, tenant) VALUES (?, ?)", (con_id, tenant))

    def tenant_pdbs(self, tenant: str) -> list[Container]:
        """The PDBs the tenant owns, in con_id order."""
        ids = [r[0] for r in self.db.execute("SELECT con_id FROM tenant_pdbs WHERE tenant = ?", (tenant,))]
        found = [self.container_by_id(i) for i in sorted(ids)]  # type: ignore[attr-defined]
        return [c for c in found if c is not None]

    def tenant_owners(self) -> dict[int, str]:
        """con_id -> tenant for every tenant PDB, in one query (lists of many tenants)."""
        return dict(self.db.execute("SELECT con_id, tenant FROM tenant_pdbs").fetchall())

    def tenant_of(self, con_id: int) -> str | None:
        row = self.db.execute("SELECT tenant FROM tenant_pdbs WHERE con_id = ?", (con_id,)).fetchone()
        return row[0] if row else None

    def set_prior_state(
        self, con_id: int, open_mode: str | None, restricted: bool, saved: str | None
    ) -> None:
        self.db.execute(
            "UPDATE tenant_pdbs SET prior_open_mode = ?, prior_restricted = ?, prior_saved_state = ?"
            " WHERE con_id = ?",
            (open_mode, int(restricted), saved, con_id),
        )

    def prior_state(self, con_id: int) -> tuple[str | None, bool, str | None]:
        row = self.db.execute(
            "SELECT prior_open_mode, prior_restricted, prior_saved_state FROM tenant_pdbs WHERE con_id = ?",
            (con_id,),
        ).fetchone()
        return (row[0], bool(row[1]), row[2]) if row else (None, False, None)

    # ---------------------------------------------------------------- events

    def add_tenant_event(
        self,
        tenant: str,
        actor: str,
        operation: str,
        from_state: str | None,
        to_state: str | None,
        reason: str | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO tenant_events (tenant, time, actor, operation, from_state, to_state, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (tenant, time.time(), actor, operation, from_state, to_state, reason),
        )

    def tenant_events(self, tenant: str | None = None) -> list[TenantEvent]:
        sql = "SELECT tenant, time, actor, operation, from_state, to_state, reason FROM tenant_events"
        args: tuple[object, ...] = ()
        if tenant is not None:
            sql += " WHERE tenant = ?"
            args = (tenant,)
        return [TenantEvent(*r) for r in self.db.execute(sql + " ORDER BY id", args).fetchall()]

    # ---------------------------------------------------------------- templates

    def tenant_templates(self) -> list[TenantTemplate]:
        rows = self.db.execute(
            "SELECT name, pdb_con_id, source_pdb, no_data, tier, lockdown_profile, parameters, created_at"
            " FROM tenant_templates ORDER BY name"
        ).fetchall()
        return [
            TenantTemplate(r[0], r[1], r[2], bool(r[3]), r[4], r[5], json.loads(r[6]), r[7]) for r in rows
        ]

    def tenant_template(self, name: str) -> TenantTemplate | None:
        return next((t for t in self.tenant_templates() if t.name == name), None)

    def template_of_pdb(self, con_id: int) -> str | None:
        row = self.db.execute("SELECT name FROM tenant_templates WHERE pdb_con_id = ?", (con_id,)).fetchone()
        return row[0] if row else None

    def insert_tenant_template(self, t: TenantTemplate) -> None:
        self.db.execute(
            "INSERT INTO tenant_templates VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                t.name,
                t.pdb_con_id,
                t.source_pdb,
                int(t.no_data),
                t.tier,
                t.lockdown_profile,
                json.dumps(t.parameters, sort_keys=True),
                t.created_at,
            ),
        )

    def delete_tenant_template(self, name: str) -> None:
        self.db.execute("DELETE FROM tenant_templates WHERE name = ?", (name,))

    # ---------------------------------------------------------------- archives of dropped tenants

    def add_tenant_archive(self, a: TenantArchive) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO tenant_archives VALUES (?, ?, ?, ?, ?)",
            (a.tenant, a.pdb_name, a.file, a.open_mode, int(a.restricted)),
        )

    def tenant_archives(self, tenant: str) -> list[TenantArchive]:
        rows = self.db.execute(
            "SELECT tenant, pdb_name, file, open_mode, restricted FROM tenant_archives WHERE tenant = ?"
            " ORDER BY pdb_name",
            (tenant,),
        ).fetchall()
        return [TenantArchive(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def tenant_of_archived(self, pdb_name: str) -> str | None:
        row = self.db.execute("SELECT tenant FROM tenant_archives WHERE pdb_name = ?", (pdb_name,)).fetchone()
        return row[0] if row else None

    def delete_tenant_archive(self, tenant: str, pdb_name: str) -> None:
        self.db.execute("DELETE FROM tenant_archives WHERE tenant = ? AND pdb_name = ?", (tenant, pdb_name))

    # ---------------------------------------------------------------- PDB backups

    def insert_backup(self, b: PdbBackup) -> None:
        self.db.execute(
            "INSERT INTO pdb_backups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                b.id,
                b.con_id,
                b.pdb_name,
                b.guid,
                b.kind,
                b.status,
                b.started_at,
                b.finished_at,
                b.size,
                b.sha256,
                b.path,
                b.message,
            ),
        )

    def update_backup(self, backup_id: str, **fields: object) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE pdb_backups SET {cols} WHERE id = ?", (*fields.values(), backup_id))

    def delete_backup(self, backup_id: str) -> None:
        self.db.execute("DELETE FROM pdb_backups WHERE id = ?", (backup_id,))

    def backups(self, guid: str | None = None) -> list[PdbBackup]:
        sql = "SELECT * FROM pdb_backups"
        args: tuple[object, ...] = ()
        if guid is not None:
            sql += " WHERE guid = ?"
            args = (guid,)
        return [PdbBackup(*r) for r in self.db.execute(sql + " ORDER BY started_at, id", args).fetchall()]

    def backup(self, backup_id: str) -> PdbBackup | None:
        row = self.db.execute("SELECT * FROM pdb_backups WHERE id = ?", (backup_id,)).fetchone()
        return PdbBackup(*row) if row else None
