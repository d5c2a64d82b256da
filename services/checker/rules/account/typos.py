"""Rule content.typo on accounts (错别字): the website typo engine, run on posts.

Rule: exactly rules/content/typos.py, with the same dictionary (shipped and managed entries) and
the same profile block, on the title, text and the account's own replies of every post read;
each finding names the post. Indicator: 错别字. Source: RULES.md content checks ("all pages and
posts").

Passing: "各部门要按部就班推进工作"。
Failing: "各部门要按步就班推进工作" in a post — 按步就班 should be 按部就班.
"""

from __future__ import annotations

from services.checker.ground.account import AccountSnapshot, as_site
from services.checker.ground.finding import FindingDraft
from services.checker.rules.account.posts import retarget
from services.checker.rules.content import typos

CODE = typos.CODE
INDICATOR = typos.INDICATOR
Params = typos.Params


def check(account: AccountSnapshot, params: typos.Params) -> list[FindingDraft]:
    """Report dictionary typos in posts with their context and correction."""
    return retarget(typos.check(as_site(account), params), account)
