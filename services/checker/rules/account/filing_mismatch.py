"""Rule account.filing_mismatch (备案信息与账号不符): the filing no longer matches the account.

Rule, two findings:
- the platform answers that the account no longer exists (feed status gone) while it is filed
  as one of `active_statuses` → 账号已不存在但未报备关停;
- the name the feed or profile page gives differs from the filed name (ignoring spaces and
  letter case) → 账号名称与备案不一致.
Indicator: 备案信息与账号不符. Source: RULES.md "New-media accounts" (filing data that no longer
matches the account: renamed, deleted) and "Registry compliance" (a site filed as running that
is gone is judged 不合格); severities and points from the profile.

Passing: filed “历下发布”, the feed's title is “历下发布”.
Failing: filed “历下发布”, the feed's title is “历下区融媒体中心”.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft, Severity

CODE = "account.filing_mismatch"
INDICATOR = "备案信息与账号不符"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    active_statuses: list[str]
    severity_gone: Severity
    severity_renamed: Severity
    points_renamed: float = Field(ge=0)


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", name).casefold()


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report an account gone without a closure filing, or renamed without a change filing."""
    t, feed = account.target, account.feed
    if feed.status == "gone":
        if t.status not in params.active_statuses:
            return []
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity=params.severity_gone,
            message=f"{t.platform_label}账号“{t.name}”在平台上已不存在，但备案中仍为运行状态（{t.status}）",
            locator="gone", url=feed.source_url or t.url,
            suggestion="核实账号情况；已停止运营的应按规定报备关停或注销",
            detail={"kind": "gone", "status": t.status, "error": feed.error})]
    if feed.status != "ok" or not feed.account_name or _norm(feed.account_name) == _norm(t.name):
        return []
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity=params.severity_renamed,
        message=f"{t.platform_label}账号备案名称为“{t.name}”，平台上显示为“{feed.account_name}”，与备案不一致",
        locator=f"renamed|{feed.account_name}", url=feed.source_url or t.url,
        offending=feed.account_name, suggestion="账号名称变更后应及时办理变更备案",
        points=params.points_renamed if params.severity_renamed == "deduct" else 0.0,
        detail={"kind": "renamed", "filed_name": t.name, "platform_name": feed.account_name})]
