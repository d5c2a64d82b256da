"""account.announced_end: an announced end the registry does not know of, or posts after it."""

from __future__ import annotations

from datetime import timedelta

from tests.checker.rules.test_account_rules import AS_OF, account, post, run, snap

CODE = "account.announced_end"
MOVED = "本账号已迁移至“济南发布”，敬请关注。感谢大家一直以来的支持"
STOPPED = "因机构改革，本公众号自即日起停止更新，相关信息请关注“历下发布”"


def ours(findings: list) -> list:  # type: ignore[type-arg]
    return [f for f in findings if f.rule == CODE]


def test_an_account_that_moved_but_is_filed_running_is_named_with_the_filing_to_make() -> None:
    said = post(MOVED, title="迁移公告", at=AS_OF - timedelta(days=3), pid="m1")
    older = post(at=AS_OF - timedelta(days=5))
    [f] = ours(run(snap([said, older])))
    assert f.detail["kind"] == "announced_not_filed" and f.detail["suggested_filing"] == "announce_closure"
    assert "【本账号已迁移至“济南发布”，敬请关注】" in (f.excerpt or "")
    assert "备案仍为运行中" in f.message and f.url == "https://weibo.com/1234567890/m1"


def test_silent_for_two_weeks_after_the_announcement_the_filing_offered_is_close() -> None:
    said = post(STOPPED, title="停更声明", at=AS_OF - timedelta(days=20))
    [f] = ours(run(snap([said])))
    assert f.detail["suggested_filing"] == "close" and "未办理关停备案" in f.message


def test_posting_after_the_announced_end_is_named_even_when_filed_as_closing() -> None:
    said = post(STOPPED, title="停更声明", at=AS_OF - timedelta(days=10))
    later = post(at=AS_OF - timedelta(days=2))
    [f] = ours(run(snap([later, said], target=account(status="closing"))))
    assert f.detail["kind"] == "posts_after_announcement" and f.detail["posts_after"] == 1


def test_no_finding_when_filed_as_closing_and_silent_or_when_closed() -> None:
    said = post(STOPPED, title="停更声明", at=AS_OF - timedelta(days=10))
    assert ours(run(snap([said], target=account(status="closing")))) == []
    assert ours(run(snap([said], target=account(status="closed")))) == []


def test_something_else_that_stops_updating_is_no_announcement() -> None:
    lookalikes = ["受寒潮影响，部分公交线路实时信息停止更新，恢复时间另行通知。",
                  "市政务服务网旧版已迁移至新平台，原账号密码可继续使用。",
                  "本号提醒：近期有不法分子冒充政务账号行骗。旧版客户端已停止更新"]
    assert ours(run(snap([post(t, at=AS_OF - timedelta(days=1)) for t in lookalikes]))) == []


def test_the_announcement_in_traditional_script_counts() -> None:
    said = post("本帳號已遷移至「濟南發布」，敬請關注", title="遷移公告", at=AS_OF - timedelta(days=1))
    [f] = ours(run(snap([said])))
    assert f.detail["kind"] == "announced_not_filed"
