"""The login throttle: lockouts per (user, container, address) and per address, SYS's local
bypass, and tables that strangers cannot grow without bound."""

from __future__ import annotations

import pytest

from pgwire.errors import DbError
from proxy import logins
from proxy.logins import LOCAL, LockoutPolicy, LoginThrottle

POLICY = LockoutPolicy(
    max_failures=3, max_failures_per_address=10, window_s=60, lockout_s=300, sys_bypass=frozenset({LOCAL})
)


def _locked(t: LoginThrottle, user: str, pdb: str, addr: str) -> bool:
    try:
        t.check(user, pdb, addr)
    except DbError as e:
        assert e.sqlstate == "28000"
        return True
    return False


def test_one_user_from_one_address() -> None:
    t = LoginThrottle(POLICY)
    for _ in range(3):
        assert not _locked(t, "ALICE", "A", "10.0.0.1")
        t.failed("ALICE", "A", "10.0.0.1")
    assert _locked(t, "ALICE", "A", "10.0.0.1")
    assert not _locked(t, "ALICE", "A", "10.0.0.2")  # another address
    assert not _locked(t, "ALICE", "B", "10.0.0.1")  # another container's ALICE
    assert not _locked(t, "BOB", "A", "10.0.0.1")  # another user


def test_address_threshold_spares_users_who_logged_in_before() -> None:
    t = LoginThrottle(POLICY)
    t.succeeded("BOB", "A", "10.0.0.1")
    for i in range(10):
        t.failed(f"NOBODY{i}", "A", "10.0.0.1")
    assert _locked(t, "CAROL", "A", "10.0.0.1")
    assert not _locked(t, "BOB", "A", "10.0.0.1")
    assert not _locked(t, "CAROL", "A", "10.0.0.9")


def test_sys_is_never_locked_out_locally() -> None:
    t = LoginThrottle(POLICY)
    for _ in range(20):
        t.failed("SYS", "CDB$ROOT", LOCAL)
        t.failed("SYS", "CDB$ROOT", "10.0.0.1")
    assert not _locked(t, "SYS", "CDB$ROOT", LOCAL)
    assert _locked(t, "SYS", "CDB$ROOT", "10.0.0.1")


def test_success_clears_the_count() -> None:
    t = LoginThrottle(POLICY)
    for _ in range(2):
        t.failed("ALICE", "A", "10.0.0.1")
    t.succeeded("ALICE", "A", "10.0.0.1")
    for _ in range(2):
        t.failed("ALICE", "A", "10.0.0.1")
    assert not _locked(t, "ALICE", "A", "10.0.0.1")


def test_tables_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logins, "MAX_KEYS", 500)
    t = LoginThrottle(POLICY)
    for i in range(5000):
        t.failed(f"MADE_UP_{i}", "A", f"10.1.{i // 250}.{i % 250}")
        t.succeeded(f"U{i}", "A", "10.0.0.1")
    assert t.size() <= 4 * 500 + 4
