"""How many attempts of the escape corpus (tests/escape_corpus.py) each wall of issue 13 refuses
on its own: the proxy (through a real server: what it refuses never reaches an engine) and the
engine's DuckDB alone (opened as an engine opens a PDB, with the session shadows, no proxy).

    .venv/bin/python -m bench.escape_walls        # a table per attempt, then the counts
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.conftest import PDB_ADMIN, PDB_PASSWORD
from tests.escape_corpus import CORPUS, SECRET
from tests.server import start_server
from tests.test_escape_corpus import PASSWORD, USER, _leaks, _run, engine_outcomes


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="escape-walls-") as tmp:
        root = Path(tmp)
        server = start_server(root / "data")
        try:
            with server.connect(autocommit=True) as con:
                con.execute(
                    f'CREATE PLUGGABLE DATABASE esc ADMIN USER {PDB_ADMIN} IDENTIFIED BY "{PDB_PASSWORD}"'
                )
                con.execute("ALTER PLUGGABLE DATABASE esc OPEN")
            with server.connect("ESC", PDB_ADMIN, PDB_PASSWORD, autocommit=True) as adm:
                for sql in (
                    "CREATE TABLE t (id INT, v VARCHAR)",
                    "INSERT INTO t VALUES (1, 'public')",
                    "CREATE TABLE secret_t (id INT, s VARCHAR)",
                    f"INSERT INTO secret_t VALUES (42, '{SECRET}')",
                    "CREATE SEQUENCE seq1",
                    f'CREATE USER {USER} IDENTIFIED BY "{PASSWORD}"',
                    f"GRANT CREATE SESSION, CREATE TABLE TO {USER}",
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON t TO {USER}",
                ):
                    adm.execute(sql)
            proxy: dict[str, tuple[bool, bool]] = {}
            for ident, sql, _ in CORPUS:
                with server.connect("ESC", USER, PASSWORD, autocommit=True) as c:
                    outs = [_run(c, s.strip()) for s in sql.split(";") if s.strip()]
                proxy[ident] = (
                    any(state == "42501" for state, _ in outs),
                    any(_leaks(text, (str(server.data_dir),)) for _, text in outs),
                )
        finally:
            server.stop()
        engine = engine_outcomes(root / "engine-alone")
    print(f"{'id':5} {'proxy':8} {'engine':8} what")
    for ident, _sql, why in CORPUS:
        p, e = proxy[ident], engine[ident]
        print(f"{ident:5} {_cell(*p):8} {_cell(*e):8} {why}")
    n = len(CORPUS)
    both = sum(1 for i in proxy if proxy[i][0] and engine[i][0])
    print(f"\nattempts: {n}")
    print(
        f"proxy refuses {sum(p for p, _ in proxy.values())} (42501, audited); leaks through it: "
        f"{sum(leak for _, leak in proxy.values())}"
    )
    print(
        f"engine alone refuses {sum(e for e, _ in engine.values())}; leaks without the proxy: "
        f"{sum(leak for _, leak in engine.values())}"
    )
    print(f"refused by both walls: {both}")
    return 0


def _cell(refused: bool, leaked: bool) -> str:
    return "LEAK" if leaked else "refused" if refused else "passes"


if __name__ == "__main__":
    sys.exit(main())
