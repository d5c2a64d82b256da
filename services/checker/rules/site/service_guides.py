"""Rule veto.service (服务不实用): the site offers services, and its service guides are complete.

Rule: veto when a target that provides public services (`target.provides_services`) has no
办事服务 at all — no page or column named, and no working link labelled, by `service_keywords`;
or when at least `min_deficient_guides` service guides (办事指南: article pages titled or filed
under `guide_keywords`) each miss at least `min_missing_elements` of the key elements 事项名称,
设定依据, 申请条件, 办理材料, 办理地点, 办理时间, 联系电话, 办理流程. An element is present when
one of its labels (`elements`, synonyms included) is followed by a value that is not an
`empty_values` placeholder. Each deficient guide is also reported as a warning.
Keywords and labels match on a Simplified form of the text (辦事服務 on a 繁體 site).
Indicator: 服务不实用. Source: 国办秘函〔2019〕19号 单项否决指标; RULES.md "Website veto items"
(the guide threshold is unconfirmed and lives in the profile).

Passing: a 政务服务 link on the home page and guides listing all eight elements.
Failing: five guides showing only 事项名称, 办理地点 and 联系电话.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.columns import SiteView, view_site
from services.checker.support.hosts import host_of
from services.checker.support.pages import (
    clean,
    content_texts,
    has_any,
    href_of,
    is_article,
    meta,
    normalise_url,
    parse_html,
)
from services.checker.support.script import to_simplified

CODE = "veto.service"
INDICATOR = "服务不实用"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    service_keywords: list[str]
    guide_keywords: list[str]
    elements: dict[str, list[str]]
    empty_values: list[str]
    min_deficient_guides: int
    min_missing_elements: int


def _has_service(site: SiteSnapshot, view: SiteView, params: Params) -> bool:
    words = params.service_keywords + params.guide_keywords
    for page in site.html_pages():
        if has_any(meta(page, "ColumnName") + " " + page.title, words):
            return True
    if any(has_any(c.name, words) for c in view.columns):
        return True
    for page in site.html_pages():
        root = parse_html(page.html)
        for anchor in root.iter("a") if root is not None else []:
            url = href_of(anchor, page.final_url or page.url)
            status = site.link_status.get(url or "")
            if url and has_any(clean(anchor.text_content()), words) and not (status and status.broken):
                return True
    return False


def _is_guide(page: Page, view: SiteView, params: Params) -> bool:
    if normalise_url(page.url) in {c.url for c in view.columns}:
        return False
    title = meta(page, "ArticleTitle") or page.title
    return has_any(title, params.guide_keywords) or (is_article(page) and has_any(meta(page, "ColumnName"),
                                                                             params.guide_keywords))


def missing_elements(root: Any, params: Params) -> list[str]:
    """Return the key elements a guide does not state (label absent, or followed by no value)."""
    chunks = [to_simplified(c) for c in content_texts(root)]  # 辦理材料 on a 繁體 site
    labels = [s for synonyms in params.elements.values() for s in synonyms]
    missing = []
    for element, synonyms in params.elements.items():
        found = False
        for i, chunk in enumerate(chunks):
            for synonym in (s for s in synonyms if s in chunk):
                rest = chunk[chunk.index(synonym) + len(synonym):].strip(" :：\u3000")
                # A label in its own table cell or line: the value is the next text.
                if not rest and i + 1 < len(chunks):
                    rest = chunks[i + 1].strip(" :：\u3000")
                if rest and rest not in params.empty_values and not any(rest.startswith(s) for s in labels):
                    found = True
        if not found:
            missing.append(element)
    return missing


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report a site without 办事服务, and service guides missing key elements."""
    if site.home is None or site.home.status != 200:
        return []
    view = view_site(site)
    host = host_of(view.home_url)
    findings = []
    if site.target.provides_services and not _has_service(site, view, params):
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="veto",
            message="网站未提供办事服务（未发现办事服务、政务服务或办事指南栏目及链接）",
            locator=f"{CODE}|{host}|no_service", url=site.home.url,
            suggestion="请开设办事服务栏目，或链接到本地区政务服务平台的对应办事入口",
            detail={"condition": "no_service", "keywords": params.service_keywords}))
    deficient = []
    for page in site.html_pages():
        root = parse_html(page.html) if _is_guide(page, view, params) else None
        if root is None:
            continue
        missing = missing_elements(root, params)
        # Without article tags, a page naming no element at all is a list or landing page, not a guide.
        if not is_article(page) and len(missing) == len(params.elements):
            continue
        if len(missing) >= params.min_missing_elements:
            deficient.append((page, meta(page, "ArticleTitle") or clean(page.title), missing))
    if len(deficient) >= params.min_deficient_guides:
        page, title, missing = deficient[0]
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="veto",
            message=(f"有{len(deficient)}个办事指南各缺少{params.min_missing_elements}项及以上关键要素"
                     f"（达到{params.min_deficient_guides}个即单项否决），如“{title}”缺少{'、'.join(missing)}"),
            locator=f"{CODE}|{host}|guides", url=site.home.url,
            suggestion="请按办事指南要素补全事项名称、设定依据、申请条件、办理材料、办理地点、办理时间、联系电话和办理流程",
            detail={"condition": "guides", "threshold": params.min_deficient_guides, "guides": [
                {"title": t, "url": p.url, "missing": m} for p, t, m in deficient]}))
    for page, title, missing in deficient:
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="warn",
            message=f"办事指南“{title}”缺少{len(missing)}项关键要素：{'、'.join(missing)}",
            locator=normalise_url(page.url), url=page.url, parent_url=page.parent_url,
            suggestion=f"请补全{'、'.join(missing)}", detail={"title": title, "missing": missing}))
    return findings
