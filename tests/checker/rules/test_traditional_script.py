"""Traditional-script (繁體) sites (issue 12, class 2): labels match on a Simplified form.

A compliant 繁體 portal — footer identity, 辦事服務, 互動交流 with timely replies, a 政策文件解讀 column
— draws no finding; a footer number that differs from the filing is still found, and quoted as
served.
"""

from __future__ import annotations

import opencc

from services.checker.ground.site import SiteSnapshot
from services.checker.inspect.evaluate import evaluate
from services.checker.profile.loader import national_profile
from services.checker.rules.params import WordLists
from services.checker.rules.site import (
    columns_stale,
    error_entrance,
    external_links,
    future_dates,
    identity,
    interaction,
    policy_column_stale,
    reply_stale,
    service_guides,
)
from services.checker.support.script import is_traditional
from tests.checker import cleansite
from tests.checker.rules import test_links, test_updates
from tests.checker.rules.test_updates import column_page, doc, make_home, make_page, make_site, nav

FOOTER_TW = ("主辦單位：濟南市人民政府辦公廳 聯繫方式：0531-12345678 網站標識碼：3701000001 "
             "魯ICP備05001234號-1 魯公網安備 37010202000123號 我為政府網站找錯")
BADGE_TW = '<div class="footer"><img src="/images/red.png" title="黨政機關"></div>'


def traditional_home() -> SiteSnapshot:
    """test_links' clean site with its footer written in Traditional script and a local badge."""
    site = test_links.clean_site()
    home = site.pages[0]
    home.text = f"濟南市人民政府 要聞動態 {FOOTER_TW}"
    home.html = f"<body>{BADGE_TW}</body>"
    home.links = [lk for lk in home.links if "conac" not in lk.url and "zfwzgl" not in lk.url]
    home.scripts = [s for s in home.scripts if "conac" not in s]
    return site


def test_a_traditional_footer_is_read_as_complete() -> None:
    site = traditional_home()

    assert test_links.run(identity, site) == []
    assert test_links.run(error_entrance, site) == []


def test_a_traditional_footer_number_unlike_the_filing_is_quoted_as_served() -> None:
    site = traditional_home()
    site.pages[0].text = site.pages[0].text.replace("魯ICP備05001234號", "魯ICP備05009999號")

    [finding] = test_links.run(identity, site)

    assert finding.detail["kind"] == "footer_mismatch" and finding.detail["item"] == "ICP备案号"
    assert finding.detail["shown"] == "魯ICP備05009999號"


MESSAGES_TW = """
<table><tr><th>標題</th><th>留言時間</th><th>答覆時間</th><th>狀態</th></tr>
<tr><td><a href="/hdjl/1.html">諮詢公積金提取</a></td><td>2026-11-02</td><td>2026-11-03</td><td>已回覆</td></tr>
<tr><td><a href="/hdjl/2.html">諮詢入學政策</a></td><td>2026-10-20</td><td>2026-10-22</td><td>已回覆</td></tr>
</table><a href="/hdjl/write.html">我要留言</a>"""


def traditional_portal() -> SiteSnapshot:
    menu = nav([("/gzdt/", "工作動態"), ("/zcjd/", "政策文件解讀"), ("/bsfw/", "辦事服務"), ("/hdjl/", "互動交流")])
    home = make_home(menu + test_updates.listing([("/gzdt/1.html", "市政府召開常務會議", "2026-11-18")]))
    return make_site(
        home,
        column_page("/gzdt/", "工作動態", [("/gzdt/1.html", "市政府召開常務會議", "2026-11-18")]),
        # An interpretation column: not a policy-document column, so its age is not judged.
        column_page("/zcjd/", "政策文件解讀", [("/zcjd/1.html", "一圖讀懂促進民營經濟發展措施", "2026-03-02")]),
        make_page("/bsfw/", doc("<h2>辦事服務</h2><p>本市政務服務事項已全部納入省政務服務網，"
                                      "請點擊進入網上辦事大廳，按事項查詢辦事指南並在線申報。</p>", title="辦事服務")),
        make_page("/hdjl/", doc("<h2>互動交流</h2>" + MESSAGES_TW, title="互動交流")),
    )


def test_a_traditional_portal_draws_no_update_service_or_interaction_finding() -> None:
    site = traditional_portal()

    for module in (columns_stale, policy_column_stale, service_guides, interaction, reply_stale):
        assert test_updates.run(module, site) == [], module.CODE


def test_a_traditional_message_answered_after_three_months_is_still_found() -> None:
    site = traditional_portal()
    late = ('<tr><td><a href="/hdjl/3.html">反映小區停水問題</a></td><td>2026-06-01</td>'
            "<td>2026-09-30</td><td>已回覆</td></tr></table>")
    site.pages[-1].html = site.pages[-1].html.replace("</table>", late)

    [finding] = test_updates.run(interaction, site)

    assert finding.severity == "veto" and "“反映小區停水問題”留言於" not in finding.message
    assert "“反映小區停水問題”留言于2026-06-01，于2026-09-30才答复" in finding.message


def test_a_future_publication_date_labelled_in_traditional_is_found_and_quoted_as_served() -> None:
    site = test_links.clean_site()
    site.pages[2].text = "關於開展安全檢查的通知 發佈時間：2024年6月18日 來源：市應急局"

    [finding] = test_links.run(future_dates, site)

    assert finding.offending == "發佈時間：2024年6月18日"


def test_an_external_link_to_a_traditional_gambling_page_is_warned_and_a_plain_page_is_not() -> None:
    site = test_links.clean_site()
    casino, bank = "https://www.old-partner.com/", "https://www.bank-hk.com/"
    site.pages[0].links += [test_links.link(casino, text="合作單位"), test_links.link(bank, text="銀行")]
    site.external_pages.update({casino: test_links.served(casino, "真人娛樂城 百家樂", "澳門金沙 老虎機"),
                                bank: test_links.served(bank, "香港銀行", "個人理財 外匯 存款")})

    [finding] = test_links.run(external_links, site)

    assert (finding.url, finding.detail["category"]) == (casino, "gambling")


def test_the_clean_site_served_in_traditional_script_draws_no_site_finding() -> None:
    converter = opencc.OpenCC("s2t")
    docs = cleansite.documents()
    for (host, path), served in list(docs.items()):
        if host == cleansite.HOST and (served.content_type or "").startswith("text/html"):
            docs[(host, path)] = cleansite.Doc(converter.convert(served.body.decode()).encode(), served.content_type)
    site = cleansite.snapshot(docs)
    assert is_traditional(site.pages[0].text)

    findings = evaluate(site, national_profile(), WordLists())

    # Typos written in Traditional (答覆 for 答复) are content.typo's business, another rule's test.
    assert [(f.rule, f.message) for f in findings if f.rule != "content.typo"] == []
