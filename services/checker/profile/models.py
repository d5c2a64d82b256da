"""Rule profiles (local overrides of the national one) and managed word lists."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field

from services.checker.common.base import CheckerTable
from shared.columns import id_field, instant_field
from shared.principal import NATION


class RuleProfile(CheckerTable, table=True):
    __tablename__ = "rule_profile"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=100, unique=True)
    description: str | None = Field(default=None, max_length=1000)
    base: str = Field(default="national_2019", max_length=100)
    # Deep-merged over the base profile: {"rules": {code: {...}}, "scoring": {...}}.
    overrides: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int = 1
    created_by: str = Field(max_length=200)
    created_at: datetime = instant_field()
    updated_at: datetime = instant_field()


class WordEntry(CheckerTable, table=True):
    __tablename__ = "word_entry"
    __table_args__ = (UniqueConstraint("list_name", "region_code", "wrong",
                                       name="uq_word_entry_list_region_wrong"),)

    id: uuid.UUID = id_field()
    list_name: str = Field(max_length=20)  # typo / expression
    # Where the entry applies: the region's subtree; 100000 (the nation) for a national entry.
    region_code: str = Field(default=NATION, max_length=6)
    wrong: str = Field(max_length=100)
    right: str = Field(max_length=200)
    level: str = Field(default="general", max_length=20)
    exceptions: list[str] = Field(default_factory=list, sa_type=JSON)
    note: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=200)
    created_at: datetime = instant_field()
