"""psql's backslash commands against a PDB: the catalog shim (pgcompat/shim/) and the rewrites
(policies/catalog_rewrites.py), checked with the real psql against a live server, and offline.

The PDB gets the schema of tests/psql/schema.sql: tables with primary, unique and foreign keys,
indexes, defaults, NOT NULL and a CHECK, a view, a sequence, a macro, a second schema, a quoted
mixed-case table and comments. A second PDB holds a table of its own that must never show.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time
import uuid
from pathlib import Path

import duckdb
import pytest
from sqlglot.dialects.postgres import Postgres

from engine import foreign_keys
from pgcompat import catalog_rewrites, session_tables
from tests.server import RunningServer

SCHEMA = Path(__file__).parent / "psql" / "schema.sql"
ADMIN = "catadm"
OTHER_ADMIN = "othadm"
PASSWORD = "Cat-Admin-Pw-1"


def _psql_cmd(server: RunningServer, db: str, user: str) -> list[str]:
    base = ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"]
    return [*base, "-p", str(server.port), "-U", user, "-d", db]


def _env() -> dict[str, str]:
    return dict(os.environ, PGPASSWORD=PASSWORD, PGSSLMODE="disable", PAGER="cat", COLUMNS="250")


def psql(server: RunningServer, db: str, *args: str, user: str = ADMIN, script: str | None = None) -> str:
    """psql's standard output; any error (psql's exit status, an error on stderr) fails the test."""
    out = subprocess.run(
        [*_psql_cmd(server, db, user), *args],
        input=script,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    # psql reports empty listings of some commands on stderr, as it does against PostgreSQL
    errors = [line for line in out.stderr.splitlines() if not line.startswith("Did not find any ")]
    assert out.returncode == 0 and not errors, f"psql {args}: {out.stderr}\n{out.stdout}"
    return out.stdout


def rows(server: RunningServer, db: str, command: str, user: str = ADMIN) -> list[list[str]]:
    """The rows a command prints, unaligned and without headers."""
    return [
        line.split("|")
        for line in psql(server, db, "-A", "-t", "-c", command, user=user).splitlines()
        if line
    ]


@pytest.fixture(scope="module")
def cat(server: RunningServer) -> tuple[str, str]:
    """(a PDB with the schema of tests/psql/schema.sql, another PDB with a table of its own)."""
    suffix = uuid.uuid4().hex[:6].upper()
    name, other = f"CAT{suffix}", f"OTH{suffix}"
    with server.connect(autocommit=True) as con:
        for pdb, admin in ((name, ADMIN), (other, OTHER_ADMIN)):
            con.execute(f'CREATE PLUGGABLE DATABASE {pdb} ADMIN USER {admin} IDENTIFIED BY "{PASSWORD}"')
            con.execute(f"ALTER PLUGGABLE DATABASE {pdb} OPEN")
    psql(server, name, "-q", script=SCHEMA.read_text())
    psql(
        server,
        other,
        "-q",
        "-c",
        "CREATE TABLE secret_other_table (id integer PRIMARY KEY)",
        user=OTHER_ADMIN,
    )
    return name, other


# ---------------------------------------------------------------- listings


def test_l_lists_only_the_connected_pdb(server: RunningServer, cat: tuple[str, str]) -> None:
    name, other = cat
    out = psql(server, name, "-c", r"\l")
    assert "List of databases" in out
    listed = rows(server, name, r"\l")
    assert [r[0] for r in listed] == [name]
    assert listed[0][1].lower() == ADMIN and listed[0][2] == "UTF8"
    for absent in (other, "CDB$ROOT", "PDB$SEED", "/"):
        assert absent not in out
    assert not re.search(r"\bdata\b", out)  # the DuckDB database's own name
    assert [r[0] for r in rows(server, other, r"\l", user=OTHER_ADMIN)] == [other]


def test_dt_lists_visible_tables(server: RunningServer, cat: tuple[str, str]) -> None:
    name, _ = cat
    listed = rows(server, name, r"\dt")
    assert [r[:3] for r in listed] == [
        ["public", "MixedCase", "table"],
        ["public", "customers", "table"],
        ["public", "orders", "table"],
    ]
    assert all(r[3].lower() == ADMIN for r in listed)
    assert [r[:2] for r in rows(server, name, r"\dt sales.*")] == [["sales", "regions"]]
    assert [r[:2] for r in rows(server, name, r"\dt *.*")][-1] == ["sales", "regions"]
    assert "secret_other_table" not in psql(server, name, "-c", r"\dt *.*")


def test_dt_plus(server: RunningServer, cat: tuple[str, str]) -> None:
    name, _ = cat
    by_name = {r[1]: r for r in rows(server, name, r"\dt+")}
    assert set(by_name) == {"MixedCase", "customers", "orders"}
    assert by_name["orders"][4:6] == ["permanent", "heap"]
    assert by_name["orders"][-1] == "customer orders"
    assert by_name["customers"][-1] == ""


def test_dn_du_df_dv_di_ds(server: RunningServer, cat: tuple[str, str]) -> None:
    name, _ = cat
    assert [r[0] for r in rows(server, name, r"\dn")] == ["public", "sales"]
    roles = rows(server, name, r"\du")
    assert [r[0].lower() for r in roles] == [ADMIN]
    assert [r[:5] for r in rows(server, name, r"\df")] == [["public", "add_tax", "", "x", "func"]]
    assert [r[:3] for r in rows(server, name, r"\dv")] == [["public", "big_orders", "view"]]
    assert [(r[1], r[2], r[4]) for r in rows(server, name, r"\di")] == [
        ("MixedCase_pkey", "index", "MixedCase"),
        ("customers_email_key", "index", "customers"),
        ("customers_name_idx", "index", "customers"),
        ("customers_pkey", "index", "customers"),
        ("orders_customer_idx", "index", "orders"),
        ("orders_pkey", "index", "orders"),
    ]
    assert [r[:3] for r in rows(server, name, r"\ds")] == [["public", "order_seq", "sequence"]]
    assert [r[:3] for r in rows(server, name, r"\d")] == [
        ["public", "MixedCase", "table"],
        ["public", "big_orders", "view"],
        ["public", "customers", "table"],
        ["public", "order_seq", "sequence"],
        ["public", "orders", "table"],
    ]


# ---------------------------------------------------------------- \d


D_ORDERS = """\
                                Table "public.orders"
   Column    |     Type      | Collation | Nullable |            Default
