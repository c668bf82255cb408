"""Foreign keys carried out by the engine, with PostgreSQL's semantics.

DuckDB's own foreign keys carry out no referential action, count the children a transaction
deleted before their parent, and refuse an UPDATE of an indexed column of a referenced row (it
is a delete and an insert). So DuckCDB creates tables without them (pgcompat.foreign_keys takes
the clauses out) and keeps their definitions in a hidden table of the PDB's own DuckDB file,
`__duckcdb.foreign_keys` (it survives restarts, kill -9, unplug/plug and clones; tenants can
neither name nor change it: policies.sandbox). Around each statement that writes a table a
foreign key names, inside the statement's transaction (the PDB's write gate makes the writer
alone, so what it reads is what it commits):

- after a DELETE or UPDATE of a referenced table, the referencing rows left without their parent
  get the foreign key's action: CASCADE deletes them (ON UPDATE CASCADE gives them the new key,
  from the old->new pairs read before the UPDATE), SET NULL / SET DEFAULT change them, again and
  again through cascades and self-references until nothing changes (a key a cascade or SET NULL
  changes is followed: its old->new pairs are read before it changes, for the foreign keys that
  reference it with an ON UPDATE action);
- then every foreign key of a table written is checked (an anti-join): 23503 with PostgreSQL's
  message, detail and fields, at the end of the statement, or at COMMIT for a DEFERRABLE
  INITIALLY DEFERRED one (or after SET CONSTRAINTS ... DEFERRED). RESTRICT is never deferred.

MATCH SIMPLE (a key with a NULL is not checked) and MATCH FULL. A PDB without foreign keys pays
one integer comparison per statement. Tables made before this, with DuckDB's own foreign keys,
keep them (DuckDB checks those).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from engine import constraint_names
from pgwire.errors import DbError

SCHEMA = "__duckcdb"
TABLE = '"__duckcdb"."foreign_keys"'
CREATE = (
    'CREATE SCHEMA IF NOT EXISTS "__duckcdb"',
    'CREATE TABLE IF NOT EXISTS "__duckcdb"."foreign_keys"(name VARCHAR NOT NULL, child_schema VARCHAR NOT NULL,'
    " child_table VARCHAR NOT NULL, child_cols VARCHAR[] NOT NULL, parent_schema VARCHAR NOT NULL,"
    " parent_table VARCHAR NOT NULL, parent_cols VARCHAR[] NOT NULL, on_delete VARCHAR NOT NULL,"
    " on_update VARCHAR NOT NULL, match_type VARCHAR NOT NULL, is_deferrable BOOLEAN NOT NULL,"
    " is_deferred BOOLEAN NOT NULL, seq BIGINT NOT NULL)",
    # ON DELETE SET NULL / SET DEFAULT (a, ...): the columns set (NULL: all of the key's); a
    # column since PostgreSQL 15's form came (added to the tables made before)
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS delete_set_cols VARCHAR[]",
)
_READ = (
    "SELECT name, child_schema, child_table, child_cols, parent_schema, parent_table, parent_cols, on_delete,"
    f" on_update, match_type, is_deferrable, is_deferred, delete_set_cols FROM {TABLE} ORDER BY seq"
)
# How many rounds of cascades one statement may take (a cycle of ON UPDATE SET DEFAULT could go on).
MAX_ROUNDS = 10_000

_ACTIONS = {"c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

Run = Callable[[str, Any], Any]  # runs SQL in the statement's transaction (and records it)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{quote(schema)}.{quote(table)}"


def _pg_ident(name: str) -> str:
    """A name as PostgreSQL's messages print it (quote_identifier)."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else quote(name)


def _pg_schema(schema: str) -> str:
    return "public" if schema == "main" else schema


@dataclass(frozen=True)
class ForeignKey:
    name: str
    child_schema: str
    child_table: str
    child_cols: tuple[str, ...]
    parent_schema: str
    parent_table: str
    parent_cols: tuple[str, ...]
    on_delete: str  # pg_constraint's codes: a (NO ACTION), r, c, n, d
    on_update: str
    match: str  # s (SIMPLE) or f (FULL)
    deferrable: bool
    deferred: bool
    delete_set_cols: tuple[str, ...] | None = None  # ON DELETE SET NULL (a, ...): those only

    def set_cols(self, event: str) -> tuple[str, ...]:
        """The columns its SET NULL / SET DEFAULT sets on this event: on a delete, those its
        column list names (PostgreSQL 15), else all of its key's."""
        return self.delete_set_cols if event == "delete" and self.delete_set_cols else self.child_cols

    @property
    def child(self) -> tuple[str, str]:
        return (self.child_schema, self.child_table.lower())

    @property
    def parent(self) -> tuple[str, str]:
        return (self.parent_schema, self.parent_table.lower())

    def orphans(self, c: str = "__c") -> str:
        """The condition of a child row (alias c) whose key has no parent row."""
        nonnull = " AND ".join(f"{c}.{quote(k)} IS NOT NULL" for k in self.child_cols)
        same = " AND ".join(
            f"__p.{quote(pk)} = {c}.{quote(k)}"
            for k, pk in zip(self.child_cols, self.parent_cols, strict=True)
        )
        parent = qualified(self.parent_schema, self.parent_table)
        return f"{nonnull} AND NOT EXISTS (SELECT 1 FROM {parent} AS __p WHERE {same})"

    def child_error(self, values: tuple[Any, ...] | None) -> DbError:
        if values is None:
            detail = "MATCH FULL does not allow mixing of null and nonnull key values."
        else:
            detail = (
                f"Key ({', '.join(_pg_ident(k) for k in self.child_cols)})=({', '.join(str(v) for v in values)}) "
                f'is not present in table "{self.parent_table}".'
            )
        return DbError(
            "23503",
            f'insert or update on table "{self.child_table}" violates foreign key constraint "{self.name}"',
            detail=detail,
            objects=self._objects(),
        )

    def parent_error(self, values: tuple[Any, ...]) -> DbError:
        return DbError(
            "23503",
            f'update or delete on table "{self.parent_table}" violates foreign key constraint "{self.name}" '
            f'on table "{self.child_table}"',
            detail=(
                f"Key ({', '.join(_pg_ident(k) for k in self.parent_cols)})=({', '.join(str(v) for v in values)}) "
                f'is still referenced from table "{self.child_table}".'
            ),
            objects=self._objects(),
        )

    def _objects(self) -> dict[str, str]:
        return {"schema": _pg_schema(self.child_schema), "table": self.child_table, "constraint": self.name}


