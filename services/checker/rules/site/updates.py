"""Shared helpers of the update rules: item dates, list entries and columns (栏目), read from page HTML.

Pure functions of a `SiteSnapshot`: the rules homepage_stale, columns_stale, policy_column_stale,
interaction, reply_stale and service build a `SiteView` once and ask it for items and columns.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree
from pydantic import BaseModel, ConfigDict

from services.checker.inspect.model import Page, SiteSnapshot
from services.checker.inspect.script import to_simplified
from services.checker.rules.site.domain import host_of, on_site
from shared.calendar import SHANGHAI

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


# yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd, yyyy年mm月dd日
_FULL = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
# mm-dd, as list pages print it ("[11-20]"); the lookarounds keep phone numbers and ranges out.
_SHORT = re.compile(r"(?<![\d\-/.年月])(\d{1,2})-(\d{1,2})(?![\d\-/.])")
_TIME = r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
_LABEL = re.compile(r"^(?:发布|更新|成文)?(?:日期|时间)\s*[:：]?\s*")
_BRACKETS = "[]()（）【】〔〕<>《》 \u3000\t\r\n"
_ROW_TAGS = frozenset({"li", "tr", "dl", "dd", "dt"})
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside"})
_CHROME_WORDS = re.compile(r"nav|menu|header|footer|crumb|sidebar|daohang|position|location|copyright",
                           re.I)
_CHROME_TOKENS = frozenset({"head", "foot", "top", "bottom", "side", "dh"})
_NAV_WORDS = re.compile(r"nav|menu|daohang", re.I)
# Pagination and "more" links are not list entries.
_NOT_ITEM = re.compile(r"^(更多|more|首页|上一页|下一页|上页|下页|尾页|末页|第一页|最后一页|跳转|go|\d+)$",
                       re.I)
_FIRST_PAGE = frozenset({"首页", "第一页", "第1页", "1"})
# Article addresses of the common government CMSs (TRS t20261120_123.html, 大汉 art_1_2.html, …);
# the same forms as deduct.identity's article_url_patterns in the national profile.
_ARTICLE_PATHS = tuple(re.compile(p) for p in (
    r"/t\d{8}_\d+\.s?html?$", r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",
    r"/content/post_\d+\.html$", r"/content_\d+\.s?html?$", r"/info/\d+/\d+\.htm$"))
# The publication line of an article body: 发布时间：2026-11-20, 发布日期: …, 来源：… 日期：….
_MAX_OWN_DATES = 3  # 发布时间, 更新时间 and 成文日期 of one article
_MIN_TITLE = 6  # a linked title, not 来源：<a>市政府</a> or 字号 大 中 小
_MAX_ROW_EXTRA = 40  # what a list row prints beside its title: 发布时间：2026-11-20 09:30 来源：…
_PUBLISHED = re.compile(r"(?:发布|发表|更新|成文)?(?:日期|时间)\s*[:：]\s*(?:19|20)\d{2}\s*[-/.年]")
# Nav labels are short; a longer anchor in a menu is a promotion banner, not a column.
_MAX_COLUMN_NAME = 20
_PUNCT = " \u3000\t\r\n!！。.…:：,，~～-—"
_TRAILING = re.compile(r"[\s\[(（【〔]((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
                       r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)[\])）】〕]?$")


def has_any(text: str, words: list[str]) -> bool:
    """Tell whether a text contains one of the words, written in Simplified or Traditional script."""
    simplified = to_simplified(text)
    return any(w in simplified for w in words)


def local_today(site: SiteSnapshot) -> date:
    """Return the monitoring point's calendar date in Beijing time."""
    return site.as_of.astimezone(SHANGHAI).date()


