"""Rule account.empty (空壳账号): an account with no posts at all.

Rule: a readable feed that shows no post ever (not only none in the read window) is 空壳.
It is reported once, here, and not again as 僵尸 (RULES.md: the same problem is never counted
twice). The severity is a profile parameter.
Indicator: 空壳账号. Source: RULES.md "New-media accounts" ("an account with no posts at all
(空壳)").

Passing: the feed lists one post, however old.
Failing: the feed answers with an empty item list.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft, Severity

CODE = "account.empty"
INDICATOR = "空壳账号"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    severity: Severity
    points: float = Field(ge=0)


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report an account whose feed shows no post at all."""
    if account.feed.status != "ok" or account.ever_posted:
        return []
    t = account.target
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity=params.severity,
        message=f"{t.platform_label}账号“{t.name}”没有发布过任何信息，属于空壳账号",
        locator=CODE, url=t.url,
        suggestion="发布本单位的政务信息；不再使用的账号应按规定关停并报备",
        points=params.points if params.severity == "deduct" else 0.0,
        detail={"source_url": account.feed.source_url})]
