"""An engine's spec for a PDB folder, as the proxy gives one (unit tests that open a real DuckDB
database as the engine opens it)."""

from __future__ import annotations

from pathlib import Path

from pgwire.control import EngineSpec


def engine_spec(path: Path, threads: int = 1) -> EngineSpec:
    path.mkdir(parents=True, exist_ok=True)
    return EngineSpec(
        name="A",
        con_id=3,
        db_path=str(path / "data.duckdb"),
        socket_path=str(path / "s.sock"),
        token="t",
        read_only=False,
        memory_limit="256MiB",
        threads=threads,
        temp_dir=str(path / "tmp"),
        max_temp_size="64MiB",
        allowed_dir=str(path),
    )
