"""Shared helpers of the update rules: list entries and columns (栏目), read from page HTML.

Pure functions of a `SiteSnapshot`: the rules homepage_stale, columns_stale, policy_column_stale,
interaction, reply_stale and service build a `SiteView` once and ask it for items and columns.
Dates are read by dates.py; parsed HTML, page furniture and article pages are pages.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.dates import local_today, parse_dates, standalone_date
from services.checker.support.hosts import host_of, on_site
from services.checker.support.pages import (
    class_tokens,
    clean,
    href_of,
    in_chrome,
    is_article,
    is_article_page,
    meta,
    normalise_url,
    parse_html,
    pub_date,
)
from services.checker.support.script import to_simplified

ColumnKind = Literal["dynamic", "notice", "policy", "other"]
KIND_LABELS: dict[str, str] = {"dynamic": "动态要闻类", "notice": "通知公告类", "policy": "政策文件类",
                               "other": "其他"}


class ColumnKeywords(BaseModel):
    """Name fragments that classify a column; checked in the order notice, policy, dynamic."""

    model_config = ConfigDict(extra="ignore")

    dynamic: list[str]
    notice: list[str]
    policy: list[str]
    excluded: list[str]  # e.g. 解读: 政策解读 is neither a policy-document nor a news column


_ROW_TAGS = frozenset({"li", "tr", "dl", "dd", "dt"})
_NAV_WORDS = re.compile(r"nav|menu|daohang", re.I)
# Pagination and "more" links are not list entries.
_NOT_ITEM = re.compile(r"^(更多|more|首页|上一页|下一页|上页|下页|尾页|末页|第一页|最后一页|跳转|go|\d+)$",
                       re.I)
_FIRST_PAGE = frozenset({"首页", "第一页", "第1页", "1"})
# Nav labels are short; a longer anchor in a menu is a promotion banner, not a column.
_MAX_COLUMN_NAME = 20
_TRAILING = re.compile(r"[\s\[(（【〔]((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
                       r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)[\])）】〕]?$")


@dataclass(frozen=True)
class Item:
    """A list entry: a linked title and its publication date (None when undated)."""

    title: str
    url: str
    on: date | None


@dataclass
class Column:
    """A column (栏目) of the site: its name, list page and where it sits."""

    name: str
    url: str
    column_type: str
    top_level: bool
    page: Page | None


@dataclass
class SiteView:
    """The snapshot indexed for the update rules: pages by URL, the columns, the local date."""

    site: SiteSnapshot
    today: date
    home_url: str
    home_urls: set[str]  # the requested and the final address of the home page
    pages: dict[str, Page]
    columns: list[Column]

    def page(self, url: str) -> Page | None:
        """Return the fetched HTML page at a URL (by its requested or final address)."""
        return self.pages.get(normalise_url(url))

    def on_site(self, url: str) -> bool:
        """Tell whether a URL belongs to the inspected site."""
        host = host_of(url)
        return bool(host) and (on_site(host, self.site.target.domains) or host == host_of(self.home_url))


def view_site(site: SiteSnapshot) -> SiteView:
    """Index a snapshot: HTML pages by URL, columns from navigation and column tags."""
    pages: dict[str, Page] = {}
    for page in site.html_pages():
        for url in (page.url, page.final_url):
            if url:
                pages.setdefault(normalise_url(url), page)
    home = site.home
    home_url = normalise_url(home.final_url or home.url) if home else normalise_url(site.target.home_url)
    home_urls = {home_url, normalise_url(site.target.home_url), *([normalise_url(home.url)] if home else [])}
    view = SiteView(site=site, today=local_today(site), home_url=home_url, home_urls=home_urls, pages=pages,
                    columns=[])
    view.columns = _discover_columns(view)
    return view


def _nav_blocks(root: Any) -> list[Any]:
    blocks: list[Any] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        attrs, tokens = class_tokens(el)
        navish = el.tag in ("nav", "header") or bool(_NAV_WORDS.search(attrs)) or "dh" in tokens \
            or "header" in attrs.lower()
        if navish and not any(b in el.iterancestors() for b in blocks):
            blocks.append(el)
    return blocks


def _li_levels(anchor: Any, block: Any) -> int:
    # 1 for a first-level menu entry, 2 for an entry of its drop-down, …
    levels = 0
    for anc in anchor.iterancestors():
        if anc is block:
            break
        levels += anc.tag == "li"
    return levels


def _discover_columns(view: SiteView) -> list[Column]:
    found: dict[str, Column] = {}
    home = view.site.home
    sources = [p for p in view.site.html_pages() if p.depth <= 1]
    for page in sources:
        root = parse_html(page.html)
        if root is None:
            continue
        base = page.final_url or page.url
        for block in _nav_blocks(root):
            # A header block also holds logos and toolbars: only its list entries are columns.
            is_header = block.tag == "header" or (
                block.tag != "nav" and not _NAV_WORDS.search(class_tokens(block)[0]))
            for anchor in block.iter("a"):
                url, name = href_of(anchor, base), clean(anchor.text_content())
                levels = _li_levels(anchor, block)
                if (not url or url in view.home_urls or not view.on_site(url) or not name
                        or len(name) > _MAX_COLUMN_NAME or _NOT_ITEM.match(to_simplified(name))
                        or (is_header and not levels)):
                    continue
                top = page is home and levels <= 1
                if url in found:
                    found[url].top_level |= top
                else:
                    found[url] = Column(name, url, "", top, view.page(url))
    for page in view.site.html_pages():
        name, url = meta(page, "ColumnName"), normalise_url(page.url)
        if not name or is_article(page) or url in view.home_urls:
            continue
        column = found.setdefault(url, Column(name, url, "", page.depth <= 1, page))
        column.column_type = meta(page, "ColumnType")
        column.top_level |= page.depth <= 1
    # A column is a list page: a menu entry or a ColumnName tag leading to an article is no column.
    return [c for c in found.values() if c.page is None or not is_article_page(c.page)]


def _classify_text(text: str, keywords: ColumnKeywords) -> ColumnKind:
    text = to_simplified(text)  # 政策解讀, 通知公告 on a 繁體 site match the Simplified keywords
    if not text or any(w in text for w in keywords.excluded):
        return "other"
    if any(w in text for w in keywords.notice):
        return "notice"
    if any(w in text for w in keywords.policy):
        return "policy"
    if any(w in text for w in keywords.dynamic):
        return "dynamic"
    return "other"


def classify(column: Column, keywords: ColumnKeywords) -> ColumnKind:
    """Classify a column by its name, then by its ColumnType tag."""
    kind = _classify_text(column.name, keywords)
    return kind if kind != "other" else _classify_text(column.column_type, keywords)


def _row_of(anchor: Any, url: str, base: str) -> Any:
    row = anchor
    for level, anc in enumerate(anchor.iterancestors()):
        if level >= 3 or anc.tag in ("html", "body"):
            break
        # Grow the row until it would take in another entry's link.
        if {u for a in anc.iter("a") if (u := href_of(a, base))} - {url}:
            break
        row = anc
        if anc.tag in ("li", "tr", "dl"):
            break
    return row


def _title_date(text: str, today: date) -> date | None:
    # A date printed on its own inside the link, or closing the title after a blank or a bracket
    # ("关于…的通知 [2026-11-20]"); a date inside the title's words ("关于2026年…") is not one.
    if day := standalone_date(text, today):
        return day
    if (m := _TRAILING.search(text.strip())) and (day := standalone_date(m[1], today)):
        return day
    return None


def _without_date(text: str, today: date) -> str:
    if standalone_date(text, today):
        return ""
    m = _TRAILING.search(text.strip())
    return text.strip()[: m.start()] if m and standalone_date(m[1], today) else text


def _row_date(row: Any, anchor: Any, today: date) -> date | None:
    found: list[date] = []
    for node in row.xpath(".//text()"):
        owner = node.getparent()
        holder = owner if node.is_text else owner.getparent()
        if holder is None or holder.tag in ("script", "style"):
            continue
        inside = holder is anchor or anchor in holder.iterancestors()
        if inside:
            if day := _title_date(str(node), today):
                found.append(day)
        else:
            found.extend(parse_dates(str(node), today))
    # A row may print several dates (成文日期 and 发布日期 of a policy file): the entry was
    # published on the latest of them, never before it was written.
    return max(found) if found else None


def page_items(page: Page, view: SiteView) -> list[Item]:
    """Return the list entries of a page's content (outside navigation), each with its date.

    The date is the one printed next to the link; failing that, the linked article's PubDate tag.
    Undated links count as entries only inside list rows (li, tr, dl).
    """
    root = parse_html(page.html)
    if root is None:
        return []
    base = page.final_url or page.url
    skip = {normalise_url(page.url), normalise_url(base), *view.home_urls} | {c.url for c in view.columns}
    items: dict[str, Item] = {}
    for anchor in root.iter("a"):
        url = href_of(anchor, base)
        # The title without a date printed inside the link.
        title = clean(" ".join(_without_date(t, view.today) for t in anchor.itertext())) \
            or clean(anchor.get("title") or "")
        if (not url or url in skip or url in items or not title
                or _NOT_ITEM.match(to_simplified(title.strip("<>»« ")))):
            continue
        if in_chrome(anchor):
            continue
        on = _row_date(_row_of(anchor, url, base), anchor, view.today)
        if on is None and (target := view.page(url)) is not None:
            on = pub_date(target, view.today)
        in_row = any(a.tag in _ROW_TAGS for a, _ in zip(anchor.iterancestors(), range(3), strict=False))
        if on is not None or in_row:
            items[url] = Item(title, url, on)
    return list(items.values())


def column_items(column: Column, view: SiteView) -> list[Item]:
    """Return a column's entries: its list page and, when separate, the first page of its pagination."""
    if column.page is None:
        return []
    items = {i.url: i for i in page_items(column.page, view)}
    root = parse_html(column.page.html)
    base = column.page.final_url or column.page.url
    folder = urlsplit(column.url).path.rsplit("/", 1)[0]
    for anchor in root.iter("a") if root is not None else []:
        url = href_of(anchor, base)
        if (not url or url == column.url or url in view.home_urls
                or to_simplified(clean(anchor.text_content())) not in _FIRST_PAGE
                or not urlsplit(url).path.startswith(folder)):
            continue
        if (first := view.page(url)) is not None:
            for item in page_items(first, view):
                items.setdefault(item.url, item)
    return list(items.values())


