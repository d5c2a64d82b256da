"""Wire shapes of account posts: the JSON feed an account may publish, and posts pushed to us.

Both appear in the checker's OpenAPI description (the JSON feed through
`GET /feeds/json-format`, the push bodies through `POST /accounts/{account_id}/posts`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field


def _zoned(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("时间须带时区，如 2026-11-20T10:00:00+08:00")
    return value


Instant = Annotated[datetime, AfterValidator(_zoned)]


# --- The JSON feed: JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) plus comments ---------

class JsonFeedAuthor(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, max_length=200)
    url: str | None = None


class JsonFeedComment(BaseModel):
    """A comment under a post, or the account's reply to one (extension of JSON Feed 1.1)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str | None = Field(default=None, max_length=200, description="平台评论编号")
    content_text: str = Field(validation_alias=AliasChoices("content_text", "text"), max_length=20000,
                              description="评论内容（纯文本）")
    date_published: datetime | None = Field(default=None, description="发表时间，RFC 3339")
    author: JsonFeedAuthor | None = None
    is_reply: bool = Field(default=False, description="true：账号自己的回复")
    in_reply_to: str | None = Field(default=None, max_length=200, description="所回复评论的 id")


class JsonFeedItem(BaseModel):
    """One post: JSON Feed 1.1 item fields; `_comments` (or `comments`) carries comments and replies."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str = Field(max_length=200, description="平台文章编号，幂等键")
    url: str | None = None
    title: str | None = Field(default=None, max_length=1000)
    content_text: str | None = None
    content_html: str | None = Field(default=None, description="无 content_text 时取其中文字")
    summary: str | None = None
    date_published: datetime | None = Field(default=None, description="发布时间，RFC 3339；缺时区按北京时间")
    date_modified: datetime | None = Field(default=None, description="无 date_published 时使用")
    authors: list[JsonFeedAuthor] = Field(default_factory=list)
    comments: list[JsonFeedComment] = Field(
        default_factory=list, validation_alias=AliasChoices("_comments", "comments"),
        serialization_alias="_comments", description="评论及账号回复（扩展字段 _comments）")


JSON_FEED_EXAMPLE: dict[str, Any] = {
    "version": "https://jsonfeed.org/version/1.1", "title": "济南发布",
    "home_page_url": "https://weibo.example/jinanfabu", "_interaction_enabled": True,
    "items": [{"id": "4961234567", "url": "https://weibo.example/jinanfabu/4961234567",
               "title": "冬季供暖保障工作启动", "content_text": "全市集中供暖于11月15日起正式启动……",
               "date_published": "2026-11-15T08:00:00+08:00",
               "_comments": [{"id": "c1", "content_text": "我们小区还不热", "author": {"name": "市民"}},
                             {"id": "c2", "content_text": "已转供热公司处理", "is_reply": True,
                              "in_reply_to": "c1"}]}]}


class JsonFeed(BaseModel):
    """An account's posts as a JSON feed (JSON Feed 1.1 with the extensions below).

    - `title`: the account's name as the platform shows it (compared with the filing);
    - `_interaction_enabled`: whether the account offers comments or messages;
    - `items[]._comments[]`: comments, and the account's replies (`is_reply: true`).
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True,
                              json_schema_extra={"examples": [JSON_FEED_EXAMPLE]})

    version: str | None = Field(default=None, description="https://jsonfeed.org/version/1.1")
    title: str | None = Field(default=None, max_length=200, description="账号名称")
    home_page_url: str | None = None
    feed_url: str | None = None
    interaction_enabled: bool | None = Field(
        default=None, validation_alias=AliasChoices("_interaction_enabled", "interaction_enabled"),
        serialization_alias="_interaction_enabled", description="账号是否开通留言/评论互动功能")
    items: list[JsonFeedItem] = Field(default_factory=list)


# --- Pushed posts ----------------------------------------------------------------------------

class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=20000)
    published_at: Instant | None = None
    author: str | None = Field(default=None, max_length=200)
    platform_comment_id: str | None = Field(default=None, max_length=200)
    is_reply: bool = Field(default=False, description="true：账号自己的回复")
    in_reply_to: str | None = Field(default=None, max_length=200,
                                    description="所回复评论的 platform_comment_id")


class PostIn(BaseModel):
    """One post as a platform export or a provincial system sends it."""

    model_config = ConfigDict(extra="forbid")

    platform_post_id: str = Field(min_length=1, max_length=200,
                                  description="平台文章编号；同一账号内唯一，幂等键")
    title: str = Field(default="", max_length=1000)
    text: str = Field(default="", max_length=200_000)
    published_at: Instant
    url: str | None = Field(default=None, max_length=2000)
    comments: list[CommentIn] = Field(default_factory=list, max_length=5000)


class PostsPush(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"posts": [{
        "platform_post_id": "4961234567", "title": "冬季供暖保障工作启动",
        "text": "全市集中供暖于11月15日起正式启动……", "published_at": "2026-11-15T08:00:00+08:00",
        "url": "https://weibo.example/jinanfabu/4961234567",
        "comments": [{"text": "我们小区还不热", "platform_comment_id": "c1"},
                     {"text": "已转供热公司处理", "is_reply": True, "in_reply_to": "c1"}]}]}]})

    posts: list[PostIn] = Field(min_length=1, max_length=5000)


class AccountPostIn(PostIn):
    account_id: UUID = Field(description="登记系统中的账号编号")


class BulkPostsPush(BaseModel):
    """Posts of many accounts at once (a provincial system's export)."""

    model_config = ConfigDict(extra="forbid")

    posts: list[AccountPostIn] = Field(min_length=1, max_length=20000)


class PushResult(BaseModel):
    created: int = Field(description="新增的文章数")
    updated: int = Field(description="内容有变化而更新的文章数")
    unchanged: int = Field(description="与已存内容相同的文章数")


class PostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    account_id: UUID
    platform_post_id: str
    title: str
    text: str
    published_at: datetime
    url: str | None
    comments: list[CommentIn]
    received_at: datetime
    updated_at: datetime


class PostPage(BaseModel):
    items: list[PostRead]
    total: int
    limit: int
    offset: int
