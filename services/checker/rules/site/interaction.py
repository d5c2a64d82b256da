"""Rule veto.interaction (互动回应差): a working consultation channel whose messages get answers.

Rule: veto when the site offers no working online consultation channel — a consultation page
(column named 咨询, 留言, 信箱, 问政, … by the profile) that lists messages or offers a way to
write, or a link to such a channel elsewhere that is not known to be broken; or when a message
asked within `lookback_days` before the monitoring point stayed unanswered for more than
`unanswered_months` calendar months (still open at the monitoring point, or answered late).
Columns named 在线访谈, 调查征集, 网上信访, 纪检举报 (the profile's `excluded`) never count.
Message lists are read (support/messages.py) from tables headed 留言时间/答复时间 and from rows labelled
"留言时间：… 回复时间：…", with a status (已回复, 未回复, 办理中, …) where shown.
Indicator: 互动回应差. Source: 国办秘函〔2019〕19号 单项否决指标; RULES.md "Website veto items".

Passing: a 咨询 column whose messages of 2026-07-01 were answered on 2026-07-05.
Failing: a 咨询 column listing a message of 2026-06-01 marked 未回复 at 2026-11-20;
or no consultation channel besides 网上信访.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.columns import SiteView, view_site
from services.checker.support.dates import add_months
from services.checker.support.hosts import host_of
from services.checker.support.messages import (
    InteractionLabels,
    Message,
    channel_name,
    column_name_of,
    is_consultation,
    site_messages,
)
from services.checker.support.pages import clean, has_any, href_of, normalise_url, parse_html

CODE = "veto.interaction"
INDICATOR = "互动回应差"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    labels: InteractionLabels
    lookback_days: int
    unanswered_months: int


def _has_entry(page: Page, labels: InteractionLabels) -> bool:
    root = parse_html(page.html)
    if root is None:
        return False
    if any(form.xpath(".//textarea") for form in root.iter("form")):
        return True
    return any(has_any(clean(el.text_content()) or (el.get("value") or ""), labels.entry)
               for el in root.iter("a", "button", "input"))


def _channels(site: SiteSnapshot, view: SiteView, labels: InteractionLabels,
              messages: dict[str, list[Message]]) -> tuple[list[str], list[dict[str, str]]]:
    working: list[str] = []
    examined: list[dict[str, str]] = []
    for page in site.html_pages():
        if is_consultation(page, view, labels):
            if messages.get(page.url) or _has_entry(page, labels):
                working.append(page.url)
            else:
                examined.append({"url": page.url, "name": column_name_of(page, view),
                                 "reason": "无留言列表或留言入口"})
    for page in site.html_pages():
        # A 网上信访 page's own "我要写信" is no consultation channel.
        root = None if has_any(column_name_of(page, view), labels.excluded) else parse_html(page.html)
        for anchor in root.iter("a") if root is not None else []:
            text = clean(anchor.text_content())
            if not has_any(text, labels.consultation) or has_any(text, labels.excluded):
                continue  # (the words first: most anchors are not channels, and joining URLs costs)
            url = href_of(anchor, page.final_url or page.url)
            if not url:
                continue
            if view.page(url) is not None:
                continue  # judged above as a consultation page, or it offers no channel
            status = site.link_status.get(url) or site.link_status.get(anchor.get("href") or "")
            if status is not None and (status.broken or status.unstable):
                examined.append({"url": url, "name": text, "reason": f"链接无法访问（{status.status}）"})
            else:
                working.append(url)  # off-site or not fetched: given the benefit of the doubt
    return working, examined


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report a site without a working consultation channel, and each column with overdue messages."""
    if site.home is None or site.home.status != 200:
        return []
    view = view_site(site)
    today, labels = view.today, params.labels
    groups = site_messages(view, labels)
    working, examined = _channels(site, view, labels, {p.url: m for p, m in groups})
    findings = []
    if not working:
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="veto",
            message="网站未提供可用的在线咨询渠道（网上信访、纪检举报、在线访谈、调查征集不计入）",
            locator=f"{CODE}|{host_of(view.home_url)}|no_channel", url=site.home.url,
            suggestion="请开设咨询、留言或领导信箱等在线咨询栏目，并确保可以正常提交留言",
            detail={"condition": "no_channel", "examined": examined}))
    since = today - timedelta(days=params.lookback_days)
    for page, messages in groups:
        overdue = []
        for m in messages:
            deadline = add_months(m.asked_on, params.unanswered_months)
            end = today if m.answered is False else m.replied_on
            if m.asked_on >= since and end is not None and end > deadline:
                overdue.append((m, (end - m.asked_on).days))
        if not overdue:
            continue
        first, waited = min(overdue, key=lambda o: o[0].asked_on)
        state = (f"至监测时点（{today.isoformat()}）仍未答复" if first.answered is False
                 else f"于{first.replied_on}才答复")
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="veto",
            message=(f"咨询类栏目“{channel_name(page, view, labels)}”有{len(overdue)}条"
                     f"近{params.lookback_days}天内的留言超过{params.unanswered_months}个月未答复，其中“{first.title}”留言于"
                     f"{first.asked_on.isoformat()}，{state}（间隔{waited}天）"),
            locator=normalise_url(page.url), url=page.url, parent_url=page.parent_url,
            excerpt=f"{first.title} 【{first.asked_on.isoformat()}】",
            suggestion=f"请尽快答复所列留言，并建立留言答复机制，确保{params.unanswered_months}个月内答复",
            detail={"condition": "unanswered", "as_of": today.isoformat(), "messages": [
                {"title": m.title, "url": m.url, "asked_on": m.asked_on.isoformat(),
                 "replied_on": m.replied_on.isoformat() if m.replied_on else None, "waited_days": days}
                for m, days in overdue]}))
    return findings
