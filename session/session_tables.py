"""The rows of the relations a session computes for a statement (pgcompat.session_tables): the
PDB's sessions for pg_stat_activity (those this process serves in the same container: never
another PDB's), the session's named prepared statements, and in CDB$ROOT the PDBs for
pg_database."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pgcompat import session_tables
from pgcompat.shim.types import TYPE_NAMES
from pgwire import types as pgtypes
from policies.source import ROOT_ID

if TYPE_CHECKING:
    from session.core import Session


def now() -> float:
    """A moment of a session's activity (a float: formatted only when pg_stat_activity is read)."""
    return time.time()


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).isoformat()


def _state(s: Session) -> str:
    if s.active:
        return "active"
    return {"T": "idle in transaction", "E": "idle in transaction (aborted)"}.get(s.status, "idle")


def _activity(me: Session) -> list[tuple[Any, ...]]:
    rows = []
    for s in list(me.served.sessions.values()):
        if s.con_id != me.con_id or s.closed:
            continue
        mine = s.state.user.upper() == me.state.user.upper()
        host, _, port = s.state.peer.rpartition(":")
        rows.append(
            (
                s.state.pid,
                s.state.user,
                s.params.get("application_name", ""),
                (host or None) if mine else None,
                int(port) if mine and port.isdigit() else None,
                _iso(s.backend_start),
                _iso(s.xact_start) if mine else None,
                _iso(s.query_start) if mine else None,
                _iso(s.state_change) if mine else None,
                _state(s) if mine else None,
                s.activity_query if mine else "<insufficient privilege>",
            )
        )
    return rows


def _type_name(oid: int) -> str:
    elem = pgtypes.ELEMENT_OF.get(oid)
    if elem is not None:
        return TYPE_NAMES.get(elem, pgtypes.PG_TYPE_NAMES.get(elem, str(elem))) + "[]"
    return TYPE_NAMES.get(oid, pgtypes.PG_TYPE_NAMES.get(oid, str(oid)))


def _prepared(me: Session) -> list[tuple[Any, ...]]:
    return [
        (
            name,
            sql,
            _iso(me.prepared_at.get(name)),
            ",".join(_type_name(o) for o in oids if o) if oids else "",
        )
        for name, (sql, oids) in me.prepared.items()
    ]


def _databases(me: Session) -> list[tuple[Any, ...]]:
    if me.con_id != ROOT_ID:
        return []
    view = me.host.dictionary(me.con_id, ["V$CONTAINERS"]).get("V$CONTAINERS") or {}
    cols = [c for c, _ in view.get("columns", [])]
    if "NAME" not in cols or "CON_ID" not in cols:
        return []
    name, con = cols.index("NAME"), cols.index("CON_ID")
    return [(row[name], row[con]) for row in view.get("rows", [])]


_ROWS = {
    session_tables.ACTIVITY: _activity,
    session_tables.PREPARED: _prepared,
    session_tables.DATABASES: _databases,
}


def tables(me: Session, names: list[str]) -> dict[str, dict[str, Any]]:
    """The relations names, as engine.session.register_dictionary takes them."""
    return {n: {"columns": session_tables.COLUMNS[n], "rows": _ROWS[n](me)} for n in names}
