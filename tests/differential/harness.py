"""Run the differential corpus on DuckCDB and on PostgreSQL 15 and compare what each answers.

For every statement of corpus.txt both servers are asked the same text, with the simple query
protocol, on an autocommit psycopg 3 connection, and these must be equal:

- the result column names and the type OIDs of RowDescription;
- every value as PostgreSQL's text format, byte for byte (read from the PGresult, never parsed);
- the rows, in order when the statement has a top-level ORDER BY, otherwise as multisets;
- the command tag (`SELECT 3`, `INSERT 0 1`);
- for errors the SQLSTATE: both must fail, with the same SQLSTATE (an error on one side only is a
  difference). Messages are not compared.

Statements of the `[setup]` section run first on each connection and must succeed on both (temp
tables for the constraint and query statements). Statements of categories in WRAPPED run inside
BEGIN ... ROLLBACK, so that none leaves anything behind for the next.
"""

from __future__ import annotations

import re
import threading
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import pq

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.txt"
KNOWN = HERE / "known_differences.toml"

SETUP = "setup"
WRAPPED = frozenset({"dml"})  # categories whose statements run inside BEGIN ... ROLLBACK
STATEMENT_TIMEOUT = "10s"
WATCHDOG_SECONDS = 30.0
_ENTRY = re.compile(r"([A-Za-z0-9_-]+):\s?(.*)")
_CATEGORY = re.compile(r"\[([a-z0-9_]+)\]")
_DOLLAR_QUOTE = re.compile(r"\$[A-Za-z_]*\$")


# ------------------------------------------------------------------ corpus and known differences


@dataclass(frozen=True)
class Statement:
    id: str
    category: str
    sql: str
    line: int

    @property
    def ordered(self) -> bool:
        return has_top_level_order_by(self.sql)


class CorpusError(ValueError):
    pass


def parse_corpus(text: str, name: str = "corpus.txt") -> list[Statement]:
    """`[category]` lines, `id: SQL` entries, indented continuation lines, `#` comments."""
    out: list[Statement] = []
    seen: set[str] = set()
    category = ""
    current: list[str] | None = None
    start = 0
    cur_id = ""

    def flush() -> None:
        nonlocal current
        if current is not None:
            sql = "\n".join(current).strip()
            if not sql:
                raise CorpusError(f"{name}:{start}: {cur_id} has no SQL")
            out.append(Statement(cur_id, category, sql, start))
        current = None

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        if line[0] in " \t":
            if current is None:
                raise CorpusError(f"{name}:{lineno}: continuation line outside a statement")
            current.append(line.strip())
            continue
        if line.startswith("#"):
            continue
        flush()
        m = _CATEGORY.fullmatch(line)
        if m:
            category = m.group(1)
            continue
        m = _ENTRY.fullmatch(line)
        if not m:
            raise CorpusError(f"{name}:{lineno}: expected '[category]' or 'id: SQL', got {line!r}")
        if not category:
            raise CorpusError(f"{name}:{lineno}: statement before any [category]")
        cur_id, start = m.group(1), lineno
        if cur_id in seen:
            raise CorpusError(f"{name}:{lineno}: duplicate id {cur_id}")
        seen.add(cur_id)
        current = [m.group(2)]
    flush()
    return out


def load_corpus(path: Path = CORPUS) -> list[Statement]:
    return parse_corpus(path.read_text(encoding="utf-8"), path.name)


@dataclass(frozen=True)
class Known:
    id: str
    cause: str  # the TOML table the entry is in: one cause shared by several statements
    reason: str  # the entry's own one-line reason


def load_known(path: Path = KNOWN) -> dict[str, Known]:
    """`["cause"]` tables of `id = "reason"` entries; an id may be listed once only."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, Known] = {}
    for cause, entries in data.items():
        if not isinstance(entries, dict):
            raise CorpusError(f'{path.name}: {cause!r} must be a table of id = "reason"')
        for sid, reason in entries.items():
            if not isinstance(reason, str) or not reason.strip():
                raise CorpusError(f"{path.name}: [{cause}] {sid} needs a one-line reason")
            if sid in out:
                raise CorpusError(f"{path.name}: {sid} listed twice ({out[sid].cause!r} and {cause!r})")
            out[sid] = Known(sid, cause, reason)
    return out


def has_top_level_order_by(sql: str) -> bool:
    """Whether the statement's own ORDER BY fixes the row order (not one inside parentheses)."""
    depth = 0
    flat: list[str] = []
    i = 0
    while i < len(sql):
        ch = sql[i]
        dollar = _DOLLAR_QUOTE.match(sql, i) if ch == "$" else None
        if dollar:  # $tag$ ... $tag$
            end = sql.find(dollar.group(0), dollar.end())
            i = len(sql) if end < 0 else end + len(dollar.group(0))
            flat.append(" ")
            continue
        if ch in "'\"":  # skip quoted text; '' and "" escape themselves, E'..' also has backslashes
            prefix = sql[max(0, i - 2) : i]
            backslashes = (
                ch == "'" and prefix[-1:] in ("e", "E") and not (prefix[:-1].isalnum() or prefix[:-1] == "_")
            )
            j = i + 1
            while j < len(sql):
                if backslashes and sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == ch:
                    if j + 1 < len(sql) and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
            flat.append(" ")
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            flat.append(ch)
        i += 1
    return re.search(r"\border\s+by\b", "".join(flat), re.IGNORECASE) is not None


