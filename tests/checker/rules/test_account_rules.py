"""Account rules on snapshots: 僵尸 at the boundary, 空壳, posts' content, registry data, unreadable."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from services.checker.ground.account import AccountSnapshot, AccountTarget, Sibling
from services.checker.ground.feed import FeedRead, Post
from services.checker.ground.finding import FindingDraft
from services.checker.inspect.evaluate import evaluate_account
from services.checker.inspect.scoring import score
from services.checker.profile.loader import deep_merge, national_profile
from services.checker.rules.params import WordLists

AS_OF = datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=8)))
FRESH = AS_OF - timedelta(days=1)


def account(*, status: str = "running", name: str = "历下发布", platform: str = "weibo",
            flags: list[str] | None = None, siblings: list[Sibling] | None = None) -> AccountTarget:
    return AccountTarget(id=uuid.uuid4(), platform=platform, platform_label="新浪微博",
                         platform_account_id="1234567890", name=name,
                         organisation_id=uuid.uuid4(), organisation_name="历下区人民政府办公室",
                         region_code="370102", status=status, url="https://weibo.com/u/1234567890",
                         compliance_flags=flags or [], siblings=siblings or [])


def post(text: str = "我区召开安全生产工作会议，部署冬季安全生产工作。", *, at: datetime = FRESH,
         title: str = "我区召开安全生产工作会议", pid: str | None = None) -> Post:
    pid = pid or uuid.uuid4().hex[:10]
    return Post(platform_post_id=pid, title=title, text=text, published_at=at,
                url=f"https://weibo.com/1234567890/{pid}")


def snap(posts: list[Post] | None = None, *, target: AccountTarget | None = None,
         status: str = "ok", **feed: Any) -> AccountSnapshot:
    posts = posts if posts is not None else [post()]
    read = FeedRead(status=status, fetched_at=AS_OF, posts=posts,  # type: ignore[arg-type]
                    posts_seen=feed.pop("posts_seen", len(posts)), **feed)
    return AccountSnapshot(target=target or account(), as_of=AS_OF, feed=read)


def run(s: AccountSnapshot, profile: dict[str, Any] | None = None) -> list[FindingDraft]:
    return evaluate_account(s, profile or national_profile(), WordLists())


def rules(findings: list[FindingDraft]) -> list[str]:
    return sorted(f.rule for f in findings)


def test_a_clean_account_has_no_findings_and_passes() -> None:
    findings = run(snap([post(), post("区政府发布冬季供暖工作通知。", title="供暖通知")]))
    assert findings == []
    result = score(findings, national_profile()["scoring"], provides_services=True,
                   target_type="account")
    assert (result.passed, result.score, result.rating) == (True, None, "passed")


def test_zombie_exactly_at_the_two_week_boundary() -> None:
    boundary = AS_OF - timedelta(days=14)
    assert run(snap([post(at=boundary)])) == []
    late = run(snap([post(at=boundary - timedelta(seconds=1))]))
    assert rules(late) == ["veto.account_stale"]
    assert late[0].severity == "veto"
    assert "超过14天未更新" in late[0].message
    result = score(late, national_profile()["scoring"], provides_services=True,
                   target_type="account")
    assert (result.passed, result.vetoes) == (False, ["veto.account_stale"])


def test_old_posts_outside_the_read_window_still_mean_stale_not_empty() -> None:
    # The reader kept no post since `since`, but the source showed an old one.
    found = run(snap([], latest_post_at=AS_OF - timedelta(days=90), posts_seen=3))
    assert rules(found) == ["veto.account_stale"]
    assert found[0].detail["age_days"] == 90


def test_a_post_after_the_monitoring_point_does_not_count() -> None:
    found = run(snap([post(at=AS_OF - timedelta(days=30)), post(at=AS_OF + timedelta(days=1))]))
    assert rules(found) == ["veto.account_stale"]


def test_an_account_with_no_posts_is_empty_not_zombie() -> None:
    found = run(snap([], posts_seen=0))
    assert rules(found) == ["account.empty"]
    assert "空壳" in found[0].message


def test_unreadable_is_its_own_finding_and_never_zombie() -> None:
    found = run(snap([], status="unreadable", error="HTTP 503", failure_class="http_5xx",
                     posts_seen=0))
    assert rules(found) == ["account.unreadable"]
    assert found[0].severity == "warn"
    assert found[0].detail["failure_class"] == "http_5xx"
    result = score(found, national_profile()["scoring"], provides_services=True,
                   target_type="account", judged=False)
    assert (result.passed, result.vetoes, result.rating) == (None, [], "unjudged")
    assert rules(run(snap([], status="not_configured", posts_seen=0))) == ["account.unreadable"]


def test_typos_and_id_numbers_in_posts_with_look_alikes_left_alone() -> None:
    planted = post("各部门要按步就班推进工作。申请人身份证号11010519491231002X，请核对。",
                   title="关于推进工作的通知", pid="p-planted")
    look_alikes = post(
        "各部门要按部就班推进工作。编号370102198001011238（校验位不符）；"
        "发布日期20231120，时间戳20230101120000123456；联系电话138****1234。",
        title="工作动态", pid="p-clean")
    found = run(snap([planted, look_alikes]))
    assert rules(found) == ["content.personal_info", "content.typo"]
    typo = next(f for f in found if f.rule == "content.typo")
    assert (typo.offending, typo.suggestion) == ("按步就班", "按部就班")
    assert typo.message.startswith("新浪微博账号“历下发布”发布的《关于推进工作的通知》中有错别字")
    assert typo.url == "https://weibo.com/1234567890/p-planted"
    assert typo.detail["post_id"] == "p-planted"
    leak = next(f for f in found if f.rule == "content.personal_info")
    assert leak.offending == "110105********002X"
    assert "11010519491231002X" not in (leak.excerpt or "") + leak.message
    assert leak.severity == "veto"  # same profile block as websites: a full ID number vetoes


def test_expression_errors_and_illegal_links_are_vetoes() -> None:
    bad = post("深入学习贯彻习近平新时代中国特色社会主意思想。", title="学习", pid="p-expr")
    link = post("详情见 https://www.bet-casino88.com/promo 。", title="活动", pid="p-link")
    fine = post("政策原文见 https://www.gov.cn/zhengce/ 。", title="政策", pid="p-fine")
    found = run(snap([bad, link, fine]))
    assert [f.detail.get("kind") for f in found] == ["expression", "illegal_link"]
    assert all(f.rule == "veto.security" and f.severity == "veto" for f in found)
    assert found[1].offending == "https://www.bet-casino88.com/promo"


def test_unrelated_and_advertising_posts_are_warnings() -> None:
    ad = post("限时优惠！扫码购买本地特产，全场包邮。", title="特产促销", pid="p-ad")
    gossip = post("本周十二星座运势大揭秘。", title="星座", pid="p-star")
    procurement = post("区财政局发布政府采购意向公告。", title="政府采购", pid="p-gov")
    found = run(snap([ad, gossip, procurement]))
    assert rules(found) == ["account.advertising", "account.unrelated"]
    assert all(f.severity == "warn" for f in found)
    ad_finding = next(f for f in found if f.rule == "account.advertising")
    assert ad_finding.detail["keywords"] == ["限时优惠", "扫码购买", "全场包邮", "包邮"]
    assert "【限时优惠】" in (ad_finding.excerpt or "")


def test_keyword_lists_come_from_the_profile() -> None:
    local = deep_merge(national_profile(), {"rules": {"account.advertising": {"keywords": ["特产"]}}})
    found = run(snap([post("本地特产上新。", title="上新")]), local)
    assert rules(found) == ["account.advertising"]


def test_closed_account_that_still_posts() -> None:
    found = run(snap([post()], target=account(status="closed")))
    assert rules(found) == ["account.closed_active"]
    assert found[0].severity == "veto"
    # Closed long ago, posts only from before: nothing (and not 僵尸 either).
    old = run(snap([post(at=AS_OF - timedelta(days=200))], target=account(status="closed")))
    assert old == []


def test_redundant_accounts_of_one_unit_on_one_platform() -> None:
    other = Sibling(id=uuid.uuid4(), name="历下区发布", platform="weibo", status="running")
    target = account(flags=["unit_multiple_accounts_on_platform"], siblings=[other])
    found = run(snap(target=target))
    assert rules(found) == ["account.redundant"]
    assert "“历下区发布”" in found[0].message
    assert found[0].severity == "deduct"


def test_name_mismatch_and_gone_accounts() -> None:
    renamed = run(snap(account_name="历下区融媒体中心"))
    assert rules(renamed) == ["account.filing_mismatch"]
    assert renamed[0].detail["kind"] == "renamed"
    assert run(snap(account_name=" 历下发布 ")) == []
    gone = run(snap([], status="gone", posts_seen=0))
    assert rules(gone) == ["account.filing_mismatch"]
    assert (gone[0].detail["kind"], gone[0].severity) == ("gone", "veto")
    assert run(snap([], status="gone", target=account(status="closed"), posts_seen=0)) == []


def test_interaction_switched_off_is_a_veto_where_required() -> None:
    assert rules(run(snap(interaction_enabled=False))) == ["veto.account_interaction"]
    assert run(snap(interaction_enabled=None)) == []
    assert run(snap(interaction_enabled=False, target=account(platform="mobile_app"))) == []


def test_local_hundred_point_profile_with_marks() -> None:
    local = deep_merge(national_profile(), {"scoring": {"accounts": {"scored": True}}})
    other = Sibling(id=uuid.uuid4(), name="历下区发布", platform="weibo", status="running")
    target = account(flags=["unit_multiple_accounts_on_platform"], siblings=[other])
    found = run(snap([post("各部门要按步就班推进工作。")], target=target, account_name="别名"), local)
    result = score(found, local["scoring"], provides_services=True, target_type="account")
    assert result.deductions == {"account.redundant": 5.0, "account.filing_mismatch": 2.0,
                                 "content.typo": 0.5}
    assert (result.score, result.passed, result.rating) == (92.5, True, "excellent")
    heavy = deep_merge(local, {"rules": {"account.redundant": {"points": 50.0}},
                               "scoring": {"indicators": {"account.redundant": {"cap": 50}}}})
    result = score(run(snap(target=target), heavy), heavy["scoring"], provides_services=True,
                   target_type="account")
    assert (result.score, result.passed, result.rating) == (50.0, False, "failed")
