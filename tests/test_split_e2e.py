"""Issue 12 end to end: psycopg's server-side binding sends `$1,$2` without spaces.

The server read `$1,$` as the start of a dollar-quoted string, answered XX000 and closed the
connection. Parse, Bind and Execute of such statements must work, and a statement that does not
tokenize must be an ErrorResponse (42601) that leaves the connection usable.
"""

from __future__ import annotations

import psycopg
import pytest

from tests import rawpg
from tests.conftest import PDB_ADMIN, PDB_PASSWORD

NINE = ",".join(["%s"] * 9)


@pytest.fixture
def raw(server, pdb):
    c = rawpg.RawConn(server.port, PDB_ADMIN, PDB_PASSWORD, pdb)
    yield c
    c.close()


def _nine_int_table(conn, table_name: str) -> None:
    cols = ", ".join(f"c{i} int" for i in range(1, 10))
    conn.execute(f"CREATE TABLE {table_name} ({cols})")


@pytest.mark.parametrize("prepare_threshold", [0, None], ids=["prepared", "unnamed"])
@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_insert_nine_parameters(pdb_dsn, conn, table_name, prepare_threshold, binary) -> None:
    _nine_int_table(conn, table_name)
    with psycopg.connect(pdb_dsn, autocommit=True, prepare_threshold=prepare_threshold) as c:
        cur = c.cursor(binary=binary)
        for k in range(3):  # prepare_threshold=0: the second and third run the prepared statement
            cur.execute(f"INSERT INTO {table_name} VALUES ({NINE})", [10 * k + i for i in range(1, 10)])
            assert cur.rowcount == 1
        cur.execute(f"SELECT * FROM {table_name} WHERE c1 = %s AND c9=%s", (11, 19))
        assert cur.fetchall() == [tuple(range(11, 20))]
        assert c.execute("SELECT count(*) FROM " + table_name).fetchone() == (3,)
        assert c.execute("SELECT 1").fetchone() == (1,)  # the connection is still usable
        assert not c.closed


def test_executemany_nine_parameters(pdb_dsn, conn, table_name) -> None:
    _nine_int_table(conn, table_name)
    rows = [tuple(range(k, k + 9)) for k in range(5)]
    with psycopg.connect(pdb_dsn, autocommit=True) as c:
        c.cursor().executemany(f"INSERT INTO {table_name} VALUES ({NINE})", rows)
        got = c.execute(f"SELECT * FROM {table_name} ORDER BY c1").fetchall()
    assert got == rows


def test_client_side_binding_still_works(pdb_dsn, conn, table_name) -> None:
    _nine_int_table(conn, table_name)
    with psycopg.connect(pdb_dsn, autocommit=True, cursor_factory=psycopg.ClientCursor) as c:
        c.execute(f"INSERT INTO {table_name} VALUES ({NINE})", list(range(1, 10)))
        assert c.execute(f"SELECT * FROM {table_name}").fetchall() == [tuple(range(1, 10))]


@pytest.mark.parametrize("prepare_threshold", [0, None], ids=["prepared", "unnamed"])
def test_select_parameters_next_to_punctuation(pdb_dsn, prepare_threshold) -> None:
    with psycopg.connect(pdb_dsn, autocommit=True, prepare_threshold=prepare_threshold) as c:
        assert c.execute("SELECT %s::int + %s", (1, 2)).fetchone() == (3,)
        assert c.execute("SELECT greatest(%s,%s),(%s)", (1, 2, 3)).fetchone() == (2, 3)
        assert c.execute("SELECT %s::text||%s", ("a;", "$$")).fetchone() == ("a;$$",)
        row = c.execute("SELECT %s::int, 'it''s;', $$;$$, %s::int", (1, 2)).fetchone()
        assert row == (1, "it's;", ";", 2)
        assert c.execute("SELECT %s::int WHERE '' = ''", (5,)).fetchone() == (5,)
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_extended_protocol_dollar_parameters(raw) -> None:
    raw.send(
        rawpg.parse("s", "SELECT $1::int + $2::int,$2::int"),
        rawpg.bind("", "s", [b"40", b"2"]),
        rawpg.execute(""),
        rawpg.SYNC,
    )
    msgs = raw.until_ready()
    assert rawpg.kinds(msgs) == "12DCZ"
    assert rawpg.rows(msgs) == [[b"42", b"2"]]


def test_parse_of_an_untokenizable_statement_is_an_error_response(raw) -> None:
    raw.send(rawpg.parse("", "SELECT 'abc"), rawpg.bind("", ""), rawpg.execute(""), rawpg.SYNC)
    msgs = raw.until_ready()
    assert rawpg.kinds(msgs) == "EZ"
    assert rawpg.errors(msgs)[0]["C"] == "42601"
    raw.send(rawpg.parse("", "SELECT $1::int,$2::int"), rawpg.bind("", "", [b"1", b"2"]), rawpg.execute(""))
    raw.send(rawpg.SYNC)
    msgs = raw.until_ready()
    assert rawpg.rows(msgs) == [[b"1", b"2"]]


def test_simple_query_with_dollar_quotes_and_comments(raw) -> None:
    raw.send(rawpg.query("select $$a;b$$ as a /* ; /* ; */ */; select 'x;''y' as b -- ;\n;"))
    msgs = raw.until_ready()
    assert rawpg.kinds(msgs) == "TDCTDCZ"
    assert rawpg.rows(msgs) == [[b"a;b"], [b"x;'y"]]
