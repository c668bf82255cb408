"""What a client session needs of the container it runs in, as a contract.

The session's statement logic (protocol, analysis, verdicts, execution, accounting) runs in the
engine process of its PDB; what needs the whole container (the catalog, container commands,
dictionary views, the audit trail, moving to another container) is asked of the Host. The engine
process implements it over its control channel to the proxy (worker.host).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from governance.resources import Limits
from pgwire.control import SessionState
from policies.source import PolicySource


@dataclass
class CommandResult:
    """A container command's answer: the wire messages for the client, and what it does to the
    session (enter: the container it moves to, as {"con_id", "name", "open"})."""

    wire: bytes
    enter: dict[str, Any] | None = None


class Host(Protocol):
    @property
    def policy(self) -> PolicySource:
        """The catalog reads behind the verdicts, cached until the catalog changes."""
        ...

    def allowed_schemas(self, user: str, con_id: int) -> list[str] | None: ...

    def user_session_limits(self, user: str, con_id: int) -> dict[str, str]: ...

    def limits(self, con_id: int) -> Limits | None:
        """The PDB's effective limits (None for the root and the seed)."""
        ...

    def command(self, state: SessionState, text: str, describe: bool, in_transaction: bool) -> CommandResult:
        """Run a container command for the session; raises DbError."""
        ...

    def describe_command(self, text: str) -> bytes:
        """RowDescription or NoData of a container command, without running it."""
        ...

    def dictionary(self, con_id: int, views: list[str]) -> dict[str, Any]:
        """The rows of dictionary views as the container con_id sees them."""
        ...

    def audit(
        self, state: SessionState, action: str, statement: str | None, rule: str, sqlstate: str, message: str
    ) -> None: ...

    def move_out(self, state: SessionState, fd: int, pending: bytes) -> None:
        """Hand the session (its socket, its state, the client's bytes not yet handled) to the
        proxy, for the engine of state.con_id."""
        ...

    def ended(self, pid: int, moved: bool) -> None:
        """The session ended here (moved: it goes on in another process)."""
        ...
