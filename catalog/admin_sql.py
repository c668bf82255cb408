"""The Oracle container statements, parsed from sqlglot tokens into command objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot.tokens import Token, TokenType

from catalog.errors import ora
from policies.statements import Statement
from proxy.errors import DbError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_$#]*$")
_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50}


@dataclass
class CreatePdb:
    name: str
    if_not_exists: bool = False
    admin_user: str | None = None
    admin_password: str | None = None
    roles: list[str] = field(default_factory=list)
    max_size: int | None = None
    max_temp_size: int | None = None
    source: str | None = None  # FROM src: a clone
    snapshot: bool = False  # SNAPSHOT COPY
    no_data: bool = False  # NO DATA: schema only
    using: str | None = None  # USING 'file.xml' | 'file.pdb': plug in
    as_clone: bool = False
    file_mode: str = "COPY"  # COPY, MOVE or NOCOPY
    tier: str | None = None  # SERVICE TIER t


@dataclass
class AlterPdb:
    names: list[str]
    all: bool
    except_names: list[str]
    action: str  # OPEN, CLOSE, SAVE STATE, DISCARD STATE, UNPLUG
    mode: str = "READ WRITE"
    restricted: bool = False
    force: bool = False
    immediate: bool = False
    target: str | None = None  # UNPLUG INTO 'file'
    new_name: str | None = None  # RENAME GLOBAL_NAME TO
    max_size: int | None = None  # STORAGE (MAXSIZE ...)
    max_temp_size: int | None = None
    tier: str | None = None  # SET SERVICE TIER t


@dataclass
class DropPdb:
    name: str
    if_exists: bool = False
    including_datafiles: bool = False


@dataclass
class Show:
    what: str  # PDBS, CON_NAME, CON_ID


@dataclass
class SetContainer:
    name: str


@dataclass
class CheckPlugCompatibility:
    file: str
    name: str


AdminCommand = CreatePdb | AlterPdb | DropPdb | Show | SetContainer | CheckPlugCompatibility


class _P:
    def __init__(self, stmt: Statement) -> None:
        self.stmt = stmt
        self.toks = list(stmt.tokens)
        self.base = stmt.tokens[0].start
        self.i = 0

    def _quoted(self, t: Token) -> bool:
        return self.stmt.text[t.start - self.base] in "'\""

    def peek_word(self, ahead: int = 0) -> str:
        j = self.i + ahead
        if j >= len(self.toks):
            return ""
        t = self.toks[j]
        return "" if self._quoted(t) else t.text.upper()

    def at_end(self) -> bool:
        return self.i >= len(self.toks)

    def next(self) -> Token:
        if self.at_end():
            raise DbError("42601", "ORA-00922: missing or invalid option (unexpected end of statement)")
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, *words: str) -> None:
        for w in words:
            got = self.peek_word()
            if got != w:
                raise DbError(
                    "42601", f"ORA-00922: missing or invalid option: expected {w}, found {got or 'end'}"
                )
            self.i += 1

    def accept(self, *words: str) -> bool:
        for k, w in enumerate(words):
            if self.peek_word(k) != w:
                return False
        self.i += len(words)
        return True

    def name(self) -> str:
        """A container or user name: unquoted names are upper-cased, as Oracle does."""
        t = self.next()
        text = t.text
        if self._quoted(t) or t.token_type == TokenType.IDENTIFIER:
            return text
        name = text.upper()
        if not _NAME.match(name):
            raise ora(65000)
        return name

    def container_name(self) -> str:
        name = self.name()
        # CDB$ROOT / PDB$SEED: the tokenizer splits at '$'.
        while (
            not self.at_end()
            and self.toks[self.i].start == self.toks[self.i - 1].end + 1
            and (name.endswith("$") or self.toks[self.i].text.startswith("$"))
        ):
            name += self.next().text.upper()
        return name

    def password(self) -> str:
        t = self.next()
        return t.text

    def size(self) -> int:
        """A size in bytes; UNLIMITED is 0 (no limit), as in Oracle's parameters."""
        if self.accept("UNLIMITED"):
            return 0
        t = self.next()
        text = t.text.upper()
        m = re.match(r"^(\d+)([KMGTP]?)$", text)
        if not m:
            raise DbError("42601", f"ORA-02180: invalid size {t.text}")
        num, unit = int(m.group(1)), m.group(2)
        if not unit and not self.at_end() and self.peek_word() in _UNITS:
            unit = self.peek_word()
            self.i += 1
        return num * _UNITS.get(unit, 1)

    def name_list(self) -> list[str]:
        names = [self.container_name()]
        while not self.at_end() and self.toks[self.i].token_type == TokenType.COMMA:
            self.i += 1
            names.append(self.container_name())
        return names


