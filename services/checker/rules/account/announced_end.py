"""Rule account.announced_end (宣布停更未报备): an account that announced its end but was not filed.

Rule: a post within `window_days` before the monitoring point says, in one sentence, that the
account itself (`self_words`: 本账号, 本公众号, …) stops updating or has moved (`end_words`:
停止更新, 停更, 迁移至, …; either script). Then:
- the account is still filed as running (`active_statuses`): a finding; the matching filing is
  `close` when nothing was posted after the announcement for `close_after_days`, else
  `announce_closure` (registry lifecycle);
- the account posted again more than `grace_hours` after its announcement: a finding (it still
  posts after the end it announced), whatever its filed status short of closed (a closed account
  that posts is account.closed_active's).
Indicator: 宣布停更未报备. Source: issue #15 item 5; RULES.md "Duties the newest circulars check"
(an account that posted that it stops updating or has moved, but was not closed and deregistered,
is named: the 2020 round-up); 国办发〔2018〕123号 (closing an account is filed). Severity and
points are not public: profile values (自定).

Passing: "本公众号将于12月1日起停止更新" from an account filed as closing, nothing posted since;
"受寒潮影响，部分公交线路实时信息停止更新" (no self-reference).
Failing: "本账号已迁移至“济南发布”，敬请关注" from an account still filed as running.
"""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.account import AccountSnapshot, post_text
from services.checker.ground.feed import Post
from services.checker.ground.finding import FindingDraft, Severity
from services.checker.support.excerpt import mark
from services.checker.support.script import to_simplified
from shared.calendar import SHANGHAI

CODE = "account.announced_end"
INDICATOR = "宣布停更未报备"
# The registry's lifecycle filing that matches what the account announced, as units read it.
FILINGS = {"close": "关停", "announce_closure": "拟关停"}
_SENTENCES = re.compile(r"[^。！!？?\n；;]+")


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    end_words: list[str] = Field(min_length=1)
    self_words: list[str] = Field(min_length=1)
    active_statuses: list[str]
    closed_statuses: list[str]
    window_days: int = Field(ge=1)
    grace_hours: float = Field(ge=0)
    close_after_days: int = Field(ge=0)
    severity: Severity
    points: float = Field(ge=0)


def announcement(post: Post, params: Params) -> tuple[str, int, int] | None:
    """The post's text and the span of the sentence announcing the account's end, if it has one."""
    text = to_simplified(post_text(post))
    for sentence in _SENTENCES.finditer(text):
        said = sentence[0]
        if any(w in said for w in params.end_words) and any(w in said for w in params.self_words):
            return text, sentence.start(), sentence.end()
    return None


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report an announced end the registry does not know of, or posts after it."""
    t = account.target
    if account.feed.status != "ok" or t.status in params.closed_statuses:
        return []
    since = account.as_of - timedelta(days=params.window_days)
    posts = account.posts  # newest first
    found = next(((p, a) for p in posts if since <= p.published_at <= account.as_of
                  and (a := announcement(p, params))), None)
    if found is None:
        return []
    post, (text, start, end) = found
    after = [p for p in posts if p.published_at > post.published_at + timedelta(hours=params.grace_hours)]
    said_on = post.published_at.astimezone(SHANGHAI).strftime("%Y-%m-%d")
    running = t.status in params.active_statuses
    if not after and not running:
        return []  # announced, filed as closing, and silent since: as it should be
    filing = "close" if not after and account.as_of - post.published_at >= timedelta(
        days=params.close_after_days) else "announce_closure"
    if after:
        message = (f"{t.platform_label}账号“{t.name}”于{said_on}发文宣布停止更新或迁移，"
                   f"此后仍发布了{len(after)}条信息（备案状态：{t.status}）")
        suggestion = "确需继续运营的，撤回停更声明并保持备案为运行中；否则停止发布并办理关停备案"
    else:
        named = FILINGS[filing]
        message = (f"{t.platform_label}账号“{t.name}”于{said_on}发文宣布停止更新或迁移，"
                   f"但备案仍为运行中，未办理{named}备案")
        suggestion = f"向备案系统提交{named}（{filing}）备案"
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity=params.severity, message=message,
        locator=f"{CODE}:{post.platform_post_id}", url=post.url or t.url,
        excerpt=mark(text, start, end), offending=text[start:end], suggestion=suggestion,
        points=params.points if params.severity == "deduct" else 0.0,
        detail={"kind": "posts_after_announcement" if after else "announced_not_filed",
                "announced_on": said_on, "announcement_post_id": post.platform_post_id,
                "posts_after": len(after), "status": t.status, "suggested_filing": filing})]
