"""Rule veto.security for accounts (严重表述错误、违法链接): serious problems in posts.

Rule: the website expression engine (rules/content/expressions.py) runs on every post read,
unchanged, with the same list and the same profile parameters; and a link in a post (its text
or the post's own URL) to a host of the profile's illegal-host list, or whose host carries one
of its illegal keywords (gambling, pornography, …), is an illegal link. Both are veto findings.
Indicator: 安全、泄密事故等严重问题. Source: RULES.md "New-media accounts" (veto: the same
security items as websites) and veto.security (serious expression errors; publishing or linking
reactionary, violent or pornographic content).

Passing: a post linking to https://www.gov.cn/zhengce/.
Failing: a post reading “详情见 https://www.bet-casino88.com/”.
"""

from __future__ import annotations

import re

from pydantic import ConfigDict

from services.checker.ground.account import AccountSnapshot, as_site, post_text
from services.checker.ground.finding import FindingDraft
from services.checker.rules.account.posts import retarget
from services.checker.rules.content import expressions
from services.checker.support.excerpt import mark
from services.checker.support.hosts import host_of, matches_host

CODE = expressions.CODE
INDICATOR = "安全、泄密事故等严重问题"

_LINK = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.I)


class Params(expressions.Params):
    model_config = ConfigDict(extra="ignore")

    account_illegal_hosts: list[str]
    account_illegal_host_keywords: list[str]


def _illegal(host: str, params: Params) -> str | None:
    if matches_host(host, params.account_illegal_hosts):
        return host
    return next((k for k in params.account_illegal_host_keywords if k in host), None)


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report wrongly written protected formulations and links to illegal sites in posts."""
    findings = retarget(expressions.check(as_site(account), params), account)
    t = account.target
    seen: set[str] = set()
    for post in account.posts:
        text = post_text(post)
        links = [(m.group().rstrip(".,;)"), m.start()) for m in _LINK.finditer(text)]
        if post.url:
            links.append((post.url, -1))
        for url, start in links:
            host = host_of(url)
            why = _illegal(host, params) if host else None
            if why is None or url in seen:
                continue
            seen.add(url)
            findings.append(FindingDraft(
                rule=CODE, indicator=INDICATOR, severity="veto",
                message=f"{t.platform_label}账号“{t.name}”发布的《{post.title or post.platform_post_id}》"
                        f"含有指向违法网站 {host} 的链接",
                locator=f"illegal_link|{post.platform_post_id}|{url}", url=post.url,
                parent_url=t.url, offending=url,
                excerpt=mark(text, start, start + len(url)) if start >= 0 else None,
                suggestion="立即删除该内容，排查账号是否被盗用",
                detail={"kind": "illegal_link", "host": host, "matched": why,
                        "post_id": post.platform_post_id}))
    return findings
