"""SET, RESET, SHOW and DISCARD of session parameters (pgcompat.params is the registry).

TimeZone is also set in the session's DuckDB connection; engine settings are not the tenant's
to change and are refused (and audited).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pgcompat import params
from pgcompat import statements as stmts
from pgcompat.settings import SetStatement, parse_set
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


def changed_settings(values: dict[str, str]) -> dict[str, str]:
    """The session's parameters that differ from their defaults (what current_setting() must be
    told; it answers the default of the others)."""
    out = {}
    for key, value in values.items():
        prm = params.lookup(key)
        if prm is not None and not prm.read_only and value != prm.default:
            out[key] = value
    return out


def _remember(session: Session, values: dict[str, str]) -> None:
    """current_setting() answers what SET said, as SHOW does."""
    if session.ex is not None and values:
        session._call(lambda ex: ex.set_settings(values))


def _follow_read_only(session: Session) -> None:
    """The engine session's default_transaction_read_only follows the parameter."""
    if session.ex is not None:
        session.ex.default_read_only = session.params.get("default_transaction_read_only") == "on"


def _set_transaction_read_only(session: Session, read_only: bool) -> bool:
    """SET TRANSACTION READ ONLY / READ WRITE (or SET transaction_read_only); False: error sent."""
    if session.ex is None:
        return True
    ok, reply = session._call(lambda ex: ex.set_transaction_read_only(read_only))
    if ok and reply:
        session.client.send(reply)
    return ok


def _follow_isolation(session: Session) -> None:
    if session.ex is not None:
        session.ex.default_isolation = session.params.get("default_transaction_isolation", "read committed")


def _set_transaction_isolation(session: Session, level: str) -> bool:
    """SET TRANSACTION ISOLATION LEVEL: before the block's first statement, as in PostgreSQL."""
    ex = session.ex
    if ex is None or ex.status == "I":
        return True
    ok, _ = session._call(lambda ex: ex.set_transaction_isolation(level))
    return ok


def _transaction_modes(session: Session, s: SetStatement) -> None:
    """SET TRANSACTION / SET SESSION CHARACTERISTICS AS TRANSACTION: READ ONLY / READ WRITE and
    the isolation level (pgcompat.params.ISOLATION_LEVELS says what each one gives)."""
    modes = s.modes
    out = b""
    if modes is not None and modes.isolation is not None:
        if s.characteristics:
            session.params["default_transaction_isolation"] = modes.isolation
            _follow_isolation(session)
        elif not _set_transaction_isolation(session, modes.isolation):
            return
    if modes is not None and modes.read_only is not None:
        if s.characteristics:
            value = "on" if modes.read_only else "off"
            if session.params.get("default_transaction_read_only") != value:
                session.params["default_transaction_read_only"] = value
                out += backend.parameter_status("default_transaction_read_only", value)
            _follow_read_only(session)
        elif not _set_transaction_read_only(session, modes.read_only):
            return
    session.client.send(out + backend.command_complete("SET"))


def _set_constraints(session: Session, st: stmts.Statement) -> None:
    """SET CONSTRAINTS {ALL | name [, ...]} {DEFERRED | IMMEDIATE}: the open transaction's timing of
    its deferrable foreign keys (engine.foreign_keys)."""
    words = st.text.replace(";", " ").replace(",", " , ").split()[2:]
    if len(words) < 2 or words[-1].upper() not in ("DEFERRED", "IMMEDIATE"):
        raise DbError("42601", "syntax error: SET CONSTRAINTS {ALL | name [, ...]} {DEFERRED | IMMEDIATE}")
    deferred = words[-1].upper() == "DEFERRED"
    items = [w for w in words[:-1] if w != ","]
    names: list[str] | None = None
    if not (len(items) == 1 and items[0].upper() == "ALL"):
        names = []
        for item in items:
            last = item.split(".")[-1]
            names.append(last[1:-1].replace('""', '"') if last.startswith('"') else last.lower())
    if session.ex is None:
        session.client.send(backend.command_complete("SET CONSTRAINTS"))
        return
    ok, reply = session._call(lambda ex: ex.set_constraints(names, deferred))
    if ok and reply:
        session.client.send(reply)


def run_set(session: Session, st: stmts.Statement) -> None:
    if len(st.words) > 1 and st.words[1] == "CONSTRAINTS":
        _set_constraints(session, st)
        return
    s = parse_set(st)
    if s.transaction:
        _transaction_modes(session, s)
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
    if prm.name in ("transaction_read_only", "transaction_isolation"):
        # The open transaction's mode, not a session setting (SHOW reads it from the engine).
        if prm.name == "transaction_read_only":
            done = _set_transaction_read_only(session, value == "on")
        else:
            done = _set_transaction_isolation(session, value)
        if done:
            session.client.send(backend.command_complete("SET"))
        return
    session.params[prm.name.lower()] = value
    _remember(session, {prm.name.lower(): value})
    _follow_read_only(session)
    _follow_isolation(session)
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
            _remember(session, {prm.name.lower(): prm.default})
            if prm.report:
                out += backend.parameter_status(prm.name, prm.default)
            if prm.engine:
                _set_engine_timezone(session, prm.default)
    _follow_read_only(session)
    _follow_isolation(session)
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
        # Not a parameter: DuckDB's SHOW of a table (its columns), run by the engine, judged as
        # the DESCRIBE it is (SHOW TABLES / DATABASES as written: they name no table).
        rest = st.text.split(None, 1)[1] if len(st.words) > 1 else ""
        listing = len(st.words) == 2 and st.words[1] in ("TABLES", "DATABASES")
        judged = st if listing else stmts.split("DESCRIBE " + rest)[0]
        refusal = session._refusal(judged, st.text)
        if refusal is not None:
            raise refusal
        op = {"sql": st.text, "kind": "select", "tag": "SHOW"}
        if session.ex is not None:
            session.ex.passed(st.text)
        session._governed(lambda ex: ex.op_query([op], session.client.send))
        return
    value = session.params.get(prm.name.lower(), prm.default)
    if prm.name == "transaction_read_only":
        value = _read_only_now(session)
    elif prm.name == "transaction_isolation":
        ex = session.ex
        in_block = ex is not None and ex.status != "I"
        value = ex.isolation_tx if in_block else session.params.get("default_transaction_isolation", value)
    session.client.send(_text_rows([prm.name.lower()], [(value,)], describe, tag="SHOW"))


def _read_only_now(session: Session) -> str:
    """transaction_read_only: the open block's mode, else what the next one would get."""
    ex = session.ex
    if ex is not None and ex.status != "I":
        return "on" if ex.read_only_tx else "off"
    return session.params.get("default_transaction_read_only", "off")


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
    _remember(
        session, {k: params.PARAMS[k].default for k in changed_settings(session.params) if k in params.PARAMS}
    )
    session.params.clear()
    session.params.update(
        {k: v.default for k, v in params.PARAMS.items()}
        | {
            "session_authorization": session.user.name,
            "is_superuser": "on" if session.user.name == "SYS" else "off",
        }
    )
    _set_engine_timezone(session, session.params["timezone"])
    _follow_read_only(session)
    _follow_isolation(session)
    session.client.send(backend.command_complete("DISCARD ALL"))
