"""The metering store on a real DuckDB file: an interval written twice counts once, rollups follow."""

from __future__ import annotations

import datetime as dt

from metering.store import MeterStore, Record


def _recs(start: dt.datetime, value: float) -> list[Record]:
    end = start + dt.timedelta(minutes=1)
    return [Record("ACME", "P1", "G1", 3, "statements", value, "statements", start, end)]


def test_an_interval_written_twice_counts_once_with_its_rollups(tmp_path) -> None:  # noqa: ANN001
    store = MeterStore(tmp_path / "metering.duckdb")
    t0 = dt.datetime(2026, 12, 4, 10, 0)
    assert store.flush(_recs(t0, 5), {"G1": (100, {"statements": 5.0})}) == 1
    assert store.flush(_recs(t0, 5), {"G1": (100, {"statements": 5.0})}) == 0  # the same key again
    assert store.flush(_recs(t0 + dt.timedelta(minutes=1), 2), {"G1": (100, {"statements": 7.0})}) == 1
    store.close()
    store = MeterStore(tmp_path / "metering.duckdb")  # reopened, as after a restart
    assert store.query("SELECT sum(value) FROM records") == [(7.0,)]
    for grain in ("hour", "day", "month"):
        assert store.query("SELECT sum(value) FROM rollups WHERE grain = ?", (grain,)) == [(7.0,)]
    assert store.baselines() == {"G1": (100, {"statements": 7.0})}
    assert store.usage_of(["ACME", "OTHER"], dt.datetime(2026, 12, 1), dt.datetime(2027, 1, 1)) == {
        "ACME": [("P1", "statements", dt.datetime(2026, 12, 1), 7.0)]
    }
    store.close()
