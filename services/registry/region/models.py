"""The region table: GB/T 2260 administrative division codes as a tree."""

from __future__ import annotations

from sqlmodel import Field

from services.registry.common.base import RegistryTable


class Region(RegistryTable, table=True):
    code: str = Field(primary_key=True, min_length=6, max_length=6)
    name: str = Field(max_length=100)
    parent_code: str | None = Field(default=None, foreign_key="region.code", index=True)
    level: str = Field(max_length=16)
