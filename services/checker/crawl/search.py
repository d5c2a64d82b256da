"""Find the site's search, search for the title of one of its own articles, and count the hits.

RULES.md (deduct.search): no site-wide search, or a search that finds nothing for a title that
exists. The search is a form with a text box whose action is on the site — or on another
government host (.gov.cn / .政务), since many sites use their province's shared search
platform — or a link labelled 搜索/检索 (also in Traditional script: 搜尋/檢索) to a page with
such a form. Everything except `check_search` is pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from services.checker.crawl.crawler import in_scope
from services.checker.crawl.parse import absolute_url, decode_html, html_root, sniff_charset
from services.checker.ground.site import Page, SearchResult
from services.checker.net.fetcher import Fetcher
from services.checker.support.script import to_simplified

# Matched on the Simplified form of the label (to_simplified): 檢索 → 检索, 搜尋 → 搜寻, 查詢 → 查询.
_SEARCH_WORDS = re.compile(r"search|query|keyword|kw|sword|searchword|q\b|wd|搜索|搜寻|检索|查询",
                           re.IGNORECASE)
_LINK_LABEL = re.compile(r"搜索|搜寻|检索|站内搜|全文搜|search", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[-_|—－]\s+|_|\|")
_TEXT_INPUT_TYPES = ("", "text", "search")
MAX_QUERY_CHARS = 40  # search boxes often cap their input; a prefix of the title still matches


@dataclass
class SearchEntry:
    """A way into the site's search: a form to submit, or a link to a search page."""

    kind: str  # form / link
    url: str  # form action or link target
    method: str = "GET"
    name: str | None = None  # the text box's name
    hidden: dict[str, str] = field(default_factory=dict)
    charset: str = "utf-8"  # how the browser would encode the query


def _government_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host.endswith((".gov.cn", ".xn--zfr164b"))  # .政务 in punycode


def _on_site(url: str, domains: list[str]) -> bool:
    return in_scope(url, domains) or _government_host(url)


def _describe(el: Any, *attributes: str) -> str:
    return to_simplified(" ".join(el.get(a) or "" for a in attributes))


def find_search(html: str, page_url: str, domains: list[str], forms_only: bool = False) -> SearchEntry | None:
    """Return the most search-like form on the page, else a 搜索/检索 link (None when neither)."""
    root = html_root(html)
    if root is None:
        return None
    page_charset = sniff_charset(html[:4096].encode("utf-8", "ignore")) or "utf-8"
    best: tuple[int, SearchEntry] | None = None
    for form in root.iter("form"):
        inputs = list(form.iter("input"))
        if any((i.get("type") or "").lower() == "password" for i in inputs):
            continue  # a login form
        boxes = [i for i in inputs if (i.get("type") or "").lower() in _TEXT_INPUT_TYPES and i.get("name")]
        if not boxes:
            continue
        action = absolute_url(page_url, form.get("action") or "") or page_url.split("#")[0]
        if not _on_site(action, domains):
            continue
        search_boxes = [b for b in boxes if _SEARCH_WORDS.search(_describe(b, "name", "id", "placeholder"))]
        box = search_boxes[0] if search_boxes else boxes[0]
        score = 2 * bool(_SEARCH_WORDS.search(_describe(form, "action", "id", "name", "class")))
        score += bool(search_boxes)
        hidden = {i.get("name"): i.get("value") or "" for i in inputs
                  if (i.get("type") or "").lower() == "hidden" and i.get("name")}
        accepted = (form.get("accept-charset") or "").replace(",", " ").split()
        entry = SearchEntry(kind="form", url=action, method=(form.get("method") or "GET").upper(),
                            name=box.get("name"), hidden=hidden,
                            charset=accepted[0].lower() if accepted else page_charset)
        if best is None or score > best[0]:
            best = (score, entry)
    if best is not None or forms_only:
        return best[1] if best else None
    for a in root.iter("a"):
        label = to_simplified(" ".join((a.text_content() + " " + (a.get("title") or "")).split()))
        url = absolute_url(page_url, a.get("href") or "")
        if url and _LINK_LABEL.search(label) and _on_site(url, domains):
            return SearchEntry(kind="link", url=url)
    return None


def build_query(entry: SearchEntry, query: str) -> tuple[str, str, bytes | None]:
    """Return (method, url, body) submitting the query through a search form."""
    values = {**entry.hidden, entry.name or "q": query}
    encoding = "gb18030" if entry.charset in ("gbk", "gb2312") else entry.charset
    try:
        encoded = urlencode(values, encoding=encoding)
    except (LookupError, UnicodeEncodeError):
        encoded = urlencode(values, encoding="utf-8")
    if entry.method == "POST":
        return "POST", entry.url, encoded.encode("ascii")
    parts = urlsplit(entry.url)
    joined = f"{parts.query}&{encoded}" if parts.query else encoded
    return "GET", urlunsplit((parts.scheme, parts.netloc, parts.path, joined, "")), None


def article_title(page: Page) -> str:
    """Return the page's own title: ArticleTitle, else <title> without the site name suffix."""
    title = page.meta.get("ArticleTitle") or ""
    if not title.strip():
        title = _TITLE_SEPARATORS.split(page.title)[0] if page.title else ""
    return " ".join(title.split())


def choose_query(pages: list[Page]) -> str | None:
    """Return the title of an article the site certainly has (None when there is no article)."""
    candidates = [p for p in pages[1:] if not p.is_attachment and p.status == 200 and p.html]
    home_title = article_title(pages[0]) if pages else ""
    ordered = sorted(candidates, key=lambda p: (not p.meta.get("ArticleTitle"), -p.depth))
    for page in ordered:
        title = article_title(page)
        if len(title) >= 4 and title != home_title:
            return title[:MAX_QUERY_CHARS]
    return None


def count_hits(html: str, query: str) -> int:
    """Return how many links on a result page carry the query in their text.

    Only link texts count: result pages echo the query ("您搜索的“…”共0条"), results are links.
    """
    root = html_root(html)
    if root is None:
        return 0
    wanted = "".join(query.split())
    hits = 0
    for a in root.iter("a"):
        text = "".join((a.text_content() or a.get("title") or "").split())
        title = "".join((a.get("title") or "").split())
        shortened = text.rstrip("…. ")
        if wanted in text or wanted in title or (
                len(shortened) >= 8 and text != shortened and wanted.startswith(shortened)):
            hits += 1
    return hits


async def check_search(pages: list[Page], fetcher: Fetcher, domains: list[str]) -> SearchResult:
    """Find the search on the home page and search for an existing article's title."""
    home = pages[0] if pages else None
    if home is None or not home.html:
        return SearchResult(present=False)
    entry = find_search(home.html, home.final_url, domains)
    if entry is None:
        return SearchResult(present=False)
    if entry.kind == "link":
        landing = await fetcher.fetch(entry.url)
        form = None
        if landing.failure is None:
            form = find_search(decode_html(landing.body, landing.charset)[0], landing.final_url, domains,
                               forms_only=True)
        if form is None:
            return SearchResult(present=True, url=entry.url)
        entry = form
    query = choose_query(pages)
    if query is None:
        return SearchResult(present=True, url=entry.url)
    method, url, body = build_query(entry, query)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else None
    result = await fetcher.fetch(url, method, headers=headers, content=body)
    if result.failure is not None:
        return SearchResult(present=True, query=query, hits=0, url=url)
    html, _ = decode_html(result.body, result.charset)
    return SearchResult(present=True, query=query, hits=count_hits(html, query), url=result.final_url)
