"""Event names, the envelope a subscriber receives, and the base of every payload."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, NamedTuple
from uuid import UUID

from pydantic import BaseModel, ConfigDict, PlainSerializer

DELIVER_JOB = "event.deliver"

Instant = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str,
                                               when_used="json")]
"""An instant in an event: written as `datetime.isoformat()` ("…+00:00"), as before the models."""

# What a filing action is called in an event name: website.registered, account.closed, …
ACTION_EVENT_SUFFIX = {
    "register": "registered",
    "open": "opened",
    "change": "changed",
    "migrate": "migrated",
    "announce_closure": "closure_announced",
    "close": "closed",
    "deregister": "deregistered",
}
FILING_LATE = "filing.late"
TARGET_INSPECTED = "target.inspected"
TARGET_RESCORED = "target.rescored"
TARGET_FAILED = "target.failed"
INSPECTION_COMPLETED = "inspection.completed"
CIRCULAR_PUBLISHED = "circular.published"
RECTIFICATION_OVERDUE = "rectification.overdue"
RECTIFICATION_DUE_SOON = "rectification.due_soon"
ERROR_REPORT_OVERDUE = "error_report.overdue"
SYSTEM_STALLED = "system.stalled"
REPOST_CHECKED = "repost.checked"
REGISTRATION_REQUESTED = "registration.requested"
REGISTRATION_CLOSED = "registration.closed"


def filing_event_name(target_type: str, action: str) -> str:
    """Return the event a filing raises, e.g. website.closed."""
    return f"{target_type}.{ACTION_EVENT_SUFFIX[action]}"


class EventEnvelope(BaseModel):
    """What a subscriber's `event.deliver` job receives."""

    id: UUID
    name: str
    source: str
    occurred_at: datetime
    payload: dict[str, Any]
    request_id: str | None = None


class MalformedEvent(ValueError):
    """An event whose name is unknown or whose payload does not match its model."""


class EventScope(NamedTuple):
    """Whom an event concerns: a region (None: all regions) and the organisations it names."""

    region_code: str | None
    organisation_ids: list[UUID]


class EventPayload(BaseModel):
    """Base of every event payload: unknown fields are ignored, missing ones refused."""

    model_config = ConfigDict(extra="ignore")

    def scope(self) -> EventScope:
        """Whom the event concerns (webhook fan-out); by default nobody below all regions."""
        return EventScope(None, [])
