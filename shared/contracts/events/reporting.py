"""The reporting service's events: a circular published, rectifications overdue or due soon,
an error report overdue."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from shared.contracts.events.names import (
    CIRCULAR_PUBLISHED,
    ERROR_REPORT_OVERDUE,
    RECTIFICATION_DUE_SOON,
    RECTIFICATION_OVERDUE,
    EventPayload,
    EventScope,
    Instant,
)


class CircularPublished(EventPayload):
    """`circular.published`: a quarterly circular (通报) was published."""

    NAME: ClassVar[str] = CIRCULAR_PUBLISHED

    circular_id: UUID
    title: str
    number: str
    region_code: str
    period_start: date
    period_end: date
    deadline_at: Instant
    rectification_items: int = Field(description="本次新开的整改事项数")

    def scope(self) -> EventScope:
        """The circular's region."""
        return EventScope(self.region_code, [])


class RectificationOverdue(EventPayload):
    """`rectification.overdue`: a rectification item past its deadline."""

    NAME: ClassVar[str] = RECTIFICATION_OVERDUE

    item_id: UUID
    circular_id: UUID
    target_id: UUID
    target_type: Literal["website", "account"]
    target_code: str
    target_name: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    rule: str
    indicator: str
    severity: str
    status: str
    deadline_at: Instant

    def scope(self) -> EventScope:
        """The target's region and sponsor."""
        return EventScope(self.region_code, [self.organisation_id])


class RectificationDueSoon(RectificationOverdue):
    """`rectification.due_soon`: a rectification item within a few working days of its deadline."""

    NAME: ClassVar[str] = RECTIFICATION_DUE_SOON

    working_days_left: int


class ErrorReportOverdue(EventPayload):
    """`error_report.overdue`: a 我为政府网站找错 message not answered in time."""

    NAME: ClassVar[str] = ERROR_REPORT_OVERDUE

    error_report_id: UUID
    website_id: UUID
    site_code: str
    site_name: str
    organisation_id: UUID
    organisation_name: str
    region_code: str
    category: str
    submitted_at: Instant
    deadline_at: Instant

    def scope(self) -> EventScope:
        """The site's region and sponsor."""
        return EventScope(self.region_code, [self.organisation_id])
