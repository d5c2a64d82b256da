"""Attachment download: the bytes of a file in the caller's scope."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from services.reporting.attachment import service
from services.reporting.attachment.schemas import AttachmentRead
from services.reporting.common.context import Ctx, get_ctx
from shared.errors import problem_responses

router = APIRouter(prefix="/attachments", tags=["attachments"], responses=problem_responses(401, 422))


@router.get("/{attachment_id}", operation_id="getAttachment", summary="下载附件",
            response_class=Response, responses={
                200: {"content": {"image/png": {}, "image/jpeg": {}, "application/pdf": {}}},
                **problem_responses(404)})
async def get_attachment(attachment_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> Response:
    """The file as uploaded, always as a download (never rendered inline by the browser)."""
    row = await service.get(ctx, attachment_id)
    ascii_name = f"{row.id}{service.EXTENSIONS[row.media_type]}"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}"
    return Response(row.content, media_type=row.media_type, headers={
        "Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'", "Cache-Control": "private, max-age=3600"})


@router.get("/{attachment_id}/meta", operation_id="getAttachmentMeta",
            response_model=AttachmentRead, summary="附件信息", responses=problem_responses(404))
async def get_attachment_meta(attachment_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> AttachmentRead:
    """Name, type, size and checksum of an attachment."""
    return AttachmentRead.model_validate(await service.get(ctx, attachment_id))
