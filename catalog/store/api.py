"""The HTTP API's rows: API keys (stored as the SHA-256 of their secret) and long operations
(202 Accepted, then polled at /api/v1/operations/{id}; their final status survives a restart)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from catalog.store.base import StoreBase


@dataclass
class ApiKey:
    name: str
    username: str
    con_id: int
    secret_sha256: str
    created_by: str
    created_at: float
    expires_at: float | None


@dataclass
class Operation:
    id: str
    kind: str
    target: str
    tenant: str | None
    username: str
    status: str  # RUNNING, SUCCEEDED, FAILED
    created_at: float
    finished_at: float | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None


_OP_COLUMNS = "id, kind, target, tenant, username, status, created_at, finished_at, result, error"


def _op(r: tuple) -> Operation:
    return Operation(*r[:8], json.loads(r[8]) if r[8] else None, json.loads(r[9]) if r[9] else None)


class ApiRows(StoreBase):
    def api_key(self, name: str) -> ApiKey | None:
        r = self.db.execute("SELECT * FROM api_keys WHERE name = ?", (name,)).fetchone()
        return ApiKey(*r) if r else None

    def api_key_by_secret(self, secret_sha256: str) -> ApiKey | None:
        r = self.db.execute("SELECT * FROM api_keys WHERE secret_sha256 = ?", (secret_sha256,)).fetchone()
        return ApiKey(*r) if r else None

    def api_keys(self) -> list[ApiKey]:
        return [ApiKey(*r) for r in self.db.execute("SELECT * FROM api_keys ORDER BY name")]

    def insert_api_key(self, k: ApiKey) -> None:
        self.db.execute(
            "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?)",
            (k.name, k.username, k.con_id, k.secret_sha256, k.created_by, k.created_at, k.expires_at),
        )

    def delete_api_key(self, name: str) -> bool:
        return self.db.execute("DELETE FROM api_keys WHERE name = ?", (name,)).rowcount > 0

    def insert_operation(self, op: Operation) -> None:
        self.db.execute(
            f"INSERT INTO api_operations ({_OP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                op.id,
                op.kind,
                op.target,
                op.tenant,
                op.username,
                op.status,
                op.created_at,
                op.finished_at,
                json.dumps(op.result) if op.result is not None else None,
                json.dumps(op.error) if op.error is not None else None,
            ),
        )

    def finish_operation(
        self, op_id: str, status: str, result: dict[str, Any] | None, error: dict[str, Any] | None
    ) -> None:
        self.db.execute(
            "UPDATE api_operations SET status = ?, finished_at = ?, result = ?, error = ? WHERE id = ?",
            (
                status,
                time.time(),
                json.dumps(result) if result is not None else None,
                json.dumps(error) if error is not None else None,
                op_id,
            ),
        )

    def operation(self, op_id: str) -> Operation | None:
        r = self.db.execute(f"SELECT {_OP_COLUMNS} FROM api_operations WHERE id = ?", (op_id,)).fetchone()
        return _op(r) if r else None

    def operations(self) -> list[Operation]:
        return [
            _op(r) for r in self.db.execute(f"SELECT {_OP_COLUMNS} FROM api_operations ORDER BY created_at")
        ]
