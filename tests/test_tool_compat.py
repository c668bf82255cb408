"""What schema tools (issue 14) need of the server, each through psycopg against a real server:
the current database as the catalog part of a name (dbt), current_database() as the client named
the PDB, PostgreSQL settings that mean nothing to DuckDB (pg_dump, SQLAlchemy's reflection)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.server import RunningServer


@pytest.fixture
def name() -> str:
    return "tc_" + uuid.uuid4().hex[:10]


@pytest.fixture
def lower(server: RunningServer, pdb: str) -> Iterator[psycopg.Connection]:
    """A session that named the PDB in lower case, as dbt's profiles and most DSNs do."""
    with server.connect(pdb.lower(), PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        yield c


def test_current_database_is_the_name_the_client_connected_with(
    conn: psycopg.Connection, lower: psycopg.Connection, pdb: str
) -> None:
    assert conn.execute("SELECT current_database(), current_catalog").fetchone() == (pdb, pdb)
    assert lower.execute("SELECT current_database(), current_catalog").fetchone() == (pdb.lower(),) * 2
    catalogs = lower.execute(
        "SELECT DISTINCT table_catalog FROM information_schema.tables WHERE table_schema = 'public'"
    ).fetchall()
    assert catalogs in ([], [(pdb.lower(),)])
    # Oracle's own name for the container does not change.
    assert lower.execute("SELECT SYS_CONTEXT('USERENV', 'CON_NAME')").fetchone() == (pdb,)


def test_three_part_names_naming_the_current_pdb(lower: psycopg.Connection, pdb: str, name: str) -> None:
    db = pdb.lower()
    lower.execute(f'CREATE TABLE "{db}"."public"."{name}" (id INTEGER PRIMARY KEY, v TEXT)')
    try:
        lower.execute(f"INSERT INTO {db}.public.{name} VALUES (1, 'a')")
        lower.execute(f"INSERT INTO {pdb}.public.{name} (id, v) VALUES (2, 'b')")  # any case, unquoted
        lower.execute(f"UPDATE \"{pdb}\".public.{name} SET v = 'c' WHERE id = 2")  # quoted, as stored
        assert lower.execute(
            f'SELECT t.id, t.v FROM "{db}".public."{name}" AS t JOIN {db}.public.{name} u ON u.id = t.id '
            "ORDER BY 1"
        ).fetchall() == [(1, "a"), (2, "c")]
        cols = lower.execute(
            f"SELECT column_name FROM \"{db}\".information_schema.columns WHERE table_name = '{name}' "
            "AND table_schema = 'public' ORDER BY ordinal_position"
        ).fetchall()
        assert cols == [("id",), ("v",)]
        lower.execute(f'CREATE VIEW "{db}"."public"."{name}_v" AS SELECT id FROM "{db}"."public"."{name}"')
        assert lower.execute(f"SELECT count(*) FROM {name}_v").fetchone() == (2,)
        lower.execute(f'DROP VIEW "{db}"."public"."{name}_v"')
    finally:
        lower.execute(f'DROP TABLE IF EXISTS "{db}"."public"."{name}"')


@pytest.mark.parametrize("catalog", ["otherdb", '"CDB$ROOT"', "pdb_seed"])
def test_another_database_as_catalog_is_still_refused(
    lower: psycopg.Connection, catalog: str, name: str
) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="another database"):
        lower.execute(f"SELECT * FROM {catalog}.public.{name}")


def test_harmless_postgres_settings_are_kept_per_session(
    server: RunningServer, conn: psycopg.Connection, pdb: str
) -> None:
    # pg_dump's session set-up, SQLAlchemy's reflection
    conn.execute("SET synchronize_seqscans TO off")
    conn.execute("SET default_table_access_method = 'heap'")
    conn.execute("SET check_function_bodies = false")
    assert conn.execute("SHOW synchronize_seqscans").fetchone() == ("off",)
    assert conn.execute("SHOW check_function_bodies").fetchone() == ("off",)
    assert conn.execute("SELECT current_setting('default_table_access_method')").fetchone() == ("heap",)
    # current_setting() answers what SET said, as SHOW does
    assert conn.execute("SELECT current_setting('synchronize_seqscans')").fetchone() == ("off",)
    conn.execute("SET work_mem = '64MB'")
    assert conn.execute("SELECT current_setting('work_mem'), current_setting('lock_timeout')").fetchone() == (
        "64MB",
        "0",
    )
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as other:
        assert other.execute("SHOW synchronize_seqscans").fetchone() == ("on",)
    conn.execute("RESET synchronize_seqscans")
    assert conn.execute("SHOW synchronize_seqscans").fetchone() == ("on",)
    assert conn.execute("SELECT current_setting('synchronize_seqscans')").fetchone() == ("on",)
    conn.execute("DISCARD ALL")
    assert conn.execute("SELECT current_setting('work_mem')").fetchone() == ("4MB",)
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        conn.execute("SET synchronize_seqscans = maybe")


