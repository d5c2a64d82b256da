"""Posts pushed to the checker (a provincial system or a platform export), one row per platform post."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field

from services.checker.common.base import CheckerTable
from shared.columns import id_field, instant_field


class AccountPost(CheckerTable, table=True):
    __tablename__ = "account_posts"
    __table_args__ = (
        UniqueConstraint("account_id", "platform_post_id", name="uq_account_posts_account_post"),
        Index("ix_account_posts_account_published", "account_id", "published_at"),
    )

    id: uuid.UUID = id_field()
    account_id: uuid.UUID  # the registry's account
    platform_post_id: str = Field(max_length=200)
    title: str = Field(default="", max_length=1000)
    text: str = Field(default="", sa_type=Text)
    published_at: datetime = instant_field()
    url: str | None = Field(default=None, max_length=2000)
    comments: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    pushed_by: str = Field(max_length=200)  # the principal's subject
    received_at: datetime = instant_field()
    updated_at: datetime = instant_field()
