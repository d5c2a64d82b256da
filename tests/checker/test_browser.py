"""Real Chromium against fixture sites on loopback: routing, rendering, hidden links, evidence shots."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from PIL import Image

from services.checker.browser import (
    Browser,
    BrowserSettings,
    RenderFailed,
    Timing,
    outline_screenshot,
    outline_screenshots,
    render,
)
from services.checker.ground.site import Link
from tests.checker.sitefixture import SiteServer

HOST = "www.example.gov.cn"
SITE = f"http://{HOST}"
CASINO = "http://casino.example.com"
PARTNER = "http://partner.example.com"
FAST = Timing(load_wait_ms=5_000, idle_wait_ms=1_000, settle_ms=200)
RED = (255, 0, 0)
Rect = tuple[float, float, float, float]

TECHNIQUES_PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>示例市人民政府</title>
<meta name="siteidcode" content="1234000001">
<style>
  body {{ margin: 0; font: 16px sans-serif; background: #fff; color: #333; }}
  .logo {{ display: block; width: 200px; height: 50px; text-indent: -9999px; overflow: hidden;
           background: #eee url(/logo.png) no-repeat; }}
  .menu ul {{ display: none; }}
  .menu:hover ul {{ display: block; }}
  .dark {{ background: #123456; }} .dark a {{ color: #fff; }}
  .banner {{ position: relative; }} .banner img {{ display: block; width: 600px; height: 120px; }}
  .banner a {{ position: absolute; left: 20px; top: 40px; color: #fff; }}
  .spacer {{ height: 3000px; }}
</style></head>
<body>
<a class="logo" href="/">示例市人民政府</a>
<div class="nav"><a href="/xxgk/">信息公开</a> <a href="/zwfw/">政务服务</a> <a href="http://www.gov.cn/">中国政府网</a></div>
<div class="menu"><a href="/hd/">互动交流</a><ul><li><a href="/hd/zxts/">咨询投诉</a></li></ul></div>
<details><summary>更多</summary><a href="/more/">更多栏目</a></details>
<div class="dark"><a href="/dark/">深色背景上的白字</a></div>
<div class="banner"><img src="/banner.png" alt=""><a href="/zt/">专题专栏</a></div>
<marquee scrollamount="30"><a href="/news/1.html">滚动新闻一</a> <a href="{PARTNER}/">合作单位</a></marquee>
<div class="dark-links">
  <div style="display:none"><a href="{CASINO}/display">博彩1</a></div>
  <a href="{CASINO}/visibility" style="visibility:hidden">博彩2</a>
  <div style="opacity:0"><a href="{CASINO}/opacity">博彩3</a></div>
  <div style="height:0;overflow:hidden"><a href="{CASINO}/zero">博彩4</a></div>
  <a href="{CASINO}/clip" style="position:absolute;clip:rect(0 0 0 0)">博彩5</a>
  <a href="{CASINO}/clip-path" style="clip-path:inset(50%)">博彩5b</a>
  <a id="far-left" href="{CASINO}/left" style="position:absolute;left:-9999px">博彩6</a>
  <a href="{CASINO}/top" style="position:fixed;top:-5000px">博彩6b</a>
  <div style="text-indent:-9999px"><a href="{CASINO}/indent">博彩7</a></div>
  <div style="background:#fff"><a href="{CASINO}/colour" style="color:#fefefe">博彩8</a></div>
  <iframe src="{CASINO}/frame" style="display:none"></iframe>
  <iframe width="0" height="0" frameborder="0" srcdoc="<a href='{CASINO}/in-frame'>博彩9</a>"></iframe>
  <marquee width="0" height="0"><a href="{CASINO}/marquee">博彩10</a></marquee>
</div>
<div class="spacer"></div>
<div class="footer"><a href="/sitemap.html">网站地图</a></div>
<script>document.write('<a href="{CASINO}/written">博彩11</a>');</script>
<script>
  window.addEventListener('load', function () {{
    setTimeout(function () {{
      var a = document.createElement('a'); a.href = '{CASINO}/appended'; a.textContent = '博彩12';
      document.body.appendChild(a);
    }}, 50);
  }});
</script>
</body></html>"""

