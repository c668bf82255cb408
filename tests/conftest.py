from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.server import RunningServer, start_server

PDB_ADMIN = "pdbadmin"
PDB_PASSWORD = "Pdb-Admin-Pw-1"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    srv = start_server(tmp_path_factory.mktemp("cdb") / "data")
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def pdb(server: RunningServer) -> str:
    """An open PDB shared by the tests that only need somewhere to run SQL."""
    name = "TESTPDB"
    with server.connect(autocommit=True) as con:
        con.execute(f'CREATE PLUGGABLE DATABASE {name} ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"')
        con.execute(f"ALTER PLUGGABLE DATABASE {name} OPEN")
    return name


@pytest.fixture
def pdb_dsn(server: RunningServer, pdb: str) -> str:
    return server.dsn(pdb, PDB_ADMIN, PDB_PASSWORD)


@pytest.fixture
def root(server: RunningServer):
    """SYS in CDB$ROOT, autocommit (tests that leave state behind override it with their cleanup)."""
    with server.connect(autocommit=True) as c:
        yield c


@pytest.fixture
def conn(server: RunningServer, pdb: str):
    with server.connect(pdb, PDB_ADMIN, PDB_PASSWORD, autocommit=True) as c:
        yield c


@pytest.fixture
def table_name() -> str:
    return "t_" + uuid.uuid4().hex[:10]
