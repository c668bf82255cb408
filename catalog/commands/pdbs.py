"""The Oracle container statements, parsed from sqlglot tokens into command objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pgcompat.statements import Statement
from pgcompat.words import Words, syntax_error
from pgwire.errors import DbError
from pgwire.oracle import ora

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
    tenant: str | None = None  # TENANT t: the PDB is tenant t's (tenants.ops.add_pdb)


@dataclass
class AlterPdb:
    names: list[str]
    all: bool
    except_names: list[str]
    action: str  # OPEN, CLOSE, SAVE STATE, DISCARD STATE, UNPLUG, STORAGE, TIER, RENAME, RELOCATE
    mode: str = "READ WRITE"
    restricted: bool = False
    force: bool = False
    immediate: bool = False
    target: str | None = None  # UNPLUG INTO 'file'
    new_name: str | None = None  # RENAME GLOBAL_NAME TO
    max_size: int | None = None  # STORAGE (MAXSIZE ...)
    max_temp_size: int | None = None
    tier: str | None = None  # SET SERVICE TIER t
    location: str | None = None  # RELOCATE TO 'location'
    availability: str = "NORMAL"  # RELOCATE ... AVAILABILITY {NORMAL | MAX}


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


class _P(Words):
    def name(self) -> str:
        """A container or user name: unquoted names are upper-cased, as Oracle does; quoted ones
        stay as written. CDB$ROOT and C##ADMIN are one word (sql_words joins adjacent tokens)."""
        it = self.next()
        if it.string or it.punct:
            raise ora(65000)
        if it.quoted:
            return it.text
        name = it.text.upper()
        if not _NAME.match(name):
            raise ora(65000)
        return name

    def password(self) -> str:
        return self.next().text

    def string(self) -> str:
        """A quoted file name ('pdb1.xml')."""
        it = self.next()
        if not it.string:
            raise syntax_error(f"expected a quoted file name, found {it.text}")
        return it.text

    def size(self) -> int:
        """A size in bytes (10G, 10 G, 1024); UNLIMITED is 0 (no limit), as in Oracle's parameters."""
        if self.accept("UNLIMITED"):
            return 0
        it = self.next()
        m = re.match(r"^(\d+)([KMGTP]?)$", it.text.upper())
        if it.quoted or not m:
            raise ora(2180, size=it.text)
        num, unit = int(m.group(1)), m.group(2)
        if not unit and self.peek_word() in _UNITS:
            unit = self.next().word
        return num * _UNITS.get(unit, 1)

    def name_list(self) -> list[str]:
        names = [self.name()]
        while self.accept_punct(","):
            names.append(self.name())
        return names

    def end(self) -> None:
        if not self.at_end():
            raise syntax_error(self.next().text)


def parse_admin(stmt: Statement) -> AdminCommand:
    p = _P(stmt)
    w0 = p.peek_word()
    if w0 == "SHOW":
        p.next()
        # sqlglot reads what follows SHOW as one string token (SHOW is one of its commands).
        return Show((p.next().text.split() or [""])[0].upper() if not p.at_end() else "")
    if w0 == "SELECT" and p.peek_word(1) == "DBMS_PDB":
        return _check_plug(p)
    if w0 == "ALTER" and p.peek_word(1) == "SESSION":
        p.expect("ALTER", "SESSION", "SET", "CONTAINER")
        p.accept_punct("=")
        name = p.name()
        p.end()
        return SetContainer(name)
    if w0 == "CREATE":
        return _create(p)
    if w0 == "ALTER":
        return _alter(p)
    if w0 == "DROP":
        return _drop(p)
    raise ora(900, stmt.text[:60])


def _create(p: _P) -> CreatePdb:
    p.expect("CREATE", "PLUGGABLE", "DATABASE")
    cmd = CreatePdb(name="")
    if p.accept("IF", "NOT", "EXISTS"):
        cmd.if_not_exists = True
    cmd.name = p.name()
    if p.accept("AS", "CLONE"):
        cmd.as_clone = True
    if p.accept("USING"):
        cmd.using = p.string()
        for mode in ("COPY", "MOVE", "NOCOPY"):
            if p.accept(mode):
                cmd.file_mode = mode
    if p.accept("FROM"):
        cmd.source = p.name()
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
            p.accept_punct("=")
            _expect_punct(p, "(")
            cmd.roles.append(p.name())
            while p.accept_punct(","):
                cmd.roles.append(p.name())
            _expect_punct(p, ")")
        elif p.accept("STORAGE"):
            _storage(p, cmd)
        elif p.accept("SERVICE", "TIER"):
            cmd.tier = p.name()
        elif p.accept("TENANT"):
            cmd.tenant = p.name()
        elif p.accept("DEFAULT", "TABLESPACE"):
            p.name()  # accepted, no effect: one file per PDB
            _skip_datafile(p)
        elif p.accept("FILE_NAME_CONVERT") or p.accept("CREATE_FILE_DEST"):
            _skip_value(p)
        else:
            raise syntax_error(p.next().text)
    if cmd.admin_user is None and cmd.source is None and cmd.using is None:
        raise ora(
            65000, "CREATE PLUGGABLE DATABASE from the seed needs ADMIN USER name IDENTIFIED BY password"
        )
    return cmd


