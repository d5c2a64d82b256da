"""Practice endpoints: submit and revise (units), shortlist, edit or decline (supervisors),
and draft a circular's 主要做法 from the shortlisted ones."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.reporting.attachment import service as attachments
from services.reporting.attachment.schemas import AttachmentRead
from services.reporting.circular import service as circulars
from services.reporting.circular.schemas import CircularRead
from services.reporting.common.context import Ctx, get_ctx
from services.reporting.practice import service
from services.reporting.practice.schemas import (
    DeclineBody,
    PracticeCreate,
    PracticeDetail,
    PracticePage,
    PracticeStatus,
    PracticeUpdate,
    ShortlistBody,
)
from shared.clients.deps import RegistryDep
from shared.db import MAX_OFFSET
from shared.errors import PreconditionFailed, PreconditionRequired, problem_responses
from shared.text import Text

router = APIRouter(tags=["practices"], responses=problem_responses(401, 422))


def _etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


@router.post("/practices", operation_id="submitPractice", response_model=PracticeDetail,
             status_code=status.HTTP_201_CREATED, summary="提交典型做法",
             responses=problem_responses(403))
async def submit_practice(body: PracticeCreate, registry: RegistryDep, response: Response,
                          ctx: Ctx = Depends(get_ctx)) -> PracticeDetail:
    """A unit submits a write-up of one of its good practices (title, text, links); images are
    added afterwards with `POST /practices/{id}/images` and listed by a `PATCH`."""
    p = await service.create(ctx, body, registry)
    _etag(response, p.version)
    return await service.to_detail(ctx, p)


@router.get("/practices", operation_id="listPractices", response_model=PracticePage,
            summary="典型做法列表")
async def list_practices(ctx: Ctx = Depends(get_ctx),
                         status_: PracticeStatus | None = Query(None, alias="status"),
                         circular_id: uuid.UUID | None = Query(None, description="入选某期通报的"),
                         organisation_id: uuid.UUID | None = Query(None),
                         limit: int = Query(50, ge=1, le=1000),
                         offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> PracticePage:
    """Write-ups in the caller's scope, newest first: a unit sees its own."""
    rows, total = await service.page(ctx, status=status_, circular_id=circular_id,
                                     organisation_id=organisation_id, limit=limit, offset=offset)
    return PracticePage(items=[service.to_read(p) for p in rows], total=total, limit=limit,
                        offset=offset)


@router.get("/practices/{practice_id}", operation_id="getPractice", response_model=PracticeDetail,
            summary="查看典型做法及版本", responses=problem_responses(404))
async def get_practice(practice_id: uuid.UUID, response: Response,
                       ctx: Ctx = Depends(get_ctx)) -> PracticeDetail:
    """A write-up with every version submitted or edited (who, as unit or supervisor, when)."""
    p = await service.get(ctx, practice_id)
    _etag(response, p.version)
    return await service.to_detail(ctx, p)


@router.patch("/practices/{practice_id}", operation_id="updatePractice",
              response_model=PracticeDetail, summary="修改典型做法",
              responses=problem_responses(403, 404, 409, 412, 428))
async def update_practice(practice_id: uuid.UUID, body: PracticeUpdate, response: Response,
                          ctx: Ctx = Depends(get_ctx),
                          if_match: str | None = Header(None)) -> PracticeDetail:
    """Revise a write-up (If-Match: its ETag); the previous text stays in `versions`.

    The unit edits until a supervisor shortlists it (a declined one is resubmitted by editing);
    a supervisor edits until the circular it is in is published.
    """
    ctx.require_writer(unit_allowed=True)
    p = await service.get(ctx, practice_id)
    if if_match is None:
        raise PreconditionRequired("修改典型做法须带 If-Match 请求头（取自 ETag）")
    service.check_version(p, if_match)
    await service.update(ctx, p, body)
    _etag(response, p.version)
    return await service.to_detail(ctx, p)


