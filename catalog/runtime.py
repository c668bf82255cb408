"""What the lifecycle and the admin commands need of the running server, as a contract: engines
to start and stop, the sessions of a container, and what each PDB's engine reports of its use.
The proxy's supervisor implements it; the catalog never reaches into the proxy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from catalog.store import Container


class SessionHandle(Protocol):
    con_id: int
    pid: int
    user: str
    bytes_sent: int  # to the client, since login
    bytes_received: int

    async def terminate(self, sqlstate: str, message: str) -> None: ...


class Runtime(Protocol):
    async def start_engine(self, c: Container, read_only: bool) -> None:
        """Start c's engine (its DuckDB file opened with c's limits); raises DbError."""
        ...

    async def stop_engine(self, con_id: int, keep_sessions: bool = False) -> None:
        """Stop c's engine; keep_sessions: its sessions wait for the next one (OPEN FORCE)."""
        ...

    async def resume_sessions(self, con_id: int, may_stay: Callable[[Any], bool]) -> None:
        """The sessions kept by stop_engine(keep_sessions=True) go to the new engine, those
        may_stay(session) allows; the others end."""
        ...

    def serving(self, con_id: int) -> bool:
        """Whether con_id's engine is up and reachable now (the SLA's "could serve")."""
        ...

    def running(self) -> list[int]:
        """The con_ids whose engine runs."""
        ...

    async def clone_to(self, con_id: int, path: str, schema_only: bool) -> None:
        """A consistent copy of the running database into path (a hot clone); raises DbError."""
        ...

    async def apply_limits(self, c: Container) -> None:
        """c's current limits to its running engine, OS scheduling and budgets."""
        ...

    def sessions_in(self, con_id: int) -> list[SessionHandle]: ...

    def stats(self, con_id: int) -> dict[str, Any] | None:
        """What the PDB's engine last reported of its use (governance.governor.PdbGovernor.snapshot)."""
        ...

    async def refresh_stats(self, con_ids: list[int]) -> None:
        """Ask these PDBs' engines for their counters now."""
        ...

    async def memory_by_kind(self, con_id: int) -> list[tuple[str, int, int]]:
        """DuckDB's buffer memory by kind (tag, bytes in memory, bytes spilled)."""
        ...

    def resource_metrics(self, con_id: int, history: bool) -> list[tuple[object, ...]]: ...

    def forget(self, con_id: int) -> None:
        """A dropped PDB: its budgets go."""
        ...
