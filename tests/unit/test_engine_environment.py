"""An engine's environment (proxy.supervisor.engine_environment): no SYS password, glibc's
tcache tunable added to whatever GLIBC_TUNABLES the server was started with, the operator's own
tcache setting kept."""

from __future__ import annotations

import pytest

from proxy.supervisor import engine_environment


def test_the_sys_password_stays_with_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUCKCDB_SYS_PASSWORD", "secret")
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    env = engine_environment(256)
    assert "DUCKCDB_SYS_PASSWORD" not in env
    assert env["GLIBC_TUNABLES"] == "glibc.malloc.tcache_count=256"


def test_other_tunables_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
    assert (
        engine_environment(256)["GLIBC_TUNABLES"] == "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=256"
    )


def test_the_operators_tcache_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=16")
    assert engine_environment(256)["GLIBC_TUNABLES"] == "glibc.malloc.tcache_count=16"


def test_zero_leaves_glibc_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    assert "GLIBC_TUNABLES" not in engine_environment(0)
