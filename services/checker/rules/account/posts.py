"""Helpers the account rules share: posts as the content engines see them, and keyword search."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.account import AccountSnapshot, post_text, post_url
from services.checker.ground.feed import Post
from services.checker.ground.finding import FindingDraft, Severity
from services.checker.rules.content.matcher import excerpt


def post_by_url(snapshot: AccountSnapshot) -> dict[str, Post]:
    """Each post read, by the URL the content engines report it under."""
    return {post_url(snapshot.target, p): p for p in snapshot.posts}


def retarget(findings: list[FindingDraft], snapshot: AccountSnapshot) -> list[FindingDraft]:
    """Say "文章《…》" where the website engines say "页面", and note which post it was."""
    posts = post_by_url(snapshot)
    for f in findings:
        post = posts.get(f.url or "")
        if post is None:
            continue
        t = snapshot.target
        where = f"{t.platform_label}账号“{t.name}”发布的《{post.title or post.platform_post_id}》"
        if f.message.startswith("页面"):
            f.message = where + f.message[len("页面"):]
        if f.url and f.url.startswith("post:"):
            f.url = None
        f.parent_url = snapshot.target.url
        f.detail = {**f.detail, "post_id": post.platform_post_id, "post_title": post.title,
                    "published_at": post.published_at.isoformat()}
        if "also_on" in f.detail:
            f.detail["also_in_posts"] = f.detail.pop("also_on")
    return findings


@dataclass
class KeywordHit:
    post: Post
    keywords: list[str]
    start: int
    end: int
    text: str


def keyword_hits(snapshot: AccountSnapshot, keywords: list[str],
                 exceptions: list[str]) -> Iterator[KeywordHit]:
    """Posts whose text carries any of the keywords outside the exceptions, first hit marked."""
    for post in snapshot.posts:
        text = post_text(post)
        cleaned = text
        for exc in exceptions:
            cleaned = cleaned.replace(exc, "\0" * len(exc))
        found = [(cleaned.find(k), k) for k in keywords if k and k in cleaned]
        if found:
            start, first = min(found)
            yield KeywordHit(post, sorted({k for _, k in found}, key=keywords.index), start,
                             start + len(first), text)


class KeywordParams(BaseModel):
    """Thresholds of a keyword-list rule (unrelated content, advertising): profile data."""

    model_config = ConfigDict(extra="ignore")

    keywords: list[str]
    exceptions: list[str]  # longer phrases containing a keyword that are not a hit
    severity: Severity
    context_chars: int = Field(ge=0)


def keyword_findings(account: AccountSnapshot, params: KeywordParams, *, code: str,
                     indicator: str, suspicion: str, suggestion: str) -> list[FindingDraft]:
    """One finding per post carrying the list's keywords, naming them all, for review."""
    t = account.target
    return [FindingDraft(
        rule=code, indicator=indicator, severity=params.severity,
        message=f"{t.platform_label}账号“{t.name}”发布的《{h.post.title or h.post.platform_post_id}》"
                f"{suspicion}（{'、'.join(h.keywords)}），请核实",
        locator=f"{code}|{h.post.platform_post_id}", url=h.post.url, parent_url=t.url,
        excerpt=excerpt(h.text, h.start, h.end, params.context_chars), offending=h.keywords[0],
        suggestion=suggestion,
        detail={"keywords": h.keywords, "post_id": h.post.platform_post_id,
                "published_at": h.post.published_at.isoformat()})
        for h in keyword_hits(account, params.keywords, params.exceptions)]
