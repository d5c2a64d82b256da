"""What the benchmarks hand the checker's Inspector when they inspect without the services: the
run's facts, the generated portal's snapshot and a registry that answers as the real one would.

One place, so a change to what an inspection reads (the run's kind, the target contract, the
registry's account list) is made once, and mypy checks it against `RunFacts` and the contract.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from benchmarks import sitegen
from shared.contracts.events import WebsiteTarget


@dataclass(frozen=True)
class BenchRun:
    """A regular inspection run (services.checker.ground.run.RunFacts) with no database row."""

    profile: dict[str, Any]
    as_of: datetime
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    kind: str = "inspection"
    rules: list[str] | None = None  # every rule of the profile


def registry(filed_domains: list[str]) -> httpx.MockTransport:
    """The registry as the checker asks it: these domains are filed, and no account is (the
    account list is an empty page; the unfiled-account check then judges every account linked)."""
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/accounts":
            return httpx.Response(200, json={"items": [], "total": 0, "limit": 1000, "offset": 0})
        return httpx.Response(200, json=filed_domains)
    return httpx.MockTransport(answer)


def bench_portal() -> WebsiteTarget:
    """The generated site (benchmarks/sitegen.py) as a city portal's task snapshot."""
    return WebsiteTarget(
        id=uuid.uuid4(), site_code="3701000001", name="基准市人民政府门户网站",
        organisation_id=uuid.uuid4(), organisation_name="基准市人民政府办公室", region_code="370100",
        kind="portal", domains=[sitegen.SITE], home_url=sitegen.HOME_URL, status="running")
