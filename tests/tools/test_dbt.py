"""dbt-postgres, unmodified, on a tiny project (tests/tools/dbt_project) in a fresh PDB.

Two seeds, a view, a table and an incremental model, schema tests (unique, not_null,
relationships): `dbt seed`, `dbt run` (twice: the second run takes the incremental path),
`dbt test`, `dbt docs generate`. dbt runs from its own venv (tests/tools/dbt_venv.py).
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.tools import dbt_venv
from tests.tools.conftest import TOOLS_DIR, ToolDB, run_tool

PROJECT = TOOLS_DIR / "dbt_project"


@pytest.fixture(scope="module")
def dbt() -> Path:
    return dbt_venv.ensure()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project: dbt writes target/ and logs/ beside it."""
    return Path(shutil.copytree(PROJECT, tmp_path / "dbt_project"))


def _dbt(db: ToolDB, dbt: Path, project: Path, *args: str) -> dict:
    env = {
        **db.env(),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_VERSION_CHECK": "false",
        "DO_NOT_TRACK": "1",
    }
    cmd = [str(dbt), *args, "--project-dir", str(project), "--profiles-dir", str(project)]
    run = run_tool(db, cmd, cwd=project, env=env, timeout=600)  # dbt starts slowly on a busy machine
    assert run.returncode == 0, db.failure(f"dbt {' '.join(args)} failed", run.stdout)
    results = project / "target" / "run_results.json"
    return json.loads(results.read_text()) if results.exists() else {}


def test_dbt_seed_run_test_docs(tool_db: ToolDB, dbt: Path, project: Path) -> None:
    seeded = _dbt(tool_db, dbt, project, "seed")
    assert {r["status"] for r in seeded["results"]} == {"success"}
    with tool_db.connect(autocommit=True) as c:
        assert c.execute("select count(*) from customers").fetchone() == (3,)
        assert c.execute("select count(*) from orders").fetchone() == (5,)

    ran = _dbt(tool_db, dbt, project, "run")
    assert {r["unique_id"].split(".")[-1]: r["status"] for r in ran["results"]} == {
        "stg_orders": "success",
        "customer_totals": "success",
        "order_months": "success",
    }
    with tool_db.connect(autocommit=True) as c:
        kinds = dict(
            c.execute(
                "select table_name, table_type from information_schema.tables where table_schema = 'public'"
            ).fetchall()
        )
        assert kinds["stg_orders"] == "VIEW"
        assert kinds["customer_totals"] == kinds["order_months"] == "BASE TABLE"
        totals = c.execute(
            "select customer_id, name, orders, total from customer_totals order by 1"
        ).fetchall()
        assert totals == [
            (1, "Ada", 2, Decimal("19.75")),
            (2, "Grace", 1, Decimal("100.00")),
            (3, "Edsger", 1, Decimal("3.10")),
        ]
        assert c.execute("select count(*) from order_months").fetchone() == (4,)
        # A new order, then the incremental run picks it up (and only it: unique_key merges).
        c.execute("insert into orders values (15, 3, 5.00, date '2024-03-20')")

    _dbt(tool_db, dbt, project, "run", "--select", "order_months")
    with tool_db.connect(autocommit=True) as c:
        months = c.execute("select order_id, month from order_months order by order_id").fetchall()
        assert [m[0] for m in months] == [10, 11, 12, 13, 15]
        assert str(months[-1][1]) == "2024-03-01"

    tested = _dbt(tool_db, dbt, project, "test")
    statuses = {r["unique_id"].split(".")[2]: r["status"] for r in tested["results"]}
    assert len(statuses) == 10 and set(statuses.values()) == {"pass"}, statuses
    assert any(name.startswith("relationships_stg_orders_customer_id") for name in statuses)

    _dbt(tool_db, dbt, project, "docs", "generate")
    catalog = json.loads((project / "target" / "catalog.json").read_text())
    nodes = catalog["nodes"]
    cols = nodes["model.duckcdb_tools.customer_totals"]["columns"]
    assert set(cols) == {"customer_id", "name", "orders", "total"}
    assert nodes["model.duckcdb_tools.stg_orders"]["metadata"]["type"] == "VIEW"
    assert set(nodes["seed.duckcdb_tools.orders"]["columns"]) == {"id", "customer_id", "amount", "ordered_at"}
