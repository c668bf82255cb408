"""Oracle errors of the container commands: the ORA number in the message, a SQLSTATE in the code."""

from __future__ import annotations

from proxy.errors import DbError

# ORA number -> (SQLSTATE, message template). The one table of these errors.
ORACLE_ERRORS: dict[int, tuple[str, str]] = {
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
}


def ora(number: int, **kw: str) -> DbError:
    sqlstate, template = ORACLE_ERRORS[number]
    return DbError(sqlstate, f"ORA-{number:05d}: {template.format(**kw)}")
