"""pgcompat.foreign_keys: the REFERENCES clauses taken out of what DuckDB runs, and their meaning."""

from __future__ import annotations

import pytest

from pgcompat import foreign_keys
from pgcompat.rewrite import rewrite, tokenize


def _extract(sql: str):
    return foreign_keys.extract(sql, tokenize(sql))


def test_column_and_table_constraints_are_taken_out() -> None:
    sql, spec = _extract(
        "CREATE TABLE c (id int PRIMARY KEY, pid int CONSTRAINT c_p REFERENCES p(id) ON DELETE SET NULL "
        "ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED, a int, b text, "
        'FOREIGN KEY (a, b) REFERENCES public."Q" MATCH FULL ON DELETE CASCADE)'
    )
    assert sql == "CREATE TABLE c (id int PRIMARY KEY, pid int, a int, b text)"
    assert spec is not None and spec["create_table"] == {"schema": "main", "table": "c"}
    first, second = spec["foreign_keys"]
    assert first == {
        "name": "c_p",
        "child_cols": ["pid"],
        "parent_schema": "main",
        "parent_table": "p",
        "parent_cols": ["id"],
        "on_delete": "n",
        "on_update": "c",
        "match": "s",
        "deferrable": True,
        "deferred": True,
        "not_valid": False,
        "delete_set_cols": None,
    }
    assert second["name"] is None and second["child_cols"] == ["a", "b"]
    assert (second["parent_table"], second["parent_cols"], second["match"]) == ("Q", [], "f")
    assert (second["on_delete"], second["on_update"], second["deferrable"]) == ("c", "a", False)


def test_alter_table_forms() -> None:
    sql = 'alter table "members" add constraint "m_fk" foreign key ("team_id") references "teams" ("id") on delete CASCADE'
    _, spec = _extract(sql)
    assert spec is not None and spec["only_foreign_keys"] and spec["table"] == "members"
    assert spec["foreign_keys"][0]["name"] == "m_fk" and spec["foreign_keys"][0]["on_delete"] == "c"
    sql, spec = _extract("ALTER TABLE t ADD COLUMN pid int REFERENCES p NOT VALID")
    assert sql == "ALTER TABLE t ADD COLUMN pid int"
    assert spec is not None and spec["foreign_keys"][0]["not_valid"] and "only_foreign_keys" not in spec
    _, spec = _extract("ALTER TABLE s.t DROP CONSTRAINT IF EXISTS t_pid_fkey")
    assert spec == {"schema": "s", "table": "t", "drop_constraint": "t_pid_fkey", "if_exists": True}


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE c (pid int REFERENCES p MATCH PARTIAL)",
        "CREATE TABLE c (a int, b int, FOREIGN KEY (a, b) REFERENCES p ON UPDATE SET NULL (a))",
        "CREATE TEMP TABLE c (pid int REFERENCES p ON DELETE CASCADE)",
    ],
)
def test_what_is_not_carried_out_is_refused(sql: str) -> None:
    assert rewrite(sql, tokenize(sql)).refusal[0] == "0A000"


def test_on_delete_set_null_column_list() -> None:
    sql = "CREATE TABLE c (a int, b int, FOREIGN KEY (a, b) REFERENCES p ON DELETE SET NULL (b))"
    out = rewrite(sql, tokenize(sql))
    assert out.refusal is None and out.alter["foreign_keys"][0]["delete_set_cols"] == ["b"]
    assert out.checked == "CREATE TABLE c (a int, b int, FOREIGN KEY (a, b) REFERENCES p ON DELETE SET NULL )"
    sql = "CREATE TABLE c (a int, b int, FOREIGN KEY (a, b) REFERENCES p ON DELETE CASCADE (a))"
    assert rewrite(sql, tokenize(sql)).refusal[0] == "42601"


def test_a_temporary_tables_foreign_keys_stay_duckdbs() -> None:
    sql = "CREATE TEMP TABLE c (id int, pid int REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)"
    out = rewrite(sql, tokenize(sql))
    assert out.refusal is None and out.alter is None
    assert out.sql == "CREATE TEMP TABLE c (id int, pid int REFERENCES p (id)  )"


def test_a_unique_constraints_deferrable_is_still_the_timing_rewrites() -> None:
    sql = "CREATE TABLE u (a int UNIQUE DEFERRABLE INITIALLY DEFERRED, pid int REFERENCES p DEFERRABLE)"
    out = rewrite(sql, tokenize(sql))
    assert "DEFERRABLE" not in out.sql and "REFERENCES" not in out.sql
    assert out.alter is not None and out.alter["foreign_keys"][0]["deferrable"] is True
    assert any("UNIQUE and PRIMARY KEY" in n for n in out.notices)
