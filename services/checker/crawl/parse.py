"""Read an HTML page: charset, title, visible text, <meta> tags, links and scripts (pure).

Conventions for rules reading the result:
- Link URLs are absolute, without fragment, http(s) only; javascript:, mailto:, tel:, data:
  and other schemes are skipped, as are in-page anchors ("#top").
- Empty links (空链接) — `<a href="">`, `<a href="#">`, `<a href="javascript:void(0)">`,
  `javascript:;` — are kept as `Link(url="", tag="a")` with their text and position, so a rule
  can flag them; `<a>` without any href is a placeholder, not a link, and is ignored.
- `meta` keeps each <meta name> as written (first occurrence wins); when a national tag
  (SiteIDCode, ArticleTitle, …) is written in another case, it is also stored under the
  national spelling, so `meta.get("SiteIDCode")` finds `<meta name="siteidcode">`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from services.checker.crawl.cascade import Styles
from services.checker.crawl.css import media_applies, parse_sheet
from services.checker.crawl.styles import hidden_by
from services.checker.ground.site import Link

# Page tags of the national specification (RULES.md, Identity: Page tags).
NATIONAL_META = (
    "SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType", "ColumnDescription",
    "ColumnKeywords", "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author",
    "Description", "Image", "Url",
)
_NATIONAL_BY_LOWER = {name.lower(): name for name in NATIONAL_META}

_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "svg", "object"})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead",
    "tfoot", "tr", "ul", "title", "option",
})
_CELLS = frozenset({"td", "th"})
_EMPTY_HREF = re.compile(r"^(#?|javascript:\s*(void\s*\(?\s*0\s*\)?)?\s*;?)$", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_GB_FAMILY = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "csgb2312", "euc-cn", "cp936", "gb18030"}
_SPACES = re.compile(r"[^\S\n]+")
# Source line breaks are spaces in HTML; only block boundaries become lines of text.
_WHITESPACE = re.compile(r"\s+")
_PARSER = lxml.html.HTMLParser(encoding="utf-8")
_CLASS_OK = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass
class ParsedPage:
    """What the crawler and the rules need from one HTML document."""

    title: str
    text: str
    meta: dict[str, str]
    links: list[Link]
    scripts: list[str]
    refresh_url: str | None = None  # target of <meta http-equiv="refresh">


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    # GBK and GB2312 pages are decoded as GB18030, their superset, so rare characters survive.
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def sniff_charset(body: bytes, header_charset: str | None = None) -> str | None:
    """Return the charset declared by BOM, HTTP header or <meta>, in that order (None if none)."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    declared = _codec(header_charset)
    if declared:
        return declared
    match = _META_CHARSET.search(body[:4096])
    return _codec(match.group(1).decode("ascii", "ignore")) if match else None


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Decode a page body; return (text, charset used).

    Bytes that are valid UTF-8 are read as UTF-8 whatever is declared: many government sites
    declare GB2312 and serve UTF-8 (or the reverse), and GBK text is practically never valid
    UTF-8 by chance. Otherwise the declared charset, then GB18030, then the declared one with
    replacement characters.
    """
    declared = sniff_charset(body, header_charset)
    if declared in ("utf-8-sig", "utf-16"):
        return body.decode(declared, errors="replace"), declared
    for candidate in dict.fromkeys(c for c in ("utf-8", declared, "gb18030") if c):
        try:
            return body.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    fallback = declared or "gb18030"
    return body.decode(fallback, errors="replace"), fallback


def _squash(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=16_384)
def _clean_url(url: str) -> str | None:
    """Return the absolute http(s) URL without fragment, or None for other schemes.

    Cached: a site's navigation and footer repeat the same links on every page.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


_CONTROL_IN_URL = re.compile(r"[\t\n\r]")


def absolute_url(base: str, href: str) -> str | None:
    """Resolve an href against a base URL (None when it is not a fetchable http(s) link)."""
    if "\t" in href or "\n" in href or "\r" in href:
        href = _CONTROL_IN_URL.sub("", href)
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        joined = urljoin(base, href)
    except ValueError:
        return None
    return _clean_url(joined)


