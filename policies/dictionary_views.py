"""The names of the container's dictionary views (V$PDBS, DBA_USERS, ...) and which of them a
statement names. The catalog computes their rows (catalog.dictionary) for the container that asks;
to the policies they are never a tenant's tables.
"""

from __future__ import annotations

from sqlglot.tokens import TokenType

from pgcompat.statements import Statement

NAMES = frozenset(
    {
        "CDB_AUDIT_TRAIL",
        "CDB_BILLING",
        "CDB_METERING",
        "CDB_SLA",
        "CDB_SLA_VIOLATIONS",
        "DBA_BILLING",
        "DBA_METERING",
        "DBA_SLA",
        "DBA_SLA_VIOLATIONS",
        "CDB_PDBS",
        "CDB_PDB_BACKUPS",
        "CDB_PDB_HISTORY",
        "CDB_TENANTS",
        "CDB_TENANT_EVENTS",
        "CDB_USERS",
        "DBA_AUDIT_TRAIL",
        "DBA_CDB_RSRC_PLANS",
        "DBA_CDB_RSRC_PLAN_DIRECTIVES",
        "DBA_LOCKDOWN_PROFILES",
        "DBA_PDBS",
        "DBA_PDB_BACKUPS",
        "DBA_PDB_HISTORY",
        "DBA_PDB_SAVED_STATES",
        "DBA_ROLES",
        "DBA_ROLE_PRIVS",
        "DBA_SYS_PRIVS",
        "DBA_TENANTS",
        "DBA_TENANT_EVENTS",
        "DBA_TENANT_TEMPLATES",
        "DBA_USERS",
        "PDB_PLUG_IN_VIOLATIONS",
        "V$CONTAINERS",
        "V$LOCKDOWN_RULES",
        "V$PDBS",
        "V$RSRCPDBMETRIC",
        "V$RSRCPDBMETRIC_HISTORY",
    }
)


def referenced_views(stmt: Statement) -> list[str]:
    """The dictionary views stmt names, in order of first mention. Identifiers match case-insensitively,
    quoted ("V$PDBS") or not; string literals never match; unquoted tokens written without a gap
    between them (a tokenizer that splits at '$') are read as one name. Once per statement text."""
    hit = stmt.memo.get("dictionary_views")
    if hit is None:
        hit = stmt.memo["dictionary_views"] = _referenced(stmt)
    return list(hit)


def _referenced(stmt: Statement) -> tuple[str, ...]:
    base = stmt.tokens[0].start
    words: list[str] = []
    prev_end = -2
    glued = False  # whether the last word may take the next adjacent unquoted token
    for t in stmt.tokens:
        first = stmt.text[t.start - base]
        if first == "'" or t.token_type.name.endswith("STRING"):
            glued = False  # a literal: never a name
        elif first == '"' or t.token_type == TokenType.IDENTIFIER:
            words.append(t.text.upper())
            glued = False
        elif t.text and all(ch.isalnum() or ch in "_$#" for ch in t.text):
            if glued and t.start == prev_end + 1:
                words[-1] += t.text.upper()
            else:
                words.append(t.text.upper())
            glued = True
        else:
            glued = False
        prev_end = t.end
    return tuple(w for w in dict.fromkeys(words) if w in NAMES)
