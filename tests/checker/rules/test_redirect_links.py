"""Redirect loops and endless redirects are broken links (issue 12, class 5), checked on loopback.

A loopback server serves a page linking to a 404, a redirect loop, a chain longer than the
fetcher follows, and (the look-alike) two redirects that end on a page. The real fetcher and link
checker classify them; deduct.links must deduct the loop and the chain exactly as the 404.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.checker.crawl.linkcheck import LinkCheckSettings, MemoryLinkCache, check_links
from services.checker.ground.site import Link
from services.checker.net import Fetcher, FetchSettings
from services.checker.rules.site import links
from tests.checker.rules.test_links import HOME, clean_site, run
from tests.checker.sitefixture import SiteServer

HOST = "www.jn.gov.cn"
BASE = f"http://{HOST}"


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer() as s:
        s.add(HOST, "/gone.html", "", status=404)
        s.add(HOST, "/loop-a", "", status=302, headers={"Location": "/loop-b"})
        s.add(HOST, "/loop-b", "", status=302, headers={"Location": "/loop-a"})
        for n in range(12):
            s.add(HOST, f"/hop{n}", "", status=301, headers={"Location": f"/hop{n + 1}"})
        s.add(HOST, "/old", "", status=301, headers={"Location": "/moved"})
        s.add(HOST, "/moved", "", status=302, headers={"Location": "/new.html"})
        s.add(HOST, "/new.html", "<p>新地址</p>")
        yield s


async def test_redirect_loops_and_endless_chains_are_deducted_like_a_404(server: SiteServer) -> None:
    urls = {"404": f"{BASE}/gone.html", "loop": f"{BASE}/loop-a", "chain": f"{BASE}/hop0",
            "moved": f"{BASE}/old"}
    settings = FetchSettings(allow_private=True, retries=0, per_host_interval_ms=0, read_timeout_s=2.0,
                             max_redirects=5)
    async with Fetcher(settings, {HOST: f"127.0.0.1:{server.port}"}) as fetcher:
        status = await check_links(list(urls.values()), fetcher, MemoryLinkCache(),
                                   LinkCheckSettings(recheck_delay_s=0.1))
    site = clean_site()
    site.pages[0].links += [Link(url=u, parent_url=HOME, tag="a", text=name, position=f"#main a.{name}")
                            for name, u in urls.items()]
    site.link_status.update(status)

    findings = run(links, site)

    by_url = {f.url: f for f in findings}
    assert set(by_url) == {urls["404"], urls["loop"], urls["chain"]}
    assert {f.severity for f in findings} == {"deduct"}
    assert by_url[urls["loop"]].points == by_url[urls["404"]].points == by_url[urls["chain"]].points == 1.0
    assert by_url[urls["loop"]].message == f"断链：{urls['loop']} 无法访问（循环跳转）"
    assert by_url[urls["chain"]].message == f"断链：{urls['chain']} 无法访问（跳转次数过多）"
