"""schemathesis against the live server's OpenAPI document, over real HTTP: no 5xx, and every
response conforms to its documented schema and content type. All operations as a tenant's admin
(mutations reach the privilege checks and are refused there, validation is exercised), and every
read as SYS."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.api_util import client, token
from tests.server import TEST_CONFIG, RunningServer, start_server

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


# ------------------------------------------------------------------ stateful: links

LINKED = r"^/api/v1/(tenants|pdbs|users|roles|auth/keys|cdb/lockdown-profiles|cdb/resource-plans|service-tiers|operations)"
STATEFUL_CHECKS = (
    "not_a_server_error,response_schema_conformance,content_type_conformance,ensure_resource_availability"
)


@pytest.fixture(scope="module")
def stateful_server(tmp_path_factory: pytest.TempPathFactory):
    """A server of its own: SYS's scenarios create, change and drop whatever they find."""
    config = TEST_CONFIG + "\n[http]\nport = 0\nrate_limit_per_s = 100000\nrate_limit_burst = 100000\n"
    srv = start_server(tmp_path_factory.mktemp("stateful") / "data", config=config)
    yield srv
    srv.stop()


def test_stateful_scenarios_follow_the_links(stateful_server: RunningServer, tmp_path: Path) -> None:
    """schemathesis' stateful phase (its own runner, `schemathesis run --phases stateful`) over the
    OpenAPI links (create -> get / update / delete, a list's first item -> its resource, a 202 ->
    its operation), as SYS against the live server: no 5xx, every response conforms to its schema
    and content type, and a resource just created is there (ensure_resource_availability)."""
    srv = stateful_server
    doc = httpx.get(f"{srv.api}/openapi.json").json()
    created = doc["paths"]["/api/v1/tenants"]["post"]["responses"]["201"]["links"]
    assert created["get_tenant_api_v1_tenants__tenant_id__get"]["parameters"] == {
        "tenant_id": "$response.body#/tenant_id"
    }
    events = tmp_path / "events.ndjson"
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "schemathesis"), "run", f"{srv.api}/openapi.json",
            "--phases", "stateful", "--checks", STATEFUL_CHECKS,
            "--exclude-checks", "ensure_resource_availability,use_after_free",
            "-H", f"Authorization: Bearer {token(srv)}",
            "--include-path-regex", LINKED,
            "--max-examples", "200", "--seed", "17", "--workers", "1", "--mode", "positive",
            "--generation-codec", "ascii",
            "--report", "ndjson", "--report-ndjson-path", str(events),
        ],
        capture_output=True, text=True, timeout=1500, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # the links were followed: resources made in a scenario were then read, changed or dropped,
    # and a resource's own GET right after its create found it
    followed: set[str] = set()
    fresh_gets: list[tuple[str, int]] = []
    for line in events.read_text().splitlines():
        event = json.loads(line).get("ScenarioFinished")
        if not event:
            continue
        rec = event["recorder"]
        codes = {
            cid: (i.get("response") or {}).get("status_code", 0)
            for cid, i in rec.get("interactions", {}).items()
        }
        for case_id, case in rec.get("cases", {}).items():
            if not case.get("is_transition_applied"):
                continue
            what = f"{case['value']['method']} {case['value']['path']}"
            if codes.get(case_id, 0) < 400:
                followed.add(what)
            if (
                codes.get(case.get("parent_id"), 0) == 201
                and what.count("/") == 4
                and what.startswith("GET ")
            ):
                fresh_gets.append((what, codes.get(case_id, 0)))
    assert len(followed) >= 3, (sorted(followed), run.stdout[-3000:])
    assert any(f.startswith(("PUT ", "DELETE ", "POST ")) for f in followed), sorted(followed)
    assert all(code == 200 for _, code in fresh_gets), fresh_gets
