"""schemathesis against the live server's OpenAPI document, over real HTTP: no 5xx, and every
response conforms to its documented schema and content type. All operations as a tenant's admin
(mutations reach the privilege checks and are refused there, validation is exercised), and every
read as SYS."""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.api_util import client, token
from tests.server import RunningServer

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@pytest.fixture(scope="module")
def fuzz_tenant(server: RunningServer):
    name = f"FZ_{uuid.uuid4().hex[:5]}".upper()
    with client(server, token(server)) as c:
        r = c.post(
            "/tenants",
            json={
                "tenant_name": name,
                "admin_user": "fz_adm",
                "admin_password": "Fuzz-Pw-1",
                "service_tier": "bronze",
            },
        )
        assert r.status_code == 201, r.text
    yield name, token(server, "FZ_ADM", "Fuzz-Pw-1", name)
    with client(server, token(server)) as c:
        c.delete(f"/tenants/{name}", params={"immediate": True})


@pytest.fixture(scope="module")
def api_schema(server: RunningServer):
    return schemathesis.openapi.from_url(f"{server.api}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.exclude(path_regex=".*/graphql$").parametrize()
@FUZZ
def test_every_operation_as_a_tenant_admin(case, fuzz_tenant: tuple[str, str]) -> None:
    name, tok = fuzz_tenant
    case.call_and_validate(headers={"Authorization": f"Bearer {tok}", "X-Tenant-ID": name}, checks=CHECKS)


@schema.include(method="GET").exclude(path_regex=".*/graphql$").parametrize()
@FUZZ
def test_every_read_as_sys(case, server: RunningServer) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {_sys_token(server)}"}, checks=CHECKS)


_TOKENS: dict[int, str] = {}


def _sys_token(server: RunningServer) -> str:
    if server.port not in _TOKENS:
        _TOKENS[server.port] = token(server)
    return _TOKENS[server.port]