-------------+---------------+-----------+----------+--------------------------------
 order_id    | bigint        |           | not null | nextval('order_seq'::regclass)
 customer_id | integer       |           | not null |
 amount      | numeric(10,2) |           | not null | 0
 note        | text          |           |          |
 placed      | date          |           |          |
Indexes:
    "orders_pkey" PRIMARY KEY, btree (order_id)
    "orders_customer_idx" btree (customer_id)
Check constraints:
    "orders_amount_check" CHECK (amount >= 0)
Foreign-key constraints:
    "orders_customer_id_fkey" FOREIGN KEY (customer_id) REFERENCES customers(id)

"""

D_CUSTOMERS = """\
                              Table "public.customers"
   Column   |            Type             | Collation | Nullable |      Default
------------+-----------------------------+-----------+----------+-------------------
 id         | integer                     |           | not null |
 name       | character varying(100)      |           | not null |
 email      | text                        |           |          |
 created_at | timestamp without time zone |           |          | CURRENT_TIMESTAMP
 active     | boolean                     |           |          | true
Indexes:
    "customers_pkey" PRIMARY KEY, btree (id)
    "customers_email_key" UNIQUE CONSTRAINT, btree (email)
    "customers_name_idx" UNIQUE, btree (name)
Referenced by:
    TABLE "orders" CONSTRAINT "orders_customer_id_fkey" FOREIGN KEY (customer_id) REFERENCES customers(id)

"""


def _stripped(out: str) -> str:
    """psql's output without the blanks it pads the last column with."""
    return "\n".join(line.rstrip() for line in out.split("\n"))


def test_d_table(server: RunningServer, cat: tuple[str, str]) -> None:
    """What PostgreSQL 15 prints for the same schema, but for what DuckDB does not keep (the
    CHECK's 0 carries no ::numeric). varchar(100) is character varying(100), its length CHECK no
    constraint of its own."""
    name, _ = cat
    assert _stripped(psql(server, name, "-c", r"\d orders")) == D_ORDERS
    assert _stripped(psql(server, name, "-c", r"\d customers")) == D_CUSTOMERS


