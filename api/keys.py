"""API keys and tokens.

SQL: CREATE API KEY k FOR USER u [EXPIRES IN n SECONDS|MINUTES|HOURS|DAYS | EXPIRES 'timestamp'];
DROP API KEY [IF EXISTS] k. The secret is shown once (the row CREATE API KEY returns); the catalog
keeps only its SHA-256. POST /api/v1/auth/token exchanges a database user's password for a token
that lives [http] token_ttl_s (kept in memory, hashed: a restart ends them all).

A user may create a key for itself; a key for another user needs SYS or ALTER USER where that user
lives (commonly in the root for a common user).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from catalog.cdb import Cdb
from catalog.store import ApiKey, User
from pgcompat.statements import Statement
from pgcompat.words import Words, syntax_error
from pgwire import auth
from pgwire.errors import DbError
from pgwire.oracle import ora
from policies.source import ROOT_ID
from tenants import gate

KEY_COLUMNS = ("KEY_NAME", "USERNAME", "SECRET", "EXPIRES")
_UNITS = {
    "SECOND": 1,
    "SECONDS": 1,
    "MINUTE": 60,
    "MINUTES": 60,
    "HOUR": 3600,
    "HOURS": 3600,
    "DAY": 86400,
    "DAYS": 86400,
}


@dataclass
class CreateKey:
    name: str
    user: str
    expires_at: float | None


@dataclass
class DropKey:
    name: str
    if_exists: bool


def _name(p: Words) -> str:
    it = p.next()
    if it.string or it.punct:
        raise syntax_error(it.text)
    return it.text if it.quoted else it.text.upper()


def parse(stmt: Statement) -> CreateKey | DropKey:
    p = Words(stmt)
    verb = p.next().word
    p.expect("API", "KEY")
    if verb == "DROP":
        if_exists = p.accept("IF", "EXISTS")
        cmd_d = DropKey(_name(p), if_exists)
        if not p.at_end():
            raise syntax_error(p.next().text)
        return cmd_d
    name = _name(p)
    p.expect("FOR", "USER")
    cmd = CreateKey(name, _name(p), None)
    if p.accept("EXPIRES"):
        if p.accept("IN"):
            n = p.next().text
            unit = p.next().text.upper()
            if not n.isdigit() or unit not in _UNITS:
                raise syntax_error(f"EXPIRES IN {n} {unit}")
            cmd.expires_at = time.time() + int(n) * _UNITS[unit]
        else:
            it = p.next()
            if not it.string:
                raise syntax_error(it.text)
            try:
                when = dt.datetime.fromisoformat(it.text)
            except ValueError:
                raise DbError("22007", f'invalid input syntax for type timestamp: "{it.text}"') from None
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            cmd.expires_at = when.timestamp()
    if not p.at_end():
        raise syntax_error(p.next().text)
    return cmd


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _may_manage(cdb: Cdb, actor: User, target: User) -> bool:
    if actor.name == "SYS" and actor.common:
        return True
    if actor.name == target.name and actor.con_id == target.con_id:
        return True
    where = ROOT_ID if target.common else target.con_id
    return (not target.common or actor.common) and cdb.cat.has_privilege(actor, where, "ALTER USER")


def execute(
    cdb: Cdb, cmd: CreateKey | DropKey, con_id: int, actor: User
) -> tuple[str, list[tuple[str, ...]]]:
    """Run an API key command in container con_id; (tag, the one row of CREATE with the secret)."""
    if isinstance(cmd, DropKey):
        k = cdb.cat.api_key(cmd.name)
        if k is None:
            if cmd.if_exists:
                return "DROP API KEY", []
            raise DbError("42704", f'API key "{cmd.name}" does not exist')
        owner = cdb.cat.user(k.username, k.con_id) or User(
            k.username, k.con_id, k.con_id == ROOT_ID, "", None, "OPEN"
        )
        if not _may_manage(cdb, actor, owner):
            raise ora(1031)
        cdb.cat.delete_api_key(cmd.name)
        return "DROP API KEY", []
    target = cdb.cat.user(cmd.user, con_id) or cdb.cat.user(cmd.user, ROOT_ID)
    if target is None or (not target.common and target.con_id != con_id):
        raise ora(1918, name=cmd.user)
    if not _may_manage(cdb, actor, target):
        raise ora(1031)
    if cdb.cat.api_key(cmd.name) is not None:
        raise DbError("42710", f'API key "{cmd.name}" already exists')
    secret = "dck_" + secrets.token_urlsafe(32)
    cdb.cat.insert_api_key(
        ApiKey(cmd.name, target.name, target.con_id, _sha(secret), actor.name, time.time(), cmd.expires_at)
    )
    expires = (
        dt.datetime.fromtimestamp(cmd.expires_at, dt.UTC).isoformat()
        if cmd.expires_at is not None
        else "NEVER"
    )
    return "CREATE API KEY", [(cmd.name, target.name, secret, expires)]


# ------------------------------------------------------------------ tokens


@dataclass
class Identity:
    """Who a bearer token acts as: the database user (its container) and the token's end."""

    user: User
    expires_at: float | None
    via: str  # "key:<name>" or "token"


