"""Posts of new-media accounts pushed by a provincial system or a platform export, and read back.

The checker keeps no account table: the registry says which region and units an account
belongs to, and the caller may push or read only the posts of accounts in its scope.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.exc import IntegrityError

from services.checker.common.clients import service_token
from services.checker.common.context import Ctx, get_ctx
from services.checker.feeds import push
from services.checker.feeds.schemas import (
    JSON_FEED_EXAMPLE,
    BulkPostsPush,
    JsonFeed,
    PostIn,
    PostPage,
    PostRead,
    PostsPush,
    PushResult,
)
from shared.clients.base import UpstreamProblem
from shared.clients.deps import registry_as
from shared.contracts.registry import AccountRead
from shared.errors import Conflict, NotFound, ValidationFailed, problem_responses, summarise

router = APIRouter(tags=["posts"], responses=problem_responses(401, 422))

_LOOKUPS = 8  # registry requests at once while checking a bulk push's accounts


async def _registry_accounts(request: Request, ctx: Ctx,
                             ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, AccountRead]:
    """The registry's record of each account that exists (read with the checker's own scope)."""
    found: dict[uuid.UUID, AccountRead] = {}
    gate = asyncio.Semaphore(_LOOKUPS)
    async with registry_as(request, service_token(ctx.settings.principal_secret)) as registry:

        async def one(account_id: uuid.UUID) -> None:
            async with gate:
                try:
                    found[account_id] = await registry.account(account_id)
                except UpstreamProblem as exc:
                    if exc.status != 404:
                        raise

        await asyncio.gather(*(one(i) for i in set(ids)))
    return found


def _in_scope(ctx: Ctx, account: AccountRead | None) -> bool:
    return account is not None and ctx.principal.sees(account.region_code,
                                                      [account.sponsor_id, account.operator_id])


async def _scoped_account(request: Request, ctx: Ctx, account_id: uuid.UUID) -> AccountRead:
    account = (await _registry_accounts(request, ctx, [account_id])).get(account_id)
    if account is None or not _in_scope(ctx, account):
        raise NotFound(f"账号 {account_id} 不存在")
    return account


def _no_repeats(posts: list[tuple[uuid.UUID, PostIn]], prefix: str) -> None:
    seen: dict[tuple[uuid.UUID, str], int] = {}
    errors: list[dict[str, Any]] = []
    for i, (account_id, post) in enumerate(posts):
        key = (account_id, post.platform_post_id)
        if key in seen:
            errors.append({"field": f"{prefix}.{i}.platform_post_id", "value": post.platform_post_id,
                           "message": f"与第 {seen[key]} 项（从 0 起）是同一账号的同一文章"})
        else:
            seen[key] = i
    if errors:
        raise ValidationFailed(summarise(errors), errors=errors)


async def _store(ctx: Ctx, posts: list[tuple[uuid.UUID, PostIn]]) -> PushResult:
    try:
        result = await push.store_posts(ctx.session, posts, pushed_by=ctx.actor, now=ctx.clock.now())
    except IntegrityError as exc:  # the request's unit of work rolls the batch back
        raise Conflict("另一推送同时写入了相同的文章，本批未保存，请重试") from exc
    return result


@router.post("/accounts/{account_id}/posts", operation_id="pushAccountPosts", response_model=PushResult,
             summary="推送账号文章", responses=problem_responses(403, 404, 409))
async def push_account_posts(account_id: uuid.UUID, body: PostsPush, request: Request,
                             ctx: Ctx = Depends(get_ctx)) -> PushResult:
    """Store an account's posts, idempotently by `platform_post_id`.

    A post already stored with the same content is left alone (unchanged); with changed
    content (title, text, time, link or comments) it is updated; a new id is created. Any bad
    post refuses the whole batch, nothing stored. For accounts read with `feed.kind = "push"`.
    """
    ctx.require_writer(unit_allowed=True)
    await _scoped_account(request, ctx, account_id)
    posts = [(account_id, p) for p in body.posts]
    _no_repeats(posts, "posts")
    return await _store(ctx, posts)


@router.post("/posts:bulk", operation_id="pushPostsBulk", response_model=PushResult,
             summary="批量推送多个账号的文章", responses=problem_responses(403, 409))
async def push_posts_bulk(body: BulkPostsPush, request: Request, ctx: Ctx = Depends(get_ctx)) -> PushResult:
    """Store posts of many accounts at once (a provincial system's export), each with its `account_id`.

    Same rules as pushing for one account. An `account_id` that does not exist or lies outside
    the caller's scope answers 422 naming the item, and nothing is stored.
    """
    ctx.require_writer(unit_allowed=True)
    accounts = await _registry_accounts(request, ctx, (p.account_id for p in body.posts))
    errors = [{"field": f"posts.{i}.account_id", "value": str(p.account_id),
               "message": "账号不存在或不在管辖范围内"}
              for i, p in enumerate(body.posts) if not _in_scope(ctx, accounts.get(p.account_id))]
    if errors:
        raise ValidationFailed(summarise(errors), errors=errors)
    posts: list[tuple[uuid.UUID, PostIn]] = [(p.account_id, p) for p in body.posts]
    _no_repeats(posts, "posts")
    return await _store(ctx, posts)


@router.get("/accounts/{account_id}/posts", operation_id="listAccountPosts", response_model=PostPage,
            summary="查询账号已推送的文章", responses=problem_responses(404))
async def list_account_posts(account_id: uuid.UUID, request: Request, ctx: Ctx = Depends(get_ctx),
                             limit: int = Query(50, ge=1, le=1000),
                             offset: int = Query(0, ge=0)) -> PostPage:
    """An account's pushed posts, newest first."""
    await _scoped_account(request, ctx, account_id)
    rows, total = await push.page_posts(ctx.session, account_id, limit, offset)
    return PostPage(items=[PostRead.model_validate(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/feeds/json-format", operation_id="jsonFeedFormat", response_model=JsonFeed,
            response_model_by_alias=True, summary="JSON 订阅源格式（示例）", tags=["posts"])
async def json_feed_format(ctx: Ctx = Depends(get_ctx)) -> dict[str, Any]:
    """The JSON feed an account may publish for the checker to read (`feed.kind = "json"`).

    JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): each `items[]` is a post — `id`
    (the platform's post id), `title`, `content_text` (or `content_html`, or `summary`),
    `date_published` (RFC 3339; without a zone, Beijing time; `date_modified` when absent),
    `url`. Extensions: `_comments[]` under an item — `id`, `content_text`, `author.name`,
    `date_published`, `is_reply` (true for the account's own reply) and `in_reply_to` (the
    comment answered); `_interaction_enabled` at the top — whether the account offers
    comments or messages; `title` at the top is the account's name. This answers an example.
    """
    return JSON_FEED_EXAMPLE
