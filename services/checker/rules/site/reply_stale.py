"""Rule deduct.reply_stale (留言答复): consultation columns keep publishing replies, and reply in time.

Rule, two findings:
- when the consultation pages (read by support/messages.py) show no reply dated within
  `window_months` calendar months before the monitoring point, deduct `points` once. Judged only
  when the pages show reply dates, or show messages that are all unanswered; a list that marks
  messages 已回复 without dates cannot be judged;
- each message asked within `late_lookback_days` whose reply is dated more than
  `reply_working_days` working days (shared.calendar: weekends, holidays and adjusted workdays)
  after the question is a late reply, deducted `points_late_reply`. The dates come from the
  list row or from the message's own page. A message in a year the working calendar does not
  know (no holiday schedule loaded) cannot be judged and is left out, never guessed. Unanswered messages are
  veto.interaction's (more than 3 months) and not late replies here.
Indicator: 留言答复. Source: 国办秘函〔2019〕19号 扣分指标; RULES.md "Website deduction items" and
"Interaction and error reports"; the working-day limit is the profile's (issue 12: 3 working days).

Passing: monitoring point 2026-11-20, the newest reply is dated 2026-10-15; a message of Friday
2026-11-13 answered on Monday 2026-11-16 (one working day).
Failing: the newest reply is dated 2026-08-01, or every listed message is still 未回复; a
message of 2026-11-02 answered on 2026-11-09 (5 working days).
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.columns import SiteView, view_site
from services.checker.support.dates import months_before, window_start
from services.checker.support.hosts import host_of
from services.checker.support.messages import InteractionLabels, Message, channel_name, site_messages
from shared.calendar import CalendarYearMissing, WorkingCalendar

CODE = "deduct.reply_stale"
INDICATOR = "留言答复"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    labels: InteractionLabels
    window_months: int
    points: float
    reply_working_days: int
    late_lookback_days: int
    points_late_reply: float


@cache
def _calendar() -> WorkingCalendar:
    return WorkingCalendar.bundled()


def _stale(view: SiteView, groups: list[tuple[Page, list[Message]]], params: Params) -> list[FindingDraft]:
    messages = [m for _, ms in groups for m in ms]
    replies = sorted((m.replied_on for m in messages if m.replied_on is not None), reverse=True)
    today, since = view.today, months_before(view.today, params.window_months)
    if replies:
        if replies[0] >= since:
            return []
        message = (f"留言答复最近一次发布于{replies[0].isoformat()}，距监测时点（{today.isoformat()}）"
                   f"已{(today - replies[0]).days}天，超过{params.window_months}个月无新的答复")
    elif messages and all(m.answered is False for m in messages):
        message = (f"咨询类栏目所列{len(messages)}条留言均未答复，"
                   f"监测时点（{today.isoformat()}）前{params.window_months}个月内无答复")
    else:
        return []
    page = next((p for p, ms in groups if ms), None)
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity="deduct", points=params.points, message=message,
        locator=f"{CODE}|{host_of(view.home_url)}", url=page.url if page else None,
        parent_url=page.parent_url if page else None,
        suggestion="请及时答复网民留言并公开答复内容",
        detail={"condition": "no_recent_reply",
                "newest_reply_on": replies[0].isoformat() if replies else None, "messages": len(messages),
                "window_months": params.window_months, "as_of": today.isoformat(),
                "pages": [p.url for p, ms in groups if ms]})]


def _late(view: SiteView, groups: list[tuple[Page, list[Message]]], params: Params) -> list[FindingDraft]:
    since = window_start(view.today, params.late_lookback_days)
    findings: list[FindingDraft] = []
    for page, messages in groups:
        for m in messages:
            if m.replied_on is None or m.asked_on < since:
                continue
            try:
                waited = _calendar().working_days_between(m.asked_on, m.replied_on)
            except CalendarYearMissing:
                continue  # no holiday schedule for that year: cannot judge, never a guess
            if waited <= params.reply_working_days:
                continue
            findings.append(FindingDraft(
                rule=CODE, indicator=INDICATOR, severity="deduct", points=params.points_late_reply,
                message=(f"咨询类栏目“{channel_name(page, view, params.labels)}”的留言“{m.title}”于"
                         f"{m.asked_on.isoformat()}提出，{m.replied_on.isoformat()}才答复，间隔{waited}个工作日，"
                         f"超过{params.reply_working_days}个工作日"),
                locator=f"late|{m.url}|{m.asked_on.isoformat()}", url=m.url, parent_url=page.url,
                excerpt=f"{m.title} 【{m.asked_on.isoformat()}】",
                suggestion=f"请建立留言办理机制，在{params.reply_working_days}个工作日内答复网民留言",
                detail={"condition": "late_reply", "title": m.title, "asked_on": m.asked_on.isoformat(),
                        "replied_on": m.replied_on.isoformat(), "working_days": waited,
                        "limit_working_days": params.reply_working_days}))
    return findings


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report consultation columns with no new reply within the window, and each late reply."""
    view = view_site(site)
    groups = site_messages(view, params.labels)
    return [*_stale(view, groups, params), *_late(view, groups, params)]
