"""Mutational protocol fuzzing over real sockets (issue 13), bounded for `make test`.

The recorded sessions of real clients (tests/fuzz/recorded/, made with tests/fuzz/record.py)
are mutated at the message level and replayed after a real login; random and mutated startup
packets, SSL/GSSENC/Cancel requests and authentication messages are sent before login. After
every case the checks of tests/fuzz/harness.py: the server is alive, a healthy session opened
at the start still answers right, memory stays bounded, every reply is valid.

Derandomized (the same examples on every run, so CI is reproducible); FUZZ_EXAMPLES scales the
run. The long run with random seeds is bench/fuzz.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is a test dependency (tests/fuzz)")
from hypothesis import HealthCheck, Phase, example, given, settings  # noqa: E402

from tests.fuzz import harness, mutate, recording  # noqa: E402
from tests.server import start_server  # noqa: E402

RECORDINGS = recording.load_all()
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
FUZZ_SETTINGS = dict(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    # no shrinking here: a failure prints its case, and bench/fuzz.py shrinks
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.Target]:
    srv = start_server(tmp_path_factory.mktemp("fuzz") / "data", config=harness.CONFIG)
    try:
        yield harness.Target.prepare(srv, RECORDINGS)
    finally:
        srv.stop()


def test_recordings_are_there_and_replay_cleanly(target: harness.Target) -> None:
    """Every recording, unmutated, runs to the sentinel with only the errors it was recorded with."""
    assert {"psql", "psycopg", "asyncpg"} <= {r.name for r in RECORDINGS}
    for rec in RECORDINGS:
        assert rec.messages and rec.startup, rec.name
        out = target.run_post_login(mutate.frames_of(rec))
        target.check(out, rec.name, intact=True)
        assert out.sentinel, (rec.name, out.replies.kinds())
        states = {e["C"] for e in out.replies.errors()}
        assert states <= {"22P02", "22012", "23505"}, (rec.name, out.replies.errors())


def _quote_cut_in_a_parse() -> mutate.PostLoginCase:
    """The first Parse with a quoted literal, its closing quote changed: SQL whose tokenizing fails."""
    for rec in RECORDINGS:
        for i, f in enumerate(mutate.frames_of(rec)):
            if f.kind == b"P" and f.body.count(b"'") >= 2:
                pos = f.body.rindex(b"'")
                return mutate.PostLoginCase(rec.name, (("flip", i, ((pos, ord("'") ^ ord("x")),)),), 1)
    raise AssertionError("no recording has a Parse with a quoted literal")


def _first(kind: bytes) -> int:
    return next(i for i, f in enumerate(mutate.frames_of(RECORDINGS[0])) if f.kind == kind)


# Cases found before (and what PostgreSQL does): always run first.
AFTER_LOGIN_EXAMPLES = [
    _quote_cut_in_a_parse(),  # today: XX000, sqlglot's tokenizer error escapes Parse (42601 in a Query)
    mutate.PostLoginCase(RECORDINGS[0].name, (("bad_utf8", _first(b"Q"), 0, b"\xff"),), 1),  # PG: 22021
    mutate.PostLoginCase(RECORDINGS[0].name, (("length", _first(b"Q"), 2**30),), 1),  # PG: closes
]
BEFORE_LOGIN_EXAMPLES = [
    mutate.StartupCase((b"\x00\x00\x00\x08\x04\xd2\x16.",), 1),  # a CancelRequest of 8 bytes
    mutate.StartupCase((b"\x00\x00\x00\x0c\x04\xd2\x16.\x00\x00\x00\x01",), 1),  # ... of 12 bytes
    mutate.StartupCase((b"\x00\x00\x00\x10\x00\x03\x00\x00user\x00\x80\x00\x00",), 1),  # user b"\x80"
    mutate.StartupCase(  # SCRAM client-first message with invalid UTF-8
        (
            mutate.valid_startup(harness.FUZZ_USER, harness.FUZZ_PDB),
            b"p\x00\x00\x00!SCRAM-SHA-256\x00\x00\x00\x00\x0bn,,n=\xff,r=\xff\xfe",
        ),
        1,
    ),
]


def _examples(cases: list) -> object:
    def deco(fn: object) -> object:
        for c in reversed(cases):
            fn = example(case=c)(fn)
        return fn

    return deco


@settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
@given(case=mutate.post_login_cases(RECORDINGS))
@_examples(AFTER_LOGIN_EXAMPLES)
def test_fuzz_after_login(target: harness.Target, case: mutate.PostLoginCase) -> None:
    pieces = case.pieces(target.by_name, RECORDINGS)
    out = target.run_post_login(pieces, case.parts)
    target.check(out, case, intact=mutate.framing_intact(pieces))


@settings(max_examples=EXAMPLES * 3 // 4, **FUZZ_SETTINGS)
@given(case=mutate.startup_cases(RECORDINGS))
@_examples(BEFORE_LOGIN_EXAMPLES)
def test_fuzz_before_login(target: harness.Target, case: mutate.StartupCase) -> None:
    out = target.run_startup(case.data(), case.parts)
    target.check(out, case)


def test_fuzz_found_no_internal_errors(target: harness.Target) -> None:
    """The cases above must never reach an internal error (XX000, a traceback in the log)."""
    assert target.cases > 0
    assert not target.findings, target.findings_report()