def test_d_plus_table(server: RunningServer, cat: tuple[str, str]) -> None:
    name, _ = cat
    out = psql(server, name, "-c", r"\d+ orders")
    assert re.search(r"\| Storage +\| Compression \| Stats target \| Description", out)
    assert re.search(r"^ amount +\| numeric\(10,2\) .*\| main +\|", out, re.M)
    assert re.search(r"^ note +\| text .*\| extended +\| +\| +\| free text$", out, re.M)
    assert '"orders_customer_id_fkey" FOREIGN KEY (customer_id) REFERENCES customers(id)' in out
    assert out.rstrip().endswith("Access method: heap")


def test_d_other_objects(server: RunningServer, cat: tuple[str, str]) -> None:
    name, _ = cat
    out = psql(server, name, "-c", r"\d sales.regions")
    assert 'Table "sales.regions"' in out and '"regions_pkey" PRIMARY KEY, btree (code)' in out
    assert re.search(r"^ weight +\| double precision +\|", out, re.M)
    assert re.search(r"^ tags +\| text\[\] +\|", out, re.M)
    out = psql(server, name, "-c", r'\d "MixedCase"')
    assert 'Table "public.MixedCase"' in out and '"MixedCase_pkey" PRIMARY KEY, btree ("Id")' in out
    assert re.search(r"^ select +\| text +\|", out, re.M)
    out = psql(server, name, "-c", r"\d+ big_orders")
    assert 'View "public.big_orders"' in out and re.search(r"^ amount +\| numeric\(10,2\) ", out, re.M)
    assert "View definition:\n SELECT * FROM orders WHERE (amount > 100);" in out
    out = psql(server, name, "-c", r"\d order_seq")
    assert 'Sequence "public.order_seq"' in out
    assert re.search(
        r"^ bigint \|  1000 \|       1 \| 9223372036854775807 \|         1 \| no      \|     1$", out, re.M
    )
    out = psql(server, name, "-c", r"\d customers_name_idx")
    assert 'Index "public.customers_name_idx"' in out and re.search(
        r"^ name +\| character varying\(100\) +\| yes +\| name$", out, re.M
    )
    assert 'unique, btree, for table "public.customers"' in out
    out = psql(server, name, "-c", r"\d orders_pkey")
    assert 'primary key, btree, for table "public.orders"' in out


def test_d_temporary_table(server: RunningServer, cat: tuple[str, str]) -> None:
    name, _ = cat
    out = psql(server, name, script="CREATE TEMP TABLE scratch (k integer PRIMARY KEY);\n\\dt\n\\d scratch\n")
    assert re.search(r"^ pg_temp_1 \| scratch +\| table \|", out, re.M)
    assert 'Table "pg_temp_1.scratch"' in out and '"scratch_pkey" PRIMARY KEY, btree (k)' in out
    assert "scratch" not in psql(server, name, "-c", r"\dt")  # another session: gone


OTHER_COMMANDS = r"""
\l+
\dt+ sales.*
\dn+
\du+
\df+
\di+
\dv+
\ds+
\dA
\db
\dC
\dc
\dconfig
\dD
\dd
\ddp
\dE
\des
\dew
\deu
\dF
\dFd
\dFp
\dFt
\dl
\dL
\dm
\do
\dO
\dp
\dP
\drds
\dRp
\dRs
\dT
\dx
\dX
\dy
\sf add_tax
\sv big_orders
"""


def test_other_backslash_commands_run(server: RunningServer, cat: tuple[str, str]) -> None:
    """Every other describe command answers (empty where DuckDB has no such objects), no error."""
    name, _ = cat
    out = psql(server, name, script=OTHER_COMMANDS)
    assert "CREATE OR REPLACE MACRO add_tax(x) AS (x * 1.2)" in out
    assert "CREATE OR REPLACE VIEW public.big_orders AS" in out
    assert re.search(r"^ btree +\| Index$", out, re.M)


# ---------------------------------------------------------------- information_schema


