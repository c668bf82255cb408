"""GraphQL's errors: what REST gives as problem+json (its HTTP status, the ORA- number and the
SQLSTATE of the SQL path, the field at fault of a body that does not validate) is a GraphQL
error's extensions; and each mutation's outcome is kept on the request for the audit of the
request (api.app), which otherwise sees only the HTTP status (200 whatever happened)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from strawberry.types import Info

from api.core import ora_fields
from api.problems import ApiError, status_of
from pgwire.errors import DbError


class GqlError(Exception):
    def __init__(self, message: str, extensions: dict[str, Any]) -> None:
        super().__init__(message)
        self.extensions = extensions


def gql_error(e: Exception) -> GqlError:
    """The GraphQL error of a DbError, an ApiError or an input that does not validate."""
    if isinstance(e, DbError):
        return GqlError(e.message, {"status": status_of(e), **ora_fields(e)})
    if isinstance(e, ValidationError):
        errors = [
            {"field": ".".join(str(x) for x in err.get("loc", ())), "message": err.get("msg", "")}
            for err in e.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid input"}
        return GqlError(
            f"{first['field']}: {first['message']}",
            {"status": 422, "code": "BAD_USER_INPUT", "field": first["field"], "errors": errors},
        )
    assert isinstance(e, ApiError)
    keep = ("sqlstate", "ora", "field")
    return GqlError(
        e.detail or e.title, {"status": e.status, **{k: v for k, v in e.extra.items() if k in keep}}
    )


def record(info: Info, outcome: str | None) -> None:
    """A mutation's outcome (None: it succeeded; else its SQLSTATE, or its HTTP status when it has
    none), for the request's audit row; the first failure's SQLSTATE is the request's."""
    state = info.context["request"].state
    done = getattr(state, "graphql_mutations", None)
    if done is None:
        done = state.graphql_mutations = []
    done.append(f"{info.field_name} {outcome or '00000'}")
    if outcome is not None:
        state.graphql_failed = True
        if outcome[:1] != "H" and getattr(state, "sqlstate", None) is None:
            state.sqlstate = outcome


def failed(info: Info, e: Exception) -> GqlError:
    """The GraphQL error of e, recorded as the outcome of the mutation that raised it."""
    err = gql_error(e)
    record(info, str(err.extensions.get("sqlstate") or f"HTTP {err.extensions.get('status')}"))
    return err