def newest(items: list[Item]) -> Item | None:
    """Return the most recent dated item, or None when no item has a date."""
    dated = [i for i in items if i.on is not None]
    return max(dated, key=lambda i: i.on or date.min) if dated else None


def updated_since(items: list[Item], since: date) -> bool:
    """Tell whether any item is dated on or after a day."""
    return any(i.on is not None and i.on >= since for i in items)



@dataclass
class ColumnState:
    """A column whose list page was fetched: its kind, entries and newest dated entry."""

    column: Column
    kind: ColumnKind
    items: list[Item]
    latest: Item | None

    def updated_since(self, since: date) -> bool:
        """Tell whether the column has an entry dated on or after a day."""
        return self.latest is not None and self.latest.on is not None and self.latest.on >= since


def column_states(view: SiteView, keywords: ColumnKeywords) -> list[ColumnState]:
    """Return every column whose list page was fetched, classified, with its entries."""
    states = []
    for column in view.columns:
        if column.page is not None:
            items = column_items(column, view)
            states.append(ColumnState(column, classify(column, keywords), items, newest(items)))
    return states


def latest_phrase(latest: Item | None, today: date) -> str:
    """Say in Chinese when the newest entry was published and how long before the monitoring point."""
    if latest is None or latest.on is None:
        return "未找到标注发布日期的信息（无日期的信息视为未更新）"
    return (f"最近一条信息发布于{latest.on.isoformat()}，距监测时点（{today.isoformat()}）"
            f"已{(today - latest.on).days}天")
