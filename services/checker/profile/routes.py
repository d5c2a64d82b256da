"""Rule profile and word list endpoints: local overrides of the national profile."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError

from services.checker.common.context import Ctx, get_ctx
from services.checker.profile import service
from services.checker.profile.loader import NATIONAL, national_profile
from services.checker.profile.models import WordEntry
from services.checker.profile.schemas import overrides_schema
from services.checker.profile.service import merged, resolve_profile
from services.checker.rules.content.wordlists import ExpressionEntry, TypoEntry
from services.checker.rules.params import validate_profile
from shared.errors import (
    Conflict,
    Forbidden,
    ValidationFailed,
    describe_errors,
    problem_responses,
    summarise,
)
from shared.principal import NATION

router = APIRouter(tags=["profiles"], responses=problem_responses(401, 422))


def _require_maker(ctx: Ctx, created_by: str, what: str) -> None:
    """Local profiles and word entries apply to every run that names them: whoever made one (or a
    national principal) changes it, never a neighbouring county's supervisor."""
    if ctx.principal.all_regions or created_by.partition("（")[0] == ctx.principal.subject:
        return
    raise Forbidden(f"{what}由 {created_by} 创建，只有创建者或全国范围的管理者可以修改")


def _require_region_writer(ctx: Ctx, region_code: str) -> None:
    """National entries are a national administrator's; a regional one needs the region in scope."""
    if region_code == NATION:
        ctx.require_national_admin("全国词条（region_code 100000）")
        return
    ctx.require_admin_or_supervisor()
    if not ctx.principal.sees_region(region_code):
        raise ValidationFailed(f"字段 region_code 的值 {region_code!r}：区划不在调用者的范围内",
                               errors=[{"field": "region_code", "value": region_code,
                                        "message": "区划不在调用者的范围内"}])


class ProfileCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "山东省2026", "description": "首页更新窗口收紧为7天",
        "overrides": {"rules": {"veto.homepage_stale": {"window_days": 7}}}}]})

    name: str = Field(min_length=1, max_length=100, pattern=r"^[^/\s]+$")
    description: str | None = Field(default=None, max_length=1000)
    # Checked by the service (the rule and parameter named in its 422); the document states
    # the same shape, built from the rules' parameter models.
    overrides: dict[str, Any] = Field(description="覆盖国家规则配置的部分：rules 与 scoring",
                                      json_schema_extra=overrides_schema)


class ProfileRead(BaseModel):
    name: str
    description: str | None
    base: str
    overrides: dict[str, Any]
    profile: dict[str, Any] = Field(description="合并后的完整规则配置")


class WordEntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "wrong": "按步就班", "right": "按部就班", "level": "general"}]})

    # Two characters at least: a single character matches inside too many correct words.
    wrong: str = Field(min_length=2, max_length=100)
    right: str = Field(min_length=1, max_length=200)
    level: Literal["general", "suspected", "serious"] | None = Field(
        default=None,
        description="一般 general / 疑似 suspected / 严重 serious；缺省：错别字为一般，表述为严重")
    exceptions: list[str] = Field(default_factory=list, max_length=50,
                                  description="含错误写法但正确的更长词语，出现时不报")
    note: str | None = Field(default=None, max_length=500)
    region_code: str = Field(
        default=NATION, pattern=r"^\d{6}$",
        description="词条适用的区划（含下级）；缺省 100000 为全国词条，仅全国范围的管理员可添加。"
                    "地方词条只在该区划的检查中使用")


class WordEntryRead(WordEntryCreate):
    model_config = ConfigDict(extra="ignore", from_attributes=True, json_schema_extra={"examples": [{
        "wrong": "按步就班", "right": "按部就班", "level": "general", "exceptions": [], "note": None,
        "region_code": "370000", "id": "c4d5e6f7-0a1b-4c2d-8e3f-405162738495", "list_name": "typo",
        "created_by": "apikey:6c70fe97（省政务公开办）", "created_at": "2026-11-20T02:00:00Z"}]})

    id: uuid.UUID
    list_name: str
    created_by: str
    created_at: datetime


ListName = Literal["typo", "expression"]


@router.get("/profiles", operation_id="listProfiles", response_model=list[ProfileRead],
            summary="规则配置列表")
async def list_profiles(ctx: Ctx = Depends(get_ctx)) -> list[ProfileRead]:
    """The national profile and every local one, each with its merged result."""
    out = [ProfileRead(name=NATIONAL, description="全国政府网站检查指标（2019）", base=NATIONAL,
                       overrides={}, profile=national_profile())]
    for row in await service.local_profiles(ctx.session):
        out.append(ProfileRead(name=row.name, description=row.description, base=row.base,
                               overrides=row.overrides, profile=merged(row.overrides)))
    return out