SHELL_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>政务动态</title></head>
<body><div id="app"></div><script src="/app.js"></script></body></html>"""
SHELL_SCRIPT = """fetch('/api/news.json').then(function (r) { return r.json(); }).then(function (items) {
  document.getElementById('app').innerHTML = items.map(function (i) {
    return '<p><a href="' + i.url + '">' + i.title + '</a></p>'; }).join('');
});"""

# A "友情链接" tab switched by script (panels hidden by the script, as jQuery tabs do), and a
# hidden block with no control beside it.
TABS_PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>友情链接</title></head><body>
<div class="yqlj">
  <ul class="hd"><li>部门网站</li><li>区县网站</li><li>其他网站</li></ul>
  <div class="bd"><div><a href="/bm/">市教育局</a></div><div><a href="/qx/">任城区</a></div>
    <div><a href="{PARTNER}/tab">曲阜旅游网</a></div></div>
</div>
<div class="box"><p>版权所有</p><p>联系我们</p><p style="display:none"><a href="{CASINO}/untabbed">博彩</a></p></div>
<style>.drop ul {{ display: none; }} .drop:hover ul {{ display: block; }}
  .self {{ display: none; }} .self:hover {{ display: block; }}
  #opened, #unopened {{ display: none; }} #opened:target, #unopened:target {{ display: block; }}</style>
<div class="drop"><span>友情链接</span><ul><li><a href="{PARTNER}/hover">合作单位</a></li></ul></div>
<div class="self"><a href="{CASINO}/self-hover">博彩</a></div>
<p><a href="#opened">更多网站</a></p><div id="opened"><a href="{PARTNER}/target">合作网站</a></div>
<div id="unopened"><a href="{CASINO}/target">博彩</a></div>
<script>
  var labels = document.querySelectorAll('.yqlj .hd li'), panels = document.querySelectorAll('.yqlj .bd > div');
  function show(i) {{ for (var j = 0; j < panels.length; j++) panels[j].style.display = i === j ? 'block' : 'none'; }}
  for (var i = 0; i < labels.length; i++) labels[i].setAttribute('onmouseover', 'show(' + i + ')');
  show(0);
</script></body></html>"""

BLOCKED_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body><p>正文</p>
<script src="/blocked.js"></script></body></html>"""


@dataclass
class Fetched:
    """The shape of net/fetcher.py's FetchResult that the browser reads."""

    url: str
    final_url: str
    status: int | None
    headers: dict[str, str]
    body: bytes
    failure: str | None = None


class SiteFetch:
    """A small fetcher: known hosts go to the fixture server (Host header kept), others are refused."""

    def __init__(self, client: httpx.AsyncClient, host_map: dict[str, str], *, follow: bool = True,
                 blocked: tuple[str, ...] = ()) -> None:
        self.client, self.host_map, self.follow, self.blocked = client, host_map, follow, blocked
        self.refused: list[str] = []

    async def __call__(self, url: str, method: str, headers: dict[str, str], *,
                       content: bytes | None = None) -> Fetched:
        current = url
        for _ in range(10):
            parts = urlsplit(current)
            host = (parts.hostname or "").lower()
            if host not in self.host_map or current in self.blocked:
                self.refused.append(current)
                return Fetched(url, current, None, {}, b"", failure="blocked")
            sent = {k: v for k, v in headers.items() if k.lower() not in ("host", "accept-encoding")}
            sent["host"] = host
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            r = await self.client.request(method, f"http://{self.host_map[host]}{path}", headers=sent,
                                          content=content)
            answer = dict(r.headers)
            if self.follow and r.status_code in (301, 302, 303, 307, 308) and "location" in answer:
                current = urljoin(current, answer["location"])
                continue
            failure = {4: "http_4xx", 5: "http_5xx"}.get(r.status_code // 100)
            return Fetched(url, current, r.status_code, answer, r.content, failure)
        return Fetched(url, current, None, {}, b"", failure="too_many_redirects")


@pytest.fixture(scope="module")
def site() -> Iterator[SiteServer]:
    with SiteServer() as server:
        server.add(HOST, "/", TECHNIQUES_PAGE)
        server.add(HOST, "/shell.html", SHELL_PAGE)
        server.add(HOST, "/app.js", SHELL_SCRIPT, content_type="application/javascript")
        server.add(HOST, "/api/news.json", '[{"url": "/xw/1.html", "title": "市政府召开常务会议"}]',
                   content_type="application/json")
        server.add(HOST, "/blocked.html", BLOCKED_PAGE)
        server.add(HOST, "/tabs.html", TABS_PAGE)
        server.add(HOST, "/blocked.js", "document.body.append('不应出现的内容');",
                   content_type="application/javascript")
        server.add(HOST, "/old", "", status=302, headers={"Location": "/web/index.html"})
        server.add(HOST, "/jump.html", "<script>location.href = '/web/index.html';</script>")
        server.add(HOST, "/jump-old.html", '<meta http-equiv="refresh" content="0;url=/old">')
        server.add(HOST, "/framed.html", '<iframe src="/old" width="300" height="100"></iframe>')
        server.add(HOST, "/slow.html", "<p>慢</p>", delay=10.0)
        server.add(HOST, "/web/index.html", '<meta charset="utf-8"><a href="news/1.html">新闻</a>')
        yield server


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with Browser(BrowserSettings(page_timeout_ms=15_000, target_budget_s=120)) as b:
        yield b


@pytest.fixture(scope="module")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as c:
        yield c


@pytest.fixture
def fetch(client: httpx.AsyncClient, site: SiteServer) -> SiteFetch:
    return SiteFetch(client, site.host_map(HOST))


@pytest.fixture(scope="module")
async def techniques(browser: Browser, client: httpx.AsyncClient, site: SiteServer) -> dict[str, Link]:
    async with browser.context(fetch=SiteFetch(client, site.host_map(HOST))) as ctx:
        page = await render(ctx, f"{SITE}/", screenshot=False, timing=FAST)
    assert page.status == 200
    assert page.title == "示例市人民政府"
    assert page.meta["SiteIDCode"] == "1234000001"
    return {link.url: link for link in page.links}


def red_pixels(png: bytes) -> int:
    colours = Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 24) or []
    return sum(count for count, colour in colours if colour == RED)


