"""LISTEN / NOTIFY among the sessions of one PDB, as PostgreSQL delivers them.

Every session of a PDB runs in that PDB's engine process, so one hub per process is the whole
PDB and never another: a notification stays within its PDB. A NOTIFY outside a transaction block
is sent when its statement ends; inside one, at COMMIT (nothing at ROLLBACK), once per distinct
(channel, payload), in the order they were made. A listener gets its notifications when it is not
in a transaction block: before its next ReadyForQuery, or at once while it waits idle (the hub
wakes its thread). What a listener has not yet received is bounded (MAX_PENDING_BYTES): a NOTIFY
that would go past it fails with 54000, as PostgreSQL's NOTIFY does when its queue is full.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable

from pgwire import backend
from pgwire.errors import DbError

# PostgreSQL: a payload must be shorter than 8000 bytes.
MAX_PAYLOAD_BYTES = 7999
# What one listener may have waiting for it.
MAX_PENDING_BYTES = 8 << 20


class Listener:
    """One session's end: its channels and what was sent to it but not yet delivered."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self.wake = wake
        self.channels: set[str] = set()
        self._pending: deque[bytes] = deque()
        self._pending_bytes = 0
        self._lock = threading.Lock()

    def room_for(self, size: int) -> bool:
        return self._pending_bytes + size <= MAX_PENDING_BYTES

    def _put(self, message: bytes) -> None:
        with self._lock:
            self._pending.append(message)
            self._pending_bytes += len(message)

    def take(self) -> bytes:
        """The NotificationResponse messages waiting, in order (b"" when none)."""
        if not self._pending:
            return b""
        with self._lock:
            out = b"".join(self._pending)
            self._pending.clear()
            self._pending_bytes = 0
        return out


class NotifyHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_channel: dict[str, set[Listener]] = {}

    def listen(self, listener: Listener, channel: str) -> None:
        with self._lock:
            listener.channels.add(channel)
            self._by_channel.setdefault(channel, set()).add(listener)

    def unlisten(self, listener: Listener, channel: str | None) -> None:
        """UNLISTEN channel, or UNLISTEN * (channel None)."""
        with self._lock:
            for c in list(listener.channels) if channel is None else [channel]:
                listener.channels.discard(c)
                members = self._by_channel.get(c)
                if members is not None:
                    members.discard(listener)
                    if not members:
                        del self._by_channel[c]

    def check_room(self, channel: str, payload: str) -> None:
        """54000 when a listener of channel has no room left for this notification."""
        size = len(channel) + len(payload.encode()) + 16
        with self._lock:
            full = any(not lst.room_for(size) for lst in self._by_channel.get(channel, ()))
        if full:
            raise DbError("54000", "too many notifications in the NOTIFY queue")

    def publish(self, sender_pid: int, notes: Iterable[tuple[str, str]]) -> None:
        """Send each (channel, payload) to the channel's listeners, then wake them."""
        woken: set[Listener] = set()
        with self._lock:
            for channel, payload in notes:
                members = self._by_channel.get(channel)
                if not members:
                    continue
                message = backend.notification_response(sender_pid, channel, payload)
                for lst in members:
                    lst._put(message)
                    woken.add(lst)
        for lst in woken:
            lst.wake()


def check_payload(payload: str) -> None:
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        raise DbError("22023", "payload string too long")


class TransactionNotes:
    """What a transaction block said about notifications, applied when it commits."""

    def __init__(self) -> None:
        self.notes: dict[tuple[str, str], None] = {}  # ordered, each distinct pair once
        self.listens: list[tuple[str, str | None]] = []  # ("listen" | "unlisten", channel)

    def clear(self) -> None:
        self.notes.clear()
        self.listens.clear()
