"""Which statements are the container's own commands: the Oracle multitenant SQL that the proxy
runs against the catalog (PDBs, users and roles, grants, lockdown profiles, PDB parameters, CDB
resource plans, SET CONTAINER), as opposed to SQL a PDB's engine runs.

Recognized from the statement's words, never from substrings of its text; the commands
themselves are parsed and run by catalog.commands.
"""

from __future__ import annotations

import re

from sqlglot.tokens import TokenType

from pgcompat.statements import Statement
from pgcompat.words import items

_PLAN_CALL = re.compile(r"^\s*DBMS_RESOURCE_MANAGER\s*\.\s*(\w+)\s*(?:\((.*)\))?\s*;?\s*$", re.I | re.S)


def is_user_command(stmt: Statement) -> bool:
    """CREATE/ALTER/DROP USER, CREATE/ALTER/DROP ROLE, and GRANT/REVOKE of system privileges and
    roles (a GRANT/REVOKE with ON grants object privileges: not one of these)."""
    w = stmt.words
    w0 = w[0] if w else ""
    w1 = w[1] if len(w) > 1 else ""
    if w0 in ("CREATE", "ALTER", "DROP") and w1 in ("USER", "ROLE"):
        return True
    if w0 in ("GRANT", "REVOKE"):
        return not any(it.word == "ON" for it in items(stmt))
    return False


def is_lockdown_ddl(words: tuple[str, ...]) -> bool:
    """CREATE/ALTER/DROP LOCKDOWN PROFILE and ALTER SYSTEM SET/RESET PDB_LOCKDOWN."""
    if len(words) >= 3 and words[0] in ("CREATE", "ALTER", "DROP") and words[1:3] == ("LOCKDOWN", "PROFILE"):
        return True
    return (
        len(words) >= 4
        and words[:2] == ("ALTER", "SYSTEM")
        and words[2] in ("SET", "RESET")
        and (words[3] == "PDB_LOCKDOWN")
    )


def is_lockdown_command(stmt: Statement) -> bool:
    """CREATE / ALTER / DROP LOCKDOWN PROFILE, ALTER SYSTEM SET / RESET PDB_LOCKDOWN."""
    return is_lockdown_ddl(stmt.words)


def is_object_grant(stmt: Statement) -> bool:
    """GRANT/REVOKE ... ON ...: object privileges (system privileges and roles are users')."""
    if stmt.words[:1] not in (("GRANT",), ("REVOKE",)):
        return False
    return any(t.text.upper() == "ON" and t.token_type != TokenType.STRING for t in stmt.tokens)


def show_words(stmt: Statement) -> list[str]:
    """The words after SHOW, from the text: the tokenizer keeps them as one string token."""
    return stmt.text.rstrip(";").upper().split()[1:]


def is_resource_command(stmt: Statement) -> bool:
    """ALTER SYSTEM SET / RESET of any parameter but PDB_LOCKDOWN (unknown ones get ORA-02065
    there, never reach an engine), and SHOW PARAMETER(S) / SHOW RESOURCES."""
    w = stmt.words
    if w[:2] == ("ALTER", "SYSTEM") and len(w) > 3 and w[2] in ("SET", "RESET"):
        return w[3] != "PDB_LOCKDOWN"
    return w[:1] == ("SHOW",) and show_words(stmt)[:1] in (["PARAMETER"], ["PARAMETERS"], ["RESOURCES"])


def plan_call_text(stmt: Statement) -> str:
    """What follows EXEC / EXECUTE / CALL."""
    parts = stmt.text.split(None, 1)
    return parts[1] if len(parts) > 1 else ""


def plan_call(stmt: Statement) -> re.Match[str] | None:
    """DBMS_RESOURCE_MANAGER.procedure(args): the match of its procedure and argument text."""
    if not stmt.words or stmt.words[0] not in ("EXEC", "EXECUTE", "CALL"):
        return None
    return _PLAN_CALL.match(plan_call_text(stmt))


def is_plan_command(stmt: Statement) -> bool:
    return plan_call(stmt) is not None


def is_tenant_command(stmt: Statement) -> bool:
    """CREATE / ALTER / DROP / UNDROP TENANT and CREATE / DROP TENANT TEMPLATE (the tenants package)."""
    w = stmt.words
    if len(w) > 2 and w[0] in ("BACKUP", "RESTORE") and w[1:3] == ("PLUGGABLE", "DATABASE"):
        return True  # BACKUP / RESTORE PLUGGABLE DATABASE (tenants.backups)
    return len(w) > 1 and w[0] in ("CREATE", "ALTER", "DROP", "UNDROP") and w[1] == "TENANT"


def is_tier_command(stmt: Statement) -> bool:
    """ALTER SERVICE TIER t SET (...) | RESET (...) | RESET ALL (tenants.tiers)."""
    return stmt.words[:3] == ("ALTER", "SERVICE", "TIER")


def is_api_key_command(stmt: Statement) -> bool:
    """CREATE / DROP API KEY (the HTTP API's keys, api.keys)."""
    w = stmt.words
    return len(w) > 2 and w[0] in ("CREATE", "DROP") and w[1:3] == ("API", "KEY")


def is_metering_command(stmt: Statement) -> bool:
    """SHOW BILLING ..., SHOW SLA ..., SHOW USAGE ..., ALTER SYSTEM CLOSE BILLING PERIOD / DECLARE MAINTENANCE
    WINDOW / CORRECT USAGE (the metering package)."""
    w = stmt.words
    if w[:1] == ("SHOW",):
        return show_words(stmt)[:1] in (["BILLING"], ["SLA"], ["USAGE"])
    return w[:4] in (
        ("ALTER", "SYSTEM", "CLOSE", "BILLING"),
        ("ALTER", "SYSTEM", "DECLARE", "MAINTENANCE"),
        ("ALTER", "SYSTEM", "CORRECT", "USAGE"),
    )


def is_container_command(stmt: Statement) -> bool:
    """Whether the proxy runs stmt against the catalog (its kind "admin", or one of the families)."""
    return (
        stmt.kind == "admin"
        or is_user_command(stmt)
        or is_lockdown_command(stmt)
        or is_object_grant(stmt)
        or is_resource_command(stmt)
        or is_plan_command(stmt)
        or is_tenant_command(stmt)
        or is_tier_command(stmt)
        or is_api_key_command(stmt)
        or is_metering_command(stmt)
    )
