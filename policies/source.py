"""What the policies read of the catalog, as a contract: the container ids, the principal a
statement runs as, the lockdown profile model, and PolicySource, the reads a verdict needs.

The catalog's store implements PolicySource in the process that owns it; a session served
elsewhere reads the same answers through its host. Every read is cached by the caller until
change_stamp() moves, so a changed grant or profile applies to the next statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# Oracle's container ids: 1 is CDB$ROOT, 2 is PDB$SEED, PDBs are 3 and up.
ROOT_ID = 1
SEED_ID = 2


class Principal(Protocol):
    """The user a statement runs as."""

    @property
    def name(self) -> str: ...

    @property
    def con_id(self) -> int: ...

    @property
    def common(self) -> bool: ...


@dataclass(frozen=True)
class LockdownProfile:
    name: str
    base: str | None  # INCLUDING base: its rules are resolved through it at check time
    shipped: bool  # PRIVATE_DBAAS, SAAS, PUBLIC_DBAAS: cannot be dropped
    created_at: float


@dataclass(frozen=True)
class LockdownRule:
    """One rule of a lockdown profile: one statement, feature or option (or ALL, with an EXCEPT list),
    one clause and one clause option at most. id orders the rules: a later rule overrides an earlier."""

    id: int
    profile: str
    rule_type: str  # STATEMENT, FEATURE or OPTION
    rule: str  # the statement, feature or option name, or ALL
    status: str  # DISABLE or ENABLE
    users: str = "ALL"  # ALL, COMMON or LOCAL
    rule_except: tuple[str, ...] = ()
    clause: str | None = None  # a clause name or ALL; None: the whole statement
    clause_except: tuple[str, ...] = ()
    clause_option: str | None = None  # an option name or ALL; None: the whole clause
    option_except: tuple[str, ...] = ()
    option_values: tuple[str, ...] = ()  # VALUE = (...)
    min_value: str | None = None
    max_value: str | None = None


class PolicySource(Protocol):
    """The catalog reads behind the verdicts."""

    def change_stamp(self) -> tuple[int, int] | None:
        """Moves whenever the catalog changes; None when the source cannot tell (no caching)."""
        ...

    def effective_privileges(self, user_name: str, con_id: int) -> set[str]: ...

    def effective_roles(self, user_name: str, con_id: int) -> set[str]: ...

    def object_privileges(self, grantees: set[str], con_id: int) -> set[tuple[str, str, str]]: ...

    def pdb_lockdown(self, con_id: int) -> str | None: ...

    def lockdown_profile(self, name: str) -> LockdownProfile | None: ...

    def lockdown_rules(self, profile: str | None = None) -> list[LockdownRule]: ...
