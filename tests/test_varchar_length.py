"""varchar(n) and char(n) through a real server: the length is enforced (22001, PostgreSQL's
message) in the simple and the extended protocol, NULLs and values of exactly n characters pass,
and psql, information_schema and pg_catalog show the declared type (policies/lengths.py,
pgcompat/shim/, engine/errors.py)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from pgcompat import lengths
from tests import rawpg
from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.server import RunningServer

TOO_LONG_40 = "value too long for type character varying(40)"


@pytest.fixture
def conn(server: RunningServer, pdb: str) -> Iterator[psycopg.Connection]:
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        yield c


@pytest.fixture
def people(conn: psycopg.Connection) -> Iterator[str]:
    """A table with a char(3), a quoted varchar(40), a text column and a CHECK of its own."""
    name = "vl_" + uuid.uuid4().hex[:10]
    conn.execute(
        f'CREATE TABLE {name} (id integer PRIMARY KEY, code char(3) NOT NULL, "Full Name" varchar(40),'
        " note text, CHECK (id > 0))"
    )
    yield name
    conn.execute(f"DROP TABLE IF EXISTS {name}")


def _simple(server: RunningServer, pdb: str, sql: str) -> list[dict[str, str]]:
    """The errors of one simple-protocol Query."""
    raw = rawpg.RawConn(server.port, PDB_ADMIN, PDB_PASSWORD, pdb)
    try:
        raw.send(rawpg.query(sql))
        return rawpg.errors(raw.until_ready())
    finally:
        raw.close()


def test_too_long_fails_in_the_simple_protocol(server: RunningServer, pdb: str, people: str) -> None:
    errors = _simple(server, pdb, f"INSERT INTO {people} VALUES (1, 'abc', '{'x' * 41}', NULL)")
    assert [(e["C"], e["M"]) for e in errors] == [("22001", TOO_LONG_40)]
    errors = _simple(server, pdb, f"INSERT INTO {people} VALUES (1, 'abcd', NULL, NULL)")
    assert [(e["C"], e["M"]) for e in errors] == [("22001", "value too long for type character(3)")]
    assert _simple(server, pdb, f"INSERT INTO {people} VALUES (1, 'abc', '{'x' * 40}', '{'y' * 1000}')") == []


def test_too_long_fails_in_the_extended_protocol(conn: psycopg.Connection, people: str) -> None:
    insert = f"INSERT INTO {people} VALUES (%s, %s, %s, %s)"
    for prepare in (False, True):
        with pytest.raises(psycopg.errors.StringDataRightTruncation) as e:
            conn.execute(insert, (1, "abc", "x" * 41, None), prepare=prepare)
        assert e.value.diag.sqlstate == "22001" and e.value.diag.message_primary == TOO_LONG_40
    # NULL passes, exactly n characters pass, characters are counted, not bytes
    conn.execute(insert, (1, "abc", None, None))
    conn.execute(insert, (2, "äöü", "é" * 40, None), prepare=True)
    conn.execute(insert, (3, "a", "x" * 40, None), prepare=True)
    with pytest.raises(psycopg.errors.StringDataRightTruncation) as e:
        conn.execute(f'UPDATE {people} SET "Full Name" = "Full Name" || %s WHERE id = %s', ("!", 2))
    assert e.value.diag.message_primary == TOO_LONG_40
    with pytest.raises(psycopg.errors.StringDataRightTruncation), conn.transaction():
        conn.cursor().executemany(insert, [(4, "abc", None, None), (5, "abcd", None, None)])
    assert conn.execute(f'SELECT id, code, length("Full Name") FROM {people} ORDER BY id').fetchall() == [
        (1, "abc", None),
        (2, "äöü", 40),
        (3, "a  ", 40),  # char(3): blank-padded, as PostgreSQL sends it
    ]
    # the table's own CHECK stays a check violation
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(insert, (0, "abc", None, None))


def test_raw_extended_protocol_error(server: RunningServer, pdb: str, people: str) -> None:
    raw = rawpg.RawConn(server.port, PDB_ADMIN, PDB_PASSWORD, pdb)
    try:
        raw.send(
            rawpg.parse("", f"INSERT INTO {people} (id, code) VALUES (1, $1)"),
            rawpg.bind("", "", [b"abcdef"]),
            rawpg.execute(""),
            rawpg.SYNC,
        )
        errors = rawpg.errors(raw.until_ready())
    finally:
        raw.close()
    assert [(e["C"], e["M"]) for e in errors] == [("22001", "value too long for type character(3)")]


def test_copy_from_stdin_is_checked(conn: psycopg.Connection, people: str) -> None:
    with (
        pytest.raises(psycopg.errors.StringDataRightTruncation),
        conn.cursor().copy(f"COPY {people} (id, code) FROM STDIN") as copy,
    ):
        copy.write_row((1, "abc"))
        copy.write_row((2, "abcd"))
    with conn.cursor().copy(f"COPY {people} (id, code) FROM STDIN") as copy:
        copy.write_row((1, "abc"))
    assert conn.execute(f"SELECT count(*) FROM {people}").fetchone() == (1,)


def _psql(server: RunningServer, pdb: str, command: str) -> str:
    env = dict(os.environ, PGPASSWORD=PDB_PASSWORD, PGSSLMODE="disable", PAGER="cat", COLUMNS="250")
    out = subprocess.run(
        ["psql", "-X", "-h", "127.0.0.1", "-p", str(server.port), "-U", PDB_ADMIN, "-d", pdb, "-c", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and not out.stderr, out.stderr
    return "\n".join(line.rstrip() for line in out.stdout.split("\n"))


# (the table's name is always 13 characters long: psql centres the title the same way)
D_PEOPLE = """\
                    Table "public.{name}"
  Column   |         Type          | Collation | Nullable | Default
