"""Circulars end to end in the reporting service: results from events, a draft, publication."""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from sqlmodel import select

from services.reporting.common.outbox import OutboxEvent, ProcessedEvent
from services.reporting.rectification.models import RectificationItem
from services.reporting.result.intake import handle
from shared.clock import SystemClock
from shared.contracts.events import EventEnvelope
from shared.events import consume_once
from shared.principal import Role
from tests.registry.factories import JINAN, region_tree, token
from tests.reporting.conftest import Reporting
from tests.shared.spreadsheets import PAYLOADS, xlsx_texts

SH = ZoneInfo("Asia/Shanghai")
SITES = {
    # site code: (region, kind, passed, problems)
    "3701020001": ("370102", "portal", True, []),
    "3701020002": ("370102", "department", False, [("veto.homepage_stale", "首页不更新", "veto")]),
    "3701030001": ("370103", "portal", True, [("deduct.links", "链接不可用", "deduct")]),
    "3701030002": ("370103", "department", False, [("veto.security", "暗链", "veto"),
                                                   ("content.typo", "错别字", "deduct")]),
}


def _event(code: str, as_of: datetime, run_id: uuid.UUID, name: str | None = None) -> EventEnvelope:
    region, kind, passed, problems = SITES[code]
    target_id = uuid.uuid5(uuid.NAMESPACE_DNS, code)
    return EventEnvelope(
        id=uuid.uuid4(), name="target.inspected", source="checker", occurred_at=as_of,
        payload={"run_id": str(run_id), "task_id": str(uuid.uuid4()), "as_of": as_of.isoformat(),
                 "run_kind": "inspection", "rules": None, "target_type": "website",
                 "target": {"id": str(target_id), "site_code": code, "name": name or f"网站{code}",
                            "organisation_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, "org" + code)),
                            "organisation_name": name or f"单位{code[-4:]}", "region_code": region,
                            "kind": kind, "home_url": f"http://{code}.gov.cn/",
                            "domains": [f"{code}.gov.cn"], "status": "running"},
                 "score": 90.0 if passed else None, "passed": passed,
                 "vetoes": [r for r, _, s in problems if s == "veto"], "deductions": {},
                 "findings": [{"rule": r, "indicator": i, "severity": s, "message": f"{i}：示例",
                               "url": f"http://{code}.gov.cn/", "fingerprint": f"fp-{code}-{r}"}
                              for r, i, s in problems]})


async def _feed(rep: Reporting, as_of: datetime, names: dict[str, str] | None = None) -> None:
    run_id = uuid.uuid4()
    for code in SITES:
        event = _event(code, as_of, run_id, (names or {}).get(code))

        async def apply(session, env):  # type: ignore[no-untyped-def]
            await handle(session, env, as_of)

        assert await consume_once(rep.app.state.sessionmaker, ProcessedEvent, event, apply,
                                  SystemClock())
        # The same event delivered again is ignored.
        assert not await consume_once(rep.app.state.sessionmaker, ProcessedEvent, event, apply,
                                      SystemClock())


