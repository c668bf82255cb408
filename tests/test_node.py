"""node-postgres (`pg` from npm, installed under tests/node by `make test`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import PDB_ADMIN, PDB_PASSWORD

NODE_DIR = Path(__file__).parent / "node"


def test_node_postgres(server, pdb) -> None:
    if not (NODE_DIR / "node_modules" / "pg").exists():
        pytest.fail("node-postgres missing: `make test` installs it (npm install --prefix tests/node)")
    run = subprocess.run(
        ["node", str(NODE_DIR / "pg_smoke.js"), str(server.port), pdb, PDB_ADMIN, PDB_PASSWORD],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "NODE OK" in run.stdout
