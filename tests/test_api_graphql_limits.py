"""GraphQL's query cost limit and batched loading, over real HTTP against the live server."""

from __future__ import annotations

import uuid

import pytest

from tests.api_util import client, token
from tests.server import RunningServer

LISTING = "{ tenants(limit: 1000) { tenantId status pdbs { name openMode } } }"


@pytest.fixture(scope="module")
def sys_token(server: RunningServer) -> str:
    return token(server)


def _gql(c, query: str, variables: dict | None = None) -> dict:
    r = c.post("/graphql", json={"query": query, **({"variables": variables} if variables else {})})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_query_over_the_cost_limit_is_refused_before_it_runs(server: RunningServer, sys_token: str) -> None:
    costly = (
        "{ tenants(limit: 1000) { pdbs { owner { pdbs { name } } } } }"  # depth 5: within the depth limit
    )
    with client(server, sys_token) as c:
        r = _gql(c, costly)
        assert r["data"] is None
        err = r["errors"][0]
        assert err["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert err["extensions"]["cost"] == 1 + 1000 * (1 + 10 * (1 + 1 + 10 * 1))
        assert err["extensions"]["max_cost"] == 50_000
        assert "query cost 121001 exceeds the limit of 50000" in err["message"]
        # refused at validation: nothing ran (no lookup, no execution to count statements of)
        assert r["extensions"]["catalog_lookups"] == 0 and "catalog_statements" not in r["extensions"]
        # the same shape with a smaller limit is within the limit, and says what it cost
        ok = _gql(c, "{ tenants(limit: 100) { pdbs { owner { pdbs { name } } } } }")
        assert "errors" not in ok and ok["extensions"]["cost"] == 1 + 100 * 121
        # a variable counts as its value
        q = "query($n: Int!) { tenants(limit: $n) { pdbs { owner { pdbs { name } } } } }"
        assert _gql(c, q, {"n": 1000})["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert "errors" not in _gql(c, q, {"n": 10})
        # fragments are priced where they are spread
        frag = "fragment P on Pdb { owner { pdbs { name } } } { tenants(limit: 1000) { pdbs { ...P } } }"
        assert _gql(c, frag)["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_listing_tenants_with_their_pdbs_is_a_handful_of_catalog_statements(
    server: RunningServer, sys_token: str
) -> None:
    """However many tenants, the listing with their PDBs is the same few catalog SQL statements
    (the request's own, counted by the catalog store: the new tenants' background work running
    meanwhile is not counted), not one per tenant; every run of the listing says the same."""
    made = []
    with client(server, sys_token) as c:
        for _ in range(3):
            made.append(_new_tenant(c))
        before = _gql(c, LISTING)
        n_before = len(before["data"]["tenants"])
        counts_before = [before["extensions"]["catalog_statements"], *_statement_counts(c)]
        for _ in range(12):
            made.append(_new_tenant(c))
        after = _gql(c, LISTING)
        counts_after = [after["extensions"]["catalog_statements"], *_statement_counts(c)]
        try:
            assert len(after["data"]["tenants"]) == n_before + 12
            got = {t["tenantId"]: [p["name"] for p in t["pdbs"]] for t in after["data"]["tenants"]}
            assert all(got[m] == [m] for m in made)
            for r in (before, after):
                assert r["extensions"]["catalog_lookups"] == 2  # one batch of PDBs (owners, containers)
            assert 1 <= counts_before[0] <= 4, counts_before
            # the same statements for 15 more tenants (nothing per tenant), in every run
            assert counts_before == counts_after == [counts_before[0]] * 3, (counts_before, counts_after)
        finally:
            for m in made:
                c.delete(f"/tenants/{m}", params={"immediate": True})


def _statement_counts(c) -> list[int]:
    """The catalog statements of two more runs of the listing."""
    return [_gql(c, LISTING)["extensions"]["catalog_statements"] for _ in range(2)]


def _new_tenant(c) -> str:
    name = f"GL_{uuid.uuid4().hex[:6]}".upper()
    r = c.post(
        "/tenants",
        json={
            "tenant_name": name,
            "admin_user": "gl_adm",
            "admin_password": "Gl-Pw-12345",
            "service_tier": "bronze",
        },
    )
    assert r.status_code == 201, r.text
    return name
