"""Fixture feeds of new-media accounts: the same posts as RSS 2.0, Atom, a JSON feed or a profile page.

Usage in a test:

    now = datetime(2026, 11, 20, 10, 0, tzinfo=BEIJING)
    posts = [post("p1", now=now, days_ago=1, text="…"), post("p2", now=now, days_ago=20)]
    with SiteServer() as server:
        feed = serve_account(server, "rss", posts, host="feeds.example.cn", name="济南发布")
        # feed == {"kind": "rss", "url": "http://feeds.example.cn/accounts/济南发布.xml"…}:
        # file it as the registry account's `feed`, or FeedConfig.from_registry(feed).
        fetcher = Fetcher(FetchSettings(allow_private=True), server.host_map())

Builders return text: `rss_feed`, `atom_feed`, `json_feed`, `profile_page` (`scripted=True`
writes the posts with JavaScript, so only a rendered read sees them). `PROFILE_SELECTORS` are
the selectors that read `profile_page`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from services.checker.ground.feed import Comment, FeedKind, Post
from tests.checker.sitefixture import SiteServer

BEIJING = ZoneInfo("Asia/Shanghai")
HOST = "feeds.example.cn"

PROFILE_SELECTORS: dict[str, str] = {
    "post": "article.post",
    "id": "./@data-id",
    "title": ".post-title",
    "text": ".post-text",
    "published": "time.post-time",
    "url": ".post-title a",
    "comment": "li.comment",
    "reply": "li.reply",
    "comment_text": ".comment-text",
    "comment_author": ".comment-author",
    "comment_published": "time",
    "comment_id": "./@data-id",
    "account_name": "h1.account-name",
    "interaction": "a.message-board",
}


def post(platform_post_id: str, *, now: datetime, days_ago: float = 0, hours_ago: float = 0,
         title: str | None = None, text: str | None = None, url: str | None = None,
         comments: Sequence[Comment] = ()) -> Post:
    """A post published `days_ago` days and `hours_ago` hours before `now` (whole seconds)."""
    published = (now - timedelta(days=days_ago, hours=hours_ago)).replace(microsecond=0)
    return Post(platform_post_id=platform_post_id, title=title if title is not None else f"政务信息 {platform_post_id}",
                text=text if text is not None else f"这是第 {platform_post_id} 条政务信息的正文。",
                published_at=published, url=url or f"http://{HOST}/posts/{platform_post_id}",
                comments=list(comments))


def posts(count: int, *, now: datetime, every_days: float = 1.0, first_days_ago: float = 0,
          prefix: str = "p") -> list[Post]:
    """`count` posts, newest first: `first_days_ago`, then one every `every_days` days before."""
    return [post(f"{prefix}{i + 1}", now=now, days_ago=first_days_ago + i * every_days) for i in range(count)]


def comment(text: str, *, comment_id: str | None = None, author: str | None = "网友",
            published_at: datetime | None = None, reply_to: str | None = None) -> Comment:
    """A visitor's comment, or (with `reply_to`) the account's reply to comment `reply_to`."""
    return Comment(text=text, published_at=published_at.replace(microsecond=0) if published_at else None,
                   author=author if reply_to is None else None, platform_comment_id=comment_id,
                   is_reply=reply_to is not None, in_reply_to=reply_to)


def rss_feed(items: Sequence[Post], *, name: str = "济南发布", link: str = f"http://{HOST}/",
             encoding: str = "UTF-8") -> str:
    """An RSS 2.0 document; encode it with `encoding` (e.g. "GBK") before serving."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>',
             '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
             f"<channel><title>{xml_escape(name)}</title><link>{xml_escape(link)}</link>",
             f"<description>{xml_escape(name)}的政务信息</description>"]
    for p in items:
        parts.append(
            f"<item><title>{xml_escape(p.title)}</title>"
            + (f"<link>{xml_escape(p.url)}</link>" if p.url else "")
            + f'<guid isPermaLink="false">{xml_escape(p.platform_post_id)}</guid>'
            f"<pubDate>{format_datetime(p.published_at)}</pubDate>"
            f"<description><![CDATA[<p>{escape(p.text)}</p>]]></description></item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)


def atom_feed(items: Sequence[Post], *, name: str = "济南发布", link: str = f"http://{HOST}/") -> str:
    """An Atom 1.0 document."""
    updated = max((p.published_at for p in items), default=datetime(2026, 1, 1, tzinfo=BEIJING))
    parts = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"<title>{xml_escape(name)}</title><id>{xml_escape(link)}</id>",
             f'<link rel="alternate" href="{xml_escape(link)}"/><updated>{updated.isoformat()}</updated>']
    for p in items:
        parts.append(
            f"<entry><id>{xml_escape(p.platform_post_id)}</id><title>{xml_escape(p.title)}</title>"
            + (f'<link rel="alternate" href="{xml_escape(p.url)}"/>' if p.url else "")
            + f"<published>{p.published_at.isoformat()}</published><updated>{p.published_at.isoformat()}</updated>"
            f'<content type="html">{xml_escape(f"<p>{escape(p.text)}</p>")}</content></entry>')
    parts.append("</feed>")
    return "\n".join(parts)


