"""OpenAPI links (3.1 `links` on responses): where a created resource's id goes next, so that
clients and tools (schemathesis' stateful testing) can follow create -> get / update / delete, a
list's first item -> its resource, and a 202's operation -> GET /operations/{id}.

One table (LINKS): the producing operation, its status, the body field that holds the id, and
the path parameter of the operations under the resource's path that take it."""

from typing import Any

P = "/api/v1"
# (method, path, status, body pointer, parameter, resource path whose operations take it); a
# target that also names another resource in its body (a directive's PDB) is left out: its 404
# would be about that one, not about the resource the link leads to.
LINKS: list[tuple[str, str, str, str, str, str]] = [
    ("post", f"{P}/tenants", "201", "/tenant_id", "tenant_id", f"{P}/tenants/{{tenant_id}}"),
    ("get", f"{P}/tenants", "200", "/items/0/tenant_id", "tenant_id", f"{P}/tenants/{{tenant_id}}"),
    ("post", f"{P}/pdbs", "201", "/pdb_name", "pdb_id", f"{P}/pdbs/{{pdb_id}}"),
    ("get", f"{P}/pdbs", "200", "/items/0/pdb_name", "pdb_id", f"{P}/pdbs/{{pdb_id}}"),
    ("post", f"{P}/users", "201", "/username", "username", f"{P}/users/{{username}}"),
    ("post", f"{P}/auth/keys", "201", "/name", "name", f"{P}/auth/keys/{{name}}"),
    ("post", f"{P}/cdb/lockdown-profiles", "201", "/name", "name", f"{P}/cdb/lockdown-profiles/{{name}}"),
    ("post", f"{P}/cdb/resource-plans", "201", "/plan", "plan", f"{P}/cdb/resource-plans/{{plan}}"),
    (
        "get",
        f"{P}/cdb/lockdown-profiles",
        "200",
        "/items/0/name",
        "name",
        f"{P}/cdb/lockdown-profiles/{{name}}",
    ),
    ("get", f"{P}/service-tiers", "200", "/items/0/name", "name", f"{P}/service-tiers/{{name}}"),
    ("get", f"{P}/tenant-templates", "200", "/items/0/name", "name", f"{P}/tenant-templates/{{name}}"),
]
OPERATION = f"{P}/operations/{{operation_id}}"
# more of a link's parameters, by the producing path: where the resource lives
EXTRA: dict[str, dict[str, str]] = {f"{P}/users": {"query.container": "$response.body#/container"}}
SKIP = ("create_directive", "update_directive", "delete_directive")


def add_links(doc: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with the links of LINKS and of every 202 added (in place)."""
    paths: dict[str, dict[str, Any]] = doc.get("paths", {})

    def targets(prefix: str, param: str) -> list[tuple[str, str]]:
        out = []
        for path, ops in paths.items():
            if path == prefix or path.startswith(prefix + "/"):
                for method, op in ops.items():
                    names = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
                    if param in names and "operationId" in op:
                        out.append((op["operationId"], method))
        return out

    def link(op: dict[str, Any], status: str, name: str, target: str, params: dict[str, str]) -> None:
        resp = op.get("responses", {}).get(status)
        if resp is None:
            return
        resp.setdefault("links", {})[name] = {"operationId": target, "parameters": params}

    for method, path, status, pointer, param, prefix in LINKS:
        op = paths.get(path, {}).get(method)
        if op is None:
            continue
        for target, _ in targets(prefix, param):
            other = [p for p in _path_params(paths, target) if p != param]
            if other or target.startswith(SKIP):
                continue  # needs another id too (a directive's PDB): not from this response alone
            link(op, status, target, target, {param: f"$response.body#{pointer}", **EXTRA.get(path, {})})
    get_op = paths.get(OPERATION, {}).get("get", {}).get("operationId")
    if get_op:
        for ops in paths.values():
            for op in ops.values():
                link(op, "202", get_op, get_op, {"operation_id": "$response.body#/operation_id"})
    return doc


def _path_params(paths: dict[str, dict[str, Any]], operation_id: str) -> list[str]:
    for ops in paths.values():
        for op in ops.values():
            if op.get("operationId") == operation_id:
                return [p["name"] for p in op.get("parameters", []) if p.get("in") == "path"]
    return []


def install(app: Any) -> None:
    """app.openapi() gives the document with its links (built once, as FastAPI caches it)."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(plain())
        return app.openapi_schema

    app.openapi = openapi
