"""Filing offer endpoint: what the unit should file after its account announced its end."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query

from services.checker.common.context import Ctx, get_ctx
from services.checker.offers import service
from services.checker.offers.schemas import FilingOffer
from shared.clients.deps import RegistryDep
from shared.errors import problem_responses

router = APIRouter(tags=["findings"], responses=problem_responses(401, 422))


@router.get("/filing-offers", operation_id="listFilingOffers", response_model=list[FilingOffer],
            summary="建议办理的账号报备（宣布停更未报备）")
async def list_filing_offers(
    registry: RegistryDep,
    region: str | None = Query(None, pattern=r"^\d{6}$"),
    organisation_id: uuid.UUID | None = Query(None),
    pending_only: bool = Query(True, description="只列尚未办理的；false 时也列已办理的"),
    ctx: Ctx = Depends(get_ctx),
) -> list[FilingOffer]:
    """Per account in scope, the registry filing its latest account.announced_end finding
    suggests, whether it is still to be made, and the If-Match to make it with (at most 200)."""
    return await service.offers(ctx, registry, region=region, organisation_id=organisation_id,
                                pending_only=pending_only, limit=200)