@pytest.mark.parametrize(("path", "technique"), [
    ("/display", "display_none"),
    ("/visibility", "visibility_hidden"),
    ("/opacity", "opacity_zero"),
    ("/zero", "zero_size"),
    ("/clip", "clip"),
    ("/clip-path", "clip"),
    ("/left", "offscreen"),
    ("/top", "offscreen"),
    ("/indent", "text_indent"),
    ("/colour", "same_colour"),
    ("/frame", "hidden_iframe"),
    ("/in-frame", "hidden_iframe"),
    ("/marquee", "marquee"),
])
async def test_each_dark_link_technique_is_reported(techniques: dict[str, Link], path: str,
                                                    technique: str) -> None:
    link = techniques[f"{CASINO}{path}"]
    assert link.visible is False
    assert link.hidden_by == technique


@pytest.mark.parametrize("url", [
    f"{SITE}/", f"{SITE}/xxgk/", f"{SITE}/zwfw/", "http://www.gov.cn/", f"{SITE}/hd/", f"{SITE}/dark/",
    f"{SITE}/zt/", f"{SITE}/news/1.html", f"{PARTNER}/", f"{SITE}/sitemap.html",
])
async def test_links_a_visitor_sees_are_visible(techniques: dict[str, Link], url: str) -> None:
    # The logo (image replacement), white text on a dark block or over a picture, a moving
    # marquee and a footer below the fold are all things a visitor sees.
    link = techniques[url]
    assert (link.visible, link.hidden_by) == (True, None)
    assert link.rect is not None and link.rect[2] > 1 and link.rect[3] > 1


@pytest.mark.parametrize(("path", "position"), [
    ("/more/", "body > details > a"),  # a closed <details>
])
async def test_hidden_menus_are_reported_hidden(techniques: dict[str, Link], path: str,
                                                position: str) -> None:
    # Hidden, but on-site: the dark-link rule, not the browser, decides they are harmless.
    link = techniques[f"{SITE}{path}"]
    assert (link.visible, link.hidden_by) == (False, "display_none")
    assert link.position == position


async def test_a_hover_menu_a_visitor_opens_is_visible(techniques: dict[str, Link]) -> None:
    link = techniques[f"{SITE}/hd/zxts/"]  # .menu:hover ul { display: block }
    assert (link.visible, link.hidden_by) == (True, None)
    assert link.position == "body > div.menu:nth-of-type(2) > ul > li > a"


