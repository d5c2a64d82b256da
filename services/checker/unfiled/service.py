"""The discovered-not-filed list, read from the open findings of the three rules that discover:
registry.unfiled_account (profile links, QR captions, 关注我们 blocks), account.unfiled_mention
(posts) and registry.compliance's unregistered sites. False positives are left out."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import col

from services.checker.common.context import Ctx
from services.checker.finding.models import Finding
from services.checker.finding.queries import filtered
from services.checker.unfiled.schemas import Discovery

RULES = ("registry.unfiled_account", "account.unfiled_mention", "registry.compliance")
ACCOUNT_KINDS = ("unfiled_account", "unfiled_account_named", "unfiled_mention")


def _discovery(f: Finding) -> Discovery | None:
    d = f.detail
    kind = d.get("kind")
    if kind in ACCOUNT_KINDS:
        name = str(d.get("shown_name") or d.get("platform_account_id") or "")
        seen = list(d.get("seen_on") or [])
        request: dict[str, Any] = {
            "kind": "account", "organisation_id": str(f.organisation_id), "platform": d["platform"],
            "name": name, "seen_on": seen[:20], "finding_id": str(f.id)}
        if d.get("platform_account_id"):
            request["platform_account_id"] = d["platform_account_id"]
            request["url"] = f.url
        return Discovery(
            finding_id=f.id, rule=f.rule, kind="account", platform=d["platform"],
            platform_account_id=d.get("platform_account_id"), name=name, domain=None,
            url=f.url if kind == "unfiled_account" else None, seen_on=seen, seen_by=f.target_name,
            organisation_id=f.organisation_id, organisation_name=f.organisation_name,
            region_code=f.region_code, first_seen_at=f.first_seen_at, last_seen_at=f.last_seen_at,
            registration_request=request)
    if kind == "unregistered_site":
        host = str(d["host"])
        seen = [f.parent_url] if f.parent_url else []
        return Discovery(
            finding_id=f.id, rule=f.rule, kind="website", platform=None, platform_account_id=None,
            name=host, domain=host, url=f.url, seen_on=seen, seen_by=f.target_name,
            organisation_id=f.organisation_id, organisation_name=f.organisation_name,
            region_code=f.region_code, first_seen_at=f.first_seen_at, last_seen_at=f.last_seen_at,
            registration_request={"kind": "website", "organisation_id": str(f.organisation_id),
                                  "name": f.excerpt or host, "domain": host, "seen_on": seen,
                                  "finding_id": str(f.id)})
    return None


async def discoveries(ctx: Ctx, *, region: str | None,
                      organisation_id: uuid.UUID | None) -> list[Discovery]:
    """Open discoveries in the caller's scope, per unit, most recently seen first."""
    stmt = filtered(ctx, region=region, organisation_id=organisation_id, open_only=True,
                    hide_silenced=True).where(col(Finding.rule).in_(RULES))
    rows = (await ctx.session.execute(stmt.order_by(
        col(Finding.organisation_name), col(Finding.last_seen_at).desc()))).scalars()
    return [d for f in rows if (d := _discovery(f)) is not None]
