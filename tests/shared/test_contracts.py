"""Event contracts: producers publish models, consumers read them whole or refuse them loudly."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.checker.run.service import account_snapshot, target_snapshot
from services.registry.tables import OutboxDelivery, OutboxEvent
from shared.clock import FixedClock
from shared.contracts.events import (
    EVENT_MODELS,
    FILING_LATE,
    RECTIFICATION_OVERDUE,
    REGISTRATION_CLOSED,
    REGISTRATION_REQUESTED,
    TARGET_INSPECTED,
    AccountFilingLate,
    AccountTarget,
    EventEnvelope,
    MalformedEvent,
    RectificationOverdue,
    RegistrationClosed,
    RegistrationRequested,
    TargetInspected,
    WebsiteFilingLate,
    WebsiteTarget,
    parse_event,
    parse_payload,
    payload_type,
)
from shared.contracts.registry import AccountRead, WebsiteRead
from shared.events import Outbox

T0 = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
ORG = uuid.uuid4()


def _site(**extra: object) -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "site_code": "3701020001", "name": "历下区人民政府门户网站",
            "kind": "portal", "organisation_id": str(ORG), "organisation_name": "历下区人民政府",
            "region_code": "370102", "home_url": "http://www.lixia.gov.cn/",
            "domains": ["www.lixia.gov.cn"], "status": "running", **extra}


def _inspected(target: dict[str, object], target_type: str = "website") -> dict[str, object]:
    return {"run_id": str(uuid.uuid4()), "task_id": str(uuid.uuid4()), "as_of": T0.isoformat(),
            "run_kind": "inspection", "rules": None, "target_type": target_type,
            "target": target, "score": 92.5, "passed": True, "vetoes": [],
            "deductions": {"content.typo": 1.0},
            "findings": [{"rule": "content.typo", "indicator": "错别字", "severity": "deduct",
                          "message": "错别字：示例", "url": None, "fingerprint": "fp1"}]}


def _overdue() -> RectificationOverdue:
    return RectificationOverdue(
        item_id=uuid.uuid4(), circular_id=uuid.uuid4(), target_id=uuid.uuid4(),
        target_type="website", target_code="3701020001", target_name="历下区人民政府门户网站",
        organisation_id=ORG, organisation_name="历下区人民政府", region_code="370102",
        rule="deduct.links", indicator="链接可用性", severity="deduct", status="open",
        deadline_at=T0)


def test_every_event_name_has_a_model_and_filing_events_are_typed_by_target() -> None:
    for name in EVENT_MODELS:
        assert payload_type(name) is EVENT_MODELS[name]
    assert payload_type("website.closed").__name__ == "WebsiteFiled"
    assert payload_type("account.registered").__name__ == "AccountFiled"
    with pytest.raises(MalformedEvent, match=r"website\.exploded"):
        payload_type("website.exploded")


def test_a_target_is_read_as_website_or_account_by_its_tag() -> None:
    site = parse_payload(TARGET_INSPECTED, _inspected(_site(target_type="website")))
    assert isinstance(site, TargetInspected) and isinstance(site.target, WebsiteTarget)
    assert site.target.code == "3701020001" and site.findings[0].fingerprint == "fp1"
    account = {"target_type": "account", "id": str(uuid.uuid4()), "platform": "wechat",
               "platform_label": "微信公众号", "platform_account_id": "gh_lixia", "name": "历下发布",
               "kind": "wechat", "organisation_id": str(ORG), "organisation_name": "历下区人民政府",
               "region_code": "370102", "status": "running"}
    read = parse_payload(TARGET_INSPECTED, _inspected(account, "account"))
    assert isinstance(read, TargetInspected) and isinstance(read.target, AccountTarget)
    assert read.target.code == "gh_lixia"  # the account's own id, never a site_code fallback
    # A website snapshot stored before snapshots carried their tag is still a website.
    old = parse_payload(TARGET_INSPECTED, _inspected(_site()))
    assert isinstance(old, TargetInspected) and isinstance(old.target, WebsiteTarget)


def test_a_malformed_event_is_refused_whole_naming_what_is_wrong() -> None:
    broken = _inspected(_site(target_type="website"))
    del broken["target"]["home_url"]  # type: ignore[attr-defined]
    broken["score"] = "很高"
    envelope = EventEnvelope(id=uuid.uuid4(), name=TARGET_INSPECTED, source="checker",
                             occurred_at=T0, payload=broken)
    with pytest.raises(MalformedEvent) as refused:
        parse_event(envelope)
    assert "target.website.home_url" in str(refused.value) and "score" in str(refused.value)
    # An account filing.late without its sponsor is refused, not read as organisation-less.
    late = {"filing_id": str(uuid.uuid4()), "target_type": "account",
            "target_id": str(uuid.uuid4()), "action": "close", "from_status": "running",
            "to_status": "closed", "occurred_at": T0.isoformat(), "name": "历下发布",
            "region_code": "370102", "status": "closed", "platform": "wechat",
            "platform_account_id": "gh_lixia", "due_on": "2026-11-01",
            "limit_working_days": 5, "filed_at": T0.isoformat()}
    with pytest.raises(MalformedEvent, match="sponsor_id"):
        parse_payload(FILING_LATE, late)
    ok = parse_payload(FILING_LATE, {**late, "sponsor_id": str(ORG)})
    assert isinstance(ok, AccountFilingLate) and ok.owner_id == ORG and ok.due_on == date(2026, 11, 1)
    site_late = parse_payload(FILING_LATE, {**late, "target_type": "website",
                                            "site_code": "3701020001", "organisation_id": str(ORG),
                                            "domains": [], "home_url": "http://x.gov.cn/"})
    assert isinstance(site_late, WebsiteFilingLate) and site_late.scope().organisation_ids == [ORG]


def test_registration_events_name_the_unit_and_refuse_an_unknown_outcome() -> None:
    request = {"registration_request_id": str(uuid.uuid4()), "kind": "website",
               "organisation_id": str(ORG), "organisation_name": "历下区文化和旅游局",
               "region_code": "370102", "name": "历下区文化馆", "platform": None,
               "platform_label": None, "platform_account_id": None, "domain": "whg.lixia.gov.cn"}
    asked = parse_payload(REGISTRATION_REQUESTED, {
        **request, "url": None, "seen_on": [], "finding_id": None, "note": None,
        "created_at": T0.isoformat()})
    assert isinstance(asked, RegistrationRequested) and asked.scope() == ("370102", [ORG])
    closed = {**request, "outcome": "filed", "outcome_label": "已补报备案",
              "filed_target_id": str(uuid.uuid4()), "note": None, "closed_at": T0.isoformat()}
    done = parse_payload(REGISTRATION_CLOSED, closed)
    assert isinstance(done, RegistrationClosed) and done.scope() == ("370102", [ORG])
    with pytest.raises(MalformedEvent, match="outcome"):
        parse_payload(REGISTRATION_CLOSED, {**closed, "outcome": "lost"})
    with pytest.raises(MalformedEvent, match="region_code"):
        parse_payload(REGISTRATION_CLOSED, {k: v for k, v in closed.items() if k != "region_code"})
    with pytest.raises(TypeError):  # one event's model under the other's name
        Outbox("registry", OutboxEvent, OutboxDelivery, {}, FixedClock(T0)).publish(
            AsyncSession(), REGISTRATION_CLOSED, asked)


def test_publish_takes_the_event_model_only_and_keeps_the_wire_format() -> None:
    outbox = Outbox("registry", OutboxEvent, OutboxDelivery, {"rectification.*": ["q"]},
                    FixedClock(T0))
    session = AsyncSession()
    with pytest.raises(TypeError):
        outbox.publish(session, RECTIFICATION_OVERDUE, {"item_id": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # the right shape under the wrong name is refused too
        outbox.publish(session, TARGET_INSPECTED, _overdue())
    outbox.publish(session, RECTIFICATION_OVERDUE, _overdue())
    [event] = [o for o in session.new if isinstance(o, OutboxEvent)]
    assert event.payload["deadline_at"] == "2026-11-10T01:00:00+00:00"  # isoformat, as before
    assert event.payload["organisation_id"] == str(ORG)
    assert parse_payload(RECTIFICATION_OVERDUE, event.payload) == _overdue().model_copy(
        update={"item_id": uuid.UUID(event.payload["item_id"]),
                "circular_id": uuid.UUID(event.payload["circular_id"]),
                "target_id": uuid.UUID(event.payload["target_id"])})


def test_the_checker_snapshots_are_the_contract_types() -> None:
    site = WebsiteRead.model_validate(WebsiteRead.model_json_schema()["examples"][0])
    snap = target_snapshot(site)
    assert snap["target_type"] == "website"
    assert WebsiteTarget.model_validate(snap).site_code == site.site_code
    acc = AccountRead.model_validate(AccountRead.model_json_schema()["examples"][0])
    snap = account_snapshot(acc)
    assert snap["target_type"] == "account"
    assert AccountTarget.model_validate(snap).organisation_id == acc.sponsor_id