def _json_comment(c: Comment) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.platform_comment_id, "content_text": c.text, "is_reply": c.is_reply,
                           "in_reply_to": c.in_reply_to}
    if c.published_at:
        out["date_published"] = c.published_at.isoformat()
    if c.author:
        out["author"] = {"name": c.author}
    return out


def json_feed(items: Sequence[Post], *, name: str = "济南发布", link: str = f"http://{HOST}/",
              interaction_enabled: bool | None = True) -> str:
    """A JSON feed (JSON Feed 1.1 with `_comments` and `_interaction_enabled`)."""
    doc: dict[str, Any] = {"version": "https://jsonfeed.org/version/1.1", "title": name, "home_page_url": link,
                           "items": [{"id": p.platform_post_id, "url": p.url, "title": p.title,
                                      "content_text": p.text, "date_published": p.published_at.isoformat(),
                                      "_comments": [_json_comment(c) for c in p.comments]} for p in items]}
    if interaction_enabled is not None:
        doc["_interaction_enabled"] = interaction_enabled
    return json.dumps(doc, ensure_ascii=False)


def _shown(when: datetime) -> str:
    local = when.astimezone(BEIJING)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _comment_html(c: Comment) -> str:
    kind = "reply" if c.is_reply else "comment"
    ident = f' data-id="{escape(c.platform_comment_id)}"' if c.platform_comment_id else ""
    author = f'<span class="comment-author">{escape(c.author)}</span>' if c.author else ""
    when = (f'<time datetime="{c.published_at.isoformat()}">{_shown(c.published_at)}</time>'
            if c.published_at else "")
    return f'<li class="{kind}"{ident}>{author}<span class="comment-text">{escape(c.text)}</span>{when}</li>'


def _post_html(p: Post) -> str:
    title = f'<a href="{escape(p.url)}">{escape(p.title)}</a>' if p.url else escape(p.title)
    comments = "".join(_comment_html(c) for c in p.comments)
    return (f'<article class="post" data-id="{escape(p.platform_post_id)}">'
            f'<h2 class="post-title">{title}</h2>'
            f'<time class="post-time" datetime="{p.published_at.isoformat()}">{_shown(p.published_at)}</time>'
            f'<div class="post-text"><p>{escape(p.text)}</p></div>'
            + (f'<ul class="comments">{comments}</ul>' if comments else "") + "</article>")


def profile_page(items: Sequence[Post], *, name: str = "济南发布", interaction_enabled: bool = True,
                 scripted: bool = False) -> str:
    """A public profile page that `PROFILE_SELECTORS` read; `scripted` builds the posts in JavaScript."""
    board = '<a class="message-board" href="/message">留言</a>' if interaction_enabled else ""
    body = "".join(_post_html(p) for p in items)
    if scripted:
        data = json.dumps(body, ensure_ascii=False).replace("<", "\\u003c")
        feed = ('<div class="feed" id="feed">加载中……</div>'
                f"<script>setTimeout(function () {{ document.getElementById('feed').innerHTML = {data}; }}, 50);"
                "</script>")
    else:
        feed = f'<div class="feed" id="feed">{body}</div>'
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(name)}</title></head>'
            f'<body><h1 class="account-name">{escape(name)}</h1>{board}{feed}</body></html>')


_CONTENT_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8",
                  "json": "application/feed+json; charset=utf-8", "profile_page": "text/html; charset=utf-8"}
_SUFFIX = {"rss": ".xml", "atom": ".atom", "json": ".json", "profile_page": ""}


def serve_account(server: SiteServer, kind: FeedKind, items: Sequence[Post], *, host: str = HOST,
                  name: str = "济南发布", path: str | None = None, interaction_enabled: bool = True,
                  render: bool = False) -> dict[str, Any]:
    """Serve an account's posts in the feed `kind` and return the registry `feed` that reads them.

    `render` serves a scripted profile page and asks for it to be rendered in Chromium.
    """
    if kind == "push":
        return {"kind": "push"}
    path = path or f"/accounts/{quote(name)}{_SUFFIX[kind]}"
    if kind == "rss":
        body = rss_feed(items, name=name)
    elif kind == "atom":
        body = atom_feed(items, name=name)
    elif kind == "json":
        body = json_feed(items, name=name, interaction_enabled=interaction_enabled)
    else:
        body = profile_page(items, name=name, interaction_enabled=interaction_enabled, scripted=render)
    server.add(host, path, body, content_type=_CONTENT_TYPES[kind])
    feed: dict[str, Any] = {"kind": kind, "url": f"http://{host}{path}"}
    if kind == "profile_page":
        feed |= {"selectors": dict(PROFILE_SELECTORS), "render": render}
    return feed
