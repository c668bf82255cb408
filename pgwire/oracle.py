"""Oracle errors of the container commands: the ORA number in the message, a SQLSTATE in the code."""

from __future__ import annotations

from pgwire.errors import DbError

# ORA number -> (SQLSTATE, message template). The one table of these errors.
ORACLE_ERRORS: dict[int, tuple[str, str]] = {
    65081: (
        "2BP01",
        "pluggable database {name} is the source of snapshot clones ({clones}); drop them first",
    ),
    65113: ("53100", "storage limit of {name} is below its current usage of {used} bytes"),
    65114: ("53100", "space usage in container is too high"),
    65343: ("55000", "pluggable database {name} has already been unplugged"),
    65122: ("42710", "pluggable database GUID conflicts with the GUID of an existing container ({name})"),
    1031: ("42501", "insufficient privileges"),
    1109: ("57P03", "database not open"),
    1219: ("57P03", "database or pluggable database not open: queries allowed on fixed tables or views only"),
    18: ("53300", "maximum number of sessions exceeded"),
    65011: ("42704", "pluggable database {name} does not exist"),
    65012: ("42710", "pluggable database {name} already exists"),
    65017: ("55000", "seed pluggable database may not be dropped or altered"),
    65019: ("55000", "pluggable database {name} already open"),
    65020: ("55000", "pluggable database {name} already closed"),
    65025: ("55000", "pluggable database {name} is not closed on all instances"),
    65040: ("42501", "operation not allowed from within a pluggable database"),
    65085: ("55000", "cannot open pluggable database in read-only mode"),
    65086: ("55000", "cannot open/close the pluggable database"),
    65179: ("55000", "cannot keep datafiles for a pluggable database that is not unplugged"),
    65000: ("42601", "missing or invalid pluggable database name"),
    65023: ("25001", "active transaction exists in container {name}"),
    65026: ("58030", "XML metadata file error"),
    65035: ("55000", "unable to create pluggable database from {name}"),
    1035: ("57P03", "pluggable database {name} is open RESTRICTED"),
    1045: ("42501", "user {name} lacks CREATE SESSION privilege; logon denied"),
    1157: ("58P01", "cannot identify/lock data file of {name}"),
    900: ("42601", "invalid SQL statement"),
    905: ("42601", "missing keyword {keyword}"),
    987: ("42601", "missing or invalid username(s)"),
    2180: ("42601", "invalid size {size}"),
    # users, roles, privileges (catalog.commands.users)
    922: ("42601", "missing or invalid option: {option}"),
    988: ("42601", "missing or invalid password(s)"),
    990: ("42601", "missing or invalid privilege: {privilege}"),
    1917: ("42704", "user or role '{name}' does not exist"),
    1918: ("42704", "user '{name}' does not exist"),
    1919: ("42704", "role '{name}' does not exist"),
    1920: ("42710", "user name '{name}' conflicts with another user or role name"),
    1921: ("42710", "role name '{name}' conflicts with another user or role name"),
    1931: ("0LP01", "cannot grant {privilege} to a role"),
    1934: ("0LP01", "circular role grant detected"),
    1935: ("42602", "missing user or role name"),
    1940: ("55006", "cannot drop a user that is currently connected"),
    1951: ("42704", "ROLE '{role}' not granted to '{name}'"),
    1952: ("42704", "system privileges not granted to '{name}'"),
    3001: ("0A000", "unimplemented feature: {feature}"),
    16000: ("25006", "database or pluggable database open for read-only access"),
    28000: ("28000", "the account is locked"),
    28014: ("42501", "cannot drop administrative user or role"),
    65029: ("42501", "a Local User may not grant or revoke a common privilege or role"),
    65030: ("0LP01", "one may not grant a Common Privilege to a Local User or Role"),
    65049: ("42501", "creation of local user or role is not allowed in CDB$ROOT"),
    65050: ("42501", "Common DDLs only allowed in CDB$ROOT"),
    65066: ("42501", "The specified changes must apply to all containers"),
    65092: ("0LP01", "system privilege or role granted with a different scope to '{name}'"),
    65094: ("42939", "invalid local user or role name"),
    65096: ("42939", "invalid common user or role name"),
    # resource parameters (catalog.commands.resources)
    2065: ("42704", "illegal option for ALTER SYSTEM: {name}"),
    2097: ("22023", "parameter {name} cannot be modified because specified value is invalid: {reason}"),
    # CDB resource plans (catalog.commands.plans)
    29355: ("22023", "NULL or invalid {argument} argument specified"),
    29356: ("42704", "plan directive {plan}, {name} does not exist"),
    29357: ("42710", "object {name} already exists"),
    29358: ("42704", "resource plan {name} does not exist"),
    29360: ("55006", "resource plan {name} is in force (RESOURCE_MANAGER_PLAN); it cannot be deleted"),
    29364: ("42710", "plan directive {plan}, {name} already exists"),
    # lockdown profiles (catalog.commands.lockdown, policies.lockdown)
    2381: ("42501", "cannot drop {name} profile: it is shipped with the CDB"),
    65208: ("42704", "Lockdown profile {name} does not exist."),
    65209: ("42710", "Lockdown profile {name} already exists."),
    65370: ("22023", "{name} initialization parameter cannot be specified in a lockdown profile"),
    # tenants (the tenants package); 659xx is DuckCDB's own range
    65901: ("42704", "tenant {name} does not exist"),
    65902: ("42710", "tenant {name} already exists"),
    65903: ("55000", "tenant {name} cannot go from {from_state} to {to_state}"),
    65904: ("57P03", "tenant {name} is suspended: {reason}"),
    65905: ("57P03", "tenant {name} is in maintenance: only users with RESTRICTED SESSION may connect"),
    65906: ("57P03", "tenant {name} is being migrated; connect again when it is done"),
    65907: ("55000", "tenant {name} is terminated"),
    65908: ("42704", "tenant template {name} does not exist"),
    65909: ("42710", "tenant template {name} already exists"),
    65910: ("53400", "tenant {name} does not fit service tier {tier}"),
    65911: ("53400", "guaranteed {resource} over all tenants would exceed the machine"),
    65912: ("55000", "pluggable database {name} belongs to tenant {tenant}, which is {state}"),
    65913: ("22023", "invalid tenant quota {name}: {reason}"),
    65915: ("XX001", "backup {id} is damaged: {reason}"),
    65916: ("42704", "backup {id} does not exist"),
    65914: ("55000", "pluggable database {name} is the frozen copy of tenant template {template}"),
    # service tiers changed at runtime (tenants.tiers) and PDB relocation (catalog.relocate)
    65920: ("22023", "invalid value for service tier {name}: {reason}"),
    65921: ("53400", "the pluggable databases of service tier {name} do not fit its new figures"),
    65922: ("57P03", "pluggable database {name} is being relocated; connect again when it is done"),
    65923: ("42501", "invalid relocation target {location}"),
    65924: ("55000", "pluggable database {name} cannot be relocated"),
}


def ora(number: int, because: str | None = None, sqlstate: str | None = None, **kw: str) -> DbError:
    """The error ORA-number with its message filled in; because: what went wrong in this case,
    after the message; sqlstate: where one number covers failures of different classes."""
    state, template = ORACLE_ERRORS[number]
    message = f"ORA-{number:05d}: {template.format(**kw)}"
    if because:
        message += f": {because}"
    return DbError(sqlstate or state, message)
