"""Token buckets: a rate with a burst, charged after the fact; a bucket in debt delays the next
caller, it never fails it. I/O (MAX_IOPS, MAX_MBPS) and network (NETWORK_MBPS) budgets use them."""

from __future__ import annotations

import threading
import time

BURST_S = 2.0


class TokenBucket:
    """rate units per second, capacity rate x BURST_S; charges may run it into debt, which the next
    caller waits out. A rate of 0 is unlimited."""

    def __init__(self, rate: float) -> None:
        self._lock = threading.Lock()  # the PDB's sessions charge it from their own threads
        self.rate = rate
        self.tokens = rate * BURST_S
        self.last = time.monotonic()
        self.throttled = 0  # waits imposed
        self.throttle_time = 0.0  # seconds waited

    def set_rate(self, rate: float) -> None:
        with self._lock:
            self._refill()
            self.rate = rate
            self.tokens = min(self.tokens, rate * BURST_S)

    @property
    def capacity(self) -> float:
        return self.rate * BURST_S

    def _refill(self) -> None:
        now = time.monotonic()
        if self.rate > 0:
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now

    def charge(self, amount: float) -> None:
        if self.rate > 0:
            with self._lock:
                self._refill()
                self.tokens -= amount

    def delay(self) -> float:
        """Seconds to wait before the bucket is out of debt (0 when it is not)."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            self._refill()
            return -self.tokens / self.rate if self.tokens < 0 else 0.0

    def wait(self) -> None:
        """Wait out the debt (in the calling thread), counted as throttling."""
        d = self.delay()
        if d > 0:
            self.throttled += 1
            self.throttle_time += d
            time.sleep(d)