@pytest.mark.parametrize("setting", ["memory_limit = '1GB'", "threads = 1", "enable_external_access = true"])
def test_engine_settings_are_still_refused(conn: psycopg.Connection, setting: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="engine setting"):
        conn.execute(f"SET {setting}")


def test_identity_by_default_is_a_sequence_default(conn: psycopg.Connection, name: str) -> None:
    conn.execute(
        f'CREATE TABLE "{name}" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, v text)'
    )
    conn.execute(
        f"CREATE TABLE {name}_b (n integer GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 5 "
        "CACHE 20) PRIMARY KEY, v text)"
    )
    try:
        ids = [
            conn.execute(f"INSERT INTO {name} (v) VALUES ('x') RETURNING id").fetchone()[0] for _ in range(2)
        ]
        assert ids == [1, 2]
        conn.execute(f"INSERT INTO {name} (id, v) VALUES (100, 'explicit')")  # BY DEFAULT takes it
        conn.execute(f"INSERT INTO {name}_b (v) VALUES ('a'), ('b')")
        assert conn.execute(f"SELECT n FROM {name}_b ORDER BY n").fetchall() == [(10,), (15,)]
    finally:
        conn.execute(f"DROP TABLE {name}")
        conn.execute(f"DROP TABLE {name}_b")


def test_identity_always_is_refused_not_weakened(conn: psycopg.Connection, name: str) -> None:
    with pytest.raises(psycopg.errors.FeatureNotSupported, match="GENERATED ALWAYS AS IDENTITY"):
        conn.execute(f"CREATE TABLE {name} (id int GENERATED ALWAYS AS IDENTITY, v text)")
    assert conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = %s", (name,)
    ).fetchone() == (0,)
    # a generated (computed) column is not an identity column
    conn.execute(f"CREATE TABLE {name} (a int, b int GENERATED ALWAYS AS (a * 2))")
    try:
        conn.execute(f"INSERT INTO {name} (a) VALUES (4)")
        assert conn.execute(f"SELECT b FROM {name}").fetchone() == (8,)
    finally:
        conn.execute(f"DROP TABLE {name}")


def test_index_access_method_and_operator_classes(conn: psycopg.Connection, name: str) -> None:
    conn.execute(f"CREATE TABLE {name} (email varchar(254), n int)")
    try:
        conn.execute(f'CREATE INDEX "{name}_like" ON "{name}" ("email" varchar_pattern_ops)')
        conn.execute(f"CREATE UNIQUE INDEX {name}_u ON {name} USING btree (n DESC, email text_pattern_ops)")
        conn.execute(f"INSERT INTO {name} VALUES ('a@x', 1)")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(f"INSERT INTO {name} VALUES ('a@x', 1)")
        with pytest.raises(psycopg.Error):  # other methods are not emulated
            conn.execute(f"CREATE INDEX {name}_g ON {name} USING gin (email)")
    finally:
        conn.execute(f"DROP TABLE {name}")


def _indexes(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE '%%_pkey' "
        "ORDER BY 1",
        (table,),
    ).fetchall()