-----------+-----------------------+-----------+----------+---------
 id        | integer               |           | not null |
 code      | character(3)          |           | not null |
 Full Name | character varying(40) |           |          |
 note      | text                  |           |          |
Indexes:
    "{name}_pkey" PRIMARY KEY, btree (id)
Check constraints:
    "{name}_id_check" CHECK (id > 0)

"""


def test_psql_d_shows_postgresql_s_table(server: RunningServer, pdb: str, people: str) -> None:
    """What PostgreSQL 15 prints for the same table: the types with their lengths, the length
    CHECKs no constraints of their own."""
    assert _psql(server, pdb, rf"\d {people}") == D_PEOPLE.format(name=people)


def test_information_schema_and_pg_catalog(conn: psycopg.Connection, people: str) -> None:
    got = conn.execute(
        "SELECT column_name, data_type, udt_name, character_maximum_length, character_octet_length"
        " FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        (people,),
    ).fetchall()
    assert got == [
        ("id", "integer", "int4", None, None),
        ("code", "character", "bpchar", 3, 12),
        ("Full Name", "character varying", "varchar", 40, 160),
        ("note", "text", "text", None, 1073741824),
    ]
    got = conn.execute(
        "SELECT a.attname, a.atttypid::int, a.atttypmod, format_type(a.atttypid, a.atttypmod)"
        " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = %s AND a.attnum > 0"
        " ORDER BY a.attnum",
        (people,),
    ).fetchall()
    assert got == [
        ("id", 23, -1, "integer"),
        ("code", 1042, 7, "character(3)"),
        ("Full Name", 1043, 44, "character varying(40)"),
        ("note", 25, -1, "text"),
    ]
    assert conn.execute("SELECT relchecks FROM pg_class WHERE relname = %s", (people,)).fetchone() == (1,)
    assert conn.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY 1", (people,)
    ).fetchall() == [(f"{people}_id_check",), (f"{people}_pkey",)]
    assert conn.execute(
        "SELECT constraint_type, count(*) FROM information_schema.table_constraints WHERE table_name = %s"
        " GROUP BY 1 ORDER BY 1",
        (people,),
    ).fetchall() == [("CHECK", 1), ("PRIMARY KEY", 1)]
    checks = conn.execute("SELECT check_clause FROM information_schema.check_constraints").fetchall()
    assert ("(id > 0)",) in checks and not any("len(" in c for (c,) in checks)


def test_quoted_table_and_temporary_table(conn: psycopg.Connection) -> None:
    name = "VL " + uuid.uuid4().hex[:8]
    conn.execute(f'CREATE TEMP TABLE "{name}" ("Code ""X""" varchar(2))')
    conn.execute(f'INSERT INTO "{name}" VALUES (%s), (NULL)', ("ab",))
    with pytest.raises(psycopg.errors.StringDataRightTruncation):
        conn.execute(f'INSERT INTO "{name}" VALUES (%s)', ("abc",))
    assert conn.execute(
        "SELECT column_name, data_type, character_maximum_length FROM information_schema.columns"
        " WHERE table_name = %s",
        (name,),
    ).fetchall() == [('Code "X"', "character varying", 2)]
    conn.execute(f'DROP TABLE "{name}"')


def test_create_table_as_and_alter_table(conn: psycopg.Connection, people: str) -> None:
    """CREATE TABLE ... AS keeps a copied column's length, as PostgreSQL (engine.declared.made_by_query).
    ALTER TABLE cannot add a CHECK in DuckDB: the column added is text (with a notice); a column's type
    changes with the table made again."""
    conn.execute(f"INSERT INTO {people} VALUES (1, 'abc', 'Ann', NULL)")
    copy = people + "_copy"
    conn.execute(f'CREATE TABLE {copy} AS SELECT code, "Full Name" FROM {people}')
    with pytest.raises(psycopg.errors.StringDataRightTruncation):
        conn.execute(f"INSERT INTO {copy} VALUES ('abcdef', NULL)")
    conn.execute(f"INSERT INTO {copy} VALUES ('abc', NULL)")
    conn.execute(f"DROP TABLE {copy}")

    notices: list[str] = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
    conn.execute(f"ALTER TABLE {people} ADD COLUMN extra varchar(5)")
    assert notices == [lengths.varchar_length_not_enforced.notice]
    conn.execute(f"UPDATE {people} SET extra = 'longer than five'")
    assert conn.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name = 'extra'",
        (people,),
    ).fetchone() == ("text",)
    # a column with a length changes type with the table made again (engine.alter), its new
    # length enforced
    conn.execute(f"ALTER TABLE {people} ALTER COLUMN code TYPE varchar(10)")
    conn.execute(f"UPDATE {people} SET code = 'abcdefghij'")
    with pytest.raises(psycopg.errors.StringDataRightTruncation):
        conn.execute(f"UPDATE {people} SET code = 'abcdefghijk'")
    conn.execute(f"ALTER TABLE {people} RENAME COLUMN code TO code2")
    assert conn.execute(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass"
        " AND attname = 'code2'",
        (people,),
    ).fetchone() == ("character varying(10)",)


def test_the_sandbox_still_judges_the_statement(conn: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("CREATE TABLE vl_env (a varchar(50) DEFAULT getenv('HOME'))")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("CREATE TABLE vl_csv (a varchar(50) DEFAULT current_setting('home_directory'))")
