"""Failed logins and lockouts.

Failures are counted per (user, container, address): guessing one user's password from one
address locks out that user from that address, and no one else. An address that fails often, for
whatever users (a spray of made-up names), is locked out at a higher threshold; users who logged
in from it successfully before go on. SYS from a local address (the unix socket or the addresses
configured) is never locked out, so that the operator can always get in. Both tables are bounded:
strangers cannot grow the proxy's memory by failing with ever new names.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any

from pgwire.errors import DbError

# The most keys each table keeps (the oldest go first): about 200 bytes each.
MAX_KEYS = 100_000
LOCAL = "local"  # the peer name of a unix-socket connection


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int  # per (user, container, address) within the window
    max_failures_per_address: int  # per address, any users
    window_s: float
    lockout_s: float
    sys_bypass: frozenset[str]  # addresses SYS is never locked out from (LOCAL always)

    @classmethod
    def from_config(cls, config: Any) -> LockoutPolicy:
        return cls(
            int(config.get("auth", "max_failures")),
            int(config.get("auth", "max_failures_per_address")),
            float(config.get("auth", "failure_window_s")),
            float(config.get("auth", "lockout_s")),
            frozenset(config.get("auth", "sys_bypass_addresses")) | {LOCAL},
        )


class _Recent:
    """Timestamps per key, newest-touched last, at most MAX_KEYS keys and none older than keep_s."""

    def __init__(self, keep_s: float) -> None:
        self.keep_s = keep_s
        self.items: OrderedDict[tuple[str, ...], deque[float]] = OrderedDict()

    def prune(self, now: float) -> None:
        while self.items:
            key, times = next(iter(self.items.items()))
            if len(self.items) <= MAX_KEYS and times and now - times[-1] <= self.keep_s:
                break
            self.items.popitem(last=False)

    def add(self, key: tuple[str, ...], now: float, limit: int) -> None:
        times = self.items.pop(key, None) or deque(maxlen=max(limit, 1))
        times.append(now)
        self.items[key] = times
        self.prune(now)

    def get(self, key: tuple[str, ...]) -> deque[float] | None:
        return self.items.get(key)


class LoginThrottle:
    def __init__(self, policy: LockoutPolicy) -> None:
        self.policy = policy
        keep = max(policy.window_s, policy.lockout_s)
        self._failures = _Recent(keep)
        self._succeeded = _Recent(policy.lockout_s)  # (user, container, address) that logged in

    def _locked_for(self, times: deque[float] | None, limit: int, now: float) -> int:
        """Seconds left of a lockout, 0 when none."""
        p = self.policy
        if not times or len(times) < limit:
            return 0
        recent = [t for t in times if now - t <= p.window_s]
        if len(recent) < limit or now - times[-1] >= p.lockout_s:
            return 0
        return int(p.lockout_s - (now - times[-1])) + 1

    def check(self, user: str, container: str, address: str) -> None:
        """Refuse a login whose (user, container, address) or address is locked out (28000)."""
        p = self.policy
        if user == "SYS" and address in p.sys_bypass:
            return
        now = time.monotonic()
        self._failures.prune(now)
        wait = self._locked_for(self._failures.get(("login", user, container, address)), p.max_failures, now)
        if wait:
            raise DbError("28000", f'too many failed login attempts for user "{user}"; try again in {wait} s')
        wait = self._locked_for(self._failures.get(("address", address)), p.max_failures_per_address, now)
        if wait and self._succeeded.get((user, container, address)) is None:
            raise DbError("28000", f"too many failed login attempts from this address; try again in {wait} s")

    def failed(self, user: str, container: str, address: str) -> None:
        p = self.policy
        now = time.monotonic()
        self._failures.add(("login", user, container, address), now, p.max_failures)
        self._failures.add(("address", address), now, p.max_failures_per_address)

    def succeeded(self, user: str, container: str, address: str) -> None:
        now = time.monotonic()
        self._failures.items.pop(("login", user, container, address), None)
        self._succeeded.add((user, container, address), now, 1)

    def size(self) -> int:
        """Keys held (what a stranger could make the proxy keep)."""
        return len(self._failures.items) + len(self._succeeded.items)
