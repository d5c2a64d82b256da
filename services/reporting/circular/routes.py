"""Circular endpoints: drafts, editing the narrative, tracing figures, publishing, documents."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Depends, Header, Query, Response, status

from services.reporting.circular import render, service
from services.reporting.circular.schemas import (
    CircularCreate,
    CircularRead,
    CircularUpdate,
    FigureRows,
    PublishBody,
)
from services.reporting.common.context import Ctx, get_ctx
from shared.clients.deps import RegistryDep
from shared.errors import InvalidTransition, problem_responses
from shared.tabular import XLSX_MEDIA, download

router = APIRouter(prefix="/circulars", tags=["circulars"], responses=problem_responses(401, 422))

DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.post("", operation_id="createCircular", response_model=CircularRead,
             status_code=status.HTTP_201_CREATED, summary="起草通报",
             responses=problem_responses(403))
async def create_circular(body: CircularCreate, registry: RegistryDep,
                          ctx: Ctx = Depends(get_ctx)) -> CircularRead:
    """Draft a circular for a quarter (default: the last one) or any date range, over a region.

    Its figures are computed from the inspection results reporting holds and stay live until
    publication; only the narrative, title, office and deadline can be edited.
    """
    circular = await service.create(ctx, body, registry)
    # Committed before the registry is asked for region names (to_read): no write
    # transaction stays open across another service's answer.
    await ctx.session.commit()
    return await service.to_read(ctx, circular, registry)


@router.get("", operation_id="listCirculars", summary="通报列表")
async def list_circulars(ctx: Ctx = Depends(get_ctx),
                         status_: Literal["draft", "published"] | None = Query(None, alias="status"),
                         ) -> list[dict[str, object]]:
    """Circulars the caller may see, newest period first (without their content)."""
    rows = await service.list_visible(ctx, status_)
    return [{"id": str(c.id), "title": c.title, "region_code": c.region_code,
             "period_start": c.period_start.isoformat(), "period_end": c.period_end.isoformat(),
             "status": c.status, "status_label": service.STATUS_LABELS[c.status],
             "number": c.number, "published_at": c.published_at.isoformat() if c.published_at else None}
            for c in rows]


@router.get("/{circular_id}", operation_id="getCircular", response_model=CircularRead,
            summary="查看通报", responses=problem_responses(404))
async def get_circular(circular_id: uuid.UUID, registry: RegistryDep, response: Response,
                       ctx: Ctx = Depends(get_ctx)) -> CircularRead:
    """A circular with its content: computed now for a draft, as published otherwise."""
    circular = await service.get(ctx, circular_id)
    response.headers["ETag"] = f'"{circular.version}"'
    return await service.to_read(ctx, circular, registry)


@router.patch("/{circular_id}", operation_id="updateCircular", response_model=CircularRead,
              summary="修改通报草稿", responses=problem_responses(403, 404, 409, 412))
async def update_circular(circular_id: uuid.UUID, body: CircularUpdate, registry: RegistryDep,
                          ctx: Ctx = Depends(get_ctx),
                          if_match: str | None = Header(None)) -> CircularRead:
    """Edit a draft's narrative, title, office or deadline; a published circular never changes."""
    circular = await service.get(ctx, circular_id)
    await service.update(ctx, circular, body, if_match)
    # Committed before the registry is asked for region names (to_read): no write
    # transaction stays open across another service's answer.
    await ctx.session.commit()
    return await service.to_read(ctx, circular, registry)


@router.get("/{circular_id}/figures/{key}", operation_id="getCircularFigure",
            response_model=FigureRows, summary="通报数字的统计明细",
            responses=problem_responses(404))
async def get_figure(circular_id: uuid.UUID, key: str, registry: RegistryDep,
                     ctx: Ctx = Depends(get_ctx)) -> FigureRows:
    """The rows a figure of the circular counts (e.g. `websites.portal.passed`)."""
    circular = await service.get(ctx, circular_id)
    figure, rows = await service.figure_rows(ctx, circular, key, registry)
    return FigureRows(key=figure.key, label=figure.label, value=figure.value, rows=rows)


@router.post("/{circular_id}/publish", operation_id="publishCircular", response_model=CircularRead,
             summary="发布通报", responses=problem_responses(403, 404, 409))
async def publish_circular(circular_id: uuid.UUID, body: PublishBody, registry: RegistryDep,
                           ctx: Ctx = Depends(get_ctx)) -> CircularRead:
    """Number, date and freeze the circular, and open one rectification item per problem.

    A published circular never changes; a correction is a new circular
    (`POST /circulars/{id}/corrections`). `circular.published` goes out to subscribers.
    """
    circular = await service.get(ctx, circular_id)
    await service.publish(ctx, circular, body.number, body.issued_on, registry)
    # Committed before the registry is asked for region names (to_read): no write
    # transaction stays open across another service's answer.
    await ctx.session.commit()
    return await service.to_read(ctx, circular, registry)


@router.post("/{circular_id}/corrections", operation_id="correctCircular",
             response_model=CircularRead, status_code=status.HTTP_201_CREATED,
             summary="起草更正通报", responses=problem_responses(403, 404, 409))
async def correct_circular(circular_id: uuid.UUID, registry: RegistryDep,
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
    circular = await service.create(ctx, body, registry, corrects=original)
    # Committed before the registry is asked for region names (to_read): no write
    # transaction stays open across another service's answer.
    await ctx.session.commit()
    return await service.to_read(ctx, circular, registry)


@router.get("/{circular_id}/document", operation_id="getCircularDocument", summary="下载通报",
            response_class=Response, responses={200: {"content": {
                DOCX_MEDIA: {}, XLSX_MEDIA: {}, "text/html": {}, "text/markdown": {},
                "application/json": {}}}, **problem_responses(404)})
async def get_document(circular_id: uuid.UUID, registry: RegistryDep, ctx: Ctx = Depends(get_ctx),
                       format: Literal["docx", "xlsx", "html", "md", "json"] = Query("docx"),
                       traditional: bool = Query(False, description="输出繁体中文")) -> Response:
    """The circular as DOCX (GB/T 9704 layout), XLSX attachments, printable HTML, Markdown or JSON."""
    circular = await service.get(ctx, circular_id)
    doc = await service.document(ctx, circular, traditional, registry)
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
