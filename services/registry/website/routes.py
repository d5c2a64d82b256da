"""Website endpoints: registration, lifecycle filings, queries and statistics."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Response, status

from services.registry.common.context import Ctx, get_ctx
from services.registry.common.http import check_if_match, set_etag
from services.registry.filing import service as filings
from services.registry.region.schemas import REGION_CODE
from services.registry.website import service
from services.registry.website.schemas import (
    WebsiteCreate,
    WebsiteFilingCreate,
    WebsitePage,
    WebsiteStats,
)
from shared.contracts.registry import (
    ComplianceFlag,
    FilingRead,
    LifecycleStatus,
    SiteKind,
    WebsiteRead,
)
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

router = APIRouter(prefix="/websites", tags=["websites"], responses=problem_responses(401, 422))


class WebsiteFilters:
    """Query filters shared by list, stats and export."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    async def query(
        cls,
        region: str | None = Query(None, pattern=REGION_CODE, description="主办单位所在区划子树"),
        organisation_id: uuid.UUID | None = Query(None, description="主办单位"),
        status: list[LifecycleStatus] | None = Query(None, description="状态，可多选"),
        kind: SiteKind | None = Query(None, description="门户 portal / 部门 department"),
        flag: ComplianceFlag | None = Query(None, description="只列带此合规标记的网站"),
        q: str | None = Query(None, max_length=100, description="名称、域名模糊查询或标识码"),
    ) -> WebsiteFilters:
        # A coroutine: FastAPI runs a plain class or function dependency in a worker thread.
        return cls({"region": region, "organisation_id": organisation_id, "status": status,
                    "kind": kind, "flag": flag, "q": q})


@router.get("", operation_id="listWebsites", response_model=WebsitePage, summary="查询网站")
async def list_websites(
    filters: WebsiteFilters = Depends(WebsiteFilters.query),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    ctx: Ctx = Depends(get_ctx),
) -> WebsitePage:
    """List websites in the caller's scope, ordered by 网站标识码, with page metadata."""
    items, total = await service.list_websites(ctx, limit=limit, offset=offset, **filters.values)
    return WebsitePage(items=items, total=total, limit=limit, offset=offset)


@router.get("/stats", operation_id="websiteStats", response_model=WebsiteStats,
            summary="网站数量统计")
async def website_stats(filters: WebsiteFilters = Depends(WebsiteFilters.query),
                        ctx: Ctx = Depends(get_ctx)) -> WebsiteStats:
    """Count websites in scope by status, kind (门户/部门) and compliance flag."""
    return WebsiteStats(**await service.stats(ctx, **filters.values))


@router.get("/domains", operation_id="listFiledDomains", response_model=list[str],
            summary="全部备案域名")
async def filed_domains(ctx: Ctx = Depends(get_ctx)) -> list[str]:
    """Every domain filed for any website, whatever its status, sorted.

    Domains are public, so any principal may read the whole list: the checker uses it to tell
    government sites that are in the registry from those that are not (未纳入监管).
    """
    return await service.filed_domains(ctx)


@router.post("", operation_id="registerWebsite", response_model=WebsiteRead,
             status_code=status.HTTP_201_CREATED, summary="网站备案登记",
             responses=problem_responses(403, 409))
async def register_website(body: WebsiteCreate, response: Response,
                           ctx: Ctx = Depends(get_ctx)) -> WebsiteRead:
    """Register a website (a `register` filing) as planned or already running.

    The 网站标识码 must match its sponsor's region (or an ancestor region); a domain outside
    .gov.cn, a second site of one unit and similar real-world violations are accepted and
    carried in `compliance_flags`.
    """
    ctx.require_writer(unit_allowed=True)
    site, org = await service.register_website(ctx, body)
    set_etag(response, site.version)
    return service.to_read(site, org)


@router.get("/{site_id}", operation_id="getWebsite", response_model=WebsiteRead,
            summary="查看网站", responses=problem_responses(404))
async def get_website(site_id: uuid.UUID, response: Response,
                      ctx: Ctx = Depends(get_ctx)) -> WebsiteRead:
    """Return one website; its ETag is the version to send in If-Match when filing."""
    site, org = await service.get_website(ctx, site_id)
    set_etag(response, site.version)
    return service.to_read(site, org)


@router.get("/{site_id}/filings", operation_id="listWebsiteFilings",
            response_model=list[FilingRead], summary="网站报备记录",
            responses=problem_responses(404))
async def list_website_filings(site_id: uuid.UUID,
                               ctx: Ctx = Depends(get_ctx)) -> list[FilingRead]:
    """Every filing of a website, oldest first, each judged on time or late."""
    site, _ = await service.get_website(ctx, site_id)
    return await filings.filings_of(ctx, service.TARGET, site.id)


@router.post("/{site_id}/filings", operation_id="fileWebsiteAction", response_model=FilingRead,
             status_code=status.HTTP_201_CREATED, summary="网站开通、变更、迁移、关停、注销报备",
             responses=problem_responses(403, 404, 409, 412, 428))
async def file_website_action(
    site_id: uuid.UUID, body: WebsiteFilingCreate, response: Response,
    ctx: Ctx = Depends(get_ctx),
    if_match: str | None = Header(None, description="GET 返回的 ETag（必填）"),
) -> FilingRead:
    """File a lifecycle action: open, change, migrate, announce_closure, close or deregister.

    Requires If-Match with the website's ETag (428 without, 412 if someone changed it
    meanwhile). An action the current status does not allow is 409 naming the allowed ones.
    The new ETag of the website comes back in the ETag header.
    """
    ctx.require_writer(unit_allowed=True)
    site, org = await service.get_website(ctx, site_id)
    check_if_match(if_match, site.version)
    filing, _ = await service.file_action(ctx, site, org, body)
    set_etag(response, site.version)
    return await filings.read(ctx, filing)
