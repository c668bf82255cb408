"""Schema whitelists: a user with ALLOWED SCHEMAS (s1, s2) touches no other schema.

Checked in the proxy before execution, from the statement's analysis. Schema `public` is what
clients see of DuckDB's `main`, so either name allows both. The catalogs (pg_catalog,
information_schema), the dictionary views and a statement's own CTE names are not schemas of
the tenant and always pass.
"""

from __future__ import annotations

from pgcompat.analysis import DEFAULT_SCHEMA, Analysis, canonical_schema, tenant_tables
from policies.sandbox import Violation


def check(allowed: list[str] | None, a: Analysis, dictionary_views: frozenset[str]) -> Violation | None:
    """The first schema outside the user's whitelist that the statement touches, or None."""
    if allowed is None:
        return None
    ok = {canonical_schema(s.lower()) for s in allowed}
    for schema, _name in tenant_tables(a, dictionary_views):
        if schema not in ok:
            shown = "public" if schema == DEFAULT_SCHEMA else schema
            return Violation("SCHEMA_WHITELIST", f"access to schema {shown} not allowed")
    return None
