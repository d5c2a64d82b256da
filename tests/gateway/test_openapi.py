"""The merged OpenAPI document: valid 3.1, every public endpoint, stable ids, security, errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from gateway.openapi.merge import merge
from gateway.proxy.upstream import owner_of
from shared.openapi import HTTP_METHODS, PROBLEM_REF, is_operation_id, operation_id, operations
from tests.gateway.conftest import Gateway
from tests.integration.conftest import Suite
from tests.reporting.conftest import Reporting

PROBLEM_JSON = "application/problem+json"
GATEWAY_SECURITY = [{"bearer": []}, {"apiKey": []}, {"oauth2": []}]
UNAUTHENTICATED = {"/oauth/token", "/healthz", "/readyz"}
# The ids clients are generated with: renaming one breaks every client built on it.
PINNED = {("/api/v1/websites", "post"): "registerWebsite",
          ("/api/v1/runs/{run_id}", "get"): "getRun",
          ("/api/v1/circulars", "post"): "createCircular",
          ("/api/v1/keys", "post"): "createApiKey",
          ("/api/v1/webhooks", "post"): "createWebhook"}
# Main create/read operations whose request and response bodies carry examples.
EXAMPLED_REQUESTS = [("/api/v1/regions", "post"), ("/api/v1/organisations", "post"),
                     ("/api/v1/websites", "post"), ("/api/v1/accounts", "post"),
                     ("/api/v1/websites/{site_id}/filings", "post"),
                     ("/api/v1/runs", "post"), ("/api/v1/circulars", "post"),
                     ("/api/v1/error-reports", "post"),
                     ("/api/v1/rectifications/{item_id}/report", "post"),
                     ("/api/v1/keys", "post"), ("/api/v1/webhooks", "post")]
EXAMPLED_RESPONSES = [("/api/v1/regions/{code}", "get"),
                      ("/api/v1/organisations/{org_id}", "get"),
                      ("/api/v1/websites/{site_id}", "get"),
                      ("/api/v1/accounts/{account_id}", "get"), ("/api/v1/filings", "get"),
                      ("/api/v1/websites/import", "post"), ("/api/v1/runs/{run_id}", "get"),
                      ("/api/v1/findings/{finding_id}", "get"),
                      ("/api/v1/rectifications/{item_id}", "get"),
                      ("/api/v1/error-reports/{report_id}", "get")]


async def _document(gw: Gateway) -> dict[str, Any]:
    r = await gw.client.get("/openapi.json")  # public, like the docs page
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


def _resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = doc["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _has_examples(doc: dict[str, Any], media: dict[str, Any]) -> bool:
    if media.get("example") is not None or media.get("examples"):
        return True
    schema = _resolve(doc, media.get("schema", {}))
    return bool(schema.get("examples") or schema.get("example"))


async def test_merged_document_is_valid_openapi_31(full_gateway: Gateway) -> None:
    doc = await _document(full_gateway)
    assert doc["openapi"].startswith("3.1")
    validate(doc)
    assert "x-upstreams-missing" not in doc["info"]


async def test_every_public_endpoint_appears_and_nothing_internal(
        full_gateway: Gateway, suite: Suite, reporting: Reporting) -> None:
    doc = await _document(full_gateway)
    routes = full_gateway.app.state.settings.routes
    services = {"registry": suite.registry.app, "checker": suite.checker,
                "reporting": reporting.app}
    expected: set[tuple[str, str]] = set()
    for name, app in services.items():
        for path, method, _op in operations(app.openapi()):
            if owner_of(path, routes) == name:
                expected.add(("/api/v1" + path, method))
    for path, method, _op in operations(full_gateway.app.openapi()):
        expected.add((path, method))
    present = {(path, method) for path, method, _op in operations(doc)}
    assert expected - present == set()
    assert present - expected == set()
    assert {"/api/v1/websites", "/api/v1/runs", "/api/v1/circulars", "/api/v1/keys",
            "/api/v1/webhooks", "/oauth/token"} <= set(doc["paths"])
    # The services' own health endpoints stay behind the gateway; the gateway's are its own.
    assert not any(p.startswith("/api/v1/healthz") or p.startswith("/api/v1/readyz")
                   for p in doc["paths"])
    assert {op["x-service"] for _p, _m, op in operations(doc) if "x-service" in op} == \
        {"registry", "checker", "reporting"}


async def test_operation_ids_are_unique_readable_and_stable(full_gateway: Gateway) -> None:
    doc = await _document(full_gateway)
    ids = [op.get("operationId", "") for _p, _m, op in operations(doc)]
    assert all(is_operation_id(i) for i in ids), [i for i in ids if not is_operation_id(i)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for (path, method), wanted in PINNED.items():
        assert doc["paths"][path][method]["operationId"] == wanted
    # Built again from scratch (the cache dropped), the document is the same.
    full_gateway.app.state.openapi.built_at = 0.0
    full_gateway.app.state.openapi.docs.clear()
    assert await _document(full_gateway) == doc


def test_routes_without_an_operation_id_get_their_function_name() -> None:
    app = FastAPI(generate_unique_id_function=operation_id)

    @app.get("/things/{thing_id}/parts")
    async def list_thing_parts(thing_id: int) -> list[int]:
        return [thing_id]

    @app.post("/things", operation_id="makeThing")
    async def create_thing() -> None:
        return None

    ids = {op["operationId"] for _p, _m, op in operations(app.openapi())}
    assert ids == {"listThingParts", "makeThing"}


async def test_every_operation_is_secured_by_the_gateway_and_tagged(full_gateway: Gateway) -> None:
    doc = await _document(full_gateway)
    assert set(doc["components"]["securitySchemes"]) == {"bearer", "apiKey", "oauth2"}
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/oauth/token"
    params = [p for _p, _m, op in operations(doc) for p in op.get("parameters", [])]
    assert not [p for p in params if p["name"].lower() == "x-govinspect-principal"]
    tags = {t["name"]: t.get("description", "") for t in doc["tags"]}
    for path, method, op in operations(doc):
        if path in UNAUTHENTICATED:
            assert not op.get("security"), (path, method)
        else:
            assert op.get("security") == GATEWAY_SECURITY, (path, method)
        assert len(op.get("tags", [])) == 1, (path, method)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in tags[op["tags"][0]]), op["tags"]


async def test_every_error_response_is_a_problem(full_gateway: Gateway) -> None:
    doc = await _document(full_gateway)
    assert doc["components"]["schemas"]["Problem"]["required"] == \
        ["type", "title", "status", "detail"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, method, op in operations(doc):
        responses = op["responses"]
        assert "500" in responses, (path, method)
        if path.startswith("/api/"):
            assert {"401", "429"} <= set(responses), (path, method)
        for code, response in responses.items():
            if code[0] in "45":
                assert response["content"] == {PROBLEM_JSON: {"schema": PROBLEM_REF}}, \
                    (path, method, code)
                assert any("\u4e00" <= ch <= "\u9fff" for ch in response["description"])


async def test_main_operations_carry_request_and_response_examples(full_gateway: Gateway) -> None:
    doc = await _document(full_gateway)
    for path, method in EXAMPLED_REQUESTS:
        body = doc["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert _has_examples(doc, body), (path, method)
    for path, method in EXAMPLED_RESPONSES:
        ok = next(r for c, r in doc["paths"][path][method]["responses"].items() if c[0] == "2")
        assert _has_examples(doc, ok["content"]["application/json"]), (path, method)


def _examples(node: Any, pointer: str) -> list[tuple[str, Any]]:
    """(JSON pointer of a schema, one of its examples) for every schema below `node`."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list) and not pointer.endswith("/properties"):
            found += [(pointer, example) for example in node["examples"]]
        for key, value in node.items():
            if key != "examples":
                found += _examples(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _examples(value, f"{pointer}/{i}")
    return found


async def test_every_example_matches_its_schema(full_gateway: Gateway) -> None:
    doc = await _document(full_gateway)
    registry = Registry().with_resource(
        "urn:govinspect", Resource.from_contents(doc, default_specification=DRAFT202012))
    examples = _examples(doc["components"]["schemas"], "/components/schemas")
    assert len(examples) > 30
    wrong = []
    for pointer, example in examples:
        validator = Draft202012Validator({"$ref": f"urn:govinspect#{pointer}"}, registry=registry,
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        wrong += [f"{pointer}: {e.message}" for e in validator.iter_errors(example)]
    assert not wrong, "\n".join(wrong)


async def test_docs_page_works_offline(full_gateway: Gateway) -> None:
    page = await full_gateway.client.get("/docs")
    assert page.status_code == 200
    assert "/openapi.json" in page.text and "cdn" not in page.text.lower()
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        r = await full_gateway.client.get(asset)
        assert r.status_code == 200 and len(r.content) > 10_000, asset


async def test_a_service_that_is_down_is_left_out_until_it_answers(gateway: Gateway) -> None:
    doc = await _document(gateway)  # only the registry is mounted
    assert doc["info"]["x-upstreams-missing"] == ["checker", "reporting"]
    assert "/api/v1/websites" in doc["paths"] and "/api/v1/runs" not in doc["paths"]
    validate(doc)


def _doc(schemas: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths,
            "components": {"schemas": schemas,
                           "securitySchemes": {"principal": {"type": "apiKey", "in": "header",
                                                             "name": "X-P"}}}}


@pytest.mark.parametrize("order", [("registry", "checker"), ("checker", "registry")])
def test_schema_name_clashes_are_renamed_whatever_the_order(order: tuple[str, str]) -> None:
    def page(item: str) -> dict[str, Any]:
        return {"type": "object", "properties": {"items": {"type": "array", "items": {
            "$ref": f"#/components/schemas/{item}"}}}}

    def listing(item: str) -> dict[str, Any]:
        return {"get": {"operationId": f"list{item}", "tags": [item.lower()],
                        "responses": {"200": {"description": "ok", "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Page"}}
                        }}}}}

    services = {
        "registry": _doc({"Page": page("Site"), "Site": {"type": "object"},
                          "Same": {"type": "string"}}, {"/sites": listing("Site")}),
        "checker": _doc({"Page": page("Run"), "Run": {"type": "object"},
                         "Same": {"type": "string"}}, {"/runs": listing("Run"),
                                                       "/healthz": listing("Health")}),
    }
    own = _doc({}, {})
    own["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    doc = merge(own, {name: services[name] for name in order},
                {"sites": "registry", "runs": "checker"})
    schemas = doc["components"]["schemas"]
    assert {"RegistryPage", "CheckerPage", "Same", "Site", "Run"} <= set(schemas)
    assert "Page" not in schemas
    ref = doc["paths"]["/api/v1/runs"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ref["schema"] == {"$ref": "#/components/schemas/CheckerPage"}
    assert set(doc["paths"]) == {"/api/v1/sites", "/api/v1/runs"}
    assert doc["paths"]["/api/v1/sites"]["get"]["security"] == [{"bearer": []}]
    validate(doc)
    assert all(m in HTTP_METHODS for item in doc["paths"].values() for m in item)


async def test_webhooks_document_every_subscribable_event_with_its_payload_model(
        full_gateway: Gateway) -> None:
    """The callback bodies are in the merged document (OpenAPI 3.1 `webhooks`), and `data` is
    the event's payload model from shared/contracts: what the producer builds and fan-out sends."""
    from gateway.webhooks.schemas import EventName
    from shared.contracts.events import payload_type

    doc = await _document(full_gateway)
    assert set(doc["webhooks"]) == {e.value for e in EventName}
    for event in EventName:
        op = doc["webhooks"][event.value]["post"]
        assert is_operation_id(op["operationId"])
        assert {p["name"] for p in op["parameters"] if p["in"] == "header"} == {
            "X-Govinspect-Event", "X-Govinspect-Event-Id", "X-Govinspect-Signature"}
        body = _resolve(doc, op["requestBody"]["content"]["application/json"]["schema"])
        assert body["properties"]["event"]["const"] == event.value
        assert set(body["required"]) == {"id", "event", "occurred_at", "data"}
        data = body["properties"]["data"]
        model = payload_type(event.value)
        if isinstance(model, type):  # one model; filing.late is a website|account union
            assert _resolve(doc, data)["title"] == model.__name__
    overdue = _resolve(doc, _resolve(doc, doc["webhooks"]["rectification.overdue"]["post"][
        "requestBody"]["content"]["application/json"]["schema"])["properties"]["data"])
    assert {"item_id", "organisation_id", "region_code", "deadline_at"} <= set(overdue["required"])
    late = _resolve(doc, doc["webhooks"]["filing.late"]["post"]["requestBody"]["content"][
        "application/json"]["schema"])["properties"]["data"]
    assert {_resolve(doc, s)["title"] for s in late["oneOf"]} == {"WebsiteFilingLate",
                                                                    "AccountFilingLate"}
