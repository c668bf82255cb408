"""Every named SELECT of the shim, and how a rewritten statement refers to them: inline, or as WITH entries defined once."""

from __future__ import annotations

import re

from pgcompat.shim.functions import CLASS_NS, PG_GET_KEYWORDS, REL_COMMENTS, VIS_SRC
from pgcompat.shim.info_schema import INFO_RELATIONS, info_block
from pgcompat.shim.relations import (
    CLASS_LITE,
    COLUMNS,
    CON,
    CON_LITE,
    CON_REF,
    CONS,
    IDX,
    IDX_KEYS,
    IDX_RAW,
    JSONBS,
    LENGTHS,
    NS,
    PG_CLASS_SYS,
    PROCS,
    REL_NS,
    RELATIONS,
    RELS,
    SERIAL_DEFAULTS,
    SYS_CLASS_BLOCK,
    SYS_CLASSES,
    TABLE_COLS,
)

_REF = re.compile("\x00(\\w+)\x00")


def expand(sql: str, used: set[str] | None) -> str:
    """The block references in sql as the names of WITH entries (noted in `used`, which the
    statement then defines once), or, with `used` None, as the blocks' SELECTs inline."""
    if used is None:
        return _REF.sub(lambda m: f"({expand(BLOCKS[m.group(1)], None)})", sql)
    used.update(_REF.findall(sql))
    return _REF.sub(lambda m: "__" + m.group(1), sql)


def with_entries(used: set[str]) -> str:
    """`__name AS (SELECT ...)` for the blocks used and those they read, each after its sources."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name not in order:
            for dep in _REF.findall(BLOCKS[name]):
                visit(dep)
            order.append(name)

    for name in sorted(used):
        visit(name)
    return ", ".join(f"__{n} AS ({expand(BLOCKS[n], set())})" for n in order)


BLOCKS: dict[str, str] = {
    **RELATIONS,
    "ns": NS,
    "table_cols": TABLE_COLS,
    "cons": CONS,
    "lengths": LENGTHS,
    "jsonbs": JSONBS,
    "con_lite": CON_LITE,
    "con": CON,
    "pg_get_keywords": PG_GET_KEYWORDS,
    "procs": PROCS,
    "sys_classes": SYS_CLASSES,
    SYS_CLASS_BLOCK: PG_CLASS_SYS,
    "con_ref": CON_REF,
    "idx_raw": IDX_RAW,
    "idx_keys": IDX_KEYS,
    "idx": IDX,
    "rels": RELS,
    "class_lite": CLASS_LITE,
    "rel_ns": REL_NS,
    "columns": COLUMNS,
    "vis": VIS_SRC,
    "class_ns": CLASS_NS,
    "rel_comments": REL_COMMENTS,
    "serial_defaults": SERIAL_DEFAULTS,
    **{info_block(name): sql for name, sql in INFO_RELATIONS.items()},
}
