"""Django 5.2 with psycopg 3, unmodified, on a tiny project (tests/tools/django_project) in a fresh PDB.

The app `shop` has three models (BigAutoField ids, a ForeignKey, an index, a unique constraint) and
two migrations (the second adds a NOT NULL column with a default to the indexed table). One test
runs the app's migrations, ORM work (shop_checks: create, read, update, delete, annotate/Count,
select_for_update in transaction.atomic, bulk_create, the unique constraint), `inspectdb` and
`migrate shop zero`; the other runs the contrib apps every project has (contenttypes, auth) and
`createsuperuser`. Statements Django sends: DJANGO_SQL_LOG=1 prints them.
"""

from __future__ import annotations

import json
import sys

import pytest

from tests.tools.conftest import TOOLS_DIR, ToolDB, run_tool

pytest.importorskip("django", reason="Django is not installed (tests/tools/REQUIREMENTS.md)")

PROJECT = TOOLS_DIR / "django_project"


def _manage(db: ToolDB, *args: str, env: dict[str, str] | None = None) -> str:
    run = run_tool(db, [sys.executable, "manage.py", *args], cwd=PROJECT, env={**db.env(), **(env or {})})
    assert run.returncode == 0, db.failure(f"manage.py {' '.join(args)} failed", run.stdout)
    return run.stdout


def test_django_app_migrate_orm_inspectdb(tool_db: ToolDB) -> None:
    out = _manage(tool_db, "migrate", "shop", "--noinput")
    assert "Applying shop.0002_product_discontinued... OK" in out
    tables = tool_db.tables()
    assert tables["shop_customer"] == ["id", "email", "name", "joined"]
    assert tables["shop_product"] == ["id", "sku", "title", "price", "stock", "discontinued"]
    assert tables["shop_order"] == ["id", "quantity", "note", "customer_id", "product_id"]
    with tool_db.connect(autocommit=True) as c:
        applied = c.execute("select name from django_migrations where app = 'shop' order by id").fetchall()
        assert applied == [("0001_initial",), ("0002_product_discontinued",)]

    seen = json.loads(_manage(tool_db, "shop_checks").strip().splitlines()[-1])
    assert seen["ada_orders"] == [["LAMP", 1], ["PEN", 3]]
    assert seen["per_customer"] == [["Ada", 2, 4], ["Grace", 1, 2]]
    assert seen["stock"] == {"LAMP": 4, "PEN": 35}
    assert seen["lamp_title"] == "Desk lamp (brass)"
    assert seen["unique"] == "UniqueViolation"
    assert seen["after_delete"] == [1, 2]
    with tool_db.connect(autocommit=True) as c:
        ids = c.execute("select id from shop_customer union all select id from shop_product").fetchall()
        assert all(isinstance(i, int) and i > 0 for (i,) in ids)
        types = c.execute(
            "select distinct data_type from information_schema.columns "
            "where table_name like 'shop%' and column_name in ('id', 'customer_id', 'product_id')"
        ).fetchall()
        assert types == [("bigint",)]

    models = _manage(tool_db, "inspectdb", "shop_customer", "shop_product", "shop_order")
    for line in (
        "class ShopCustomer(models.Model):",
        "id = models.BigAutoField(primary_key=True)",
        "email = models.CharField(unique=True, max_length=254)",
        "sku = models.CharField(unique=True, max_length=20)",
        "price = models.DecimalField(max_digits=10, decimal_places=2)",
        "discontinued = models.BooleanField()",
        "customer = models.ForeignKey(ShopCustomer, models.DO_NOTHING)",
        "product = models.ForeignKey(ShopProduct, models.DO_NOTHING)",
    ):
        assert line in models, models

    out = _manage(tool_db, "migrate", "shop", "zero", "--noinput")
    assert "Unapplying shop.0001_initial... OK" in out
    assert not {"shop_customer", "shop_product", "shop_order"} & set(tool_db.tables())


def test_django_contrib_migrate_createsuperuser(tool_db: ToolDB) -> None:
    out = _manage(tool_db, "migrate", "auth", "--noinput")
    assert "Applying auth.0012_alter_user_first_name_max_length... OK" in out
    tables = tool_db.tables()
    assert "name" not in tables["django_content_type"]
    assert {"username", "email", "last_login", "is_superuser"} <= set(tables["auth_user"])
    env = {"DJANGO_SUPERUSER_PASSWORD": "Admin-Pw-1"}
    _manage(
        tool_db, "createsuperuser", "--noinput", "--username", "root", "--email", "r@example.com", env=env
    )
    with tool_db.connect(autocommit=True) as c:
        user = c.execute(
            "select username, is_superuser, password like 'pbkdf2_sha256$%' from auth_user"
        ).fetchall()
        assert user == [("root", True, True)]
        perms = c.execute("select count(*) from auth_permission").fetchone()[0]
        assert perms >= 8  # the post_migrate signal made the permissions of auth and contenttypes
