"""One OpenAPI 3.1 document for everything public behind the gateway.

The gateway may not import the services (import contract), so it merges their own documents,
fetched from their `/openapi.json`: a service's path is public when the gateway routes it to
that service (`settings.routes`, read by the proxy's own `owner_of`), and then appears as
`/api/v1<path>`; everything else (health, anything internal) is left out. New routes therefore
appear without edits here.

Each service's security scheme (the signed principal header, which only the gateway may send) is
replaced by the gateway's own (API key, OAuth2 client credentials, JWT bearer). A component
schema defined differently by two documents is renamed `<Service><Name>` in every service that
defines it (the gateway's keeps its name), so the result never depends on fetch order. Every
4xx/5xx response points at the one `Problem` schema.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from gateway.proxy.upstream import owner_of
from shared.openapi import ERROR_DESCRIPTIONS, normalise_problems, operations

API_ROOT = "/api/v1"
# The services' scheme: the gateway signs it for them, callers never send it.
SERVICE_SCHEME = "principal"
SCHEMA_REF = "#/components/schemas/"
# Every authenticated call may be refused by the credential check or the rate limit, and
# every call may fail; proxied calls also when their service is down or slow.
API_ERRORS = (401, 429, 500)
PROXY_ERRORS = (502, 503, 504)
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "幂等键：24 小时内同键同内容重放首次响应，同键不同内容答 422，首个请求未完成时答 409",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


def _service_prefix(service: str) -> str:
    return "".join(part.capitalize() for part in service.replace("-", "_").split("_"))


def _rewrite_refs(node: Any, renamed: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        out = {k: _rewrite_refs(v, renamed) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_REF) and ref[len(SCHEMA_REF):] in renamed:
            out["$ref"] = SCHEMA_REF + renamed[ref[len(SCHEMA_REF):]]
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v, renamed) for v in node]
    return node


def _clashes(own: dict[str, Any], services: Mapping[str, dict[str, Any]]) -> set[str]:
    """Names of component schemas that two documents define differently."""
    seen: dict[str, list[Any]] = {}
    for doc in (own, *services.values()):
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            versions = seen.setdefault(name, [])
            if schema not in versions:
                versions.append(schema)
    return {name for name, versions in seen.items() if len(versions) > 1}


def _public(path: str, service: str, routes: Mapping[str, str]) -> bool:
    return owner_of(path, routes) == service


def _add_errors(op: dict[str, Any], statuses: tuple[int, ...]) -> None:
    responses = op.setdefault("responses", {})
    for status in statuses:
        responses.setdefault(str(status), {"description": ERROR_DESCRIPTIONS[status]})


def _security(own: dict[str, Any]) -> list[dict[str, list[str]]]:
    schemes = own.get("components", {}).get("securitySchemes", {})
    return [{name: []} for name in schemes if name != SERVICE_SCHEME]


def merge(own: dict[str, Any], services: Mapping[str, dict[str, Any]],
          routes: Mapping[str, str]) -> dict[str, Any]:
    """Merge the gateway's own document with its services' into the public document."""
    doc = copy.deepcopy(own)
    security = _security(own)
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    clashing = _clashes(own, services)
    tags = list(doc.get("tags", []))
    for service in services:  # clash names do not depend on this order; tags follow it
        theirs = services[service]
        renamed = {name: _service_prefix(service) + name
                   for name in theirs.get("components", {}).get("schemas", {}) if name in clashing}
        theirs = _rewrite_refs(theirs, renamed)
        for name, schema in theirs.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renamed.get(name, name), schema)
        for path, item in theirs.get("paths", {}).items():
            public = API_ROOT + path
            if _public(path, service, routes) and public not in doc["paths"]:
                doc["paths"][public] = item
                for op in item.values():
                    if isinstance(op, dict):
                        op["x-service"] = service
                        _add_errors(op, PROXY_ERRORS)
        tags += [t for t in theirs.get("tags", []) if t["name"] not in {x["name"] for x in tags}]
    for path, method, op in operations(doc):
        if "tags" in op:
            op["tags"] = list(dict.fromkeys(op["tags"]))
        if path.startswith("/api/"):
            op["security"] = copy.deepcopy(security)
            _add_errors(op, API_ERRORS)
            if method == "post":
                params = op.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_KEY["name"] for p in params):
                    params.append(dict(IDEMPOTENCY_KEY))
                _add_errors(op, (400, 409, 422))  # a malformed, busy or reused key
        else:
            _add_errors(op, (500,))
    components.get("securitySchemes", {}).pop(SERVICE_SCHEME, None)
    used = {t for _p, _m, op in operations(doc) for t in op.get("tags", [])}
    doc["tags"] = [t for t in tags if t["name"] in used]
    doc["paths"] = dict(sorted(doc["paths"].items()))
    components["schemas"] = dict(sorted(schemas.items()))
    normalise_problems(doc)
    return doc
