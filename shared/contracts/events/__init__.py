"""The events that cross services: their names, the envelope, and one payload model per event.

The producer builds the payload model and `Outbox.publish` writes its JSON; the consumer reads
it back with `parse_payload`, which refuses a malformed event (a required field missing or of
the wrong type) with `MalformedEvent` instead of reading half of it. The gateway's webhooks send
the same models as their `data` (documented as the callback bodies of its OpenAPI document).

Reading is tolerant of additions only: a field a newer producer adds is ignored by an older
consumer (and not forwarded to webhook subscribers), so fields can be added without a lockstep
release; renaming or removing one is a breaking change.
"""

from shared.contracts.events.catalogue import (
    EVENT_MODELS,
    check_payload,
    parse_event,
    parse_payload,
    payload_type,
)
from shared.contracts.events.checker import (
    FindingItem,
    InspectionCompleted,
    RepostChecked,
    RunNote,
    SystemStalled,
    TargetEventBase,
    TargetFailed,
    TargetInspected,
    TargetRescored,
)
from shared.contracts.events.names import (
    ACTION_EVENT_SUFFIX,
    CIRCULAR_PUBLISHED,
    DELIVER_JOB,
    ERROR_REPORT_OVERDUE,
    FILING_LATE,
    INSPECTION_COMPLETED,
    RECTIFICATION_DUE_SOON,
    RECTIFICATION_OVERDUE,
    REGISTRATION_CLOSED,
    REGISTRATION_REQUESTED,
    REPOST_CHECKED,
    SYSTEM_STALLED,
    TARGET_FAILED,
    TARGET_INSPECTED,
    TARGET_RESCORED,
    EventEnvelope,
    EventPayload,
    EventScope,
    Instant,
    MalformedEvent,
    filing_event_name,
)
from shared.contracts.events.registry import (
    AccountFiled,
    AccountFilingLate,
    FilingBase,
    FilingLate,
    LateFields,
    RegistrationClosed,
    RegistrationEventBase,
    RegistrationRequested,
    WebsiteFiled,
    WebsiteFilingLate,
)
from shared.contracts.events.reporting import (
    CircularPublished,
    ErrorReportOverdue,
    RectificationDueSoon,
    RectificationOverdue,
)
from shared.contracts.events.targets import (
    AccountSibling,
    AccountTarget,
    TargetSnapshot,
    WebsiteTarget,
    parse_target,
)

__all__ = [
    "ACTION_EVENT_SUFFIX",
    "CIRCULAR_PUBLISHED",
    "DELIVER_JOB",
    "ERROR_REPORT_OVERDUE",
    "EVENT_MODELS",
    "FILING_LATE",
    "INSPECTION_COMPLETED",
    "RECTIFICATION_DUE_SOON",
    "RECTIFICATION_OVERDUE",
    "REGISTRATION_CLOSED",
    "REGISTRATION_REQUESTED",
    "REPOST_CHECKED",
    "SYSTEM_STALLED",
    "TARGET_FAILED",
    "TARGET_INSPECTED",
    "TARGET_RESCORED",
    "AccountFiled",
    "AccountFilingLate",
    "AccountSibling",
    "AccountTarget",
    "CircularPublished",
    "ErrorReportOverdue",
    "EventEnvelope",
    "EventPayload",
    "EventScope",
    "FilingBase",
    "FilingLate",
    "FindingItem",
    "InspectionCompleted",
    "Instant",
    "LateFields",
    "MalformedEvent",
    "RectificationDueSoon",
    "RectificationOverdue",
    "RegistrationClosed",
    "RegistrationEventBase",
    "RegistrationRequested",
    "RepostChecked",
    "RunNote",
    "SystemStalled",
    "TargetEventBase",
    "TargetFailed",
    "TargetInspected",
    "TargetRescored",
    "TargetSnapshot",
    "WebsiteFiled",
    "WebsiteFilingLate",
    "WebsiteTarget",
    "check_payload",
    "filing_event_name",
    "parse_event",
    "parse_payload",
    "parse_target",
    "payload_type",
]
