"""Organisation endpoints."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Header, Query, Response, status

from services.registry.common.context import Ctx, get_ctx
from services.registry.common.http import check_if_match, set_etag
from services.registry.organisation import service
from services.registry.organisation.schemas import (
    OrganisationCreate,
    OrganisationPage,
    OrganisationUpdate,
)
from services.registry.region.schemas import REGION_CODE
from shared.contracts.registry import OrganisationRead, OrgKind
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

router = APIRouter(prefix="/organisations", tags=["organisations"],
                   responses=problem_responses(401, 422))


@router.get("", operation_id="listOrganisations", response_model=OrganisationPage,
            summary="查询单位")
async def list_organisations(
    ctx: Ctx = Depends(get_ctx),
    region: str | None = Query(None, pattern=REGION_CODE, description="区划子树"),
    kind: OrgKind | None = Query(None, description="单位类型"),
    parent_id: uuid.UUID | None = Query(None, description="上级单位"),
    q: str | None = Query(None, max_length=100, description="按名称模糊查询"),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> OrganisationPage:
    """List the organisations in the caller's scope."""
    rows, total = await service.list_organisations(
        ctx, region=region, kind=kind, parent_id=parent_id, q=q, limit=limit, offset=offset)
    return OrganisationPage(items=[service.to_read(o) for o in rows], total=total,
                            limit=limit, offset=offset)


@router.post("", operation_id="createOrganisation", response_model=OrganisationRead,
             status_code=status.HTTP_201_CREATED, summary="登记单位",
             responses=problem_responses(403, 409))
async def create_organisation(body: OrganisationCreate, response: Response,
                              ctx: Ctx = Depends(get_ctx)) -> OrganisationRead:
    """Register an organisation (单位) in a region; (region, name) must be unique."""
    ctx.require_writer()
    org = await service.create_organisation(ctx, body)
    set_etag(response, org.version)
    return service.to_read(org)


@router.get("/{org_id}", operation_id="getOrganisation", response_model=OrganisationRead,
            summary="查看单位", responses=problem_responses(404))
async def get_organisation(org_id: uuid.UUID, response: Response,
                           ctx: Ctx = Depends(get_ctx)) -> OrganisationRead:
    """Return one organisation; its ETag is the version to send in If-Match."""
    org = await service.get_organisation(ctx, org_id)
    set_etag(response, org.version)
    return service.to_read(org)


@router.patch("/{org_id}", operation_id="updateOrganisation", response_model=OrganisationRead,
              summary="修改单位", responses=problem_responses(403, 404, 409, 412, 428))
async def update_organisation(
    org_id: uuid.UUID, body: OrganisationUpdate, response: Response,
    ctx: Ctx = Depends(get_ctx),
    if_match: str | None = Header(None, description="GET 返回的 ETag"),
) -> OrganisationRead:
    """Change an organisation. Requires If-Match with the ETag last read (412 if stale)."""
    ctx.require_writer()
    org = await service.get_organisation(ctx, org_id)
    check_if_match(if_match, org.version)
    await service.update_organisation(ctx, org, body)
    set_etag(response, org.version)
    return service.to_read(org)
