"""Small factories for registry tests: principals, regions, organisations, sites, accounts."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from shared.clock import FixedClock
from shared.principal import PRINCIPAL_HEADER, Principal, Role, sign_principal

SECRET = "test-principal-secret"
_seq = itertools.count(1)


def token(roles: list[Role] | None = None, *, all_regions: bool = False,
          regions: list[str] | None = None, organisations: list[uuid.UUID] | None = None,
          subject: str = "tester") -> dict[str, str]:
    """Headers carrying a signed principal."""
    p = Principal(subject=subject, name="测试", roles=roles or [Role.administrator],
                  all_regions=all_regions, regions=regions or [],
                  organisations=organisations or [])
    return {PRINCIPAL_HEADER: sign_principal(p, SECRET)}


ADMIN = token(all_regions=True, subject="admin")


@dataclass
class Registry:
    app: FastAPI
    client: httpx.AsyncClient
    clock: FixedClock

    async def call(self, method: str, url: str, headers: dict[str, str] | None = None,
                   **kwargs: Any) -> httpx.Response:
        """Send a request as the administrator unless other headers are given."""
        return await self.client.request(method, url, headers={**ADMIN, **(headers or {})},
                                         **kwargs)

    async def ok(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send a request that must succeed; return its JSON."""
        r = await self.call(method, url, **kwargs)
        assert r.status_code < 300, (r.status_code, r.text)
        return r.json() if r.content else None


async def region_tree(reg: Registry, *codes: tuple[str, str, str]) -> None:
    """Create regions given as (code, name, parent_code)."""
    for code, name, parent in codes:
        await reg.ok("POST", "/regions", json={"code": code, "name": name, "parent_code": parent})


JINAN = [("370100", "济南市", "370000"), ("370102", "历下区", "370100"),
         ("370103", "市中区", "370100")]


async def org(reg: Registry, region_code: str = "370102", name: str | None = None,
              kind: str = "county_government", **extra: Any) -> dict[str, Any]:
    """Create an organisation."""
    return dict(await reg.ok("POST", "/organisations", json={
        "name": name or f"测试单位{next(_seq)}", "kind": kind, "region_code": region_code,
        **extra}))


async def site(reg: Registry, organisation: dict[str, Any], *, code: str | None = None,
               domain: str | None = None, status: str = "running", kind: str = "department",
               **extra: Any) -> dict[str, Any]:
    """Register a website for an organisation."""
    n = next(_seq)
    domain = domain or f"site{n}.jinan.gov.cn"
    code = code or f"{organisation['region_code']}{n % 10000:04d}"
    return dict(await reg.ok("POST", "/websites", json={
        "site_code": code, "name": f"测试网站{n}", "organisation_id": organisation["id"],
        "kind": kind, "domains": [domain], "home_url": f"https://{domain}/",
        "status": status, **extra}))


async def account(reg: Registry, sponsor: dict[str, Any], *, platform: str = "weibo",
                  account_id: str | None = None, status: str = "running",
                  **extra: Any) -> dict[str, Any]:
    """Register a new-media account for an organisation."""
    n = next(_seq)
    return dict(await reg.ok("POST", "/accounts", json={
        "platform": platform, "platform_account_id": account_id or f"uid{n}",
        "name": f"测试账号{n}", "sponsor_id": sponsor["id"], "status": status, **extra}))
