"""Rule content.external_link (外链变质): external links whose site now serves gambling, porn or parking.

Rule: for each off-site link whose target the crawler fetched, the target's title and text are
matched against the profile's keyword categories; a category matches when at least its
`min_hits` distinct keywords occur (two for gambling and porn, so that a news item about a
crackdown on gambling does not match; one for the unambiguous parking phrases). A match is a
warn: a person confirms it and the unit removes the link.
Indicator: 外链变质. Source: RULES.md "Content checks".

Input: `site.external_pages`, what the pipeline fetched of the off-site link targets
(crawl.external.fetch_external_pages: each distinct target once, within a budget), keyed by the
link URL exactly as in `Link.url`. A target that was not fetched, or failed, is not judged.

Passing: a link to www.xinhuanet.com whose title is 新华网.
Failing: a link to www.old-partner.com whose page now reads 百家乐 真人娱乐 注册送彩金.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import ExternalPage, SiteSnapshot
from services.checker.support.hosts import host_of, on_site
from services.checker.support.script import to_simplified

CODE = "content.external_link"
INDICATOR = "外链变质"


class Category(BaseModel):
    model_config = ConfigDict(extra="ignore")

    label: str
    keywords: list[str]
    min_hits: int


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    link_tags: list[str]
    categories: dict[str, Category]


def _judge(fetched: ExternalPage, params: Params) -> tuple[str, Category, list[str]] | None:
    """Return the first matching category with the keywords that matched, or None."""
    # Gambling pages are often written in Traditional script (娛樂城, 百家樂).
    body = to_simplified(f"{fetched.title}\n{fetched.text}").lower()
    for name, category in params.categories.items():
        hits = [k for k in dict.fromkeys(category.keywords) if k.lower() in body]
        if len(hits) >= category.min_hits:
            return name, category, hits
    return None


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report external links whose target page now reads like gambling, porn or a parked domain."""
    external = site.external_pages
    if not external:
        return []
    findings: list[FindingDraft] = []
    judged: set[str] = set()
    for page in site.html_pages():
        for link in page.links:
            if link.tag not in params.link_tags or link.url in judged or link.url not in external:
                continue
            host = host_of(link.url)
            if not host or on_site(host, site.target.domains):
                continue
            judged.add(link.url)
            fetched = external[link.url]
            if fetched.failure is not None:
                continue
            verdict = _judge(fetched, params)
            if verdict is None:
                continue
            name, category, hits = verdict
            findings.append(FindingDraft(
                rule=CODE, indicator=INDICATOR, severity="warn",
                message=f"外部链接「{link.text or link.url}」指向的 {host} "
                        f"现为{category.label}页面，疑似外链变质",
                locator=f"{link.url}", url=link.url, parent_url=page.url, position=link.position,
                excerpt=link.text, offending=fetched.title or None,
                suggestion="核实后删除或更正该外部链接，并定期检查外链", element_rect=link.rect,
                detail={"kind": "external_link", "category": name, "keywords": hits,
                        "title": fetched.title, "final_url": fetched.final_url}))
    return findings