@router.post("/practices/{practice_id}/images", operation_id="uploadPracticeImage",
             response_model=AttachmentRead, status_code=status.HTTP_201_CREATED,
             summary="上传典型做法配图", responses=problem_responses(403, 404, 409, 413, 415),
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {
                 # The file alone: other form fields are refused.
                 "schema": {"type": "object", "required": ["file"], "additionalProperties": False,
                            "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
async def upload_image(practice_id: uuid.UUID, request: Request,
                       ctx: Ctx = Depends(get_ctx)) -> AttachmentRead:
    """Upload an image (PNG or JPEG, judged by content) for a write-up; list it in `images`."""
    ctx.require_writer(unit_allowed=True)
    p = await service.get(ctx, practice_id)
    data, name = await attachments.read_file(request, ctx.settings.attachment_max_bytes)
    row = await attachments.store(ctx, subject_type="practice", subject_id=p.id,
                                  organisation_id=p.organisation_id, region_code=p.region_code,
                                  data=data, filename=name, images_only=True)
    return AttachmentRead.model_validate(row)


@router.post("/practices/{practice_id}/shortlist", operation_id="shortlistPractice",
             response_model=PracticeDetail, summary="选入通报", responses=problem_responses(403, 404, 409))
async def shortlist_practice(practice_id: uuid.UUID, body: ShortlistBody,
                             ctx: Ctx = Depends(get_ctx)) -> PracticeDetail:
    """A supervisor places a write-up in a draft circular's 主要做法 (at `position`, default last)."""
    p = await service.get(ctx, practice_id)
    await service.shortlist(ctx, p, body)
    return await service.to_detail(ctx, p)


@router.delete("/practices/{practice_id}/shortlist", operation_id="unlistPractice",
               response_model=PracticeDetail, summary="撤出通报", responses=problem_responses(403, 404, 409))
async def unlist_practice(practice_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> PracticeDetail:
    """Take a write-up back out of its circular (status submitted again)."""
    p = await service.get(ctx, practice_id)
    await service.unlist(ctx, p, None)
    return await service.to_detail(ctx, p)


@router.post("/practices/{practice_id}/decline", operation_id="declinePractice",
             response_model=PracticeDetail, summary="不采用", responses=problem_responses(403, 404, 409))
async def decline_practice(practice_id: uuid.UUID, body: DeclineBody,
                           ctx: Ctx = Depends(get_ctx)) -> PracticeDetail:
    """A supervisor declines a write-up with a reason the unit sees."""
    p = await service.get(ctx, practice_id)
    await service.unlist(ctx, p, body)
    return await service.to_detail(ctx, p)


class DraftPracticesBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"opening": "各区县、各部门认真落实监管要求，形成了一批好的做法。"}]})

    opening: Text = Field(default="", max_length=1000, description="段首概述（可空）")


@router.post("/circulars/{circular_id}/practices/draft", operation_id="draftCircularPractices",
             response_model=CircularRead, summary="由入选做法起草“主要做法”",
             responses=problem_responses(403, 404, 409, 412))
async def draft_practices(circular_id: uuid.UUID, body: DraftPracticesBody, registry: RegistryDep,
                          response: Response, ctx: Ctx = Depends(get_ctx),
                          if_match: str | None = Header(None)) -> CircularRead:
    """Replace the draft's 主要做法 (narrative `practices`) with the shortlisted write-ups in
    order, each titled and attributed to its unit; edit it further with `PATCH /circulars/{id}`.
    DOCX, HTML and Markdown all print it."""
    circular = await circulars.get(ctx, circular_id)
    if if_match is not None and if_match.strip('W/"') != str(circular.version):
        raise PreconditionFailed(f"If-Match 为 {if_match}，当前版本为 \"{circular.version}\"")
    await service.draft_section(ctx, circular, body.opening)
    response.headers["ETag"] = f'"{circular.version}"'
    return await circulars.to_read(ctx, circular, registry)