async def test_panels_and_lists_a_visitor_can_open_are_visible_and_others_hidden(
        browser: Browser, fetch: SiteFetch) -> None:
    # A visitor hovers 其他网站 to see the friend link; nothing reveals the other block.
    async with browser.context(fetch=fetch) as ctx:
        page = await render(ctx, f"{SITE}/tabs.html", screenshot=False, timing=FAST)
    links = {link.url: link for link in page.links}

    assert (links[f"{PARTNER}/tab"].visible, links[f"{PARTNER}/tab"].hidden_by) == (True, None)
    assert (links[f"{CASINO}/untabbed"].visible, links[f"{CASINO}/untabbed"].hidden_by) == (False, "display_none")
    # A list shown when a visitor points at its label; a box that would show only if pointed at itself.
    assert (links[f"{PARTNER}/hover"].visible, links[f"{PARTNER}/hover"].hidden_by) == (True, None)
    assert (links[f"{CASINO}/self-hover"].visible, links[f"{CASINO}/self-hover"].hidden_by) == (False, "display_none")
    # :target opens a box only through a link to its id on the page
    assert (links[f"{PARTNER}/target"].visible, links[f"{PARTNER}/target"].hidden_by) == (True, None)
    assert (links[f"{CASINO}/target"].visible, links[f"{CASINO}/target"].hidden_by) == (False, "display_none")


async def test_script_added_links_are_flagged_injected(techniques: dict[str, Link]) -> None:
    assert techniques[f"{CASINO}/written"].injected
    assert techniques[f"{CASINO}/appended"].injected
    assert techniques[f"{CASINO}/in-frame"].injected is False  # written in the server's srcdoc
    assert not any(link.injected for link in techniques.values() if link.url.startswith(SITE))


async def test_positions_follow_the_parser_style(techniques: dict[str, Link]) -> None:
    assert techniques[f"{SITE}/sitemap.html"].position == "body > div.footer:nth-of-type(7) > a"
    assert techniques[f"{SITE}/zwfw/"].position == "body > div.nav:nth-of-type(1) > a:nth-of-type(2)"
    assert techniques[f"{CASINO}/left"].position == "a#far-left"


async def test_empty_shell_is_rendered_with_its_script_content(browser: Browser, fetch: SiteFetch,
                                                               site: SiteServer) -> None:
    async with browser.context(fetch=fetch) as ctx:
        page = await render(ctx, f"{SITE}/shell.html", screenshot=False, timing=FAST)
    assert "市政府召开常务会议" in page.text
    assert "市政府召开常务会议" not in page.raw_html
    news = next(link for link in page.links if link.url == f"{SITE}/xw/1.html")
    assert news.visible and news.injected
    # Every request reached the fixture server under the site's own name, with no DNS involved.
    for path in ("/shell.html", "/app.js", "/api/news.json"):
        assert ("GET", HOST, path) in site.requests


async def test_blocked_resource_never_reaches_the_server(browser: Browser, client: httpx.AsyncClient,
                                                         site: SiteServer) -> None:
    fetch = SiteFetch(client, site.host_map(HOST), blocked=(f"{SITE}/blocked.js",))
    async with browser.context(fetch=fetch) as ctx:
        page = await render(ctx, f"{SITE}/blocked.html", screenshot=False, timing=FAST)
        with pytest.raises(RenderFailed):
            await render(ctx, f"{CASINO}/", screenshot=False, timing=FAST)
    assert "正文" in page.text
    assert "不应出现的内容" not in page.text
    assert f"{SITE}/blocked.js" in fetch.refused
    assert not any(path == "/blocked.js" for _, _, path in site.requests)
    assert not any(host == "casino.example.com" for _, host, _ in site.requests)


@pytest.mark.parametrize(("path", "follow"), [
    ("/old", True), ("/old", False), ("/jump.html", True),
    ("/jump-old.html", True), ("/jump-old.html", False),  # a meta refresh to an address that redirects
])
async def test_redirects_end_on_the_final_page(browser: Browser, client: httpx.AsyncClient, site: SiteServer,
                                               path: str, follow: bool) -> None:
    # follow=True is net/fetcher.py's way (final_url); follow=False answers the 3xx itself.
    before = site.requests.count(("GET", HOST, "/web/index.html"))
    async with browser.context(fetch=SiteFetch(client, site.host_map(HOST), follow=follow)) as ctx:
        page = await render(ctx, f"{SITE}{path}", screenshot=False, timing=FAST)
    assert page.final_url == f"{SITE}/web/index.html"
    assert page.status == 200
    assert [link.url for link in page.links] == [f"{SITE}/web/news/1.html"]
    assert site.requests.count(("GET", HOST, "/web/index.html")) == before + 1  # fetched once


