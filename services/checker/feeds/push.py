"""Pushed posts: stored idempotently by (account, platform post id), read back as feed posts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from services.checker.feeds.models import AccountPost
from services.checker.feeds.schemas import PostIn, PushResult
from services.checker.ground.feed import Comment, Post

_CHUNK = 500  # account/post id pairs per lookup query


def _post(row: AccountPost) -> Post:
    comments = [Comment(text=c["text"], published_at=datetime.fromisoformat(c["published_at"])
                        if c.get("published_at") else None, author=c.get("author"),
                        platform_comment_id=c.get("platform_comment_id"), is_reply=bool(c.get("is_reply")),
                        in_reply_to=c.get("in_reply_to")) for c in row.comments]
    return Post(platform_post_id=row.platform_post_id, title=row.title, text=row.text,
                published_at=row.published_at, url=row.url, comments=comments)


async def pushed_posts(session: AsyncSession, account_id: UUID) -> list[Post]:
    """Every post pushed for an account, newest first."""
    rows = (await session.execute(select(AccountPost).where(AccountPost.account_id == account_id)
                                  .order_by(col(AccountPost.published_at).desc()))).scalars().all()
    return [_post(r) for r in rows]


def _values(post: PostIn) -> dict[str, Any]:
    return {"title": post.title, "text": post.text, "published_at": post.published_at, "url": post.url,
            "comments": [c.model_dump(mode="json") for c in post.comments]}


def _same(row: AccountPost, values: dict[str, Any]) -> bool:
    return all(getattr(row, k) == v for k, v in values.items())


async def store_posts(session: AsyncSession, posts: Sequence[tuple[UUID, PostIn]], *, pushed_by: str,
                      now: datetime) -> PushResult:
    """Create or update each (account, post); the same platform post id never makes a second row.

    Within one batch a later entry for the same post wins. Flushes, never commits.
    """
    latest: dict[tuple[UUID, str], PostIn] = {}
    for account_id, post in posts:
        latest[(account_id, post.platform_post_id)] = post
    keys = list(latest)
    existing: dict[tuple[UUID, str], AccountPost] = {}
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i:i + _CHUNK]
        accounts = {a for a, _ in chunk}
        ids = {p for _, p in chunk}
        rows = (await session.execute(select(AccountPost).where(
            col(AccountPost.account_id).in_(accounts), col(AccountPost.platform_post_id).in_(ids)))).scalars()
        existing.update({(r.account_id, r.platform_post_id): r for r in rows})
    result = PushResult(created=0, updated=0, unchanged=0)
    for key, post in latest.items():
        values = _values(post)
        row = existing.get(key)
        if row is None:
            session.add(AccountPost(account_id=key[0], platform_post_id=key[1], pushed_by=pushed_by,
                                    received_at=now, updated_at=now, **values))
            result.created += 1
        elif _same(row, values):
            result.unchanged += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.pushed_by, row.updated_at = pushed_by, now
            result.updated += 1
    await session.flush()
    return result


async def page_posts(session: AsyncSession, account_id: UUID, limit: int, offset: int) -> tuple[
        list[AccountPost], int]:
    """One page of an account's pushed posts, newest first, and how many there are."""
    where = AccountPost.account_id == account_id
    total = (await session.execute(select(func.count()).select_from(AccountPost).where(where))).scalar_one()
    rows = (await session.execute(select(AccountPost).where(where)
                                  .order_by(col(AccountPost.published_at).desc(),
                                            col(AccountPost.platform_post_id))
                                  .limit(limit).offset(offset))).scalars().all()
    return list(rows), total
