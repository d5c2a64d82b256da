"""Plain data the account rules read: the filed account and what reading its feed gave.

Rules are pure functions of an `AccountSnapshot` and the rule profile; they never fetch anything.
The content engines written for websites (typos, personal information, expressions) read pages:
`as_site` shows them each post as a page, so they run on posts unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from services.checker.ground.feed import FeedRead, Post
from services.checker.ground.site import Page, SiteSnapshot, Target
from shared.contracts import events as contracts

TARGET_TYPE = "account"


@dataclass
class Sibling:
    """Another account of the same unit on the same platform family, as filed."""

    id: UUID
    name: str
    platform: str
    status: str


@dataclass
class AccountTarget:
    """The registry's record of the inspected account, as snapshotted when the run began."""

    id: UUID
    platform: str  # shared.contracts.registry.Platform value
    platform_label: str
    platform_account_id: str
    name: str
    organisation_id: UUID  # the sponsor (主办单位)
    organisation_name: str
    region_code: str
    status: str  # lifecycle status in the registry
    url: str | None = None
    compliance_flags: list[str] = field(default_factory=list)
    siblings: list[Sibling] = field(default_factory=list)  # same unit, same platform family
    feed: dict[str, Any] | None = None  # the registry's feed configuration, if any

    @property
    def code(self) -> str:
        """How a person finds the account: platform and platform account id."""
        return f"{self.platform}:{self.platform_account_id}"

    @classmethod
    def from_contract(cls, t: contracts.AccountTarget) -> AccountTarget:
        """The account as its task snapshot holds it (run.service.account_snapshot)."""
        return cls(id=t.id, platform=t.platform, platform_label=t.platform_label,
                   platform_account_id=t.platform_account_id, name=t.name,
                   organisation_id=t.organisation_id, organisation_name=t.organisation_name,
                   region_code=t.region_code, status=t.status, url=t.url,
                   compliance_flags=list(t.compliance_flags),
                   siblings=[Sibling(id=s.id, name=s.name, platform=s.platform, status=s.status)
                             for s in t.siblings],
                   feed=t.feed)


@dataclass
class AccountSnapshot:
    """Everything the account rules may look at for one account in one run."""

    target: AccountTarget
    as_of: datetime  # the monitoring point
    feed: FeedRead
    # Filed accounts' names (support/account_names.normalise_name); None when not read.
    registry_account_names: set[str] | None = None
    # `as_site` of this snapshot, built on first use (not an input: nothing sets it).
    _as_site: SiteSnapshot | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def readable(self) -> bool:
        """Whether the feed gave an answer the rules can judge (gone is an answer)."""
        return self.feed.status in ("ok", "gone")

    @property
    def posts(self) -> list[Post]:
        """The posts read, newest first."""
        return sorted(self.feed.posts, key=lambda p: p.published_at, reverse=True)

    @property
    def latest_post_at(self) -> datetime | None:
        """The newest post the source gave, even one older than the posts kept."""
        dates = [p.published_at for p in self.feed.posts]
        if self.feed.latest_post_at is not None:
            dates.append(self.feed.latest_post_at)
        return max(dates, default=None)

    @property
    def ever_posted(self) -> bool:
        """Whether the source showed any post at all."""
        return bool(self.feed.posts) or self.feed.posts_seen > 0 or self.feed.latest_post_at is not None


def post_url(target: AccountTarget, post: Post) -> str:
    """The post's own URL, or a stable name for it when the platform gives none."""
    return post.url or f"post:{target.code}:{post.platform_post_id}"


def post_text(post: Post) -> str:
    """What a reader of the post sees: its title, its text and the account's own replies."""
    replies = [c.text for c in post.comments if c.is_reply and c.text]
    return "\n".join(part for part in (post.title, post.text, *replies) if part)


def as_site(snapshot: AccountSnapshot) -> SiteSnapshot:
    """Show each post as a page so the website content engines run on posts unchanged.

    Built once per snapshot (kept on it): three rules read it.
    """
    if snapshot._as_site is not None:
        return snapshot._as_site
    t = snapshot.target
    pages = [Page(url=post_url(t, p), final_url=post_url(t, p), status=200, depth=1,
                  parent_url=t.url, content_type="text/plain", text=post_text(p),
                  title=p.title, fetched_at=snapshot.feed.fetched_at)
             for p in snapshot.posts]
    site = Target(id=t.id, site_code=t.code, name=t.name, organisation_id=t.organisation_id,
                  organisation_name=t.organisation_name, region_code=t.region_code,
                  kind=t.platform, domains=[], home_url=t.url or "", status=t.status)
    snapshot._as_site = SiteSnapshot(target=site, as_of=snapshot.as_of, pages=pages)
    return snapshot._as_site
