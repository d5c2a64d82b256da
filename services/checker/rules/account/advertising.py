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

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft
from services.checker.rules.account.posts import KeywordParams, keyword_findings

CODE = "account.advertising"
INDICATOR = "商业广告"


class Params(KeywordParams):
    pass


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report each post carrying commercial advertising keywords, for review."""
    return keyword_findings(account, params, code=CODE, indicator=INDICATOR,
                            suspicion="疑似含有商业广告",
                            suggestion="政务新媒体不得发布商业广告，请删除相关内容")
