"""Storing attachments safely: a size cap, a count cap, and the type sniffed from the content.

Only PNG, JPEG and PDF are kept: what a unit needs to show a fix (screenshots, scanned
documents), and formats a browser shows without running anything. The declared Content-Type
and file name are never trusted for the type; the name is kept only as a label.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from pathlib import PurePosixPath

from fastapi import Request
from sqlalchemy import func
from sqlmodel import col, select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from services.reporting.attachment.models import Attachment
from services.reporting.common.context import Ctx
from shared.errors import Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from shared.scope import scope_condition
from shared.text import clean_line

# Multipart boundaries and part headers around the file itself.
MULTIPART_SLACK = 64 * 1024
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"%PDF-", "application/pdf"))
IMAGES = frozenset({"image/png", "image/jpeg"})
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf"}


def sniff(data: bytes) -> str | None:
    """Return the media type the bytes start with, or None for anything not accepted."""
    return next((media for magic, media in SIGNATURES if data.startswith(magic)), None)


def safe_name(filename: str | None, media_type: str) -> str:
    """A label for the file: its base name without control characters, with the right extension."""
    try:
        name = clean_line(PurePosixPath((filename or "").replace("\\", "/")).name)
    except ValueError:
        name = ""
    stem = (PurePosixPath(name).stem or "附件")[:150]
    return stem + EXTENSIONS[media_type]


async def read_file(request: Request, max_bytes: int) -> tuple[bytes, str | None]:
    """Read the multipart field `file` of a request, refusing it (413) past `max_bytes`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + MULTIPART_SLACK:
        raise _too_large(max_bytes)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UnsupportedMediaType("请以 multipart/form-data 上传，文件放在字段 file 中",
                                   accepted=["multipart/form-data"])
    try:
        async with request.form(max_files=1, max_fields=0, max_part_size=max_bytes) as form:
            part = form.get("file")
            if not isinstance(part, UploadFile):
                raise ValidationFailed("multipart 表单中缺少文件字段 file", errors=[
                    {"field": "file", "value": None, "message": "缺少必填项"}])
            data = await part.read(max_bytes + 1)
            name = part.filename
    except HTTPException as exc:  # a malformed form, or a part past max_part_size
        if "exceeded maximum size" in str(exc.detail):
            raise _too_large(max_bytes) from None
        raise ValidationFailed(f"multipart 表单无法解析：{exc.detail}；文件请放在字段 file 中",
                               errors=[{"field": "file", "value": None,
                                        "message": str(exc.detail)}]) from None
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data:
        raise ValidationFailed("上传的文件为空", errors=[{"field": "file", "value": name,
                                                        "message": "文件为空"}])
    return data, name


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"附件超过上限 {max_bytes} 字节（约 {max_bytes / 1048576:.0f} MB，"
                           "attachment_max_bytes）", limit_name="attachment_max_bytes",
                           limit=max_bytes)


async def store(ctx: Ctx, *, subject_type: str, subject_id: uuid.UUID, organisation_id: uuid.UUID,
                region_code: str, data: bytes, filename: str | None,
                images_only: bool = False) -> Attachment:
    """Keep an uploaded file for a subject after checking its type and the subject's count."""
    media = sniff(data)
    accepted = sorted(IMAGES) if images_only else [m for _, m in SIGNATURES]
    if media is None or (images_only and media not in IMAGES):
        raise UnsupportedMediaType(f"文件 {filename or ''} 的内容不是可接受的格式：仅接受 "
                                   f"{'、'.join(accepted)}（按文件内容判断，不看扩展名）",
                                   accepted=accepted)
    limit = ctx.settings.attachment_max_per_subject
    count = (await ctx.session.execute(select(func.count()).select_from(Attachment).where(
        col(Attachment.subject_id) == subject_id))).scalar_one()
    if count >= limit:
        raise Conflict(f"每项最多 {limit} 个附件（attachment_max_per_subject），已有 {count} 个")
    row = Attachment(subject_type=subject_type, subject_id=subject_id,
                     organisation_id=organisation_id, region_code=region_code,
                     filename=safe_name(filename, media), media_type=media, size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(), content=data,
                     uploaded_by=ctx.actor[:200], uploaded_at=ctx.clock.now())
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def listed(ctx: Ctx, subject_id: uuid.UUID) -> list[Attachment]:
    """The attachments of a subject (already checked to be in scope), oldest first."""
    return list((await ctx.session.execute(select(Attachment).where(
        col(Attachment.subject_id) == subject_id).order_by(col(Attachment.uploaded_at),
                                                            col(Attachment.id)))).scalars())


async def get(ctx: Ctx, attachment_id: uuid.UUID) -> Attachment:
    """Load an attachment in the caller's scope; out of scope answers 404 like a missing one."""
    row = (await ctx.session.execute(select(Attachment).where(
        col(Attachment.id) == attachment_id, scope_condition(
            ctx.principal, col(Attachment.region_code), col(Attachment.organisation_id))))
           ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"附件 {attachment_id} 不存在")
    return row


async def claim(ctx: Ctx, subject_id: uuid.UUID, ids: Sequence[uuid.UUID], field: str) -> list[str]:
    """Check that every id names an attachment of this subject; return them as strings (422 else)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = set((await ctx.session.execute(select(Attachment.id).where(
        col(Attachment.subject_id) == subject_id, col(Attachment.id).in_(wanted)))).scalars())
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationFailed(f"字段 {field} 中的附件 {missing[0]} 不存在或不属于此项：请先上传",
                               errors=[{"field": field, "value": str(m), "message": "附件不存在"}
                                       for m in missing])
    return [str(i) for i in wanted]