async def _draft(rep: Reporting, names: dict[str, str] | None = None,
                 **extra: Any) -> dict[str, Any]:
    await region_tree(rep.registry, *JINAN)
    await _feed(rep, datetime(2026, 11, 10, 9, tzinfo=SH), names)
    r = await rep.client.post("/circulars", json={
        "region_code": "370100", "quarter": "2026Q4", "issuing_office": "济南市人民政府办公厅",
        "narrative": {"practices": "各区县高度重视。", "requirements": "逐项整改到位。"}, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_draft_figures_are_exact_and_traceable(reporting: Reporting) -> None:
    c = await _draft(reporting)
    assert c["status"] == "draft" and c["title"] == "关于2026年第四季度济南市政府网站和政务新媒体检查情况的通报"
    f = c["data"]["figures"]
    assert (f["websites.checked"]["value"], f["websites.passed"]["value"]) == (4, 2)
    assert f["websites.pass_rate"]["value"] == 50.0
    assert [g["indicator"] for g in c["data"]["vetoes"]] == ["首页不更新", "暗链"]  # ties by rule code
    assert [(r["region_name"], r["checked"]) for r in c["data"]["region_rates"]] == [
        ("历下区", 2), ("市中区", 2)]
    rows = (await reporting.client.get(f"/circulars/{c['id']}/figures/websites.passed")).json()
    assert sorted(r["target_code"] for r in rows["rows"]) == ["3701020001", "3701030001"]
    missing = await reporting.client.get(f"/circulars/{c['id']}/figures/nope")
    assert missing.status_code == 404


async def test_narrative_is_editable_in_a_draft_and_figures_are_not(reporting: Reporting) -> None:
    c = await _draft(reporting)
    r = await reporting.client.patch(f"/circulars/{c['id']}", json={
        "narrative": {"practices": "新的主要做法。", "requirements": "新的整改要求。"}})
    assert r.status_code == 200 and r.json()["narrative"]["practices"] == "新的主要做法。"
    r = await reporting.client.patch(f"/circulars/{c['id']}", json={"data": {"figures": {}}})
    assert r.status_code == 422
    # A misspelt paragraph is refused (the document says additionalProperties: false), not lost.
    r = await reporting.client.patch(f"/circulars/{c['id']}", json={
        "narrative": {"practise": "拼错的段落名。"}})
    assert r.status_code == 422 and "practise" in r.text


async def test_publishing_numbers_freezes_and_opens_rectification(reporting: Reporting) -> None:
    c = await _draft(reporting, deadline_at="2026-12-31T18:00:00+08:00")
    r = await reporting.client.post(f"/circulars/{c['id']}/publish",
                                    json={"number": "济政办字〔2026〕19号", "issued_on": "2026-12-01"})
    assert r.status_code == 200, r.text
    published = r.json()
    assert published["status"] == "published" and published["number"] == "济政办字〔2026〕19号"
    assert "务必于2026年12月31日18:00前完成整改及复核" in published["data"]["deadline_text"]
    async with reporting.app.state.sessionmaker() as s:
        items = (await s.execute(select(RectificationItem))).scalars().all()
        events = [e.name for e in (await s.execute(select(OutboxEvent))).scalars()]
    # One item per (site, rule) problem that is not a mere warning.
    assert sorted((i.target_code, i.rule) for i in items) == [
        ("3701020002", "veto.homepage_stale"), ("3701030001", "deduct.links"),
        ("3701030002", "content.typo"), ("3701030002", "veto.security")]
    assert events == ["circular.published"]

    # New results after publication do not change the published figures.
    await _feed(reporting, datetime(2026, 11, 20, 9, tzinfo=SH))
    again = (await reporting.client.get(f"/circulars/{c['id']}")).json()
    assert again["data"] == published["data"]
    assert (await reporting.client.patch(f"/circulars/{c['id']}", json={"title": "改"})).status_code == 409
    assert (await reporting.client.post(f"/circulars/{c['id']}/publish",
                                        json={"number": "济政办字〔2026〕20号"})).status_code == 409
    # A correction is a new circular.
    corr = await reporting.client.post(f"/circulars/{c['id']}/corrections")
    assert corr.status_code == 201 and corr.json()["corrects_id"] == c["id"]
    dup = await reporting.client.post(f"/circulars/{corr.json()['id']}/publish",
                                      json={"number": "济政办字〔2026〕19号"})
    assert dup.status_code == 409


async def test_documents_download_in_every_format(reporting: Reporting) -> None:
    c = await _draft(reporting)
    r = await reporting.client.get(f"/circulars/{c['id']}/document", params={"format": "docx"})
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert c["title"] in text and "一、总体情况" in text
    for fmt in ("xlsx", "html", "md", "json"):
        r = await reporting.client.get(f"/circulars/{c['id']}/document", params={"format": fmt})
        assert r.status_code == 200 and len(r.content) > 100, fmt
    r = await reporting.client.get(f"/circulars/{c['id']}/document",
                                   params={"format": "md", "traditional": "true"})
    assert "網站" in r.text


async def test_a_site_that_could_not_be_inspected_is_listed_with_its_reason_never_passed(
        reporting: Reporting) -> None:
    await region_tree(reporting.registry, *JINAN)
    run_id = uuid.uuid4()
    for day, passed in ((3, None), (10, True)):  # an earlier verdict, then a blocked home page
        as_of = datetime(2026, 11, day, 9, tzinfo=SH)
        base = _event("3701020001", as_of, run_id).payload
        payload = {**base, "score": 96.0 if passed else None, "passed": passed, "findings": [],
                   "uninspected_reason": None if passed else "首页无法访问：地址被安全策略拦截（blocked）"}
        gone = {**base, "task_id": str(uuid.uuid4()), "score": None, "passed": None, "findings": [],
                "uninspected_reason": "首页无法访问：域名无法解析（dns）",
                "target": {**base["target"], "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, "gone")),
                           "site_code": "3701020009",
                           "name": "某局网站"}}
        for p in (payload, gone):
            async with reporting.app.state.sessionmaker() as session:
                await handle(session, EventEnvelope(id=uuid.uuid4(), name="target.inspected",
                                                    source="checker", occurred_at=as_of,
                                                    payload=p), as_of)
                await session.commit()
    r = await reporting.client.post("/circulars", json={
        "region_code": "370100", "quarter": "2026Q4", "issuing_office": "济南市人民政府办公厅"})
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    # The site judged once in the quarter counts by that verdict; the other only in the gaps.
    assert (data["websites_total"]["checked"]["value"], data["websites_total"]["passed"]["value"]) == (1, 1)
    assert [(g["target_code"], g["reason"]) for g in data["gaps"]] == [
        ("3701020009", "首页无法访问：域名无法解析（dns）")]
    r = await reporting.client.get(f"/circulars/{r.json()['id']}/document", params={"format": "xlsx"})
    assert "首页无法访问：域名无法解析（dns）" in xlsx_texts(r.content)


async def test_xlsx_attachment_keeps_formula_names_as_text(reporting: Reporting) -> None:
    """Target and unit names that look like formulas stay text in the circular's workbook."""
    names = dict(zip(SITES, PAYLOADS[:4], strict=True))
    c = await _draft(reporting, names)
    r = await reporting.client.get(f"/circulars/{c['id']}/document", params={"format": "xlsx"})
    assert r.status_code == 200
    texts = xlsx_texts(r.content)
    assert all(any(p == t for t in texts) for p in names.values())


async def test_scope_of_drafts_and_who_may_write(reporting: Reporting) -> None:
    c = await _draft(reporting)
    county = token([Role.supervisor], regions=["370102"])
    assert (await reporting.client.get(f"/circulars/{c['id']}", headers=county)).status_code == 404
    r = await reporting.client.post("/circulars", headers=county, json={
        "region_code": "370100", "quarter": "2026Q4", "issuing_office": "历下区政府办"})
    assert r.status_code == 403
    viewer = token([Role.viewer], all_regions=True)
    r = await reporting.client.post(f"/circulars/{c['id']}/publish", headers=viewer,
                                    json={"number": "济政办字〔2026〕21号"})
    assert r.status_code == 403


async def test_an_account_that_could_not_be_read_is_not_counted_as_failed(reporting: Reporting) -> None:
    await region_tree(reporting.registry, *JINAN)
    as_of = datetime(2026, 11, 10, 9, tzinfo=SH)
    run_id = uuid.uuid4()
    base = _event("3701020001", as_of, run_id).payload
    for passed, name, vetoes in ((False, "济南发布（僵尸）", ["veto.account_stale"]),
                                 (None, "济南发布（无法读取）", [])):
        payload = {**base, "task_id": str(uuid.uuid4()), "target_type": "account",
                   "passed": passed, "vetoes": vetoes, "findings": [], "feed_status":
                   "ok" if passed is not None else "unreadable",
                   "target": {"target_type": "account", "id": str(uuid.uuid4()),
                              "platform": "wechat", "platform_label": "微信公众号",
                              "platform_account_id": name, "name": name, "kind": "wechat",
                              "organisation_id": base["target"]["organisation_id"],
                              "organisation_name": base["target"]["organisation_name"],
                              "region_code": base["target"]["region_code"],
                              "status": "running"}}
        async with reporting.app.state.sessionmaker() as session:
            await handle(session, EventEnvelope(id=uuid.uuid4(), name="target.inspected",
                                                source="checker", occurred_at=as_of,
                                                payload=payload), as_of)
            await session.commit()
    r = await reporting.client.post("/circulars", json={
        "region_code": "370100", "quarter": "2026Q4", "issuing_office": "济南市人民政府办公厅"})
    assert r.status_code == 201, r.text
    totals = r.json()["data"]["accounts_total"]
    assert (totals["checked"]["value"], totals["passed"]["value"]) == (1, 0)
    names = [row["target_name"] for row in r.json()["data"]["rows"]]
    assert "济南发布（僵尸）" in names and "济南发布（无法读取）" not in names
    # Named in the gap list instead, with a reason: never silently dropped, never 合格.
    gaps = r.json()["data"]["gaps"]
    assert [(g["target_name"], g["verdict_label"]) for g in gaps] == [("济南发布（无法读取）", "未能检查")]
    assert gaps[0]["reason"] and r.json()["data"]["figures"]["gaps"]["value"] == 1
