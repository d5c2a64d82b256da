"""A correct government website yields no finding from any rule of the national profile, end to end.

The pure tests run every rule (evaluate) over the clean site's snapshot, then plant one problem per
rule family and expect exactly its findings — so the clean result is not vacuous. The integration
test serves the same site over HTTPS on the IPv6 loopback and inspects it with the real pipeline
(crawler, Chromium, link checker, search, IPv6 probe, registry, probe history, rules).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete
from sqlmodel import col

from services.checker.config import CheckerSettings
from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Availability, Ipv6Result, Link, LinkStatus, SiteSnapshot
from services.checker.inspect.evaluate import evaluate
from services.checker.inspect.pipeline import Inspector
from services.checker.net.fetcher import Fetcher, FetchSettings
from services.checker.probe.models import ProbeSample
from services.checker.profile.loader import national_profile
from services.checker.rules.params import WordLists
from services.checker.run.service import target_snapshot
from shared.contracts.events import parse_target
from shared.contracts.registry import WebsiteRead
from shared.db import is_sqlite, make_engine, make_sessionmaker
from shared.queue import connect
from tests.checker import cleansite
from tests.checker.cleansite import (
    AS_OF,
    HOST,
    OFF_SITE,
    PORTAL,
    Doc,
    Docs,
    article_path,
    documents,
    guide_path,
    snapshot,
)
from tests.registry.factories import JINAN, Registry, org, region_tree, site


def run_rules(site: SiteSnapshot) -> list[FindingDraft]:
    """Every rule of the national profile, with the shipped word lists."""
    return evaluate(site, national_profile(), WordLists())


def described(findings: list[FindingDraft]) -> str:
    return "\n".join(f"{f.rule} [{f.severity}] {f.message} ({f.url})" for f in findings)


def test_evaluate_clean_snapshot_has_no_findings() -> None:
    site = snapshot(documents())

    findings = run_rules(site)

    assert findings == [], "the clean site has findings:\n" + described(findings)
    # It is a whole site, not an empty one: every column, article, guide and the attachment were read.
    assert len(site.html_pages()) == 19 and [p.url for p in site.pages if p.is_attachment]
    assert site.search is not None and site.search.hits


# ---- one planted problem per rule family --------------------------------------------------------

def edit(docs: Docs, path: str, old: str, new: str, host: str = HOST) -> Docs:
    """Replace text in one served document (which must contain it)."""
    body = docs[(host, path)].body.decode()
    assert old in body, (path, old)
    docs[(host, path)] = Doc(body.replace(old, new).encode(), docs[(host, path)].content_type)
    return docs


def redate(docs: Docs, path: str, days_ago: int) -> Docs:
    """Print every list date of a page as `days_ago` days before the monitoring point."""
    old = (AS_OF - timedelta(days=days_ago)).date().isoformat()
    body = re.sub(r'(<span class="date">)\d{4}-\d{2}-\d{2}', rf"\g<1>{old}", docs[(HOST, path)].body.decode())
    docs[(HOST, path)] = Doc(body.encode())
    return docs


def add_link(site: SiteSnapshot, link: Link, status: int) -> SiteSnapshot:
    """Add a rendered link to the home page, with its link-check outcome."""
    site.pages[0].links.append(link)
    site.link_status[link.url] = LinkStatus(url=link.url, status=status)
    return site


FOOTER_LINK = '<p>相关链接：<a href="https://www.jinan.gov.cn/">济南市人民政府</a>'
GUIDE = guide_path(1)
NEWS = article_path(1)


def _unfiled_host(site: SiteSnapshot) -> SiteSnapshot:
    # One article redirected to a second, unfiled domain (one site, one main domain).
    article = next(p for p in site.pages if p.url.endswith(NEWS))
    article.final_url = article.url.replace(HOST, "lixia.jnzw.com")
    return site


def _incomplete_guide(docs: Docs) -> Docs:
    # Four of the eight key elements relabelled away: 设定依据, 申请条件, 办理时间, 办理流程.
    for label, other in (("设定依据", "备注"), ("申请条件", "说明"), ("办理时间", "其他"), ("办理流程", "附注")):
        edit(docs, GUIDE, f"<th>{label}</th>", f"<th>{other}</th>")
    return docs


def _old_replies(docs: Docs) -> Docs:
    # Every message and its (timely) reply moved 70 days back: the newest reply is 88 days old.
    for _, asked, answered in cleansite.MESSAGES:
        for days in (asked, answered):
            edit(docs, "/hdjl/zxzx/", f"<td>{(AS_OF - timedelta(days=days)).date()}</td>",
                 f"<td>{(AS_OF - timedelta(days=days + 70)).date()}</td>")
    return docs


def _gambling(docs: Docs) -> Docs:
    docs[("www.old-partner.com", "/")] = Doc("<title>真人娱乐城</title>百家乐 真人娱乐 注册送彩金".encode())
    return edit(docs, "/", FOOTER_LINK, FOOTER_LINK + ' <a href="https://www.old-partner.com/">合作单位</a>')


def _unregistered(docs: Docs) -> Docs:
    # A sub-site under the district's own domain that was never filed (a sibling district's or
    # the national portal would be another registry's business, see registry_compliance).
    docs[("zt.lixia.gov.cn", "/")] = Doc("<title>历下区专题网站</title>专题".encode())
    return edit(docs, "/", FOOTER_LINK, FOOTER_LINK + ' <a href="https://zt.lixia.gov.cn/">专题网站</a>')


@dataclass
class Plant:
    """One problem planted in the clean site, and the findings it must cause (rule, severity)."""

    expected: list[tuple[str, str]]
    needle: str  # words every expected finding's message shows
    docs: Callable[[Docs], Docs] = lambda d: d
    site: Callable[[SiteSnapshot], SiteSnapshot] = lambda s: s
    target: dict[str, Any] = field(default_factory=dict)


PLANTS: dict[str, Plant] = {
    "typo": Plant([("content.typo", "deduct")], "按步就班",
                  lambda d: edit(d, NEWS, "压实责任", "按步就班压实责任")),
    "expression": Plant([("veto.security", "veto")], "严重表述错误",
                        lambda d: edit(d, NEWS, "会议研究", "会议强调深入学习贯彻习近平新时代中国特色社会主意思想。会议研究")),
    "personal_info": Plant([("content.personal_info", "deduct")], "手机号码",
                           lambda d: edit(d, NEWS, "落到实处。", "落到实处。联系人：王先生 13812345678")),
    "broken_link": Plant([("deduct.links", "deduct")], "断链",
                         lambda d: edit(d, "/", '<div class="banner">',
                                        '<p><a href="/xxgk/old.html">旧版信息公开目录</a></p><div class="banner">')),
    "homepage_stale": Plant([("veto.homepage_stale", "veto")], "超过14天未更新", lambda d: redate(d, "/", 20)),
    "column_stale": Plant([("veto.columns_stale", "warn")], "要闻动态", lambda d: redate(d, "/ywdt/", 20)),
    "policy_column_stale": Plant(
        [("veto.columns_stale", "warn"), ("deduct.policy_column_stale", "deduct")], "政策文件",
        lambda d: redate(d, "/zcwj/", 250)),
    "interaction": Plant(
        [("veto.interaction", "veto")], "超过3个月未答复",
        lambda d: edit(d, "/hdjl/zxzx/", "</table>",
                       f"<tr><td>噪声扰民何时处理</td><td>{(AS_OF - timedelta(days=150)).date()}</td><td></td>"
                       "<td>未回复</td></tr></table>")),
    "reply_stale": Plant([("deduct.reply_stale", "deduct")], "无新的答复", _old_replies),
    "service_guide": Plant([("veto.service", "warn")], "缺少4项关键要素", _incomplete_guide),
    "dark_link": Plant([("veto.security", "veto")], "暗链", site=lambda s: add_link(s, Link(
        url="https://www.casino-888.com/", parent_url=s.pages[0].url, tag="a", text="娱乐", visible=False,
        hidden_by="offscreen", position="body > div.main > a"), 200)),
    "injected_script": Plant(
        [("veto.security", "veto")], "恶意代码",
        lambda d: edit(d, "/", "</body>", '<script src="https://js.bocai-888.com/tj.js"></script></body>')),
    "future_date": Plant([("veto.security", "veto")], "伪造发布日期",
                         lambda d: edit(d, NEWS, f"发布时间：{(AS_OF - timedelta(days=2)).date()}",
                                        f"发布时间：{(AS_OF + timedelta(days=3)).date()}")),
    "identity": Plant([("deduct.identity", "deduct")], "网站标识码",
                      lambda d: edit(d, "/", "网站标识码：3701020001", "网站标识码：3701020009")),
    "error_entrance": Plant(
        [("deduct.error_entrance", "deduct")], "我为政府网站找错",
        lambda d: edit(d, "/", '<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3701020001">'
                               '<img src="/images/jiucuo.png" alt="我为政府网站找错" width="88" height="31"></a>', "")),
    "domain": Plant([("deduct.domain", "deduct")], "未备案的域名", site=_unfiled_host),
    "search": Plant([("deduct.search", "deduct")], "站内搜索",
                    lambda d: cleansite.set_page(d, "/search/", cleansite.page("搜索结果", "<p>共找到0条结果</p>"))),
    "ipv6": Plant([("deduct.ipv6", "deduct")], "IPv6",
                  site=lambda s: replace(s, ipv6=Ipv6Result(aaaa=[], reachable=None))),
    "https": Plant([("deduct.https", "deduct")], "HTTPS", target={"home_url": f"http://{HOST}/"}),
    "unreachable": Plant(  # 9 of 168 probes failed: 5.4 %, over the 5 % veto line
        [("veto.unreachable", "veto")], "单项否决",
        site=lambda s: replace(s, availability=Availability(probes=168, failures=9, window_days=7))),
    "registry": Plant([("registry.compliance", "warn")], "zt.lixia.gov.cn", _unregistered),
    "external_link": Plant([("content.external_link", "warn")], "赌博", _gambling),
}


@pytest.mark.parametrize("name", list(PLANTS))
def test_one_planted_problem_yields_exactly_its_findings(name: str) -> None:
    plant = PLANTS[name]
    docs = plant.docs(documents())
    site = plant.site(snapshot(docs, site=cleansite.target(**plant.target)))

    findings = run_rules(site)

    assert [(f.rule, f.severity) for f in findings] == plant.expected, described(findings)
    assert all(plant.needle in f.message for f in findings), described(findings)


# ---- the real pipeline -------------------------------------------------------------------------

@dataclass
class _Run:
    """What Inspector.inspect reads of a run."""

    id: str
    profile: dict[str, Any]
    as_of: datetime
    rules: list[str] | None = None
    kind: str = "inspection"  # a re-check would skip the repost records


async def _file(registry: Registry, home_url: str) -> dict[str, Any]:
    """File the site and the city portal it links to; return the site's registry record."""
    await region_tree(registry, *JINAN)
    district = await org(registry, "370102", name=cleansite.ORGANISATION)
    city = await org(registry, "370100", name="济南市人民政府办公厅", kind="city_government")
    await site(registry, city, code="3701000001", domain=PORTAL, kind="portal", home_url=f"https://{PORTAL}/")
    return await site(registry, district, code=cleansite.SITE_CODE, domain=HOST, kind="portal",
                      home_url=home_url, name=cleansite.NAME, icp_number=cleansite.ICP,
                      psb_number=cleansite.PSB)


