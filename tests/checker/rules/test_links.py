"""deduct.links: broken links, images, attachments and empty links; unstable links only warned.

Also home of the small builders the other site-rule tests share (a clean site they vary).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from services.checker.ground.site import (
    Availability,
    ExternalPage,
    Ipv6Result,
    Link,
    LinkStatus,
    Page,
    SearchResult,
    SiteSnapshot,
    Target,
)
from services.checker.rules.site import (
    dark_links,
    domain,
    error_entrance,
    external_links,
    foreign_scripts,
    future_dates,
    https,
    identity,
    ipv6,
    links,
    registry_compliance,
    search,
    unreachable,
)

PROFILE = Path(__file__).parents[3] / "services/checker/profiles/national_2019/site.json"
BEIJING = timezone(timedelta(hours=8))
AS_OF = datetime(2024, 5, 1, 10, 0, tzinfo=BEIJING)
HOME = "https://www.jn.gov.cn/"
COLUMN = "https://www.jn.gov.cn/col/col123/index.html"
ARTICLE = "https://www.jn.gov.cn/art/2024/4/30/art_123_456.html"
MY_MODULES = [links, dark_links, foreign_scripts, future_dates, external_links, identity, error_entrance,
              domain, search, ipv6, https, unreachable, registry_compliance]


def params_for(module: Any, **overrides: Any) -> BaseModel:
    """The module's params from the national profile, optionally overridden."""
    rules = json.loads(PROFILE.read_text(encoding="utf-8"))["rules"]
    params: BaseModel = module.Params.model_validate({**rules[module.CODE], **overrides})
    return params


def make_target(**changes: Any) -> Target:
    values: dict[str, Any] = {
        "id": uuid.uuid4(), "site_code": "3701000001", "name": "济南市人民政府",
        "organisation_id": uuid.uuid4(), "organisation_name": "济南市人民政府办公厅", "region_code": "370100",
        "kind": "portal", "domains": ["www.jn.gov.cn"], "home_url": HOME, "status": "running",
        "icp_number": "鲁ICP备05001234号", "psb_number": "鲁公网安备 37010202000123号",
    }
    values.update(changes)
    return Target(**values)


def make_page(url: str, *, parent: str | None = HOME, text: str = "", html: str = "",
              meta: dict[str, str] | None = None, page_links: list[Link] | None = None,
              scripts: list[str] | None = None, status: int | None = 200, final_url: str | None = None,
              failure: str | None = None, title: str = "") -> Page:
    return Page(url=url, final_url=final_url or url, status=status, depth=0 if url == HOME else 1,
                parent_url=None if url == HOME else parent, failure=failure, html=html or f"<p>{text}</p>",
                text=text, title=title, meta=dict(meta or {}), links=list(page_links or []),
                scripts=list(scripts or []), rendered=True)


def link(url: str, parent: str = HOME, *, tag: str = "a", text: str = "链接", position: str | None = None,
         visible: bool | None = True, hidden_by: str | None = None,
         rect: tuple[float, float, float, float] | None = (10.0, 20.0, 80.0, 16.0)) -> Link:
    return Link(url=url, parent_url=parent, tag=tag, text=text, position=position or f"#main a[href='{url}']",
                visible=visible, hidden_by=hidden_by, rect=rect)


SITE_TAGS = {"SiteName": "济南市人民政府", "SiteDomain": "www.jn.gov.cn", "SiteIDCode": "3701000001"}
FOOTER = ("主办单位：济南市人民政府办公厅 联系电话：0531-12345678 网站标识码：3701000001 "
          "鲁ICP备05001234号-1 鲁公网安备 37010202000123号 我为政府网站找错")
FOOTER_HTML = ('<div class="footer"><a href="https://bszs.conac.cn/sitename?method=show&id=1">'
               '<img src="https://dcs.conac.cn/image/red.png" title="党政机关"></a>'
               '<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3701000001">'
               '<img alt="我为政府网站找错"></a></div>')


def clean_site() -> SiteSnapshot:
    """A site that passes every rule of this package: filed code, footer, tags, HTTPS, IPv6, search."""
    home_links = [
        link(COLUMN, text="政务公开"),
        link(ARTICLE, text="关于印发济南市政务公开工作要点的通知"),
        link("https://www.jn.gov.cn/images/banner.jpg", tag="img", text=""),
        link("https://www.jn.gov.cn/files/yaodian.pdf", text="工作要点（PDF）"),
        link("https://www.sd.gov.cn/", text="山东省人民政府"),
        link("https://www.xinhuanet.com/", text="新华网"),
        # A drop-down menu hidden until hover, pointing at the site itself: not a dark link.
        link("https://www.jn.gov.cn/zwgk/zcwj/", text="政策文件", visible=False, hidden_by="display_none",
             position="#nav li.sub ul a"),
        link("https://bszs.conac.cn/sitename?method=show&id=1", text=""),
        link("https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3701000001", text="我为政府网站找错"),
    ]
    home = make_page(HOME, text=f"济南市人民政府 要闻动态 {FOOTER}", html=f"<body>{FOOTER_HTML}</body>",
                     meta=SITE_TAGS, page_links=home_links,
                     scripts=["https://hm.baidu.com/hm.js?8f3a", "https://www.jn.gov.cn/js/jquery.min.js",
                              "https://bszs.conac.cn/sitename?method=show&id=1"])
    column = make_page(COLUMN, text="政务公开 栏目", meta={
        **SITE_TAGS, "ColumnName": "政务公开", "ColumnDescription": "政务公开栏目",
        "ColumnKeywords": "政务公开", "ColumnType": "政务公开"},
        page_links=[link(ARTICLE, COLUMN, text="通知")])
    article_text = "关于印发济南市政务公开工作要点的通知 发布时间：2024-04-30 09:00"
    article = make_page(ARTICLE, parent=COLUMN, text=article_text,
                        meta={**SITE_TAGS, "ColumnName": "政务公开", "ColumnType": "政务公开",
                              "ArticleTitle": "关于印发济南市政务公开工作要点的通知",
                              "PubDate": "2024-04-30 09:00:00", "ContentSource": "济南市人民政府办公厅"})
    pages = [home, column, article]
    statuses = {lk.url: LinkStatus(url=lk.url, status=200) for p in pages for lk in p.links}
    return SiteSnapshot(
        target=make_target(), as_of=AS_OF, pages=pages, link_status=statuses,
        availability=Availability(probes=2016, failures=0, window_days=7),
        search=SearchResult(present=True, query="关于印发济南市政务公开工作要点的通知", hits=3),
        ipv6=Ipv6Result(aaaa=["240e:ff:e020::1"], reachable=True),
        registry_sites={"www.jn.gov.cn", "www.sd.gov.cn"},
        external_pages={"https://www.xinhuanet.com/": served("https://www.xinhuanet.com/", "新华网",
                                                              "新华网 要闻")})