@pytest.mark.parametrize("autocommit", [True, False])
def test_alter_of_an_indexed_table(server: RunningServer, pdb: str, name: str, autocommit: bool) -> None:
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=autocommit) as c:
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, email text, nick text, n int)")
        c.execute(f"CREATE INDEX {name}_email ON {name} (email)")
        c.execute(f"CREATE UNIQUE INDEX {name}_nick ON {name} (lower(nick), n)")
        c.execute(f"INSERT INTO {name} VALUES (1, 'a@x', 'A', 1)")
        c.execute(f"ALTER TABLE {name} ADD COLUMN role varchar(20) NOT NULL DEFAULT 'member'")
        c.execute(f"ALTER TABLE {name} ALTER COLUMN n TYPE bigint")
        c.execute(f'ALTER TABLE {name} RENAME COLUMN "email" TO contact_email')
        if not autocommit:
            c.commit()
        assert [n for n, _ in _indexes(c, name)] == [f"{name}_email", f"{name}_nick"]
        assert "contact_email" in dict(_indexes(c, name))[f"{name}_email"]
        with pytest.raises(psycopg.errors.UniqueViolation):  # the unique index still holds
            c.execute(f"INSERT INTO {name} VALUES (2, 'b@x', 'a', 1, 'x')")
        if not autocommit:
            c.rollback()
        c.execute(f"ALTER TABLE {name} DROP COLUMN nick")  # its index goes with it, as in PostgreSQL
        c.execute(f"ALTER TABLE {name} RENAME TO {name}_r")
        if not autocommit:
            c.commit()
        assert [n for n, _ in _indexes(c, f"{name}_r")] == [f"{name}_email"]
        assert c.execute(f"SELECT id, contact_email, n, role FROM {name}_r").fetchall() == [
            (1, "a@x", 1, "member")
        ]
        c.execute(f"DROP TABLE {name}_r")
        if not autocommit:
            c.commit()


def test_a_failed_alter_leaves_the_indexes(conn: psycopg.Connection, name: str) -> None:
    conn.execute(f"CREATE TABLE {name} (id int, v text)")
    conn.execute(f"CREATE INDEX {name}_v ON {name} (v)")
    conn.execute(f"INSERT INTO {name} VALUES (1, 'not a number')")
    try:
        with pytest.raises(psycopg.Error):
            conn.execute(f"ALTER TABLE {name} ALTER COLUMN v TYPE integer")
        assert [n for n, _ in _indexes(conn, name)] == [f"{name}_v"]
        assert conn.execute(f"SELECT v FROM {name}").fetchall() == [("not a number",)]
    finally:
        conn.execute(f"DROP TABLE {name}")


def test_add_foreign_key_to_an_existing_table(conn: psycopg.Connection, name: str) -> None:
    conn.execute(f"CREATE TABLE {name}_p (id bigint PRIMARY KEY)")
    conn.execute(f"CREATE TABLE {name}_c (id bigint PRIMARY KEY, pid bigint, note varchar(5))")
    conn.execute(f"CREATE INDEX {name}_c_pid ON {name}_c (pid)")
    conn.execute(f"INSERT INTO {name}_p VALUES (1), (2)")
    conn.execute(f"INSERT INTO {name}_c VALUES (10, 1, 'x'), (11, 9, 'y')")
    try:
        # rows that break it: refused, the table as it was
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute(
                f"ALTER TABLE {name}_c ADD CONSTRAINT {name}_fk FOREIGN KEY (pid) REFERENCES {name}_p (id)"
            )
        assert conn.execute(f"SELECT count(*) FROM {name}_c").fetchone() == (2,)
        conn.execute(f"DELETE FROM {name}_c WHERE id = 11")
        conn.execute(
            f'ALTER TABLE "{name}_c" ADD CONSTRAINT "{name}_fk" FOREIGN KEY ("pid") REFERENCES "{name}_p" ("id") '
            "DEFERRABLE INITIALLY DEFERRED"
        )
        assert conn.execute(
            "SELECT condeferrable, condeferred FROM pg_constraint WHERE conname = %s", [f"{name}_fk"]
        ).fetchall() == [(True, True)]
        with pytest.raises(psycopg.errors.ForeignKeyViolation):  # outside a block: checked at once
            conn.execute(f"INSERT INTO {name}_c VALUES (12, 7, 'z')")
        with pytest.raises(psycopg.errors.StringDataRightTruncation):  # varchar(5) survives the rebuild
            conn.execute(f"INSERT INTO {name}_c VALUES (12, 2, 'toolong')")
        conn.execute(f"INSERT INTO {name}_c VALUES (12, 2, 'z')")
        assert conn.execute(f"SELECT id, pid FROM {name}_c ORDER BY id").fetchall() == [(10, 1), (12, 2)]
        assert [n for n, _ in _indexes(conn, f"{name}_c")] == [f"{name}_c_pid"]
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {name}_c")
        conn.execute(f"DROP TABLE IF EXISTS {name}_p")


