"""pgcompat.constraint_names: which constraints of a statement are named (the engine records them)."""

from __future__ import annotations

from pgcompat.constraint_names import extract
from pgcompat.tokens import tokenize


def _spec(sql: str):
    return extract(sql, tokenize(sql))


def test_create_table_names_by_kind_and_place() -> None:
    spec = _spec(
        'CREATE TABLE s.t (id int CONSTRAINT t_key PRIMARY KEY, v int CHECK (v > 0) CONSTRAINT "V Pos" CHECK (v < 9),'
        " w text UNIQUE, CONSTRAINT uq UNIQUE (v, w), CONSTRAINT nn NOT NULL)"
    )
    assert spec == {
        "create_table": {"schema": "s", "table": "t"},
        "constraint_names": [
            {"kind": "PRIMARY KEY", "ordinal": 1, "name": "t_key"},
            {"kind": "CHECK", "ordinal": 2, "name": "V Pos"},
            {"kind": "UNIQUE", "ordinal": 2, "name": "uq"},
        ],
    }


def test_no_names_temporary_tables_and_other_statements() -> None:
    assert _spec("CREATE TABLE t (id int PRIMARY KEY, v int CHECK (v > 0))") is None
    assert _spec("CREATE TEMP TABLE t (id int CONSTRAINT k PRIMARY KEY)") is None
    assert _spec("CREATE TABLE pg_temp.t (id int CONSTRAINT k PRIMARY KEY)") is None
    assert _spec("SELECT 'CONSTRAINT' AS a, 1 AS b, 2 AS c") is None


def test_alter_table_add_rename() -> None:
    assert _spec("ALTER TABLE public.t ADD CONSTRAINT u UNIQUE (a)") == {
        "schema": "main",
        "table": "t",
        "add_named": [{"kind": "UNIQUE", "name": "u"}],
    }
    assert _spec("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID") == {
        "schema": "main",
        "table": "t",
        "add_check": "CHECK (a > 0)",
        "not_valid": True,
        "add_named": [{"kind": "CHECK", "name": "c"}],
    }
    assert _spec("ALTER TABLE t ADD CHECK (a > 0)") == {
        "schema": "main",
        "table": "t",
        "add_check": "CHECK (a > 0)",
        "not_valid": False,
    }
    assert _spec('ALTER TABLE t RENAME CONSTRAINT a TO "B"') == {
        "schema": "main",
        "table": "t",
        "rename_constraint": ["a", "B"],
    }
    assert _spec("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES p (id)") is None
    assert _spec("ALTER TABLE t DROP CONSTRAINT a") is None
