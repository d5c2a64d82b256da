"""The consolidation analysis (pure): each account's evidence and suggested action."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.reporting.consolidation.analyse import AccountStats, analyse, core_name, is_repost
from services.reporting.consolidation.thresholds import ConsolidationThresholds

NOW = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
BUREAU, OFFICE, OTHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
T = ConsolidationThresholds()


def _acc(name: str, sponsor: uuid.UUID, platform: str = "weibo", posts: int = 30, reposts: int = 0,
         idle: int | None = 1, region: str = "370102") -> AccountStats:
    return AccountStats(id=uuid.uuid4(), name=name, platform=platform, platform_label=platform,
                        platform_account_id=name, sponsor_id=sponsor, sponsor_name=str(sponsor)[:4],
                        region_code=region, created_at=NOW - timedelta(days=900), posts=posts,
                        reposts=reposts,
                        last_post_at=None if idle is None else NOW - timedelta(days=idle))


def _by_name(accounts: list[AccountStats]) -> dict[str, tuple[str, str | None, list[str]]]:
    return {s.account.name: (s.action, s.merge_into.name if s.merge_into else None, s.reasons)
            for s in analyse(accounts, T, NOW, {"370102": "历下区"})}


def test_idle_and_empty_accounts_are_suggested_for_closure() -> None:
    got = _by_name([_acc("历下城管", BUREAU, posts=0, idle=120), _acc("历下空号", OFFICE, posts=0, idle=None),
                    _acc("历下发布", OTHER, posts=40)])
    assert got["历下城管"][0] == "close" and "已120天未更新（阈值90天）" in got["历下城管"][2]
    assert got["历下空号"][0] == "close" and "空壳" in got["历下空号"][2][0]
    assert got["历下发布"] == ("keep", None, [])


def test_low_activity_and_low_originality_are_suggested_for_improvement() -> None:
    got = _by_name([_acc("历下教育", BUREAU, posts=4), _acc("历下民政", OFFICE, posts=20, reposts=18),
                    _acc("历下文旅", OTHER, posts=20, reposts=16)])
    assert got["历下教育"] == ("improve", None, ["本期发布4条，少于6条"])
    assert got["历下民政"] == ("improve", None, ["转载占比90%，原创内容少（阈值80%）"])
    assert got["历下文旅"][0] == "keep"  # 80 % is the limit, not past it


def test_overlapping_accounts_merge_into_the_most_original_one() -> None:
    got = _by_name([_acc("历下教育", BUREAU, posts=40, reposts=5), _acc("历下教体", BUREAU, posts=12),
                    _acc("历下教育", BUREAU, platform="douyin", posts=10),
                    _acc("历下区人社发布", OFFICE, posts=30), _acc("历下人社", OTHER, posts=8)])
    assert got["历下教体"][:2] == ("merge", "历下教育")
    assert "同一单位" in " ".join(got["历下教体"][2])
    assert got["历下人社"][:2] == ("merge", "历下区人社发布")  # similar names, one region, one platform
    assert got["历下区人社发布"][0] == "keep"
    assert [s.action for s in analyse([_acc("历下教育", BUREAU, platform="douyin", posts=10)], T, NOW)] == ["keep"]


def test_apps_are_judged_on_overlap_only_and_reposts_by_their_markers() -> None:
    got = _by_name([_acc("历下政务小程序", BUREAU, platform="mini_program", posts=0, idle=None)])
    assert got["历下政务小程序"] == ("keep", None, [])
    assert is_repost({"title": "", "text": "好消息//@济南发布: 供暖启动"}, T.repost_markers)
    assert not is_repost({"title": "供暖启动", "text": "来源：历下区政府办"}, T.repost_markers)
    assert core_name("历下区教育发布", "历下区") == "教育"
