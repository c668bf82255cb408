"""pgjdbc (Debian's libpostgresql-jdbc-java): a small Java program compiled and run against a live server."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.server import SYS_PASSWORD, RunningServer

JAR = Path("/usr/share/java/postgresql.jar")
SOURCE = Path(__file__).parent / "java" / "JdbcSmoke.java"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not JAR.exists() or shutil.which("javac") is None:
        pytest.fail("pgjdbc or javac missing: `make test` installs libpostgresql-jdbc-java (make test-deps)")
    out = tmp_path_factory.mktemp("java")
    subprocess.run(["javac", "-cp", str(JAR), "-d", str(out), str(SOURCE)], check=True, timeout=180)
    return out


def test_pgjdbc_container_commands_and_pdb_work(server: RunningServer, compiled: Path) -> None:
    pdb = "J" + uuid.uuid4().hex[:8]
    run = subprocess.run(
        ["java", "-cp", f"{compiled}:{JAR}", "JdbcSmoke", str(server.port), SYS_PASSWORD, pdb],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "JDBC OK" in run.stdout