def read(con: duckdb.DuckDBPyConnection) -> tuple[ForeignKey, ...]:
    """The PDB's foreign keys as con's transaction sees them (none when the table is missing:
    a PDB opened read-only before its first read-write open since this came)."""
    try:
        rows = con.execute(_READ).fetchall()
    except duckdb.CatalogException:
        return ()
    except duckdb.BinderException:  # a PDB opened read-only, made before delete_set_cols
        rows = [(*r, None) for r in con.execute(_READ.replace(", delete_set_cols", "")).fetchall()]
    return tuple(
        ForeignKey(
            r[0],
            r[1],
            r[2],
            tuple(r[3]),
            r[4],
            r[5],
            tuple(r[6]),
            r[7],
            r[8],
            r[9],
            r[10],
            r[11],
            None if r[12] is None else tuple(r[12]),
        )
        for r in rows
    )


def install(con: duckdb.DuckDBPyConnection) -> None:
    """The hidden table, in a PDB opened read-write (idempotent)."""
    for sql in CREATE:
        con.execute(sql)


class Registry:
    """The committed foreign keys of one PDB, read again after any DDL (engine.session.DdlCount)."""

    def __init__(self, cursor: Callable[[], duckdb.DuckDBPyConnection], ddl: Any) -> None:
        self._cursor = cursor
        self._ddl = ddl
        self._lock = threading.Lock()
        self._stamp = -1
        self._fks: tuple[ForeignKey, ...] = ()

    def committed(self) -> tuple[ForeignKey, ...]:
        stamp = self._ddl.value
        if stamp == self._stamp:
            return self._fks
        with self._lock:
            if stamp != self._stamp:
                con = self._cursor()
                try:
                    self._fks = read(con)
                finally:
                    con.close()
                self._stamp = stamp
        return self._fks


# ---------------------------------------------------------------- DML


@dataclass(frozen=True)
class Target:
    """What a DML statement writes: its table (None: not known, every foreign key is looked at)
    and, for an UPDATE, the SELECT of the old and new values of the columns it sets."""

    table: tuple[str, str] | None
    update: exp.Update | None = None
    sets: frozenset[str] | None = None  # the columns an UPDATE sets (lower case); None: any


@lru_cache(maxsize=64)
def _names(fks: tuple[ForeignKey, ...]) -> tuple[str, ...]:
    return tuple({n for fk in fks for n in (fk.child_table.lower(), fk.parent_table.lower())})


def may_name(fks: tuple[ForeignKey, ...], sql: str) -> bool:
    """Whether the statement's text holds the name of a table a foreign key names: the few
    microseconds that spare most statements of a PDB with foreign keys a parse (target_of)."""
    low = sql.lower()
    return any(n in low for n in _names(fks))


@lru_cache(maxsize=4096)
def target_of(sql: str) -> Target:
    try:
        tree = sqlglot.parse_one(sql, dialect="duckdb")
    except sqlglot.errors.SqlglotError:
        return Target(None)
    node = tree
    if isinstance(node, (exp.Insert, exp.Update, exp.Delete, exp.Merge)):
        t = node.this
        if isinstance(t, exp.Schema):
            t = t.this
        if isinstance(t, exp.Table) and not t.catalog:
            schema = t.db or "main"
            if isinstance(node, exp.Update):
                cols = [e.this for e in node.expressions if isinstance(e, exp.EQ)]
                sets = frozenset(c.name.lower() for c in cols if isinstance(c, exp.Column))
                return Target(
                    (schema, t.name.lower()), node, sets if len(sets) == len(node.expressions) else None
                )
            return Target((schema, t.name.lower()))
    return Target(None)