def parse_admin(stmt: Statement) -> AdminCommand:
    p = _P(stmt)
    w0 = p.peek_word()
    if w0 == "SHOW":
        p.next()
        return Show(p.peek_word())
    if w0 == "SELECT" and p.peek_word(1) == "DBMS_PDB":
        return _check_plug(p)
    if w0 == "ALTER" and p.peek_word(1) == "SESSION":
        p.expect("ALTER", "SESSION", "SET", "CONTAINER")
        if not p.at_end() and p.toks[p.i].token_type == TokenType.EQ:
            p.i += 1
        return SetContainer(p.container_name())
    if w0 == "CREATE":
        return _create(p)
    if w0 == "ALTER":
        return _alter(p)
    if w0 == "DROP":
        return _drop(p)
    raise DbError("42601", f"ORA-00900: invalid SQL statement: {stmt.text[:60]}")


def _create(p: _P) -> CreatePdb:
    p.expect("CREATE", "PLUGGABLE", "DATABASE")
    cmd = CreatePdb(name="")
    if p.accept("IF", "NOT", "EXISTS"):
        cmd.if_not_exists = True
    cmd.name = p.container_name()
    if p.accept("AS", "CLONE"):
        cmd.as_clone = True
    if p.accept("USING"):
        cmd.using = _string_literal(p)
        for mode in ("COPY", "MOVE", "NOCOPY"):
            if p.accept(mode):
                cmd.file_mode = mode
    if p.accept("FROM"):
        cmd.source = p.container_name()
    while not p.at_end():
        if p.accept("SNAPSHOT", "COPY"):
            cmd.snapshot = True
        elif p.accept("NO", "DATA"):
            cmd.no_data = True
        elif p.accept("ADMIN", "USER"):
            cmd.admin_user = p.name()
            p.expect("IDENTIFIED", "BY")
            cmd.admin_password = p.password()
        elif p.accept("ROLES"):
            if p.toks[p.i].token_type == TokenType.EQ:
                p.i += 1
            p.next()  # (
            while True:
                cmd.roles.append(p.name())
                t = p.next()
                if t.token_type == TokenType.R_PAREN:
                    break
        elif p.accept("STORAGE"):
            _storage(p, cmd)
        elif p.accept("SERVICE", "TIER"):
            cmd.tier = p.name()
        elif p.accept("DEFAULT", "TABLESPACE"):
            p.next()  # accepted, no effect: one file per PDB
            while not p.at_end() and p.peek_word() in ("DATAFILE", "SIZE", "AUTOEXTEND", "ON", "OFF"):
                p.next()
        elif p.accept("FILE_NAME_CONVERT") or p.accept("CREATE_FILE_DEST"):
            _skip_value(p)
        else:
            raise DbError("42601", f"ORA-00922: missing or invalid option: {p.next().text}")
    if cmd.admin_user is None and cmd.source is None and cmd.using is None:
        raise DbError(
            "42601",
            "ORA-65000: CREATE PLUGGABLE DATABASE from the seed needs ADMIN USER name IDENTIFIED BY password",
        )
    return cmd


def _check_plug(p: _P) -> CheckPlugCompatibility:
    """SELECT DBMS_PDB.CHECK_PLUG_COMPATIBILITY('file', 'name'): named (=>) or positional arguments."""
    p.expect("SELECT", "DBMS_PDB")
    p.next()  # .
    p.expect("CHECK_PLUG_COMPATIBILITY")
    p.next()  # (
    args: dict[str, str] = {}
    positional: list[str] = []
    while True:
        if p.peek_word() in ("PDB_DESCR_FILE", "PDB_NAME"):
            key = p.peek_word()
            p.next()
            while p.toks[p.i].token_type != TokenType.STRING:
                p.next()  # =>
            args[key] = _string_literal(p)
        else:
            positional.append(_string_literal(p))
        t = p.next()
        if t.token_type == TokenType.R_PAREN:
            break
    file = args.get("PDB_DESCR_FILE") or (positional[0] if positional else "")
    name = args.get("PDB_NAME") or (positional[1] if len(positional) > 1 else "")
    if not file:
        raise DbError("42601", "DBMS_PDB.CHECK_PLUG_COMPATIBILITY needs pdb_descr_file")
    return CheckPlugCompatibility(file, name.upper())


