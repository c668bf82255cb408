"""Lockdown profiles, their rules, and which profile each container has (PDB_LOCKDOWN)."""

from __future__ import annotations

import json
import time

from catalog.store.base import StoreBase
from policies.source import LockdownProfile, LockdownRule

_RULE_COLUMNS = (
    "id, profile, rule_type, rule, status, users, rule_except, clause, clause_except, clause_option,"
    " option_except, option_values, min_value, max_value"
)


def _rule(r: tuple) -> LockdownRule:
    return LockdownRule(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        tuple(json.loads(r[6])),
        r[7],
        tuple(json.loads(r[8])),
        r[9],
        tuple(json.loads(r[10])),
        tuple(json.loads(r[11])),
        r[12],
        r[13],
    )


class LockdownRows(StoreBase):
    def lockdown_profiles(self) -> list[LockdownProfile]:
        rows = self.db.execute(
            "SELECT name, base, shipped, created_at FROM lockdown_profiles ORDER BY name"
        ).fetchall()
        return [LockdownProfile(r[0], r[1], bool(r[2]), r[3]) for r in rows]

    def lockdown_profile(self, name: str) -> LockdownProfile | None:
        row = self.db.execute(
            "SELECT name, base, shipped, created_at FROM lockdown_profiles WHERE name = ?", (name,)
        ).fetchone()
        return LockdownProfile(row[0], row[1], bool(row[2]), row[3]) if row else None

    def insert_lockdown_profile(self, name: str, base: str | None = None, shipped: bool = False) -> None:
        self.db.execute(
            "INSERT INTO lockdown_profiles (name, base, shipped, created_at) VALUES (?, ?, ?, ?)",
            (name, base, int(shipped), time.time()),
        )

    def delete_lockdown_profile(self, name: str) -> None:
        """The profile and its rules. PDB_LOCKDOWN settings naming it stay (they then restrict nothing),
        and so do INCLUDING links to it, as in Oracle."""
        self.db.execute("DELETE FROM lockdown_rules WHERE profile = ?", (name,))
        self.db.execute("DELETE FROM lockdown_profiles WHERE name = ?", (name,))

    def lockdown_rules(self, profile: str | None = None) -> list[LockdownRule]:
        """The rules of one profile (or of all), in the order they apply."""
        sql = f"SELECT {_RULE_COLUMNS} FROM lockdown_rules"
        if profile is None:
            rows = self.db.execute(sql + " ORDER BY id").fetchall()
        else:
            rows = self.db.execute(sql + " WHERE profile = ? ORDER BY id", (profile,)).fetchall()
        return [_rule(r) for r in rows]

    def add_lockdown_rule(self, rule: LockdownRule) -> None:
        """Append rule to its profile (rule.id is ignored). A rule of the same scope (everything but the
        status) is replaced: the new one goes last, so it overrides every earlier rule."""
        key = (
            rule.profile,
            rule.rule_type,
            rule.rule,
            rule.users,
            json.dumps(list(rule.rule_except)),
            rule.clause,
            json.dumps(list(rule.clause_except)),
            rule.clause_option,
            json.dumps(list(rule.option_except)),
            json.dumps(list(rule.option_values)),
            rule.min_value,
            rule.max_value,
        )
        self.db.execute(
            "DELETE FROM lockdown_rules WHERE profile = ? AND rule_type = ? AND rule = ? AND users = ?"
            " AND rule_except = ? AND clause IS ? AND clause_except = ? AND clause_option IS ?"
            " AND option_except = ? AND option_values = ? AND min_value IS ? AND max_value IS ?",
            key,
        )
        self.db.execute(
            "INSERT INTO lockdown_rules (profile, rule_type, rule, users, rule_except, clause, clause_except,"
            " clause_option, option_except, option_values, min_value, max_value, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*key, rule.status),
        )

    def pdb_lockdown(self, con_id: int) -> str | None:
        """The PDB_LOCKDOWN set in container con_id (1: the CDB-wide one), or None."""
        row = self.db.execute(
            "SELECT profile FROM lockdown_assignments WHERE con_id = ?", (con_id,)
        ).fetchone()
        return row[0] if row else None

    def set_pdb_lockdown(self, con_id: int, profile: str | None) -> None:
        """Set (or, with None, clear) PDB_LOCKDOWN in container con_id."""
        if profile is None:
            self.db.execute("DELETE FROM lockdown_assignments WHERE con_id = ?", (con_id,))
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO lockdown_assignments (con_id, profile) VALUES (?, ?)",
                (con_id, profile),
            )

    def lockdown_assignments(self) -> dict[int, str]:
        """con_id -> PDB_LOCKDOWN, for every container that sets one."""
        return dict(self.db.execute("SELECT con_id, profile FROM lockdown_assignments").fetchall())
