"""The thresholds of the consolidation report, each with its source (settings `consolidation`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ConsolidationThresholds(BaseModel):
    """When an account is suggested for improvement, merging or closure.

    The national texts name the criteria, not the figures: 国办发〔2018〕123号《关于推进政务
    新媒体健康有序发展的意见》 asks to merge or close accounts "功能相近、用户关注度和利用率
    低" and the 2019 indicators (国办秘函〔2019〕19号) veto an account with no update in the
    2 weeks before the monitoring point. Where a figure below is not derived from those, it is
    our choice and says so; a province sets its own through REPORTING_CONSOLIDATION.
    """

    # Derived from the 2019 indicators' 2-week window: a quarter is 13 weeks, so an account
    # that never leaves 2 weeks without a post publishes at least 6 times in it.
    min_posts_per_quarter: int = Field(default=6, ge=0)
    # Our choice: an account that posted nothing for 90 days (a whole quarter, far past the
    # 2-week 僵尸 veto) or never posted (空壳, RULES.md) is suggested for closure.
    idle_days: int = Field(default=90, ge=1)
    # Our choice: more than 80 % reposts in the quarter is "little original content".
    max_repost_share: float = Field(default=0.8, ge=0, le=1)
    # Our choice: a post is a repost when its title or text contains one of these markers
    # (Weibo's //@ chain and 转发微博, the 转载/转自 notes WeChat and Toutiao editors add).
    repost_markers: list[str] = Field(
        default_factory=lambda: ["//@", "转发微博", "转载自", "转自", "【转载】"])
    # Our choice: two accounts on one platform in one region whose names, without the
    # region's name and platform words, match at least this much (difflib ratio) overlap.
    similar_name_ratio: float = Field(default=0.8, ge=0, le=1)
    # Platforms without posts to count (mini programs and apps are judged on overlap only).
    no_activity_platforms: list[str] = Field(default_factory=lambda: ["mini_program", "mobile_app"])
