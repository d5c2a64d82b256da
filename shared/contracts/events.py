"""The event envelope and the names of events that cross services."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

DELIVER_JOB = "event.deliver"

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
# A task given up after its last attempt (same payload shape as target.inspected, plus `error`).
TARGET_FAILED = "target.failed"
INSPECTION_COMPLETED = "inspection.completed"
CIRCULAR_PUBLISHED = "circular.published"
RECTIFICATION_OVERDUE = "rectification.overdue"
RECTIFICATION_DUE_SOON = "rectification.due_soon"
ERROR_REPORT_OVERDUE = "error_report.overdue"


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