@pytest.mark.parametrize("follow", [True, False])
async def test_redirected_frame_lands_on_the_final_page(browser: Browser, client: httpx.AsyncClient,
                                                        site: SiteServer, follow: bool) -> None:
    async with browser.context(fetch=SiteFetch(client, site.host_map(HOST), follow=follow)) as ctx:
        page = await render(ctx, f"{SITE}/framed.html", screenshot=False, timing=FAST)
    assert page.frames == [f"{SITE}/web/index.html"]
    news = next(link for link in page.links if link.url == f"{SITE}/web/news/1.html")
    assert news.visible and not news.injected
    assert news.position == "body > iframe >> body > a"


async def test_missing_page_renders_with_its_status(browser: Browser, fetch: SiteFetch) -> None:
    async with browser.context(fetch=fetch) as ctx:
        page = await render(ctx, f"{SITE}/no-such-page", screenshot=False, timing=FAST)
    assert page.status == 404
    assert "not found" in page.text


async def test_slow_site_cannot_hold_the_browser_past_its_budget(browser: Browser, fetch: SiteFetch) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        async with browser.context(fetch=fetch, budget_s=1.0) as ctx:
            await render(ctx, f"{SITE}/slow.html", screenshot=False, timing=FAST)
    assert time.monotonic() - started < 6  # the page answers only after 10 s
    async with browser.context(fetch=fetch) as ctx:  # the next target renders as usual
        page = await render(ctx, f"{SITE}/web/index.html", screenshot=False, timing=FAST)
    assert page.status == 200


async def test_full_page_screenshot(browser: Browser, fetch: SiteFetch) -> None:
    async with browser.context(fetch=fetch) as ctx:
        page = await render(ctx, f"{SITE}/", screenshot=True, timing=FAST)
    assert page.screenshot is not None
    image = Image.open(io.BytesIO(page.screenshot))
    assert image.format == "PNG"
    assert image.height > 3000  # the whole page, the footer below the fold included
    assert red_pixels(page.screenshot) == 0


@pytest.mark.parametrize("target", [
    f"{SITE}/sitemap.html",  # visible, below the fold
    f"{CASINO}/left",  # hidden off-screen: marked where it sits
    f"{CASINO}/display",  # display:none
    (20.0, 20.0, 120.0, 30.0),  # a rectangle of the page
])
async def test_outline_screenshot_draws_the_red_outline(browser: Browser, fetch: SiteFetch,
                                                        techniques: dict[str, Link],
                                                        target: str | Rect) -> None:
    where = (techniques[target].position or "") if isinstance(target, str) else target
    async with browser.context(fetch=fetch) as ctx:
        png = await outline_screenshot(ctx, f"{SITE}/", where, timing=FAST)
    image = Image.open(io.BytesIO(png))
    assert (image.width, image.height) == (1366, 768)
    assert red_pixels(png) > 300  # a 3px frame around the element and the label's background


async def test_outline_screenshots_of_one_page_share_one_page_load(
        browser: Browser, fetch: SiteFetch, site: SiteServer, techniques: dict[str, Link]) -> None:
    top, lower = (20.0, 20.0, 120.0, 30.0), (20.0, 300.0, 120.0, 30.0)
    before = site.requests.count(("GET", HOST, "/"))
    async with browser.context(fetch=fetch) as ctx:
        shots = await outline_screenshots(ctx, f"{SITE}/", [
            (top, "链接可用性"), ("body > div.nowhere > a", "错别字"), (lower, "错别字")], timing=FAST)
    assert site.requests.count(("GET", HOST, "/")) == before + 1  # one load for the three
    first, missing, second = shots
    assert missing is None and first is not None and second is not None
    # Each picture shows its own outline only: a frame's worth of red, not two.
    assert red_pixels(first) > 300 and abs(red_pixels(first) - red_pixels(second)) < red_pixels(first) / 2
    assert first != second


