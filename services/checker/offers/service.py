"""Filing offers, computed on read: the latest open account.announced_end finding of each
account in scope, with what the registry says of the account now.

An offer is pending while the account's filed status has not reached the suggested filing:
`announce_closure` while it is still running, `close` while it is running or closing. The
registry is asked as the caller, so a unit sees its accounts only.
"""

from __future__ import annotations

import logging
import uuid

import httpx
from sqlmodel import col

from services.checker.common.context import Ctx
from services.checker.finding.models import Finding
from services.checker.finding.queries import filtered
from services.checker.offers.schemas import FilingOffer
from shared.clients.registry import RegistryClient
from shared.errors import NotFound, ProblemError

log = logging.getLogger("govinspect.checker.offers")
RULE = "account.announced_end"
LABELS = {"close": "关停", "announce_closure": "关停公告（拟关停）"}
# The filed statuses from which the suggested filing is still to be made.
BEFORE = {"announce_closure": {"running"}, "close": {"running", "closing"}}


async def offers(ctx: Ctx, registry: RegistryClient, *, region: str | None,
                 organisation_id: uuid.UUID | None, pending_only: bool,
                 limit: int) -> list[FilingOffer]:
    """The latest offer per account in scope, newest first (at most `limit` accounts)."""
    stmt = filtered(ctx, rule=RULE, region=region, organisation_id=organisation_id,
                    open_only=True, hide_silenced=True).where(col(Finding.rule) == RULE)
    rows = (await ctx.session.execute(stmt.order_by(col(Finding.last_seen_at).desc()))).scalars()
    latest: dict[uuid.UUID, Finding] = {}
    for f in rows:
        if f.target_type == "account" and f.detail.get("suggested_filing") in BEFORE:
            latest.setdefault(f.target_id, f)
    out = []
    for f in list(latest.values())[:limit]:
        status: str | None = None
        etag: str | None = None
        try:
            account = await registry.account(f.target_id)
            status, etag = account.status.value, f'"{account.version}"'
        except NotFound:
            continue  # deregistered from the registry, or not the caller's
        except (httpx.HTTPError, ProblemError) as exc:
            log.warning("registry unavailable for filing offer %s: %s", f.id, exc)
        suggested = f.detail["suggested_filing"]
        pending = status in BEFORE[suggested] if status is not None else None
        if pending_only and pending is False:
            continue
        out.append(FilingOffer(
            finding_id=f.id, account_id=f.target_id, account_code=f.target_code,
            account_name=f.target_name, organisation_id=f.organisation_id,
            organisation_name=f.organisation_name, region_code=f.region_code,
            suggested_filing=suggested, suggested_filing_label=LABELS[suggested],
            announced_on=str(f.detail.get("announced_on", "")), message=f.message,
            excerpt=f.excerpt, url=f.url, last_seen_at=f.last_seen_at, account_status=status,
            pending=pending, if_match=etag if pending else None))
    return out
