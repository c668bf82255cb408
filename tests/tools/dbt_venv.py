"""dbt's own virtualenv, .venv/dbt (inside the project's venv), built from tests/tools/dbt-requirements.txt.

dbt-postgres would downgrade python-dateutil in DuckCDB's .venv (dbt-common needs <3) and bring
some 50 packages, so it gets a venv of its own. `python tests/tools/dbt_venv.py` builds it (the
Makefile's test-deps step would call it); test_dbt.py builds it on first use as well. A stamp
named after the requirements' hash says the venv is complete and current.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Inside the project's .venv: ignored by git and ruff, and `make clean` removes it too.
VENV = HERE.parent.parent / ".venv" / "dbt"
REQUIREMENTS = HERE / "dbt-requirements.txt"
DBT = VENV / "bin" / "dbt"


def _stamp() -> Path:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    return VENV / f".installed-{digest}"


def ensure(python: str = sys.executable) -> Path:
    """The dbt executable, after building or refreshing the venv if needed."""
    if _stamp().exists() and DBT.exists():
        return DBT
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / ".dbt-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time (pytest-xdist workers, make test-deps)
        if _stamp().exists() and DBT.exists():
            return DBT
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
        _stamp().touch()
    return DBT


if __name__ == "__main__":
    print(ensure())
