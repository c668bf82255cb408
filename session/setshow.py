"""SET, RESET, SHOW and DISCARD of session parameters (pgcompat.params is the registry).

TimeZone is also set in the session's DuckDB connection; engine settings are not the tenant's
to change and are refused (and audited).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pgcompat import params
from pgcompat import statements as stmts
from pgcompat.settings import parse_set
from pgwire import backend
from pgwire.errors import DbError

if TYPE_CHECKING:
    from session.core import Session


def _text_rows(
    cols: list[str], rows: list[tuple[object, ...]], describe: bool, tag: str | None = None
) -> bytes:
    out = backend.row_description([backend.Column(c, 25) for c in cols]) if describe else b""
    return out + backend.text_rows(rows) + backend.command_complete(tag or f"SELECT {len(rows)}")


def _set_engine_timezone(session: Session, value: str) -> bool:
    """The session's DuckDB connection follows TimeZone; False (error sent) when it refuses."""
    if session.ex is None:
        return True
    ok, _ = session._call(lambda ex: ex.set_timezone(value))
    return ok


def run_set(session: Session, st: stmts.Statement) -> None:
    s = parse_set(st)
    if s.transaction:
        # Isolation levels and READ ONLY/WRITE of a transaction: DuckDB runs every transaction
        # with snapshot isolation, which is at least what any of PostgreSQL's levels promise.
        session.client.send(backend.command_complete("SET"))
        return
    name = s.name
    if not s.items:
        raise DbError("42601", f"syntax error at end of input: SET {name} needs a value")
    value = ", ".join(v[1:-1].replace("''", "'") if v.startswith("'") else v for v in s.items)
    prm = None if s.system else params.lookup(name)
    if prm is None:
        # Not a PostgreSQL session parameter (or SET GLOBAL): an engine setting, not the tenant's.
        message = f'permission denied: changing the engine setting "{name}" is not allowed'
        session.audit_refusal(st.text, "SANDBOX_SETTINGS", "42501", message)
        raise DbError("42501", message)
    if prm.read_only:
        raise DbError("55P02", f'parameter "{prm.name}" cannot be changed')
    if value.upper() == "DEFAULT":
        value = prm.default
    try:
        value = params.normalize(prm, value)
    except ValueError as e:
        raise DbError("22023", str(e)) from e
    if prm.engine and not _set_engine_timezone(session, value):
        return
    session.params[prm.name.lower()] = value
    out = backend.command_complete("SET")
    if prm.report:
        out = backend.parameter_status(prm.name, value) + out
    session.client.send(out)


def run_reset(session: Session, st: stmts.Statement) -> None:
    target = parse_set(st).name.lower()
    names = list(params.PARAMS) if not target else [target]
    out = b""
    for n in names:
        prm = params.lookup(n)
        if prm is None:
            raise DbError("42704", f'unrecognized configuration parameter "{n}"')
        if prm.read_only:
            continue
        if session.params.get(prm.name.lower()) != prm.default:
            session.params[prm.name.lower()] = prm.default
            if prm.report:
                out += backend.parameter_status(prm.name, prm.default)
            if prm.engine:
                _set_engine_timezone(session, prm.default)
    session.client.send(out + backend.command_complete("RESET"))


def _show_name(st: stmts.Statement) -> str:
    # The tokenizer may keep what follows SHOW as one token: read the words from the text.
    rest = " ".join(st.text.split()[1:]).strip().rstrip(";").upper()
    if rest == "TIME ZONE":
        return "timezone"
    if rest == "TRANSACTION ISOLATION LEVEL":
        return "transaction_isolation"
    return st.tokens[1].text if len(st.tokens) > 1 else ""


def run_show(session: Session, st: stmts.Statement, describe: bool) -> None:
    words = st.words
    if len(words) > 1 and words[1] == "ALL":
        rows = [(p.name, session.params.get(k, p.default), "") for k, p in sorted(params.PARAMS.items())]
        session.client.send(_text_rows(["name", "setting", "description"], rows, describe))
        return
    prm = params.lookup(_show_name(st))
    if prm is None:
        # Not a parameter: DuckDB's SHOW of a table (its columns), run by the engine.
        op = {"sql": st.text, "kind": "select", "tag": "SHOW"}
        session._governed(lambda ex: ex.op_query([op], session.client.send))
        return
    value = session.params.get(prm.name.lower(), prm.default)
    session.client.send(_text_rows([prm.name.lower()], [(value,)], describe, tag="SHOW"))


def describe_show(st: stmts.Statement) -> bytes:
    """RowDescription of a SHOW, for the extended protocol's Describe."""
    if st.words[1:2] == ("ALL",):
        cols = ["name", "setting", "description"]
    else:
        name = st.tokens[1].text.lower() if len(st.tokens) > 1 else "setting"
        prm = params.lookup(_show_name(st))
        cols = [prm.name.lower() if prm is not None else name]
    return backend.row_description([backend.Column(c, 25) for c in cols])


def run_discard(session: Session) -> None:
    session.params.clear()
    session.params.update(
        {k: v.default for k, v in params.PARAMS.items()}
        | {
            "session_authorization": session.user.name,
            "is_superuser": "on" if session.user.name == "SYS" else "off",
        }
    )
    _set_engine_timezone(session, session.params["timezone"])
    session.client.send(backend.command_complete("DISCARD ALL"))
