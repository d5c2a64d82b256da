"""Crawling fixture sites served on loopback under their real .gov.cn names; parsing pure HTML."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from services.checker.crawl import CrawlSettings, crawl, looks_like_shell, parse_html
from services.checker.crawl.parse import decode_html
from services.checker.crawl.search import build_query, check_search, count_hits, find_search
from services.checker.ground.site import Target
from services.checker.net import Fetcher, FetchSettings
from tests.checker.sitefixture import SiteServer
from tests.checker.test_attachments import OLE_DOC, make_docx, make_pdf, make_xlsx

HOST = "www.example.gov.cn"
BASE = f"http://{HOST}"


def target(domains: list[str] | None = None, home: str = f"{BASE}/") -> Target:
    return Target(id=uuid.uuid4(), site_code="3701000001", name="示例市人民政府",
                  organisation_id=uuid.uuid4(), organisation_name="示例市人民政府办公室",
                  region_code="370100", kind="portal", domains=domains or [HOST], home_url=home,
                  status="running")


def fetcher_for(server: SiteServer) -> Fetcher:
    return Fetcher(FetchSettings(allow_private=True, retries=0, per_host_interval_ms=0, read_timeout_s=2.0),
                   {HOST: f"127.0.0.1:{server.port}", "*.example.gov.cn": f"127.0.0.1:{server.port}",
                    "www.other.gov.cn": f"127.0.0.1:{server.port}"})


def page(title: str, body: str, head: str = "") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer() as s:
        yield s


def gets(server: SiteServer) -> list[str]:
    return [f"{host}{path}" for method, host, path in server.requests if method == "GET"]


# ---------------------------------------------------------------- parsing (pure)

def test_parse_reads_title_text_meta_and_links() -> None:
    html = page("关于开展检查的通知_示例市人民政府", """
        <div class="main"><h1>关于开展检查的通知</h1><p>正文第一段。<script>var x = "不可见";</script></p>
        <table><tr><td>姓名</td><td>张三</td></tr></table><noscript>请启用脚本</noscript></div>
        <div class="footer"><a href="/about.html#top">关于我们</a><a href="">空</a><a href="#">顶部</a>
        <a href="javascript:void(0)">打开</a><a href="mailto:zwgk@example.gov.cn">邮箱</a>
        <a href="tel:12345">电话</a><img src="/images/badge.png" alt="党政机关"></div>
        <iframe src="https://www.other.gov.cn/widget"></iframe>""",
        head='<meta name="siteidcode" content="3701000001">'
             '<meta name="ArticleTitle" content="关于开展检查的通知">'
             '<link rel="stylesheet" href="/css/site.css"><script src="/js/app.js"></script>')
    parsed = parse_html(html, f"{BASE}/col/art.html")
    assert parsed.title == "关于开展检查的通知_示例市人民政府"
    assert "正文第一段。" in parsed.text and "不可见" not in parsed.text and "请启用脚本" not in parsed.text
    assert "姓名 张三" in parsed.text
    assert parsed.meta["siteidcode"] == "3701000001" and parsed.meta["SiteIDCode"] == "3701000001"
    assert parsed.meta["ArticleTitle"] == "关于开展检查的通知"
    assert parsed.scripts == [f"{BASE}/js/app.js"]
    by_text = {link.text: link for link in parsed.links}
    assert by_text["关于我们"].url == f"{BASE}/about.html"
    assert by_text["关于我们"].position == "body > div.footer > a:nth-of-type(1)"
    assert by_text["关于我们"].parent_url == f"{BASE}/col/art.html"
    assert [by_text[t].url for t in ("空", "顶部", "打开")] == ["", "", ""]  # 空链接
    assert "邮箱" not in by_text and "电话" not in by_text
    assert by_text["党政机关"].tag == "img" and by_text["党政机关"].url == f"{BASE}/images/badge.png"
    tags = {link.tag for link in parsed.links}
    assert {"a", "img", "iframe", "link"} <= tags


def test_gbk_page_is_decoded_by_meta_header_or_fallback() -> None:
    body = page("示例市人民政府", "政务公开", head='<meta charset="gb2312">').encode("gbk")
    assert "政务公开" in decode_html(body)[0]
    assert "政务公开" in decode_html("政务公开".encode("gbk"))[0]  # nothing declared: GB18030
    assert decode_html("政务公开".encode(), "gbk")[0] == "政务公开"  # declared GBK, served UTF-8


def test_shell_heuristic() -> None:
    shell = '<html><body><div id="app"></div><script src="/js/chunk-vendors.js"></script></body></html>'
    words = "本机关依法公开政府信息。" * 50
    article = page("通知", f"<p>{words}</p><script src='/js/jquery.js'></script>")
    assert looks_like_shell(shell, "")
    assert looks_like_shell('<body><script>' + "x" * 5000 + "</script>加载中</body>", "加载中")
    assert not looks_like_shell(article, words)
    assert not looks_like_shell(page("空页", "暂无信息"), "暂无信息")  # no scripts: just empty


# ---------------------------------------------------------------- crawling

async def test_crawl_respects_scope_and_records_off_site_links(server: SiteServer) -> None:
    server.add(HOST, "/", page("示例市人民政府", """
        <a href="/col/news.html">要闻</a><a href="http://slj.example.gov.cn/">水利局</a>
        <a href="http://www.other.gov.cn/">其他网站</a><img src="/logo.png"><a href="/out">外转</a>"""))
    server.add(HOST, "/out", "", status=302, headers={"Location": "http://www.other.gov.cn/"})
    server.add(HOST, "/col/news.html", page("要闻", "<a href='/'>首页</a>"))
    server.add("slj.example.gov.cn", "/", page("水利局", "水利"))
    server.add("www.other.gov.cn", "/", page("其他", "其他"))
    async with fetcher_for(server) as fetcher:
        result = await crawl(target(), fetcher, CrawlSettings(max_pages=10, max_depth=3))
        first_requests = list(server.requests)
        wide = await crawl(target([HOST, "example.gov.cn"]), fetcher, CrawlSettings(max_pages=10))
    assert [p.url for p in result.pages] == [f"{BASE}/", f"{BASE}/col/news.html"]
    assert result.pages[0].depth == 0 and result.pages[1].parent_url == f"{BASE}/"
    assert {"http://www.other.gov.cn/", "http://slj.example.gov.cn/", f"{BASE}/logo.png"} <= result.links
    # Never crawled directly; reached once through a redirect, and then not taken as a site page.
    assert [r for r in first_requests if r[1] == "www.other.gov.cn"] == [("GET", "www.other.gov.cn", "/")]
    assert "http://slj.example.gov.cn/" in [p.url for p in wide.pages]  # subdomain of a filed domain
    assert gets(server).count(f"{HOST}/logo.png") == 0  # images are links, not pages


async def test_crawl_respects_page_and_depth_budgets(server: SiteServer) -> None:
    links = "".join(f'<a href="/p{n}.html">第{n}篇</a>' for n in range(10))
    server.add(HOST, "/", page("首页", links + '<a href="/deep1.html">深</a>'))
    for n in range(10):
        server.add(HOST, f"/p{n}.html", page(f"第{n}篇", "内容"))
    server.add(HOST, "/deep1.html", page("一层", '<a href="/deep2.html">二层</a>'))
    server.add(HOST, "/deep2.html", page("二层", '<a href="/deep3.html">三层</a>'))
    async with fetcher_for(server) as fetcher:
        limited = await crawl(target(), fetcher, CrawlSettings(max_pages=4, max_depth=5))
        fetched_limited = len(gets(server))
        shallow = await crawl(target(), fetcher, CrawlSettings(max_pages=50, max_depth=1))
    assert len(limited.pages) == 4 and fetched_limited == 4
    assert limited.budget_exhausted
    assert [p.url for p in limited.pages[:2]] == [f"{BASE}/", f"{BASE}/p0.html"]
    urls = [p.url for p in shallow.pages]
    assert f"{BASE}/deep1.html" in urls and f"{BASE}/deep2.html" not in urls
    assert f"{BASE}/deep2.html" in shallow.links  # seen on a depth-1 page, not followed


async def test_crawl_stops_taking_pages_when_its_time_is_up(server: SiteServer) -> None:
    links = "".join(f'<a href="/p{n}.html">第{n}篇</a>' for n in range(20))
    server.add(HOST, "/", page("首页", links))
    for n in range(20):
        server.add(HOST, f"/p{n}.html", page(f"第{n}篇", "内容"), delay=0.2)
    settings = CrawlSettings(max_pages=50, concurrency=1, time_budget_s=0.5)
    async with fetcher_for(server) as fetcher:
        result = await crawl(target(), fetcher, settings)
    # One page at a time, 0.2 s each: a handful fit in half a second, the rest are left.
    assert 2 <= len(result.pages) < 10 and len(gets(server)) == len(result.pages)
    assert result.budget_exhausted
    assert result.pages[0].url == f"{BASE}/"


async def test_crawl_decodes_gbk_and_extracts_attachments(server: SiteServer) -> None:
    server.add(HOST, "/", page("首页", """
        <a href="/gbk.html">公告</a><a href="/meta.html">通知</a><a href="/files/budget.pdf">预算</a>
        <a href="/files/list.docx">名单</a><a href="/files/phones.xlsx">电话表</a>
        <a href="/files/old.doc">旧文件</a><a href="/download.jsp?id=9">下载</a>"""))
    server.add(HOST, "/gbk.html", page("公告", "关于政务公开的公告").encode("gbk"),
               content_type="text/html; charset=gbk")
    server.add(HOST, "/meta.html", page("通知", "GB2312 编码的通知", '<meta http-equiv="Content-Type" '
                                    'content="text/html; charset=gb2312">').encode("gbk"),
               content_type="text/html")
    server.add(HOST, "/files/budget.pdf", make_pdf("Budget 2024 total 1200"), content_type="application/pdf")
    server.add(HOST, "/files/list.docx", make_docx("人员名单", ["张三", "13800138000"]),
               content_type="application/octet-stream")
    server.add(HOST, "/files/phones.xlsx", make_xlsx([["李四", 13900139000]]),
               content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    server.add(HOST, "/files/old.doc", OLE_DOC, content_type="application/msword")
    server.add(HOST, "/download.jsp?id=9", make_pdf("Attached circular"), content_type="application/pdf",
               headers={"Content-Disposition": 'attachment; filename="circular.pdf"'})
    async with fetcher_for(server) as fetcher:
        result = await crawl(target(), fetcher, CrawlSettings(max_pages=10, max_attachments=10))
    by_url = {p.url: p for p in result.pages}
    assert "关于政务公开的公告" in by_url[f"{BASE}/gbk.html"].text
    assert "GB2312 编码的通知" in by_url[f"{BASE}/meta.html"].text
    attachments = {p.url: p for p in result.pages if p.is_attachment}
    assert "Budget 2024 total 1200" in attachments[f"{BASE}/files/budget.pdf"].text
    assert "13800138000" in attachments[f"{BASE}/files/list.docx"].text
    assert "13900139000" in attachments[f"{BASE}/files/phones.xlsx"].text
    assert attachments[f"{BASE}/files/old.doc"].text == ""  # legacy .doc: fetched, not extractable
    assert "Attached circular" in attachments[f"{BASE}/download.jsp?id=9"].text  # by content type
    assert all(p.status == 200 for p in attachments.values())
    assert result.pages[0].url == f"{BASE}/" and not result.pages[0].is_attachment


async def test_attachment_budget_is_separate_and_strict(server: SiteServer) -> None:
    server.add(HOST, "/", page("首页", "".join(f'<a href="/f{n}.pdf">附件{n}</a>' for n in range(5))
                               + '<a href="/a.html">文章</a>'))
    server.add(HOST, "/a.html", page("文章", "内容"))
    for n in range(5):
        server.add(HOST, f"/f{n}.pdf", make_pdf(f"file {n}"), content_type="application/pdf")
    async with fetcher_for(server) as fetcher:
        result = await crawl(target(), fetcher, CrawlSettings(max_pages=2, max_attachments=2))
    assert len([p for p in result.pages if not p.is_attachment]) == 2
    assert [p.url for p in result.pages if p.is_attachment] == [f"{BASE}/f0.pdf", f"{BASE}/f1.pdf"]
    assert len([r for r in server.requests if r[2].endswith(".pdf")]) == 2


async def test_crawl_flags_script_shells_and_follows_meta_refresh(server: SiteServer) -> None:
    server.add(HOST, "/", '<html><head><meta http-equiv="refresh" content="0; url=/index.html">'
                          '</head></html>')
    server.add(HOST, "/index.html", page("示例市人民政府", '<a href="/app.html">互动</a>' + "政务公开" * 200))
    server.add(HOST, "/app.html", '<html><body><div id="app"></div>'
                                  '<script src="/js/chunk-vendors.js"></script></body></html>')
    async with fetcher_for(server) as fetcher:
        result = await crawl(target(), fetcher, CrawlSettings(max_pages=10))
    home = result.pages[0]
    assert home.url == f"{BASE}/" and home.final_url == f"{BASE}/index.html"
    assert home.title == "示例市人民政府"
    assert result.needs_render == [f"{BASE}/app.html"]


async def test_unreachable_home_is_still_reported_first(server: SiteServer) -> None:
    server.add(HOST, "/", "维护中", status=503)
    async with fetcher_for(server) as fetcher:
        result = await crawl(target(), fetcher, CrawlSettings(max_pages=10))
    assert len(result.pages) == 1
    assert (result.pages[0].status, result.pages[0].failure) == (503, "http_5xx")


# ---------------------------------------------------------------- site search

SEARCH_FORM = """<form action="/search.jsp" method="get" name="searchform">
  <input type="hidden" name="siteid" value="12">
  <input type="text" name="searchword" placeholder="请输入关键词">
  <input type="submit" value="搜索"></form>
  <form action="/login" method="post"><input name="user"><input type="password" name="pwd"></form>"""


def test_find_search_form_and_build_query() -> None:
    entry = find_search(page("首页", SEARCH_FORM), f"{BASE}/", [HOST])
    assert entry is not None and entry.kind == "form" and entry.name == "searchword"
    method, url, body = build_query(entry, "预算公开")
    assert method == "GET" and body is None
    assert url == f"{BASE}/search.jsp?siteid=12&searchword=%E9%A2%84%E7%AE%97%E5%85%AC%E5%BC%80"
    gbk = find_search(page("首页", SEARCH_FORM, '<meta charset="gbk">'), f"{BASE}/", [HOST])
    assert gbk is not None and build_query(gbk, "预算")[1].endswith("searchword=%D4%A4%CB%E3")
    off_site = '<form action="https://www.baidu.com/s"><input name="wd"></form>'
    assert find_search(page("首页", off_site), f"{BASE}/", [HOST]) is None
    link = find_search(page("首页", '<a href="/so/">站内搜索</a>'), f"{BASE}/", [HOST])
    assert link is not None and (link.kind, link.url) == ("link", f"{BASE}/so/")


def test_count_hits_ignores_the_echoed_query() -> None:
    echo = page("搜索结果", "<p>您搜索的“关于开展检查的通知”共找到 0 条结果</p>")
    found = page("搜索结果", '<ul><li><a href="/a.html">关于开展<em>检查</em>的通知</a></li></ul>')
    assert count_hits(echo, "关于开展检查的通知") == 0
    assert count_hits(found, "关于开展检查的通知") == 1


async def test_search_finds_an_existing_article(server: SiteServer) -> None:
    title = "关于开展政府网站检查的通知"
    server.add(HOST, "/", page("示例市人民政府", SEARCH_FORM + '<a href="/art/1.html">通知</a>'))
    server.add(HOST, "/art/1.html", page(f"{title}_示例市人民政府", "正文",
                                         f'<meta name="ArticleTitle" content="{title}">'))
    async with fetcher_for(server) as fetcher:
        result = await crawl(target(), fetcher, CrawlSettings(max_pages=10))
        server.add(HOST, "/search.jsp", page("搜索", f'<a href="/art/1.html">{title}</a>'))
        working = await check_search(result.pages, fetcher, [HOST])
        server.add(HOST, "/search.jsp", page("搜索", f"您搜索的“{title}”共找到 0 条结果"))
        broken = await check_search(result.pages, fetcher, [HOST])
    assert working.present and working.query == title and working.hits == 1
    assert working.url is not None and working.url.startswith(f"{BASE}/search.jsp?siteid=12&searchword=")
    assert broken.present and broken.hits == 0


async def test_search_absent(server: SiteServer) -> None:
    server.add(HOST, "/", page("示例市人民政府", '<a href="/art/1.html">通知</a>'))
    async with fetcher_for(server) as fetcher:
        result = await crawl(target(), fetcher, CrawlSettings(max_pages=10))
        search = await check_search(result.pages, fetcher, [HOST])
    assert search.present is False and search.hits is None