def test_information_schema_is_postgresql_s(server: RunningServer, cat: tuple[str, str]) -> None:
    """Schema main is public, types have PostgreSQL's names, constraints pg_constraint's names, and
    nothing of another PDB shows."""
    name, _ = cat
    schemas = rows(server, name, "SELECT schema_name FROM information_schema.schemata ORDER BY 1")
    assert schemas == [["information_schema"], ["pg_catalog"], ["public"], ["sales"]]
    tables = "SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY 1, 2"
    assert rows(server, name, tables) == [
        ["public", "MixedCase", "BASE TABLE"],
        ["public", "big_orders", "VIEW"],
        ["public", "customers", "BASE TABLE"],
        ["public", "orders", "BASE TABLE"],
        ["sales", "regions", "BASE TABLE"],
    ]
    columns = (
        "SELECT column_name, data_type, udt_name, numeric_precision, numeric_scale, is_nullable, column_default"
        " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'orders'"
        " ORDER BY ordinal_position"
    )
    assert rows(server, name, columns) == [
        ["order_id", "bigint", "int8", "64", "0", "NO", "nextval('order_seq'::regclass)"],
        ["customer_id", "integer", "int4", "32", "0", "NO", ""],
        ["amount", "numeric", "numeric", "10", "2", "NO", "0"],
        ["note", "text", "text", "", "", "YES", ""],
        ["placed", "date", "date", "", "", "YES", ""],
    ]
    keys = (
        'SELECT tc.constraint_type, tc.constraint_name, k.column_name FROM "information_schema"."table_constraints" tc'
        " JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name"
        " AND k.table_schema = tc.table_schema WHERE tc.table_name = 'orders' ORDER BY 1, 2"
    )
    assert rows(server, name, keys) == [
        ["FOREIGN KEY", "orders_customer_id_fkey", "customer_id"],
        ["PRIMARY KEY", "orders_pkey", "order_id"],
    ]
    refs = "SELECT constraint_name, unique_constraint_schema, unique_constraint_name FROM information_schema.referential_constraints"
    assert rows(server, name, refs) == [["orders_customer_id_fkey", "public", "customers_pkey"]]
    everything = psql(
        server,
        name,
        "-c",
        "SELECT table_name FROM information_schema.tables UNION ALL SELECT table_name FROM information_schema.columns",
    )
    assert "secret_other_table" not in everything


def test_quoted_public_schema(server: RunningServer, cat: tuple[str, str]) -> None:
    """Metabase and Grafana quote the schema: "public"."orders" is public.orders."""
    name, _ = cat
    assert rows(
        server, name, 'SELECT count(*) FROM "public"."orders" WHERE "public"."orders"."amount" >= 0'
    ) == [["0"]]


# ---------------------------------------------------------------- client-side commands


def test_x_conninfo_timing(server: RunningServer, cat: tuple[str, str]) -> None:
    name, _ = cat
    out = psql(
        server, name, script="\\x on\nselect 1 as a, 'b' as b;\n\\conninfo\n\\timing on\nselect 2 as c;\n"
    )
    assert "-[ RECORD 1 ]\na | 1\nb | b\n" in out
    assert f'You are connected to database "{name}" as user "{ADMIN}" on host "127.0.0.1"' in out
    assert re.search(r"^Time: [0-9.]+ ms", out, re.M)


def test_server_functions(server: RunningServer, cat: tuple[str, str]) -> None:
    name, _ = cat
    got = rows(
        server,
        name,
        "select version(), current_database(), current_user, current_setting('server_version_num'), "
        "current_schema(), pg_catalog.pg_get_userbyid(10)",
    )
    assert got[0][0].startswith("PostgreSQL 15.0 (DuckCDB ") and got[0][1] == name
    assert got[0][2].lower() == ADMIN and got[0][3] == "150000" and got[0][4] == "public"
    assert got[0][5].lower() == ADMIN
    out = psql(server, name, "-c", "select version()")
    assert out.splitlines()[0].strip() == "version"  # PostgreSQL's column name


# ---------------------------------------------------------------- tab completion

# What psql 15 asks when completing `SELECT * FROM cu<TAB>`, `SELECT * FROM sales.<TAB>`,
# `SELECT * FROM <TAB>` and `... WHERE cu<TAB>` after `FROM orders`.
TAB_RELATIONS = """SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE '{prefix}%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE '{prefix}%' AND n.nspname NOT LIKE E'pg\\\\_%'
LIMIT 1000"""
TAB_IN_SCHEMA = """SELECT c.relname, n.nspname FROM pg_catalog.pg_class c, pg_catalog.pg_namespace n WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE '%' AND n.nspname = 'sales'
LIMIT 1000"""
TAB_COLUMNS = """SELECT a.attname, NULL::pg_catalog.text FROM pg_catalog.pg_attribute a, pg_catalog.pg_class c WHERE c.oid = a.attrelid and a.attnum > 0 and not a.attisdropped AND (a.attname) LIKE 'cu%' AND c.relname = 'orders' AND pg_catalog.pg_table_is_visible(c.oid)
LIMIT 1000"""