def _renumbered(sql: str, values: Any) -> tuple[str, list[Any] | None]:
    """A query made of some of a statement's expressions, its $n numbered 1.. and their values."""
    used = sorted({int(n) for n in re.findall(r"\$(\d+)", sql)})
    if not used or not values:
        return sql, None
    get = (lambda n: values[str(n)]) if isinstance(values, dict) else (lambda n: values[n - 1])
    at = {n: i + 1 for i, n in enumerate(used)}
    return re.sub(r"\$(\d+)", lambda m: f"${at[int(m.group(1))]}", sql), [get(n) for n in used]


def key(fk: ForeignKey) -> str:
    """A foreign key's identity: its name is unique per table."""
    return f"{fk.child_schema}.{fk.child_table.lower()}.{fk.name}"


class Enforcer:
    """One statement's foreign-key work: before it (old->new key pairs for ON UPDATE CASCADE),
    after it (actions, then checks)."""

    def __init__(
        self,
        fks: tuple[ForeignKey, ...],
        run: Run,
        deferred: Callable[[ForeignKey], bool],
        waiting: frozenset[str] = frozenset(),
    ) -> None:
        self.fks = fks
        self.run = run
        self.deferred = deferred  # whether a NO ACTION check waits for COMMIT
        self.waiting = waiting  # keys (key()) of the foreign keys whose checks wait for COMMIT
        self.pending: list[tuple[ForeignKey, bool]] = []  # deferred checks: (fk, as the parent's)
        self._maps: dict[str, str] = {}  # key() -> temporary table of (old..., new...) keys
        self._before: dict[str, str] = {}  # key() -> temporary table of keys orphaned before
        self._chains: list[str] = []  # temporary tables of keys a cascade changes (_chained)
        self._defaults: dict[str, str] = {}  # key() -> the rows SET DEFAULT changes, their defaults
        self._went: dict[str, str] = {}  # key() -> the keys SET DEFAULT replaced (check())
        self._n = 0

    def _scratch(self) -> str:
        self._n += 1
        return f"temp.main.{quote(f'__duckcdb_fk_{self._n}')}"

    def _orphans(self, fk: ForeignKey) -> str:
        """Rows left without a parent by this statement: not those a deferred check already
        waits for (rows inserted before their parent), which PostgreSQL's actions never reach."""
        cond = fk.orphans()
        kept = self._before.get(key(fk))
        if kept is not None:
            same = " AND ".join(f"__o.__k{i} = __c.{quote(k)}" for i, k in enumerate(fk.child_cols))
            cond += f" AND NOT EXISTS (SELECT 1 FROM {kept} AS __o WHERE {same})"
        return cond

    def involved(self, table: tuple[str, str] | None) -> bool:
        if table is None:
            return bool(self.fks)
        return any(fk.child == table or fk.parent == table for fk in self.fks)

    def before(self, kind: str, target: Target, values: Any) -> None:
        """The keys already without a parent of foreign keys whose checks wait for COMMIT (and
        that have actions); for ON UPDATE CASCADE, the pairs of old and new keys of the rows the
        UPDATE changes."""
        for fk in self.fks:
            if key(fk) in self.waiting and {fk.on_delete, fk.on_update} & {"c", "n", "d"}:
                cols = ", ".join(f"__c.{quote(k)} AS __k{i}" for i, k in enumerate(fk.child_cols))
                name = self._scratch()
                child = qualified(fk.child_schema, fk.child_table)
                self.run(
                    f"CREATE OR REPLACE TEMPORARY TABLE {name} AS SELECT DISTINCT {cols} FROM {child} AS __c "
                    f"WHERE {fk.orphans()}",
                    None,
                )
                self._before[key(fk)] = name
        if kind != "update" or target.table is None:
            return
        cascades = [fk for fk in self.fks if fk.parent == target.table and fk.on_update in ("c", "n", "d")]
        if not cascades:
            return
        upd = target.update
        if upd is None:
            raise DbError("0A000", "ON UPDATE actions: DuckCDB cannot read this UPDATE's changes")
        alias = upd.this.alias_or_name
        sets = {}
        for e in upd.expressions:
            if isinstance(e, exp.EQ) and isinstance(e.this, exp.Column):
                sets[e.this.name.lower()] = e.expression
        for fk in cascades:
            if not any(c.lower() in sets for c in fk.parent_cols):
                continue
            old = [f"{quote(alias)}.{quote(c)} AS __o{i}" for i, c in enumerate(fk.parent_cols)]
            new = [
                f"{sets[c.lower()].sql(dialect='duckdb') if c.lower() in sets else quote(alias) + '.' + quote(c)} AS __n{i}"
                for i, c in enumerate(fk.parent_cols)
            ]
            table = upd.this.sql(dialect="duckdb")
            frm = upd.args.get("from")
            where = upd.args.get("where")
            query = f"SELECT {', '.join(old + new)} FROM {table}"
            if frm is not None:
                query += ", " + ", ".join(x.sql(dialect="duckdb") for x in [frm.this, *frm.expressions])
            if where is not None:
                query += " " + where.sql(dialect="duckdb")
            name = self._scratch()
            query, args = _renumbered(query, values)
            self.run(f"CREATE OR REPLACE TEMPORARY TABLE {name} AS {query}", args)
            self._maps[key(fk)] = name

    def after(self, kind: str, target: Target, upsert: bool = False) -> None:
        """Actions, then checks, for a statement of this kind that wrote target's table."""
        table, sets = target.table, target.sets

        def touches(cols: tuple[str, ...]) -> bool:
            return sets is None or any(c.lower() in sets for c in cols)

        as_child: dict[str, ForeignKey] = {}  # checked as the referencing table's
        events: list[tuple[ForeignKey, str]] = []  # (fk, "delete" | "update") of its referenced table
        for fk in self.fks:
            writes_key = kind in ("insert", "copy", "merge") or (kind == "update" and touches(fk.child_cols))
            if (table is None or fk.child == table) and writes_key:
                as_child[fk.name + "\0" + fk.child_table] = fk
            if table is None or fk.parent == table:
                if kind in ("delete", "merge"):
                    events.append((fk, "delete"))
                if kind == "merge" or upsert or (kind == "update" and touches(fk.parent_cols)):
                    events.append((fk, "update"))
        as_parent: dict[str, ForeignKey] = {}
        # each event carries the old->new key pairs of its referenced rows, when they changed
        queue = [(fk, event, self._maps.get(key(fk)) if event == "update" else None) for fk, event in events]
        rounds = 0
        while queue:
            rounds += 1
            if rounds > MAX_ROUNDS:
                raise DbError("54001", "foreign key actions go on without end (a cycle of cascades)")
            fk, event, m = queue.pop(0)
            as_parent[fk.name + "\0" + fk.child_table] = fk
            action = fk.on_delete if event == "delete" else fk.on_update
            nxt = "delete" if (action == "c" and event == "delete") else "update"
            # the keys of fk's table that this action changes and other foreign keys reference:
            # read before they change, so that those act in turn (a chain of ON UPDATE CASCADE)
            chained = self._chained(fk, action, event, m) if nxt == "update" else {}
            if not self._act(fk, action, event, m):
                continue
            if action == "d":
                as_child[fk.name + "\0" + fk.child_table] = fk  # the default must have a parent
            queue += [(g, nxt, chained.get(key(g))) for g in self.fks if g.parent == fk.child]
        for name in [*self._maps.values(), *self._before.values(), *self._chains, *self._defaults.values()]:
            self.run(f"DROP TABLE IF EXISTS {name}", None)
        self._maps.clear()
        self._before.clear()
        self._chains.clear()
        self._defaults.clear()
        went, self._went = self._went, {}
        for k in dict.fromkeys([*as_child, *as_parent]):
            fk = as_child.get(k) or as_parent[k]
            by_parent = k in as_parent and (k not in as_child or kind == "delete")
            restrict = by_parent and "r" in (fk.on_delete, fk.on_update)
            if not restrict and self.deferred(fk):
                self.pending.append((fk, by_parent))
                continue
            check(self.run, fk, by_parent, went.get(key(fk)))
        for name in went.values():
            self.run(f"DROP TABLE IF EXISTS {name}", None)

    def _changed_rows(self, fk: ForeignKey, event: str, m: str | None) -> str:
        """FROM/WHERE of the rows of fk's table that its action changes (alias __c; with the
        old->new pairs as __m when they are known)."""
        child = qualified(fk.child_schema, fk.child_table)
        if event == "update" and m is not None:
            same = " AND ".join(f"__c.{quote(k)} = __m.__o{i}" for i, k in enumerate(fk.child_cols))
            moved = " OR ".join(f"__m.__o{i} IS DISTINCT FROM __m.__n{i}" for i in range(len(fk.child_cols)))
            return f"FROM {child} AS __c JOIN {m} AS __m ON {same} AND ({moved})"
        return f"FROM {child} AS __c WHERE {self._orphans(fk)}"

    def _chained(self, fk: ForeignKey, action: str, event: str, m: str | None) -> dict[str, str]:
        """For each foreign key with an ON UPDATE action that references columns of fk's table
        which fk's action changes: a temporary table of the old and new values of its referenced
        key in the rows that change (key() -> table). Read before the action runs."""
        if action not in ("c", "n", "d") or (action == "c" and (event != "update" or m is None)):
            return {}
        sets = {k.lower() for k in fk.set_cols(event)}
        changed = {k.lower(): i for i, k in enumerate(fk.child_cols) if k.lower() in sets}
        out: dict[str, str] = {}
        for g in self.fks:
            if g.parent != fk.child or g.on_update not in ("c", "n", "d"):
                continue
            if not any(c.lower() in changed for c in g.parent_cols):
                continue  # the key g references does not change
            if action == "d":
                # the rows' defaults, computed once (a sequence's nextval too): _act writes these
                d = self._default_rows(fk, event, m)
                old = [f"__d.{quote(c)} AS __o{j}" for j, c in enumerate(g.parent_cols)]
                new = [
                    f"{'__d.' + quote(c) if changed.get(c.lower()) is None else f'__d.__d{changed[c.lower()]}'} AS __n{j}"
                    for j, c in enumerate(g.parent_cols)
                ]
                rows = f"FROM {d} AS __d"
            else:
                rows = self._changed_rows(fk, event, m)
                old = [f"__c.{quote(c)} AS __o{j}" for j, c in enumerate(g.parent_cols)]
                new = []
                for j, c in enumerate(g.parent_cols):
                    i = changed.get(c.lower())
                    value = f"__c.{quote(c)}" if i is None else ("NULL" if action == "n" else f"__m.__n{i}")
                    new.append(f"{value} AS __n{j}")
            name = self._scratch()
            self.run(
                f"CREATE OR REPLACE TEMPORARY TABLE {name} AS SELECT DISTINCT {', '.join(old + new)} {rows}",
                None,
            )
            self._chains.append(name)
            out[key(g)] = name
        return out

    def _default_rows(self, fk: ForeignKey, event: str, m: str | None) -> str:
        """A temporary table of the rows of fk's table that its SET DEFAULT changes: their row id
        (__r), every column as it is, and the default of each of fk's columns (__d0, ...), each
        computed once, so that the keys other foreign keys reference follow the values written."""
        known = self._defaults.get(key(fk))
        if known is not None:
            return known
        defaults = dict(
            (str(c).lower(), d) for c, d in self.run(_DEFAULTS, [fk.child_schema, fk.child_table]).fetchall()
        )
        values = ", ".join(
            f"CAST({defaults.get(k.lower()) or 'NULL'} AS {_type_of(self.run, fk, k)}) AS __d{i}"
            for i, k in enumerate(fk.child_cols)
        )
        name = self._scratch()
        rows = self._changed_rows(fk, event, m)
        self.run(
            f"CREATE OR REPLACE TEMPORARY TABLE {name} AS SELECT __c.rowid AS __r, __c.*, {values} {rows}",
            None,
        )
        self._defaults[key(fk)] = name
        return name

    def _act(self, fk: ForeignKey, action: str, event: str, m: str | None) -> int:
        child = qualified(fk.child_schema, fk.child_table)
        if action == "d" and key(fk) not in self._went:
            # the keys SET DEFAULT replaces: a default that is one of them still has no parent
            # (PostgreSQL: the referenced row's error), any other the referencing row's (check())
            name = self._scratch()
            cols = ", ".join(f"__c.{quote(k)} AS __k{i}" for i, k in enumerate(fk.child_cols))
            rows = self._changed_rows(fk, event, m)
            self.run(f"CREATE OR REPLACE TEMPORARY TABLE {name} AS SELECT DISTINCT {cols} {rows}", None)
            self._went[key(fk)] = name
        if action == "c" and event == "delete":
            return _count(self.run(f"DELETE FROM {child} AS __c WHERE {self._orphans(fk)}", None))
        if action == "c" and event == "update":
            if m is None:
                return 0
            sets = ", ".join(f"{quote(k)} = __m.__n{i}" for i, k in enumerate(fk.child_cols))
            same = " AND ".join(f"__c.{quote(k)} = __m.__o{i}" for i, k in enumerate(fk.child_cols))
            moved = " OR ".join(f"__m.__o{i} IS DISTINCT FROM __m.__n{i}" for i in range(len(fk.child_cols)))
            return _count(
                self.run(f"UPDATE {child} AS __c SET {sets} FROM {m} AS __m WHERE {same} AND ({moved})", None)
            )
        if action == "d" and key(fk) in self._defaults:  # the defaults other keys follow (_chained)
            d = self._defaults[key(fk)]
            sets = ", ".join(
                f"{quote(k)} = __d.__d{i}" for i, k in enumerate(fk.child_cols) if k in fk.set_cols(event)
            )
            return _count(
                self.run(f"UPDATE {child} AS __c SET {sets} FROM {d} AS __d WHERE __c.rowid = __d.__r", None)
            )
        if action in ("n", "d"):
            value = "NULL" if action == "n" else "DEFAULT"
            sets = ", ".join(f"{quote(k)} = {value}" for k in fk.set_cols(event))
            if (
                event == "update" and m is not None
            ):  # the rows whose parent's key this UPDATE changed (swaps included)
                same = " AND ".join(f"__c.{quote(k)} = __m.__o{i}" for i, k in enumerate(fk.child_cols))
                moved = " OR ".join(
                    f"__m.__o{i} IS DISTINCT FROM __m.__n{i}" for i in range(len(fk.child_cols))
                )
                where = f"EXISTS (SELECT 1 FROM {m} AS __m WHERE {same} AND ({moved}))"
                return _count(self.run(f"UPDATE {child} AS __c SET {sets} WHERE {where}", None))
            return _count(self.run(f"UPDATE {child} AS __c SET {sets} WHERE {self._orphans(fk)}", None))
        return 0