# ------------------------------------------------------------------ running


@dataclass
class Outcome:
    """What one server answered, as text: columns, type OIDs, rows, command tag or SQLSTATE."""

    columns: tuple[str, ...] = ()
    types: tuple[int, ...] = ()
    rows: list[tuple[str | None, ...]] = field(default_factory=list)
    status: str = ""
    sqlstate: str | None = None
    message: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.sqlstate is not None

    def brief(self, type_names: dict[int, str] | None = None, max_rows: int = 4) -> str:
        if self.failed:
            return f"ERROR {self.sqlstate}: {self.message.splitlines()[0] if self.message else ''}"
        names = type_names or {}
        cols = ", ".join(f"{c}::{names.get(t, t)}" for c, t in zip(self.columns, self.types, strict=False))
        shown = "; ".join("|".join("NULL" if v is None else v for v in r) for r in self.rows[:max_rows])
        more = f" ... ({len(self.rows)} rows)" if len(self.rows) > max_rows else ""
        return f"[{cols}] {shown}{more}" + (f"  <{self.status}>" if not self.columns else "")


def _text(b: bytes | None) -> str | None:
    return None if b is None else b.decode("utf-8", errors="backslashreplace")


def run_one(conn: psycopg.Connection, sql: str, wrap: bool = False) -> Outcome:
    """Execute one statement (simple query protocol, text results) and read the raw PGresult."""
    t0 = time.perf_counter()
    out = Outcome()
    cur = conn.cursor()
    # statement_timeout is set on both servers; this is the last resort against a server that hangs
    watchdog = threading.Timer(WATCHDOG_SECONDS, conn.cancel_safe)
    watchdog.start()
    try:
        if wrap:
            conn.execute("BEGIN")
        cur.execute(sql.encode("utf-8"))
        res = cur.pgresult
        if res is not None and res.status == pq.ExecStatus.TUPLES_OK:
            out.columns = tuple(_text(res.fname(i)) or "" for i in range(res.nfields))
            out.types = tuple(res.ftype(i) for i in range(res.nfields))
            out.rows = [
                tuple(_text(res.get_value(r, c)) for c in range(res.nfields)) for r in range(res.ntuples)
            ]
        out.status = cur.statusmessage or ""
        extra = 0
        while cur.nextset():  # one statement per entry: more results are a difference of their own
            extra += 1
        if extra:
            out.status += f" (+{extra} more results)"
    except psycopg.Error as e:
        out.sqlstate = e.sqlstate or ("08006" if conn.closed else "XX000")
        out.message = str(e).strip()
    finally:
        watchdog.cancel()
        cur.close()
        if not conn.closed and conn.info.transaction_status != pq.TransactionStatus.IDLE:
            try:
                conn.execute("ROLLBACK")
            except psycopg.Error:
                pass
    out.seconds = time.perf_counter() - t0
    return out


@dataclass
class Side:
    """One server's connection for the run, reconnected (and set up again) when it breaks."""

    name: str
    connect: Callable[[], psycopg.Connection]
    setup: list[Statement]
    conn: psycopg.Connection | None = None
    reconnects: int = 0

    def open(self) -> psycopg.Connection:
        if self.conn is None or self.conn.closed:
            if self.conn is not None:
                self.reconnects += 1
            self.conn = self.connect()
            self.conn.autocommit = True
            self.conn.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")
            for st in self.setup:
                res = run_one(self.conn, st.sql)
                if res.failed:
                    raise RuntimeError(f"{self.name}: setup statement {st.id} failed: {res.message}")
        return self.conn

    def run(self, st: Statement) -> Outcome:
        return run_one(self.open(), st.sql, wrap=st.category in WRAPPED)

    def close(self) -> None:
        if self.conn is not None and not self.conn.closed:
            self.conn.close()


# ------------------------------------------------------------------ comparing


def _multiset_key(row: tuple[str | None, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, v or "") for v in row)


