"""Reading government pages: parsed HTML, links, page furniture, tags, and whether a page is an article."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from services.checker.ground.site import Page
from services.checker.support.dates import first_full_date
from services.checker.support.script import to_simplified

_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside"})
_CHROME_WORDS = re.compile(r"nav|menu|header|footer|crumb|sidebar|daohang|position|location|copyright",
                           re.I)
_CHROME_TOKENS = frozenset({"head", "foot", "top", "bottom", "side", "dh"})
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
_PUNCT = " \u3000\t\r\n!！。.…:：,，~～-—"


def has_any(text: str, words: list[str]) -> bool:
    """Tell whether a text contains one of the words, written in Simplified or Traditional script."""
    simplified = to_simplified(text)
    return any(w in simplified for w in words)


def meta(page: Page, name: str) -> str:
    """Return a page's <meta name=…> value, matching the name without regard to case."""
    wanted = name.lower()
    return next((v.strip() for k, v in page.meta.items() if k.lower() == wanted), "")


def pub_date(page: Page, today: date) -> date | None:
    """Return the PubDate tag of an article page, when present and credible."""
    return first_full_date(meta(page, "PubDate"), today)


def is_article(page: Page) -> bool:
    """Tell whether a page is an article by its tags (ArticleTitle, PubDate) or its CMS address."""
    return bool(meta(page, "ArticleTitle") or meta(page, "PubDate")
                or any(p.search(urlsplit(page.final_url or page.url).path) for p in _ARTICLE_PATHS))


def is_article_page(page: Page) -> bool:
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


def class_tokens(el: Any) -> tuple[str, list[str]]:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    return attrs, [t.lower() for t in re.split(r"[\s_\-]+", attrs) if t]


def is_chrome(el: Any) -> bool:
    """Tell whether an element is page furniture: navigation, header, footer, breadcrumb, sidebar."""
    if not isinstance(el.tag, str) or el.tag in ("html", "body"):
        return False
    if el.tag in _CHROME_TAGS:
        return True
    attrs, tokens = class_tokens(el)
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
