"""A tenant's lifecycle states and the one table of the transitions between them.

- ACTIVE: its PDBs serve as their own open modes say.
- SUSPENDED (ALTER TENANT t SUSPEND REASON '...'): sessions end, logins are refused with the
  reason, its PDBs are closed; data, users and settings are kept. RESUME reopens them as they were.
- MAINTENANCE: only users holding RESTRICTED SESSION may be connected or log in.
- MIGRATING: reserved for relocation; sessions go on, new logins are refused (57P03, "connect again").
- TERMINATED (DROP TENANT): sessions end, logins are refused, the PDBs are archived until the
  retention ends (UNDROP TENANT brings it back) and then purged.
"""

from __future__ import annotations

from pgwire.oracle import ora

ACTIVE = "ACTIVE"
SUSPENDED = "SUSPENDED"
MAINTENANCE = "MAINTENANCE"
MIGRATING = "MIGRATING"
TERMINATED = "TERMINATED"
STATES = (ACTIVE, SUSPENDED, MAINTENANCE, MIGRATING, TERMINATED)

# from -> the states it may go to. Anything else is refused with ORA-65903 naming both.
TRANSITIONS: dict[str, frozenset[str]] = {
    ACTIVE: frozenset({SUSPENDED, MAINTENANCE, MIGRATING, TERMINATED}),
    SUSPENDED: frozenset({ACTIVE, TERMINATED}),
    MAINTENANCE: frozenset({ACTIVE, SUSPENDED, TERMINATED}),
    MIGRATING: frozenset({ACTIVE}),
    TERMINATED: frozenset({ACTIVE}),  # UNDROP TENANT, within the retention
}


def check(name: str, from_state: str, to_state: str) -> None:
    """Refuse a transition the table does not allow (ORA-65903)."""
    if to_state not in TRANSITIONS.get(from_state, frozenset()):
        raise ora(65903, name=name, from_state=from_state, to_state=to_state)


def allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())
