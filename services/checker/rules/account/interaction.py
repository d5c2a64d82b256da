"""Rule veto.account_interaction (无有效互动功能): the account offers no way to interact.

Rule: on the platforms the profile lists, an account whose source says its interaction
function (comments, messages) is switched off is a veto. When the source does not say
(interaction unknown), nothing is reported: the function cannot be judged from outside.
Indicator: 无有效互动功能. Source: RULES.md "New-media accounts" (veto: no effective
interaction function); the platforms where one is required are a profile parameter.

Passing: a Weibo account whose posts take comments.
Failing: a Weibo account whose profile page shows comments closed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft, Severity

CODE = "veto.account_interaction"
INDICATOR = "无有效互动功能"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    required_platforms: list[str]
    severity: Severity


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report interaction switched off where the profile requires it."""
    t = account.target
    if (account.feed.status != "ok" or t.platform not in params.required_platforms
            or account.feed.interaction_enabled is not False):
        return []
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity=params.severity,
        message=f"{t.platform_label}账号“{t.name}”关闭了留言评论等互动功能，无有效互动渠道",
        locator=CODE, url=account.feed.source_url or t.url,
        suggestion="开通留言、评论或私信等互动功能，并及时回应公众诉求",
        detail={"platform": t.platform})]
