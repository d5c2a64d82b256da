"""Emblem reference endpoints: load, list and remove the 国徽 images inspections compare with."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from services.checker.common.context import Ctx, get_ctx
from services.checker.emblem.models import EmblemReference
from services.checker.support.phash import NotAnImage, image_size, phash
from shared.errors import NotFound, ValidationFailed, problem_responses
from shared.text import Name, Text

router = APIRouter(tags=["emblems"], responses=problem_responses(401, 422))
# A reference image is a picture of the emblem, not a poster: 2 MB is ample (base64 adds a third).
MAX_IMAGE_BYTES = 2 * 1024 * 1024
EmblemStatus = Literal["current", "superseded"]


class EmblemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "国徽（现行版）", "status": "current", "image": "iVBORw0KGgo…",
        "note": "国务院办公厅下发的现行国徽图案"}]})

    name: Annotated[Name, Field(min_length=1, max_length=100)]
    status: EmblemStatus = Field(description="current 现行版 / superseded 已废止的旧版")
    image: str = Field(min_length=1, max_length=MAX_IMAGE_BYTES * 4 // 3 + 4,
                       description="PNG、JPEG、GIF 或 WebP 图片，base64 编码")
    note: Annotated[Text, Field(max_length=500)] | None = None


class EmblemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: EmblemStatus
    phash: str = Field(description="64 位感知哈希（十六进制），检查时按汉明距离比对")
    width: int
    height: int
    note: str | None
    created_by: str
    created_at: datetime


def _refuse_image(value: str, why: str) -> ValidationFailed:
    shown = value[:20] + ("…" if len(value) > 20 else "")
    return ValidationFailed(f"字段 image 的值 {shown!r}：{why}",
                            errors=[{"field": "image", "value": shown, "message": why}])


@router.post("/emblems", operation_id="addEmblemReference", response_model=EmblemRead,
             status_code=status.HTTP_201_CREATED, summary="添加国徽参考图",
             responses=problem_responses(403))
async def add_emblem(body: EmblemCreate, ctx: Ctx = Depends(get_ctx)) -> EmblemRead:
    """Load a reference image of the national emblem, labelled current or superseded.

    Every inspection compares the emblem images it finds on each site with these by perceptual
    hash: a site showing a superseded emblem is reported (deduct.emblem). With no reference
    loaded nothing is judged, and each inspection says so in its notes. National reference data:
    a national administrator loads it.
    """
    ctx.require_national_admin("国徽参考图")
    try:
        data = base64.b64decode(body.image, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse_image(body.image, "不是有效的 base64 编码") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise _refuse_image(body.image, f"图片超过 {MAX_IMAGE_BYTES} 字节")
    try:
        width, height = image_size(data)
        hashed = phash(data)
    except NotAnImage:
        raise _refuse_image(body.image, "无法识别的图片（支持 PNG、JPEG、GIF、WebP）") from None
    row = EmblemReference(name=body.name, status=body.status, phash=hashed, width=width, height=height,
                          note=body.note, created_by=ctx.actor, created_at=ctx.clock.now())
    ctx.session.add(row)
    await ctx.session.flush()
    return EmblemRead.model_validate(row)


@router.get("/emblems", operation_id="listEmblemReferences", response_model=list[EmblemRead],
            summary="查看国徽参考图")
async def list_emblems(ctx: Ctx = Depends(get_ctx)) -> list[EmblemRead]:
    """Every reference image loaded, current ones first."""
    rows = (await ctx.session.execute(select(EmblemReference).order_by(
        col(EmblemReference.status), col(EmblemReference.created_at)))).scalars().all()
    return [EmblemRead.model_validate(r) for r in rows]


@router.delete("/emblems/{emblem_id}", operation_id="deleteEmblemReference",
               status_code=status.HTTP_204_NO_CONTENT, summary="删除国徽参考图",
               responses=problem_responses(403, 404))
async def delete_emblem(emblem_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> None:
    """Remove a reference image; inspections from then on no longer compare with it."""
    ctx.require_national_admin("国徽参考图")
    row = await ctx.session.get(EmblemReference, emblem_id)
    if row is None:
        raise NotFound(f"国徽参考图 {emblem_id} 不存在")
    await ctx.session.delete(row)
