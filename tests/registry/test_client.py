"""The typed registry client other services use, against the real app."""

from __future__ import annotations

import httpx
import pytest

from shared.clients.base import UpstreamProblem
from shared.clients.registry import RegistryClient
from shared.logging import request_id_var
from tests.registry.factories import ADMIN, JINAN, Registry, org, region_tree, site


async def test_client_reads_typed_rows_and_raises_problems(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry)
    made = [await site(registry, o) for _ in range(3)]
    seen: list[str] = []

    async def spy(request: httpx.Request) -> None:
        seen.append(request.headers.get("x-request-id", ""))

    client = RegistryClient("http://registry", ADMIN["X-Govinspect-Principal"],
                            transport=httpx.ASGITransport(app=registry.app))
    client._http.event_hooks["request"].append(spy)
    token = request_id_var.set("req-123")
    try:
        everything = await client.all_websites(page_size=2)
        assert [w.site_code for w in everything] == sorted(s["site_code"] for s in made)
        one = await client.website(everything[0].id)
        assert one.organisation_name == o["name"]
        filings = await client.website_filings(one.id)
        assert filings[0].action.value == "register"
        with pytest.raises(UpstreamProblem) as err:
            await client.website(o["id"])
        assert err.value.status == 404 and err.value.title == "资源不存在"
    finally:
        request_id_var.reset(token)
        await client.aclose()
    assert seen and all(rid == "req-123" for rid in seen)
