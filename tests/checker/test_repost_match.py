"""Finding an article's repost by the body's similarity (services/checker/repost/match.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from services.checker.ground.site import Page, SiteSnapshot, Target
from services.checker.repost.match import Article, Params, find_on_site
from services.checker.repost.record import covers
from services.checker.support.script import to_simplified
from shared.reposts import repost_sentence, repost_status

BODY = ("为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，持续激发市场主体活力，现提出以下措施。"
        "一、全面推行企业开办一网通办，压缩开办时间至一个工作日以内。二、深化工程建设项目审批制度改革，"
        "实行联合验收和区域评估。三、完善中小企业融资担保体系，扩大首贷续贷规模。")
ARTICLE = Article("山东省人民政府关于进一步优化营商环境的若干措施", BODY, "http://www.shandong.gov.cn/a.html")
CHROME = "首页 要闻动态 通知公告 政务服务 主办单位：济南市历下区人民政府办公室 网站标识码：3701020001"


def _site(*pages: tuple[str, str]) -> SiteSnapshot:
    target = Target(id=uuid.uuid4(), site_code="3701020001", name="历下区政府", organisation_id=uuid.uuid4(),
                    organisation_name="历下区政府办", region_code="370102", kind="portal",
                    domains=["www.lixia.gov.cn"], home_url="http://www.lixia.gov.cn/", status="running")
    built = [Page(url="http://www.lixia.gov.cn/", final_url="http://www.lixia.gov.cn/", status=200, depth=0,
                  parent_url=None, title="首页", text=CHROME)]
    built += [Page(url=f"http://www.lixia.gov.cn/{i}.html", final_url=f"http://www.lixia.gov.cn/{i}.html",
                   status=200, depth=1, parent_url="http://www.lixia.gov.cn/", title=title,
                   text=f"{CHROME}\n{title}\n发布时间：2026-11-12\n{text}\n{CHROME}")
              for i, (title, text) in enumerate(pages)]
    return SiteSnapshot(target=target, as_of=datetime(2026, 11, 20, 2, tzinfo=UTC), pages=built)


def test_a_retitled_repost_with_the_same_body_is_found_with_its_date() -> None:
    site = _site(("我区转发优化营商环境若干措施", BODY))
    found = find_on_site(ARTICLE, site, Params())
    assert found is not None and found.url == "http://www.lixia.gov.cn/0.html"
    assert found.similarity >= 0.95 and found.published_at is not None
    assert repost_status(found.published_at, date(2026, 11, 13), date(2026, 11, 20)) == "on_time"


def test_a_repost_in_traditional_script_or_with_other_punctuation_is_found() -> None:
    traditional = BODY.replace("，", ", ").replace("优化", "優化").replace("营商环境", "營商環境")
    assert to_simplified("營商環境") == "营商环境"
    assert find_on_site(ARTICLE, _site((ARTICLE.title, traditional)), Params()) is not None


def test_a_look_alike_title_with_another_body_is_not_a_repost() -> None:
    other = ("近日，区发改局召开营商环境工作调度会，听取各科室工作进展情况汇报，研究部署下一阶段重点任务。"
             "会议强调，要坚持问题导向，聚焦企业反映集中的堵点难点，确保各项工作落地见效。")
    site = _site(("关于进一步优化营商环境的若干措施的工作会议", other), ("其他新闻", "今天天气晴。"))
    assert find_on_site(ARTICLE, site, Params()) is None


def test_an_abridged_repost_counts_only_under_the_same_title() -> None:
    half = BODY[: len(BODY) // 2]
    assert find_on_site(ARTICLE, _site((ARTICLE.title, half)), Params()) is not None
    assert find_on_site(ARTICLE, _site(("本区动态", half)), Params()) is None


def test_the_source_page_itself_is_not_its_own_repost() -> None:
    site = _site(("原文", BODY))
    source = Article(ARTICLE.title, BODY, "http://www.lixia.gov.cn/0.html")
    assert find_on_site(source, site, Params()) is None


def test_scope_every_criterion_given_must_hold() -> None:
    unit = uuid.uuid4()
    assert covers({"regions": ["370100"]}, region_code="370102", organisation_id=unit, kinds={"portal"})
    assert not covers({"regions": ["370200"]}, region_code="370102", organisation_id=unit, kinds={"portal"})
    assert covers({"regions": ["370100"], "kinds": ["department", "weibo"]}, region_code="370102",
                  organisation_id=unit, kinds={"weibo", "account"})
    assert not covers({"kinds": ["portal"]}, region_code="370102", organisation_id=unit,
                      kinds={"department", "website"})
    assert not covers({"organisation_ids": [str(uuid.uuid4())]}, region_code="370102", organisation_id=unit,
                      kinds={"portal"})


def test_the_circulars_sentence() -> None:
    assert repost_sentence(19, 19, [], []) == "转载重要信息19篇，全部完成转发。"
    assert repost_sentence(3, 2, ["历下区民政局"], ["历下区商务局"]) == (
        "转载重要信息3篇，2篇全部完成转发；历下区民政局未按要求转载；历下区商务局逾期转载。")
    assert repost_sentence(0, 0, [], []) == "本期未下达重要信息转载任务。"
    assert repost_status(None, date(2026, 11, 13), date(2026, 11, 13)) == "pending"
    assert repost_status(None, date(2026, 11, 13), date(2026, 11, 14)) == "missing"
