"""The catalogue: every event name with its payload model; reading a payload into it and
refusing one that does not match."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from shared.contracts.events.checker import (
    InspectionCompleted,
    RepostChecked,
    SystemStalled,
    TargetFailed,
    TargetInspected,
    TargetRescored,
)
from shared.contracts.events.names import (
    ACTION_EVENT_SUFFIX,
    CIRCULAR_PUBLISHED,
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
    MalformedEvent,
)
from shared.contracts.events.registry import (
    AccountFiled,
    AccountFilingLate,
    FilingLate,
    RegistrationClosed,
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

# Every event name with its payload model (filing events: see `payload_type`).
EVENT_MODELS: dict[str, Any] = {
    TARGET_INSPECTED: TargetInspected,
    TARGET_RESCORED: TargetRescored,
    TARGET_FAILED: TargetFailed,
    INSPECTION_COMPLETED: InspectionCompleted,
    SYSTEM_STALLED: SystemStalled,
    REPOST_CHECKED: RepostChecked,
    FILING_LATE: FilingLate,
    REGISTRATION_REQUESTED: RegistrationRequested,
    REGISTRATION_CLOSED: RegistrationClosed,
    CIRCULAR_PUBLISHED: CircularPublished,
    RECTIFICATION_OVERDUE: RectificationOverdue,
    RECTIFICATION_DUE_SOON: RectificationDueSoon,
    ERROR_REPORT_OVERDUE: ErrorReportOverdue,
}
_FILED = {"website": WebsiteFiled, "account": AccountFiled}
_FILED_SUFFIXES = set(ACTION_EVENT_SUFFIX.values())


def payload_type(name: str) -> Any:
    """Return the payload type of an event name (a model or an annotated union)."""
    if name in EVENT_MODELS:
        return EVENT_MODELS[name]
    target_type, _, suffix = name.partition(".")
    if target_type in _FILED and suffix in _FILED_SUFFIXES:
        return _FILED[target_type]
    raise MalformedEvent(f"未知事件 {name!r}")


_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(name: str) -> TypeAdapter[Any]:
    kind = payload_type(name)
    key = name if name in EVENT_MODELS else kind.__name__
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(kind)
    return _ADAPTERS[key]


def parse_payload(name: str, payload: dict[str, Any]) -> EventPayload:
    """Read an event's payload into its model; refuse it whole when it does not match."""
    try:
        parsed: EventPayload = _adapter(name).validate_python(payload)
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(payload)'}: {e['msg']}"
                          for e in exc.errors()[:5])
        raise MalformedEvent(f"事件 {name} 的内容不符合约定：{where}") from exc
    return parsed


def parse_event(envelope: EventEnvelope) -> EventPayload:
    """Read an envelope's payload into the model of its event name."""
    return parse_payload(envelope.name, envelope.payload)


def check_payload(name: str, payload: EventPayload) -> None:
    """Refuse to publish a payload that is not the model of its event name."""
    kind = payload_type(name)
    allowed = (WebsiteFilingLate, AccountFilingLate) if name == FILING_LATE else (kind,)
    if type(payload) not in allowed:
        raise TypeError(f"event {name} takes {' or '.join(a.__name__ for a in allowed)}, "
                        f"not {type(payload).__name__}")
