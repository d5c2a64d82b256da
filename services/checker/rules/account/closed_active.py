"""Rule account.closed_active (已报关停仍在更新): an account filed as closed that still posts.

Rule: an account whose filed status is one of `closed_statuses` and whose feed shows a post
published within `window_days` before the monitoring point is still running.
Indicator: 已报关停仍在更新. Source: RULES.md "Registry compliance" (filed as closed but still
serving) and "New-media accounts" (an account filed as closed that still posts); the severity
follows the website rule (profile).

Passing: an account filed as closed whose newest post is from before its closure months ago.
Failing: an account filed as closed that posted yesterday.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft, Severity
from shared.calendar import SHANGHAI

CODE = "account.closed_active"
INDICATOR = "已报关停仍在更新"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    closed_statuses: list[str]
    window_days: int = Field(ge=1)
    severity: Severity


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report a closed account with a recent post."""
    t = account.target
    if account.feed.status != "ok" or t.status not in params.closed_statuses:
        return []
    since = account.as_of - timedelta(days=params.window_days)
    recent = [p for p in account.posts if since <= p.published_at <= account.as_of]
    if not recent:
        return []
    newest = recent[0]
    shown = newest.published_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity=params.severity,
        message=f"{t.platform_label}账号“{t.name}”已在备案中报关停（{t.status}），"
                f"但{params.window_days}天内仍发布了{len(recent)}条信息（最近一条《{newest.title}》发布于{shown}）",
        locator=CODE, url=newest.url or t.url, offending=newest.title,
        suggestion="按备案停止账号运营并注销，或办理重新开通备案",
        detail={"status": t.status, "recent_posts": len(recent),
                "latest_post_id": newest.platform_post_id})]
