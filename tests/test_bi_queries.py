"""The catalog queries BI tools send when they connect to PostgreSQL and browse a schema (DBeaver,
Metabase, Grafana, Superset, Tableau, pgAdmin, and pgjdbc's DatabaseMetaData that Tableau and
DBeaver use), replayed against a PDB.

The queries live in tests/bi/queries.sql, literal, with where each comes from. Every one must run
without error; listings must show the PDB's real objects (a `contains:` or `min_rows:` key in the
query's header). A query DuckCDB cannot answer yet is listed in KNOWN_GAPS and runs as a strict
xfail: the suite stays green, and a gap that gets fixed fails until its entry is removed.

Each query runs in the protocol the tool's driver speaks: pgjdbc (DBeaver, Metabase, Tableau) and
pgx (Grafana) prepare statements (Parse, Describe, Bind, Execute); psycopg2 (Superset) and pgAdmin's
psycopg without parameters send simple Query messages. All run in order on one session per module,
as a tool's session would (Tableau's temporary-table probe is created by one query and dropped by
the next).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.server import RunningServer

QUERIES = Path(__file__).parent / "bi" / "queries.sql"

# Drivers that prepare every statement (pgjdbc, pgx); the others send simple Query messages.
EXTENDED_TOOLS = {"dbeaver", "pgjdbc", "metabase", "tableau", "grafana"}

SCHEMA = [
    "DROP VIEW IF EXISTS bi_order_totals",
    "DROP TABLE IF EXISTS bi_orders",
    "DROP TABLE IF EXISTS bi_customers",
    "CREATE TABLE bi_customers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL,"
    " email VARCHAR(200), created_at TIMESTAMP)",
    "CREATE TABLE bi_orders (id INTEGER PRIMARY KEY,"
    " customer_id INTEGER NOT NULL REFERENCES bi_customers(id), amount NUMERIC(12,2),"
    " status VARCHAR(20) DEFAULT 'new', ordered_at TIMESTAMP)",
    "CREATE INDEX bi_orders_customer_idx ON bi_orders(customer_id)",
    "CREATE VIEW bi_order_totals AS SELECT customer_id, sum(amount) AS total, count(*) AS n"
    " FROM bi_orders GROUP BY customer_id",
    "INSERT INTO bi_customers VALUES (1, 'Ada', 'ada@example.com', '2024-01-02 03:04:05'),"
    " (2, 'Grace', NULL, NULL)",
    "INSERT INTO bi_orders VALUES (10, 1, 12.50, 'paid', '2024-02-01 10:00:00'),"
    " (11, 1, 7.25, 'new', NULL), (12, 2, 100.00, 'paid', '2024-03-01 12:00:00')",
]

# Queries DuckCDB cannot answer yet: query id -> why. Remove an entry once its query passes.
KNOWN_GAPS: dict[str, str] = {}


@dataclass(frozen=True)
class BiQuery:
    id: str
    tool: str
    source: str
    purpose: str
    sql: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def protocol(self) -> str:
        default = "extended" if self.tool in EXTENDED_TOOLS else "simple"
        return self.options.get("protocol", default)

    def contains(self) -> list[str]:
        raw = self.options.get("contains", "")
        return [v.strip() for v in raw.split(",") if v.strip()]


def load_queries(path: Path = QUERIES) -> list[BiQuery]:
    """The fixture's queries, each with an id of its tool and ordinal (dbeaver-01, ...)."""
    queries: list[BiQuery] = []
    seen: Counter[str] = Counter()
    for chunk in re.split(r"^;;[ \t]*$", path.read_text(), flags=re.MULTILINE):
        lines = chunk.strip("\n").splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("-- tool:")), None)
        if start is None:
            continue
        fields: dict[str, str] = {}
        for part in lines[start][3:].split(" | "):
            key, _, value = part.partition(":")
            fields[key.strip()] = value.strip()
        tool = fields.pop("tool")
        seen[tool] += 1
        queries.append(
            BiQuery(
                id=f"{tool}-{seen[tool]:02d}",
                tool=tool,
                source=fields.pop("source"),
                purpose=fields.pop("purpose"),
                sql="\n".join(lines[start + 1 :]).strip(),
                options=fields,
            )
        )
    return queries


