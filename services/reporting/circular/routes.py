"""Circular endpoints: drafts, editing the narrative, tracing figures, publishing, documents."""

from __future__ import annotations

import uuid
from typing import Literal

import httpx
from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from sqlmodel import col, select

from services.reporting.circular import render, service
from services.reporting.circular.models import Circular
from services.reporting.circular.schemas import (
    CircularCreate,
    CircularRead,
    CircularUpdate,
    FigureRows,
    PublishBody,
)
from services.reporting.common.context import Ctx, get_ctx
from services.reporting.unit.circulars import naming
from shared.errors import InvalidTransition, PreconditionFailed, problem_responses
from shared.tabular import XLSX_MEDIA, download

router = APIRouter(prefix="/circulars", tags=["circulars"], responses=problem_responses(401, 422))

DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _transport(request: Request) -> httpx.AsyncBaseTransport | None:
    return request.app.state.registry_transport


@router.post("", operation_id="createCircular", response_model=CircularRead,
             status_code=status.HTTP_201_CREATED, summary="起草通报",
             responses=problem_responses(403))
async def create_circular(body: CircularCreate, request: Request,
                          ctx: Ctx = Depends(get_ctx)) -> CircularRead:
    """Draft a circular for a quarter (default: the last one) or any date range, over a region.

    Its figures are computed from the inspection results reporting holds and stay live until
    publication; only the narrative, title, office and deadline can be edited.
    """
    circular = await service.create(ctx, body, _transport(request))
    await ctx.session.commit()
    return await service.to_read(ctx, circular, _transport(request))


@router.get("", operation_id="listCirculars", summary="通报列表")
async def list_circulars(ctx: Ctx = Depends(get_ctx),
                         status_: Literal["draft", "published"] | None = Query(None, alias="status"),
                         ) -> list[dict[str, object]]:
    """Circulars the caller may see, newest period first (without their content)."""
    stmt = select(Circular).order_by(col(Circular.period_end).desc(), col(Circular.created_at).desc())
    if status_:
        stmt = stmt.where(Circular.status == status_)
    named = await naming(ctx)  # a unit sees the published circulars that name it
    rows = [c for c in (await ctx.session.execute(stmt)).scalars()
            if service.visible(ctx, c) or (c.status == "published" and c.id in named)]
    return [{"id": str(c.id), "title": c.title, "region_code": c.region_code,
             "period_start": c.period_start.isoformat(), "period_end": c.period_end.isoformat(),
             "status": c.status, "status_label": service.STATUS_LABELS[c.status],
             "number": c.number, "published_at": c.published_at.isoformat() if c.published_at else None}
            for c in rows]


@router.get("/{circular_id}", operation_id="getCircular", response_model=CircularRead,
            summary="查看通报", responses=problem_responses(404))
async def get_circular(circular_id: uuid.UUID, request: Request, response: Response,
                       ctx: Ctx = Depends(get_ctx)) -> CircularRead:
    """A circular with its content: computed now for a draft, as published otherwise."""
    circular = await service.get(ctx, circular_id)
    response.headers["ETag"] = f'"{circular.version}"'
    return await service.to_read(ctx, circular, _transport(request))


@router.patch("/{circular_id}", operation_id="updateCircular", response_model=CircularRead,
              summary="修改通报草稿", responses=problem_responses(403, 404, 409, 412))
async def update_circular(circular_id: uuid.UUID, body: CircularUpdate, request: Request,
                          ctx: Ctx = Depends(get_ctx),
                          if_match: str | None = Header(None)) -> CircularRead:
    """Edit a draft's narrative, title, office or deadline; a published circular never changes."""
    circular = await service.get(ctx, circular_id)
    service.require_editor(ctx, circular)
    if circular.status != "draft":
        raise InvalidTransition("已发布的通报不能修改；如需更正请发更正通报", allowed_next_states=[])
    if if_match is not None and if_match.strip('W/"') != str(circular.version):
        raise PreconditionFailed(f"If-Match 为 {if_match}，当前版本为 \"{circular.version}\"")
    changes = body.model_dump(exclude_unset=True)
    if "narrative" in changes and body.narrative is not None:
        changes["narrative"] = body.narrative.model_dump()
    for key, value in changes.items():
        if value is not None or key in ("deadline_at", "deadline_working_days"):
            setattr(circular, key, value)
    circular.updated_at = ctx.clock.now()
    await ctx.session.commit()
    return await service.to_read(ctx, circular, _transport(request))


