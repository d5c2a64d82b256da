"""Rule account.advertising (商业广告): posts carrying commercial advertising.

Rule: a post whose title, text or replies carry a keyword of the profile's advertising list
(限时优惠, 扫码购买, 优惠券, 招商加盟, …), outside the list's exceptions (e.g. 政府采购), is
reported once per post, naming every keyword found, as a warning for review.
Indicator: 商业广告. Source: RULES.md "New-media accounts" (commercial content);
国办发〔2018〕123号 (政务新媒体 must not carry commercial advertising). The keyword list is
profile data, overridden by local profiles.

Passing: "关于开展消费券发放工作的通知" when 消费券 is not listed.
Failing: "限时优惠！扫码购买本地特产，全场包邮".
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.checker.inspect.account import AccountSnapshot
from services.checker.inspect.model import FindingDraft, Severity
from services.checker.rules.account.posts import keyword_hits
from services.checker.rules.content.matcher import excerpt

CODE = "account.advertising"
INDICATOR = "商业广告"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    keywords: list[str]
    exceptions: list[str]
    severity: Severity
    context_chars: int = Field(ge=0)


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report each post carrying commercial advertising keywords, for review."""
    t = account.target
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity=params.severity,
        message=f"{t.platform_label}账号“{t.name}”发布的《{h.post.title or h.post.platform_post_id}》"
                f"疑似含有商业广告（{'、'.join(h.keywords)}），请核实",
        locator=f"{CODE}|{h.post.platform_post_id}", url=h.post.url, parent_url=t.url,
        excerpt=excerpt(h.text, h.start, h.end, params.context_chars), offending=h.keywords[0],
        suggestion="政务新媒体不得发布商业广告，请删除相关内容",
        detail={"keywords": h.keywords, "post_id": h.post.platform_post_id,
                "published_at": h.post.published_at.isoformat()})
        for h in keyword_hits(account, params.keywords, params.exceptions)]
