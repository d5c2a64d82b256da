"""The consolidation analysis: a pure function of accounts, their posts in the period and the
thresholds, giving each account its evidence and suggested action (improve / merge into X / close).

Example: two 微博 accounts of 历下区教体局, 历下教育 (40 posts this quarter) and 历下区教育发布
(2 posts, last one 100 days ago): the second is idle, so it is suggested for closure; were it
posting 5 times a quarter, it would be merged into 历下教育, the more active of the two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any
from uuid import UUID

from services.reporting.consolidation.thresholds import ConsolidationThresholds

# Words that say what an account is, not whose: left out before names are compared.
_GENERIC = re.compile(r"(发布|微博|公众号|订阅号|服务号|政务|官方|头条|抖音|快手|视频号|号)$")


@dataclass
class AccountStats:
    """One running account and what its posts in the period show."""

    id: UUID
    name: str
    platform: str
    platform_label: str
    platform_account_id: str
    sponsor_id: UUID
    sponsor_name: str
    region_code: str
    created_at: datetime
    posts: int = 0
    reposts: int = 0
    last_post_at: datetime | None = None


@dataclass
class Suggestion:
    """The suggested action for one account and the evidence behind it."""

    account: AccountStats
    action: str  # keep / improve / merge / close
    reasons: list[str] = field(default_factory=list)
    merge_into: AccountStats | None = None
    overlaps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def repost_share(self) -> float | None:
        return self.account.reposts / self.account.posts if self.account.posts else None


def is_repost(post: dict[str, Any], markers: list[str]) -> bool:
    """Tell whether a post is a repost by its markers."""
    text = f"{post.get('title') or ''}\n{post.get('text') or ''}"
    return any(m in text for m in markers)


def core_name(name: str, region_name: str = "") -> str:
    """The part of a name that says whose account it is."""
    core = name
    # 历下区 is written 历下 just as often: strip both forms.
    for form in (region_name, region_name[:-1] if region_name[-1:] in "区县市旗" else ""):
        if len(form) >= 2:
            core = core.replace(form, "")
    previous = None
    while previous != core:
        previous, core = core, _GENERIC.sub("", core.strip())
    return core or name


def _overlap_groups(accounts: list[AccountStats], t: ConsolidationThresholds,
                    region_names: dict[str, str]) -> dict[UUID, list[tuple[AccountStats, str]]]:
    """For each account, the others it overlaps with and why."""
    out: dict[UUID, list[tuple[AccountStats, str]]] = {a.id: [] for a in accounts}
    for i, a in enumerate(accounts):
        for b in accounts[i + 1:]:
            if a.platform != b.platform:
                continue
            why = None
            if a.sponsor_id == b.sponsor_id:
                why = f"同一单位（{a.sponsor_name}）在{a.platform_label}开设多个账号"
            elif a.region_code == b.region_code:
                ratio = SequenceMatcher(None, core_name(a.name, region_names.get(a.region_code, "")),
                                        core_name(b.name, region_names.get(b.region_code, ""))).ratio()
                if ratio >= t.similar_name_ratio:
                    why = f"同一区划、同一平台，名称相近（相似度{ratio:.0%}）"
            if why:
                out[a.id].append((b, why))
                out[b.id].append((a, why))
    return out


def _rank(a: AccountStats) -> tuple[int, int, datetime]:
    """The account a group keeps: most original posts, then most posts, then the oldest."""
    return (-(a.posts - a.reposts), -a.posts, a.created_at)


def analyse(accounts: list[AccountStats], t: ConsolidationThresholds, now: datetime,
            region_names: dict[str, str] | None = None) -> list[Suggestion]:
    """Suggest an action for every account, with its reasons, in a stable order."""
    overlaps = _overlap_groups(accounts, t, region_names or {})
    out = []
    for a in sorted(accounts, key=lambda x: (x.region_code, x.sponsor_name, x.platform, x.name)):
        s = Suggestion(account=a, action="keep", overlaps=[
            {"account_id": str(b.id), "name": b.name, "reason": why} for b, why in overlaps[a.id]])
        counted = a.platform not in t.no_activity_platforms
        idle_days = (now - a.last_post_at).days if a.last_post_at else None
        if counted and a.last_post_at is None:
            s.reasons.append("检查期内及此前均未发现发布内容（空壳）")
        elif counted and idle_days is not None and idle_days >= t.idle_days:
            s.reasons.append(f"已{idle_days}天未更新（阈值{t.idle_days}天）")
        idle = bool(s.reasons)
        if counted and not idle and a.posts < t.min_posts_per_quarter:
            s.reasons.append(f"本期发布{a.posts}条，少于{t.min_posts_per_quarter}条")
        share = s.repost_share
        if counted and share is not None and share > t.max_repost_share:
            s.reasons.append(f"转载占比{share:.0%}，原创内容少（阈值{t.max_repost_share:.0%}）")
        group = [a, *(b for b, _ in overlaps[a.id])]
        keeper = min(group, key=_rank)
        if idle:
            s.action = "close"
        elif keeper.id != a.id:
            s.action, s.merge_into = "merge", keeper
            why = next(w for b, w in overlaps[a.id] if b.id == keeper.id)
            s.reasons.append(f"与“{keeper.name}”功能重叠（{why}），建议整合至该账号")
        elif s.reasons:
            s.action = "improve"
        out.append(s)
    return out