_DEFAULTS = (
    "SELECT column_name, column_default FROM duckdb_columns() WHERE database_name = current_database() "
    "AND schema_name = ? AND lower(table_name) = lower(?)"
)


def _type_of(run: Run, fk: ForeignKey, column: str) -> str:
    rows = run(
        "SELECT data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ? "
        "AND lower(table_name) = lower(?) AND lower(column_name) = lower(?)",
        [fk.child_schema, fk.child_table, column],
    ).fetchall()
    return str(rows[0][0]) if rows else "VARCHAR"


def _count(res: Any) -> int:
    try:
        row = res.fetchone()
    except (duckdb.Error, AttributeError):
        return 0
    return int(row[0]) if row and row[0] is not None else 0


def check(run: Run, fk: ForeignKey, by_parent: bool, went: str | None = None) -> None:
    """23503 when a row of fk's table has a key its parent does not have. went: the keys a SET
    DEFAULT replaced (a temporary table): a row whose default is one of them is the referenced
    row's error (PostgreSQL rechecks it at once), any other the referencing row's."""
    child = qualified(fk.child_schema, fk.child_table)
    cols = ", ".join(f"CAST(__c.{quote(k)} AS VARCHAR)" for k in fk.child_cols)
    if went is not None:
        same = " AND ".join(f"__w.__k{i} = __c.{quote(k)}" for i, k in enumerate(fk.child_cols))
        row = run(
            f"SELECT {cols} FROM {child} AS __c WHERE {fk.orphans()} "
            f"AND EXISTS (SELECT 1 FROM {went} AS __w WHERE {same}) LIMIT 1",
            None,
        ).fetchone()
        if row is not None:
            raise fk.parent_error(tuple(row))
        by_parent = False
    row = run(f"SELECT {cols} FROM {child} AS __c WHERE {fk.orphans()} LIMIT 1", None).fetchone()
    if row is not None:
        raise fk.parent_error(tuple(row)) if by_parent else fk.child_error(tuple(row))
    if fk.match == "f" and len(fk.child_cols) > 1:
        some = " OR ".join(f"__c.{quote(k)} IS NULL" for k in fk.child_cols)
        every = " AND ".join(f"__c.{quote(k)} IS NULL" for k in fk.child_cols)
        if run(f"SELECT 1 FROM {child} AS __c WHERE ({some}) AND NOT ({every}) LIMIT 1", None).fetchone():
            raise fk.child_error(None)


