"""Plain data an account's feed reads into, whatever the adapter; the account rules read only this.

The adapters (RSS 2.0 / Atom, the JSON feed, a public profile page read with selectors, and
posts pushed through the API) all normalise to `Post`; `FeedRead` says whether the account
could be read at all, which is not the same as "not updated".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

FeedKind = Literal["rss", "atom", "json", "profile_page", "push"]

# unreadable: the feed failed (failure_class says how); not_configured: the registry names no
# feed for the account; gone: the platform answers that the account no longer exists.
FeedStatus = Literal["ok", "unreadable", "not_configured", "gone"]


@dataclass
class Comment:
    """A comment under a post, or the account's own reply to one."""

    text: str
    published_at: datetime | None = None
    author: str | None = None
    platform_comment_id: str | None = None
    is_reply: bool = False  # written by the account itself
    in_reply_to: str | None = None  # platform_comment_id answered


@dataclass
class Post:
    """One post of an account, as the platform gives it."""

    platform_post_id: str
    title: str
    text: str
    published_at: datetime  # aware
    url: str | None = None
    comments: list[Comment] = field(default_factory=list)


@dataclass
class FeedRead:
    """What reading one account's feed gave."""

    status: FeedStatus
    fetched_at: datetime
    posts: list[Post] = field(default_factory=list)
    error: str | None = None  # Chinese, for people
    failure_class: str | None = None  # one of ground.site.FAILURE_CLASSES when unreadable
    source_url: str | None = None
    # What the feed or profile page says the account is called, to compare with the filing.
    account_name: str | None = None
    # Whether the account offers an interaction function (comments/messages), when the source says.
    interaction_enabled: bool | None = None
    # The newest post the source gave, even one older than the read's `since` (so an account
    # with old posts only can be told from one that never posted); None when it gave none.
    latest_post_at: datetime | None = None
    # Posts the source gave in all, before keeping those published since `since`.
    posts_seen: int = 0
