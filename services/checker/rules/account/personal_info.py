"""Rule content.personal_info on accounts (个人信息泄露): the website engine, run on posts.

Rule: exactly rules/content/personal_info.py (GB 11643 ID check digit, mobile numbers, Luhn-valid
bank cards; masked forms, dates, URLs and failing numbers are not findings), with the same
profile block, on every post read; each finding names the post and shows the number masked.
Indicator: 个人信息泄露. Source: RULES.md content checks.

Passing: "联系人：138****1234；文号 202311200001。"
Failing: "申请人身份证号11010519491231002X" in a post.
"""

from __future__ import annotations

from services.checker.ground.account import AccountSnapshot, as_site
from services.checker.ground.finding import FindingDraft
from services.checker.rules.account.posts import retarget
from services.checker.rules.content import personal_info

CODE = personal_info.CODE
INDICATOR = personal_info.INDICATOR
Params = personal_info.Params


def check(account: AccountSnapshot, params: personal_info.Params) -> list[FindingDraft]:
    """Report full ID, mobile and bank card numbers in posts, shown masked."""
    return retarget(personal_info.check(as_site(account), params), account)