# ---------------------------------------------------------------- DDL

_TABLE = (
    "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? "
    "AND lower(table_name) = lower(?)"
)
_COLUMNS = (
    "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = ? "
    "AND lower(table_name) = lower(?) ORDER BY column_index"
)
_KEYS = (
    "SELECT constraint_type, constraint_column_names FROM duckdb_constraints() WHERE database_name = current_database() "
    "AND schema_name = ? AND lower(table_name) = lower(?) AND constraint_type IN ('PRIMARY KEY', 'UNIQUE') "
    "ORDER BY constraint_type = 'UNIQUE', constraint_index"
)


def _stored_table(run: Run, schema: str, table: str) -> str | None:
    row = run(_TABLE, [schema, table]).fetchone()
    return str(row[0]) if row else None


def _columns(run: Run, schema: str, table: str) -> list[str]:
    return [str(r[0]) for r in run(_COLUMNS, [schema, table]).fetchall()]


def _resolve(names: list[str], actual: list[str], what: str) -> list[str]:
    by_lower = {a.lower(): a for a in actual}
    out = []
    for n in names:
        found = by_lower.get(n.lower())
        if found is None:
            raise DbError("42703", f'column "{n}" referenced in foreign key constraint does not exist')
        out.append(found)
    return out


def add(
    run: Run, fks_now: tuple[ForeignKey, ...], schema: str, table: str, spec: dict[str, Any], validate: bool
) -> ForeignKey:
    """A foreign key of table schema.table: names resolved, the referenced key checked, its rows
    checked (unless NOT VALID or the table was just made), its definition kept."""
    stored = _stored_table(run, schema, table)
    if stored is None:
        raise DbError("42P01", f'relation "{table}" does not exist')
    child_cols = _resolve(spec["child_cols"], _columns(run, schema, stored), "child")
    p_schema, p_table = spec["parent_schema"], spec["parent_table"]
    p_stored = _stored_table(run, p_schema, p_table)
    if p_stored is None:
        raise DbError("42P01", f'relation "{p_table}" does not exist')
    keys = [(str(t), [str(c) for c in cols]) for t, cols in run(_KEYS, [p_schema, p_stored]).fetchall()]
    if spec["parent_cols"]:
        parent_cols = _resolve(spec["parent_cols"], _columns(run, p_schema, p_stored), "parent")
        want = sorted(c.lower() for c in parent_cols)
        if not any(sorted(c.lower() for c in cols) == want for _, cols in keys):
            raise DbError(
                "42830",
                f'there is no unique constraint matching given keys for referenced table "{p_stored}"',
            )
    else:
        pk = [cols for t, cols in keys if t == "PRIMARY KEY"]
        if not pk:
            raise DbError("42830", f'there is no primary key for referenced table "{p_stored}"')
        parent_cols = pk[0]
    if len(parent_cols) != len(child_cols):
        raise DbError("42830", "number of referencing and referenced columns for foreign key disagree")
    taken = {fk.name.lower() for fk in fks_now if fk.child == (schema, stored.lower())}
    taken |= {
        str(r[0]).lower()
        for r in run(
            "SELECT constraint_name FROM duckdb_constraints() WHERE database_name = current_database() "
            "AND schema_name = ? AND lower(table_name) = lower(?)",
            [schema, stored],
        ).fetchall()
    }
    name = spec.get("name")
    if name:
        if name.lower() in {fk.name.lower() for fk in fks_now if fk.child == (schema, stored.lower())}:
            raise DbError("42710", f'constraint "{name}" for relation "{stored}" already exists')
    else:
        base = f"{stored}_{'_'.join(child_cols)}_fkey"[:63]
        name, n = base, 0
        while name.lower() in taken:
            n += 1
            name = f"{base[: 63 - len(str(n))]}{n}"
    fk = ForeignKey(
        name,
        schema,
        stored,
        tuple(child_cols),
        p_schema,
        p_stored,
        tuple(parent_cols),
        spec["on_delete"],
        spec["on_update"],
        spec["match"],
        bool(spec["deferrable"]),
        bool(spec["deferred"]),
        _set_columns(spec.get("delete_set_cols"), child_cols, _columns(run, schema, stored)),
    )
    if validate and not spec.get("not_valid"):
        check(run, fk, False)
    run(
        f"INSERT INTO {TABLE} (name, child_schema, child_table, child_cols, parent_schema, parent_table, parent_cols,"
        " on_delete, on_update, match_type, is_deferrable, is_deferred, delete_set_cols, seq)"
        f" SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce((SELECT max(seq) FROM {TABLE}), 0) + 1",
        [
            fk.name,
            fk.child_schema,
            fk.child_table,
            list(fk.child_cols),
            fk.parent_schema,
            fk.parent_table,
            list(fk.parent_cols),
            fk.on_delete,
            fk.on_update,
            fk.match,
            fk.deferrable,
            fk.deferred,
            None if fk.delete_set_cols is None else list(fk.delete_set_cols),
        ],
    )
    return fk


