"""Real-world violations are recorded with compliance flags, not refused."""

from __future__ import annotations

from tests.registry.factories import JINAN, Registry, account, org, region_tree, site


async def _close(reg: Registry, kind: str, row: dict) -> None:
    etag = (await reg.call("GET", f"/{kind}/{row['id']}")).headers["etag"]
    await reg.ok("POST", f"/{kind}/{row['id']}/filings", headers={"If-Match": etag},
                 json={"action": "close"})


async def test_domain_outside_gov_cn_is_accepted_and_flagged(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    s = await site(registry, await org(registry), domain="lixia.com.cn")
    assert s["compliance_flags"] == ["domain_not_gov_cn"]
    ok = await site(registry, await org(registry), domain="www.lixia.政务", kind="portal")
    assert ok["compliance_flags"] == []
    flagged = await registry.ok("GET", "/websites", params={"flag": "domain_not_gov_cn"})
    assert [x["id"] for x in flagged["items"]] == [s["id"]]


async def test_second_site_of_a_unit_flags_both_until_one_closes(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry)
    a = await site(registry, o)
    b = await site(registry, o)
    assert b["compliance_flags"] == ["unit_multiple_sites"]
    assert (await registry.ok("GET", f"/websites/{a['id']}"))["compliance_flags"] == [
        "unit_multiple_sites"]
    # The flag is derived: the first site's ETag did not change, so its editor is not blocked.
    assert (await registry.call("GET", f"/websites/{a['id']}")).headers["etag"] == '"1"'
    flagged = await registry.ok("GET", "/websites/stats")
    assert flagged["by_flag"] == {"unit_multiple_sites": 2}
    await _close(registry, "websites", b)
    assert (await registry.ok("GET", f"/websites/{a['id']}"))["compliance_flags"] == []
    stats = await registry.ok("GET", "/websites/stats")
    assert stats["by_flag"] == {} and stats["by_status"] == {"running": 1, "closed": 1}


async def test_portal_and_public_institution_domain_rules(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    portal = await site(registry, await org(registry), kind="portal", domain="lixia.gov.cn")
    assert portal["compliance_flags"] == ["portal_domain_not_www"]
    inst = await org(registry, kind="public_institution")
    s = await site(registry, inst, domain="center.jinan.gov.cn")
    assert s["compliance_flags"] == ["public_institution_gov_domain"]


async def test_two_accounts_of_a_unit_on_one_platform_are_flagged(registry: Registry) -> None:
    await region_tree(registry, *JINAN)
    o = await org(registry)
    sub = await account(registry, o, platform="wechat_subscription")
    weibo = await account(registry, o, platform="weibo")
    svc = await account(registry, o, platform="wechat_service")
    # 订阅号 and 服务号 are one platform (微信) for this rule; Weibo is another.
    assert svc["compliance_flags"] == ["unit_multiple_accounts_on_platform"]
    assert (await registry.ok("GET", f"/accounts/{sub['id']}"))["compliance_flags"] == [
        "unit_multiple_accounts_on_platform"]
    assert (await registry.ok("GET", f"/accounts/{weibo['id']}"))["compliance_flags"] == []
    stats = await registry.ok("GET", "/accounts/stats")
    assert stats["by_platform"] == {"wechat_subscription": 1, "wechat_service": 1, "weibo": 1}
    assert stats["by_flag"] == {"unit_multiple_accounts_on_platform": 2}
    await _close(registry, "accounts", svc)
    assert (await registry.ok("GET", f"/accounts/{sub['id']}"))["compliance_flags"] == []