@pytest.mark.parametrize(
    ("action", "change", "left"),
    [
        ("ON DELETE CASCADE", "DELETE FROM {p} WHERE id = 1", [(2, 2)]),
        ("ON DELETE SET NULL", "DELETE FROM {p} WHERE id = 1", [(1, None), (2, 2)]),
        ("ON UPDATE CASCADE", "UPDATE {p} SET id = 10 WHERE id = 1", [(1, 10), (2, 2)]),
    ],
)
def test_referential_actions_are_carried_out(
    conn: psycopg.Connection, name: str, action: str, change: str, left: list
) -> None:
    """knex's onDelete('CASCADE') and friends, added by ALTER TABLE (engine.foreign_keys)."""
    conn.execute(f"CREATE TABLE {name}_p (id int PRIMARY KEY)")
    conn.execute(f"CREATE TABLE {name}_c (id int PRIMARY KEY, pid int)")
    try:
        conn.execute(f"ALTER TABLE {name}_c ADD FOREIGN KEY (pid) REFERENCES {name}_p (id) {action}")
        conn.execute(f"INSERT INTO {name}_p VALUES (1), (2)")
        conn.execute(f"INSERT INTO {name}_c VALUES (1, 1), (2, 2)")
        conn.execute(change.format(p=f"{name}_p"))
        assert conn.execute(f"SELECT id, pid FROM {name}_c ORDER BY id").fetchall() == left
    finally:
        conn.execute(f"DROP TABLE {name}_c")
        conn.execute(f"DROP TABLE {name}_p")


def test_alter_of_a_table_a_foreign_key_references(conn: psycopg.Connection, name: str) -> None:
    """Alembic's chain: author (indexed) is referenced by book (indexed); both keep their rows,
    indexes and key through renames, a new column and a dropped one."""
    a, b = f"{name}_author", f"{name}_book"
    conn.execute(f"CREATE TABLE {a} (id int PRIMARY KEY, name text NOT NULL, nickname text)")
    conn.execute(f"CREATE INDEX ix_{a}_name ON {a} (name)")
    conn.execute(
        f"CREATE TABLE {b} (id int PRIMARY KEY, author_id int NOT NULL REFERENCES {a} (id), title text)"
    )
    conn.execute(f"CREATE INDEX ix_{b}_author ON {b} (author_id)")
    conn.execute(f"INSERT INTO {a} VALUES (1, 'Le Guin', 'ursula')")
    conn.execute(f"INSERT INTO {b} VALUES (10, 1, 'Earthsea')")
    try:
        conn.execute(f"ALTER TABLE {a} ADD COLUMN born integer DEFAULT 1929 NOT NULL")
        conn.execute(f"ALTER TABLE {a} RENAME name TO full_name")
        conn.execute(f"ALTER TABLE {a} DROP COLUMN nickname")
        conn.execute(f"ALTER TABLE {a} RENAME COLUMN id TO author_key")  # the child's key follows
        assert conn.execute(f"SELECT * FROM {a}").fetchall() == [(1, "Le Guin", 1929)]
        assert conn.execute(f"SELECT * FROM {b}").fetchall() == [(10, 1, "Earthsea")]
        assert [n for n, _ in _indexes(conn, a)] == [f"ix_{a}_name"]
        assert [n for n, _ in _indexes(conn, b)] == [f"ix_{b}_author"]
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute(f"INSERT INTO {b} VALUES (11, 2, 'missing author')")
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute(f"DELETE FROM {a}")
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {b}")
        conn.execute(f"DROP TABLE IF EXISTS {a}")


