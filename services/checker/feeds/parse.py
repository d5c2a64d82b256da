"""Feed bodies into posts: RSS 2.0 and Atom (lxml), the JSON feed (pydantic), profile pages (selectors).

Each parser raises FeedFormatError, in Chinese, when the body is not what the feed's kind
promises; an item without a readable time is left out (a post must have one to be judged).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from lxml import etree, html
from lxml.cssselect import CSSSelector
from pydantic import ValidationError

from services.checker.crawl.parse import decode_html
from services.checker.feeds.schemas import JsonFeed, JsonFeedComment
from services.checker.ground.feed import Comment, Post
from shared.contracts.registry import PROFILE_SELECTORS, REQUIRED_PROFILE_SELECTORS

BEIJING = ZoneInfo("Asia/Shanghai")  # a time without a zone on a Chinese platform is Beijing time

_NS = {"atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/",
       "dc": "http://purl.org/dc/elements/1.1/"}
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CN_TIME = re.compile(r"(?:(\d{4})\s*[年/.-]\s*)?(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?"
                      r"(?:[\sT]*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?")
_RELATIVE = re.compile(r"(\d+)\s*(秒|分钟|小时|天|周)前")
_DAY_WORDS = {"今天": 0, "昨天": 1, "前天": 2}
_CLOCK = re.compile(r"(\d{1,2})\s*[:：]\s*(\d{2})")
_UNITS = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days", "周": "weeks"}
_XPATH_PREFIXES = ("/", "./", "(", "xpath:")
_ATTRIBUTE = re.compile(r"^(.*?)\s*@([\w:-]+)$")


class FeedFormatError(Exception):
    """The body is not a feed of the configured kind (message in Chinese)."""


@dataclass
class Parsed:
    posts: list[Post] = field(default_factory=list)
    account_name: str | None = None
    interaction_enabled: bool | None = None


def parse_time(value: str | None, *, now: datetime) -> datetime | None:
    """An aware instant from what platforms write.

    RFC 822, RFC 3339, Unix time, 2026年11月5日 8:00, 11-05 08:00, 3小时前, 昨天 10:00;
    Beijing time when no zone is given.
    """
    if not value:
        return None
    text = " ".join(value.split())
    if re.fullmatch(r"\d{10}(\d{3})?", text):  # Unix time, seconds or milliseconds
        return datetime.fromtimestamp(int(text[:10]), tz=BEIJING)
    try:
        when = parsedate_to_datetime(text)
        return when if when.tzinfo else when.replace(tzinfo=BEIJING)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        when = datetime.fromisoformat(text)
        return when if when.tzinfo else when.replace(tzinfo=BEIJING)
    except ValueError:
        pass
    local = now.astimezone(BEIJING)
    if text == "刚刚":
        return now
    if match := _RELATIVE.search(text):
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    for word, days_ago in _DAY_WORDS.items():
        if text.startswith(word):
            day = local - timedelta(days=days_ago)
            clock = _CLOCK.search(text)
            hour, minute = (int(clock.group(1)), int(clock.group(2))) if clock else (0, 0)
            return day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if match := _CN_TIME.search(text):
        year, month, day_of_month, hours, minutes, seconds = match.groups()
        try:
            when = datetime(int(year) if year else local.year, int(month), int(day_of_month),
                            int(hours or 0), int(minutes or 0), int(seconds or 0), tzinfo=BEIJING)
        except ValueError:
            return None
        if not year and when > local + timedelta(days=1):  # "12-30" read in January: last year
            when = when.replace(year=when.year - 1)
        return when
    return None


def html_text(value: str | None) -> str:
    """The visible text of an HTML fragment (plain text passes through), whitespace squashed."""
    if not value:
        return ""
    if "<" in value and ">" in value:
        try:
            fragment = html.fragment_fromstring(value, create_parent="div")
            for dead in fragment.xpath(".//script|.//style"):
                dead.drop_tree()
            value = fragment.text_content()
        except (etree.ParserError, ValueError):
            pass
    return " ".join(value.split())


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:20]


# --- RSS 2.0 and Atom -----------------------------------------------------------------------------

def _xml_root(body: bytes, header_charset: str | None) -> Any:
    if not body.strip():
        raise FeedFormatError("内容为空")
    declared = _XML_ENCODING.match(body)
    charset = header_charset or (declared.group(1).decode("ascii") if declared else None)
    text = _XML_DECLARATION.sub("", decode_html(body, charset)[0].lstrip("\ufeff"), count=1)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(text.strip(), parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise FeedFormatError(f"不是格式正确的 XML（{exc}）") from exc


def _child_text(el: Any, *paths: str) -> str | None:
    for path in paths:
        found = el.find(path, _NS)
        if found is not None:
            text = (found.text or "").strip() or None
            if text:
                return text
    return None


def _rss(root: Any, now: datetime) -> Parsed:
    channel = root.find("channel")
    if channel is None:
        raise FeedFormatError("RSS 缺少 channel 元素")
    out = Parsed(account_name=_child_text(channel, "title"))
    for item in channel.findall("item"):
        title = _child_text(item, "title") or ""
        url = _child_text(item, "link")
        published = parse_time(_child_text(item, "pubDate", "dc:date"), now=now)
        if published is None:
            continue
        text = html_text(_child_text(item, "content:encoded", "description"))
        guid = _child_text(item, "guid")
        out.posts.append(Post(platform_post_id=guid or url or _digest(title, published.isoformat()),
                              title=html_text(title), text=text, published_at=published, url=url))
    return out


def _atom_link(el: Any) -> str | None:
    links = el.findall("atom:link", _NS)
    for link in links:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link.get("href"))
    return str(links[0].get("href")) if links and links[0].get("href") else None


def _atom_content(el: Any) -> str:
    for name in ("atom:content", "atom:summary"):
        found = el.find(name, _NS)
        if found is None:
            continue
        if found.get("type") == "xhtml":
            return " ".join("".join(found.itertext()).split())
        return html_text(found.text) if found.get("type") == "html" else " ".join((found.text or "").split())
    return ""


def _atom(root: Any, now: datetime) -> Parsed:
    out = Parsed(account_name=_child_text(root, "atom:title"))
    for entry in root.findall("atom:entry", _NS):
        title = html_text(_child_text(entry, "atom:title"))
        url = _atom_link(entry)
        published = parse_time(_child_text(entry, "atom:published", "atom:updated"), now=now)
        if published is None:
            continue
        out.posts.append(Post(platform_post_id=_child_text(entry, "atom:id") or url
                              or _digest(title, published.isoformat()),
                              title=title, text=_atom_content(entry), published_at=published, url=url))
    return out


def parse_xml_feed(body: bytes, header_charset: str | None = None, *, now: datetime) -> Parsed:
    """Posts of an RSS 2.0 or Atom 1.0 document (either, whichever it is), any declared charset."""
    root = _xml_root(body, header_charset)
    tag = etree.QName(root).localname if isinstance(root.tag, str) else ""
    if tag == "rss":
        return _rss(root, now)
    if tag == "feed" and etree.QName(root).namespace == _NS["atom"]:
        return _atom(root, now)
    raise FeedFormatError(f"根元素 <{tag}> 既不是 RSS 的 <rss> 也不是 Atom 的 <feed>")


# --- JSON feed ------------------------------------------------------------------------------------

def _zoned(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)


def _json_comment(c: JsonFeedComment) -> Comment:
    return Comment(text=c.content_text, published_at=_zoned(c.date_published),
                   author=c.author.name if c.author else None, platform_comment_id=c.id,
                   is_reply=c.is_reply, in_reply_to=c.in_reply_to)


def parse_json_feed(body: bytes, *, now: datetime) -> Parsed:
    """Posts of a JSON feed (schemas.JsonFeed: JSON Feed 1.1 with comments)."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedFormatError(f"不是有效的 UTF-8 JSON（{exc}）") from exc
    if not isinstance(data, dict) or "items" not in data:
        raise FeedFormatError("JSON 订阅源须是含 items 数组的对象")
    try:
        feed = JsonFeed.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FeedFormatError(f"JSON 订阅源字段 {where} 不符合格式：{first['msg']}") from exc
    out = Parsed(account_name=feed.title, interaction_enabled=feed.interaction_enabled)
    for item in feed.items:
        published = _zoned(item.date_published or item.date_modified)
        if published is None:
            continue
        text = item.content_text or html_text(item.content_html) or item.summary or ""
        out.posts.append(Post(platform_post_id=item.id, title=item.title or "", text=" ".join(text.split()),
                              published_at=published, url=item.url,
                              comments=[_json_comment(c) for c in item.comments]))
    return out