def _set_columns(
    names: list[str] | None, child_cols: list[str], table_cols: list[str]
) -> tuple[str, ...] | None:
    """ON DELETE SET NULL / SET DEFAULT (a, ...)'s columns as the key spells them: each a column
    of the table (42703) and of the key (42P10), as in PostgreSQL."""
    if not names:
        return None
    by_lower = {c.lower(): c for c in child_cols}
    out = []
    for n in _resolve(names, table_cols, "child"):
        c = by_lower.get(n.lower())
        if c is None:
            raise DbError(
                "42P10", f'column "{n}" referenced in ON DELETE SET action must be part of foreign key'
            )
        out.append(c)
    return tuple(dict.fromkeys(out))


def drop_constraint(run: Run, fks: tuple[ForeignKey, ...], spec: dict[str, Any]) -> bool:
    """ALTER TABLE t DROP CONSTRAINT n of one of these foreign keys; False: not one of them."""
    table = (spec["schema"], str(spec["table"]).lower())
    name = str(spec["drop_constraint"])
    for fk in fks:
        if fk.child == table and fk.name.lower() == name.lower():
            run(
                f"DELETE FROM {TABLE} WHERE child_schema = ? AND lower(child_table) = ? AND name = ?",
                [fk.child_schema, fk.child_table.lower(), fk.name],
            )
            return True
    return False


