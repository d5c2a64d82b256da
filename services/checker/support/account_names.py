"""Account names a page or a post gives in words: QR-code captions, "关注我们" blocks, @mentions.

A government site shows its accounts as a QR code with a caption ("微信公众号：历下发布",
"扫码关注“历下文旅”抖音号") or in a "关注我们" block; a post names another account as "@济南发布"
or "公众号“历下发布”". What is found is a (platform, name) pair: the platform is the platform
word in the same clause (微信/公众号, 微博, 抖音, 视频号, 头条, 快手, 哔哩哔哩, 小红书, 百家号), the
name is quoted (“…”, 「…」), follows the platform word and a colon, or follows "@". A name with
no platform word in its clause is not taken (a quoted 文件名 or 活动名 is not an account), nor a
name of fewer than 2 or more than 20 characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
from lxml import etree

from services.checker.support.script import to_simplified

# Platform words, longest first, as units write them; the value is the registry's platform.
PLATFORM_WORDS: tuple[tuple[str, str], ...] = (
    ("微信公众号", "wechat_subscription"), ("微信服务号", "wechat_service"),
    ("微信订阅号", "wechat_subscription"), ("微信视频号", "wechat_channels"),
    ("公众号", "wechat_subscription"), ("视频号", "wechat_channels"), ("微信", "wechat_subscription"),
    ("微博", "weibo"), ("抖音", "douyin"), ("今日头条", "toutiao"), ("头条号", "toutiao"),
    ("快手", "kuaishou"), ("哔哩哔哩", "bilibili"), ("B站", "bilibili"), ("小红书", "xiaohongshu"),
    ("百家号", "baijiahao"))
_NAME = r"[\u4e00-\u9fffA-Za-z0-9_·\-]{2,20}"
_PLATFORM = "|".join(re.escape(w) for w, _ in PLATFORM_WORDS)
_NAMES = re.compile(
    rf"[“「『\"]({_NAME})[”」』\"]"  # quoted
    rf"|(?:{_PLATFORM})号?(?:名称|账号|帐号)?(?:\s*[:：]\s*|\s+)@?({_NAME})"  # 公众号：历下发布
    rf"|@({_NAME})")  # @历下发布
_CLAUSES = re.compile(r"[^\n|｜;；。!！?？]+")
_SPACES = re.compile(r"[\s\u3000]+")
_QUOTES = "“”「」『』\"'‘’"
# Words that make a caption's call to action, never part of an account's name.
_NOT_NAMES = ("扫", "关注", "二维码", "下载", "客户端", "更多", "获取", "点击", "长按")
_MAX_BLOCK = 300  # a "关注我们" block, not a whole page column
_GAP = 2  # characters between a quoted or @ name and its platform word: 关注公众号“…”, @…


@dataclass(frozen=True)
class NamedAccount:
    """An account named in words: platform, the name as shown, and the words around it."""

    platform: str
    name: str
    said: str  # the clause that names it


def normalise_name(name: str) -> str:
    """How names are compared: Simplified script, no spaces or quotes, case folded."""
    return _SPACES.sub("", to_simplified(name)).strip(_QUOTES + "@").casefold()


def _platform(clause: str, start: int, end: int) -> str | None:
    """The platform word right beside the name at clause[start:end] (at most _GAP characters
    between them, either side): "公众号“历下发布”", "“历下文旅”抖音号", "微博 @历下发布"."""
    best: tuple[int, str] | None = None
    for word, platform in PLATFORM_WORDS:
        for m in re.finditer(re.escape(word), clause):
            gap = start - m.end() if m.end() <= start else m.start() - end
            if 0 <= gap <= _GAP and (best is None or gap < best[0]):
                best = (gap, platform)
    return best[1] if best else None


def named_accounts(text: str) -> Iterator[NamedAccount]:
    """Every (platform, name) a short text gives, clause by clause."""
    for clause in _CLAUSES.finditer(to_simplified(text)):
        said = _SPACES.sub(" ", clause[0]).strip()
        for m in _NAMES.finditer(said):
            name = next(g for g in m.groups() if g)
            if any(w in name for w in _NOT_NAMES):
                continue
            # The platform word leads the match (公众号：历下发布), or stands right beside it.
            platform = (next((p for w, p in PLATFORM_WORDS if m[0].startswith(w)), None) if m[2]
                        else _platform(said, m.start(), m.end()))
            if platform is not None:
                yield NamedAccount(platform, name, said)


def _text(el: etree._Element) -> str:
    return _SPACES.sub(" ", " ".join(el.itertext())) if isinstance(el.tag, str) else ""


def _is_qr(img: etree._Element, hints: list[str]) -> bool:
    said = " ".join(img.get(a, "") for a in ("src", "alt", "title", "class", "id")).lower()
    return any(h.lower() in said for h in hints)


def caption_texts(html: str, qr_hints: list[str], block_words: list[str],
                  max_caption_chars: int) -> Iterator[str]:
    """The captions of QR-code pictures and the text of "关注我们" blocks on a page.

    A QR picture is an <img> whose address, alt, title, class or id holds a hint (二维码,
    qrcode, ewm, …); its caption is its alt and title and the text of the nearest enclosing
    element that has text of at most `max_caption_chars`. A block is the smallest element
    whose text holds a block word ("关注我们") and has at most _MAX_BLOCK characters.
    """
    if not html.strip():
        return
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for img in doc.iter("img"):
        if not _is_qr(img, qr_hints):
            continue
        parts = [img.get("alt", ""), img.get("title", "")]
        el = img.getparent()
        for _ in range(3):
            if el is None:
                break
            text = _text(el).strip()
            if len(text) > max_caption_chars:
                break
            if text:
                parts.append(text)
                break
            el = el.getparent()
        caption = " | ".join(p for p in parts if p.strip())
        if caption:
            yield caption
    if not any(w in to_simplified(_text(doc)) for w in block_words):
        return  # an element's text is a stretch of the page's: no block on this page
    for el in doc.iter():
        text = _text(el)
        if len(text) > _MAX_BLOCK or not any(w in to_simplified(text) for w in block_words):
            continue
        if any(any(w in to_simplified(_text(child)) for w in block_words) for child in el):
            continue  # a smaller element holds the words
        parent = el.getparent()
        heading_only = len(_SPACES.sub("", text)) <= max(len(w) for w in block_words) + 2
        if heading_only and parent is not None and len(_text(parent)) <= _MAX_BLOCK:
            text = _text(parent)  # <h3>关注我们</h3> heads its block
        yield text