@pytest.mark.integration
@pytest.mark.skipif(not cleansite.openssl_available(), reason="the openssl command makes the test certificate")
async def test_clean_site_through_the_real_pipeline(registry: Registry, checker_settings: CheckerSettings,
                                                    tmp_path: Path) -> None:
    # The site listens on ::1: its host maps there, so its AAAA answer is ::1 and the IPv6 probe
    # reaches it. Without IPv6 loopback it listens on 127.0.0.1 and only the IPv6 rule may fire.
    on_v6 = cleansite.ipv6_loopback()
    tls = cleansite.issue_certificate(tmp_path, [HOST, *OFF_SITE])
    with cleansite.TlsSiteServer(tls.cert, tls.key, "::1" if on_v6 else "127.0.0.1") as server:
        cleansite.serve(server, documents(AS_OF))
        # check_ipv6 pins the AAAA address with the home URL's port, so the URL names the port.
        home_url = f"https://{HOST}:{server.port}/"
        filed = await _file(registry, home_url)
        settings = checker_settings.model_copy(update={"host_map": server.host_map()})
        url = settings.resolved_database_url()
        engine = make_engine(url, None if is_sqlite(url) else settings.db_schema)
        sessionmaker = make_sessionmaker(engine)
        redis = await connect(settings.redis_url)
        run = _Run(id=str(uuid.uuid4()), profile=national_profile(), as_of=AS_OF)
        site_id = uuid.UUID(filed["id"])
        async with sessionmaker() as session:
            # A week of hourly availability probes before the monitoring point, all answered.
            session.add_all(ProbeSample(website_id=site_id, probed_at=AS_OF - timedelta(minutes=30 + 60 * i),
                                        ok=True, status=200, elapsed_ms=120.0) for i in range(7 * 24))
            await session.commit()
        inspector = await Inspector.open(settings, sessionmaker, redis,
                                         httpx.ASGITransport(app=registry.app))
        try:
            # The pipeline's own client, trusting the test CA instead of the system store.
            await inspector.fetcher.aclose()
            inspector.fetcher = Fetcher(FetchSettings(allow_private=True, ca_bundle=str(tls.ca)),
                                        inspector.host_map)
            outcome = await inspector.inspect(parse_target(target_snapshot(WebsiteRead.model_validate(filed))), run)
        finally:
            await inspector.aclose()
            async with sessionmaker() as session:
                await session.execute(delete(ProbeSample).where(col(ProbeSample.website_id) == site_id))
                await session.commit()
            await redis.delete(f"govinspect:linkcheck:{run.id}")
            await redis.aclose()
            await engine.dispose()
        requests = list(server.requests)

    expected = [] if on_v6 else [("deduct.ipv6", "deduct")]
    assert [(f.rule, f.severity) for f in outcome.findings] == expected, (
        "the clean site has findings through the pipeline:\n" + described(outcome.findings))
    # A week of probes: availability was judged; no emblem reference is loaded: emblems were not.
    assert [n["kind"] for n in outcome.notes] == ["emblem_unjudged"]
    # Everything was really read: the same pages and links as the pure snapshot, and the search used.
    pure = snapshot(documents(AS_OF))
    assert (outcome.pages_fetched, outcome.links_checked) == (len(pure.pages), len(pure.link_status)) == (20, 28)
    assert any(path.startswith("/search/?q=") for _, host, path in requests if host == HOST)
