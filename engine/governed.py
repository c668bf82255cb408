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


# A text that starts (after blanks) with a word other than SET, RESET or PRAGMA: no noise to skip
# and no setting written; every statement is checked, most of them are such.
_OTHER_WORD = re.compile(r"\s*(?!(?:set|reset|pragma)\b)[a-z]", re.I)


def refuse_governed(sql: str) -> None:
    """Raise 42501 when sql would change a governed engine setting."""
    if _OTHER_WORD.match(sql):
        return
    text = _LEADING_NOISE.sub("", sql, count=1)
    if _SETTING_WRITE.match(text):
        raise DbError(
            "42501", "permission denied: the engine's resource settings are set by its service tier"
        )
