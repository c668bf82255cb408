"""The engine's own wall around the settings the supervisor governs (memory, threads, spill).

They must stay changeable after the configuration is locked, so that limits apply online; the
proxy already refuses every engine setting, and this refuses these again in the engine, so that
no single check stands between a tenant and its own budget.
"""

from __future__ import annotations

import re

from pgwire.errors import DbError

_NAMES = r"(?:memory_limit|max_memory|threads|worker_threads|max_temp_directory_size|temp_directory)"
_LEADING_NOISE = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.S)
_SETTING_WRITE = re.compile(
    rf'^(?:(?:SET|RESET)\s+(?:(?:GLOBAL|SESSION|LOCAL)\s+)?|PRAGMA\s+)"?{_NAMES}(?:"|\b)', re.I | re.S
)


def refuse_governed(sql: str) -> None:
    """Raise 42501 when sql would change a governed engine setting."""
    text = _LEADING_NOISE.sub("", sql, count=1)
    if _SETTING_WRITE.match(text):
        raise DbError(
            "42501", "permission denied: the engine's resource settings are set by its service tier"
        )
