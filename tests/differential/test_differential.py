"""Issue 12: never a quiet difference from PostgreSQL. See harness.py and corpus.txt."""

from __future__ import annotations

import pytest

from tests.differential.harness import (
    SETUP,
    CorpusError,
    Known,
    Outcome,
    Result,
    Run,
    Statement,
    compare,
    has_top_level_order_by,
    load_corpus,
    load_known,
    parse_corpus,
)


def test_corpus_and_known_differences_are_well_formed() -> None:
    statements = load_corpus()
    known = load_known()
    ids = {s.id for s in statements}
    assert len(ids) == len(statements)
    assert any(s.category == SETUP for s in statements)
    assert sum(s.category != SETUP for s in statements) >= 300
    assert not [k for k in known if k not in ids], (
        "known_differences.toml names ids that are not in corpus.txt"
    )
    setup_ids = {s.id for s in statements if s.category == SETUP}
    assert not [k for k in known if k in setup_ids], "setup statements must succeed on both servers"


def test_corpus_format() -> None:
    text = (
        "# c\n[a]\nx1: SELECT 1\n  , 2\n\ny-2: SELECT ';' ORDER BY 1\n[b]\nz: SELECT (SELECT 1 ORDER BY 1)\n"
    )
    st = parse_corpus(text)
    assert [(s.id, s.category, s.sql, s.line) for s in st] == [
        ("x1", "a", "SELECT 1\n, 2", 3),
        ("y-2", "a", "SELECT ';' ORDER BY 1", 6),
        ("z", "b", "SELECT (SELECT 1 ORDER BY 1)", 8),
    ]
    assert [s.ordered for s in st] == [False, True, False]
    for bad in (
        "x: SELECT 1\n",
        "[a]\nx: SELECT 1\nx: SELECT 2\n",
        "[a]\n  SELECT 1\n",
        "[a]\nnot an entry\n",
    ):
        with pytest.raises(CorpusError):
            parse_corpus(bad)


def test_order_by_detection() -> None:
    assert has_top_level_order_by("SELECT a FROM t ORDER BY a")
    assert has_top_level_order_by("select a from t order\n  by 1 desc")
    assert not has_top_level_order_by("SELECT row_number() OVER (ORDER BY a) FROM t")
    assert not has_top_level_order_by("SELECT string_agg(s, ',' ORDER BY s) FROM t")
    assert not has_top_level_order_by("SELECT 'ORDER BY' FROM t")
    assert has_top_level_order_by("SELECT ')' AS x FROM t ORDER BY x")
    assert not has_top_level_order_by("SELECT E'\\' ORDER BY 1' AS x")
    assert has_top_level_order_by("SELECT date'2024-01-01\\', x FROM t ORDER BY x")
    assert not has_top_level_order_by("SELECT $q$ ) ORDER BY x $q$, $$ ( $$")


def test_compare_and_strictness() -> None:
    ok = Outcome(("a",), (23,), [("1",), ("2",)], "SELECT 2")
    assert compare(ok, Outcome(("a",), (23,), [("2",), ("1",)], "SELECT 2"), ordered=False) == []
    assert compare(ok, Outcome(("a",), (23,), [("2",), ("1",)], "SELECT 2"), ordered=True) == ["row-order"]
    assert compare(ok, Outcome(("b",), (20,), [("1",), ("3",)], "SELECT 2"), ordered=False) == [
        "columns",
        "types",
        "values",
    ]
    assert compare(ok, Outcome(sqlstate="22012"), ordered=False) == ["error-only-duckcdb"]
    assert compare(Outcome(sqlstate="22012"), Outcome(sqlstate="22012"), ordered=False) == []
    assert compare(Outcome(sqlstate="22012"), Outcome(sqlstate="42601"), ordered=False) == ["sqlstate"]

    def result(sid: str, diffs: list[str]) -> Result:
        return Result(Statement(sid, "c", "SELECT 1", 1), ok, ok, diffs)

    known = {
        "listed_differs": Known("listed_differs", "cause", "r"),
        "listed_matches": Known("listed_matches", "cause", "r"),
    }
    results = [result("listed_differs", ["types"]), result("listed_matches", []), result("new", ["values"])]
    run = Run(results, known, {}, 0.0, frozenset({"listed_differs", "listed_matches", "new"}))
    assert [r.statement.id for r in run.unexpected] == ["new"]
    assert [r.statement.id for r in run.fixed] == ["listed_matches"]
    assert run.matching == 1 and len(run.failures()) == 4
    run = Run(
        results[:1], {"listed_differs": known["listed_differs"]}, {}, 0.0, frozenset({"listed_differs"})
    )
    assert run.failures() == [] and list(run.by_cause()) == ["cause"]


def test_no_quiet_difference_from_postgresql(differential_run: Run, record_property) -> None:
    """Every statement answers as PostgreSQL 15 does, or is listed with its reason; listed ones still differ."""
    run = differential_run
    record_property("differential_matching", run.matching)
    record_property("differential_total", run.total)
    print(run.summary())
    problems = run.failures()
    assert not problems, "\n".join(problems)
