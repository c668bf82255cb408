"""Schema whitelists: a user with ALLOWED SCHEMAS (s1, s2) touches no other schema.

Checked in the proxy before execution, from the statement's analysis. Schema `public` is what
clients see of DuckDB's `main`, so either name allows both. The catalogs (pg_catalog,
information_schema), the dictionary views and a statement's own CTE names are not schemas of
the tenant and always pass.
"""

from __future__ import annotations

from policies.analysis import Analysis
from policies.sandbox import Violation

DEFAULT_SCHEMA = "main"
_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "temp", "system"})


def _canonical(schema: str) -> str:
    return DEFAULT_SCHEMA if schema in ("", "public", DEFAULT_SCHEMA) else schema


def check(allowed: list[str] | None, a: Analysis, dictionary_views: frozenset[str]) -> Violation | None:
    """The first schema outside the user's whitelist that the statement touches, or None."""
    if allowed is None:
        return None
    ok = {_canonical(s.lower()) for s in allowed}
    for _catalog, schema, name in sorted(a.tables):
        if not name or schema in _SYSTEM_SCHEMAS or name.startswith(("pg_", "duckdb_")):
            continue
        if not schema and (name in a.ctes or name.upper() in dictionary_views or name in a.file_tables):
            continue
        target = _canonical(schema)
        if target not in ok:
            shown = "public" if target == DEFAULT_SCHEMA else target
            return Violation("SCHEMA_WHITELIST", f"access to schema {shown} not allowed")
    return None
