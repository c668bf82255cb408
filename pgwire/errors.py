"""The errors every layer raises: DbError when a client must see an ErrorResponse (the session
goes on), ProtocolViolation when the byte stream is broken (the connection ends with 08P01)."""

from __future__ import annotations

from pgwire.backend import error_response


class ProtocolViolation(Exception):
    """The peer sent bytes that are not the protocol; the connection cannot go on."""

    sqlstate = "08P01"


class DbError(Exception):
    """An error with a SQLSTATE, sent to the client as an ErrorResponse."""

    def __init__(
        self,
        sqlstate: str,
        message: str,
        *,
        detail: str | None = None,
        hint: str | None = None,
        severity: str = "ERROR",
        objects: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.message = message
        self.detail = detail
        self.hint = hint
        self.severity = severity
        self.objects = objects or {}  # schema/table/column/constraint it names (backend.DIAGNOSTIC_FIELDS)

    def to_wire(self) -> bytes:
        return error_response(
            self.sqlstate,
            self.message,
            severity=self.severity,
            detail=self.detail,
            hint=self.hint,
            objects=self.objects,
        )

    def to_json(self) -> dict[str, str | None]:
        return {
            "sqlstate": self.sqlstate,
            "message": self.message,
            "detail": self.detail,
            "hint": self.hint,
            "severity": self.severity,
        }
