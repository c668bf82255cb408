"""Caches of what is computed from a statement's text, bounded by bytes, not entries: one tenant
sending long statements cannot grow the process without bound (least recently used first out;
a text too long to be worth keeping is never kept)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class TextCache:
    def __init__(self, budget_bytes: int, max_text: int) -> None:
        self.budget = budget_bytes
        self.max_text = max_text
        self.used = 0
        self._items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key: str, value: Any, cost: int) -> None:
        """Keep value under key; cost: about what it holds in memory, in bytes."""
        if len(key) > self.max_text:
            return
        cost += 2 * len(key) + 200
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self._items[key] = (value, cost)
            self.used += cost
            while self.used > self.budget and self._items:
                _, (_, freed) = self._items.popitem(last=False)
                self.used -= freed

    def __len__(self) -> int:
        return len(self._items)
