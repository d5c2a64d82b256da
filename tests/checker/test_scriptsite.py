"""A script-built site (tests/checker/scriptsite.py) crawled with real Chromium on loopback: the
crawl goes on from the rendered pages and every rule reads what a visitor sees."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from functools import partial

import pytest

from services.checker.browser import Browser, BrowserSettings, RenderFailed, Timing, read_page
from services.checker.crawl.crawler import CrawlResult, CrawlSettings, crawl, in_scope, scope_domains
from services.checker.crawl.linkcheck import LinkCheckSettings, MemoryLinkCache, check_links
from services.checker.crawl.rendered import RenderedReader, RenderSettings, writes_links
from services.checker.ground.site import Page, SiteSnapshot, Target
from services.checker.inspect.evaluate import evaluate
from services.checker.net.fetcher import Fetcher, FetchSettings
from services.checker.net.hostmap import HostMap
from services.checker.profile.loader import national_profile
from services.checker.rules.params import WordLists
from tests.checker import scriptsite
from tests.checker.rules.test_links import make_target
from tests.checker.scriptsite import HOME, HOST, MISSING_IMAGE, SPAM, TYPO
from tests.checker.sitefixture import SiteServer

AS_OF = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
FAST = Timing(load_wait_ms=5_000, idle_wait_ms=1_000, settle_ms=200)
STATIC_HOST = "www.static.gov.cn"
STATIC_HOME = f"http://{STATIC_HOST}/"
MOVED_HOST = "www.moved.gov.cn"  # a static site whose home page only moves the visitor on, by script
MOVED_HOME = f"http://{MOVED_HOST}/"


# A static page's own script writes a hidden block of gambling links: only a browser sees it.
SCRIPT_WRITTEN = (f"<script>document.write('<div style=\"display:none\"><a href=\"{SPAM}\">博彩</a></div>');"
                  "</script>")


def static_page(title: str, body: str) -> str:
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}'
            '<script>var _hmt = _hmt || [];</script></body></html>')


@pytest.fixture(scope="module")
def server() -> Iterator[SiteServer]:
    with SiteServer() as s:
        for (host, path), (body, content_type) in scriptsite.documents(AS_OF.date()).items():
            s.add(host, path, body, content_type=content_type)
        s.add(STATIC_HOST, "/", static_page("静态首页", '<a href="/a.html">栏目一</a> <a href="/b.html">栏目二</a>'
                                            ' <a href="/c.html">栏目三</a>' + "<p>正文内容</p>" * 40))
        s.add(STATIC_HOST, "/a.html", static_page("栏目一", "<p>栏目一的正文内容。</p>" * 30))
        s.add(STATIC_HOST, "/b.html", static_page("栏目二", '<link rel="stylesheet" href="/css/site.css">'
                                                  + "<p>栏目二的正文内容。</p>" * 30
                                                  + f'<div class="yqlj"><a href="{SPAM}">博彩</a></div>'))
        s.add(MOVED_HOST, "/", "<script>location.replace('/web/index.html');</script>")
        s.add(MOVED_HOST, "/web/index.html", static_page("首页", "".join(
            f'<a href="/web/col{n}/">栏目{n}</a>' for n in range(12)) + "<p>正文内容</p>" * 40))
        s.add(STATIC_HOST, "/css/site.css", ".yqlj { position: absolute; left: -9999px }", content_type="text/css")
        s.add(STATIC_HOST, "/c.html", static_page("栏目三", "<p>栏目三的正文内容。</p>" * 30 + SCRIPT_WRITTEN))
        yield s


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with Browser(BrowserSettings(page_timeout_ms=15_000, target_budget_s=300)) as b:
        yield b


@pytest.fixture
async def fetcher(server: SiteServer) -> AsyncIterator[Fetcher]:
    f = Fetcher(FetchSettings(allow_private=True), HostMap.parse(server.host_map()))
    try:
        yield f
    finally:
        await f.aclose()


def site_target(home: str = HOME) -> Target:
    host = home.split("/")[2]
    return make_target(site_code=scriptsite.SITE_CODE, name="济南市历下区人民政府", domains=[host],
                       home_url=home, organisation_name="济南市历下区人民政府办公室", region_code="370102")


async def render_or_none(ctx: object, page: Page) -> tuple[Page, str] | None:
    try:
        return await read_page(ctx, page, timing=FAST)  # type: ignore[arg-type]
    except RenderFailed:
        return None


async def crawl_rendered(browser: Browser, fetcher: Fetcher, target: Target,
                         settings: RenderSettings | None = None) -> tuple[CrawlResult, RenderedReader]:
    domains = scope_domains(target)
    async with browser.context(fetcher.fetch) as ctx:
        reader = RenderedReader(partial(render_or_none, ctx), lambda url: in_scope(url, domains), settings)
        result = await crawl(target, fetcher, CrawlSettings(), reader)
    return result, reader


def by_url(result: CrawlResult) -> dict[str, Page]:
    return {p.url: p for p in result.pages}


async def test_without_the_browser_a_script_built_site_is_one_empty_shell(fetcher: Fetcher) -> None:
    result = await crawl(site_target(), fetcher, CrawlSettings())

    assert [p.url for p in result.pages] == [HOME]
    assert result.pages[0].text == "" and result.needs_render == [HOME]


async def test_a_script_built_site_is_crawled_from_its_rendered_pages(browser: Browser, fetcher: Fetcher) -> None:
    result, reader = await crawl_rendered(browser, fetcher, site_target())
    pages = by_url(result)

    assert reader.script_built
    assert len(result.pages) == scriptsite.pages_count() and all(p.rendered for p in result.pages)
    home = pages[HOME]
    assert home.meta["SiteIDCode"] == scriptsite.SITE_CODE and home.title.startswith("首页")
    assert f"网站标识码：{scriptsite.SITE_CODE}" in home.text
    assert any(link.tag == "img" and link.text == "国徽" for link in home.links)
    article = pages[f"http://{HOST}/ywdt/1.html"]
    assert TYPO in article.text and article.meta["ColumnName"] == "要闻动态"
    assert article.parent_url and article.depth >= 1
    assert any(link.url == MISSING_IMAGE and link.tag == "img" for link in article.links)
    # The dark link is on an inner page, judged by the browser with where it sits.
    column = pages[f"http://{HOST}/ywdt/"]
    dark = next(link for link in column.links if link.url == SPAM)
    assert (dark.visible, dark.hidden_by) == (False, "offscreen")
    assert dark.rect is not None and dark.rect[0] < -1000


async def test_every_rule_reads_the_rendered_site(browser: Browser, fetcher: Fetcher) -> None:
    target = site_target()
    result, _ = await crawl_rendered(browser, fetcher, target)
    urls = [link.url for p in result.pages for link in p.links if link.url]
    statuses = await check_links(urls, fetcher, MemoryLinkCache(), LinkCheckSettings(recheck_delay_s=0))
    site = SiteSnapshot(target=target, as_of=AS_OF, pages=result.pages, link_status=statuses,
                        registry_sites={HOST})

    findings = evaluate(site, national_profile(), WordLists())

    found = {(f.rule, f.detail.get("kind")) for f in findings}
    typo = next(f for f in findings if f.rule == "content.typo")
    assert TYPO in (typo.excerpt or "") and typo.url == f"http://{HOST}/ywdt/1.html"
    dark = next(f for f in findings if f.detail.get("kind") == "dark_link")
    assert dark.url == SPAM and dark.parent_url == f"http://{HOST}/ywdt/" and dark.element_rect is not None
    assert any(f.rule == "deduct.links" and MISSING_IMAGE in f.message + str(f.detail) for f in findings), found
    stale = [f for f in findings if f.rule == "veto.columns_stale"]
    assert stale and all("要闻动态" in f.message for f in stale), found
    assert not any(f.rule == "deduct.identity" and "网站标识码" in f.message for f in findings), found


async def test_inner_pages_are_rendered_within_the_budget(browser: Browser, fetcher: Fetcher) -> None:
    result, reader = await crawl_rendered(browser, fetcher, site_target(), RenderSettings(max_rendered_pages=2))

    assert len(reader.rendered) == 2
    rendered = [p.url for p in result.pages if p.rendered]
    assert rendered == [HOME, *reader.rendered]  # the home page and the first two inner pages
    # The others are what the server sent (found through the rendered home page's links).
    assert len(result.pages) == scriptsite.pages_count()
    assert all(p.text == "" for p in result.pages if not p.rendered)


async def test_a_static_site_renders_its_home_page_and_pages_whose_scripts_write_links(
        browser: Browser, fetcher: Fetcher, server: SiteServer) -> None:
    result, reader = await crawl_rendered(browser, fetcher, site_target(STATIC_HOME))

    assert not reader.script_built and reader.rendered == [f"{STATIC_HOME}c.html"]
    assert [(p.url, p.rendered) for p in result.pages] == [
        (STATIC_HOME, True), (f"{STATIC_HOME}a.html", False), (f"{STATIC_HOME}b.html", False),
        (f"{STATIC_HOME}c.html", True)]
    written = next(link for link in result.pages[3].links if link.url == SPAM)
    assert (written.visible, written.hidden_by, written.injected) == (False, "display_none", True)
    # The fetched page's dark link is judged from the site's stylesheet, read once.
    styled = next(link for link in result.pages[2].links if link.url == SPAM)
    assert (styled.visible, styled.hidden_by, styled.rect) == (False, "offscreen", None)
    assert server.requests.count(("GET", STATIC_HOST, "/css/site.css")) == 1


def test_scripts_that_write_links_are_told_from_other_scripts() -> None:
    assert writes_links(SCRIPT_WRITTEN)
    assert writes_links("<script>var a = document.createElement('a'); a.href = 'x'; body.appendChild(a)</script>")
    assert not writes_links("<script>var _hmt = _hmt || []; document.write('<img src=/c.gif>')</script>")
    assert not writes_links('<script src="/js/jquery.js"></script><a href="/x">x</a>')


async def test_a_home_page_that_moves_on_by_script_is_judged_by_where_it_lands(
        browser: Browser, fetcher: Fetcher) -> None:
    result, reader = await crawl_rendered(browser, fetcher, site_target(MOVED_HOME))

    home = result.pages[0]
    assert home.rendered and home.final_url == f"{MOVED_HOME}web/index.html"
    assert not reader.script_built and reader.rendered == []  # the landing page is plain HTML
    assert len(result.pages) == 13  # the crawl went on from the landing page's links (all missing)
