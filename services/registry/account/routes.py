"""New-media account endpoints: registration, lifecycle filings, queries and statistics."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Response, status

from services.registry.account import service
from services.registry.account.schemas import (
    AccountCreate,
    AccountFilingCreate,
    AccountPage,
    AccountStats,
)
from services.registry.common.context import Ctx, get_ctx
from services.registry.common.http import check_if_match, set_etag
from services.registry.filing import service as filings
from services.registry.region.schemas import REGION_CODE
from shared.contracts.registry import (
    AccountRead,
    ComplianceFlag,
    FilingRead,
    LifecycleStatus,
    Platform,
)
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

router = APIRouter(prefix="/accounts", tags=["accounts"], responses=problem_responses(401, 422))


class AccountFilters:
    """Query filters shared by list, stats and export."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    async def query(
        cls,
        region: str | None = Query(None, pattern=REGION_CODE, description="主办单位所在区划子树"),
        organisation_id: uuid.UUID | None = Query(None, description="主办或运维单位"),
        status: list[LifecycleStatus] | None = Query(None, description="状态，可多选"),
        platform: list[Platform] | None = Query(None, description="平台，可多选"),
        flag: ComplianceFlag | None = Query(None, description="只列带此合规标记的账号"),
        q: str | None = Query(None, max_length=100, description="名称模糊查询或平台账号 ID"),
    ) -> AccountFilters:
        # A coroutine: FastAPI runs a plain class or function dependency in a worker thread.
        return cls({"region": region, "organisation_id": organisation_id, "status": status,
                    "platform": platform, "flag": flag, "q": q})


@router.get("", operation_id="listAccounts", response_model=AccountPage, summary="查询新媒体账号")
async def list_accounts(
    filters: AccountFilters = Depends(AccountFilters.query),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    ctx: Ctx = Depends(get_ctx),
) -> AccountPage:
    """List new-media accounts in the caller's scope, with page metadata."""
    items, total = await service.list_accounts(ctx, limit=limit, offset=offset, **filters.values)
    return AccountPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/stats", operation_id="accountStats", response_model=AccountStats,
            summary="新媒体账号数量统计")
async def account_stats(filters: AccountFilters = Depends(AccountFilters.query),
                        ctx: Ctx = Depends(get_ctx)) -> AccountStats:
    """Count accounts in scope by platform, status, platform × status and compliance flag."""
    return AccountStats(**await service.stats(ctx, **filters.values))


@router.post("", operation_id="registerAccount", response_model=AccountRead,
             status_code=status.HTTP_201_CREATED, summary="新媒体账号备案登记",
             responses=problem_responses(403, 409))
async def register_account(body: AccountCreate, response: Response,
                           ctx: Ctx = Depends(get_ctx)) -> AccountRead:
    """Register an account (a `register` filing), keyed by platform + platform account id.

    A unit's second account on one platform is accepted and flagged
    `unit_multiple_accounts_on_platform`.
    """
    ctx.require_writer(unit_allowed=True)
    acc, sponsor = await service.register_account(ctx, body)
    set_etag(response, acc.version)
    return service.to_read(acc, sponsor)


@router.get("/{account_id}", operation_id="getAccount", response_model=AccountRead,
            summary="查看新媒体账号", responses=problem_responses(404))
async def get_account(account_id: uuid.UUID, response: Response,
                      ctx: Ctx = Depends(get_ctx)) -> AccountRead:
    """Return one account; its ETag is the version to send in If-Match when filing."""
    acc, sponsor = await service.get_account(ctx, account_id)
    set_etag(response, acc.version)
    return service.to_read(acc, sponsor)


@router.get("/{account_id}/filings", operation_id="listAccountFilings",
            response_model=list[FilingRead], summary="账号报备记录",
            responses=problem_responses(404))
async def list_account_filings(account_id: uuid.UUID,
                               ctx: Ctx = Depends(get_ctx)) -> list[FilingRead]:
    """Every filing of an account, oldest first, each judged on time or late."""
    acc, _ = await service.get_account(ctx, account_id)
    return await filings.filings_of(ctx, service.TARGET, acc.id)


@router.post("/{account_id}/filings", operation_id="fileAccountAction",
             response_model=FilingRead, status_code=status.HTTP_201_CREATED,
             summary="账号开通、变更、关停、注销报备",
             responses=problem_responses(403, 404, 409, 412, 428))
async def file_account_action(
    account_id: uuid.UUID, body: AccountFilingCreate, response: Response,
    ctx: Ctx = Depends(get_ctx),
    if_match: str | None = Header(None, description="GET 返回的 ETag（必填）"),
) -> FilingRead:
    """File a lifecycle action on an account; If-Match with its ETag is required."""
    ctx.require_writer(unit_allowed=True)
    acc, sponsor = await service.get_account(ctx, account_id)
    check_if_match(if_match, acc.version)
    filing, _ = await service.file_action(ctx, acc, sponsor, body)
    set_etag(response, acc.version)
    return await filings.read(ctx, filing)
