"""Users, roles and system privileges: Oracle's CREATE/ALTER/DROP USER, CREATE/DROP ROLE, GRANT and
REVOKE, parsed from sqlglot tokens and executed against the catalog store.

Oracle's multitenant rules (see /work/shared/design/ORACLE.md):

- In CDB$ROOT users and roles are common (CONTAINER=ALL, the default there) and their names start
  with C## (ORA-65096 otherwise); CONTAINER=CURRENT there is ORA-65049.
- In a PDB they are local (CONTAINER=CURRENT, the default there); a C## name is ORA-65094 and
  CONTAINER=ALL is ORA-65050.
- GRANT/REVOKE apply to the current container unless CONTAINER=ALL, which is allowed in the root
  only, to common grantees only.
- The executing user needs the matching system privilege (CREATE USER, ALTER USER, DROP USER,
  CREATE ROLE, DROP ANY ROLE, GRANT ANY PRIVILEGE, GRANT ANY ROLE, or the privilege or role WITH
  ADMIN OPTION); for a common DDL the privilege must be granted commonly. SYS has every privilege.

Only password verifiers are stored (SCRAM-SHA-256, plus MD5 when the server authenticates with MD5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalog.store import SYSTEM_PRIVILEGES, USER_ONLY_PRIVILEGES, CatalogStore, User
from governance import resources
from pgcompat.statements import Statement
from pgcompat.words import Item, Words
from pgcompat.words import syntax_error as _syntax
from pgwire import auth
from pgwire.oracle import ora
from policies.source import ROOT_ID, SEED_ID

_NAME = re.compile(r"^[A-Z][A-Z0-9_$#]*$")
_MD5_VERIFIER = re.compile(r"^md5[0-9a-f]{32}$")
_PRIVILEGES = frozenset(SYSTEM_PRIVILEGES)
_MAX_NAME = 128


# ------------------------------------------------------------------ commands


@dataclass
class CreateUser:
    name: str
    password: str | None = None  # cleartext, turned into verifiers on execution
    verifier: str | None = None  # IDENTIFIED BY VALUES 'SCRAM-SHA-256$...'
    container: str | None = None  # ALL, CURRENT or None (the default of the container)
    locked: bool = False
    if_not_exists: bool = False


@dataclass
class AlterUser:
    name: str
    password: str | None = None
    verifier: str | None = None
    lock: bool | None = None  # True: ACCOUNT LOCK, False: ACCOUNT UNLOCK
    container: str | None = None
    tag: str = "ALTER USER"  # ALTER ROLE for PostgreSQL's ALTER ROLE name PASSWORD '...'
    set_schemas: bool = False  # ALLOWED SCHEMAS given
    allowed_schemas: list[str] | None = None  # None with set_schemas: ALLOWED SCHEMAS ALL
    # SET name = value / RESET name (None) of the user's session limits, as written.
    session_limits: dict[str, str | None] = field(default_factory=dict)


@dataclass
class DropUser:
    name: str
    cascade: bool = False
    if_exists: bool = False


@dataclass
class CreateRole:
    name: str
    container: str | None = None
    if_not_exists: bool = False


@dataclass
class DropRole:
    name: str
    if_exists: bool = False


@dataclass
class GrantCommand:
    privileges: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    grantees: list[str] = field(default_factory=list)
    container: str | None = None
    admin_option: bool = False


@dataclass
class RevokeCommand:
    privileges: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    grantees: list[str] = field(default_factory=list)
    container: str | None = None
    all_privileges: bool = False  # REVOKE ALL PRIVILEGES: those granted, without ORA-01952


UserCommand = CreateUser | AlterUser | DropUser | CreateRole | DropRole | GrantCommand | RevokeCommand


# ------------------------------------------------------------------ tokens


def _name(it: Item) -> str:
    """A user or role name: unquoted upper-cased (and checked), quoted as written."""
    if it.punct or it.string:
        raise ora(1935)
    if it.quoted:
        if not it.text or len(it.text) > _MAX_NAME:
            raise ora(1935)
        return it.text
    name = it.text.upper()
    if not _NAME.match(name) or len(name) > _MAX_NAME:
        raise ora(1935)
    return name


class _P(Words):
    def name(self) -> str:
        it = self.peek()
        if it is None:
            raise ora(1935)
        self.i += 1
        return _name(it)

    def name_list(self) -> list[str]:
        names = [self.name()]
        while self.accept_punct(","):
            names.append(self.name())
        return names

    def password(self) -> str:
        it = self.peek()
        if it is None or it.punct:
            raise ora(988)
        self.i += 1
        if not it.text:
            raise ora(988)
        return it.text

    def container(self) -> str:
        """After CONTAINER: = ALL | CURRENT."""
        if not self.accept_punct("="):
            raise _syntax("expected = after CONTAINER")
        if self.accept("ALL"):
            return "ALL"
        if self.accept("CURRENT"):
            return "CURRENT"
        raise _syntax(f"CONTAINER = {self.peek_word() or 'end of statement'}")

    def skip_word(self) -> None:
        it = self.next()
        if it.punct:
            raise _syntax(it.text)


# ------------------------------------------------------------------ classification and parsing


def parse_user_command(stmt: Statement) -> UserCommand:
    p = _P(stmt)
    w0, w1 = p.peek_word(), p.peek_word(1)
    if w0 == "CREATE" and w1 == "USER":
        return _create_user(p)
    if w0 == "ALTER" and w1 in ("USER", "ROLE"):
        return _alter_user(p)
    if w0 == "DROP" and w1 == "USER":
        return _drop_user(p)
    if w0 == "CREATE" and w1 == "ROLE":
        return _create_role(p)
    if w0 == "DROP" and w1 == "ROLE":
        return _drop_role(p)
    if w0 == "GRANT":
        return _grant(p)
    if w0 == "REVOKE":
        return _revoke(p)
    raise _syntax(f"{w0} {w1}".strip())


def _end(p: _P) -> None:
    if not p.at_end():
        raise _syntax(p.next().text)


def _identified(p: _P, cmd: CreateUser | AlterUser) -> None:
    """After IDENTIFIED: BY password [REPLACE old] | BY VALUES 'verifier' | EXTERNALLY | GLOBALLY."""
    if p.accept("BY"):
        after = p.peek(1)
        if p.peek_word() == "VALUES" and after is not None and after.string:
            p.next()
            verifier = p.next().text
            if not auth.is_scram_verifier(verifier):
                raise ora(988)
            cmd.verifier, cmd.password = verifier, None
        else:
            cmd.password, cmd.verifier = p.password(), None
        if p.accept("REPLACE"):
            p.password()  # the old password: not checked, as Oracle without a verify function
        return
    if p.peek_word() in ("EXTERNALLY", "GLOBALLY"):
        raise ora(3001, feature=f"IDENTIFIED {p.peek_word()}")
    raise _syntax(f"IDENTIFIED {p.peek_word()}".strip())


def _pg_password(p: _P, cmd: CreateUser | AlterUser) -> None:
    """PostgreSQL's PASSWORD 'text': a SCRAM verifier (psql's \\password) or a cleartext password."""
    it = p.next()
    if not it.string:
        raise ora(988)
    if auth.is_scram_verifier(it.text):
        cmd.verifier, cmd.password = it.text, None
    elif _MD5_VERIFIER.match(it.text):
        e = ora(988)
        e.detail = "An MD5 verifier cannot be stored: no SCRAM-SHA-256 verifier can be made from it."
        e.hint = "Send the password, or a SCRAM-SHA-256 verifier (password_encryption = scram-sha-256)."
        raise e
    elif not it.text:
        raise ora(988)
    else:
        cmd.password, cmd.verifier = it.text, None


def _session_limit(p: _P, cmd: AlterUser) -> bool:
    """SET name {= | TO} value | RESET name: one of the user's session limits (PostgreSQL's form)."""
    if p.accept("RESET"):
        cmd.session_limits[p.next().text.upper()] = None
        return True
    if not p.accept("SET"):
        return False
    name = p.next().text.upper()
    if not (p.accept_punct("=") or p.accept("TO")):
        raise _syntax(f"expected = after {name}")
    value = p.next().text
    if not p.at_end() and p.peek_word() in ("MS", "S", "MIN", "H", "D", "K", "M", "G", "T"):
        value += p.next().text
    cmd.session_limits[name] = value
    return True


def _common_option(p: _P) -> bool:
    """Clauses CREATE and ALTER USER accept and ignore (one file per PDB: no tablespaces)."""
    if (
        p.accept("DEFAULT", "TABLESPACE")
        or p.accept("TEMPORARY", "TABLESPACE")
        or p.accept("LOCAL", "TEMPORARY", "TABLESPACE")
        or p.accept("PROFILE")
        or p.accept("DEFAULT", "COLLATION")
    ):
        p.skip_word()
    elif p.accept("QUOTA"):
        p.skip_word()  # 10M or UNLIMITED
        if p.peek_word() in ("K", "M", "G", "T", "P", "E"):
            p.next()
        p.expect("ON")
        p.skip_word()
    elif not (p.accept("PASSWORD", "EXPIRE") or p.accept("ENABLE", "EDITIONS")):
        return False
    return True


def _create_user(p: _P) -> CreateUser:
    p.expect("CREATE", "USER")
    if_not_exists = p.accept("IF", "NOT", "EXISTS")
    cmd = CreateUser(name=p.name(), if_not_exists=if_not_exists)
    while not p.at_end():
        if p.accept("IDENTIFIED"):
            _identified(p, cmd)
        elif p.peek_word() in ("WITH", "ENCRYPTED", "PASSWORD") and _accept_pg_password(p):
            _pg_password(p, cmd)
        elif p.accept("CONTAINER"):
            cmd.container = p.container()
        elif p.accept("ACCOUNT", "LOCK"):
            cmd.locked = True
        elif p.accept("ACCOUNT", "UNLOCK"):
            cmd.locked = False
        elif p.accept("NO", "AUTHENTICATION"):
            raise ora(3001, feature="NO AUTHENTICATION")
        elif not _common_option(p):
            raise _syntax(p.next().text)
    if cmd.password is None and cmd.verifier is None:
        raise ora(988)
    return cmd


def _accept_pg_password(p: _P) -> bool:
    """[WITH] [ENCRYPTED] PASSWORD followed by a string literal."""
    j = 0
    if p.peek_word(j) == "WITH":
        j += 1
    if p.peek_word(j) == "ENCRYPTED":
        j += 1
    nxt = p.peek(j + 1)
    if p.peek_word(j) != "PASSWORD" or nxt is None or not nxt.string:
        return False
    p.i += j + 1
    return True


def _alter_user(p: _P) -> AlterUser:
    p.expect("ALTER")
    tag = "ALTER ROLE" if p.accept("ROLE") else "ALTER USER"
    if tag == "ALTER USER":
        p.expect("USER")
    cmd = AlterUser(name=p.name(), tag=tag)
    if tag == "ALTER ROLE":
        # PostgreSQL's ALTER ROLE user [WITH] [ENCRYPTED] PASSWORD '...' and SET / RESET of its
        # session limits; Oracle's role authentication (IDENTIFIED BY on a role) is not supported.
        if _session_limit(p, cmd):
            _end(p)
            return cmd
        if not _accept_pg_password(p):
            raise ora(3001, feature="ALTER ROLE other than [WITH] PASSWORD 'password' of a user")
        _pg_password(p, cmd)
        _end(p)
        return cmd
    actionable = False
    while not p.at_end():
        if p.accept("IDENTIFIED"):
            _identified(p, cmd)
            actionable = True
        elif p.peek_word() in ("WITH", "ENCRYPTED", "PASSWORD") and _accept_pg_password(p):
            _pg_password(p, cmd)
            actionable = True
        elif p.accept("ACCOUNT", "LOCK"):
            cmd.lock = True
            actionable = True
        elif p.accept("ALLOWED", "SCHEMAS"):
            cmd.set_schemas = True
            actionable = True
            if p.accept("ALL"):
                cmd.allowed_schemas = None
            else:
                cmd.allowed_schemas = [n.lower() for n in _paren_names(p)]
        elif p.accept("ACCOUNT", "UNLOCK"):
            cmd.lock = False
            actionable = True
        elif p.accept("CONTAINER"):
            cmd.container = p.container()
        elif p.accept("DEFAULT", "ROLE"):
            _default_role(p)
            actionable = True
        elif _session_limit(p, cmd) or _common_option(p):
            actionable = True
        else:
            raise _syntax(p.next().text)
    if not actionable:
        raise _syntax("expected IDENTIFIED BY, ACCOUNT LOCK, ACCOUNT UNLOCK or ALLOWED SCHEMAS")
    return cmd


def _paren_names(p: _P) -> list[str]:
    """( name [, name ...] ): schema names, quoted ones keeping their case."""
    if not p.accept_punct("("):
        raise _syntax(p.peek_word() or "end of statement")
    names = [p.next().text]
    while p.accept_punct(","):
        names.append(p.next().text)
    if not p.accept_punct(")"):
        raise _syntax(p.peek_word() or "end of statement")
    return names


def _default_role(p: _P) -> None:
    """DEFAULT ROLE {ALL [EXCEPT r, ...] | NONE | r, ...}: accepted; every granted role is enabled."""
    if p.accept("NONE"):
        return
    if p.accept("ALL"):
        if p.accept("EXCEPT"):
            p.name_list()
        return
    p.name_list()


def _drop_user(p: _P) -> DropUser:
    p.expect("DROP", "USER")
    if_exists = p.accept("IF", "EXISTS")
    cmd = DropUser(name=p.name(), if_exists=if_exists)
    cmd.cascade = p.accept("CASCADE")
    _end(p)
    return cmd


def _create_role(p: _P) -> CreateRole:
    p.expect("CREATE", "ROLE")
    if_not_exists = p.accept("IF", "NOT", "EXISTS")
    cmd = CreateRole(name=p.name(), if_not_exists=if_not_exists)
    while not p.at_end():
        if p.accept("CONTAINER"):
            cmd.container = p.container()
        elif p.accept("NOT", "IDENTIFIED"):
            pass
        elif p.peek_word() == "IDENTIFIED":
            raise ora(3001, feature="password-protected roles")
        else:
            raise _syntax(p.next().text)
    return cmd


def _drop_role(p: _P) -> DropRole:
    p.expect("DROP", "ROLE")
    if_exists = p.accept("IF", "EXISTS")
    cmd = DropRole(name=p.name(), if_exists=if_exists)
    _end(p)
    return cmd


def _grant_items(p: _P, stop: str) -> tuple[list[str], list[str], bool]:
    """priv | role [, ...] up to TO/FROM: (privileges, roles, whether ALL PRIVILEGES was named).
    ALL PRIVILEGES: every privilege a GRANT can give (not SYSDBA)."""
    privileges: list[str] = []
    roles: list[str] = []
    all_privileges = False
    while True:
        group: list[Item] = []
        while not p.at_end():
            it = p.peek()
            assert it is not None
            if it.punct or it.word == stop:
                break
            group.append(p.next())
        if not group:
            raise ora(990, privilege=p.peek_word() or "end of statement")
        words = " ".join(it.word for it in group)
        if all(not it.quoted for it in group) and words in _PRIVILEGES:
            privileges.append(words)
        elif words == "ALL PRIVILEGES" and all(not it.quoted for it in group):
            all_privileges = True
            privileges.extend(x for x in SYSTEM_PRIVILEGES if x not in USER_ONLY_PRIVILEGES)
        elif len(group) == 1:
            roles.append(_name(group[0]))
        else:
            raise ora(990, privilege=" ".join(it.text for it in group))
        if not p.accept_punct(","):
            break
    p.expect(stop)
    return list(dict.fromkeys(privileges)), list(dict.fromkeys(roles)), all_privileges


def _grant(p: _P) -> GrantCommand:
    p.expect("GRANT")
    privileges, roles, _ = _grant_items(p, "TO")
    cmd = GrantCommand(privileges=privileges, roles=roles, grantees=p.name_list())
    while not p.at_end():
        if p.accept("WITH", "ADMIN", "OPTION"):
            cmd.admin_option = True
        elif p.accept("CONTAINER"):
            cmd.container = p.container()
        elif p.peek_word() == "WITH" and p.peek_word(1) == "DELEGATE":
            raise ora(3001, feature="WITH DELEGATE OPTION")
        else:
            raise _syntax(p.next().text)
    return cmd


def _revoke(p: _P) -> RevokeCommand:
    p.expect("REVOKE")
    privileges, roles, all_privileges = _grant_items(p, "FROM")
    cmd = RevokeCommand(
        privileges=privileges, roles=roles, grantees=p.name_list(), all_privileges=all_privileges
    )
    while not p.at_end():
        if p.accept("CONTAINER"):
            cmd.container = p.container()
        else:
            raise _syntax(p.next().text)
    return cmd


# ------------------------------------------------------------------ execution


def execute_user_command(
    store: CatalogStore, cmd: UserCommand, *, con_id: int, actor: User, md5: bool = False
) -> str:
    """Apply cmd in container con_id on behalf of actor; returns the command tag. One transaction:
    an error leaves the catalog as it was."""
    _check_container(store, con_id)
    with store.transaction():
        if isinstance(cmd, CreateUser):
            return _exec_create_user(store, cmd, con_id, actor, md5)
        if isinstance(cmd, AlterUser):
            return _exec_alter_user(store, cmd, con_id, actor, md5)
        if isinstance(cmd, DropUser):
            return _exec_drop_user(store, cmd, con_id, actor)
        if isinstance(cmd, CreateRole):
            return _exec_create_role(store, cmd, con_id, actor)
        if isinstance(cmd, DropRole):
            return _exec_drop_role(store, cmd, con_id, actor)
        if isinstance(cmd, GrantCommand):
            return _exec_grant(store, cmd, con_id, actor)
        return _exec_revoke(store, cmd, con_id, actor)


def _check_container(store: CatalogStore, con_id: int) -> None:
    if con_id == SEED_ID:
        raise ora(65017)
    c = store.container_by_id(con_id)
    if c is None:
        raise ora(65011, name=str(con_id))
    if con_id == ROOT_ID:
        return
    if not c.is_open:
        raise ora(1109)
    if c.open_mode == "READ ONLY":
        raise ora(16000)


def _require(store: CatalogStore, actor: User, con_id: int, privilege: str, common: bool) -> None:
    """actor must hold privilege in con_id (commonly, for a common DDL)."""
    if actor.name == "SYS":
        return
    if privilege not in store.effective_privileges(actor.name, con_id, common_only=common):
        raise ora(1031)


def _scope(name: str, container: str | None, con_id: int) -> bool:
    """Whether a new user or role called name is common, or the Oracle error why it cannot be made."""
    prefixed = name.upper().startswith("C##")
    if con_id == ROOT_ID:
        if container == "CURRENT":
            raise ora(65049)
        if not prefixed:
            raise ora(65096)
        return True
    if container == "ALL":
        raise ora(65050)
    if prefixed:
        raise ora(65094)
    return False


def _verifiers(password: str | None, verifier: str | None, name: str, md5: bool) -> tuple[str, str | None]:
    if verifier is not None:
        return verifier, None  # no MD5 verifier can be made from a SCRAM one
    assert password is not None
    return auth.scram_verifier(password), (auth.md5_verifier(password, name) if md5 else None)


def _exec_create_user(store: CatalogStore, cmd: CreateUser, con_id: int, actor: User, md5: bool) -> str:
    common = _scope(cmd.name, cmd.container, con_id)
    _require(store, actor, con_id, "CREATE USER", common)
    if store.name_in_use(cmd.name, con_id, common):
        if cmd.if_not_exists and store.user(cmd.name, con_id) is not None:
            return "CREATE USER"
        raise ora(1920, name=cmd.name)
    scram, md5_v = _verifiers(cmd.password, cmd.verifier, cmd.name, md5)
    store.insert_user(
        cmd.name, ROOT_ID if common else con_id, common, scram, md5_v, "LOCKED" if cmd.locked else "OPEN"
    )
    return "CREATE USER"


# The session limits a user may have of its own; they only ever tighten the PDB's (and a client's
# own SET tightens them again).
USER_LIMITS = {
    n: resources.PARAMETERS[n]
    for n in (
        "STATEMENT_TIMEOUT",
        "IDLE_SESSION_TIMEOUT",
        "IDLE_IN_TRANSACTION_SESSION_TIMEOUT",
        "MAX_RESULT_SIZE",
    )
}


def _exec_alter_user(store: CatalogStore, cmd: AlterUser, con_id: int, actor: User, md5: bool) -> str:
    user = store.user(cmd.name, con_id)
    if user is None:
        raise ora(1918, name=cmd.name)
    if cmd.container == "ALL" and con_id != ROOT_ID:
        raise ora(65050)
    changes_auth = cmd.password is not None or cmd.verifier is not None or cmd.lock is not None
    if user.common and con_id != ROOT_ID and changes_auth:
        raise ora(65066)
    if user.name == "SYS" and (cmd.lock or (changes_auth and actor.name != "SYS")):
        raise ora(1031)
    own_password = (
        actor.name == user.name and actor.con_id == user.con_id and cmd.lock is None and changes_auth
    )
    if not own_password:
        _require(store, actor, con_id, "ALTER USER", user.common)
    if cmd.password is not None or cmd.verifier is not None:
        scram, md5_v = _verifiers(cmd.password, cmd.verifier, user.name, md5)
        store.set_password(user.name, user.con_id, scram, md5_v)
    if cmd.lock is not None:
        store.set_account_status(user.name, user.con_id, "LOCKED" if cmd.lock else "OPEN")
    if cmd.set_schemas:
        store.set_allowed_schemas(user.name, user.con_id, cmd.allowed_schemas)
    for param, text in cmd.session_limits.items():
        if param not in USER_LIMITS:
            raise ora(922, option=f"{param}: a user's limits are {', '.join(sorted(USER_LIMITS))}")
        value = None
        if text is not None:
            p, unit = USER_LIMITS[param], resources.PARAMETERS[param].kind
            try:
                value = resources.parse_value(p, unit, text, {})
            except resources.InvalidValue as e:
                raise ora(2097, name=param, reason=str(e)) from None
        store.set_user_session_limit(user.name, user.con_id, param, value)
    return cmd.tag


def _exec_drop_user(store: CatalogStore, cmd: DropUser, con_id: int, actor: User) -> str:
    user = store.user(cmd.name, con_id)
    if user is None:
        if cmd.if_exists:
            return "DROP USER"
        raise ora(1918, name=cmd.name)
    if user.name == "SYS":
        raise ora(1031)
    if user.common and con_id != ROOT_ID:
        raise ora(65050)
    _require(store, actor, con_id, "DROP USER", user.common)
    if actor.name == user.name and actor.con_id == user.con_id:
        raise ora(1940)
    # CASCADE would drop the user's objects; the ownership check is left to the engine layer.
    store.drop_user(user.name, user.con_id, user.common)
    return "DROP USER"


def _exec_create_role(store: CatalogStore, cmd: CreateRole, con_id: int, actor: User) -> str:
    common = _scope(cmd.name, cmd.container, con_id)
    _require(store, actor, con_id, "CREATE ROLE", common)
    if store.name_in_use(cmd.name, con_id, common):
        if cmd.if_not_exists and store.role(cmd.name, con_id) is not None:
            return "CREATE ROLE"
        raise ora(1921, name=cmd.name)
    store.insert_role(cmd.name, ROOT_ID if common else con_id, common)
    if actor.name != "SYS":
        # As Oracle: the creator holds the new role WITH ADMIN OPTION.
        store.grant_role(actor.name, con_id, cmd.name, common, admin_option=True)
    return "CREATE ROLE"


def _exec_drop_role(store: CatalogStore, cmd: DropRole, con_id: int, actor: User) -> str:
    role = store.role(cmd.name, con_id)
    if role is None:
        if cmd.if_exists:
            return "DROP ROLE"
        raise ora(1919, name=cmd.name)
    if role.oracle_maintained:
        raise ora(28014)
    if role.common and con_id != ROOT_ID:
        raise ora(65050)
    if actor.name != "SYS" and not store.has_admin_option(
        actor.name, con_id, role.name, role=True, common_only=role.common
    ):
        _require(store, actor, con_id, "DROP ANY ROLE", role.common)
    store.drop_role(role.name, role.con_id, role.common)
    return "DROP ROLE"


def _grantees(
    store: CatalogStore, names: list[str], con_id: int, common: bool
) -> list[tuple[str, bool, bool]]:
    """(name, is_role, is_common) of each grantee; PUBLIC is a common pseudo-role."""
    out: list[tuple[str, bool, bool]] = []
    for name in dict.fromkeys(names):
        if name == "PUBLIC":
            out.append((name, True, True))
            continue
        user = store.user(name, con_id)
        role = store.role(name, con_id) if user is None else None
        if user is None and role is None:
            raise ora(1917, name=name)
        is_common = user.common if user is not None else bool(role and role.common)
        if common and not is_common:
            raise ora(65030)
        out.append((name, user is None, is_common))
    return out


def _may_grant(
    store: CatalogStore, cmd: GrantCommand | RevokeCommand, con_id: int, actor: User, common: bool
) -> None:
    if actor.name == "SYS":
        return
    held = store.effective_privileges(actor.name, con_id, common_only=common)
    for privilege in cmd.privileges:
        if "GRANT ANY PRIVILEGE" not in held and not store.has_admin_option(
            actor.name, con_id, privilege, role=False, common_only=common
        ):
            raise ora(1031)
    for role in cmd.roles:
        if "GRANT ANY ROLE" not in held and not store.has_admin_option(
            actor.name, con_id, role, role=True, common_only=common
        ):
            raise ora(1031)


def _roles(store: CatalogStore, names: list[str], con_id: int) -> list[str]:
    out = []
    for name in names:
        role = store.role(name, con_id)
        if role is None:
            raise ora(1919, name=name)
        out.append(role.name)
    return out


def _exec_grant(store: CatalogStore, cmd: GrantCommand, con_id: int, actor: User) -> str:
    common = cmd.container == "ALL"
    if common and con_id != ROOT_ID:
        raise ora(65050)
    roles = _roles(store, cmd.roles, con_id)
    grantees = _grantees(store, cmd.grantees, con_id, common)
    _may_grant(store, cmd, con_id, actor, common)
    for grantee, is_role, _ in grantees:
        if is_role:
            for privilege in cmd.privileges:
                if privilege in USER_ONLY_PRIVILEGES:
                    raise ora(1931, privilege=privilege)
            for role in roles:
                if role == grantee or grantee in store.effective_roles(role, con_id, include_public=False):
                    raise ora(1934)
        for privilege in cmd.privileges:
            store.grant_sys(grantee, con_id, privilege, common, cmd.admin_option)
        for role in roles:
            store.grant_role(grantee, con_id, role, common, cmd.admin_option)
    return "GRANT"


def _exec_revoke(store: CatalogStore, cmd: RevokeCommand, con_id: int, actor: User) -> str:
    common = cmd.container == "ALL"
    if common and con_id != ROOT_ID:
        raise ora(65050)
    roles = _roles(store, cmd.roles, con_id)
    grantees = _grantees(store, cmd.grantees, con_id, False)
    _may_grant(store, cmd, con_id, actor, common)
    for grantee, _, _ in grantees:
        for privilege in cmd.privileges:
            if not store.revoke_sys(grantee, con_id, privilege, common) and not cmd.all_privileges:
                _not_granted(store, actor, grantee, con_id, privilege, False, common)
        for role in roles:
            if not store.revoke_role(grantee, con_id, role, common):
                _not_granted(store, actor, grantee, con_id, role, True, common)
    return "REVOKE"


def _not_granted(
    store: CatalogStore, actor: User, grantee: str, con_id: int, what: str, role: bool, common: bool
) -> None:
    """Raise the error of a REVOKE that found no grant in its scope."""
    rows = store.role_grants(grantee) if role else store.sys_grants(grantee)
    other = [g for g in rows if g.what == what and (g.con_id == con_id or g.common) and g.common != common]
    if other:
        if other[0].common and not actor.common:
            raise ora(65029)
        raise ora(65092, name=grantee)
    if role:
        raise ora(1951, role=what, name=grantee)
    raise ora(1952, name=grantee)
