"""Region endpoints."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, status

from services.registry.common.context import Ctx, get_ctx
from services.registry.region import service
from services.registry.region.schemas import REGION_CODE, RegionCreate, RegionPage, RegionRead
from shared.db import MAX_OFFSET
from shared.errors import Forbidden, problem_responses

router = APIRouter(prefix="/regions", tags=["regions"], responses=problem_responses(401, 422))


@router.get("", operation_id="listRegions", response_model=RegionPage, summary="查询行政区划")
async def list_regions(
    ctx: Ctx = Depends(get_ctx),
    parent: str | None = Query(None, pattern=REGION_CODE, description="只列此区划的直接下级"),
    under: str | None = Query(None, pattern=REGION_CODE, description="只列此区划的整个子树"),
    q: str | None = Query(None, max_length=50, description="按名称模糊查询"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> RegionPage:
    """List GB/T 2260 regions. Regions are reference data every principal may read."""
    rows, total = await service.list_regions(ctx.session, parent, under, q, limit, offset)
    return RegionPage(items=[RegionRead.model_validate(r) for r in rows], total=total)


@router.get("/{code}", operation_id="getRegion", response_model=RegionRead,
            summary="查看行政区划", responses=problem_responses(404))
async def get_region(code: str, ctx: Ctx = Depends(get_ctx)) -> RegionRead:
    """Return one region by its six-digit code."""
    return RegionRead.model_validate(await service.get_region(ctx.session, code))


@router.post("", operation_id="createRegion", response_model=RegionRead,
             status_code=status.HTTP_201_CREATED, summary="新增行政区划",
             responses=problem_responses(403, 409))
async def create_region(body: RegionCreate, ctx: Ctx = Depends(get_ctx)) -> RegionRead:
    """Add a region under its parent (the parent must already exist and be its ancestor)."""
    ctx.require_admin_or_supervisor()
    if not ctx.principal.sees_region(body.code):
        raise Forbidden(f"区划 {body.code} 不在当前调用者的管辖范围内")
    region = await service.create_region(ctx.session, body)
    return RegionRead.model_validate(region)