def test_tab_completion_queries(server: RunningServer, cat: tuple[str, str]) -> None:
    name, _ = cat
    assert rows(server, name, TAB_RELATIONS.format(prefix="cu")) == [["customers", ""]]
    everything = sorted(tuple(r) for r in rows(server, name, TAB_RELATIONS.format(prefix="")))
    assert everything == [
        ("", "information_schema"),
        ("", "public"),
        ("", "sales"),
        ("MixedCase", ""),
        ("big_orders", ""),
        ("customers", ""),
        ("order_seq", ""),
        ("orders", ""),
    ]
    assert rows(server, name, TAB_IN_SCHEMA) == [["regions", "sales"]]
    assert rows(server, name, TAB_COLUMNS) == [["customer_id", ""]]


def _interact(server: RunningServer, db: str, typed: str, expect: str, timeout: float = 20) -> str:
    """Type into an interactive psql on a terminal; what it echoed once `expect` shows (or timed out)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: psql on the terminal
        os.execvpe("psql", _psql_cmd(server, db, ADMIN), dict(_env(), TERM="dumb"))
    seen = b""

    def read_until(marker: bytes, limit: float) -> bool:
        nonlocal seen
        deadline = time.monotonic() + limit
        while marker not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    return False
        return marker in seen

    try:
        read_until(b"=>", timeout)
        start = len(seen)
        os.write(fd, typed.encode())
        read_until(expect.encode(), timeout)
        return seen[start:].decode(errors="replace")
    finally:
        os.write(fd, b"\x03\\q\n")
        read_until(b"\x00", 1)
        os.close(fd)
        os.waitpid(pid, 0)


def test_tab_completion_interactive(server: RunningServer, cat: tuple[str, str]) -> None:
    name, _ = cat
    assert "customers" in _interact(server, name, "SELECT * FROM cust\t", "customers")
    assert "sales.regions" in _interact(server, name, "SELECT * FROM sales.re\t", "regions")


# ---------------------------------------------------------------- the rewrite alone

_TOKENIZER = Postgres().tokenizer_class()


def _rewritten(sql: str) -> str:
    toks = _TOKENIZER.tokenize(sql)
    out, pos = [], 0
    for start, end, repl in sorted(catalog_rewrites.pg_catalog_shim(sql, toks, toks[0].start)):
        out += [sql[pos:start], repl]
        pos = end
    return "".join(out) + sql[pos:]


@pytest.mark.parametrize(
    "sql",
    [
        "select a, b from t where x like 'a%' order by 1",
        "insert into t values (1, 'pg_catalog', '{0}') returning id",
        "update t set v = v::int + 1 where k = $1",
        "select count(*), max(ts)::date from events e join users u on u.id = e.uid group by all",
        "create table pg_notes (id int, owner text default 'x')",
        "create macro version() as 'mine'",
        "select 1 as current_schema",
    ],
)
def test_ordinary_statements_untouched(sql: str) -> None:
    toks = _TOKENIZER.tokenize(sql)
    assert catalog_rewrites.pg_catalog_shim(sql, toks, toks[0].start) == []


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('SELECT "public"."t"."a" FROM "public"."t"', 'SELECT main."t"."a" FROM main."t"'),
        ('SELECT \'public\', "public" FROM "Public".t, s."public".t', None),
    ],
)
def test_quoted_public_schema_rewrite(sql: str, expected: str | None) -> None:
    toks = _TOKENIZER.tokenize(sql)
    edits = catalog_rewrites.quoted_public_schema(sql, toks, toks[0].start)
    out, pos = [], 0
    for start, end, repl in sorted(edits):
        out += [sql[pos:start], repl]
        pos = end
    assert "".join(out) + sql[pos:] == (expected or sql)


@pytest.fixture(scope="module")
def duck() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the test schema, as an engine session sees it."""
    con = duckdb.connect(config={"integer_division": True})
    foreign_keys.session_macro(con)  # what the catalog reads foreign keys from
    con.execute(SCHEMA.read_text())
    con.execute("SET VARIABLE userenv_con_name = 'MYPDB'")
    con.execute("SET VARIABLE userenv_session_user = 'ME'")
    for name, cols in session_tables.COLUMNS.items():  # what a session registers (none of its rows here)
        con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in cols)})")
    return con


