"""The events that cross services: their names, the envelope, and one payload model per event.

The producer builds the payload model and `Outbox.publish` writes its JSON; the consumer reads
it back with `parse_payload`, which refuses a malformed event (a required field missing or of
the wrong type) with `MalformedEvent` instead of reading half of it. The gateway's webhooks send
the same models as their `data` (documented as the callback bodies of its OpenAPI document).

Reading is tolerant of additions only: a field a newer producer adds is ignored by an older
consumer (and not forwarded to webhook subscribers), so fields can be added without a lockstep
release; renaming or removing one is a breaking change.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal, NamedTuple
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    TypeAdapter,
    ValidationError,
)

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


# --- target snapshots ------------------------------------------------------------------


class WebsiteTarget(BaseModel):
    """The registry facts an inspection task keeps of a website (网站)."""

    model_config = ConfigDict(extra="ignore")

    target_type: Literal["website"] = "website"
    id: UUID
    site_code: str = Field(description="网站标识码")
    name: str
    kind: str = Field(description="网站类别（门户、部门等）")
    organisation_id: UUID = Field(description="主办单位")
    organisation_name: str
    region_code: str
    home_url: str
    domains: list[str]
    status: str = Field(description="备案生命周期状态")
    icp_number: str | None = None
    psb_number: str | None = None
    provides_services: bool = True
    politeness: dict[str, Any] | None = Field(default=None, description="备案的抓取礼貌设置")
    portal_domain: str | None = Field(
        default=None, description="部门网站：本级门户网站的主域名（部门网站应为其子域名）")

    @property
    def code(self) -> str:
        """How a person finds the site: its 网站标识码."""
        return self.site_code


class AccountSibling(BaseModel):
    """Another running account of the same unit on the same platform family."""

    id: UUID
    name: str
    platform: str
    status: str


class AccountTarget(BaseModel):
    """The registry facts an inspection task keeps of a new-media account (政务新媒体).

    `organisation_*` name the sponsor (主办单位) and `kind` is the platform, so findings, scope
    and reporting treat an account like a website.
    """

    model_config = ConfigDict(extra="ignore")

    target_type: Literal["account"] = "account"
    id: UUID
    platform: str
    platform_label: str
    platform_account_id: str
    name: str
    kind: str = Field(description="平台（与 platform 相同）")
    organisation_id: UUID = Field(description="主办单位")
    organisation_name: str
    region_code: str
    status: str
    url: str | None = None
    compliance_flags: list[str] = Field(default_factory=list)
    siblings: list[AccountSibling] = Field(default_factory=list)
    feed: dict[str, Any] | None = Field(default=None, description="备案的内容读取配置")

    @property
    def code(self) -> str:
        """How a person finds the account on its platform: the platform account id."""
        return self.platform_account_id


def _target_tag(value: Any) -> str:
    # Website snapshots written before the tag existed carry no target_type: a website.
    if isinstance(value, dict):
        return str(value.get("target_type") or "website")
    return str(getattr(value, "target_type", "website"))


TargetSnapshot = Annotated[
    Annotated[WebsiteTarget, Tag("website")] | Annotated[AccountTarget, Tag("account")],
    Discriminator(_target_tag)]
"""A task's target: a website or an account, told apart by `target_type`."""

_TARGET_ADAPTER: TypeAdapter[WebsiteTarget | AccountTarget] = TypeAdapter(TargetSnapshot)


def parse_target(data: Any) -> WebsiteTarget | AccountTarget:
    """A stored target snapshot read through its contract: a malformed one raises, never half-read."""
    return _TARGET_ADAPTER.validate_python(data)


# --- checker -----------------------------------------------------------------------------


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


# --- registry ----------------------------------------------------------------------------


class FilingBase(EventPayload):
    """What every filing event carries (website.registered, account.closed, …)."""

    filing_id: UUID
    target_id: UUID
    action: str
    from_status: str | None
    to_status: str
    occurred_at: Instant
    name: str
    region_code: str
    status: str


class WebsiteFiled(FilingBase):
    """A website's filing (`website.<action>`)."""

    target_type: Literal["website"] = "website"
    site_code: str
    organisation_id: UUID
    domains: list[str]
    home_url: str

    @property
    def owner_id(self) -> UUID:
        """The organisation the filing concerns (the site's sponsor)."""
        return self.organisation_id

    def scope(self) -> EventScope:
        """The sponsor's region and the sponsor."""
        return EventScope(self.region_code, [self.organisation_id])


class AccountFiled(FilingBase):
    """An account's filing (`account.<action>`)."""

    target_type: Literal["account"] = "account"
    platform: str
    platform_account_id: str
    sponsor_id: UUID

    @property
    def owner_id(self) -> UUID:
        """The organisation the filing concerns (the account's sponsor)."""
        return self.sponsor_id

    def scope(self) -> EventScope:
        """The sponsor's region and the sponsor."""
        return EventScope(self.region_code, [self.sponsor_id])


class LateFields(BaseModel):
    """What `filing.late` adds to the filing's own event."""

    due_on: date | None
    limit_working_days: int | None
    filed_at: Instant


class WebsiteFilingLate(WebsiteFiled, LateFields):
    """`filing.late` of a website."""


class AccountFilingLate(AccountFiled, LateFields):
    """`filing.late` of an account."""


FilingLate = Annotated[WebsiteFilingLate | AccountFilingLate, Field(discriminator="target_type")]
"""`filing.late`: a lifecycle action filed later than its limit in working days."""


# --- reporting ---------------------------------------------------------------------------


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


# --- the catalogue -----------------------------------------------------------------------

# Every event name with its payload model (filing events: see `payload_type`).
EVENT_MODELS: dict[str, Any] = {
    TARGET_INSPECTED: TargetInspected,
    TARGET_RESCORED: TargetRescored,
    TARGET_FAILED: TargetFailed,
    INSPECTION_COMPLETED: InspectionCompleted,
    SYSTEM_STALLED: SystemStalled,
    REPOST_CHECKED: RepostChecked,
    FILING_LATE: FilingLate,
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
