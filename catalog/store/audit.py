"""The audit trail: refused statements and failed logins."""

from __future__ import annotations

import time

from catalog.store.base import StoreBase


class AuditRows(StoreBase):
    def add_audit(
        self,
        con_id: int,
        pdb_name: str,
        username: str,
        client: str,
        action: str,
        statement: str | None,
        rule: str,
        sqlstate: str,
        message: str,
    ) -> None:
        """One refused statement or failed login; committed at once (the store autocommits)."""
        self.db.execute(
            "INSERT INTO audit_trail (time, con_id, pdb_name, username, client, action, statement, rule, sqlstate, message)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (time.time(), con_id, pdb_name, username, client, action, statement, rule, sqlstate, message),
        )

    def audit_rows(self, con_id: int | None = None) -> list[tuple]:
        """(time, con_id, pdb_name, username, client, action, statement, rule, sqlstate, message)."""
        sql = "SELECT time, con_id, pdb_name, username, client, action, statement, rule, sqlstate, message FROM audit_trail"
        if con_id is None:
            return self.db.execute(sql + " ORDER BY id").fetchall()
        return self.db.execute(sql + " WHERE con_id = ? ORDER BY id", (con_id,)).fetchall()