def _check_plug(p: _P) -> CheckPlugCompatibility:
    """SELECT DBMS_PDB.CHECK_PLUG_COMPATIBILITY('file', 'name'): named (=>) or positional arguments."""
    p.expect("SELECT", "DBMS_PDB")
    _expect_punct(p, ".")
    p.expect("CHECK_PLUG_COMPATIBILITY")
    _expect_punct(p, "(")
    args: dict[str, str] = {}
    positional: list[str] = []
    while True:
        if p.peek_word() in ("PDB_DESCR_FILE", "PDB_NAME"):
            key = p.next().word
            while p.accept_punct("=") or p.accept_punct(">") or p.accept_punct("=>"):
                pass
            args[key] = p.string()
        else:
            positional.append(p.string())
        if not p.accept_punct(","):
            break
    _expect_punct(p, ")")
    p.end()
    file = args.get("PDB_DESCR_FILE") or (positional[0] if positional else "")
    name = args.get("PDB_NAME") or (positional[1] if len(positional) > 1 else "")
    if not file:
        raise DbError("42601", "DBMS_PDB.CHECK_PLUG_COMPATIBILITY needs pdb_descr_file")
    return CheckPlugCompatibility(file, name.upper())


def _expect_punct(p: _P, text: str) -> None:
    if not p.accept_punct(text):
        raise syntax_error(f"expected {text}, found {p.peek_word() or 'end of statement'}")


def _skip_datafile(p: _P) -> None:
    """[DATAFILE 'f'] [SIZE n] [AUTOEXTEND ON [NEXT n] [MAXSIZE n | UNLIMITED] | OFF]: accepted,
    no effect (a PDB is one file)."""
    if p.accept("DATAFILE"):
        p.string()
    while True:
        if p.accept("SIZE") or p.accept("NEXT") or p.accept("MAXSIZE"):
            p.size()
        elif p.accept("AUTOEXTEND"):
            if not (p.accept("ON") or p.accept("OFF")):
                raise syntax_error(f"AUTOEXTEND {p.peek_word() or 'end of statement'}")
        else:
            return


def _skip_value(p: _P) -> None:
    """FILE_NAME_CONVERT = ('a', 'b') | NONE: accepted, no effect (a PDB's files are its own)."""
    p.accept_punct("=")
    if p.accept("NONE"):
        return
    if not p.accept_punct("("):
        p.next()
        return
    depth = 1
    while depth:
        it = p.next()
        if it.punct:
            depth += {"(": 1, ")": -1}.get(it.text, 0)


def _storage(p: _P, cmd: CreatePdb | AlterPdb) -> None:
    if p.accept("UNLIMITED"):
        cmd.max_size = 0
        cmd.max_temp_size = 0
        return
    _expect_punct(p, "(")
    while True:
        if p.accept("MAXSIZE"):
            cmd.max_size = p.size()
        elif p.accept("MAX_SHARED_TEMP_SIZE"):
            cmd.max_temp_size = p.size()
        else:
            raise syntax_error(p.peek_word() or "end of statement")
        if not p.accept_punct(","):
            break
    _expect_punct(p, ")")


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
                raise syntax_error(p.next().text)
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
        cmd.new_name = p.name()
    elif p.accept("UNPLUG", "INTO"):
        cmd.action = "UNPLUG"
        cmd.target = p.string()
    elif p.accept("RELOCATE", "TO"):
        cmd.action = "RELOCATE"
        it = p.next()
        if not it.string:
            raise syntax_error(f"expected a quoted location, found {it.text}")
        cmd.location = it.text
        if p.accept("AVAILABILITY"):
            if p.accept("NORMAL"):
                cmd.availability = "NORMAL"
            elif p.accept("MAX"):
                cmd.availability = "MAX"
            else:
                raise syntax_error(p.peek_word() or "end of statement")
    elif p.accept("SAVE", "STATE"):
        cmd.action = "SAVE STATE"
    elif p.accept("DISCARD", "STATE"):
        cmd.action = "DISCARD STATE"
    else:
        raise syntax_error(p.peek_word() or "end of statement")
    p.end()
    return cmd


def _drop(p: _P) -> DropPdb:
    p.expect("DROP", "PLUGGABLE", "DATABASE")
    cmd = DropPdb(name="")
    if p.accept("IF", "EXISTS"):
        cmd.if_exists = True
    cmd.name = p.name()
    if p.accept("INCLUDING", "DATAFILES"):
        cmd.including_datafiles = True
    elif p.accept("KEEP", "DATAFILES"):
        cmd.including_datafiles = False
    p.end()
    return cmd
