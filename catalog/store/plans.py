"""CDB resource plans and their directives."""

from __future__ import annotations

from catalog.store.base import StoreBase


class PlanRows(StoreBase):
    def cdb_plan(self, plan: str) -> tuple[str, str] | None:
        return self.db.execute("SELECT plan, comment FROM cdb_plans WHERE plan = ?", (plan,)).fetchone()

    def cdb_plans(self) -> list[tuple[str, str]]:
        return self.db.execute("SELECT plan, comment FROM cdb_plans ORDER BY plan").fetchall()

    def create_cdb_plan(self, plan: str, comment: str) -> None:
        self.db.execute("INSERT INTO cdb_plans VALUES (?, ?)", (plan, comment))

    def delete_cdb_plan(self, plan: str) -> None:
        self.db.execute("DELETE FROM cdb_plans WHERE plan = ?", (plan,))

    def plan_directive(self, plan: str, pdb: str) -> tuple[int | None, int | None, int | None] | None:
        """(shares, utilization_limit, parallel_server_limit) of a plan's directive for pdb."""
        return self.db.execute(
            "SELECT shares, utilization_limit, parallel_server_limit FROM cdb_plan_directives"
            " WHERE plan = ? AND pdb = ?",
            (plan, pdb),
        ).fetchone()

    def plan_directives(self) -> list[tuple[str, str, int | None, int | None, int | None]]:
        return self.db.execute(
            "SELECT plan, pdb, shares, utilization_limit, parallel_server_limit FROM cdb_plan_directives"
            " ORDER BY plan, pdb"
        ).fetchall()

    def set_plan_directive(
        self,
        plan: str,
        pdb: str,
        shares: int | None,
        utilization_limit: int | None,
        parallel_server_limit: int | None,
        create: bool | None,
    ) -> None:
        """create True: a new directive; False: update the figures given (None keeps one);
        None: either."""
        if create is not False and self.plan_directive(plan, pdb) is None:
            self.db.execute(
                "INSERT INTO cdb_plan_directives VALUES (?, ?, ?, ?, ?)",
                (plan, pdb, shares, utilization_limit, parallel_server_limit),
            )
            return
        self.db.execute(
            "UPDATE cdb_plan_directives SET shares = coalesce(?, shares),"
            " utilization_limit = coalesce(?, utilization_limit),"
            " parallel_server_limit = coalesce(?, parallel_server_limit) WHERE plan = ? AND pdb = ?",
            (shares, utilization_limit, parallel_server_limit, plan, pdb),
        )

    def delete_plan_directive(self, plan: str, pdb: str) -> None:
        self.db.execute("DELETE FROM cdb_plan_directives WHERE plan = ? AND pdb = ?", (plan, pdb))
