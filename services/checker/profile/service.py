"""Rule profiles: the national one, and local ones stored as overrides of it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.checker.profile.loader import NATIONAL, deep_merge, national_profile
from services.checker.profile.models import RuleProfile, WordEntry
from services.checker.repost.match import CODE as REPOST
from services.checker.repost.match import Params as RepostParams
from shared.errors import NotFound, ValidationFailed, describe_errors

# Keys a rule block may carry besides its thresholds: the switch evaluate() reads; keys starting
# with "_" are notes (_source).
RULE_SWITCHES = frozenset({"enabled"})


class Indicator(BaseModel):
    model_config = ConfigDict(extra="ignore")

    group: str
    cap: float | None = Field(default=None, ge=0)


class AccountScoring(BaseModel):
    """scoring.accounts: the national veto-only rule, or a local 100-point score (scored)."""

    model_config = ConfigDict(extra="ignore")

    scored: bool
    full_marks: float = Field(gt=0)
    pass_mark: float = Field(ge=0)
    excellent_mark: float = Field(ge=0)


class Scoring(BaseModel):
    """What inspect.scoring reads: a profile that breaks it would fail every task of a run."""

    model_config = ConfigDict(extra="ignore")

    full_marks: float = Field(gt=0)
    pass_mark: float = Field(ge=0)
    groups: dict[str, float]
    no_service_group: str | None = None
    indicators: dict[str, Indicator]
    accounts: AccountScoring


async def resolve_profile(session: AsyncSession, name: str) -> dict[str, Any]:
    """Return the full profile by name: the national one, or a local one merged over it."""
    if name == NATIONAL:
        return national_profile()
    row = (await session.execute(select(RuleProfile).where(RuleProfile.name == name))).scalar()
    if row is None:
        raise NotFound(f"规则配置 {name!r} 不存在")
    return merged(row.overrides)


async def profile_for_body(session: AsyncSession, name: str) -> dict[str, Any]:
    """Resolve a profile named in a request body: an unknown name is a bad field (422)."""
    try:
        return await resolve_profile(session, name)
    except NotFound as exc:
        raise ValidationFailed(f"字段 profile 的值 {name!r}：规则配置不存在",
                               errors=[{"field": "profile", "value": name,
                                        "message": "规则配置不存在"}]) from exc


def merged(overrides: dict[str, Any]) -> dict[str, Any]:
    """Merge overrides over the national profile, refusing unknown rules and parameters."""
    base = national_profile()
    rules = overrides.get("rules", {})
    if not isinstance(rules, dict) or not isinstance(overrides.get("scoring", {}), dict):
        raise ValidationFailed("规则配置的 rules 与 scoring 应为对象，如 "
                               "{\"rules\": {\"veto.homepage_stale\": {\"window_days\": 7}}}")
    unknown = sorted(set(rules) - set(base["rules"]))
    if unknown:
        raise ValidationFailed(f"规则配置中有未知的规则代码：{'、'.join(unknown)}",
                               errors=[{"field": f"overrides.rules.{c}", "value": c,
                                        "message": "未知的规则代码"} for c in unknown])
    extra = sorted(set(overrides) - {"rules", "scoring", "name", "source"})
    if extra:
        raise ValidationFailed(f"规则配置只能覆盖 rules 与 scoring，不能有：{'、'.join(extra)}")
    _check_rule_blocks(rules, base["rules"])
    out = deep_merge(base, overrides)
    # The scoring inspect.scoring reads, and the repost thresholds (read by no rule module,
    # so validate_profile does not see them): refused here rather than when a run uses them.
    for where, model, value in (("overrides.scoring", Scoring, out["scoring"]),
                                (f"overrides.rules.{REPOST}", RepostParams, out["rules"].get(REPOST) or {})):
        try:
            model.model_validate(value)
        except ValidationError as exc:
            errors = [{**e, "field": f"{where}.{e['field']}"}
                      for e in describe_errors(list(exc.errors()))]
            raise ValidationFailed("规则配置无效：" + "；".join(
                f"{e['field']}：{e['message']}" for e in errors[:5]), errors=errors) from exc
    return out


def _check_rule_blocks(rules: dict[str, Any], national: dict[str, Any]) -> None:
    # A misspelt threshold would otherwise be ignored silently and the national value apply.
    errors: list[dict[str, Any]] = []
    for code, block in rules.items():
        if not isinstance(block, dict):
            errors.append({"field": f"overrides.rules.{code}", "value": str(block)[:200],
                           "message": "应为对象：{参数: 取值}"})
            continue
        errors.extend({"field": f"overrides.rules.{code}.{key}", "value": key,
                       "message": "未知的参数"} for key in block
                      if key not in national[code] and key not in RULE_SWITCHES
                      and not key.startswith("_"))
    if errors:
        raise ValidationFailed("规则配置无效：" + "；".join(
            f"{e['field']}：{e['message']}" for e in errors[:5]), errors=errors)


async def local_profiles(session: AsyncSession) -> Sequence[RuleProfile]:
    """Every local profile, by name."""
    return (await session.execute(select(RuleProfile).order_by(col(RuleProfile.name)))).scalars().all()


async def local_profile(session: AsyncSession, name: str) -> RuleProfile | None:
    """The local profile of that name, if there is one."""
    return (await session.execute(select(RuleProfile).where(RuleProfile.name == name))).scalar()


async def save_profile(session: AsyncSession, row: RuleProfile | None, name: str, *,
                       description: str | None, overrides: dict[str, Any], actor: str,
                       now: datetime) -> RuleProfile:
    """Create (row None) or replace a local profile, validated by the caller."""
    if row is None:
        row = RuleProfile(name=name, overrides={}, created_by=actor, created_at=now, updated_at=now)
        session.add(row)
    row.description, row.overrides, row.updated_at = description, overrides, now
    await session.flush()
    return row


async def word_entries(session: AsyncSession, list_name: str, q: str | None) -> Sequence[WordEntry]:
    """The entries added to a word list through the API, by wrong form; `q` narrows them."""
    stmt = select(WordEntry).where(WordEntry.list_name == list_name)
    if q:
        stmt = stmt.where(col(WordEntry.wrong).contains(q))
    return (await session.execute(stmt.order_by(col(WordEntry.wrong)))).scalars().all()


async def word_entry(session: AsyncSession, list_name: str, entry_id: uuid.UUID) -> WordEntry:
    """One entry of a word list, or 404."""
    row = await session.get(WordEntry, entry_id)
    if row is None or row.list_name != list_name:
        raise NotFound(f"词条 {entry_id} 不存在")
    return row


async def add_word_entry(session: AsyncSession, row: WordEntry) -> None:
    """Store a new entry (IntegrityError when its region's list has that wrong form already)."""
    session.add(row)
    await session.flush()


async def delete_word_entry(session: AsyncSession, row: WordEntry) -> None:
    """Remove an entry."""
    await session.delete(row)
    await session.flush()