class Tokens:
    """Short-lived tokens from POST /auth/token (memory only, hashed) and API keys (catalog)."""

    def __init__(self, cdb: Cdb, ttl_s: float) -> None:
        self.cdb = cdb
        self.ttl_s = ttl_s
        self._tokens: dict[str, tuple[str, int, float]] = {}

    async def issue(
        self,
        username: str,
        password: str,
        database: str | None,
        ttl_s: float | None,
        peer: str = "",
        server: Any = None,
    ) -> tuple[str, float]:
        """A token for the user whose password this is (a local user names its PDB), under the
        login rules of the wire protocol: the same lockouts (server.logins), failed attempts
        audited as failed logins, a tenant's state refusing its users (tenants.gate)."""
        cat = self.cdb.cat
        name = username[1:-1] if username.startswith('"') else username.upper()
        container = self.cdb.find(database) if database else self.cdb.find("CDB$ROOT")
        where = container.name if container else (database or "").upper()
        throttle = getattr(server, "logins", None)
        if throttle is not None:
            throttle.check(name, where, peer)
        user: User | None = None
        if container is not None and container.con_id != ROOT_ID:
            user = cat.user(name, container.con_id)
        if user is None:
            user = cat.user(name, ROOT_ID)
        ok = (
            user is not None
            and bool(user.scram)
            and await asyncio.to_thread(auth.check_password, user.scram, password)
        )
        if user is None or not ok:
            if throttle is not None:
                server.audit_login_failure(peer, container, name, "API token: password authentication failed")
            raise DbError("28P01", f'password authentication failed for user "{username}"')
        if throttle is not None:
            throttle.succeeded(name, where, peer)
        if user.account_status != "OPEN":
            raise ora(28000)
        if container is not None:
            refusal = gate.login_refusal(cat, container, user)
            if refusal is not None:
                raise refusal
        token = "dct_" + secrets.token_urlsafe(32)
        ttl = min(ttl_s or self.ttl_s, self.ttl_s)
        expires = time.time() + ttl
        self._tokens[_sha(token)] = (user.name, user.con_id, expires)
        if len(self._tokens) > 10000:
            now = time.time()
            self._tokens = {k: v for k, v in self._tokens.items() if v[2] > now}
        return token, expires

    def resolve(self, bearer: str) -> Identity | None:
        """The identity of a bearer token, or None when unknown, expired or its user is gone/locked."""
        digest = _sha(bearer)
        now = time.time()
        found = self._tokens.get(digest)
        if found is not None:
            name, con_id, expires = found
            via = "token"
        else:
            k = self.cdb.cat.api_key_by_secret(digest)
            if k is None:
                return None
            name, con_id, expires, via = k.username, k.con_id, k.expires_at, f"key:{k.name}"
        if expires is not None and expires <= now:
            return None
        user = self.cdb.cat.user(name, con_id)
        if user is None or user.account_status != "OPEN":
            return None
        return Identity(user, expires, via)