def test_multi_argument_unnest_and_parenthesised_array_literals(conn: psycopg.Connection, name: str) -> None:
    """Django's bulk_create: INSERT ... SELECT * FROM UNNEST(('{...}')::varchar[], ...)."""
    conn.execute(f"CREATE TABLE {name} (sku text, title text, price numeric(10, 2), stock int)")
    try:
        conn.execute(
            f"INSERT INTO {name} (sku, title, price, stock) SELECT * FROM UNNEST(('{{LAMP,PEN}}')::varchar[], "
            "('{\"Desk lamp\",\"Fountain pen\"}')::varchar[], ('{19.90,7.50}'::numeric[])::numeric[], "
            "('{5,40}'::int4[])::integer[])"
        )
        assert conn.execute(f"SELECT * FROM {name} ORDER BY sku").fetchall() == [
            ("LAMP", "Desk lamp", Decimal("19.90"), 5),
            ("PEN", "Fountain pen", Decimal("7.50"), 40),
        ]
        # arrays of different lengths: the shorter padded with NULLs; WITH ORDINALITY numbers the rows
        rows = conn.execute(
            "SELECT * FROM unnest(ARRAY[1, 2, 3], ARRAY['a']) WITH ORDINALITY AS u(n, s, i) ORDER BY i"
        ).fetchall()
        assert rows == [(1, "a", 1), (2, None, 2), (3, None, 3)]
        rows = conn.execute(
            f"SELECT t.sku, u.k FROM {name} t, unnest(ARRAY[t.stock, t.stock * 2], ARRAY['x', 'y']) AS u(k, tag) "
            "WHERE t.sku = 'LAMP' ORDER BY u.k"
        ).fetchall()
        assert rows == [("LAMP", 5), ("LAMP", 10)]
        # Django's inspectdb: pg_index's indkey and indoption (the catalog's text '0 0') side by side
        conn.execute(f"CREATE INDEX {name}_ix ON {name} (sku, title)")
        rows = conn.execute(
            "SELECT koi.key, koi.option, koi.arridx FROM pg_index i, unnest(i.indkey, i.indoption) "
            "WITH ORDINALITY koi(key, option, arridx) WHERE i.indexrelid = %s::regclass ORDER BY 3",
            [f"{name}_ix"],
        ).fetchall()
        assert rows == [(1, 0, 1), (2, 0, 2)]
    finally:
        conn.execute(f"DROP TABLE {name}")


def test_jsonb_columns_and_casts(conn: psycopg.Connection, name: str) -> None:
    assert conn.execute("""SELECT '{"a": 1}'::jsonb, CAST('[1, 2]' AS jsonb)""").fetchone() == (
        {"a": 1},
        [1, 2],
    )
    conn.execute(f"CREATE TABLE {name} (id int, doc jsonb NOT NULL, tags jsonb)")
    try:
        conn.execute(f"ALTER TABLE {name} ADD COLUMN extra jsonb")
        conn.execute(
            f"INSERT INTO {name} (id, doc) VALUES (1, %s::jsonb), (2, %s)",
            ('{"a": {"b": 2}}', '{"a": {"b": 3}}'),
        )
        rows = conn.execute(f"SELECT id, doc -> 'a' ->> 'b', doc FROM {name} ORDER BY id").fetchall()
        assert rows == [(1, "2", {"a": {"b": 2}}), (2, "3", {"a": {"b": 3}})]
        with pytest.raises(psycopg.Error):  # not JSON: refused, as PostgreSQL does
            conn.execute(f"INSERT INTO {name} (id, doc) VALUES (3, 'not json')")
    finally:
        conn.execute(f"DROP TABLE {name}")


@pytest.mark.parametrize("prepare", [False, True])
def test_group_by_primary_key_takes_its_dependent_columns(
    conn: psycopg.Connection, name: str, prepare: bool
) -> None:
    c, o = f"{name}_customer", f"{name}_order"
    conn.execute(f"CREATE TABLE {c} (id int PRIMARY KEY, name text, city text)")
    conn.execute(f"CREATE TABLE {o} (id int PRIMARY KEY, customer_id int, quantity int)")
    conn.execute(f"CREATE TABLE {name}_nokey (id int, name text)")
    conn.execute(f"INSERT INTO {c} VALUES (1, 'Ann', 'Oslo'), (2, 'Bo', 'Oslo')")
    conn.execute(f"INSERT INTO {o} VALUES (10, 1, 2), (11, 1, 3)")
    conn.execute(f"INSERT INTO {name}_nokey VALUES (1, 'x'), (1, 'y')")
    try:
        rows = conn.execute(
            f'SELECT "{c}"."name" AS "name", COUNT("{o}"."id") AS "n", SUM("{o}"."quantity") AS "items" '
            f'FROM "{c}" LEFT OUTER JOIN "{o}" ON ("{c}"."id" = "{o}"."customer_id") GROUP BY "{c}"."id" '
            "ORDER BY 1 ASC",
            prepare=prepare,
        ).fetchall()
        assert rows == [("Ann", 2, 5), ("Bo", 0, None)]
        assert conn.execute(
            f"SELECT x.city, count(*) FROM {c} x GROUP BY x.id ORDER BY x.id", prepare=prepare
        ).fetchall() == [("Oslo", 1), ("Oslo", 1)]
        # grouped by a column that is not the primary key: refused, as PostgreSQL does
        with pytest.raises(psycopg.errors.GroupingError):
            conn.execute(f"SELECT x.name, count(*) FROM {c} x GROUP BY x.city", prepare=prepare)
        with pytest.raises(psycopg.errors.GroupingError):
            conn.execute(f"SELECT n.name FROM {name}_nokey n GROUP BY n.id", prepare=prepare)
    finally:
        for t in (o, c, f"{name}_nokey"):
            conn.execute(f"DROP TABLE {t}")


