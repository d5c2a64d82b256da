"""Rule account.unfiled_mention (瞒报漏报): an account's posts name a government account nobody filed.

Rule: a post within `window_days` names an account in words with its platform right beside the
name (公众号“历下文旅”, “历下文旅”抖音号, 微博 @历下文旅; support/account_names.py). The name is
listed, once per platform and name with every post it was seen in, when it matches no filed
account's name (Simplified script, spaces and quotes ignored, any platform), is not the account's
own name nor one of `ignore_names` (national accounts posts quote as sources), and looks like
the unit's own: it begins with the first `prefix_chars` characters of the account's name or of
its sponsor's name (历下发布 naming 历下文旅), or its clause holds one of `self_words` (我局官方抖音号
@…). A post quoting another region's or a national account (转自公众号“人民日报”) is not listed.
With the registry's account list unavailable, nothing is judged.
Indicator: 未备案政务新媒体. Source: issue #15 item 6 (accounts mentioned in posts); RULES.md
"Unfiled accounts (瞒报漏报)". Severity warn, not scored (自定: a mention shows an account
exists, not that it is the unit's).

Passing: "历下发布" posting "转自微信公众号“人民日报”"; naming "历下文旅" when it is filed.
Failing: "历下发布" posting "欢迎关注“历下文旅”抖音号" when no filed account is named 历下文旅.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.account import AccountSnapshot, post_text
from services.checker.ground.feed import Post
from services.checker.ground.finding import FindingDraft, Severity
from services.checker.rules.site.unfiled_accounts import PLATFORM_LABELS
from services.checker.support.account_names import NamedAccount, named_accounts, normalise_name

CODE = "account.unfiled_mention"
INDICATOR = "未备案政务新媒体"
_MAX_SAID = 200


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    window_days: int = Field(ge=1)
    prefix_chars: int = Field(ge=1)
    self_words: list[str]
    ignore_names: list[str]
    max_listed_posts: int = Field(ge=1)
    severity: Severity


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """List the unit's-looking accounts the recent posts name that no filing names."""
    t = account.target
    filed = account.registry_account_names
    if filed is None or account.feed.status != "ok":
        return []
    own = normalise_name(t.name)
    skip = filed | {own} | {normalise_name(n) for n in params.ignore_names}
    prefixes = {p for p in (own[:params.prefix_chars],
                            normalise_name(t.organisation_name)[:params.prefix_chars])
                if len(p) == params.prefix_chars}
    since = account.as_of - timedelta(days=params.window_days)
    seen: dict[tuple[str, str], tuple[NamedAccount, list[Post]]] = {}
    for post in account.posts:
        if not since <= post.published_at <= account.as_of:
            continue
        for named in named_accounts(post_text(post)):
            name = normalise_name(named.name)
            if name in skip or not (name.startswith(tuple(prefixes))
                                    or any(w in named.said for w in params.self_words)):
                continue
            posts = seen.setdefault((named.platform, name), (named, []))[1]
            if post not in posts:
                posts.append(post)
    findings = []
    for (platform, name), (named, posts) in seen.items():
        label = PLATFORM_LABELS.get(platform, platform)
        first = posts[0]
        where = [p.url or f"{t.code}/{p.platform_post_id}" for p in posts]
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity=params.severity,
            message=f"{t.platform_label}账号“{t.name}”发文提到{label}账号“{named.name}”，"
                    f"备案中无此名称的政务新媒体（见于{len(posts)}条信息）",
            locator=f"{CODE}:{platform}:{name}", url=first.url or t.url,
            offending=named.said[:_MAX_SAID],
            suggestion="如为本单位开设的政务新媒体，请补报备案；如非本单位账号，请说明",
            detail={"kind": "unfiled_mention", "platform": platform, "shown_name": named.name,
                    "said": named.said[:_MAX_SAID], "seen_on": where[:params.max_listed_posts]}))
    return findings
