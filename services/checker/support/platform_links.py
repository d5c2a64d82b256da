"""Recognise a platform account from its profile URL: (platform, account id), as the registry files them.

WeChat is left out: an article or profile link carries __biz, not the gh_ id the registry files,
so a WeChat account cannot be matched to its filing from a link.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

# host → (platform, path pattern whose group 1 is the account id)
_PROFILES: dict[str, tuple[str, re.Pattern[str]]] = {
    "weibo.com": ("weibo", re.compile(r"^/(?:u/)?(\d{5,})/?$")),
    "m.weibo.cn": ("weibo", re.compile(r"^/(?:u|profile)/(\d{5,})/?$")),
    "douyin.com": ("douyin", re.compile(r"^/user/([A-Za-z0-9_\-.]{6,})/?$")),
    "toutiao.com": ("toutiao", re.compile(r"^/c/user/(?:token/)?([A-Za-z0-9_\-=]{4,})/?$")),
    "kuaishou.com": ("kuaishou", re.compile(r"^/profile/([A-Za-z0-9_\-]{4,})/?$")),
    "space.bilibili.com": ("bilibili", re.compile(r"^/(\d{3,})/?$")),
    "xiaohongshu.com": ("xiaohongshu", re.compile(r"^/user/profile/([0-9a-zA-Z]{8,})/?$")),
}


def key(platform: str, account_id: str) -> str:
    """How a filed or discovered account is compared: platform and id, case folded."""
    return f"{platform}:{account_id.strip().lower()}"


def profile_of(url: str) -> tuple[str, str] | None:
    """(platform, account id) when `url` is an account's profile page on a major platform."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    bare = host[4:] if host.startswith("www.") else host
    if bare == "author.baidu.com" and parts.path.rstrip("/") == "/home":
        app_id = parse_qs(parts.query).get("app_id", [""])[0]
        return ("baijiahao", app_id) if app_id.isdigit() else None
    known = _PROFILES.get(bare)
    if known is None:
        return None
    m = known[1].match(parts.path)
    return (known[0], m[1]) if m else None


def filed_keys(accounts: list[tuple[str, str, str | None]]) -> set[str]:
    """Keys of filed accounts (platform, platform account id, profile URL) by id and by URL."""
    keys = set()
    for platform, account_id, url in accounts:
        keys.add(key(platform, account_id))
        found = profile_of(url) if url else None
        if found:
            keys.add(key(*found))
    return keys
