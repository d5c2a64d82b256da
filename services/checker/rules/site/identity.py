"""Rule deduct.identity (网站标识): the footer's identity items and the page tags.

Rule: the home page footer shows 主办单位, contact, 网站标识码 (equal to the filed code),
ICP备案号 and 公安机关备案号 (equal to the filed numbers when filed) and the 党政机关网站标识
badge (a link, image or script from bszs.conac.cn, or an image titled 党政机关…). Every page
carries the tags of its type — home SiteName/SiteDomain/SiteIDCode; column pages add
ColumnName/ColumnDescription/ColumnKeywords/ColumnType; article pages add ColumnName/ColumnType/
ArticleTitle/PubDate (yyyy-MM-dd HH:mm[:ss])/ContentSource — and SiteIDCode equals the filed
code. A tag problem shared by many pages (one template) is one finding listing the pages.
The 我为政府网站找错 entrance is rule deduct.error_entrance.
Indicator: 网站标识. Source: RULES.md "Identity, domains and tags"; 《政府网站发展指引》.

Labels are matched on a Simplified form of the footer (主辦單位, 網站標識碼, 粵ICP備… on a 繁體
site), and what the footer shows is quoted as served.

Page types are classified here: a page with ArticleTitle/PubDate or its own publication line
(pages.is_article_page) is an article, one with Column* tags a column, else the profile's URL
patterns decide; pages of unknown type are checked for site tags only.

Passing: footer "主办单位：某市人民政府 网站标识码：3701000001 鲁ICP备05001234号" with the badge.
Failing: <meta name="SiteIDCode" content="3701000002"> when the filed code is 3701000001.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.hosts import host_of, matches_host
from services.checker.support.pages import is_article_page
from services.checker.support.script import to_simplified

CODE = "deduct.identity"
INDICATOR = "网站标识"

ICP = re.compile(r"([\u4e00-\u9fff])\s*ICP\s*备\s*(\d+)\s*号")
PSB = re.compile(r"([\u4e00-\u9fff])\s*公网安备\s*(\d+)")
PUB_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$")
TAG = re.compile(r"<[^>]+>")
TYPE_LABELS = {"home": "首页", "column": "栏目页", "article": "文章页", "other": "页面"}


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    footer_items: dict[str, list[str]]
    site_code_label: str
    conac_hosts: list[str]
    conac_alt_keywords: list[str]
    required_tags: dict[str, list[str]]
    article_url_patterns: list[str]
    column_url_patterns: list[str]
    points_footer_item_missing: float
    points_footer_mismatch: float
    points_missing_tag: float
    points_tag_mismatch: float
    max_listed_pages: int


def _finding(message: str, locator: str, points: float, kind: str, page: Page | None,
             suggestion: str, **detail: object) -> FindingDraft:
    return FindingDraft(rule=CODE, indicator=INDICATOR, severity="deduct", message=message,
                        locator=locator, url=page.url if page else None, points=points,
                        suggestion=suggestion, screenshot=page.screenshot if page else None,
                        detail={"kind": kind, **detail})


def _page_type(page: Page, site: SiteSnapshot, params: Params) -> str:
    if page is site.home:
        return "home"
    # An article repeating its column's ColumnName is still an article (it lacks the article tags).
    if page.meta.get("ArticleTitle") or page.meta.get("PubDate") or is_article_page(page):
        return "article"
    if any(page.meta.get(tag) for tag in ("ColumnName", "ColumnType", "ColumnDescription")):
        return "column"
    if any(re.search(p, page.url) for p in params.article_url_patterns):
        return "article"
    if any(re.search(p, page.url) for p in params.column_url_patterns):
        return "column"
    return "other"


def _missing(item: str, home: Page, params: Params, hint: str = "") -> FindingDraft:
    return _finding(f"首页底部未标注{item}", f"footer|{item}", params.points_footer_item_missing,
                    "footer_missing", home, hint or f"在页面底部标注{item}", item=item)


def _mismatch(item: str, shown: str, filed: str, home: Page, params: Params) -> FindingDraft:
    return _finding(f"首页底部的{item}「{shown}」与备案的「{filed}」不一致", f"footer|{item}|mismatch",
                    params.points_footer_mismatch, "footer_mismatch", home, f"将{item}更正为 {filed}",
                    item=item, shown=shown, filed=filed)


def _has_badge(home: Page, params: Params) -> bool:
    sources = [link.url for link in home.links] + home.scripts
    if any(matches_host(host_of(url), params.conac_hosts) for url in sources):
        return True
    html = to_simplified(home.html)
    return any(re.search(rf"\b(?:alt|title)\s*=\s*[\"'][^\"']*{re.escape(k)}", html)
               for k in params.conac_alt_keywords)


def _footer(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    home = site.home
    if home is None or home.status != 200:
        return []
    target = site.target
    served = home.text or TAG.sub(" ", home.html)
    text = to_simplified(served)  # same length: offsets found in `text` cut the served words
    findings = [_missing(item, home, params) for item, labels in params.footer_items.items()
                if not any(label in text for label in labels)]
    label = params.site_code_label
    code = re.search(rf"{re.escape(label)}\s*[:：]?\s*([A-Za-z0-9]{{10}})", text)
    if code is None:
        findings.append(_missing(label, home, params, f"在页面底部标注{label}：{target.site_code}"))
    elif code.group(1) != target.site_code:
        findings.append(_mismatch(label, code.group(1), target.site_code, home, params))
    numbers = (("ICP备案号", ICP, target.icp_number), ("公安机关备案号", PSB, target.psb_number))
    for item, pattern, filed in numbers:
        shown = pattern.search(text)
        expected = pattern.search(to_simplified(filed or ""))
        if shown is None:
            findings.append(_missing(item, home, params))
        elif filed and expected and expected.groups() != shown.groups():
            findings.append(_mismatch(item, served[shown.start():shown.end()], filed, home, params))
    if not _has_badge(home, params):
        findings.append(_missing("党政机关网站标识", home, params,
                                 "在页面底部放置党政机关网站标识（由 bszs.conac.cn 提供）"))
    return findings


def _tag_finding(problem: str, kind: str, tag: str, value: str, pages: list[Page], site: SiteSnapshot,
                 params: Params) -> FindingDraft:
    where = f"{TYPE_LABELS[kind]}（{len(pages)} 个）"
    common = {"tag": tag, "page_type": kind, "pages_count": len(pages),
              "pages": [p.url for p in pages[: params.max_listed_pages]]}
    code = site.target.site_code
    if problem == "missing":
        return _finding(f"{where}缺少页面标签 {tag}", f"tag|{kind}|{tag}", params.points_missing_tag,
                        "tag_missing", pages[0], f'在页面头部添加 <meta name="{tag}" content="…">', **common)
    if problem == "mismatch":
        return _finding(f"{where}的页面标签 SiteIDCode「{value}」与备案的网站标识码 {code} 不一致",
                        f"tag|{kind}|{tag}|{value}", params.points_tag_mismatch, "tag_mismatch", pages[0],
                        f'将标签更正为 <meta name="SiteIDCode" content="{code}">',
                        shown=value, filed=code, **common)
    shown = pages[0].meta.get(tag, "")
    return _finding(f"{where}的页面标签 PubDate「{shown}」格式不符合 yyyy-MM-dd HH:mm[:ss]",
                    f"tag|{kind}|{tag}|format", params.points_tag_mismatch, "tag_format", pages[0],
                    "按 yyyy-MM-dd HH:mm:ss 格式填写 PubDate", shown=shown, **common)


def _tags(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    problems: dict[tuple[str, str, str, str], list[Page]] = {}
    for page in site.html_pages():
        kind = _page_type(page, site, params)
        for tag in params.required_tags.get(kind, []):
            value = (page.meta.get(tag) or "").strip()
            if not value:
                problems.setdefault(("missing", kind, tag, ""), []).append(page)
            elif tag == "SiteIDCode" and value != site.target.site_code:
                problems.setdefault(("mismatch", kind, tag, value), []).append(page)
            elif tag == "PubDate" and not PUB_DATE.match(value):
                problems.setdefault(("format", kind, tag, ""), []).append(page)
    return [_tag_finding(*key, pages, site, params) for key, pages in problems.items()]


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report missing or wrong footer identity items and page tags."""
    return [*_footer(site, params), *_tags(site, params)]