def served(url: str, title: str, text: str, status: int = 200) -> ExternalPage:
    """What an external link's target served, as the pipeline keeps it."""
    return ExternalPage(url=url, final_url=url, status=status, title=title, text=text)


def run(module: Any, site: SiteSnapshot, **overrides: Any) -> list[Any]:
    findings: list[Any] = module.check(site, params_for(module, **overrides))
    return findings


def test_clean_site_yields_no_findings_from_any_of_these_rules() -> None:
    site = clean_site()
    assert {m.__name__: run(m, site) for m in MY_MODULES} == {m.__name__: [] for m in MY_MODULES}


def add_link(site: SiteSnapshot, page_index: int, lk: Link, status: LinkStatus | None) -> None:
    site.pages[page_index].links.append(lk)
    if status is not None:
        site.link_status[lk.url] = status


def test_a_404_link_on_the_home_page_is_a_broken_link_with_its_evidence() -> None:
    site = clean_site()
    gone = "https://www.jn.gov.cn/zwgk/old.html"
    old = link(gone, text="旧通知", position="#news li:nth-child(3) a")
    add_link(site, 0, old, LinkStatus(url=gone, status=404))

    [finding] = run(links, site)

    assert (finding.severity, finding.detail["kind"], finding.points) == ("deduct", "broken_link", 1.0)
    assert (finding.url, finding.parent_url, finding.position, finding.excerpt) == (
        gone, HOME, "#news li:nth-child(3) a", "旧通知")
    assert finding.locator == f"{HOME}|{gone}"
    assert "404" in finding.message


def test_the_same_broken_url_on_two_pages_is_reported_twice_but_deducted_once() -> None:
    site = clean_site()
    gone = "https://www.jn.gov.cn/gone.html"
    add_link(site, 2, link(gone, ARTICLE), LinkStatus(url=gone, status=403))
    add_link(site, 0, link(gone), None)

    findings = run(links, site)

    assert [(f.parent_url, f.points) for f in findings] == [(HOME, 1.0), (ARTICLE, 0.0)]


def test_broken_images_and_attachments_are_reported_with_their_kind() -> None:
    site = clean_site()
    img = "https://www.jn.gov.cn/images/missing.png"
    pdf = "https://www.jn.gov.cn/files/2024/plan.pdf"
    add_link(site, 2, link(img, ARTICLE, tag="img", text=""), LinkStatus(url=img, status=404))
    add_link(site, 2, link(pdf, ARTICLE, text="附件：实施方案"), LinkStatus(url=pdf, status=404))

    findings = run(links, site)

    assert [(f.detail["kind"], f.points) for f in findings] == [
        ("broken_image", 0.1), ("broken_attachment", 0.1)]
    assert "图片" in findings[0].message and "附件" in findings[1].message


def test_timeouts_and_5xx_are_warned_as_unstable_and_never_deducted() -> None:
    site = clean_site()
    slow = "https://www.slow-partner.com/"
    down = "https://www.jn.gov.cn/app/"
    flaky = "https://www.flaky.com/"
    add_link(site, 0, link(slow), LinkStatus(url=slow, status=None, failure="timeout", confirmed=True))
    add_link(site, 0, link(down), LinkStatus(url=down, status=500, failure="http_5xx", confirmed=True))
    # A single transient failure that passed its re-check is not reported at all.
    add_link(site, 0, link(flaky), LinkStatus(url=flaky, status=None, failure="timeout", confirmed=False))

    findings = run(links, site)

    assert [(f.url, f.severity, f.points) for f in findings] == [(slow, "warn", 0.0), (down, "warn", 0.0)]
    assert all("链接不稳定" in f.message for f in findings)
    assert "超时" in findings[0].message and "500" in findings[1].message
    assert sum(f.points for f in findings) == 0


def test_an_empty_link_is_reported_as_empty() -> None:
    site = clean_site()
    add_link(site, 1, link("", COLUMN, text="办事指南", position="#list li:nth-child(2) a"), None)

    [finding] = run(links, site)

    assert (finding.detail["kind"], finding.parent_url, finding.excerpt, finding.points) == (
        "empty_link", COLUMN, "办事指南", 0.1)
    assert "空链接" in finding.message
