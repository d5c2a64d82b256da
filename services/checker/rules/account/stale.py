"""Rule veto.account_stale (僵尸账号): no post in the two weeks before the monitoring point.

Rule: an account that has posted before must have a post published within `window_days` before
the monitoring point (a post exactly `window_days` earlier still counts). Posts after the
monitoring point do not count. An account that never posted is 空壳 (account.empty), not
reported twice here; an account whose feed could not be read is account.unreadable, never
僵尸; an account the platform reports gone is account.filing_mismatch. Only accounts filed in
one of `statuses` are judged (one filed as closed is expected to be silent).
Indicator: 账号不更新（僵尸）. Source: RULES.md "New-media accounts" (no update in the 2 weeks
before the monitoring point, 僵尸, veto); 国办秘函〔2019〕19号 单项否决指标.

Passing: monitoring point 2026-11-20 10:00, newest post 2026-11-06 10:00 (exactly 14 days).
Failing: newest post 2026-11-06 09:59:59, or only posts from the summer.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft, Severity
from shared.calendar import SHANGHAI

CODE = "veto.account_stale"
INDICATOR = "账号不更新（僵尸）"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    window_days: int = Field(ge=1)
    statuses: list[str]  # filed statuses judged: a closed account is not expected to post
    severity: Severity


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report an account whose newest post is older than the window."""
    if (account.feed.status != "ok" or not account.ever_posted
            or account.target.status not in params.statuses):
        return []
    since = account.as_of - timedelta(days=params.window_days)
    dates = [p.published_at for p in account.feed.posts]
    if account.feed.latest_post_at is not None:
        dates.append(account.feed.latest_post_at)
    if any(since <= d <= account.as_of for d in dates):
        return []
    if dates and all(d > account.as_of for d in dates):
        return []  # only posts after the monitoring point: nothing to judge the window by
    latest = max((d for d in dates if d <= account.as_of), default=None)
    t = account.target
    as_of = account.as_of.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    if latest is not None:
        shown = latest.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        age = (account.as_of - latest).days
        message = (f"{t.platform_label}账号“{t.name}”最近一次发布于{shown}，距监测时点（{as_of}）"
                   f"已{age}天，超过{params.window_days}天未更新")
    else:
        shown, age = None, None
        message = f"{t.platform_label}账号“{t.name}”监测时点（{as_of}）前{params.window_days}天内无更新"
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity=params.severity, message=message,
        locator=CODE, url=t.url, offending=shown,
        suggestion=f"请定期发布本地区、本部门的政务信息，确保{params.window_days}天内有更新；"
                   "确无运营能力的应按规定关停并报备",
        detail={"latest_post_at": latest.isoformat() if latest else None, "age_days": age,
                "window_days": params.window_days, "as_of": account.as_of.isoformat()})]
