"""Unit-facing endpoints: evidence files for a rectification report."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request, status

from services.reporting.attachment import service as attachments
from services.reporting.attachment.schemas import AttachmentRead
from services.reporting.common.context import Ctx, get_ctx
from services.reporting.rectification import service as rectification
from shared.errors import InvalidTransition, problem_responses

router = APIRouter(prefix="/rectifications", tags=["rectifications"],
                   responses=problem_responses(401, 422))


@router.post("/{item_id}/attachments", operation_id="uploadRectificationAttachment",
             response_model=AttachmentRead, status_code=status.HTTP_201_CREATED,
             summary="上传整改佐证附件", responses=problem_responses(403, 404, 409, 413, 415),
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {
                 # The file alone: other form fields are refused.
                 "schema": {"type": "object", "required": ["file"], "additionalProperties": False,
                            "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
async def upload_attachment(item_id: uuid.UUID, request: Request,
                            ctx: Ctx = Depends(get_ctx)) -> AttachmentRead:
    """Attach a screenshot or scan (PNG, JPEG or PDF, judged by content) to an item before
    reporting it done; list its id in the report's `attachments`.

    Limits: `attachment_max_bytes` per file (413), `attachment_max_per_subject` per item (409);
    a closed item takes no more files (409).
    """
    ctx.require_writer(unit_allowed=True)
    item = await rectification.get_item(ctx, item_id)
    if item.status == rectification.CLOSED:
        raise InvalidTransition(f"整改项 {item_id} 已整改关闭，不能再上传附件", allowed_next_states=[])
    data, name = await attachments.read_file(request, ctx.settings.attachment_max_bytes)
    row = await attachments.store(ctx, subject_type="rectification", subject_id=item.id,
                                  organisation_id=item.organisation_id,
                                  region_code=item.region_code, data=data, filename=name)
    return AttachmentRead.model_validate(row)


@router.get("/{item_id}/attachments", operation_id="listRectificationAttachments",
            response_model=list[AttachmentRead], summary="整改佐证附件列表",
            responses=problem_responses(404))
async def list_attachments(item_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> list[AttachmentRead]:
    """The files attached to an item, oldest first."""
    item = await rectification.get_item(ctx, item_id)
    return [AttachmentRead.model_validate(a) for a in await attachments.listed(ctx, item.id)]
