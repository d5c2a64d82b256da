"""Availability probes: the sites watched and one row per probe."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from services.checker.common.base import CheckerTable
from shared.columns import id_field, instant_field, optional_instant


class MonitoredSite(CheckerTable, table=True):
    __tablename__ = "monitored_site"

    website_id: uuid.UUID = Field(primary_key=True)
    site_code: str = Field(max_length=10)
    home_url: str = Field(max_length=2048)
    status: str = Field(max_length=16)  # the registry's lifecycle status
    probes_per_day: int = 24
    next_probe_at: datetime | None = optional_instant(index=True)
    updated_at: datetime = instant_field()


class ProbeSample(CheckerTable, table=True):
    __tablename__ = "probe_sample"
    __table_args__ = (Index("ix_probe_site_at", "website_id", "probed_at"),)

    id: uuid.UUID = id_field()
    website_id: uuid.UUID
    probed_at: datetime = instant_field()
    ok: bool
    status: int | None = None
    elapsed_ms: float | None = None
    failure: str | None = Field(default=None, max_length=32)
    retried: bool = False