@router.get("/profiles/{name}", operation_id="getProfile", response_model=ProfileRead,
            summary="查看规则配置", responses=problem_responses(404))
async def get_profile(name: str, ctx: Ctx = Depends(get_ctx)) -> ProfileRead:
    """One profile with its thresholds merged over the national ones."""
    row = await service.local_profile(ctx.session, name)
    return ProfileRead(name=name, description=row.description if row else None,
                       base=NATIONAL, overrides=row.overrides if row else {},
                       profile=await resolve_profile(ctx.session, name))


@router.put("/profiles/{name}", operation_id="putProfile", response_model=ProfileRead,
            summary="保存本地规则配置", responses=problem_responses(403, 409))
async def put_profile(name: str, body: ProfileCreate, ctx: Ctx = Depends(get_ctx)) -> ProfileRead:
    """Create or replace a local profile; unknown rule codes or bad thresholds are 422."""
    if name == NATIONAL:
        ctx.require_national_admin(f"国家规则配置 {NATIONAL} ")
    ctx.require_admin_or_supervisor()
    if name == NATIONAL or body.name != name:
        raise Conflict(f"不能修改国家规则配置，且路径中的名称须与 name 一致（{name!r}）")
    profile = merged(body.overrides)
    validate_profile(profile)
    row = await service.local_profile(ctx.session, name)
    if row is not None:
        _require_maker(ctx, row.created_by, f"规则配置 {name!r} ")
    row = await service.save_profile(ctx.session, row, name, description=body.description,
                                     overrides=body.overrides, actor=ctx.actor, now=ctx.clock.now())
    return ProfileRead(name=name, description=row.description, base=NATIONAL,
                       overrides=row.overrides, profile=profile)


@router.get("/wordlists/{list_name}", operation_id="listWordEntries",
            response_model=list[WordEntryRead], summary="查看自定义词库")
async def list_words(list_name: ListName, ctx: Ctx = Depends(get_ctx),
                     q: str | None = Query(None, max_length=50)) -> list[WordEntryRead]:
    """Entries added to the shipped typo or expression list through the API."""
    rows = await service.word_entries(ctx.session, list_name, q)
    return [WordEntryRead.model_validate(r) for r in rows]


@router.post("/wordlists/{list_name}", operation_id="addWordEntry", response_model=WordEntryRead,
             status_code=status.HTTP_201_CREATED, summary="添加词条",
             responses=problem_responses(403, 409))
async def add_word(list_name: ListName, body: WordEntryCreate,
                   ctx: Ctx = Depends(get_ctx)) -> WordEntryRead:
    """Add a wrong → right entry; it applies from the next run on.

    A national entry (region_code 100000) applies to every target and is added by a national
    administrator only; a regional one applies to targets in that region's subtree and is added
    by a supervisor or administrator whose scope holds the region.
    """
    _require_region_writer(ctx, body.region_code)
    level = body.level or ("general" if list_name == "typo" else "serious")
    model = TypoEntry if list_name == "typo" else ExpressionEntry
    try:
        model(wrong=body.wrong, right=body.right, level=level, exceptions=tuple(body.exceptions))
    except ValidationError as exc:
        items = describe_errors(list(exc.errors()))
        raise ValidationFailed(summarise(items), errors=items) from exc
    row = WordEntry(list_name=list_name, created_by=ctx.actor, created_at=ctx.clock.now(),
                    **{**body.model_dump(), "level": level})
    try:
        await service.add_word_entry(ctx.session, row)
    except IntegrityError as exc:
        raise Conflict(f"区划 {body.region_code} 的词库中已有错误写法 {body.wrong!r}") from exc
    return WordEntryRead.model_validate(row)


@router.delete("/wordlists/{list_name}/{entry_id}", operation_id="deleteWordEntry",
               status_code=status.HTTP_204_NO_CONTENT, summary="删除词条",
               responses=problem_responses(403, 404))
async def delete_word(list_name: ListName, entry_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> None:
    """Remove an entry added through the API (shipped entries cannot be removed)."""
    ctx.require_admin_or_supervisor()
    row = await service.word_entry(ctx.session, list_name, entry_id)
    if row.region_code == NATION:
        ctx.require_national_admin(f"全国词条 {row.wrong!r} ")
    _require_maker(ctx, row.created_by, f"词条 {row.wrong!r} ")
    await service.delete_word_entry(ctx.session, row)
