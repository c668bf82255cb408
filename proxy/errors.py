"""The error every layer raises when a client must see an ErrorResponse."""

from __future__ import annotations

from proxy import wire


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
    ) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.message = message
        self.detail = detail
        self.hint = hint
        self.severity = severity

    def to_wire(self) -> bytes:
        return wire.error_response(
            self.sqlstate, self.message, severity=self.severity, detail=self.detail, hint=self.hint
        )

    def to_json(self) -> dict[str, str | None]:
        return {
            "sqlstate": self.sqlstate,
            "message": self.message,
            "detail": self.detail,
            "hint": self.hint,
            "severity": self.severity,
        }
