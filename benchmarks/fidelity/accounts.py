# ruff: noqa: E501
"""The corpus new-media accounts: thirteen accounts of the city's units with RSS, Atom and JSON feeds,
planted problems (僵尸, 空壳, typos, personal information, expressions, ads, …) and look-alikes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from benchmarks.fidelity.build import Doc, Docs
from shared.contracts.events import AccountTarget
from tests.checker.feedfixture import atom_feed, json_feed, post, rss_feed

FEED_HOST = "feeds.jining.gov.cn"
CONTENT_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8",
                 "json": "application/feed+json; charset=utf-8"}
LABELS = {"weibo": "新浪微博", "wechat_subscription": "微信公众号（订阅号）", "douyin": "抖音", "toutiao": "今日头条"}
FINE = ["我市召开安全生产工作会议，部署冬季安全生产和森林防火工作。", "全市政务服务中心推出周末延时服务，方便群众办事。",
        "市场监管部门开展冬季食品安全检查，守护群众“舌尖上的安全”。", "我市新增城市公园绿地十二处，市民休闲更加便利。"]


@dataclass
class BuiltAccount:
    """A corpus account: its registry record (as a run snapshots it) and its served feed."""

    key: str
    snapshot: dict[str, Any]
    docs: Docs = field(default_factory=Docs)


def _posts(now: datetime, key: str, texts: list[tuple[float, str]]) -> list[Any]:
    return [post(f"{key}-{i + 1}", now=now, days_ago=d, title=t[:18], text=t,
                 url=f"https://{FEED_HOST}/{key}/posts/{i + 1}") for i, (d, t) in enumerate(texts)]


def _account(key: str, platform: str, name: str, kind: str, items: list[Any], *, status: str = "running",
             shown_name: str | None = None, interaction: bool | None = True, served: bool = True) -> BuiltAccount:
    suffix = {"rss": ".xml", "atom": ".atom", "json": ".json"}[kind]
    path = f"/{key}/feed{suffix}"
    docs = Docs()
    shown = shown_name or name
    if served:
        body = {"rss": lambda: rss_feed(items, name=shown, link=f"https://{FEED_HOST}/{key}/"),
                "atom": lambda: atom_feed(items, name=shown, link=f"https://{FEED_HOST}/{key}/"),
                "json": lambda: json_feed(items, name=shown, link=f"https://{FEED_HOST}/{key}/",
                                          interaction_enabled=interaction)}[kind]()
        docs[(FEED_HOST, path)] = Doc(body.encode(), CONTENT_TYPES[kind])
    snapshot = AccountTarget(
        id=uuid.uuid5(uuid.NAMESPACE_URL, f"fidelity/{key}"), platform=platform, kind=platform,
        platform_label=LABELS[platform], platform_account_id=f"jn_{key}", name=name,
        organisation_id=uuid.uuid5(uuid.NAMESPACE_URL, f"fidelity/org/{key}"),
        organisation_name=name.replace("发布", "") + "办公室", region_code="370800", status=status,
        url=f"https://{FEED_HOST}/{key}/", feed={"kind": kind, "url": f"https://{FEED_HOST}{path}"},
    ).model_dump(mode="json")
    return BuiltAccount(key, snapshot, docs)


def all_accounts(now: datetime) -> list[BuiltAccount]:
    """Every corpus account, its posts dated before `now` (the monitoring point)."""
    fresh = [(0.3, FINE[0]), (2, FINE[1]), (5, FINE[2]), (9, FINE[3])]
    return [
        _account("a_control", "weibo", "济宁发布", "rss", _posts(now, "a_control", [
            (0.2, "市政府常务会议强调，要深入学习贯彻习近平新时代中国特色社会主义思想和党的二十届三中全会精神。"),
            (1, "政务服务便民热线12345全天候受理群众诉求，咨询电话0537-2345678，联系人王先生138****5678。"),
            (3, "我市开展政府采购领域专项整治，同时提醒市民警惕微商诈骗，打击微商诈骗违法犯罪。"),
            (6, "截至目前，全市已签订招商项目八十六个，预防犯罪宣传进社区活动持续开展。"),
            (7, "受寒潮影响，部分公交线路实时信息停止更新；市政务服务网旧版已迁移至新平台，原账号密码可继续使用。"),
            (8, "转自微信公众号“人民日报”：冬季安全生产不容松懈。来源：公众号“大众日报”。"), *fresh[2:]])),
        _account("a_zombie", "wechat_subscription", "济宁市民政局", "rss", _posts(now, "a_zombie", [
            (20, FINE[0]), (35, FINE[1]), (60, FINE[2])])),
        _account("a_fresh13", "weibo", "济宁市教育局", "rss", _posts(now, "a_fresh13", [
            (13, FINE[1]), (27, FINE[2]), (41, FINE[3])])),
        _account("a_empty", "douyin", "济宁市文化和旅游局", "json", []),
        _account("a_typos", "toutiao", "济宁市交通运输局", "atom", _posts(now, "a_typos", [
            (0.5, "各单位要按步就班推进冬季道路运输安全工作，确保群众平安出行。"),
            (2, "截止目前，全市农村公路完成养护里程一千二百公里。"),
            (4, "全市交通运输系统即使困难再大也要按部就班、再接再厉，截至目前已完成年度目标。"), *fresh[3:]])),
        _account("a_personal", "weibo", "济宁市人力资源和社会保障局", "rss", _posts(now, "a_personal", [
            (0.5, "一次性扩岗补助发放名单：申请人张某某，身份证号370802197903150029，请本人核对。"),
            (2, "招聘会咨询请联系李老师13812345678。"),
            (3, "补贴发放进度可拨打0537-2345678查询，经办人刘先生139****1234，身份证号370802********0029。"), *fresh[3:]])),
        _account("a_expression", "wechat_subscription", "济宁市人民政府办公室", "rss", _posts(now, "a_expression", [
            (0.5, "市委理论学习中心组专题学习中国共产党第二十届全国代表大会精神。"),
            (2, "全市党员干部深入学习贯彻党的二十届三中全会精神，坚定道路自信、理论自信、制度自信、文化自信。"), *fresh[2:]])),
        _account("a_ads", "toutiao", "济宁市商务局", "json", _posts(now, "a_ads", [
            (0.5, "限时优惠！扫码购买济宁特产礼盒，全场包邮。"),
            (1, "本周十二星座运势大揭秘，快来看看你的今日运势。"),
            (2, "市商务局发布政府采购意向公告，欢迎符合条件的供应商参与。"), *fresh[2:]])),
        _account("a_closed_comments", "weibo", "济宁市住房和城乡建设局", "json", _posts(now, "a_closed_comments", fresh),
                 interaction=False),
        _account("a_renamed", "wechat_subscription", "济宁市卫生健康委员会", "rss", _posts(now, "a_renamed", fresh),
                 shown_name="健康济宁"),
        _account("a_closed_posting", "douyin", "济宁市市场监督管理局", "json", _posts(now, "a_closed_posting", fresh),
                 status="closed"),
        _account("a_closed_silent", "weibo", "济宁市粮食和物资储备局", "rss", _posts(now, "a_closed_silent", [
            (60, "本账号已停止更新，相关信息请关注“济宁发布”。"), (90, FINE[0])]), status="closed"),
        _account("a_gone", "toutiao", "济宁市医疗保障局", "atom", [], served=False),
        _account("a_moved", "wechat_subscription", "济宁市司法局", "rss", _posts(now, "a_moved", [
            (1, "因机构职能调整，本账号已迁移至“济宁司法”公众号，敬请关注。感谢大家一直以来的支持！"), *fresh[1:]])),
        _account("a_closing_silent", "weibo", "济宁市审计局", "rss", _posts(now, "a_closing_silent", [
            (10, "本微博将于近日停止更新，相关信息请关注“济宁发布”。"), (40, FINE[0])]), status="closing"),
    ]