@router.get("/{circular_id}/figures/{key}", operation_id="getCircularFigure",
            response_model=FigureRows, summary="通报数字的统计明细",
            responses=problem_responses(404))
async def get_figure(circular_id: uuid.UUID, key: str, request: Request,
                     ctx: Ctx = Depends(get_ctx)) -> FigureRows:
    """The rows a figure of the circular counts (e.g. `websites.portal.passed`)."""
    circular = await service.get(ctx, circular_id)
    figure, rows = await service.figure_rows(ctx, circular, key, _transport(request))
    return FigureRows(key=figure.key, label=figure.label, value=figure.value, rows=rows)


@router.post("/{circular_id}/publish", operation_id="publishCircular", response_model=CircularRead,
             summary="发布通报", responses=problem_responses(403, 404, 409))
async def publish_circular(circular_id: uuid.UUID, body: PublishBody, request: Request,
                           ctx: Ctx = Depends(get_ctx)) -> CircularRead:
    """Number, date and freeze the circular, and open one rectification item per problem.

    A published circular never changes; a correction is a new circular
    (`POST /circulars/{id}/corrections`). `circular.published` goes out to subscribers.
    """
    circular = await service.get(ctx, circular_id)
    await service.publish(ctx, circular, body.number, body.issued_on, _transport(request))
    await ctx.session.commit()
    return await service.to_read(ctx, circular, _transport(request))


@router.post("/{circular_id}/corrections", operation_id="correctCircular",
             response_model=CircularRead, status_code=status.HTTP_201_CREATED,
             summary="起草更正通报", responses=problem_responses(403, 404, 409))
async def correct_circular(circular_id: uuid.UUID, request: Request,
                           ctx: Ctx = Depends(get_ctx)) -> CircularRead:
    """Start a new draft correcting a published circular (same region, period and narrative)."""
    original = await service.get(ctx, circular_id)
    if original.status != "published":
        raise InvalidTransition("只有已发布的通报才能更正；草稿可直接修改", allowed_next_states=[])
    body = CircularCreate(region_code=original.region_code, period_start=original.period_start,
                          period_end=original.period_end, title=f"{original.title}（更正）",
                          issuing_office=original.issuing_office,
                          deadline_working_days=original.deadline_working_days or None,
                          narrative=original.narrative)
    circular = await service.create(ctx, body, _transport(request), corrects=original)
    await ctx.session.commit()
    return await service.to_read(ctx, circular, _transport(request))


@router.get("/{circular_id}/document", operation_id="getCircularDocument", summary="下载通报",
            response_class=Response, responses={200: {"content": {
                DOCX_MEDIA: {}, XLSX_MEDIA: {}, "text/html": {}, "text/markdown": {},
                "application/json": {}}}, **problem_responses(404)})
async def get_document(circular_id: uuid.UUID, request: Request, ctx: Ctx = Depends(get_ctx),
                       format: Literal["docx", "xlsx", "html", "md", "json"] = Query("docx"),
                       traditional: bool = Query(False, description="输出繁体中文")) -> Response:
    """The circular as DOCX (GB/T 9704 layout), XLSX attachments, printable HTML, Markdown or JSON."""
    circular = await service.get(ctx, circular_id)
    doc = await service.document(ctx, circular, traditional, _transport(request))
    stem = circular.number or f"{circular.title}（草稿）"
    if format == "docx":
        return download(render.render_docx(doc), DOCX_MEDIA, "circular.docx", f"{stem}.docx")
    if format == "xlsx":
        return download(render.render_xlsx(doc), XLSX_MEDIA, "circular-attachments.xlsx",
                        f"{stem}-附件.xlsx")
    if format == "html":
        return Response(render.render_html(doc), media_type="text/html; charset=utf-8")
    if format == "md":
        return Response(render.render_markdown(doc), media_type="text/markdown; charset=utf-8")
    return Response(doc.model_dump_json(), media_type="application/json")
