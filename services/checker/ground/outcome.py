"""What inspecting one target produced: its finding drafts and how reading it went."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.checker.ground.finding import FindingDraft


@dataclass
class Outcome:
    """What inspecting one target produced."""

    findings: list[FindingDraft]
    pages_fetched: int = 0
    links_checked: int = 0
    # Accounts: how reading the feed went (ground.feed.FeedStatus) and the posts it kept.
    feed_status: str | None = None
    posts_read: int = 0
    # Facts about the run, not problems of the target (never findings, never scored), e.g.
    # {"kind": "availability_unknown", "message": "探测数据不足，…"}: shown beside the result.
    notes: list[dict[str, Any]] = field(default_factory=list)
    # Websites: why the home page could not be fetched, so the site was not inspected.
    uninspected: str | None = None

    @property
    def judged(self) -> bool:
        """False when the target could not be read at all, so it cannot pass or fail."""
        return self.uninspected_reason is None

    @property
    def uninspected_reason(self) -> str | None:
        """Why nothing could be inspected (未能检查), or None when the target was read."""
        if self.uninspected is not None:
            return self.uninspected
        return FEED_UNREAD.get(self.feed_status or "")


# Feed statuses (ground.feed.FeedStatus) in which an account's posts could not be read.
FEED_UNREAD = {"unreadable": "账号内容无法读取", "not_configured": "账号未配置读取方式"}
