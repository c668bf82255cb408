"""SET, RESET and SHOW of session parameters, answered by the proxy (pgcompat.params is the registry).

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
    from proxy.session import Session


async def run_set(session: Session, st: stmts.Statement) -> None:
    s = parse_set(st)
    if s.transaction:
        # Isolation levels and READ ONLY/WRITE of a transaction: DuckDB runs every transaction
        # with snapshot isolation, which is at least what any of PostgreSQL's levels promise.
        await session.send(backend.command_complete("SET"))
        return
    name = s.name
    if not s.items:
        raise DbError("42601", f"syntax error at end of input: SET {name} needs a value")
    value = ", ".join(v[1:-1].replace("''", "'") if v.startswith("'") else v for v in s.items)
    prm = None if s.system else params.lookup(name)
    if prm is None:
        # Not a PostgreSQL session parameter (or SET GLOBAL): an engine setting, not the tenant's.
        message = f'permission denied: changing the engine setting "{name}" is not allowed'
        session.server.audit_refusal(session, st.text, "SANDBOX_SETTINGS", "42501", message)
        raise DbError("42501", message)
    if prm.read_only:
        raise DbError("55P02", f'parameter "{prm.name}" cannot be changed')
    if value.upper() == "DEFAULT":
        value = prm.default
    try:
        value = params.normalize(prm, value)
    except ValueError as e:
        raise DbError("22023", str(e)) from e
    if prm.engine:
        res = await session._engine([{"op": "timezone", "value": value}])
        if res.get("failed"):
            return
    session.params[prm.name.lower()] = value
    out = backend.command_complete("SET")
    if prm.report:
        out = backend.parameter_status(prm.name, value) + out
    await session.send(out)


async def run_reset(session: Session, st: stmts.Statement) -> None:
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
                await session._engine([{"op": "timezone", "value": prm.default}])
    await session.send(out + backend.command_complete("RESET"))


async def run_show(session: Session, st: stmts.Statement, describe: bool) -> None:
    words = st.words
    if len(words) > 1 and words[1] == "ALL":
        rows = [(p.name, session.params.get(k, p.default), "") for k, p in sorted(params.PARAMS.items())]
        cols = [backend.Column("name", 25), backend.Column("setting", 25), backend.Column("description", 25)]
        await session._rows(cols, rows, describe)
        return
    # The tokenizer may keep what follows SHOW as one token: read the words from the text.
    rest = " ".join(st.text.split()[1:]).strip().rstrip(";").upper()
    if rest == "TIME ZONE":
        name = "timezone"
    elif rest == "TRANSACTION ISOLATION LEVEL":
        name = "transaction_isolation"
    else:
        name = st.tokens[1].text if len(st.tokens) > 1 else ""
    prm = params.lookup(name)
    if prm is None:
        await session._engine([{"op": "query", "stmts": [{"sql": st.text, "kind": "select", "tag": "SHOW"}]}])
        return
    await session._rows(
        [backend.Column(prm.name.lower(), 25)],
        [(session.params.get(prm.name.lower(), prm.default),)],
        describe,
        tag="SHOW",
    )
