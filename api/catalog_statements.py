"""Catalog commands the API runs as their SQL text (built from validated fields only), through the
parse and execute functions the SQL path uses: users, roles, grants and lockdown profiles. Shared
by REST (api.rest) and GraphQL (api.graphql_mutations)."""

from __future__ import annotations

from api import schemas as S
from api.problems import ApiError
from catalog.cdb import Cdb
from catalog.commands import lockdown as lockdown_sql
from catalog.commands import users as users_sql
from catalog.store import User
from pgcompat import container_commands
from pgcompat import statements as stmts
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import ROOT_ID


def run_statement(cdb: Cdb, text: str, con_id: int, actor: User) -> str:
    """A catalog command given as its SQL text, run in container con_id for actor; its tag."""
    st = stmts.split(text)[0]
    if container_commands.is_lockdown_command(st):
        return lockdown_sql.execute_lockdown_command(
            cdb.cat, lockdown_sql.parse_lockdown_command(st), con_id=con_id, actor=actor
        )
    if container_commands.is_user_command(st):
        md5 = cdb.config.get("auth", "method") == "md5"
        return users_sql.execute_user_command(
            cdb.cat, users_sql.parse_user_command(st), con_id=con_id, actor=actor, md5=md5
        )
    raise DbError("XX000", f"not a catalog command: {text}")


def unquoted(s: str) -> str:
    if "'" in s:
        raise ApiError(422, "invalid value", f"quotes are not allowed: {s}")
    return s


def quoted_list(values: list[str]) -> str:
    return ", ".join(f"'{unquoted(v)}'" for v in values)


def create_lockdown_profile(cdb: Cdb, actor: User, admin: bool, body: S.LockdownProfileCreate) -> str:
    """CREATE LOCKDOWN PROFILE p, then ALTER LOCKDOWN PROFILE p DISABLE STATEMENT / FEATURE /
    OPTION = (...); all or nothing. Its name."""
    if not admin:
        raise ora(1031)
    name = body.name.upper()
    features = list(body.disabled_features) + ([] if body.allow_os_access else ["OS_ACCESS"])
    rules = [
        f"ALTER LOCKDOWN PROFILE {name} DISABLE {kind} = ({quoted_list(values)})"
        for kind, values in (
            ("STATEMENT", body.disabled_statements),
            ("FEATURE", features),
            ("OPTION", body.disabled_options),
        )
        if values
    ]  # every value checked before anything is created
    run_statement(cdb, f"CREATE LOCKDOWN PROFILE {name}", ROOT_ID, actor)
    try:
        for text in rules:
            run_statement(cdb, text, ROOT_ID, actor)
    except DbError:
        run_statement(cdb, f"DROP LOCKDOWN PROFILE {name}", ROOT_ID, actor)
        raise
    return name


def set_pdb_lockdown(cdb: Cdb, con_id: int, actor: User, profile: str | None) -> str:
    """ALTER SYSTEM SET PDB_LOCKDOWN = profile in the PDB (None: RESET)."""
    text = f"ALTER SYSTEM SET PDB_LOCKDOWN = {profile}" if profile else "ALTER SYSTEM RESET PDB_LOCKDOWN"
    return run_statement(cdb, text, con_id, actor)
