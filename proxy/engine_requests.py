"""What the engines ask of the proxy, one handler per control message (the dispatch table).

An engine serves one tenant's SQL: the proxy treats it as able to act only for the sessions it
serves. Container commands run as the session the proxy's registry knows (not as the engine says),
catalog reads are an allow-list of methods, limited to the containers of its own sessions.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from catalog import dictionary
from pgwire import control
from pgwire.errors import DbError
from policies.source import ROOT_ID
from proxy import commands
from proxy.links import EngineLink, Handler

if TYPE_CHECKING:
    from proxy.server import Server

log = logging.getLogger("duckcdb.audit")


def _engine(link: EngineLink) -> int:
    return int(link.con_id)  # type: ignore[attr-defined]


def _json(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(_json(v) for v in value)
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def handlers(server: Server) -> dict[type[control.Message], Handler]:
    cat = server.cdb.cat
    sessions = server.sessions
    supervisor = server.supervisor

    def containers_of(engine: int) -> set[int]:
        """The containers an engine may ask about: its own and those of the sessions it serves."""
        return (
            {engine}
            | {r.con_id for r in sessions.served_by(engine)}
            | {r.user_con_id for r in sessions.served_by(engine)}
        )

    # method -> (function, index of its container argument or None, containers always allowed)
    reads: dict[str, tuple[Callable[..., Any], int | None, frozenset[int]]] = {
        "effective_privileges": (cat.effective_privileges, 1, frozenset()),
        "effective_roles": (cat.effective_roles, 1, frozenset()),
        "object_privileges": (
            lambda grantees, con_id: cat.object_privileges(set(grantees), con_id),
            1,
            frozenset(),
        ),
        "pdb_lockdown": (cat.pdb_lockdown, 0, frozenset({ROOT_ID})),
        "lockdown_profile": (cat.lockdown_profile, None, frozenset()),
        "lockdown_rules": (cat.lockdown_rules, None, frozenset()),
        "allowed_schemas": (cat.allowed_schemas, 1, frozenset()),
        "user_session_limits": (cat.user_session_limits, 1, frozenset()),
        "limits": (server.cdb.limits_of, 0, frozenset()),
    }

    async def read(link: EngineLink, msg: control.Read) -> Any:
        entry = reads.get(msg.method)
        if entry is None:
            raise DbError("42501", f"the engine may not read {msg.method}")
        fn, where, always = entry
        if where is not None:
            con_id = msg.args[where]
            if not isinstance(con_id, int) or (
                con_id not in always and con_id not in containers_of(_engine(link))
            ):
                raise DbError("42501", f"the engine may not read {msg.method} of container {con_id}")
        return _json(fn(*msg.args))

    async def command(link: EngineLink, msg: control.Command) -> control.Reply:
        pid = int(msg.state.get("pid", 0))
        record = sessions.by_pid.get(pid)
        if record is None or record.engine != _engine(link):
            raise DbError("08P01", "unknown session")
        user = cat.user(record.user, record.user_con_id)
        if user is None:
            raise DbError("28000", f'user "{record.user}" no longer exists')
        ctx = commands.Context(server, record, user, msg.in_transaction, msg.describe)
        try:
            wire = await commands.run(ctx, msg.text)
        finally:
            stamp = await supervisor.broadcast_stamp()
        value: dict[str, Any] = {"enter": ctx.enter}
        if stamp is not None:
            value["stamp"] = list(stamp)
        return control.Reply(value=value, data=wire)

    async def describe(link: EngineLink, msg: control.DescribeCommand) -> control.Reply:
        return control.Reply(data=commands.describe(msg.text))

    async def views(link: EngineLink, msg: control.Dictionary) -> Any:
        if msg.con_id not in containers_of(_engine(link)):
            raise DbError("42501", "the engine may not read that container's dictionary")
        if any(v.startswith("V$RSRCPDBMETRIC") for v in msg.views):
            await supervisor.refresh_stats([msg.con_id] if msg.con_id > ROOT_ID else supervisor.running())
        return dictionary.payload(cat, msg.con_id, msg.views, server.cdb)

    async def audit(link: EngineLink, msg: control.Audit) -> None:
        log.warning(
            "refused: pdb=%s user=%s from=%s rule=%s: %s",
            msg.container,
            msg.user,
            msg.client,
            msg.rule,
            msg.message,
        )
        cat.add_audit(
            msg.con_id,
            msg.container,
            msg.user,
            msg.client,
            msg.action,
            msg.statement,
            msg.rule,
            msg.sqlstate,
            msg.message,
        )

    async def ended(link: EngineLink, msg: control.Ended) -> None:
        sessions.ended(_engine(link), msg.pid)

    async def activity(link: EngineLink, msg: control.Activity) -> None:
        supervisor.set_active(_engine(link), msg.active)

    async def stats(link: EngineLink, msg: control.Stats) -> None:
        supervisor.record_stats(_engine(link), msg.stats)

    async def moved_out(link: EngineLink, msg: control.MoveOut) -> None:
        await sessions.moved_out(_engine(link), msg)

    return {
        control.Read: read,
        control.Command: command,
        control.DescribeCommand: describe,
        control.Dictionary: views,
        control.Audit: audit,
        control.Ended: ended,
        control.Activity: activity,
        control.Stats: stats,
        control.MoveOut: moved_out,
    }
