"""The checker's events: a target inspected, rescored or failed; an inspection completed;
the system stalled; a repost checked."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.events.names import (
    INSPECTION_COMPLETED,
    REPOST_CHECKED,
    SYSTEM_STALLED,
    TARGET_FAILED,
    TARGET_INSPECTED,
    TARGET_RESCORED,
    EventPayload,
    EventScope,
    Instant,
)
from shared.contracts.events.targets import TargetSnapshot


class FindingItem(BaseModel):
    """One finding that counts in a result."""

    rule: str
    indicator: str
    severity: str = Field(description="veto / deduct / warn")
    message: str
    url: str | None = None
    fingerprint: str | None = None


class RunNote(BaseModel):
    """A fact about the run that is not a finding, e.g. kind availability_unknown."""

    model_config = ConfigDict(extra="allow")

    kind: str
    message: str


class TargetEventBase(EventPayload):
    """What every event about one inspection task carries."""

    run_id: UUID
    task_id: UUID
    as_of: Instant = Field(description="监测时点")
    run_kind: str = Field(description="inspection 检查 / recheck 复核")
    rules: list[str] | None = Field(default=None, description="复核只看这些规则；空为全部")
    target_type: Literal["website", "account"]
    target: TargetSnapshot

    def scope(self) -> EventScope:
        """The target's region and sponsor."""
        return EventScope(self.target.region_code, [self.target.organisation_id])


class TargetInspected(TargetEventBase):
    """`target.inspected`: one target's result in a run.

    Accounts: `rating` is excellent / passed / failed / unjudged; `feed_status` is ok / gone /
    unreadable / not_configured, and an unreadable or unconfigured feed gives passed null (not
    judged). Websites: feed_status null, rating null or "unjudged" when the home page could not
    be fetched. A target not judged (passed null, 未能检查) carries `uninspected_reason`.
    """

    NAME: ClassVar[str] = TARGET_INSPECTED

    revision: int = Field(default=0, description="该任务结果的修订号（target.inspected 为 0）")
    score: float | None = None
    passed: bool | None = None
    vetoes: list[str] = Field(default_factory=list)
    deductions: dict[str, float] = Field(default_factory=dict)
    rating: str | None = None
    feed_status: str | None = None
    posts_read: int = 0
    notes: list[RunNote] = Field(default_factory=list)
    uninspected_reason: str | None = None
    findings: list[FindingItem] = Field(default_factory=list)


class TargetRescored(TargetInspected):
    """`target.rescored`: a supervisor's verdict changed which findings of a target's latest
    result count. Same shape as target.inspected (same run_id and task_id) plus `reason`;
    findings lists only those that still count; feed_status, posts_read and notes are not
    repeated. `revision` counts up with each re-score: a copy keeps the highest it has seen."""

    NAME: ClassVar[str] = TARGET_RESCORED

    reason: Literal["verdict"] = "verdict"


class TargetFailed(TargetEventBase):
    """`target.failed`: a task given up after its last attempt."""

    NAME: ClassVar[str] = TARGET_FAILED

    error: str
    attempts: int


class InspectionCompleted(EventPayload):
    """`inspection.completed`: every task of a run finished (a run may span regions)."""

    NAME: ClassVar[str] = INSPECTION_COMPLETED

    run_id: UUID
    finished_at: Instant
    targets_total: int
    targets_done: int
    targets_failed: int
    targets_passed: int
    targets_uninspected: int


class SystemStalled(EventPayload):
    """`system.stalled`: the checker's self-watch saw a run without progress or a plan that did
    not fire. No region: only all-regions subscribers receive it."""

    NAME: ClassVar[str] = SYSTEM_STALLED

    kind: Literal["run.stalled", "plan.overdue"]
    subject_type: str
    subject_id: UUID
    name: str
    since: Instant
    message: str


class RepostChecked(EventPayload):
    """`repost.checked`: an inspection judged a repost task on one site or account — the first
    time, and again when it found the repost (the callback to the system that issued the task)."""

    NAME: ClassVar[str] = REPOST_CHECKED

    task_id: UUID
    external_id: str | None  # the issuing system's task id, when the task was imported
    title: str
    published_on: date
    due_on: date
    target_type: Literal["website", "account"]
    target_id: UUID
    target_code: str
    target_name: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    status: Literal["on_time", "late", "missing", "pending"]
    found_url: str | None
    found_published_at: Instant | None
    run_id: UUID
    checked_at: Instant

    def scope(self) -> EventScope:
        """The reposting site's or account's region and unit."""
        return EventScope(self.region_code, [self.organisation_id])
