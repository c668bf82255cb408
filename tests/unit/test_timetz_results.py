"""engine.timetz against a real DuckDB: which statements may return a timetz, and the kept
result read back with each value's offset."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from engine import timetz
from pgwire.errors import DbError


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("CREATE TABLE plain (a int)")
    return c


def test_which_statements_may_return_a_timetz(con) -> None:
    rel = timetz.Relations(con)
    assert rel.may_return("SELECT '10:00:00+02'::timetz", 1)
    assert rel.may_return("SELECT TIME  WITH\nTIME ZONE '10:00:00+02'", 1)
    assert rel.may_return("SELECT current_time", 1)
    assert not rel.may_return("SELECT current_timestamp, a FROM plain", 1)
    con.execute("CREATE TABLE clock (t timetz)")
    assert not rel.may_return("SELECT * FROM Clock", 1)  # (the stamp's answer is kept)
    assert rel.may_return("SELECT * FROM Clock", 2)
    assert rel.may_return("INSERT INTO clock VALUES (NULL) RETURNING *", 2)
    assert not rel.may_return("INSERT INTO clock VALUES (NULL)", 2)  # no rows
    assert not rel.may_return("SELECT * FROM plain", 2)


def test_kept_result_reads_offsets(con) -> None:
    kept = timetz.KeptResult(
        con, "SELECT $1::timetz AS t, [TIMETZ '01:00:00-03:30'] AS l, 7::HUGEINT AS h", ["10:20:30.5+02"], 100
    )
    assert [d[0] for d in kept.description] == ["t", "l", "h"]
    rows = kept.arrow_reader().read_all().to_pylist()
    assert rows == [
        {
            "c0": {"us": 37_230_500_000, "tz": 7200},
            "c1": [{"us": 3_600_000_000, "tz": -12600}],
            "c2": Decimal(7),
        }
    ]


def test_timetz_in_a_struct_is_refused_before_it_runs(con) -> None:
    with pytest.raises(DbError) as e:
        timetz.KeptResult(con, "INSERT INTO plain VALUES (1) RETURNING {'x': TIMETZ '10:00:00+02'}", None, 10)
    assert e.value.sqlstate == "0A000"
    assert con.execute("SELECT count(*) FROM plain").fetchall() == [(0,)]
