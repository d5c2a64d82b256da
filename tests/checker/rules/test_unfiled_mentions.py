"""account.unfiled_mention: accounts a post names in words, compared with the filed names."""

from __future__ import annotations

from datetime import timedelta

from services.checker.support.account_names import normalise_name
from tests.checker.rules.test_account_rules import AS_OF, post, run, snap

CODE = "account.unfiled_mention"


def ours(texts: list[str], filed: set[str] | None, days_ago: int = 3) -> list:  # type: ignore[type-arg]
    s = snap([post(t, at=AS_OF - timedelta(days=days_ago), pid=f"p{i}") for i, t in enumerate(texts)])
    s.registry_account_names = {normalise_name(n) for n in filed} if filed is not None else None
    return [f for f in run(s) if f.rule == CODE]


def test_a_unit_looking_account_a_post_names_is_listed_once_with_its_posts() -> None:
    [f] = ours(["欢迎关注“历下文旅”抖音号，了解更多文旅资讯。", "抖音号：历下文旅 每周更新"], filed={"历下发布"})
    assert (f.severity, f.detail["platform"], f.detail["shown_name"]) == ("warn", "douyin", "历下文旅")
    assert "历下文旅" in f.message and "2条信息" in f.message
    assert f.detail["seen_on"] == ["https://weibo.com/1234567890/p0", "https://weibo.com/1234567890/p1"]
    # 我局 says it is the unit's even without the region in its name.
    [own] = ours(["我局官方微博 @泉城卫健 同步发布"], filed=set())
    assert own.detail["shown_name"] == "泉城卫健"


def test_sources_filed_names_and_old_posts_are_not_listed() -> None:
    quoted = ["转自微信公众号“人民日报”", "来源：公众号“济南发布”", "关于印发“历下区十四五规划”的通知",
              "欢迎关注公众号“历下发布”"]
    assert ours(quoted, filed=set()) == []  # national, another region's, no platform, its own name
    assert ours(["欢迎关注“历下文旅”抖音号"], filed={"歷下文旅"}) == []  # filed (either script)
    assert ours(["欢迎关注“历下文旅”抖音号"], filed=set(), days_ago=120) == []
    assert ours(["欢迎关注“历下文旅”抖音号"], filed=None) == []  # registry unavailable
