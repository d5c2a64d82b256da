"""Rule registry.unfiled_account (瞒报漏报): government accounts a site links to that nobody filed.

Rule: every link on the site's pages to an account's profile page on a major platform (微博,
抖音, 今日头条, 快手, 哔哩哔哩, 小红书, 百家号; discovery/profiles.py) — new-media matrix pages,
footers, "关注我们" blocks — whose platform and account id match no filed account (by id or
by filed profile URL) is listed once per account, with every page it was seen on; the unit
files it (or says it is not its own). Accounts the pages only name in words — the caption of
a QR-code picture or a "关注我们" block ("微信公众号：历下发布", "扫码关注“历下文旅”抖音号";
support/account_names.py) — are listed the same way when the name matches no filed account's
name on any platform, is not one of `ignore_names` (national accounts a site shows beside its
own) and is not the text of a profile link already listed. With the registry's account list
unavailable, nothing is judged.
Indicator: 未备案政务新媒体. Source: issue #15 item 6; RULES.md "Unfiled accounts (瞒报漏报)"
(government accounts not filed with the provincial office are named; a unit's website usually
links its accounts) and "Registry compliance" (未纳入监管). Severity is a profile value (warn:
a link shows an account exists, not that it is the unit's; 自定).

Passing: a 新媒体矩阵 page linking https://weibo.com/u/5800000001, filed as weibo 5800000001.
Failing: the same page linking https://www.douyin.com/user/MS4wLjABAAAA_lixia, filed nowhere;
a footer "关注我们：微信公众号：历下文旅" when no filed account is named 历下文旅.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.finding import FindingDraft, Severity
from services.checker.ground.site import Link, Page, SiteSnapshot
from services.checker.support.account_names import NamedAccount, caption_texts, named_accounts, normalise_name
from services.checker.support.platform_links import key, profile_of

CODE = "registry.unfiled_account"
INDICATOR = "未备案政务新媒体"
PLATFORM_LABELS = {"weibo": "新浪微博", "douyin": "抖音", "toutiao": "今日头条", "kuaishou": "快手",
                   "bilibili": "哔哩哔哩", "xiaohongshu": "小红书", "baijiahao": "百家号",
                   "wechat_subscription": "微信公众号", "wechat_service": "微信服务号",
                   "wechat_channels": "微信视频号"}


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    severity: Severity
    max_listed_pages: int = Field(ge=1)
    qr_hints: list[str] = Field(min_length=1)  # in a picture's address, alt, title, class or id
    block_words: list[str] = Field(min_length=1)  # the heading of a "关注我们" block
    max_caption_chars: int = Field(ge=1)
    ignore_names: list[str]  # national accounts sites show beside their own


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """List each linked account that matches no filing, with the pages it was seen on."""
    if site.registry_accounts is None:
        return []
    seen: dict[str, tuple[str, str, list[Link]]] = {}
    for page in site.html_pages():
        for link in page.links:
            found = profile_of(link.url) if link.tag in ("a", "area") else None
            if found is None or key(*found) in site.registry_accounts:
                continue
            seen.setdefault(key(*found), (*found, []))[2].append(link)
    findings = []
    for account_key, (platform, account_id, links) in seen.items():
        first = links[0]
        pages = sorted({link.parent_url for link in links})
        label = PLATFORM_LABELS.get(platform, platform)
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity=params.severity,
            message=f"网站链接了{label}账号“{first.text or account_id}”（{account_id}），"
                    f"该账号未在政务新媒体备案中（发现于{len(pages)}个页面）",
            locator=f"unfiled_account:{account_key}", url=first.url, parent_url=first.parent_url,
            position=first.position, offending=first.text or first.url,
            suggestion="如为本单位开设的政务新媒体，请补报备案；如非本单位账号，请核实后删除链接",
            detail={"kind": "unfiled_account", "platform": platform, "platform_account_id": account_id,
                    "shown_name": first.text, "seen_on": pages[:params.max_listed_pages]}))
    if site.registry_account_names is not None:
        linked = {normalise_name(links[0].text) for _, _, links in seen.values() if links[0].text}
        findings += _named(site, params, site.registry_account_names | linked)
    return findings


def _named(site: SiteSnapshot, params: Params, known: set[str]) -> list[FindingDraft]:
    """Accounts named in QR-code captions and "关注我们" blocks that no filing names."""
    ignored = known | {normalise_name(n) for n in params.ignore_names}
    seen: dict[tuple[str, str], tuple[NamedAccount, list[Page]]] = {}
    for page in site.html_pages():
        for caption in caption_texts(page.html, params.qr_hints, params.block_words,
                                     params.max_caption_chars):
            for named in named_accounts(caption):
                name = normalise_name(named.name)
                if name in ignored:
                    continue
                pages = seen.setdefault((named.platform, name), (named, []))[1]
                if page not in pages:
                    pages.append(page)
    findings = []
    for (platform, name), (named, pages) in seen.items():
        label = PLATFORM_LABELS.get(platform, platform)
        urls = [p.url for p in pages]
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity=params.severity,
            message=f"网站展示了{label}账号“{named.name}”（二维码说明或“关注我们”栏目），"
                    f"备案中无此名称的政务新媒体（发现于{len(urls)}个页面）",
            locator=f"unfiled_account:name:{platform}:{name}", url=urls[0], parent_url=urls[0],
            offending=named.said,
            suggestion="如为本单位开设的政务新媒体，请补报备案；如非本单位账号，请核实后删除",
            detail={"kind": "unfiled_account_named", "platform": platform, "shown_name": named.name,
                    "said": named.said, "seen_on": urls[:params.max_listed_pages]}))
    return findings
