"""GRANT and REVOKE of object privileges inside a PDB: SELECT, INSERT, UPDATE, DELETE, TRUNCATE
ON a table, ON SCHEMA s or ON ALL TABLES IN SCHEMA s (every table of the schema, now and later),
to local users and roles. Enforced by policies.privileges before a statement runs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot.tokens import TokenType

from catalog.store import CatalogStore, User
from pgcompat.statements import Statement
from pgwire.oracle import ora
from policies.source import ROOT_ID

OBJECT_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")


@dataclass
class ObjectGrant:
    revoke: bool
    privileges: list[str]
    schema: str
    objects: list[str]  # ["*"] for the whole schema
    grantees: list[str]


def _ident(text: str, quoted: bool) -> str:
    return text if quoted else text.lower()


def parse_object_grant(stmt: Statement) -> ObjectGrant:
    toks = list(stmt.tokens)
    base = toks[0].start
    quoted = [stmt.text[t.start - base] == '"' for t in toks]
    words = [t.text.upper() if not q else "" for t, q in zip(toks, quoted, strict=True)]
    revoke = words[0] == "REVOKE"
    i = 1
    privileges: list[str] = []
    while words[i] != "ON":
        w = words[i]
        if w == "ALL":
            privileges += list(OBJECT_PRIVILEGES)
            if i + 1 < len(words) and words[i + 1] == "PRIVILEGES":
                i += 1
        elif w in OBJECT_PRIVILEGES:
            privileges.append(w)
        elif w != ",":
            raise ora(990, privilege=w or toks[i].text)
        i += 1
    i += 1  # ON
    schema, objects = "main", []
    if words[i] == "SCHEMA":
        schema, objects, i = _ident(toks[i + 1].text, quoted[i + 1]), ["*"], i + 2
    elif words[i : i + 4] == ["ALL", "TABLES", "IN", "SCHEMA"]:
        schema, objects, i = _ident(toks[i + 4].text, quoted[i + 4]), ["*"], i + 5
    else:
        if words[i] == "TABLE":
            i += 1
        while True:
            name = _ident(toks[i].text, quoted[i])
            if i + 2 < len(toks) and toks[i + 1].token_type == TokenType.DOT:
                schema, name = name, _ident(toks[i + 2].text, quoted[i + 2])
                i += 2
            objects.append(name)
            i += 1
            if i < len(toks) and toks[i].token_type == TokenType.COMMA:
                i += 1
                continue
            break
    if schema == "public":
        schema = "main"  # clients call DuckDB's main schema public
    expect = "FROM" if revoke else "TO"
    if i >= len(words) or words[i] != expect:
        raise ora(905, keyword=expect)
    i += 1
    grantees = []
    while i < len(toks) and words[i] not in ("WITH", "CASCADE", "RESTRICT"):
        if toks[i].token_type != TokenType.COMMA:
            grantees.append(toks[i].text if quoted[i] else toks[i].text.upper())
        i += 1
    if not grantees or not privileges:
        raise ora(987)
    return ObjectGrant(revoke, privileges, schema, objects, grantees)


def execute_object_grant(store: CatalogStore, cmd: ObjectGrant, *, con_id: int, actor: User) -> str:
    if con_id == ROOT_ID:
        raise ora(65040, "object privileges are granted inside a pluggable database")
    if actor.name != "SYS" and "GRANT ANY PRIVILEGE" not in store.effective_privileges(actor.name, con_id):
        raise ora(1031)
    with store.transaction():
        for grantee in cmd.grantees:
            if (
                grantee != "PUBLIC"
                and store.user(grantee, con_id) is None
                and store.role(grantee, con_id) is None
            ):
                raise ora(1917, name=grantee)
            for obj in cmd.objects:
                for priv in cmd.privileges:
                    if cmd.revoke:
                        store.revoke_object(grantee, con_id, cmd.schema, obj, priv)
                    else:
                        store.grant_object(grantee, con_id, cmd.schema, obj, priv)
    return "REVOKE" if cmd.revoke else "GRANT"
