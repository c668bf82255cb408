"""Transaction modes, boolean settings and startup options as PostgreSQL reads them."""

from __future__ import annotations

import pytest

from pgcompat import params
from pgcompat.statements import split
from pgcompat.transactions import Modes, begin_modes, set_modes
from pgwire.errors import DbError


def _words(sql: str) -> list[str]:
    return [t.text.upper() for t in split(sql)[0].tokens]


@pytest.mark.parametrize(
    ("sql", "modes"),
    [
        ("BEGIN", Modes()),
        ("BEGIN WORK READ ONLY", Modes(read_only=True)),
        ("START TRANSACTION READ WRITE", Modes(read_only=False)),
        (
            "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY NOT DEFERRABLE",
            Modes(True, "repeatable read", False),
        ),
        ("begin /* READ ONLY */ isolation level read committed", Modes(isolation="read committed")),
    ],
)
def test_begin_modes(sql: str, modes: Modes) -> None:
    assert begin_modes(_words(sql)) == modes


def test_set_modes() -> None:
    assert set_modes(_words("SET TRANSACTION READ ONLY")) == Modes(read_only=True)
    assert set_modes(_words("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE, DEFERRABLE")) == Modes(
        False, None, True
    )


@pytest.mark.parametrize("sql", ["BEGIN READ SOMETIMES", "BEGIN ISOLATION LEVEL CHAOS", "BEGIN NOW"])
def test_bad_modes_are_syntax_errors(sql: str) -> None:
    with pytest.raises(DbError) as e:
        begin_modes(_words(sql))
    assert e.value.sqlstate == "42601"


def test_boolean_spellings() -> None:
    prm = params.lookup("default_transaction_read_only")
    assert prm is not None
    for v in ("on", "TRUE", "t", "yes", "y", "1", "'on'"):
        assert params.normalize(prm, v) == "on"
    for v in ("off", "of", "false", "f", "no", "n", "0"):
        assert params.normalize(prm, v) == "off"
    for v in ("o", "maybe", "2", ""):
        with pytest.raises(ValueError):
            params.normalize(prm, v)


def test_startup_options() -> None:
    assert params.startup_options(r"-c a=1 --b-c=x\ y -cd=2  -c") == [("a", "1"), ("b_c", "x y"), ("d", "2")]
    assert params.startup_options("") == []
