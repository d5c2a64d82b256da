"""Filing timeliness across the 2026 National Day holiday and its adjusted working Saturday."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from services.registry.tables import OutboxEvent
from shared.principal import Role
from tests.registry.factories import JINAN, Registry, account, org, region_tree, token

SH = ZoneInfo("Asia/Shanghai")


async def _close(reg: Registry, acc: dict, occurred: datetime, filed: datetime) -> dict:
    reg.clock.set(filed)
    etag = (await reg.call("GET", f"/accounts/{acc['id']}")).headers["etag"]
    return dict(await reg.ok("POST", f"/accounts/{acc['id']}/filings", headers={"If-Match": etag},
                             json={"action": "close", "occurred_at": occurred.isoformat()}))


async def _late_events(reg: Registry) -> list[dict]:
    async with reg.app.state.sessionmaker() as s:
        rows = (await s.execute(select(OutboxEvent).where(OutboxEvent.name == "filing.late")))
        return [e.payload for e in rows.scalars()]


async def test_three_working_days_span_the_holiday_and_end_on_the_adjusted_saturday(
        registry: Registry) -> None:
    # Closed on Wed 30 Sep; 1–7 Oct are holidays; Thu 8, Fri 9 and Sat 10 Oct (调休) work.
    await region_tree(registry, *JINAN)
    o = await org(registry)
    registry.clock.set(datetime(2026, 9, 1, 9, 0, tzinfo=SH))
    on_time = await account(registry, o)
    late = await account(registry, o)
    occurred = datetime(2026, 9, 30, 17, 0, tzinfo=SH)

    f1 = await _close(registry, on_time, occurred, datetime(2026, 10, 10, 16, 0, tzinfo=SH))
    assert f1["limit_working_days"] == 3
    assert f1["due_on"] == "2026-10-10"
    assert f1["on_time"] is True

    f2 = await _close(registry, late, occurred, datetime(2026, 10, 11, 9, 0, tzinfo=SH))
    assert f2["due_on"] == "2026-10-10"
    assert f2["on_time"] is False
    assert "2026-10-10" in f2["timeliness_note"]

    events = await _late_events(registry)
    assert [e["target_id"] for e in events] == [late["id"]]
    assert events[0]["due_on"] == "2026-10-10"

    listed = await registry.ok("GET", "/filings", params={"late": "true"})
    assert [f["target_id"] for f in listed["items"]] == [late["id"]]


async def test_a_year_not_loaded_is_named_and_loading_it_answers(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry)
    registry.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SH))
    acc = await account(registry, o)
    # Closed 30 Dec 2026; three working days later is in 2027, which is not bundled.
    f = await _close(registry, acc, datetime(2026, 12, 30, 10, 0, tzinfo=SH),
                     datetime(2027, 1, 6, 10, 0, tzinfo=SH))
    assert f["on_time"] is None and f["due_on"] is None
    assert "2027" in f["timeliness_note"]

    r = await registry.call("GET", "/calendar/add-working-days",
                            params={"start": "2026-12-30", "days": 3})
    assert r.status_code == 422
    assert r.json()["year"] == 2027 and "2027" in r.json()["detail"]

    viewer = token([Role.viewer], all_regions=True)
    body = {"holidays": ["2027-01-01", "2027-01-02", "2027-01-03"], "workdays": [],
            "note": "测试用安排"}
    r = await registry.call("PUT", "/calendar/years/2027", json=body, headers=viewer)
    assert r.status_code == 403
    # The calendar is national: a supervisor, even a national one, does not load a year.
    for refused in (token([Role.supervisor], all_regions=True),
                    token([Role.administrator], regions=["370102"])):
        r = await registry.call("PUT", "/calendar/years/2027", json=body, headers=refused)
        assert r.status_code == 403, r.text
    await registry.ok("PUT", "/calendar/years/2027", json=body,
                      headers=token([Role.administrator], all_regions=True))

    # 31 Dec (Thu) is 1, 1–3 Jan are off, Mon 4 Jan is 2, Tue 5 Jan is 3.
    filings = await registry.ok("GET", f"/accounts/{acc['id']}/filings")
    assert filings[-1]["due_on"] == "2027-01-05"
    assert filings[-1]["on_time"] is False
    years = {y["year"]: y["source"] for y in await registry.ok("GET", "/calendar/years")}
    assert years[2026] == "bundled" and years[2027] == "loaded"


async def test_calendar_rejects_a_weekday_as_adjusted_working_day(registry: Registry) -> None:
    r = await registry.call("PUT", "/calendar/years/2027",
                            json={"holidays": ["2027-01-01"], "workdays": ["2027-01-04"]})
    assert r.status_code == 422
    assert "2027-01-04" in r.json()["detail"]
    r = await registry.call("GET", "/calendar/years/2027")
    assert r.status_code == 422


async def test_calendar_sums(registry: Registry) -> None:
    got = await registry.ok("GET", "/calendar/working-days",
                            params={"start": "2026-09-30", "end": "2026-10-12"})
    assert got["working_days"] == 4  # 8, 9, 10 (调休) and 12 October
    got = await registry.ok("GET", "/calendar/add-working-days",
                            params={"start": "2026-09-30", "days": 3})
    assert got["due_on"] == "2026-10-10"
    assert got["deadline_at"] == "2026-10-10T16:00:00Z"
