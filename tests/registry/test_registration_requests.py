"""Registration requests (补报备案通知): a supervisor asks a unit to file a discovered account or
site; the unit sees it; its filing closes it; the supervisor may withdraw it."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import col, select

from services.registry.tables import OutboxEvent
from shared.contracts.events import (
    REGISTRATION_CLOSED,
    REGISTRATION_REQUESTED,
    EventPayload,
    RegistrationClosed,
    RegistrationRequested,
    parse_payload,
)
from shared.principal import Role
from tests.registry.factories import JINAN, Registry, account, org, region_tree, site, token
from tests.registry.test_bulk import csv_bytes

SUPERVISOR = token([Role.supervisor], regions=["370100"], subject="jinan-supervisor")


def _unit(o: dict) -> dict[str, str]:
    return token([Role.unit], organisations=[uuid.UUID(o["id"])], subject="lixia-unit")


async def _events(reg: Registry) -> list[tuple[str, EventPayload]]:
    """The registration events in the registry's outbox, oldest first, read through the
    catalogue as a subscriber reads them."""
    async with reg.app.state.sessionmaker() as s:
        rows = (await s.execute(select(OutboxEvent).where(
            col(OutboxEvent.name).in_([REGISTRATION_REQUESTED, REGISTRATION_CLOSED]))
            .order_by(col(OutboxEvent.occurred_at)))).scalars().all()
        return [(e.name, parse_payload(e.name, e.payload)) for e in rows]


async def test_unit_sees_request_and_its_filing_closes_it(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia, other = await org(registry), await org(registry, region_code="370103")
    body = {"kind": "account", "organisation_id": lixia["id"], "platform": "douyin",
            "platform_account_id": "MS4wLjABAAAA_lixia", "name": "历下文旅",
            "url": "https://www.douyin.com/user/MS4wLjABAAAA_lixia",
            "seen_on": ["https://www.lixia.gov.cn/xmt/"]}
    made = await registry.ok("POST", "/registration-requests", json=body, headers=SUPERVISOR)
    assert made["status"] == "open" and made["status_label"] == "待补报"
    assert made["organisation_name"] == lixia["name"] and made["requested_by"].startswith("jinan-supervisor")
    # The same object asked twice of one unit: 409 naming the open request.
    again = await registry.call("POST", "/registration-requests", json=body, headers=SUPERVISOR)
    assert again.status_code == 409 and again.json()["existing_id"] == made["id"]
    # A unit may not make one.
    refused = await registry.call("POST", "/registration-requests", json={
        **body, "name": "别的"}, headers=_unit(lixia))
    assert refused.status_code == 403

    mine = await registry.ok("GET", "/registration-requests", headers=_unit(lixia))
    assert [r["id"] for r in mine] == [made["id"]]
    assert await registry.ok("GET", "/registration-requests", headers=_unit(other)) == []
    hidden = await registry.call("GET", f"/registration-requests/{made['id']}", headers=_unit(other))
    assert hidden.status_code == 404

    filed = await account(registry, lixia, platform="douyin", account_id="MS4wLjABAAAA_lixia")
    closed = await registry.ok("GET", f"/registration-requests/{made['id']}", headers=_unit(lixia))
    assert closed["status"] == "filed" and closed["filed_target_id"] == filed["id"]
    assert await registry.ok("GET", "/registration-requests?status=open", headers=SUPERVISOR) == []
    # Once filed, asking again is refused: the account is in the registry.
    late = await registry.call("POST", "/registration-requests", json=body, headers=SUPERVISOR)
    assert late.status_code == 409 and late.json()["existing_id"] == filed["id"]


async def test_site_request_closed_by_registration_and_dismissal_needs_if_match(
        registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia = await org(registry)
    made = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "website", "organisation_id": lixia["id"], "name": "历下区文化馆",
        "domain": "WHG.Lixia.gov.cn", "seen_on": ["https://www.lixia.gov.cn/"]})
    assert made["domain"] == "whg.lixia.gov.cn"
    s = await site(registry, lixia, domain="whg.lixia.gov.cn")
    done = await registry.ok("GET", f"/registration-requests/{made['id']}", headers=SUPERVISOR)
    assert done["status"] == "filed" and done["filed_target_id"] == s["id"]

    other = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "account", "organisation_id": lixia["id"], "platform": "wechat_subscription",
        "name": "历下区某某", "seen_on": ["https://www.lixia.gov.cn/gzwm.html"]})
    url = f"/registration-requests/{other['id']}/dismissal"
    no_tag = await registry.call("POST", url, json={"note": "经核实非本单位账号"}, headers=SUPERVISOR)
    assert no_tag.status_code == 428
    stale = await registry.call("POST", url, json={"note": "经核实非本单位账号"},
                                headers={**SUPERVISOR, "If-Match": '"9"'})
    assert stale.status_code == 412
    gone = await registry.ok("POST", url, json={"note": "经核实非本单位账号"},
                             headers={**SUPERVISOR, "If-Match": '"1"'})
    assert gone["status"] == "dismissed" and gone["closing_note"] == "经核实非本单位账号"
    twice = await registry.call("POST", url, json={"note": "再次"},
                                headers={**SUPERVISOR, "If-Match": '"2"'})
    assert twice.status_code == 409


async def test_bad_requests_name_the_field(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia = await org(registry)
    for body, field in [
        ({"kind": "website", "organisation_id": lixia["id"], "name": "x"}, "domain"),
        ({"kind": "account", "organisation_id": lixia["id"], "name": "x"}, "platform"),
        ({"kind": "website", "organisation_id": lixia["id"], "name": "x", "domain": "a..b"},
         "domain"),
        ({"kind": "account", "organisation_id": lixia["id"], "name": "x", "platform": "weibo",
          "seen_on": ["javascript:alert(1)"]}, "seen_on"),
        ({"kind": "account", "organisation_id": str(uuid.uuid4()), "name": "x",
          "platform": "weibo"}, "organisation_id"),
    ]:
        r = await registry.call("POST", "/registration-requests", json=body, headers=SUPERVISOR)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in r.text


async def test_an_imported_account_and_a_migrated_site_close_their_requests(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia = await org(registry, name="历下区文旅局")
    ask = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "account", "organisation_id": lixia["id"], "platform": "weibo",
        "platform_account_id": "5800000099", "name": "历下文旅"})
    site_ask = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "website", "organisation_id": lixia["id"], "name": "历下文旅网",
        "domain": "wl.lixia.gov.cn"})
    header = ["平台", "平台账号ID", "账号名称", "主办单位", "主办单位区划", "状态"]
    r = await registry.call("POST", "/accounts/import", files={"file": ("a.csv", csv_bytes(header, [
        ["新浪微博", "5800000099", "历下文旅", "历下区文旅局", "370102", "运行中"]]), "text/csv")})
    assert r.status_code == 200, r.text
    assert (await registry.ok("GET", f"/registration-requests/{ask['id']}"))["status"] == "filed"
    # A filed site that migrates onto the requested domain answers that request too.
    s = await site(registry, lixia, domain="old-wl.lixia.gov.cn")
    etag = (await registry.call("GET", f"/websites/{s['id']}")).headers["etag"]
    await registry.ok("POST", f"/websites/{s['id']}/filings", headers={"If-Match": etag}, json={
        "action": "migrate", "changes": {"domains": ["wl.lixia.gov.cn"],
                                         "home_url": "https://wl.lixia.gov.cn/"}})
    done = await registry.ok("GET", f"/registration-requests/{site_ask['id']}")
    assert (done["status"], done["filed_target_id"]) == ("filed", s["id"])
    # Each closing published its registration.closed, in the import's and the filing's transaction.
    closed = [(str(e.registration_request_id), e.outcome, str(e.filed_target_id))
              for _, e in await _events(registry) if isinstance(e, RegistrationClosed)]
    imported = (await registry.ok("GET", f"/registration-requests/{ask['id']}"))["filed_target_id"]
    assert sorted(closed) == sorted([(ask["id"], "filed", imported),
                                     (site_ask["id"], "filed", s["id"])])


async def test_a_request_publishes_registration_requested_and_a_refused_one_nothing(
        registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia = await org(registry, name="历下区文化和旅游局")
    await account(registry, lixia, platform="weibo", account_id="5800000001")
    body = {"kind": "account", "organisation_id": lixia["id"], "platform": "douyin",
            "platform_account_id": "MS4wLjABAAAA_lixia", "name": "历下文旅",
            "url": "https://www.douyin.com/user/MS4wLjABAAAA_lixia",
            "seen_on": ["https://www.lixia.gov.cn/xmt/"], "note": "门户网站新媒体矩阵页列出",
            "finding_id": str(uuid.uuid4())}
    made = await registry.ok("POST", "/registration-requests", json=body, headers=SUPERVISOR)

    [(name, event)] = await _events(registry)
    assert name == "registration.requested" and isinstance(event, RegistrationRequested)
    assert event == RegistrationRequested(
        registration_request_id=uuid.UUID(made["id"]), kind="account",
        organisation_id=uuid.UUID(lixia["id"]), organisation_name="历下区文化和旅游局",
        region_code="370102", name="历下文旅", platform="douyin", platform_label="抖音",
        platform_account_id="MS4wLjABAAAA_lixia", domain=None,
        url="https://www.douyin.com/user/MS4wLjABAAAA_lixia",
        seen_on=["https://www.lixia.gov.cn/xmt/"], finding_id=uuid.UUID(body["finding_id"]),
        note="门户网站新媒体矩阵页列出", created_at=registry.clock.now())
    assert event.scope() == ("370102", [uuid.UUID(lixia["id"])])

    # Refused requests publish nothing: the same one again, one for a filed account, a bad
    # one, one by a unit.
    for refused, headers, code in [
        (body, SUPERVISOR, 409),
        ({**body, "platform": "weibo", "platform_account_id": "5800000001", "name": "别的"},
         SUPERVISOR, 409),
        ({**body, "organisation_id": str(uuid.uuid4()), "name": "别的"}, SUPERVISOR, 422),
        ({**body, "name": "别的"}, _unit(lixia), 403),
    ]:
        r = await registry.call("POST", "/registration-requests", json=refused, headers=headers)
        assert r.status_code == code, (refused, r.text)
    assert len(await _events(registry)) == 1

    # A website request names its domain and no platform.
    registry.clock.advance(timedelta(minutes=1))
    site_made = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "website", "organisation_id": lixia["id"], "name": "历下区文化馆",
        "domain": "WHG.Lixia.gov.cn"})
    _, site_event = (await _events(registry))[-1]
    assert isinstance(site_event, RegistrationRequested)
    assert (site_event.registration_request_id, site_event.kind, site_event.domain,
            site_event.platform, site_event.platform_label, site_event.seen_on) == (
        uuid.UUID(site_made["id"]), "website", "whg.lixia.gov.cn", None, None, [])


async def test_dismissal_publishes_registration_closed_once(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia = await org(registry)
    made = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "account", "organisation_id": lixia["id"], "platform": "wechat_subscription",
        "name": "历下区某某"})
    registry.clock.advance(timedelta(days=3))
    url = f"/registration-requests/{made['id']}/dismissal"
    for headers, code in [({}, 428), ({"If-Match": '"9"'}, 412)]:
        r = await registry.call("POST", url, json={"note": "经核实非本单位账号"},
                                headers={**SUPERVISOR, **headers})
        assert r.status_code == code, r.text
    assert [n for n, _ in await _events(registry)] == ["registration.requested"]

    await registry.ok("POST", url, json={"note": "经核实非本单位账号"},
                      headers={**SUPERVISOR, "If-Match": '"1"'})
    twice = await registry.call("POST", url, json={"note": "再次"},
                                headers={**SUPERVISOR, "If-Match": '"2"'})
    assert twice.status_code == 409
    events = await _events(registry)
    assert [n for n, _ in events] == ["registration.requested", "registration.closed"]
    closed = events[1][1]
    assert isinstance(closed, RegistrationClosed)
    assert (closed.registration_request_id, closed.outcome, closed.outcome_label, closed.note,
            closed.filed_target_id, closed.closed_at) == (
        uuid.UUID(made["id"]), "dismissed", "已撤销", "经核实非本单位账号", None,
        registry.clock.now())
    assert (closed.kind, closed.organisation_id, closed.region_code, closed.platform,
            closed.platform_label, closed.name) == (
        "account", uuid.UUID(lixia["id"]), "370102", "wechat_subscription", "微信公众号（订阅号）",
        "历下区某某")


async def test_the_registration_that_answers_a_request_publishes_it_filed(
        registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lixia, shizhong = await org(registry), await org(registry, region_code="370103")
    by_id = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "account", "organisation_id": lixia["id"], "platform": "douyin",
        "platform_account_id": "MS4wLjABAAAA_lixia", "name": "历下文旅"})
    # The same account asked of a second unit (it was not known whose it is): both close.
    by_id_too = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "account", "organisation_id": shizhong["id"], "platform": "douyin",
        "platform_account_id": "MS4wLjABAAAA_lixia", "name": "历下文旅"})
    site_ask = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "website", "organisation_id": lixia["id"], "name": "历下区文化馆",
        "domain": "whg.lixia.gov.cn"})
    untouched = await registry.ok("POST", "/registration-requests", headers=SUPERVISOR, json={
        "kind": "account", "organisation_id": lixia["id"], "platform": "weibo",
        "name": "历下文旅微博"})
    registry.clock.advance(timedelta(days=1))

    acc = await account(registry, lixia, platform="douyin", account_id="MS4wLjABAAAA_lixia")
    s = await site(registry, lixia, domain="whg.lixia.gov.cn")

    closed = [e for n, e in await _events(registry) if n == "registration.closed"]
    assert all(isinstance(e, RegistrationClosed) for e in closed)
    got = {(str(e.registration_request_id), e.outcome, str(e.filed_target_id), e.region_code)
           for e in closed if isinstance(e, RegistrationClosed)}
    assert got == {(by_id["id"], "filed", acc["id"], "370102"),
                   (by_id_too["id"], "filed", acc["id"], "370103"),
                   (site_ask["id"], "filed", s["id"], "370102")}
    assert len(closed) == 3  # one per request closed; the untouched one stays open
    assert all(isinstance(e, RegistrationClosed) and e.outcome_label == "已补报备案"
               and e.note is None and e.closed_at == registry.clock.now() for e in closed)
    assert (await registry.ok("GET", f"/registration-requests/{untouched['id']}"))["status"] == "open"
