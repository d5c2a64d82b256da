"""Attachments of a rectification report and disputes of findings, as the unit meets them:
type judged by content, size and count capped, other units' files out of reach, a dispute that
cannot reach the checker refused without writing anything."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import delete, func, select

from services.reporting.circular.models import Circular
from services.reporting.config import ReportingSettings
from services.reporting.dispute.models import Dispute
from services.reporting.main import create_app
from services.reporting.rectification.models import RectificationItem
from services.reporting.tables import metadata
from shared.clock import FixedClock
from shared.principal import Role
from tests.registry.factories import token

ORG_A, ORG_B = uuid.uuid4(), uuid.uuid4()
UNIT_A = token([Role.unit], organisations=[ORG_A], subject="unit-a")
UNIT_B = token([Role.unit], organisations=[ORG_B], subject="unit-b")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
PDF = b"%PDF-1.7\n" + bytes(100)
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
async def app(reporting_settings: ReportingSettings) -> AsyncIterator[httpx.AsyncClient]:
    """Reporting with small attachment caps and a checker that does not answer."""
    settings = reporting_settings.model_copy(update={
        "attachment_max_bytes": 1024, "attachment_max_per_subject": 2,
        "checker_url": "http://127.0.0.1:9"})
    application = create_app(settings, FixedClock(NOW))
    async with LifespanManager(application):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                                     base_url="http://reporting") as client:
            client.app = application  # type: ignore[attr-defined]
            yield client
        async with application.state.sessionmaker() as s:
            for table in reversed(metadata.sorted_tables):
                await s.execute(delete(table))
            await s.commit()


async def _items(client: httpx.AsyncClient) -> tuple[str, str]:
    """A published circular with one open item for each unit."""
    async with client.app.state.sessionmaker() as s:  # type: ignore[attr-defined]
        c = Circular(title="通报", region_code="370100", period_start=date(2026, 7, 1),
                     period_end=date(2026, 9, 30), status="published", issuing_office="办公厅",
                     created_by="t", created_at=NOW, updated_at=NOW, published_at=NOW)
        s.add(c)
        await s.flush()
        ids = []
        for org, region in ((ORG_A, "370102"), (ORG_B, "370103")):
            item = RectificationItem(
                circular_id=c.id, target_id=uuid.uuid4(), target_type="website",
                target_code=f"{region}0001", target_name="网站", organisation_id=org,
                organisation_name="单位", region_code=region, rule="content.typo", indicator="错别字",
                severity="deduct", message="错别字", status="open",
                deadline_at=NOW + timedelta(days=20), opened_at=NOW)
            s.add(item)
            ids.append(str(item.id))
        await s.commit()
    return ids[0], ids[1]


def _file(name: str, data: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, "image/png")}


async def test_attachments_are_judged_by_content_capped_and_kept_to_their_unit(
        app: httpx.AsyncClient) -> None:
    mine, theirs = await _items(app)
    url = f"/rectifications/{mine}/attachments"
    r = await app.post(url, headers=UNIT_A, files=_file("evil.png", b"<svg onload=alert(1)>"))
    assert r.status_code == 415 and r.json()["accepted"] == ["image/png", "image/jpeg",
                                                           "application/pdf"], r.text
    r = await app.post(url, headers=UNIT_A, files=_file("big.png", PNG + bytes(2000)))
    assert r.status_code == 413 and r.json()["limit_name"] == "attachment_max_bytes", r.text
    r = await app.post(url, headers=UNIT_A, files=_file("C:\\整改\\通知.png", PDF))
    assert r.status_code == 201, r.text
    scan = r.json()
    assert scan["media_type"] == "application/pdf" and scan["filename"] == "通知.pdf"
    shot = (await app.post(url, headers=UNIT_A, files=_file("shot.png", PNG))).json()
    r = await app.post(url, headers=UNIT_A, files=_file("third.png", PNG))
    assert r.status_code == 409, r.text

    got = await app.get(f"/attachments/{scan['id']}", headers=UNIT_A)
    assert got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment;")
    for path in (f"/attachments/{scan['id']}", url):
        assert (await app.get(path, headers=UNIT_B)).status_code == 404, path
    r = await app.post(f"/rectifications/{theirs}/attachments", headers=UNIT_A, files=_file("x.png", PNG))
    assert r.status_code == 404, r.text

    # A report may list only this item's files.
    other = await app.post(f"/rectifications/{theirs}/attachments", headers=UNIT_B,
                           files=_file("b.png", PNG))
    r = await app.post(f"/rectifications/{mine}/report", headers=UNIT_A, json={
        "note": "已整改", "attachments": [shot["id"], other.json()["id"]]})
    assert r.status_code == 422 and r.json()["errors"][0]["value"] == other.json()["id"], r.text
    r = await app.post(f"/rectifications/{mine}/report", headers=UNIT_A, json={
        "note": "已整改", "attachments": [shot["id"], scan["id"]]})
    assert r.status_code == 200, r.text
    reported = next(e for e in r.json()["events"] if e["to_status"] == "reported")
    assert reported["evidence"]["attachments"] == [shot["id"], scan["id"]]


async def test_a_dispute_the_checker_cannot_confirm_is_refused_and_not_kept(
        app: httpx.AsyncClient) -> None:
    r = await app.post("/disputes", headers=UNIT_A, json={
        "finding_id": str(uuid.uuid4()), "kind": "false_positive", "reason": "误报"})
    assert r.status_code == 503 and r.json()["title"] == "服务暂不可用", r.text
    async with app.app.state.sessionmaker() as s:  # type: ignore[attr-defined]
        assert (await s.execute(select(func.count()).select_from(Dispute))).scalar_one() == 0
    r = await app.post("/disputes", headers=UNIT_A, json={
        "finding_id": str(uuid.uuid4()), "kind": "wrong", "reason": ""})
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} >= {"kind", "reason"}, r.text
