"""Backup expiry by count and by age, on a real catalog and real folders (no server needed)."""

from __future__ import annotations

import time
from pathlib import Path

from catalog.cdb import Cdb
from catalog.store import PdbBackup
from conf import load_config
from tenants import backups


def _cdb(tmp_path: Path, keep: int, keep_days: float) -> Cdb:
    cfg = load_config(
        overrides={
            "server": {"data_dir": str(tmp_path / "data")},
            "backups": {"keep": {"SILVER": keep}, "keep_days": {"SILVER": keep_days}},
        }
    )
    cdb = Cdb(cfg)
    cdb.initialize()
    return cdb


def _backups(cdb: Cdb, ages_days: list[float]) -> list[str]:
    c = cdb.cat.insert_container(3, "P", "NORMAL", "MOUNTED", "SILVER", None)
    ids = []
    now = time.time()
    for i, age in enumerate(sorted(ages_days, reverse=True)):
        folder = cdb.data_dir / "backups" / c.guid / f"b{i}"
        folder.mkdir(parents=True)
        (folder / "data.duckdb").write_bytes(b"x")
        b = PdbBackup(
            f"b{i}",
            3,
            "P",
            c.guid,
            "SCHEDULED",
            "AVAILABLE",
            now - age * 86400,
            now,
            1,
            "",
            str(folder),
            None,
        )
        cdb.cat.insert_backup(b)
        ids.append(b.id)
    return ids


def test_expire_by_count(tmp_path: Path) -> None:
    cdb = _cdb(tmp_path, keep=2, keep_days=100)
    ids = _backups(cdb, [5, 4, 3, 2, 1])
    c = cdb.find("P")
    assert c is not None
    assert backups.expire(cdb, c) == ids[:3]
    assert [b.id for b in cdb.cat.backups(c.guid)] == ids[3:]
    assert not Path(cdb.data_dir / "backups" / c.guid / "b0").exists()
    assert Path(cdb.data_dir / "backups" / c.guid / "b4").exists()


def test_expire_by_age_keeps_the_newest_and_those_in_use(tmp_path: Path) -> None:
    cdb = _cdb(tmp_path, keep=100, keep_days=2.5)
    ids = _backups(cdb, [9, 8, 3, 2, 1])
    c = cdb.find("P")
    assert c is not None
    backups._in_use.add(ids[1])  # a restore is reading it
    try:
        assert backups.expire(cdb, c) == [ids[0], ids[2]]
    finally:
        backups._in_use.discard(ids[1])
    # all too old: the newest stays
    assert backups.expire(cdb, c, now=time.time() + 100 * 86400) == [ids[1], ids[3]]
    assert [b.id for b in cdb.cat.backups(c.guid)] == [ids[4]]