def months_before(day: date, months: int) -> date:
    """Return the same day `months` calendar months earlier (clamped to the month's end)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_months(day: date, months: int) -> date:
    """Return the same day `months` calendar months later (clamped to the month's end)."""
    return months_before(day, -months)


def _credible(day: date, today: date) -> bool:
    # A date after the monitoring point is not evidence of an update (faked dates are veto.security's).
    return date(1990, 1, 1) <= day <= today


def _full(match: re.Match[str]) -> date | None:
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _short(match: re.Match[str], today: date) -> date | None:
    month, day = int(match[1]), int(match[2])
    for year in (today.year, today.year - 1):
        try:
            found = date(year, month, day)
        except ValueError:
            continue
        # A month-day later than the monitoring point was published in the previous year.
        if found <= today:
            return found
    return None


def parse_dates(text: str, today: date) -> list[date]:
    """Return the credible dates written in a text; short mm-dd forms take their year from today."""
    found = [d for m in _FULL.finditer(text) if (d := _full(m))]
    if not found:
        found = [d for m in _SHORT.finditer(text) if (d := _short(m, today))]
    return [d for d in found if _credible(d, today)]


def standalone_date(text: str, today: date) -> date | None:
    """Return the date when a text is nothing but a date (bracketed or labelled 发布日期 at most)."""
    core = _LABEL.sub("", to_simplified(text.strip().strip(_BRACKETS))).strip(_BRACKETS)
    if (m := re.fullmatch(_FULL.pattern + _TIME, core)) and (d := _full(m)):
        return d if _credible(d, today) else None
    if m := re.fullmatch(_SHORT.pattern, core):
        return _short(m, today)
    return None


def leading_date(text: str, today: date) -> date | None:
    """Return the credible date a text starts with (after blanks and a colon), or None."""
    rest = text.lstrip(" \u3000:：")
    if (m := _FULL.match(rest)) and (d := _full(m)):
        return d if _credible(d, today) else None
    if m := _SHORT.match(rest):
        return _short(m, today)
    return None


def meta(page: Page, name: str) -> str:
    """Return a page's <meta name=…> value, matching the name without regard to case."""
    wanted = name.lower()
    return next((v.strip() for k, v in page.meta.items() if k.lower() == wanted), "")


def pub_date(page: Page, today: date) -> date | None:
    """Return the PubDate tag of an article page, when present and credible."""
    m = _FULL.search(meta(page, "PubDate"))
    day = _full(m) if m else None
    return day if day and _credible(day, today) else None


def is_article(page: Page) -> bool:
    """Tell whether a page is an article by its tags (ArticleTitle, PubDate) or its CMS address."""
    return bool(meta(page, "ArticleTitle") or meta(page, "PubDate")
                or any(p.search(urlsplit(page.final_url or page.url).path) for p in _ARTICLE_PATHS))


def is_article_page(page: Page, view: SiteView) -> bool:
    """Tell whether a page is an article: tagged or addressed as one, or a body with its own publication line.

    A page showing one to `_MAX_OWN_DATES` 发布时间/成文日期 lines that belong to no list entry is an
    article, whatever column tags it carries (articles repeat their column's ColumnName) and
    whatever related-article lists it shows; a list labelling every entry's date is no article.
    """
    if is_article(page):
        return True
    root = parse_html(page.html)
    if root is None:
        return False
    own = 0
    for node in root.xpath("//body//text()"):
        holder = node.getparent() if node.is_text else node.getparent().getparent()
        if (holder is None or holder.tag in ("script", "style")
                or not _PUBLISHED.search(to_simplified(str(node))) or in_chrome(holder)):
            continue
        own += not _in_entry(holder, page)
    return 1 <= own <= _MAX_OWN_DATES


def _in_entry(el: Any, page: Page) -> bool:
    # A date line sharing a short row (the element or two levels up: a title link, the date and
    # a label or two) with a title link is an entry's; an article body around an attachment
    # link is no row.
    base = page.final_url or page.url
    for level, anc in enumerate([el, *el.iterancestors()]):
        if level > 2 or anc.tag in ("body", "html"):
            return False
        titles = [len(t) for a in anc.iter("a")
                  if href_of(a, base) and len(t := clean(a.text_content())) >= _MIN_TITLE]
        if titles:
            return len(clean(anc.text_content())) <= max(titles) + _MAX_ROW_EXTRA
    return False


def parse_html(html: str) -> Any:
    """Parse HTML into an lxml document, or return None when there is nothing to parse."""
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except ValueError:  # a str with an XML encoding declaration
        return lxml.html.document_fromstring(html.encode("utf-8"))
    except etree.ParserError:
        return None


def normalise_url(url: str) -> str:
    """Return a URL without its fragment, scheme and host in lower case, an empty path as "/"."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def href_of(anchor: Any, base: str) -> str | None:
    """Return the absolute, normalised http(s) target of an anchor, or None."""
    href = (anchor.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    url = normalise_url(urljoin(base, href))
    return url if url.startswith(("http://", "https://")) else None


def clean(text: str) -> str:
    """Collapse whitespace in a text."""
    return " ".join(text.split())


def _tokens(el: Any) -> tuple[str, list[str]]:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    return attrs, [t.lower() for t in re.split(r"[\s_\-]+", attrs) if t]


def is_chrome(el: Any) -> bool:
    """Tell whether an element is page furniture: navigation, header, footer, breadcrumb, sidebar."""
    if not isinstance(el.tag, str) or el.tag in ("html", "body"):
        return False
    if el.tag in _CHROME_TAGS:
        return True
    attrs, tokens = _tokens(el)
    return bool(_CHROME_WORDS.search(attrs)) or any(t in _CHROME_TOKENS for t in tokens)


def in_chrome(el: Any) -> bool:
    """Tell whether an element is or lies inside page furniture."""
    return is_chrome(el) or any(is_chrome(a) for a in el.iterancestors())


def content_texts(root: Any) -> list[str]:
    """Return the non-empty text chunks of a document outside scripts, styles and page furniture."""
    chunks = []
    for node in root.xpath("//body//text()"):
        owner = node.getparent()
        holder = owner if node.is_text else owner.getparent()
        if holder is None or holder.tag in ("script", "style") or in_chrome(holder):
            continue
        if text := clean(str(node)):
            chunks.append(text)
    return chunks


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
        attrs, tokens = _tokens(el)
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
                block.tag != "nav" and not _NAV_WORDS.search(_tokens(block)[0]))
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
    return [c for c in found.values() if c.page is None or not is_article_page(c.page, view)]


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


def window_start(today: date, days: int) -> date:
    """Return the first day of a window of `days` days ending on the monitoring date."""
    return today - timedelta(days=days)


def placeholder_in(page: Page, placeholders: list[str]) -> str | None:
    """Return the placeholder (暂无信息, 正在建设中, …) a page shows as a text of its own, if any."""
    root = parse_html(page.html)
    if root is None:
        return None
    for chunk in content_texts(root):
        core = to_simplified(chunk.strip(_PUNCT))
        for placeholder in placeholders:
            # Only a short text that is the placeholder, not a sentence that happens to contain it.
            if placeholder in core and len(core) <= len(placeholder) + 6:
                return placeholder
    return None


def content_length(page: Page) -> int:
    """Return the number of characters of text a page shows outside its furniture."""
    root = parse_html(page.html)
    return sum(len(c) for c in content_texts(root)) if root is not None else 0


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
