"""The tenant commands in SQL, parsed into command objects; execute() hands each to its one
function in tenants.ops (the REST API calls the same functions).

CREATE TENANT [IF NOT EXISTS] t ADMIN USER u IDENTIFIED BY "pw" [DISPLAY NAME '...'] [CONTACT '...']
    [SERVICE TIER x] [TEMPLATE tpl] [AUTO SCALING ON|OFF] [BACKUP ON|OFF] [LABELS (k = 'v', ...)]
ALTER TENANT t { SUSPEND [REASON '...'] | RESUME | MAINTENANCE [REASON '...'] | MIGRATE [REASON '...']
    | SET SERVICE TIER x | QUOTA (CPU_MIN_PERCENT = n, ...)
    | SET {DISPLAY NAME '...' | CONTACT '...' | AUTO SCALING ON|OFF | BACKUP ON|OFF | LABELS (...)} }
DROP TENANT [IF EXISTS] t [IMMEDIATE];  UNDROP TENANT t
CREATE TENANT TEMPLATE tpl FROM PDB p [NO DATA] [SERVICE TIER x] [LOCKDOWN PROFILE lp]
    [PARAMETERS (name = value, ...)];  DROP TENANT TEMPLATE tpl
BACKUP PLUGGABLE DATABASE p;  RESTORE PLUGGABLE DATABASE p FROM BACKUP 'id' [AS new]   (tenants.backups)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalog.cdb import Cdb
from catalog.store import User
from pgcompat.statements import Statement
from pgcompat.words import Words, syntax_error
from pgwire.oracle import ora
from tenants import backups, ops

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_$#]*$")


@dataclass
class CreateTenant:
    spec: ops.TenantSpec


@dataclass
class AlterTenant:
    name: str
    action: str  # SUSPEND, RESUME, MAINTENANCE, MIGRATE, TIER, QUOTA, SET
    reason: str | None = None
    tier: str | None = None
    quota: dict[str, int] = field(default_factory=dict)
    options: dict[str, object] = field(default_factory=dict)


@dataclass
class DropTenant:
    name: str
    if_exists: bool = False
    immediate: bool = False


@dataclass
class UndropTenant:
    name: str


@dataclass
class CreateTemplate:
    name: str
    source: str
    no_data: bool = False
    tier: str | None = None
    lockdown_profile: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class DropTemplate:
    name: str


@dataclass
class BackupPdb:
    name: str


@dataclass
class RestorePdb:
    name: str
    backup_id: str
    new_name: str | None = None


TenantCommand = (
    CreateTenant
    | AlterTenant
    | DropTenant
    | UndropTenant
    | CreateTemplate
    | DropTemplate
    | BackupPdb
    | RestorePdb
)


class _P(Words):
    def name(self) -> str:
        it = self.next()
        if it.string or it.punct:
            raise ora(65000, f"expected a name, found {it.text}")
        if it.quoted:
            return it.text
        if not _NAME.match(it.text):
            raise ora(65000, f"invalid name {it.text}")
        return it.text.upper()

    def string(self) -> str:
        it = self.next()
        if not it.string:
            raise syntax_error(f"expected a quoted string, found {it.text}")
        return it.text

    def on_off(self) -> bool:
        if self.accept("ON"):
            return True
        if self.accept("OFF"):
            return False
        raise syntax_error(f"expected ON or OFF, found {self.peek_word() or 'end of statement'}")

    def punct(self, text: str) -> None:
        if not self.accept_punct(text):
            raise syntax_error(f"expected {text}, found {self.peek_word() or 'end of statement'}")

    def pairs(self) -> list[tuple[str, str]]:
        """(k = v, ...): keys upper-cased, values as written (strings unquoted; 2 G joined)."""
        self.punct("(")
        out: list[tuple[str, str]] = []
        while True:
            key = self.next()
            if key.punct:
                raise syntax_error(key.text)
            self.punct("=")
            value = self.next()
            if value.punct and value.text != "-":
                raise syntax_error(value.text)
            text = value.text
            while not self.at_end() and not (self.peek().punct and self.peek().text in (",", ")")):  # type: ignore[union-attr]
                text += self.next().text
            out.append((key.text if key.quoted else key.text.upper(), text))
            if self.accept_punct(")"):
                return out
            self.punct(",")

    def end(self) -> None:
        if not self.at_end():
            raise syntax_error(self.next().text)


def parse(stmt: Statement) -> TenantCommand:
    p = _P(stmt)
    verb = p.next().word
    if verb in ("BACKUP", "RESTORE"):
        p.expect("PLUGGABLE", "DATABASE")
        name = p.name()
        if verb == "BACKUP":
            p.end()
            return BackupPdb(name)
        p.expect("FROM", "BACKUP")
        cmd_r = RestorePdb(name, p.string())
        if p.accept("AS"):
            cmd_r.new_name = p.name()
        p.end()
        return cmd_r
    p.expect("TENANT")
    if verb == "CREATE" and p.accept("TEMPLATE"):
        return _create_template(p)
    if verb == "DROP" and p.accept("TEMPLATE"):
        cmd_t = DropTemplate(p.name())
        p.end()
        return cmd_t
    if verb == "CREATE":
        return _create(p)
    if verb == "ALTER":
        return _alter(p)
    if verb == "UNDROP":
        cmd_u = UndropTenant(p.name())
        p.end()
        return cmd_u
    cmd = DropTenant("")
    if p.accept("IF", "EXISTS"):
        cmd.if_exists = True
    cmd.name = p.name()
    cmd.immediate = p.accept("IMMEDIATE")
    p.end()
    return cmd


def _create(p: _P) -> CreateTenant:
    if_not_exists = p.accept("IF", "NOT", "EXISTS")
    spec = ops.TenantSpec(name=p.name(), admin_user="", admin_password="", if_not_exists=if_not_exists)
    while not p.at_end():
        if p.accept("ADMIN", "USER"):
            spec.admin_user = p.name()
            p.expect("IDENTIFIED", "BY")
            spec.admin_password = p.next().text
        elif p.accept("DISPLAY", "NAME"):
            spec.display_name = p.string()
        elif p.accept("CONTACT"):
            spec.contact = p.string()
        elif p.accept("SERVICE", "TIER"):
            spec.tier = p.name()
        elif p.accept("TEMPLATE"):
            spec.template = p.name()
        elif p.accept("AUTO", "SCALING"):
            spec.auto_scaling = p.on_off()
        elif p.accept("BACKUP"):
            spec.backup = p.on_off()
        elif p.accept("LABELS"):
            spec.labels = dict(p.pairs())
        else:
            raise syntax_error(p.next().text)
    if not spec.admin_user:
        raise ora(65000, "CREATE TENANT needs ADMIN USER name IDENTIFIED BY password")
    return CreateTenant(spec)


def _reason(p: _P) -> str | None:
    return p.string() if p.accept("REASON") else None


def _alter(p: _P) -> AlterTenant:
    cmd = AlterTenant(p.name(), "")
    if p.accept("SUSPEND"):
        cmd.action, cmd.reason = "SUSPEND", _reason(p)
    elif p.accept("RESUME"):
        cmd.action = "RESUME"
    elif p.accept("MAINTENANCE"):
        cmd.action, cmd.reason = "MAINTENANCE", _reason(p)
    elif p.accept("MIGRATE"):
        cmd.action, cmd.reason = "MIGRATE", _reason(p)
    elif p.accept("SET", "SERVICE", "TIER"):
        cmd.action, cmd.tier = "TIER", p.name()
    elif p.accept("QUOTA"):
        cmd.action = "QUOTA"
        for key, text in p.pairs():
            if not text.isdigit():
                raise ora(65913, name=key, reason=f"{text} is not a whole number")
            cmd.quota[key] = int(text)
    elif p.accept("SET"):
        cmd.action = "SET"
        while not p.at_end():
            if p.accept("DISPLAY", "NAME"):
                cmd.options["display_name"] = p.string()
            elif p.accept("CONTACT"):
                cmd.options["contact"] = p.string()
            elif p.accept("AUTO", "SCALING"):
                cmd.options["auto_scaling"] = p.on_off()
            elif p.accept("BACKUP"):
                cmd.options["backup"] = p.on_off()
            elif p.accept("LABELS"):
                cmd.options["labels"] = dict(p.pairs())
            else:
                raise syntax_error(p.next().text)
    else:
        raise syntax_error(p.peek_word() or "end of statement")
    p.end()
    return cmd


def _create_template(p: _P) -> CreateTemplate:
    cmd = CreateTemplate(p.name(), "")
    p.expect("FROM")
    p.accept("PDB") or p.accept("PLUGGABLE", "DATABASE")
    cmd.source = p.name()
    while not p.at_end():
        if p.accept("NO", "DATA"):
            cmd.no_data = True
        elif p.accept("SERVICE", "TIER"):
            cmd.tier = p.name()
        elif p.accept("LOCKDOWN", "PROFILE"):
            cmd.lockdown_profile = p.name()
        elif p.accept("PARAMETERS"):
            cmd.parameters = dict(p.pairs())
        else:
            raise syntax_error(p.next().text)
    return cmd


async def execute(cdb: Cdb, cmd: TenantCommand, actor: User) -> tuple[str, list[str]]:
    """Run a parsed command by its operation; (command tag, notices)."""
    if isinstance(cmd, CreateTenant):
        return "CREATE TENANT", await ops.create_tenant(cdb, actor, cmd.spec)
    if isinstance(cmd, BackupPdb):
        b = await backups.backup_pdb(cdb, actor, cmd.name)
        return "BACKUP PLUGGABLE DATABASE", [f"backup {b.id} of {b.pdb_name}: {b.size} bytes"]
    if isinstance(cmd, RestorePdb):
        notices = await backups.restore_pdb(cdb, actor, cmd.name, cmd.backup_id, cmd.new_name)
        return "RESTORE PLUGGABLE DATABASE", notices
    if isinstance(cmd, CreateTemplate):
        notices = await ops.create_template(
            cdb, actor, cmd.name, cmd.source, cmd.no_data, cmd.tier, cmd.lockdown_profile, cmd.parameters
        )
        return "CREATE TENANT TEMPLATE", notices
    if isinstance(cmd, DropTemplate):
        return "DROP TENANT TEMPLATE", await ops.drop_template(cdb, actor, cmd.name)
    if isinstance(cmd, UndropTenant):
        return "UNDROP TENANT", await ops.undrop_tenant(cdb, actor, cmd.name)
    if isinstance(cmd, DropTenant):
        return "DROP TENANT", await ops.drop_tenant(cdb, actor, cmd.name, cmd.immediate, cmd.if_exists)
    a = cmd
    if a.action == "SUSPEND":
        notices = await ops.suspend(cdb, actor, a.name, a.reason)
    elif a.action == "RESUME":
        notices = await ops.resume(cdb, actor, a.name)
    elif a.action == "MAINTENANCE":
        notices = await ops.maintenance(cdb, actor, a.name, a.reason)
    elif a.action == "MIGRATE":
        notices = await ops.set_migrating(cdb, actor, a.name, a.reason)
    elif a.action == "TIER":
        assert a.tier is not None
        notices = await ops.set_tier(cdb, actor, a.name, a.tier)
    elif a.action == "QUOTA":
        notices = await ops.set_quota(cdb, actor, a.name, a.quota)
    else:
        notices = ops.set_options(cdb, actor, a.name, **a.options)  # type: ignore[arg-type]
    return "ALTER TENANT", notices
