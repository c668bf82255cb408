"""INSERT INTO t VALUES (1) into a table of more columns (pgcompat.inserts): the first columns
get the values, the others their defaults, as in PostgreSQL. Binding runs nothing and leaves
the transaction alone, so DuckDB's binder is asked first; only a statement it refuses for
missing values gets the column list."""

from __future__ import annotations

import re
from typing import Any

import duckdb
from duckdb import _seam

from engine import pgmath

_MISSING = re.compile(r'table "[^"]*" has (\d+) columns but (\d+) values were supplied')


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def complete(con: Any, sql: str, spec: dict[str, Any] | None) -> str:
    """sql with the target's first columns named when DuckDB finds values missing, else sql."""
    if not spec:
        return sql
    done = _named(con, sql, spec) if "at" in spec else sql
    if spec.get("numeric"):  # computed values into numeric columns (after the column list's place)
        done = pgmath.exact_writes(con, done, spec["numeric"], len(done) - len(sql))
    return done


def _named(con: Any, sql: str, spec: dict[str, Any]) -> str:
    try:
        _seam.bind(con, sql)
        return sql
    except duckdb.BinderException as e:
        m = _MISSING.search(str(e))
        if m is None or int(m.group(2)) >= int(m.group(1)):
            return sql  # DuckDB's error stands (engine.errors words it as PostgreSQL does)
        given = int(m.group(2))
    names = [d[0] for d in con.execute(f"SELECT * FROM {spec['table']} LIMIT 0").description]
    at = int(spec["at"])
    columns = ", ".join(_quote(n) for n in names[:given])
    return f"{sql[:at]}({columns}) {sql[at:]}"
