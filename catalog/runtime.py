"""What the lifecycle and the admin commands need of the running server, as a contract: engines
to start and stop, the sessions of a container, and each PDB's live budgets. The proxy's
supervisor implements it; the catalog never reaches into the proxy."""

from __future__ import annotations

from typing import Protocol

from catalog.store import Container
from governance.governor import PdbGovernor


class SessionHandle(Protocol):
    con_id: int
    pid: int
    bytes_sent: int  # to the client, since login
    bytes_received: int

    async def terminate(self, sqlstate: str, message: str) -> None: ...

    async def reattach(self) -> None: ...


class Runtime(Protocol):
    async def start_engine(self, c: Container, read_only: bool) -> None:
        """Start c's engine (its DuckDB file opened with c's limits); raises DbError."""
        ...

    async def stop_engine(self, con_id: int) -> None: ...

    def running(self) -> list[int]:
        """The con_ids whose engine runs."""
        ...

    async def clone_to(self, con_id: int, path: str, schema_only: bool) -> None:
        """A consistent copy of the running database into path (a hot clone); raises DbError."""
        ...

    async def apply_limits(self, c: Container) -> None:
        """c's current limits to its running engine, OS scheduling and budgets."""
        ...

    def sessions(self, con_id: int) -> list[SessionHandle]: ...

    def pdb_governor(self, con_id: int) -> PdbGovernor | None:
        """The live budgets of a PDB (None for the root and the seed)."""
        ...

    def sample(self, con_id: int) -> None:
        """Bring the PDB's CPU, memory and I/O counters up to date."""
        ...

    async def memory_by_kind(self, con_id: int) -> list[tuple[str, int, int]]:
        """DuckDB's buffer memory by kind (tag, bytes in memory, bytes spilled)."""
        ...

    def resource_metrics(self, con_id: int, history: bool) -> list[tuple[object, ...]]: ...

    def forget(self, con_id: int) -> None:
        """A dropped PDB: its budgets go."""
        ...