def compare(pg: Outcome, dc: Outcome, ordered: bool) -> list[str]:
    """The aspects in which DuckCDB's answer differs from PostgreSQL's (empty: the same)."""
    if pg.failed or dc.failed:
        if pg.sqlstate == dc.sqlstate:
            return []
        if not pg.failed:
            return ["error-only-duckcdb"]
        if not dc.failed:
            return ["error-only-postgres"]
        return ["sqlstate"]
    diffs = []
    if pg.columns != dc.columns:
        diffs.append("columns")
    if pg.types != dc.types:
        diffs.append("types")
    if len(pg.rows) != len(dc.rows):
        diffs.append("row-count")
    elif ordered and pg.rows != dc.rows:
        same_set = sorted(pg.rows, key=_multiset_key) == sorted(dc.rows, key=_multiset_key)
        diffs.append("row-order" if same_set else "values")
    elif not ordered and sorted(pg.rows, key=_multiset_key) != sorted(dc.rows, key=_multiset_key):
        diffs.append("values")
    if pg.status != dc.status:
        diffs.append("command-tag")
    return diffs


@dataclass
class Result:
    statement: Statement
    pg: Outcome
    duckcdb: Outcome
    diffs: list[str]

    @property
    def matches(self) -> bool:
        return not self.diffs


@dataclass
class Run:
    results: list[Result]
    known: dict[str, Known]
    type_names: dict[int, str]
    seconds: float
    corpus_ids: frozenset[str] = frozenset()  # every id of the corpus file, run or not

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def matching(self) -> int:
        return sum(r.matches for r in self.results)

    @property
    def unexpected(self) -> list[Result]:
        """Differences the known-differences file does not list."""
        return [r for r in self.results if not r.matches and r.statement.id not in self.known]

    @property
    def fixed(self) -> list[Result]:
        """Listed statements that now match: their entries must go."""
        return [r for r in self.results if r.matches and r.statement.id in self.known]

    def stale(self) -> list[str]:
        """Listed ids that are not in the corpus at all."""
        ids = self.corpus_ids or {r.statement.id for r in self.results}
        return sorted(k for k in self.known if k not in ids)

    def by_cause(self) -> dict[str, list[Result]]:
        """The differing statements that are listed, grouped by their cause, in the file's order."""
        groups: dict[str, list[Result]] = {k.cause: [] for k in self.known.values()}
        for r in self.results:
            if not r.matches and r.statement.id in self.known:
                groups[self.known[r.statement.id].cause].append(r)
        return {cause: rs for cause, rs in groups.items() if rs}

    def failures(self) -> list[str]:
        """Why the differential test fails: unlisted differences, listed statements that match, stale ids."""
        out = []
        if self.unexpected:
            out.append(
                f"{len(self.unexpected)} statements differ from PostgreSQL and are not in known_differences.toml:"
            )
            out += [self.describe(r) for r in self.unexpected]
        if self.fixed:
            out.append(
                f"{len(self.fixed)} statements listed in known_differences.toml match now (remove them):"
            )
            out += [f"{r.statement.id}: {self.known[r.statement.id].reason}" for r in self.fixed]
        if self.stale():
            out.append("ids in known_differences.toml that are not in corpus.txt: " + ", ".join(self.stale()))
        return out

    def summary(self) -> str:
        pct = 100.0 * self.matching / self.total if self.total else 0.0
        return (
            f"differential: {self.matching} of {self.total} statements match PostgreSQL 15 ({pct:.1f}%); "
            f"{len(self.known)} known differences, {len(self.unexpected)} unexpected, "
            f"{len(self.fixed)} listed but matching now; {self.seconds:.1f} s"
        )

    def describe(self, r: Result) -> str:
        st = r.statement
        sql = " ".join(st.sql.split())
        return (
            f"{st.id} [{st.category}] ({', '.join(r.diffs)}): {sql}\n"
            f"    postgres: {r.pg.brief(self.type_names)}\n"
            f"    duckcdb:  {r.duckcdb.brief(self.type_names)}"
        )


def run_corpus(
    connect_pg: Callable[[], psycopg.Connection],
    connect_duckcdb: Callable[[], psycopg.Connection],
    statements: Iterable[Statement] | None = None,
    known: dict[str, Known] | None = None,
) -> Run:
    t0 = time.perf_counter()
    corpus = load_corpus()
    stmts = list(corpus if statements is None else statements)
    setup = [s for s in stmts if s.category == SETUP]
    tests = [s for s in stmts if s.category != SETUP]
    pg = Side("postgres", connect_pg, setup)
    dc = Side("duckcdb", connect_duckcdb, setup)
    try:
        type_names = dict(pg.open().execute("SELECT oid::int, typname::text FROM pg_type").fetchall())
        results = []
        for st in tests:
            a = pg.run(st)
            b = dc.run(st)
            results.append(Result(st, a, b, compare(a, b, st.ordered)))
    finally:
        pg.close()
        dc.close()
    known = load_known() if known is None else known
    ids = frozenset(s.id for s in corpus)
    return Run(results, known, type_names, time.perf_counter() - t0, ids)