# --- Profile pages --------------------------------------------------------------------------------

class _Selector:
    """One configured selector: CSS (optionally "... @attr") or XPath."""

    def __init__(self, key: str, expression: str) -> None:
        self.key, self.attribute = key, None
        expr = expression.strip()
        try:
            if expr.startswith(_XPATH_PREFIXES):
                self._run: Any = etree.XPath(expr.removeprefix("xpath:").strip())
            else:
                match = _ATTRIBUTE.match(expr)
                if match and match.group(1):
                    expr, self.attribute = match.group(1), match.group(2)
                self._run = CSSSelector(expr, translator="html")
        except (etree.XPathSyntaxError, SyntaxError, ValueError) as exc:
            raise FeedFormatError(f"选择器 selectors.{key} 的写法有误：{expression!r}（{exc}）") from exc

    def elements(self, el: Any) -> list[Any]:
        found = self._run(el)
        return found if isinstance(found, list) else [found]

    def value(self, el: Any, *, prefer: str | None = None) -> str | None:
        for found in self.elements(el):
            if isinstance(found, str):  # an XPath text() or @attr
                text = str(found).strip()
            elif self.attribute:
                text = (found.get(self.attribute) or "").strip()
            elif prefer and found.get(prefer):
                text = str(found.get(prefer)).strip()
            else:
                text = " ".join(found.text_content().split())
            if text:
                return text
        return None


