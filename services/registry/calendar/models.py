"""The calendar_year table: a year's holiday arrangement loaded by a supervisor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field

from services.registry.common.base import RegistryTable
from shared.columns import instant_field


class CalendarYear(RegistryTable, table=True):
    __tablename__ = "calendar_year"

    year: int = Field(primary_key=True)
    holidays: list[str] = Field(sa_type=JSON)
    workdays: list[str] = Field(sa_type=JSON)
    note: str | None = Field(default=None, max_length=500)
    loaded_by: str = Field(max_length=200)
    loaded_at: datetime = instant_field()