def _step(el: lxml.html.HtmlElement, same_tag: list[lxml.html.HtmlElement] | None = None) -> tuple[str, bool]:
    """One CSS selector step for an element, and whether it is unique in the page (an id).

    `same_tag`: the element's siblings of its tag (itself included), when the caller has them.
    """
    tag = el.tag
    ident = (el.get("id") or "").strip()
    if ident and _CLASS_OK.match(ident):
        return f"{tag}#{ident}", True
    step = tag
    classes = [c for c in (el.get("class") or "").split() if _CLASS_OK.match(c)]
    if same_tag is None:
        parent = el.getparent()
        same_tag = [c for c in parent if c.tag == tag] if parent is not None else [el]
    siblings = same = same_tag
    if classes:
        step += "." + classes[0]
        # "div.footer" reads better than "div.footer:nth-of-type(2)" when the class is enough.
        same = [c for c in same if classes[0] in (c.get("class") or "").split()]
    if len(same) > 1:
        step += f":nth-of-type({siblings.index(el) + 1})"
    return step, False


def css_path(el: lxml.html.HtmlElement) -> str:
    """Return a CSS selector a person can find the element by, e.g. "body > div.footer > a"."""
    return _Paths()(el)


class _Paths:
    """css_path of many elements of one document: the path of a shared ancestor (a list of links,
    the navigation) and the siblings of a parent are worked out once, not once per link."""

    def __init__(self) -> None:
        self._paths: dict[lxml.html.HtmlElement, str] = {}
        self._by_tag: dict[lxml.html.HtmlElement, dict[str, list[lxml.html.HtmlElement]]] = {}

    def _same_tag(self, el: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
        parent = el.getparent()
        if parent is None:
            return [el]
        groups = self._by_tag.get(parent)
        if groups is None:
            groups = self._by_tag[parent] = {}
            for child in parent:
                groups.setdefault(child.tag, []).append(child)
        return groups[el.tag]

    def __call__(self, el: lxml.html.HtmlElement) -> str:
        # Up to the nearest element whose path is known (or the body, or an id), then down again.
        chain: list[tuple[lxml.html.HtmlElement, str]] = []
        node: lxml.html.HtmlElement | None = el
        prefix = "body"
        while node is not None and isinstance(node.tag, str) and node.tag not in ("body", "html"):
            known = self._paths.get(node)
            if known is not None:
                prefix = known
                break
            step, unique = _step(node, self._same_tag(node))
            if unique:
                self._paths[node] = prefix = step
                break
            chain.append((node, step))
            node = node.getparent()
        for node, step in reversed(chain):
            prefix = self._paths[node] = f"{prefix} > {step}"
        return prefix


def _visible_text(root: lxml.html.HtmlElement) -> str:
    body = root.find("body")
    start = body if body is not None else root
    chunks: list[str] = []
    walker = lxml.etree.iterwalk(start, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else None
        if event in ("comment", "pi"):
            if el.tail:  # the comment itself is not shown, the text after it is
                chunks.append(_WHITESPACE.sub(" ", el.tail))
        elif event == "start":
            if tag in _SKIPPED:
                walker.skip_subtree()
                continue
            if tag in _BLOCK:
                chunks.append("\n")
            elif tag in _CELLS:
                chunks.append(" ")  # keeps 姓名 and 张三 in neighbouring cells apart
            if el.text:
                chunks.append(_WHITESPACE.sub(" ", el.text))
        else:
            if tag in _BLOCK:
                chunks.append("\n")
            elif tag in _CELLS:
                chunks.append(" ")
            if el is not start and el.tail:
                chunks.append(_WHITESPACE.sub(" ", el.tail))
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(chunks).split("\n"))
    return "\n".join(line for line in lines if line)


def _link_text(el: lxml.html.HtmlElement) -> str:
    text = _squash(el.text_content()) if el.tag in ("a", "area") else ""
    if not text:
        img = el if el.tag == "img" else el.find(".//img")
        if img is not None:
            text = _squash(img.get("alt") or "")
    return (text or _squash(el.get("title") or el.get("alt") or ""))[:200]


def _meta(root: lxml.html.HtmlElement) -> tuple[dict[str, str], str | None]:
    meta: dict[str, str] = {}
    refresh: str | None = None
    for el in root.iter("meta"):
        name = (el.get("name") or "").strip()
        content = el.get("content")
        if name and content is not None and name not in meta:
            meta[name] = content.strip()
        if (el.get("http-equiv") or "").strip().lower() == "refresh" and content and refresh is None:
            match = re.search(r"url\s*=\s*['\"]?([^'\";]+)", content, re.IGNORECASE)
            refresh = match.group(1).strip() if match else None
    for name in list(meta):
        national = _NATIONAL_BY_LOWER.get(name.lower())
        if national and national not in meta:
            meta[national] = meta[name]
    return meta, refresh


_SOURCES = {"a": "href", "area": "href", "img": "src", "iframe": "src", "frame": "src", "embed": "src"}
_JUDGED = frozenset({"a", "area", "iframe", "frame"})  # what a dark link can be


def _styles(root: lxml.html.HtmlElement, base: str, stylesheets: Mapping[str, str]) -> Styles:
    """The page's cascade: its <style> blocks and those of its linked stylesheets we were given."""
    sheets = []
    for el in root.iter("style", "link"):
        if not media_applies(el.get("media") or ""):
            continue
        if el.tag == "style":
            sheets.append(parse_sheet(el.text_content()))
        elif "stylesheet" in (el.get("rel") or "").lower():
            url = absolute_url(base, el.get("href") or "")
            if url and url in stylesheets:
                sheets.append(parse_sheet(stylesheets[url]))
    return Styles(root, sheets)


class _Hiding:
    """Static verdicts for the links to other hosts (a link to the page's own host is no dark link)."""

    def __init__(self, root: lxml.html.HtmlElement, base: str, page_url: str,
                 stylesheets: Mapping[str, str]) -> None:
        self.root, self.base, self.stylesheets = root, base, stylesheets
        self.own = {urlsplit(base).hostname, urlsplit(page_url).hostname}
        self._styles: Styles | None = None

    def __call__(self, el: lxml.html.HtmlElement, url: str) -> str | None:
        if el.tag not in _JUDGED or urlsplit(url).hostname in self.own:
            return None
        if self._styles is None:
            self._styles = _styles(self.root, self.base, self.stylesheets)
        return hidden_by(self._styles, el)


def _links(root: lxml.html.HtmlElement, base: str, page_url: str, hiding: _Hiding) -> list[Link]:
    links: list[Link] = []
    css_path = _Paths()
    for el in root.iter(*_SOURCES, "link"):
        tag = el.tag
        if tag == "link":
            if "stylesheet" not in (el.get("rel") or "").lower():
                continue
            href = el.get("href")
        elif tag == "img":
            href = el.get("src") or el.get("data-src") or el.get("data-original")
        else:
            href = el.get(_SOURCES[tag])
        if href is None:
            continue
        if tag in ("a", "area") and _EMPTY_HREF.match(href.strip()):
            links.append(Link(url="", parent_url=page_url, tag="a", text=_link_text(el),
                              position=css_path(el)))
            continue
        url = absolute_url(base, href)
        if url is None:
            continue
        hidden = hiding(el, url)
        links.append(Link(url=url, parent_url=page_url, tag=tag, text=_link_text(el), position=css_path(el),
                          visible=False if hidden else None, hidden_by=hidden))
    return links


def html_root(html: str) -> lxml.html.HtmlElement | None:
    """Parse decoded HTML into an lxml tree (None for an empty or unparseable document)."""
    if not html.strip():
        return None
    try:
        # Bytes with a fixed encoding: lxml refuses str input that carries an XML declaration.
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


def parse_html(html: str, page_url: str, base_url: str | None = None, *,
               stylesheets: Mapping[str, str] | None = None) -> ParsedPage:
    """Parse a decoded HTML document found at page_url.

    Relative links resolve against base_url (the URL after redirects; default page_url) or the
    document's <base href>; links name page_url as their parent. A link to another host that
    the page's CSS hides (inline styles, <style> blocks, and the linked `stylesheets` given as
    URL → text) comes back with visible=False and how it is hidden (crawl/styles.py); other
    links are left unjudged (visible None) for the browser.
    """
    root = html_root(html)
    if root is None:
        return ParsedPage(title="", text="", meta={}, links=[], scripts=[])
    base = base_url or page_url
    base_el = root.find(".//base[@href]")
    if base_el is not None:
        base = absolute_url(base, base_el.get("href") or "") or base
    title_el = root.find(".//title")
    meta, refresh = _meta(root)
    scripts = [u for el in root.iter("script") if el.get("src")
               if (u := absolute_url(base, el.get("src") or ""))]
    return ParsedPage(
        title=_squash(title_el.text_content()) if title_el is not None else "",
        text=_visible_text(root),
        meta=meta,
        links=_links(root, base, page_url, _Hiding(root, base, page_url, stylesheets or {})),
        scripts=scripts,
        refresh_url=absolute_url(base, refresh) if refresh else None,
    )
