"""Rectification endpoints: list and inspect items, units report them done, supervisors decide."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query

from services.reporting.common.context import Ctx, get_ctx
from services.reporting.rectification import service
from services.reporting.rectification.schemas import (
    NoteBody,
    RectificationDetail,
    RectificationPage,
    ReportBody,
    Status,
)
from shared.clients.deps import CheckerDep
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

router = APIRouter(prefix="/rectifications", tags=["rectifications"],
                   responses=problem_responses(401, 422))


@router.get("", operation_id="listRectifications", response_model=RectificationPage,
            summary="查询整改项")
async def list_rectifications(
    ctx: Ctx = Depends(get_ctx),
    circular_id: uuid.UUID | None = Query(None, description="某期通报开启的整改项"),
    status: Status | None = Query(None, description="open 待整改 / reported 已上报 / "
                                                    "rechecking 复核中 / closed 已整改"),
    organisation_id: uuid.UUID | None = Query(None, description="某主办单位的整改项"),
    region: str | None = Query(None, pattern=r"^\d{6}$", description="区划代码，含下级区划"),
    overdue_only: bool = Query(False, description="只列已过截止时间且未整改的"),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> RectificationPage:
    """Items in the caller's scope, soonest deadline first.

    A unit sees only its own items, a county only its region. Each item says whether it is
    `overdue` now and which `allowed_actions` its status permits (roles are checked on the action).
    """
    items, total = await service.list_items(
        ctx, circular_id=circular_id, status=status, organisation_id=organisation_id,
        region=region, overdue_only=overdue_only, limit=limit, offset=offset)
    now = ctx.clock.now()
    return RectificationPage(items=[service.to_read(i, now) for i in items], total=total,
                             limit=limit, offset=offset)


@router.get("/{item_id}", operation_id="getRectification", response_model=RectificationDetail,
            summary="查看整改项及处理记录", responses=problem_responses(404))
async def get_rectification(item_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> RectificationDetail:
    """One item with its history: every status change, who made it (“复核” for the system) and when."""
    item = await service.get_item(ctx, item_id)
    return await service.to_detail(ctx.session, item, ctx.clock.now())


@router.post("/{item_id}/report", operation_id="reportRectification",
             response_model=RectificationDetail, summary="上报整改完成",
             responses=problem_responses(403, 404, 409))
async def report_rectification(item_id: uuid.UUID, body: ReportBody, checker: CheckerDep,
                               ctx: Ctx = Depends(get_ctx)) -> RectificationDetail:
    """The unit reports the problem fixed; the checker then re-checks exactly that site and rule.

    The answer usually shows status `rechecking`; the item closes by itself when the re-check
    passes and returns to `open` (with what was found) when it does not. If the checker cannot
    be reached the report still stands (status `reported`) and the re-check is requested later.
    Only from status `open`; otherwise 409 naming the allowed actions.
    """
    item = await service.get_item(ctx, item_id)
    await service.report_done(ctx, item, body)
    # The report is committed before the checker is called: it must survive a checker outage,
    # and no transaction should stay open across another service's response time.
    await ctx.session.commit()
    await service.request_recheck(ctx.session, item, checker, ctx.clock.now())
    return await service.to_detail(ctx.session, item, ctx.clock.now())


@router.post("/{item_id}/close", operation_id="closeRectification",
             response_model=RectificationDetail, summary="关闭整改项（人工）",
             responses=problem_responses(403, 404, 409))
async def close_rectification(item_id: uuid.UUID, body: NoteBody,
                              ctx: Ctx = Depends(get_ctx)) -> RectificationDetail:
    """A supervisor closes an item by hand (e.g. after checking it in person); the note is kept."""
    item = await service.get_item(ctx, item_id)
    await service.decide(ctx, item, "close", body.note)
    return await service.to_detail(ctx.session, item, ctx.clock.now())


@router.post("/{item_id}/reopen", operation_id="reopenRectification",
             response_model=RectificationDetail, summary="重新打开整改项（人工）",
             responses=problem_responses(403, 404, 409))
async def reopen_rectification(item_id: uuid.UUID, body: NoteBody,
                               ctx: Ctx = Depends(get_ctx)) -> RectificationDetail:
    """A supervisor sends an item back to `open` (e.g. the report was not credible); the note is kept.

    A re-check still under way for it is disregarded.
    """
    item = await service.get_item(ctx, item_id)
    await service.decide(ctx, item, "reopen", body.note)
    return await service.to_detail(ctx.session, item, ctx.clock.now())
