"""registry.unfiled_account: profile links of the major platforms compared with the filed accounts."""

from __future__ import annotations

from services.checker.ground.site import Link, SiteSnapshot
from services.checker.inspect.evaluate import evaluate
from services.checker.profile.loader import national_profile
from services.checker.rules.params import WordLists
from services.checker.support.account_names import named_accounts, normalise_name
from services.checker.support.platform_links import filed_keys, profile_of
from tests.checker.cleansite import HOST, documents, snapshot

CODE = "registry.unfiled_account"
HOME = f"https://{HOST}/"


def site_linking(*urls: tuple[str, str], filed: set[str] | None) -> SiteSnapshot:
    site = snapshot(documents())
    second = site.html_pages()[1].url
    for page_url in (HOME, second):
        page = next(p for p in site.pages if p.url == page_url)
        page.links += [Link(url=u, parent_url=page_url, tag="a", text=t, position="div.gzwm > a") for u, t in urls]
    site.registry_accounts = filed
    return site


def found(site: SiteSnapshot) -> list:  # type: ignore[type-arg]
    return evaluate(site, national_profile(), WordLists(), only={CODE})


def test_profile_urls_of_the_major_platforms_are_recognised() -> None:
    assert profile_of("https://weibo.com/u/5800000001") == ("weibo", "5800000001")
    assert profile_of("https://m.weibo.cn/profile/5800000001") == ("weibo", "5800000001")
    assert profile_of("https://www.douyin.com/user/MS4wLjABAAAA_lixia") == ("douyin", "MS4wLjABAAAA_lixia")
    assert profile_of("https://space.bilibili.com/123456") == ("bilibili", "123456")
    assert profile_of("https://author.baidu.com/home?app_id=1600000000000001") == ("baijiahao", "1600000000000001")
    for not_a_profile in ("https://weibo.com/5800000001/P1a2b3c4d", "https://www.douyin.com/video/7300000000",
                          "https://mp.weixin.qq.com/s/abc", f"{HOME}weibo.com/u/5800000001"):
        assert profile_of(not_a_profile) is None, not_a_profile


def test_an_unfiled_account_is_listed_once_with_every_page_it_was_seen_on() -> None:
    filed = filed_keys([("weibo", "5800000001", None), ("douyin", "other", "https://www.douyin.com/user/FILEDurl01")])
    site = site_linking(("https://weibo.com/u/5800000001", "历下发布（微博）"),
                        ("https://www.douyin.com/user/FILEDurl01", "历下发布（抖音）"),
                        ("https://www.douyin.com/user/MS4wLjABAAAA_lixia", "历下文旅（抖音）"), filed=filed)
    [f] = found(site)
    assert (f.severity, f.url, f.detail["platform"]) == ("warn", "https://www.douyin.com/user/MS4wLjABAAAA_lixia", "douyin")
    assert "历下文旅（抖音）" in f.message and "2个页面" in f.message and len(f.detail["seen_on"]) == 2
    assert HOME in f.detail["seen_on"]


def test_nothing_is_judged_without_the_registrys_list() -> None:
    site = site_linking(("https://www.douyin.com/user/MS4wLjABAAAA_lixia", "历下文旅"), filed=None)
    assert found(site) == []
    assert found(site_linking(filed=set())) == []


FOOTER = """<div class="gzwm"><h3>关注我们</h3>
<div><img src="/images/wx_ewm.png" alt="二维码"><p>微信公众号：历下发布</p></div>
<div><img src="/images/dy_ewm.png" alt="二维码"><p>扫码关注“历下文旅”抖音号</p></div>
<div><img src="/images/zf_ewm.png" alt="二维码"><p>中国政府网 微信公众号：中国政府网</p></div>
</div>"""


def site_showing(html: str, *, names: set[str] | None) -> SiteSnapshot:
    site = snapshot(documents())
    for page in site.html_pages()[:2]:
        page.html = page.html.replace("</body>", f"{html}</body>")
    site.registry_accounts, site.registry_account_names = set(), names
    return site


def test_an_account_named_in_a_qr_caption_or_follow_us_block_is_listed_when_no_filing_names_it() -> None:
    [f] = found(site_showing(FOOTER, names={normalise_name("历下发布")}))
    assert (f.severity, f.detail["kind"], f.detail["platform"], f.detail["shown_name"]) == (
        "warn", "unfiled_account_named", "douyin", "历下文旅")
    assert "历下文旅" in f.message and "2个页面" in f.message and HOME in f.detail["seen_on"]
    # Filed under that name (on any platform): nothing; the national portal's account is never listed.
    assert found(site_showing(FOOTER, names={normalise_name("历下发布"), normalise_name("歷下文旅")})) == []


def test_words_that_only_look_like_a_named_account_are_not_listed() -> None:
    lookalikes = """<div class="gzwm"><h3>关注我们</h3><p>微信扫一扫，关注我们</p>
    <img src="/images/wx_ewm.png" alt="扫码关注微信公众号"></div>
    <div class="news"><img src="/images/qrcode_hd.png"><p>关于印发“十四五”规划的通知</p></div>"""
    assert found(site_showing(lookalikes, names=set())) == []
    assert [(a.platform, a.name) for a in named_accounts("官方微博 @历下发布 | 抖音号：历下文旅")] == [
        ("weibo", "历下发布"), ("douyin", "历下文旅")]
