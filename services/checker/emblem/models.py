"""The emblem reference table: one row per reference image, labelled current or superseded."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from services.checker.common.base import CheckerTable
from shared.columns import id_field, instant_field


class EmblemReference(CheckerTable, table=True):
    __tablename__ = "emblem_reference"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=100)
    status: str = Field(max_length=20)  # current / superseded
    phash: str = Field(max_length=16, index=True)  # 64-bit pHash, hex
    width: int
    height: int
    note: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=200)
    created_at: datetime = instant_field()
