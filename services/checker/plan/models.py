"""Inspection plans: what to inspect, how often, with which profile."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field

from services.checker.common.base import CheckerTable
from shared.columns import id_field, instant_field, optional_instant


class Plan(CheckerTable, table=True):
    id: uuid.UUID = id_field()
    name: str = Field(max_length=200)
    # {"regions": [...], "organisation_ids": [...], "website_ids": [...]}
    scope: dict[str, Any] = Field(sa_type=JSON)
    profile: str = Field(default="national_2019", max_length=100)
    interval_hours: int | None = None  # None: run by hand only
    next_run_at: datetime | None = optional_instant(index=True)
    enabled: bool = True
    # The creator's principal: scheduled runs read the registry with exactly this scope.
    owner: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime = instant_field()