def test_rewritten_constructs_run_in_duckdb(duck: duckdb.DuckDBPyConnection) -> None:
    def one(sql: str) -> tuple:
        return duck.sql(_rewritten(sql)).fetchall()[0]

    assert one("SELECT 'orders' OPERATOR(pg_catalog.~) '^(ord.*)$' COLLATE pg_catalog.default") == (True,)
    assert one("SELECT 'pg_catalog' LIKE E'pg\\\\_%', 'pgXcatalog' LIKE E'pg\\\\_%'") == (True, False)
    assert one(
        "SELECT c.oid::pg_catalog.regclass::pg_catalog.text FROM pg_class c WHERE relname = 'regions'"
    ) == ("sales.regions",)
    assert one(
        "SELECT 'orders'::regclass = (SELECT oid FROM pg_catalog.pg_class WHERE relname = 'orders')"
    ) == (True,)
    # Result columns print the name, as PostgreSQL's regclass_out (a number without a relation as is).
    assert one("SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, '42'::regclass") == ("pg_class", "42")
    assert one("SELECT 'pg_catalog.pg_class'::regclass + 0, '42'::regclass + 0") == (1259, 42)
    assert one("SELECT s FROM pg_catalog.generate_series(2, 3) s ORDER BY 1") == (2,)
    assert one("SELECT pg_catalog.format_type(1231, 655366), format_type(1043, 104)") == (
        "numeric(10,2)[]",
        "character varying(100)",
    )
    assert one(
        "SELECT pg_size_pretty(10::bigint), pg_size_pretty(20000::bigint), pg_size_pretty(12345678::bigint)"
    ) == (
        "10 bytes",
        "20 kB",
        "12 MB",
    )
    assert one("SELECT current_database(), current_user, datname FROM pg_database") == (
        "MYPDB",
        "ME",
        "MYPDB",
    )
    assert one("SELECT count(*) FROM pg_namespace WHERE nspname = 'main'") == (0,)
    # a function's argument named like a column of the catalog it reads stays the client's column
    assert one(
        "SELECT pg_catalog.pg_get_constraintdef(oid, true) FROM pg_catalog.pg_constraint WHERE contype = 'f'"
    ) == ("FOREIGN KEY (customer_id) REFERENCES customers(id)",)
    # a foreign key's conindid is the referenced key's index (pgjdbc's getImportedKeys joins on it)
    assert one(
        "SELECT i.relname FROM pg_constraint c JOIN pg_class i ON i.oid = c.conindid WHERE c.contype = 'f'"
    ) == ("customers_pkey",)
    # int2vector subscripts start at 0
    assert one(
        "SELECT i.indkey[0], i.indoption[0], i.indkey[1] FROM pg_index i WHERE i.indrelid = 'orders'::regclass"
        " AND i.indisprimary"
    ) == (1, 0, None)
    assert one(
        "SELECT generate_subscripts(i.indkey, 1) AS ord FROM pg_catalog.pg_index i"
        " WHERE i.indrelid = 'orders'::regclass AND i.indisprimary"
    ) == (0,)
    assert one("SELECT '{a,\"b c\",NULL}'::text[], 'x' = ANY('{x,y}'::text[])") == (["a", "b c", None], True)
    assert one("SELECT catcode FROM pg_catalog.pg_get_keywords() WHERE word = 'select'") == ("R",)
    assert one("SELECT s.setting FROM pg_show_all_settings() s WHERE s.name = 'bytea_output'") == ("hex",)
    # the constraint index depends on its constraint (pgAdmin), the catalogs have their oids
    assert one(
        "SELECT count(*) FROM pg_depend d JOIN pg_constraint c ON c.oid = d.refobjid AND c.contype = 'p'"
        " WHERE d.deptype = 'i' AND d.refclassid = (SELECT oid FROM pg_class WHERE relname = 'pg_constraint')"
    ) == (4,)
    assert one(
        "SELECT count(*) FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_type t"
        " ON t.oid = p.prorettype WHERE p.proname = 'avg' AND p.pronargs = 1 AND t.typname = 'float8'"
    ) >= (1,)
