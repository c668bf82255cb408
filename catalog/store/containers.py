"""Containers (PDBs), their parameters, history and plug-in violations."""

from __future__ import annotations

import os
import time
import uuid

from catalog.store.base import StoreBase
from catalog.store.models import Container, HistoryEvent, PlugViolation


def _container(r: tuple) -> Container:
    vals = list(r[:16])
    vals[6] = bool(vals[6])  # restricted
    return Container(
        *vals,
        snapshot_of=r[16] if len(r) > 16 else None,
        location=r[17] if len(r) > 17 else None,
        relocate_to=r[18] if len(r) > 18 else None,
    )


class ContainerRows(StoreBase):
    def snapshot_clones(self, con_id: int) -> list[Container]:
        """PDBs made from con_id with SNAPSHOT COPY; while one exists the source cannot be dropped."""
        rows = self.db.execute(
            "SELECT * FROM containers WHERE snapshot_of = ? ORDER BY con_id", (con_id,)
        ).fetchall()
        return [_container(r) for r in rows]

    def containers(self) -> list[Container]:
        rows = self.db.execute("SELECT * FROM containers ORDER BY con_id").fetchall()
        return [_container(r) for r in rows]

    def container(self, name: str) -> Container | None:
        row = self.db.execute("SELECT * FROM containers WHERE name = ?", (name.upper(),)).fetchone()
        return _container(row) if row else None

    def container_by_id(self, con_id: int) -> Container | None:
        row = self.db.execute("SELECT * FROM containers WHERE con_id = ?", (con_id,)).fetchone()
        return _container(row) if row else None

    def next_con_id(self) -> int:
        row = self.db.execute("SELECT COALESCE(MAX(con_id), 2) + 1 FROM containers").fetchone()
        return int(row[0])

    def insert_container(
        self, con_id: int, name: str, status: str, open_mode: str, tier: str, pending_op: str | None
    ) -> Container:
        guid = uuid.uuid4().hex.upper()
        dbid = int.from_bytes(os.urandom(4), "big") >> 1
        scn = self.next_scn()
        self.db.execute(
            "INSERT INTO containers (con_id, name, guid, dbid, status, open_mode, tier, pending_op, creation_scn, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (con_id, name, guid, dbid, status, open_mode, tier, pending_op, scn, time.time()),
        )
        c = self.container_by_id(con_id)
        assert c is not None
        return c

    def pdb_parameters(self, con_id: int) -> dict[str, str]:
        rows = self.db.execute("SELECT name, value FROM pdb_parameters WHERE con_id = ?", (con_id,))
        return dict(rows.fetchall())

    def set_pdb_parameter(self, con_id: int, name: str, value: str | None) -> None:
        """Set a PDB's parameter over its tier; None removes it (the tier's value applies again)."""
        if value is None:
            self.db.execute("DELETE FROM pdb_parameters WHERE con_id = ? AND name = ?", (con_id, name))
        else:
            self.db.execute(
                "INSERT INTO pdb_parameters VALUES (?, ?, ?)"
                " ON CONFLICT (con_id, name) DO UPDATE SET value = excluded.value",
                (con_id, name, value),
            )

    def update_container(self, con_id: int, **fields: object) -> None:
        cols = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE containers SET {cols} WHERE con_id = ?", (*fields.values(), con_id))

    def delete_container(self, con_id: int) -> None:
        c = self.container_by_id(con_id)
        if c is not None and con_id > 2:
            # billing: the PDB's tier at its end, and when it ended (a dropped PDB without a tenant
            # is billed until then; a tenant's stops counting toward the tenant's billed tier)
            row = self.db.execute("SELECT tenant FROM tenant_pdbs WHERE con_id = ?", (con_id,)).fetchone()
            self.record_tier_change(row[0] if row else None, c, None, c.tier, "DROP", "SYS")
        self.db.execute(
            "DELETE FROM plug_violations WHERE name = (SELECT name FROM containers WHERE con_id = ?)",
            (con_id,),
        )
        self.db.execute("DELETE FROM containers WHERE con_id = ?", (con_id,))
        self.db.execute("DELETE FROM users WHERE con_id = ? AND common = 0", (con_id,))
        self.db.execute("DELETE FROM roles WHERE con_id = ? AND common = 0", (con_id,))
        self.db.execute("DELETE FROM sys_privs WHERE con_id = ? AND common = 0", (con_id,))
        self.db.execute("DELETE FROM role_privs WHERE con_id = ? AND common = 0", (con_id,))
        self.db.execute("DELETE FROM obj_privs WHERE con_id = ?", (con_id,))

    # ---------------------------------------------------------------- billed tiers

    def record_tier_change(
        self,
        tenant: str | None,
        c: Container | None,
        from_tier: str | None,
        to_tier: str,
        cause: str,
        actor: str,
        detail: str | None = None,
    ) -> None:
        """The one place a change of a billed service tier is recorded (table tier_history): a
        tenant's (c None), or one PDB's (its own tier, or auto scaling's effective tier). Called in
        the caller's transaction, so the change and its record commit together."""
        if from_tier == to_tier:
            return
        self.db.execute(
            "INSERT INTO tier_history (time, tenant, guid, pdb_name, from_tier, to_tier, cause, actor, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                time.time(),
                tenant,
                c.guid if c else None,
                c.name if c else None,
                from_tier,
                to_tier,
                cause,
                actor,
                detail,
            ),
        )

    def tier_history(
        self,
    ) -> list[tuple[float, str | None, str | None, str | None, str | None, str, str, str | None]]:
        """(time, tenant, guid, pdb_name, from_tier, to_tier, cause, detail), oldest first."""
        return self.db.execute(
            "SELECT time, tenant, guid, pdb_name, from_tier, to_tier, cause, detail FROM tier_history ORDER BY time, id"
        ).fetchall()

    def add_history(self, c: Container, operation: str, cloned_from: str | None = None) -> None:
        self.db.execute(
            "INSERT INTO history (pdb_name, con_id, guid, operation, op_time, cloned_from) VALUES (?, ?, ?, ?, ?, ?)",
            (c.name, c.con_id, c.guid, operation, time.time(), cloned_from),
        )

    def history(self) -> list[HistoryEvent]:
        rows = self.db.execute(
            "SELECT pdb_name, con_id, guid, operation, op_time, cloned_from FROM history ORDER BY id"
        ).fetchall()
        return [HistoryEvent(*r) for r in rows]

    def add_plug_violation(
        self,
        name: str,
        cause: str,
        type: str,
        message: str,
        action: str | None = None,
        status: str = "PENDING",
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO plug_violations (time, name, cause, type, message, status, action)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (time.time(), name, cause, type, message, status, action),
        )
        return int(cur.lastrowid or 0)

    def plug_violations(self, name: str | None = None) -> list[PlugViolation]:
        sql = "SELECT id, time, name, cause, type, message, status, action FROM plug_violations"
        rows = self.db.execute(
            sql + (" WHERE name = ?" if name else "") + " ORDER BY id", (name,) if name else ()
        ).fetchall()
        return [PlugViolation(*r) for r in rows]

    def resolve_plug_violations(self, name: str, cause: str | None = None) -> None:
        """Mark a PDB's violations (of one cause, or all) RESOLVED."""
        if cause is None:
            self.db.execute("UPDATE plug_violations SET status = 'RESOLVED' WHERE name = ?", (name,))
        else:
            self.db.execute(
                "UPDATE plug_violations SET status = 'RESOLVED' WHERE name = ? AND cause = ?", (name, cause)
            )

    def delete_plug_violations(self, name: str) -> None:
        self.db.execute("DELETE FROM plug_violations WHERE name = ?", (name,))