def _string_literal(p: _P) -> str:
    t = p.next()
    if t.token_type != TokenType.STRING:
        raise DbError(
            "42601", f"ORA-00922: missing or invalid option: expected a quoted file name, found {t.text}"
        )
    return t.text


def _skip_value(p: _P) -> None:
    if not p.at_end() and p.toks[p.i].token_type == TokenType.EQ:
        p.i += 1
    if p.accept("NONE"):
        return
    t = p.next()
    if t.token_type == TokenType.L_PAREN:
        depth = 1
        while depth:
            t = p.next()
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(t.token_type, 0)


def _storage(p: _P, cmd: CreatePdb | AlterPdb) -> None:
    if p.accept("UNLIMITED"):
        cmd.max_size = 0
        cmd.max_temp_size = 0
        return
    p.next()  # (
    while True:
        w = p.peek_word()
        p.next()
        if w == "MAXSIZE":
            cmd.max_size = p.size()
        elif w == "MAX_SHARED_TEMP_SIZE":
            cmd.max_temp_size = p.size()
        else:
            raise DbError("42601", f"ORA-00922: missing or invalid option: {w}")
        t = p.next()
        if t.token_type == TokenType.R_PAREN:
            return


def _alter(p: _P) -> AlterPdb:
    p.expect("ALTER", "PLUGGABLE", "DATABASE")
    cmd = AlterPdb(names=[], all=False, except_names=[], action="")
    if p.accept("ALL"):
        cmd.all = True
        if p.accept("EXCEPT"):
            cmd.except_names = p.name_list()
    else:
        cmd.names = p.name_list()
    if p.accept("OPEN"):
        cmd.action = "OPEN"
        if p.accept("READ", "WRITE"):
            cmd.mode = "READ WRITE"
        elif p.accept("READ", "ONLY"):
            cmd.mode = "READ ONLY"
        elif p.accept("UPGRADE"):
            cmd.mode = "MIGRATE"
        while not p.at_end():
            if p.accept("RESTRICTED"):
                cmd.restricted = True
            elif p.accept("FORCE"):
                cmd.force = True
            else:
                raise DbError("42601", f"ORA-00922: missing or invalid option: {p.next().text}")
    elif p.accept("CLOSE"):
        cmd.action = "CLOSE"
        if p.accept("IMMEDIATE") or p.accept("ABORT"):
            cmd.immediate = True
    elif p.accept("STORAGE"):
        cmd.action = "STORAGE"
        _storage(p, cmd)
    elif p.accept("SET", "SERVICE", "TIER"):
        cmd.action = "TIER"
        cmd.tier = p.name()
    elif p.accept("RENAME", "GLOBAL_NAME", "TO"):
        cmd.action = "RENAME"
        cmd.new_name = p.container_name()
    elif p.accept("UNPLUG", "INTO"):
        cmd.action = "UNPLUG"
        cmd.target = _string_literal(p)
    elif p.accept("SAVE", "STATE"):
        cmd.action = "SAVE STATE"
    elif p.accept("DISCARD", "STATE"):
        cmd.action = "DISCARD STATE"
    else:
        raise DbError("42601", f"ORA-00922: missing or invalid option: {p.peek_word() or 'end of statement'}")
    if not p.at_end():
        raise DbError("42601", f"ORA-00922: missing or invalid option: {p.next().text}")
    return cmd


def _drop(p: _P) -> DropPdb:
    p.expect("DROP", "PLUGGABLE", "DATABASE")
    cmd = DropPdb(name="")
    if p.accept("IF", "EXISTS"):
        cmd.if_exists = True
    cmd.name = p.container_name()
    if p.accept("INCLUDING", "DATAFILES"):
        cmd.including_datafiles = True
    elif p.accept("KEEP", "DATAFILES"):
        cmd.including_datafiles = False
    if not p.at_end():
        raise DbError("42601", f"ORA-00922: missing or invalid option: {p.next().text}")
    return cmd
