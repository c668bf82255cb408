"""Who may use a tenant's PDBs in its current state: the login check of the front door, and the
PDB commands a tenant's state (or a template's frozen copy) forbids."""

from __future__ import annotations

from catalog.store import CatalogStore, Container, User
from pgwire.errors import DbError
from pgwire.oracle import ora
from tenants import states


def may_maintain(cat: CatalogStore, user_name: str, user_con_id: int, con_id: int) -> bool:
    """Whether a user may be connected to a PDB of a tenant in MAINTENANCE: SYS, or RESTRICTED SESSION."""
    user = cat.user(user_name, user_con_id)
    if user is None:
        return False
    if user.name == "SYS" and user.common:
        return True
    return cat.has_privilege(user, con_id, "RESTRICTED SESSION")


def login_refusal(cat: CatalogStore, container: Container, user: User) -> DbError | None:
    """The error a login to container gets because of its tenant's state; None when it may go on."""
    name = cat.tenant_of(container.con_id)
    if name is None:
        return None
    t = cat.tenant(name)
    if t is None:
        return None
    if t.state == states.SUSPENDED:
        return ora(65904, name=t.name, reason=t.reason or "suspended by the operator")
    if t.state == states.TERMINATED:
        return ora(65907, name=t.name, sqlstate="57P03")
    if t.state == states.MIGRATING:
        return ora(65906, name=t.name)
    if t.state == states.MAINTENANCE and not may_maintain(cat, user.name, user.con_id, container.con_id):
        return ora(65905, name=t.name)
    if t.pending_op == "CREATE":
        return DbError("57P03", f"tenant {t.name} is being provisioned; connect again when it is done")
    return None


def relocation_refusal(container: Container) -> DbError | None:
    """A session may not start in a PDB whose files are being moved (catalog.relocate): 57P03,
    connect again (the API's tokens are not logins to the PDB: they go on)."""
    if container.pending_op == "RELOCATE":
        return ora(65922, name=container.name)
    return None


def archived_refusal(cat: CatalogStore, db_name: str) -> DbError | None:
    """A login naming a PDB that a dropped (TERMINATED) tenant's archive holds: ORA-65907."""
    name = db_name[1:-1] if db_name.startswith('"') else db_name.upper()
    tenant = cat.tenant_of_archived(name)
    return ora(65907, name=tenant, sqlstate="57P03") if tenant else None


def check_pdb_command(cat: CatalogStore, c: Container, action: str) -> None:
    """ALTER / DROP PLUGGABLE DATABASE of a tenant's PDB or a template's frozen copy: OPEN of a PDB
    whose tenant is not ACTIVE or in MAINTENANCE is refused (RESUME / UNDROP reopen them), and a
    template's copy is only dropped with DROP TENANT TEMPLATE."""
    template = cat.template_of_pdb(c.con_id)
    if template is not None and action != "CLOSE":
        raise ora(65914, f"use DROP TENANT TEMPLATE {template}", name=c.name, template=template)
    name = cat.tenant_of(c.con_id)
    t = cat.tenant(name) if name else None
    if t is not None and action == "OPEN" and t.state not in (states.ACTIVE, states.MAINTENANCE):
        raise ora(65912, name=c.name, tenant=t.name, state=t.state)
