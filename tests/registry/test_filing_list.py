"""GET /filings: scoped by the target's current unit, filtered by lateness and paged in SQL."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared.principal import Role
from tests.registry.factories import JINAN, Registry, account, org, region_tree, site, token
from tests.registry.test_timeliness import _close

SH = ZoneInfo("Asia/Shanghai")
LIXIA, SHIZHONG = "370102", "370103"


async def test_late_and_on_time_filings_page_with_exact_totals(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry)
    registry.clock.set(datetime(2026, 9, 1, 9, 0, tzinfo=SH))
    accs = [await account(registry, o) for _ in range(5)]
    occurred = datetime(2026, 9, 30, 17, 0, tzinfo=SH)  # due Sat 10 Oct (调休), see test_timeliness
    late_ids = []
    for i, acc in enumerate(accs):
        filed = datetime(2026, 10, 10 + i, 9, 0, tzinfo=SH)  # 10 Oct on time, 11–14 Oct late
        await _close(registry, acc, occurred, filed)
        if i:
            late_ids.append(acc["id"])

    pages = [await registry.ok("GET", "/filings", params={"late": "true", "limit": 3, "offset": k})
             for k in (0, 3)]
    assert [p["total"] for p in pages] == [4, 4]
    # Newest first: filed 14, 13, 12 Oct, then 11 Oct.
    assert [f["target_id"] for p in pages for f in p["items"]] == late_ids[::-1]
    assert all(f["on_time"] is False for p in pages for f in p["items"])

    on_time = await registry.ok("GET", "/filings", params={"late": "false", "action": "close"})
    assert (on_time["total"], [f["target_id"] for f in on_time["items"]]) == (1, [accs[0]["id"]])
    everything = await registry.ok("GET", "/filings", params={"limit": 4, "offset": 8})
    # 5 registrations (filed on the day, no limit breached) and 5 closures: 10 in all.
    assert everything["total"] == 10 and len(everything["items"]) == 2


async def test_filings_follow_a_site_that_moves_to_another_county(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    lx, sz = await org(registry, LIXIA), await org(registry, SHIZHONG)
    s = await site(registry, lx, code="3701000001")
    lixia, shizhong = (token([Role.supervisor], regions=[c]) for c in (LIXIA, SHIZHONG))
    assert (await registry.ok("GET", "/filings", headers=lixia))["total"] == 1
    assert (await registry.ok("GET", "/filings", headers=shizhong))["total"] == 0

    # The city moves the site to a Shizhong sponsor (its 标识码 prefix 370100 fits both).
    etag = (await registry.call("GET", f"/websites/{s['id']}")).headers["etag"]
    await registry.ok("POST", f"/websites/{s['id']}/filings", headers={"If-Match": etag},
                      json={"action": "change", "changes": {"organisation_id": sz["id"]}})
    assert (await registry.ok("GET", "/filings", headers=lixia))["total"] == 0
    moved = await registry.ok("GET", "/filings", headers=shizhong)
    assert [f["action"] for f in moved["items"]] == ["change", "register"]