def follow_alter(run: Run, spec: dict[str, Any]) -> None:
    """The definitions after an ALTER TABLE that renamed the table or a column, or dropped one."""
    schema, table = spec["schema"], str(spec["table"]).lower()
    if spec.get("rename_table"):
        new = str(spec["rename_table"])
        for side in ("child", "parent"):
            run(
                f"UPDATE {TABLE} SET {side}_table = ? WHERE {side}_schema = ? AND lower({side}_table) = ?",
                [new, schema, table],
            )
    if spec.get("rename_column"):
        old, new = spec["rename_column"]
        for side, cols in (("child", "child_cols"), ("child", "delete_set_cols"), ("parent", "parent_cols")):
            run(
                f"UPDATE {TABLE} SET {cols} = list_transform({cols}, lambda c: CASE WHEN lower(c) = lower(?) "
                f"THEN ? ELSE c END) WHERE {side}_schema = ? AND lower({side}_table) = ?",
                [old, new, schema, table],
            )
    if spec.get("drop_column"):
        # PostgreSQL drops a foreign key with a column of its key
        run(
            f"DELETE FROM {TABLE} WHERE child_schema = ? AND lower(child_table) = ? "
            "AND list_contains(list_transform(child_cols, lambda c: lower(c)), lower(?))",
            [schema, table, str(spec["drop_column"])],
        )


_DROP = re.compile(
    r"^\s*(DROP\s+TABLE|TRUNCATE(?:\s+TABLE)?)\s+(IF\s+EXISTS\s+)?(ONLY\s+)?(.+?)\s*;?\s*$", re.I | re.S
)


def split_name(text: str) -> tuple[str, str]:
    parts = re.findall(r'"((?:[^"]|"")*)"|([^."\s]+)', text)
    names = [q.replace('""', '"') if q else bare.lower() for q, bare in parts]
    if len(names) >= 2:
        schema, table = names[-2], names[-1]
    else:
        schema, table = "main", names[-1] if names else ""
    return ("main" if schema == "public" else schema, table.lower())


