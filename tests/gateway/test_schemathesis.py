"""schemathesis against the merged OpenAPI document, through the gateway, as the administrator.

Every public operation gets a bounded, derandomised set of generated requests (valid ones, then
ones that break the schema); none may answer 5xx, and every answer must be documented and match
its schema. Requests run on the test's own event loop (the services are mounted in-process on
it); Hypothesis drives generation from a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.gateway.conftest import Gateway, OpenGateway
from tests.integration.conftest import Suite
from tests.reporting.conftest import Reporting

SH = ZoneInfo("Asia/Shanghai")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 2}
# Never fuzzed: they would end the run's own credential, or have nothing to send.
SKIPPED = {"revokeApiKey", "rotateApiKey"}
UNLIMITED = {role: 1_000_000 for role in
             ("administrator", "supervisor", "integration", "unit", "viewer")}


@pytest.fixture
async def fuzzed_gateway(open_gateway: OpenGateway, suite: Suite,
                         reporting: Reporting) -> AsyncIterator[Gateway]:
    """The gateway in front of all three services, without rate limits in the way."""
    reporting.app.state.checker_transport = httpx.ASGITransport(app=suite.checker)
    async with open_gateway(transports={
            "checker": httpx.ASGITransport(app=suite.checker),
            "reporting": httpx.ASGITransport(app=reporting.app)},
            rate_limits=UNLIMITED) as gw:
        yield gw


async def _seed(gw: Gateway) -> dict[str, str]:
    """One row of each resource, so generated requests also reach real rows; path values."""
    gw.clock.set(datetime(2026, 11, 20, 10, 0, tzinfo=SH))
    for code, name, parent in (("370100", "济南市", "370000"), ("370102", "历下区", "370100")):
        await gw.ok("POST", "/api/v1/regions", json={"code": code, "name": name,
                                                     "parent_code": parent})
    org = await gw.ok("POST", "/api/v1/organisations", json={
        "name": "历下区人民政府办公室", "kind": "county_government", "region_code": "370102"})
    site = await gw.ok("POST", "/api/v1/websites", json={
        "site_code": "3701020001", "name": "历下区人民政府网站", "organisation_id": org["id"],
        "kind": "portal", "domains": ["www.lixia.gov.cn"], "home_url": "https://www.lixia.gov.cn/",
        "status": "running"})
    account = await gw.ok("POST", "/api/v1/accounts", json={
        "platform": "wechat_subscription", "platform_account_id": "gh_lixia_0001",
        "name": "历下发布", "sponsor_id": org["id"], "status": "running"})
    run = await gw.ok("POST", "/api/v1/runs", json={"name": "历下区网站检查",
                                                    "scope": {"website_ids": [site["id"]]}})
    plan = await gw.ok("POST", "/api/v1/plans", json={"name": "历下区季度检查",
                                                      "scope": {"regions": ["370102"]}})
    circular = await gw.ok("POST", "/api/v1/circulars", json={
        "region_code": "370102", "quarter": "2026Q4", "issuing_office": "历下区人民政府办公室",
        "deadline_working_days": 10})
    report = await gw.ok("POST", "/api/v1/error-reports", json={
        "website": {"id": site["id"], "site_code": site["site_code"], "name": site["name"],
                    "organisation_id": org["id"], "organisation_name": org["name"],
                    "region_code": "370102"},
        "page_url": site["home_url"], "category": "typo", "content": "首页有错别字"})
    key = await gw.ok("POST", "/api/v1/keys", json={"name": "只读密钥", "roles": ["viewer"],
                                                    "regions": ["370102"]})
    return {"code": "370102", "org_id": org["id"], "site_id": site["id"],
            "account_id": account["id"], "run_id": run["id"], "plan_id": plan["id"],
            "circular_id": circular["id"], "report_id": report["id"], "key_id": key["id"],
            "year": "2026"}


def _request_kwargs(transport: dict[str, Any]) -> dict[str, Any]:
    """What schemathesis prepared for `requests`, encoded by `requests`, as httpx arguments."""
    fields = ("method", "url", "headers", "params", "cookies", "json", "data", "files")
    prepared = requests.Request(**{k: transport[k] for k in fields if k in transport}).prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    return {"method": prepared.method, "url": prepared.url, "headers": dict(prepared.headers),
            "content": body}


async def test_no_server_errors_and_responses_match_the_document(
        fuzzed_gateway: Gateway) -> None:
    gw = fuzzed_gateway
    rows = await _seed(gw)
    doc = (await gw.client.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(doc)
    loop = asyncio.get_running_loop()
    auth = {"Authorization": f"Bearer {gw.admin}"}
    failures: list[str] = []
    counts = {"operations": 0, "requests": 0}

    def send(case: schemathesis.Case) -> httpx.Response:
        kwargs = _request_kwargs(case.as_transport_kwargs(base_url="http://gateway",
                                                          headers=auth))
        future = asyncio.run_coroutine_threadsafe(gw.client.request(**kwargs), loop)
        counts["requests"] += 1
        return future.result(timeout=120)

    def fuzz(operation: Any, mode: GenerationMode, examples: int) -> None:
        # Valid requests go to the seeded rows where the path names one; invalid ones anywhere.
        known = {p.name: rows[p.name] for p in operation.path_parameters if p.name in rows}
        fixed = known if mode is GenerationMode.POSITIVE and known else None

        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
        @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def one(case: schemathesis.Case) -> None:
            name = operation.definition.raw.get("operationId")
            try:
                response = send(case)
            except Exception as exc:  # an app error the ASGI transport re-raises: a 500
                failures.append(f"{name} {mode.value} {case.method} {case.formatted_path} "
                                f"{case.query} → {type(exc).__name__}: {str(exc)[:300]}")
                return
            try:
                case.validate_response(response, checks=CHECKS, headers=auth)
            except (Exception, BaseExceptionGroup) as exc:  # one run lists every failure
                failures.append(f"{name} {mode.value} "
                                f"{case.method} {response.request.url} → "
                                f"{response.status_code}: {str(exc)[:600]}")

        try:
            one()
        except Unsatisfiable:  # nothing in the operation can be made invalid
            assert mode is GenerationMode.NEGATIVE

    def run() -> None:
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.definition.raw.get("operationId") in SKIPPED:
                continue
            counts["operations"] += 1
            for mode, examples in EXAMPLES.items():
                fuzz(operation, mode, examples)

    await asyncio.to_thread(run)
    print(f"schemathesis: {counts['operations']} operations, {counts['requests']} requests, "
          f"{len(failures)} failures")
    assert counts["operations"] > 60
    assert not failures, "\n\n".join(failures)