PLACEHOLDER = re.compile(r"\{(nsp|rel):(\w+)\}|\{(db_oid|dbname)\}")

LOOKUPS = {
    "nsp": "SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = %s",
    "rel": "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
    " ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = %s",
    "db_oid": "SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()",
    "dbname": "SELECT current_database()",
}


class Session:
    """One connection kept across the module's queries, reopened if a query broke it."""

    def __init__(self, server: RunningServer, pdb: str) -> None:
        self.server, self.pdb = server, pdb
        self.conn = self._connect()
        self.values: dict[str, str] = {}

    def _connect(self) -> psycopg.Connection:
        return self.server.connect(self.pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True)

    def live(self) -> psycopg.Connection:
        if self.conn.closed or self.conn.broken:
            self.conn = self._connect()
        return self.conn

    def value(self, key: str, name: str | None) -> str:
        """An oid or name the tool would have read from an earlier listing."""
        cache_key = f"{key}:{name}" if name else key
        if cache_key not in self.values:
            with self.live().cursor() as cur:
                cur.execute(LOOKUPS[key], (name,) if name else None)
                row = cur.fetchone()
            assert row is not None and row[0] is not None, f"lookup of {cache_key} found nothing"
            self.values[cache_key] = str(row[0])
        return self.values[cache_key]

    def fill(self, text: str) -> str:
        def sub(m: re.Match[str]) -> str:
            return self.value(m.group(1) or m.group(3), m.group(2))

        return PLACEHOLDER.sub(sub, text)

    def run(self, q: BiQuery) -> list[tuple[Any, ...]]:
        """The rows of every result the query produced, sent the way the tool's driver sends it."""
        sql = self.fill(q.sql)
        rows: list[tuple[Any, ...]] = []
        with self.live().cursor() as cur:
            if q.protocol == "extended":
                cur.execute(sql, prepare=True)
            else:
                cur.execute(sql)
            while True:
                if cur.description is not None:
                    rows.extend(cur.fetchall())
                if not cur.nextset():
                    break
        return rows

    def close(self) -> None:
        self.conn.close()


@pytest.fixture(scope="module")
def bi_session(server: RunningServer, pdb: str) -> Iterator[Session]:
    session = Session(server, pdb)
    with session.conn.cursor() as cur:
        for stmt in SCHEMA:
            cur.execute(stmt)
    yield session
    session.close()


def _params() -> list[Any]:
    params = []
    for q in load_queries():
        marks = []
        if q.id in KNOWN_GAPS:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[q.id]))
        params.append(pytest.param(q, id=q.id, marks=marks))
    return params


@pytest.mark.parametrize("query", _params())
def test_bi_query(bi_session: Session, query: BiQuery) -> None:
    if query.options.get("expect") == "error":
        with pytest.raises(psycopg.Error):
            bi_session.run(query)
        # the failure leaves the session usable, as the tool expects
        with bi_session.live().cursor() as cur:
            cur.execute("SELECT 1")
            assert cur.fetchone() == (1,)
        return
    rows = bi_session.run(query)
    cells = {str(v) for row in rows for v in row}
    missing = [v for v in (bi_session.fill(c) for c in query.contains()) if v not in cells]
    assert not missing, f"{query.id} ({query.purpose}): {missing} not in the result {rows[:20]}"
    min_rows = int(query.options.get("min_rows", "0"))
    assert len(rows) >= min_rows, f"{query.id}: {len(rows)} rows, expected at least {min_rows}"


def test_fixture_is_well_formed() -> None:
    queries = load_queries()
    assert len(queries) >= 40
    assert len({q.id for q in queries}) == len(queries)
    allowed = {"contains", "min_rows", "protocol", "expect"}
    for q in queries:
        assert q.source and q.purpose and q.sql, q.id
        assert set(q.options) <= allowed, (q.id, q.options)
        assert q.protocol in {"simple", "extended"}, q.id
    assert {q.tool for q in queries} >= {"dbeaver", "metabase", "grafana", "superset", "tableau", "pgadmin"}
    assert set(KNOWN_GAPS) <= {q.id for q in queries}, set(KNOWN_GAPS) - {q.id for q in queries}
