"""CDB resource plans: Oracle's DBMS_RESOURCE_MANAGER procedures for PDB plan directives.

EXEC | EXECUTE | CALL DBMS_RESOURCE_MANAGER.<procedure>(args), in CDB$ROOT, with named
(`plan => 'p'`) or positional arguments:

  CREATE_CDB_PLAN(plan, comment)                      DELETE_CDB_PLAN(plan)
  CREATE_CDB_PLAN_DIRECTIVE(plan, pluggable_database, shares, utilization_limit, parallel_server_limit)
  UPDATE_CDB_PLAN_DIRECTIVE(plan, pluggable_database, new_shares, new_utilization_limit,
                            new_parallel_server_limit)
  DELETE_CDB_PLAN_DIRECTIVE(plan, pluggable_database)
  UPDATE_CDB_DEFAULT_DIRECTIVE(plan, new_shares, new_utilization_limit, new_parallel_server_limit)
  CREATE_PENDING_AREA, VALIDATE_PENDING_AREA, SUBMIT_PENDING_AREA, CLEAR_PENDING_AREA: accepted;
  DuckCDB checks and applies each call at once (Oracle's pending-area ritual guards nothing here).

ALTER SYSTEM SET RESOURCE_MANAGER_PLAN = 'p' | '' in the root makes a plan the one in force:
its directive for a PDB gives that PDB's CPU shares (over its tier's), utilization_limit (a hard
cap, percent of the CPU slots) and parallel_server_limit (percent of its engine threads).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from catalog.commands.lockdown import require_common_alter_system
from catalog.store import CatalogStore, User
from pgcompat.container_commands import plan_call
from pgcompat.statements import Statement
from pgcompat.words import split_commas
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import ROOT_ID

_NAMED = re.compile(r"^\s*(\w+)\s*=>\s*(.*?)\s*$", re.S)
PENDING_AREA = {"CREATE_PENDING_AREA", "VALIDATE_PENDING_AREA", "SUBMIT_PENDING_AREA", "CLEAR_PENDING_AREA"}
# procedure -> its parameters in order (positional calls), the first ones required.
PROCEDURES: dict[str, tuple[tuple[str, ...], int]] = {
    "CREATE_CDB_PLAN": (("PLAN", "COMMENT"), 1),
    "DELETE_CDB_PLAN": (("PLAN",), 1),
    "CREATE_CDB_PLAN_DIRECTIVE": (
        ("PLAN", "PLUGGABLE_DATABASE", "COMMENT", "SHARES", "UTILIZATION_LIMIT", "PARALLEL_SERVER_LIMIT"),
        2,
    ),
    "UPDATE_CDB_PLAN_DIRECTIVE": (
        (
            "PLAN",
            "PLUGGABLE_DATABASE",
            "NEW_COMMENT",
            "NEW_SHARES",
            "NEW_UTILIZATION_LIMIT",
            "NEW_PARALLEL_SERVER_LIMIT",
        ),
        2,
    ),
    "DELETE_CDB_PLAN_DIRECTIVE": (("PLAN", "PLUGGABLE_DATABASE"), 2),
    "UPDATE_CDB_DEFAULT_DIRECTIVE": (
        ("PLAN", "NEW_COMMENT", "NEW_SHARES", "NEW_UTILIZATION_LIMIT", "NEW_PARALLEL_SERVER_LIMIT"),
        1,
    ),
    **{p: ((), 0) for p in PENDING_AREA},
}
DEFAULT_DIRECTIVE = "ORA$DEFAULT_PDB_DIRECTIVE"


@dataclass
class PlanCall:
    procedure: str
    args: dict[str, str | int | None]


def parse(stmt: Statement) -> PlanCall:
    m = plan_call(stmt)
    assert m is not None
    proc = m.group(1).upper()
    if proc not in PROCEDURES:
        raise DbError("42883", f"PLS-00302: component '{proc}' must be declared (DBMS_RESOURCE_MANAGER)")
    names, required = PROCEDURES[proc]
    args: dict[str, str | int | None] = {}
    for k, raw in enumerate(a for a in split_commas(m.group(2) or "") if a.strip()):
        named = _NAMED.match(raw)
        if named:
            key = named.group(1).upper()
            if key not in names:
                raise ora(29355, argument=key)
            args[key] = _value(named.group(2))
        elif k < len(names):
            args[names[k]] = _value(raw)
        else:
            raise ora(29355, argument=f"#{k + 1}")
    for key in names[:required]:
        if args.get(key) in (None, ""):
            raise ora(29355, argument=key)
    return PlanCall(proc, args)


def _value(raw: str) -> str | int | None:
    v = raw.strip()
    if v.upper() == "NULL" or not v:
        return None
    if v.startswith("'") and v.endswith("'") and len(v) >= 2:
        return v[1:-1].replace("''", "'")
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    return v.upper()  # an unquoted name


def _percent(args: dict[str, str | int | None], key: str, low: int, high: int) -> int | None:
    v = args.get(key)
    if v is None:
        return None
    if not isinstance(v, int) or not low <= v <= high:
        raise ora(29355, argument=f"{key} (a whole number from {low} to {high})")
    return v


def execute(store: CatalogStore, call: PlanCall, con_id: int, actor: User) -> str:
    """Run one call; returns the command tag. Root only, by SYS or a common ALTER SYSTEM holder."""
    if call.procedure in PENDING_AREA:
        return "CALL"
    if con_id != ROOT_ID:
        raise ora(65040)
    require_common_alter_system(store, actor, con_id)
    a = call.args
    plan = str(a.get("PLAN")).upper()
    exists = store.cdb_plan(plan) is not None
    if call.procedure == "CREATE_CDB_PLAN":
        if exists:
            raise ora(29357, name=plan)
        store.create_cdb_plan(plan, str(a.get("COMMENT") or ""))
        return "CALL"
    if not exists:
        raise ora(29358, name=plan)
    if call.procedure == "DELETE_CDB_PLAN":
        if store.get_meta("resource_manager_plan") == plan:
            raise ora(29360, name=plan)
        store.delete_cdb_plan(plan)
        return "CALL"
    new = "NEW_" if call.procedure.startswith("UPDATE") else ""
    shares = _percent(a, f"{new}SHARES", 1, 100)
    util = _percent(a, f"{new}UTILIZATION_LIMIT", 1, 100)
    parallel = _percent(a, f"{new}PARALLEL_SERVER_LIMIT", 0, 100)
    if call.procedure == "UPDATE_CDB_DEFAULT_DIRECTIVE":
        store.set_plan_directive(plan, DEFAULT_DIRECTIVE, shares, util, parallel, create=None)
        return "CALL"
    pdb = str(a.get("PLUGGABLE_DATABASE")).upper()
    c = store.container(pdb)
    if c is None or c.con_id <= ROOT_ID + 1:
        raise ora(65011, name=pdb)
    have = store.plan_directive(plan, pdb) is not None
    if call.procedure == "DELETE_CDB_PLAN_DIRECTIVE":
        if not have:
            raise ora(29356, plan=plan, name=pdb)
        store.delete_plan_directive(plan, pdb)
    elif call.procedure == "CREATE_CDB_PLAN_DIRECTIVE":
        if have:
            raise ora(29364, plan=plan, name=pdb)
        store.set_plan_directive(plan, pdb, shares, util, parallel, create=True)
    else:
        if not have:
            raise ora(29356, plan=plan, name=pdb)
        store.set_plan_directive(plan, pdb, shares, util, parallel, create=False)
    return "CALL"
