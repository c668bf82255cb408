"""pandas 3 through SQLAlchemy, with psycopg2 (psycopg2-binary) and with psycopg 3, in a fresh PDB.

to_sql (the returned row count, replace and append), read_sql_table, read_sql_query with a
parameter, and MetaData.reflect of what to_sql made. SQLAlchemy's echo (PANDAS_SQL_ECHO=1) prints
the statements.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.tools.conftest import ToolDB

pytest.importorskip("psycopg2", reason="psycopg2-binary is not installed (tests/tools/REQUIREMENTS.md)")


# What to_sql returns (the sum of the inserts' rowcounts), as against PostgreSQL 15: psycopg2 counts
# rows; SQLAlchemy 2.1 with psycopg 3 reports -1 per INSERT (executemany, and method="multi" too).
ROW_COUNTS = {"psycopg2": (3, 3, 3), "psycopg": (-1, -2, -1)}


def _frame(offset: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1 + offset, 2 + offset, 3 + offset],
            "name": ["alpha", "beta", None],
            "score": [1.5, float("nan"), -2.25],
            "ok": [True, False, True],
            "seen_at": pd.to_datetime(
                ["2024-01-02 03:04:05", "2024-06-30 12:00:00", "2025-01-01 00:00:00"], utc=True
            ),
        }
    )


@pytest.fixture
def engine(driver: str, tool_db: ToolDB):
    eng = sa.create_engine(tool_db.url(driver), echo=bool(os.environ.get("PANDAS_SQL_ECHO")))
    yield eng
    eng.dispose()


@pytest.mark.parametrize("driver", ["psycopg2", "psycopg"])
def test_pandas_round_trip(engine: sa.Engine) -> None:
    table = f"pd_{engine.dialect.driver}"
    df, more = _frame(), _frame(offset=10)
    counts = (
        df.to_sql(table, engine, index=False, if_exists="replace"),
        df.to_sql(table, engine, index=False, if_exists="append", chunksize=2),
        more.to_sql(table, engine, index=False, if_exists="append", method="multi"),
    )
    assert counts == ROW_COUNTS[engine.dialect.driver]

    back = pd.read_sql_table(table, engine)
    assert list(back.columns) == ["id", "name", "score", "ok", "seen_at"]
    assert len(back) == 9 and sorted(back["id"].tolist()) == [1, 1, 2, 2, 3, 3, 11, 12, 13]
    first = back.sort_values("id", kind="stable").iloc[0]
    assert (first["name"], first["score"], bool(first["ok"])) == ("alpha", 1.5, True)
    assert first["seen_at"] == pd.Timestamp("2024-01-02 03:04:05", tz="UTC")

    q = pd.read_sql_query(
        sa.text(f"select id, name, score from {table} where id > :low order by id"),
        engine,
        params={"low": 10},
    )
    assert q["id"].tolist() == [11, 12, 13]
    assert q["name"].tolist()[:2] == ["alpha", "beta"] and pd.isna(q["name"].iloc[2])
    assert pd.isna(q["score"].iloc[1])

    # The database's own view of what to_sql created.
    with engine.connect() as c:
        assert c.execute(sa.text(f"select count(*), count(name), sum(id) from {table}")).one() == (9, 6, 48)

    meta = sa.MetaData()
    meta.reflect(bind=engine, only=[table])
    cols = {c.name: c.type for c in meta.tables[table].columns}
    assert list(cols) == ["id", "name", "score", "ok", "seen_at"]
    assert isinstance(cols["id"], sa.BigInteger)
    assert isinstance(cols["name"], sa.Text)
    assert isinstance(cols["score"], sa.Float)
    assert isinstance(cols["ok"], sa.Boolean)
    assert isinstance(cols["seen_at"], sa.TIMESTAMP) and cols["seen_at"].timezone is True


@pytest.mark.parametrize("driver", ["psycopg2", "psycopg"])
def test_pandas_keyword_columns(engine: sa.Engine) -> None:
    """Column names PostgreSQL takes unquoted (SQLAlchemy does not quote them) but DuckDB reserves."""
    table = f"kw_{engine.dialect.driver}"
    df = pd.DataFrame({"id": [1, 2], "at": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True)})
    df["pivot"], df["qualify"], df["asof"] = ["x", "y"], [True, False], [0.5, 1.5]
    df.to_sql(table, engine, index=False, if_exists="replace")
    back = pd.read_sql_table(table, engine).sort_values("id")
    assert list(back.columns) == ["id", "at", "pivot", "qualify", "asof"]
    assert back["pivot"].tolist() == ["x", "y"] and back["asof"].tolist() == [0.5, 1.5]
    q = pd.read_sql_query(sa.text(f"select at, pivot from {table} where qualify"), engine)
    assert q["pivot"].tolist() == ["x"]
