"""Answers to the type-introspection queries drivers send, computed from the codec's type table.

asyncpg looks up every type OID it has no built-in codec for (arrays among them) with a
recursive query over pg_type, pg_range and regtype casts that DuckDB cannot run. The query is
recognised by its text and replaced with an equivalent over the types DuckCDB sends.
"""

from __future__ import annotations

from functools import cache

from pgwire.types import ELEMENT_OF, PG_TYPE_NAMES

ASYNCPG_MARKER = "typeinfo_tree"


@cache
def _type_rows() -> str:
    rows = []
    for oid, name in sorted(PG_TYPE_NAMES.items()):
        elem = ELEMENT_OF.get(oid, 0)
        rows.append(
            f"({oid}::BIGINT, 'pg_catalog', '{name}', 'b'::BLOB, NULL::BIGINT, {elem}::BIGINT, ','::BLOB)"
        )
    return ",\n".join(rows)


# asyncpg sends $1 as oid[] (a codec it has built in); reporting int8[] would send it looking that up too.
ASYNCPG_PARAM_OIDS = (1028,)


def asyncpg_type_introspection(text: str) -> str | None:
    """DuckDB SQL answering asyncpg's INTRO_LOOKUP_TYPES query, or None for other statements."""
    if ASYNCPG_MARKER not in text or "any($1::oid[])" not in text:
        return None
    return f"""WITH RECURSIVE ti(oid, ns, name, kind, basetype, elemtype, elemdelim) AS (VALUES
{_type_rows()}
), tree(oid, ns, name, kind, basetype, elemtype, elemdelim, depth) AS (
    SELECT ti.*, 0 FROM ti WHERE list_contains($1::BIGINT[], ti.oid)
    UNION ALL
    SELECT ti.*, tree.depth + 1 FROM ti JOIN tree ON tree.elemtype <> 0 AND ti.oid = tree.elemtype
)
SELECT DISTINCT tree.oid, tree.ns, tree.name, tree.kind, tree.basetype, tree.elemtype, tree.elemdelim,
    NULL::BIGINT AS range_subtype, NULL::VARCHAR AS attrtypoids, NULL::VARCHAR[] AS attrnames, tree.depth,
    NULL::VARCHAR AS basetype_name, e.name AS elemtype_name, NULL::VARCHAR AS range_subtype_name
FROM tree LEFT JOIN ti e ON e.oid = tree.elemtype AND tree.elemtype <> 0
ORDER BY tree.depth DESC"""
