"""Runs (批次) and their per-target tasks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field

from services.checker.common.base import CheckerTable
from shared.columns import id_field, instant_field, optional_instant
from shared.contracts.events import AccountTarget, WebsiteTarget, parse_target


class Run(CheckerTable, table=True):
    id: uuid.UUID = id_field()
    plan_id: uuid.UUID | None = Field(default=None, foreign_key="plan.id", index=True)
    name: str = Field(max_length=200)
    status: str = Field(max_length=16, index=True)  # queued running completed cancelled
    kind: str = Field(default="inspection", max_length=16)  # inspection / recheck (复核)
    # A re-check evaluates only these rule codes; None: every rule of the profile.
    rules: list[str] | None = Field(default=None, sa_type=JSON)
    profile_name: str = Field(max_length=100)
    profile: dict[str, Any] = Field(sa_type=JSON)  # resolved at creation: a run never drifts
    scope: dict[str, Any] = Field(sa_type=JSON)
    owner: dict[str, Any] = Field(sa_type=JSON)
    as_of: datetime = instant_field()  # the monitoring point
    targets_total: int = 0
    created_at: datetime = instant_field(index=True)
    started_at: datetime | None = optional_instant()
    finished_at: datetime | None = optional_instant()
    completed_event_sent: bool = False


class Task(CheckerTable, table=True):
    __table_args__ = (UniqueConstraint("run_id", "target_id", name="uq_task_run_target"),)

    id: uuid.UUID = id_field()
    run_id: uuid.UUID = Field(foreign_key="run.id", index=True)
    target_id: uuid.UUID = Field(index=True)
    target_type: str = Field(default="website", max_length=16)
    target: dict[str, Any] = Field(sa_type=JSON)  # registry snapshot at run creation
    region_code: str = Field(max_length=6, index=True)
    organisation_id: uuid.UUID = Field(index=True)
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    enqueued_at: datetime | None = optional_instant()
    started_at: datetime | None = optional_instant()
    heartbeat_at: datetime | None = optional_instant()
    finished_at: datetime | None = optional_instant()
    pages_fetched: int = 0
    links_checked: int = 0
    findings_count: int = 0
    score: float | None = None
    passed: bool | None = None
    vetoes: list[str] = Field(default_factory=list, sa_type=JSON)
    deductions: dict[str, float] = Field(default_factory=dict, sa_type=JSON)
    # How often a verdict re-scored this result (finding.verdict): reporting keeps the highest.
    revision: int = 0
    error: str | None = Field(default=None, max_length=2000)
    # Times the reconciler took the task back from a worker whose heartbeat stopped.
    recovered: int = 0
    # Why the target could not be inspected (home page not fetched, feed unreadable): such a
    # target is 未能检查, never 合格.
    uninspected_reason: str | None = Field(default=None, max_length=500)

    @property
    def snapshot(self) -> WebsiteTarget | AccountTarget:
        """The registry's record kept at run creation, read through its contract (parsed on
        each call: read it once where the task is loaded)."""
        return parse_target(self.target)

    @property
    def target_code(self) -> str:
        """网站标识码, or platform:platform account id for an account."""
        return target_code(self.snapshot)


def target_code(t: WebsiteTarget | AccountTarget) -> str:
    """网站标识码, or platform:platform account id for an account."""
    return t.site_code if isinstance(t, WebsiteTarget) else f"{t.platform}:{t.platform_account_id}"


def provides_services(t: WebsiteTarget | AccountTarget) -> bool:
    """Whether the site offers online services (scored with them); an account offers none."""
    return t.provides_services if isinstance(t, WebsiteTarget) else False