def test_drop_column_before_a_unique_pair(conn: psycopg.Connection, name: str) -> None:
    """Django contenttypes 0002: DROP COLUMN "name" of (id, name, app_label, model, UNIQUE (app_label, model))."""
    conn.execute(
        f'CREATE TABLE "{name}" ("id" integer NOT NULL PRIMARY KEY, "name" varchar(100) NOT NULL, '
        '"app_label" varchar(100) NOT NULL, "model" varchar(100) NOT NULL, UNIQUE ("app_label", "model"))'
    )
    conn.execute(f"CREATE INDEX {name}_name ON {name} (name)")
    conn.execute(f"INSERT INTO {name} VALUES (1, 'user', 'auth', 'user'), (2, 'group', 'auth', 'group')")
    try:
        conn.execute(f'ALTER TABLE "{name}" DROP COLUMN "name" CASCADE')
        cols = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            (name,),
        ).fetchall()
        assert cols == [("id",), ("app_label",), ("model",)]
        assert conn.execute(f"SELECT * FROM {name} ORDER BY id").fetchall() == [
            (1, "auth", "user"),
            (2, "auth", "group"),
        ]
        # the index on the dropped column went with it; the unique pair's stays
        assert [n for n, _ in _indexes(conn, name)] == [f"{name}_app_label_model_key"]
        with pytest.raises(psycopg.errors.UniqueViolation):  # the pair is still unique
            conn.execute(f"INSERT INTO {name} VALUES (3, 'auth', 'user')")
        with pytest.raises(psycopg.errors.StringDataRightTruncation):  # lengths kept
            conn.execute(f"INSERT INTO {name} VALUES (3, 'auth', %s)", ("x" * 101,))
        conn.execute(f"INSERT INTO {name} VALUES (3, 'auth', 'permission')")
    finally:
        conn.execute(f"DROP TABLE {name}")


def test_alter_column_type_with_lengths(conn: psycopg.Connection, name: str) -> None:
    """Django's max_length changes: ALTER COLUMN ... TYPE varchar(n) of a varchar(m) column."""
    conn.execute(
        f"CREATE TABLE {name} (id int PRIMARY KEY, name varchar(5) NOT NULL DEFAULT 'x', code text, n int)"
    )
    conn.execute(f"CREATE INDEX {name}_name ON {name} (name)")
    conn.execute(f"INSERT INTO {name} VALUES (1, 'abcde', 'toolong', 7)")
    try:
        conn.execute(f'ALTER TABLE "{name}" ALTER COLUMN "name" TYPE varchar(8)')
        conn.execute(f"INSERT INTO {name} (id, name) VALUES (2, 'abcdefgh')")
        with pytest.raises(psycopg.errors.StringDataRightTruncation, match=r"varying\(8\)"):
            conn.execute(f"INSERT INTO {name} (id, name) VALUES (3, 'abcdefghi')")
        with pytest.raises(psycopg.errors.NotNullViolation):  # NOT NULL kept
            conn.execute(f"INSERT INTO {name} (id, name) VALUES (3, NULL)")
        conn.execute(f"INSERT INTO {name} (id) VALUES (4)")  # DEFAULT kept
        # a longer value than the new length: refused, the table as it was
        with pytest.raises(psycopg.errors.StringDataRightTruncation):
            conn.execute(f"ALTER TABLE {name} ALTER COLUMN code TYPE varchar(3)")
        conn.execute(f"ALTER TABLE {name} ALTER COLUMN n SET DATA TYPE varchar(10) USING (n * 2)::text")
        rows = conn.execute(f"SELECT id, name, n FROM {name} ORDER BY id").fetchall()
        assert rows == [(1, "abcde", "14"), (2, "abcdefgh", None), (4, "x", None)]
        types = conn.execute(
            "SELECT column_name, data_type, character_maximum_length FROM information_schema.columns "
            "WHERE table_name = %s ORDER BY ordinal_position",
            (name,),
        ).fetchall()
        assert types == [
            ("id", "integer", None),
            ("name", "character varying", 8),
            ("code", "text", None),
            ("n", "character varying", 10),
        ]
        assert [n for n, _ in _indexes(conn, name)] == [f"{name}_name"]
    finally:
        conn.execute(f"DROP TABLE {name}")


