"""Discovered-not-filed endpoint (瞒报漏报)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query

from services.checker.common.context import Ctx, get_ctx
from services.checker.unfiled import service
from services.checker.unfiled.schemas import Discovery
from shared.errors import problem_responses

router = APIRouter(tags=["findings"], responses=problem_responses(401, 422))


@router.get("/discoveries", operation_id="listDiscoveries", response_model=list[Discovery],
            summary="发现未备案的账号和网站（瞒报漏报）")
async def list_discoveries(
    region: str | None = Query(None, pattern=r"^\d{6}$"),
    organisation_id: uuid.UUID | None = Query(None),
    ctx: Ctx = Depends(get_ctx),
) -> list[Discovery]:
    """Per unit in scope, the accounts and sites its pages and posts show that nobody filed,
    where they were seen, and the body that turns one into a registration request."""
    return await service.discoveries(ctx, region=region, organisation_id=organisation_id)