def dropped_tables(sqls: list[str]) -> tuple[str, list[tuple[str, str]], bool, list[str]]:
    """('drop' | 'truncate' | '', the tables, CASCADE, the statements as DuckDB runs them)."""
    verb, tables, cascade, out = "", [], False, []
    for sql in sqls:
        m = _DROP.match(sql)
        if m is None:
            return "", [], False, sqls
        verb = "drop" if m.group(1).upper().startswith("DROP") else "truncate"
        rest = m.group(4)
        tail = re.search(r"\s+(CASCADE|RESTRICT)\s*$", rest, re.I)
        if tail:
            cascade = cascade or tail.group(1).upper() == "CASCADE"
            rest = rest[: tail.start()]
        rest = re.sub(r"\s+(CONTINUE|RESTART)\s+IDENTITY\s*$", "", rest, flags=re.I)
        tables.append(split_name(rest.strip()))
        if verb == "truncate":
            out.append(re.sub(r"\s+CASCADE\s*;?\s*$", "", sql, flags=re.I))
        else:
            out.append(sql)
    return verb, tables, cascade, out


def drop_or_truncate(
    run: Run,
    fks: tuple[ForeignKey, ...],
    verb: str,
    tables: list[tuple[str, str]],
    cascade: bool,
    notices: list[str],
) -> list[str]:
    """Before DROP TABLE / TRUNCATE of tables: PostgreSQL's refusal when another table's foreign
    key references one (2BP01 / 0A000), or with CASCADE the foreign keys dropped (DROP) or the
    referencing tables truncated too (TRUNCATE). Returns the extra statements to run after."""
    gone = set(tables)
    extra: list[str] = []
    if verb == "truncate":
        changed = True
        while changed:
            changed = False
            for fk in fks:
                if fk.parent in gone and fk.child not in gone:
                    if not cascade:
                        raise DbError(
                            "0A000",
                            "cannot truncate a table referenced in a foreign key constraint",
                            detail=f'Table "{fk.child_table}" references "{fk.parent_table}".',
                            hint=f'Truncate table "{fk.child_table}" at the same time, or use TRUNCATE ... CASCADE.',
                        )
                    gone.add(fk.child)
                    notices.append(f'truncate cascades to table "{fk.child_table}"')
                    extra.append(f"DELETE FROM {qualified(fk.child_schema, fk.child_table)}")
                    changed = True
        return extra
    for fk in fks:
        if fk.parent in gone and fk.child not in gone:
            if not cascade:
                raise DbError(
                    "2BP01",
                    f"cannot drop table {fk.parent_table} because other objects depend on it",
                    detail=f"constraint {fk.name} on table {fk.child_table} depends on table {fk.parent_table}",
                    hint="Use DROP ... CASCADE to drop the dependent objects too.",
                )
            notices.append(f"drop cascades to constraint {fk.name} on table {fk.child_table}")
    for fk in fks:
        if fk.parent in gone or fk.child in gone:
            run(
                f"DELETE FROM {TABLE} WHERE child_schema = ? AND lower(child_table) = ? AND name = ?",
                [fk.child_schema, fk.child_table.lower(), fk.name],
            )
    return extra


def forget_table(run: Run, schema: str, table: str) -> None:
    """CREATE TABLE t: definitions left over under its name (a table dropped outside DuckCDB's
    sight, e.g. by DROP SCHEMA ... CASCADE) are not t's."""
    run(
        f"DELETE FROM {TABLE} WHERE (child_schema = ? AND lower(child_table) = lower(?)) "
        "OR (parent_schema = ? AND lower(parent_table) = lower(?))",
        [schema, table, schema, table],
    )


def forget_schemas(run: Run) -> None:
    """After DROP SCHEMA: the foreign keys of the tables that went with it."""
    schemas = "(SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database())"
    run(f"DELETE FROM {TABLE} WHERE child_schema NOT IN {schemas} OR parent_schema NOT IN {schemas}")


# The catalog emulation (pgcompat.shim) reads the definitions through this macro of each session's
# connection, which reads nothing in a PDB opened read-only before the hidden table was made.
MACRO = "__duckcdb_foreign_keys"
_EMPTY = (
    "SELECT NULL::VARCHAR AS name, NULL::VARCHAR AS child_schema, NULL::VARCHAR AS child_table,"
    " NULL::VARCHAR[] AS child_cols, NULL::VARCHAR AS parent_schema, NULL::VARCHAR AS parent_table,"
    " NULL::VARCHAR[] AS parent_cols, NULL::VARCHAR AS on_delete, NULL::VARCHAR AS on_update,"
    " NULL::VARCHAR AS match_type, NULL::BOOLEAN AS is_deferrable, NULL::BOOLEAN AS is_deferred, NULL::BIGINT AS seq,"
    " NULL::VARCHAR[] AS delete_set_cols WHERE false"
)


def session_macro(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute(f"SELECT 1 FROM {TABLE} LIMIT 0")
        body = f"SELECT * FROM {TABLE}"
        try:
            con.execute(f"SELECT delete_set_cols FROM {TABLE} LIMIT 0")
        except duckdb.BinderException:  # a PDB opened read-only, made before the column
            body = f"SELECT *, NULL::VARCHAR[] AS delete_set_cols FROM {TABLE}"
    except duckdb.CatalogException:
        body = _EMPTY
    con.execute(f"CREATE OR REPLACE TEMP MACRO {MACRO}() AS TABLE {body}")
    constraint_names.session_macro(con)  # (the catalog reads the names given to constraints beside them)
