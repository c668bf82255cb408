"""Helpers of the HTTP API tests: real HTTP (httpx) against the live server's listener."""

from __future__ import annotations

import time

import httpx

from tests.server import SYS_PASSWORD, RunningServer


def token(
    server: RunningServer,
    user: str = "SYS",
    password: str = SYS_PASSWORD,
    database: str | None = None,
    ttl: int | None = None,
) -> str:
    body: dict[str, object] = {"username": user, "password": password}
    if database:
        body["database"] = database
    if ttl:
        body["ttl_seconds"] = ttl
    r = httpx.post(f"{server.api}/auth/token", json=body, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def client(server: RunningServer, tok: str | None, tenant: str | None = None) -> httpx.Client:
    headers = {}
    if tok:
        headers["Authorization"] = f"Bearer {tok}"
    if tenant:
        headers["X-Tenant-ID"] = tenant
    return httpx.Client(base_url=server.api, headers=headers, timeout=60)


def wait_operation(c: httpx.Client, location: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = c.get(location.removeprefix("/api/v1"))
        assert r.status_code == 200, r.text
        if r.json()["status"] != "RUNNING":
            return r.json()
        time.sleep(0.1)
    raise AssertionError(f"operation {location} still running")