async def test_outline_screenshot_of_a_missing_element(browser: Browser, fetch: SiteFetch) -> None:
    async with browser.context(fetch=fetch) as ctx:
        with pytest.raises(LookupError):
            await outline_screenshot(ctx, f"{SITE}/", "body > div.nowhere > a", timing=FAST)


# ---- no socket leaves the browser except through the guarded fetcher ---------------------------

@dataclass
class Listeners:
    """A UDP and a TCP port on loopback that a page must never reach."""

    udp: socket.socket
    tcp: socket.socket

    def arrived(self) -> tuple[int, int]:
        """UDP packets received and TCP connections made so far."""
        packets = connections = 0
        with suppress(BlockingIOError):
            while self.udp.recv(4096):
                packets += 1
        with suppress(BlockingIOError):
            while True:
                conn, _ = self.tcp.accept()
                conn.close()
                connections += 1
        return packets, connections


@pytest.fixture
def listeners() -> Iterator[Listeners]:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        for s in (udp, tcp):
            s.bind(("127.0.0.1", 0))
            s.setblocking(False)
        tcp.listen(16)
        yield Listeners(udp, tcp)
    finally:
        udp.close()
        tcp.close()


def escape_page(udp: int, tcp: int) -> str:
    """A page that tries every way around the route: WebRTC (also from a fresh frame), WebSocket,
    WebTransport, and fetch to an address no fetcher would allow."""
    return f"""<!doctype html><meta charset="utf-8"><title>逃逸</title><body><script>
  var tried = [];
  function peer(Ctor) {{
    var pc = new Ctor({{iceServers: [{{urls: 'stun:127.0.0.1:{udp}'}},
      {{urls: 'turn:127.0.0.1:{tcp}?transport=tcp', username: 'u', credential: 'p'}}]}});
    pc.createDataChannel('x');
    pc.createOffer().then(function (o) {{ return pc.setLocalDescription(o); }});
  }}
  try {{ peer(window.RTCPeerConnection); tried.push('rtc'); }} catch (e) {{}}
  try {{
    var f = document.createElement('iframe'); document.body.appendChild(f);
    peer(f.contentWindow.RTCPeerConnection); tried.push('frame-rtc');
  }} catch (e) {{}}
  try {{ new WebSocket('ws://127.0.0.1:{tcp}/'); tried.push('ws'); }} catch (e) {{}}
  try {{ new WebTransport('https://127.0.0.1:{udp}/'); tried.push('wt'); }} catch (e) {{}}
  fetch('http://127.0.0.1:{tcp}/').catch(function () {{}});
  document.title = tried.join(',') || 'none';
</script></body>"""


ESCAPE_TIMING = Timing(load_wait_ms=3_000, idle_wait_ms=1_000, settle_ms=2_000)


async def test_no_socket_leaves_the_browser_except_through_the_fetcher(
        browser: Browser, client: httpx.AsyncClient, site: SiteServer, listeners: Listeners) -> None:
    udp, tcp = listeners.udp.getsockname()[1], listeners.tcp.getsockname()[1]
    site.add(HOST, "/escape.html", escape_page(udp, tcp))
    fetch = SiteFetch(client, site.host_map(HOST))
    async with browser.context(fetch=fetch) as ctx:
        page = await render(ctx, f"{SITE}/escape.html", screenshot=False, timing=ESCAPE_TIMING)

    assert page.status == 200
    assert listeners.arrived() == (0, 0)
    assert f"http://127.0.0.1:{tcp}/" in fetch.refused  # the fetch went to the guard, which refused it


async def test_chromium_itself_sends_no_webrtc_udp(browser: Browser, listeners: Listeners) -> None:
    # Below the page scripts' layer: a bare context of the worker's Chromium (no init script,
    # no route) still keeps WebRTC off the network, by its launch switches.
    udp, tcp = listeners.udp.getsockname()[1], listeners.tcp.getsockname()[1]
    chromium = await browser._connected()
    ctx = await chromium.new_context()
    try:
        page = await ctx.new_page()
        await page.set_content(escape_page(udp, tcp).replace("new WebSocket", "void "))
        assert "rtc" in await page.title()  # the page did build its peer connections
        await page.wait_for_timeout(3_000)
    finally:
        await ctx.close()

    assert listeners.arrived()[0] == 0
