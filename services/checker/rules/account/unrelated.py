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

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft
from services.checker.rules.account.posts import KeywordParams, keyword_findings

CODE = "account.unrelated"
INDICATOR = "发布与政务无关内容"


class Params(KeywordParams):
    pass


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report each post carrying a keyword of non-government content, for review."""
    return keyword_findings(account, params, code=CODE, indicator=INDICATOR,
                            suspicion="疑似与政务无关",
                            suggestion="政务新媒体应发布与本地区、本部门职责相关的信息，删除无关内容")
