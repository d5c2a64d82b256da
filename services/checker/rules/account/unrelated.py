"""Rule account.unrelated (发布与政务无关内容): posts that have nothing to do with government work.

Rule: a post whose title, text or replies carry a keyword of the profile's list (horoscopes,
celebrity gossip, lottery tips, …), outside the list's exceptions, is reported once per post,
naming every keyword found. A keyword cannot prove a post unrelated: a warning for review.
Indicator: 发布与政务无关内容. Source: RULES.md "New-media accounts" (posts unrelated to
government work); 国办发〔2018〕123号 (政务新媒体 publish government information). The keyword
list is profile data, overridden by local profiles.

Passing: "我区召开安全生产工作会议"。
Failing: "本周十二星座运势大揭秘".
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.checker.inspect.account import AccountSnapshot
from services.checker.inspect.model import FindingDraft, Severity
from services.checker.rules.account.posts import keyword_hits
from services.checker.rules.content.matcher import excerpt

CODE = "account.unrelated"
INDICATOR = "发布与政务无关内容"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    keywords: list[str]
    exceptions: list[str]  # longer phrases containing a keyword that are government work
    severity: Severity
    context_chars: int = Field(ge=0)


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report each post carrying a keyword of non-government content, for review."""
    t = account.target
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity=params.severity,
        message=f"{t.platform_label}账号“{t.name}”发布的《{h.post.title or h.post.platform_post_id}》"
                f"疑似与政务无关（{'、'.join(h.keywords)}），请核实",
        locator=f"{CODE}|{h.post.platform_post_id}", url=h.post.url, parent_url=t.url,
        excerpt=excerpt(h.text, h.start, h.end, params.context_chars), offending=h.keywords[0],
        suggestion="政务新媒体应发布与本地区、本部门职责相关的信息，删除无关内容",
        detail={"keywords": h.keywords, "post_id": h.post.platform_post_id,
                "published_at": h.post.published_at.isoformat()})
        for h in keyword_hits(account, params.keywords, params.exceptions)]
