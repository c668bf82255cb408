"""The Host of the sessions an engine serves (session.host.Host), over the control channel: the
catalog reads behind verdicts and limits, cached until the proxy says the catalog changed (Stamp);
container commands, dictionary views, audit records and moves, asked of the proxy."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from governance.resources import Limits
from pgwire import control
from pgwire.control import SessionState
from policies.source import LockdownProfile, LockdownRule
from session.host import CommandResult
from worker.link import Link, LinkDown, unavailable


def _rule(d: dict[str, Any]) -> LockdownRule:
    return LockdownRule(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


# How each catalog read comes back from JSON.
_DECODE: dict[str, Callable[[Any], Any]] = {
    "effective_privileges": set,
    "effective_roles": set,
    "object_privileges": lambda v: {tuple(x) for x in v},
    "pdb_lockdown": lambda v: v,
    "lockdown_profile": lambda v: LockdownProfile(**v) if v else None,
    "lockdown_rules": lambda v: [_rule(r) for r in v],
    "allowed_schemas": lambda v: v,
    "user_session_limits": lambda v: v,
    "limits": lambda v: Limits(**v) if v else None,
}


class RemotePolicySource:
    """policies.source.PolicySource answered by the proxy, each answer kept until the next Stamp."""

    def __init__(self, host: RemoteHost) -> None:
        self._host = host
        self.stamp: tuple[int, int] | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def set_stamp(self, stamp: tuple[int, int]) -> None:
        with self._lock:
            if stamp != self.stamp:
                self.stamp = stamp
                self._cache = {}

    def change_stamp(self) -> tuple[int, int] | None:
        return self.stamp

    def read(self, method: str, *args: Any) -> Any:
        cache = self._cache
        try:  # (each statement asks for its PDB's limits: the common case first)
            return cache[(method, *args)]
        except (KeyError, TypeError):  # not kept, or sets among the arguments (kept sorted)
            pass
        key = (method, *(tuple(sorted(a)) if isinstance(a, set | frozenset) else a for a in args))
        if key in cache:
            return cache[key]
        wire_args = [sorted(a) if isinstance(a, set | frozenset) else a for a in args]
        try:
            value = _DECODE[method](self._host.link().call(control.Read(method=method, args=wire_args)).value)
        except LinkDown:
            raise unavailable() from None
        if self.stamp is not None:
            cache[key] = value
        return value

    def effective_privileges(self, user_name: str, con_id: int) -> set[str]:
        return self.read("effective_privileges", user_name, con_id)

    def effective_roles(self, user_name: str, con_id: int) -> set[str]:
        return self.read("effective_roles", user_name, con_id)

    def object_privileges(self, grantees: set[str], con_id: int) -> set[tuple[str, str, str]]:
        return self.read("object_privileges", grantees, con_id)

    def pdb_lockdown(self, con_id: int) -> str | None:
        return self.read("pdb_lockdown", con_id)

    def lockdown_profile(self, name: str) -> LockdownProfile | None:
        return self.read("lockdown_profile", name)

    def lockdown_rules(self, profile: str | None = None) -> list[LockdownRule]:
        return self.read("lockdown_rules", profile)


class RemoteHost:
    def __init__(self, link: Callable[[], Link]) -> None:
        self.link = link
        self.policy = RemotePolicySource(self)

    def _call(self, msg: control.Message, fd: int | None = None) -> control.Reply:
        try:
            return self.link().call(msg, fd=fd)
        except LinkDown:
            raise unavailable() from None

    def allowed_schemas(self, user: str, con_id: int) -> list[str] | None:
        return self.policy.read("allowed_schemas", user, con_id)

    def user_session_limits(self, user: str, con_id: int) -> dict[str, str]:
        return self.policy.read("user_session_limits", user, con_id)

    def limits(self, con_id: int) -> Limits | None:
        if con_id <= 2:
            return None
        return self.policy.read("limits", con_id)

    def command(self, state: SessionState, text: str, describe: bool, in_transaction: bool) -> CommandResult:
        reply = self._call(
            control.Command(
                state=control.state_dict(state), text=text, describe=describe, in_transaction=in_transaction
            )
        )
        value = reply.value or {}
        if "stamp" in value:
            self.policy.set_stamp(tuple(value["stamp"]))  # type: ignore[arg-type]
        return CommandResult(reply.data, value.get("enter"))

    def describe_command(self, text: str) -> bytes:
        return self._call(control.DescribeCommand(text=text)).data

    def dictionary(self, con_id: int, views: list[str]) -> dict[str, Any]:
        return self._call(control.Dictionary(con_id=con_id, views=views)).value

    def audit(
        self, state: SessionState, action: str, statement: str | None, rule: str, sqlstate: str, message: str
    ) -> None:
        msg = control.Audit(
            con_id=state.con_id,
            container=state.container,
            user=state.user,
            client=state.peer,
            action=action,
            statement=statement,
            rule=rule,
            sqlstate=sqlstate,
            message=message,
        )
        try:
            self.link().send(msg)
        except LinkDown:
            pass  # the proxy's own log has no record then; the engine's log has the refusal

    def move_out(self, state: SessionState, fd: int, pending: bytes) -> None:
        msg = control.MoveOut(state=control.state_dict(state), pending=pending.decode("latin-1"))
        try:
            self.link().send(msg, fd)
        except LinkDown:
            pass  # nobody to take the session: it ends when its descriptor closes
        finally:
            os.close(fd)  # the proxy holds its own descriptor of the socket now

    def ended(self, pid: int, moved: bool) -> None:
        if moved:
            return
        try:
            self.link().send(control.Ended(pid=pid))
        except LinkDown:
            pass
