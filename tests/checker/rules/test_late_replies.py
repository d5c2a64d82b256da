"""Late replies (issue 12, class 6): found from the message pages on the working-day calendar.

A 领导信箱 list shows each message's question date and status; the reply date is only on the
message's own page. Two messages were answered more than 3 working days late; the look-alikes —
a reply on the next working day across a weekend, one nine calendar days later across National
Day, one still within its days — must not be reported.
"""

from __future__ import annotations

from services.checker.ground.site import Page, SiteSnapshot
from services.checker.rules.site import interaction, reply_stale
from tests.checker.rules.test_updates import BASE, doc, listing, make_home, make_page, make_site, nav, run

# title, asked, replied ("" while open), status
MESSAGES = [
    ("反映小区停水问题", "2026-11-02", "2026-11-09", "已回复"),      # 5 working days: late
    ("咨询社保卡补办地点", "2026-10-09", "2026-10-16", "已回复"),    # 6 working days: late
    ("咨询公积金提取", "2026-11-13", "2026-11-16", "已回复"),        # Friday to Monday: 1 working day
    ("国庆期间办证咨询", "2026-09-30", "2026-10-09", "已回复"),      # across National Day: 2 working days
    ("咨询入学政策", "2026-11-17", "2026-11-20", "已回复"),          # 3 working days: in time
    ("咨询燃气开户", "2026-11-18", "", "办理中"),                    # open, asked 2 days ago
]


def message_page(i: int, title: str, asked: str, replied: str) -> Page:
    reply = (f'<div class="reply"><p>回复单位：示范市政府办公室</p><p>回复时间：{replied}</p>'
             "<p>回复内容：您好，您反映的问题已转相关部门办理。</p></div>") if replied else ""
    body = (f"<h1>{title}</h1><div class='question'><p>留言人：张先生</p><p>留言时间：{asked}</p>"
            f"<p>留言内容：{title}，请尽快处理。</p></div>{reply}")
    return make_page(f"/ldxx/{i}.html", doc(body, title=title), depth=2, parent="/ldxx/")


def mailbox() -> SiteSnapshot:
    rows = "".join(f'<tr><td><a href="/ldxx/{i}.html">{title}</a></td><td>{asked}</td><td>{status}</td></tr>'
                   for i, (title, asked, _, status) in enumerate(MESSAGES))
    table = f"<table><tr><th>标题</th><th>留言时间</th><th>状态</th></tr>{rows}</table>"
    column = make_page("/ldxx/", doc(f"<h2>领导信箱</h2>{table}<a href='/ldxx/write.html'>我要写信</a>",
                                     title="领导信箱"))
    home = make_home(nav([("/ldxx/", "领导信箱")]) + listing([("/x.html", "今日要闻", "2026-11-19")]))
    pages = [message_page(i, title, asked, replied) for i, (title, asked, replied, _) in enumerate(MESSAGES)]
    return make_site(home, column, *pages)


def test_replies_later_than_three_working_days_are_each_deducted() -> None:
    findings = run(reply_stale, mailbox())

    assert [(f.detail["title"], f.detail["working_days"], f.points) for f in findings] == [
        ("反映小区停水问题", 5, 1.0), ("咨询社保卡补办地点", 6, 1.0)]
    assert findings[0].message == ("咨询类栏目“领导信箱”的留言“反映小区停水问题”于2026-11-02提出，"
                                   "2026-11-09才答复，间隔5个工作日，超过3个工作日")
    assert findings[0].url == BASE + "/ldxx/0.html" and findings[0].parent_url == BASE + "/ldxx/"


def test_a_mailbox_answering_within_three_working_days_draws_nothing() -> None:
    site = mailbox()
    site.pages = [p for p in site.pages if p.url not in (BASE + "/ldxx/0.html", BASE + "/ldxx/1.html")]

    assert run(reply_stale, site) == []
    assert run(interaction, site) == []


def test_a_year_without_a_holiday_schedule_is_not_judged_rather_than_guessed() -> None:
    site = mailbox()
    site.as_of = site.as_of.replace(year=2031)  # the bundled working calendar stops before 2031
    for page in site.pages:
        page.html = page.html.replace("2026-", "2031-")

    assert run(reply_stale, site) == []


def test_a_message_page_no_longer_listed_is_named_by_the_column_it_was_reached_from() -> None:
    site = mailbox()
    column = site.pages[1]
    column.html = column.html.replace('<a href="/ldxx/1.html">咨询社保卡补办地点</a>', "咨询社保卡补办地点")

    findings = run(reply_stale, site)

    assert [(f.url, f.message.split("的留言")[0]) for f in findings] == [
        (BASE + "/ldxx/0.html", "咨询类栏目“领导信箱”"), (BASE + "/ldxx/1.html", "咨询类栏目“领导信箱”")]