def test_columns_named_with_duckdb_keywords(conn: psycopg.Connection, name: str) -> None:
    """at, pivot, qualify, asof: plain names to PostgreSQL; DuckDB's own syntax keeps them."""
    conn.execute(f"CREATE TABLE {name} (id int, at timestamptz, pivot text, qualify boolean, asof float8)")
    try:
        conn.execute(
            f"INSERT INTO {name} (id, at, pivot, qualify, asof) VALUES "
            "(1, '2024-01-01 00:00+00', 'x', true, 0.5), (2, NULL, 'y', false, 1.5)"
        )
        assert conn.execute(f"SELECT at IS NULL, pivot FROM {name} WHERE qualify ORDER BY at").fetchall() == [
            (False, "x")
        ]
        assert conn.execute(
            f"SELECT t.asof FROM {name} t WHERE t.pivot = 'y' AND NOT qualify"
        ).fetchall() == [(1.5,)]
        conn.execute(f"ALTER TABLE {name} RENAME COLUMN at TO seen_at")
        conn.execute(f"ALTER TABLE {name} ADD COLUMN semi double precision")
        # DuckDB's PIVOT
        conn.execute(f"CREATE TABLE {name}_p AS (PIVOT (SELECT id, asof FROM {name}) ON id USING sum(asof))")
        assert conn.execute(f'SELECT "1", "2" FROM {name}_p').fetchall() == [(0.5, 1.5)]
        conn.execute(f"DROP TABLE {name}_p")
        # DuckDB's own uses of the words stay what they are
        assert (
            conn.execute(f"SELECT seen_at AT TIME ZONE 'UTC' FROM {name} WHERE id = 1").fetchone()[0].year
            == 2024
        )
        assert conn.execute(
            f"SELECT id FROM {name} QUALIFY row_number() OVER (ORDER BY id DESC) = 1"
        ).fetchall() == [(2,)]
    finally:
        conn.execute(f"DROP TABLE {name}")


def test_pg_current_xact_id_is_the_transaction_s(server: RunningServer, pdb: str) -> None:
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as c:
        first = c.execute("SELECT pg_current_xact_id()").fetchone()[0]
        assert c.execute("SELECT pg_current_xact_id()").fetchone()[0] == first
        c.commit()
        assert c.execute("SELECT pg_current_xact_id()").fetchone()[0] > first
        c.rollback()


def test_rollback_to_savepoint_after_a_planned_alter(server: RunningServer, pdb: str, name: str) -> None:
    """ROLLBACK TO SAVEPOINT replays the transaction's earlier writes: an ALTER that was planned
    (indexes dropped and made again) is replayed as the statements that ran."""
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD) as c:
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, v text)")
        c.execute(f"CREATE INDEX {name}_v ON {name} (v)")
        c.commit()
        try:
            c.execute(f"ALTER TABLE {name} ADD COLUMN n integer DEFAULT 0 NOT NULL")
            c.execute("SAVEPOINT s1")
            c.execute(f"INSERT INTO {name} VALUES (1, 'a', 5)")
            c.execute("ROLLBACK TO SAVEPOINT s1")
            c.execute(f"INSERT INTO {name} VALUES (2, 'b', 6)")
            c.commit()
            assert c.execute(f"SELECT id, v, n FROM {name}").fetchall() == [(2, "b", 6)]
            assert [n for n, _ in _indexes(c, name)] == [f"{name}_v"]
        finally:
            c.rollback()
            c.execute(f"DROP TABLE IF EXISTS {name}")
            c.commit()


def test_json_aggregates(conn: psycopg.Connection) -> None:
    row = conn.execute(
        "SELECT jsonb_agg(x), json_agg(x), to_jsonb('a'::text) FROM (VALUES (1), (NULL), (3)) t(x)"
    ).fetchone()
    assert row == ([1, None, 3], [1, None, 3], "a")
