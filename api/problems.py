"""Errors as RFC 9457 problem+json, carrying the ORA- number and SQLSTATE the SQL path gives."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse

from pgwire.errors import DbError

PROBLEM = "application/problem+json"
_ORA = re.compile(r"^ORA-(\d{5})")

# SQLSTATE (exact, then its class) -> HTTP status
_EXACT = {
    "42501": 403,
    "28000": 403,
    "28P01": 401,
    "42704": 404,
    "3D000": 404,
    "42710": 409,
    "2BP01": 409,
    "25001": 409,
    "55006": 409,
    "57P03": 409,
    "53400": 409,
    "53100": 409,
    "53300": 409,
    "0A000": 501,
    "XX000": 500,
}
_CLASS = {"55": 409, "22": 422, "42": 422, "0L": 422, "XX": 422, "58": 422, "25": 409, "53": 409}


class ApiError(Exception):
    """An HTTP error without a database error behind it (401, 403 of tenant context, 412, 429)."""

    def __init__(self, status: int, title: str, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


def status_of(e: DbError) -> int:
    return _EXACT.get(e.sqlstate) or _CLASS.get(e.sqlstate[:2], 400)


def problem(
    status: int, title: str, detail: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def db_problem(e: DbError) -> JSONResponse:
    m = _ORA.match(e.message)
    extra: dict[str, Any] = {"sqlstate": e.sqlstate}
    if m:
        extra["ora"] = f"ORA-{m.group(1)}"
    status = status_of(e)
    return problem(status, title_of(status), e.message, **extra)


def title_of(status: int) -> str:
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