def _selectors(configured: dict[str, str]) -> dict[str, _Selector]:
    missing = [k for k in REQUIRED_PROFILE_SELECTORS if not configured.get(k)]
    if missing:
        raise FeedFormatError(f"主页选择器缺少必填项：{'、'.join(missing)}")
    return {k: _Selector(k, v) for k, v in configured.items() if k in PROFILE_SELECTORS and v}


def _page_comments(post: Any, sel: dict[str, _Selector], now: datetime) -> list[Comment]:
    out: list[Comment] = []
    for key, is_reply in (("comment", False), ("reply", True)):
        if key not in sel:
            continue
        for el in sel[key].elements(post):
            text = (sel["comment_text"].value(el) if "comment_text" in sel
                    else " ".join(el.text_content().split()))
            if not text:
                continue
            out.append(Comment(
                text=text, is_reply=is_reply,
                author=sel["comment_author"].value(el) if "comment_author" in sel else None,
                published_at=parse_time(sel["comment_published"].value(el, prefer="datetime"), now=now)
                if "comment_published" in sel else None,
                platform_comment_id=sel["comment_id"].value(el) if "comment_id" in sel else None))
    return out


def parse_profile_page(page: str, base_url: str, selectors: dict[str, str], *, now: datetime) -> Parsed:
    """Posts on a public profile page, read with the account's configured selectors."""
    sel = _selectors(selectors)
    if not page.strip():
        raise FeedFormatError("主页内容为空")
    try:
        doc = html.document_fromstring(page)
    except (etree.ParserError, ValueError) as exc:
        raise FeedFormatError(f"主页不是可解析的 HTML（{exc}）") from exc
    out = Parsed(account_name=sel["account_name"].value(doc) if "account_name" in sel else None)
    if "interaction" in sel:
        out.interaction_enabled = bool(sel["interaction"].elements(doc))
    for post in sel["post"].elements(doc):
        if isinstance(post, str):
            continue
        published = parse_time(sel["published"].value(post, prefer="datetime"), now=now)
        if published is None:
            continue
        title = sel["title"].value(post) if "title" in sel else None
        text = sel["text"].value(post) if "text" in sel else None
        link = sel["url"].value(post, prefer="href") if "url" in sel else None
        url = urljoin(base_url, link) if link else None
        ident = sel["id"].value(post) if "id" in sel else None
        out.posts.append(Post(
            platform_post_id=ident or url or _digest(title or "", published.isoformat(), text or ""),
            title=title or "", text=text or "", published_at=published, url=url,
            comments=_page_comments(post, sel, now)))
    return out
