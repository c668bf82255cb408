"""Errors raised by the codec, each carrying the PostgreSQL SQLSTATE a server should report."""

from __future__ import annotations


class CodecError(Exception):
    """A value could not be converted; `sqlstate` is the PostgreSQL error code to send."""

    def __init__(self, sqlstate: str, message: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.sqlstate!r}, {self.message!r})"


class ParamError(CodecError):
    """A bind parameter is not a valid value of its declared type."""


class CopyError(CodecError):
    """COPY FROM STDIN data is malformed."""


class EncodeError(CodecError):
    """A result value cannot be represented in the requested PostgreSQL wire format."""
