"""Service tiers changed at runtime (ALTER SERVICE TIER, PUT /api/v1/service-tiers/{name}): the
figures that differ from conf/tiers.toml, per tier. Cdb.tiers merges them over the file."""

from __future__ import annotations

import json
import time

from catalog.store.base import StoreBase


class TierRows(StoreBase):
    def tier_overrides(self) -> dict[str, dict[str, object]]:
        """tier -> {key of tiers.toml: value} for every tier changed at runtime."""
        rows = self.db.execute("SELECT tier, settings FROM service_tier_overrides").fetchall()
        return {tier: json.loads(settings) for tier, settings in rows}

    def set_tier_override(self, tier: str, settings: dict[str, object], actor: str) -> None:
        """The tier's runtime figures (merged by the caller); an empty dict removes the row."""
        if not settings:
            self.db.execute("DELETE FROM service_tier_overrides WHERE tier = ?", (tier,))
            return
        self.db.execute(
            "INSERT INTO service_tier_overrides VALUES (?, ?, ?, ?) ON CONFLICT (tier) DO UPDATE"
            " SET settings = excluded.settings, changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            (tier, json.dumps(settings, sort_keys=True), actor, time.time()),
        )
