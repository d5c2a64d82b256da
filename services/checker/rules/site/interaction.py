"""Rule veto.interaction (互动回应差): a working consultation channel whose messages get answers.

Rule: veto when the site offers no working online consultation channel — a consultation page
(column named 咨询, 留言, 信箱, 问政, … by the profile) that lists messages or offers a way to
write, or a link to such a channel elsewhere that is not known to be broken; or when a message
asked within `lookback_days` before the monitoring point stayed unanswered for more than
`unanswered_months` calendar months (still open at the monitoring point, or answered late).
Columns named 在线访谈, 调查征集, 网上信访, 纪检举报 (the profile's `excluded`) never count.
Message lists are read from tables headed 留言时间/答复时间 and from rows labelled
"留言时间：… 回复时间：…", with a status (已回复, 未回复, 办理中, …) where shown.
Indicator: 互动回应差. Source: 国办秘函〔2019〕19号 单项否决指标; RULES.md "Website veto items".

Passing: a 咨询 column whose messages of 2026-07-01 were answered on 2026-07-05.
Failing: a 咨询 column listing a message of 2026-06-01 marked 未回复 at 2026-11-20;
or no consultation channel besides 网上信访.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.columns import SiteView, view_site
from services.checker.support.dates import add_months, leading_date, parse_dates
from services.checker.support.hosts import host_of
from services.checker.support.pages import clean, has_any, href_of, in_chrome, meta, normalise_url, parse_html
from services.checker.support.script import to_simplified

CODE = "veto.interaction"
INDICATOR = "互动回应差"


class InteractionLabels(BaseModel):
    """Words that name consultation columns and label the parts of a message list."""

    model_config = ConfigDict(extra="ignore")

    consultation: list[str]
    excluded: list[str]
    asked: list[str]
    replied: list[str]
    answered: list[str]
    unanswered: list[str]
    entry: list[str]


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    labels: InteractionLabels
    lookback_days: int
    unanswered_months: int


@dataclass(frozen=True)
class Message:
    """One message read from a consultation page; answered is None when the page does not say."""

    title: str
    url: str
    asked_on: date
    replied_on: date | None
    answered: bool | None


def column_name_of(page: Page, view: SiteView) -> str:
    """Return a page's column name: its ColumnName tag, its navigation name, else its title."""
    named = next((c.name for c in view.columns if c.page is page), "")
    return meta(page, "ColumnName") or named or clean(page.title)


def channel_name(page: Page, view: SiteView, labels: InteractionLabels) -> str:
    """Return the consultation column a page belongs to: its own name, or its parent column's."""
    name = column_name_of(page, view)
    parent = view.page(page.parent_url) if page.parent_url else None
    if parent is None or has_any(name, labels.consultation):
        return name
    return column_name_of(parent, view)


def _consultation_name(name: str, labels: InteractionLabels) -> bool:
    return has_any(name, labels.consultation) and not has_any(name, labels.excluded)


def is_consultation(page: Page, view: SiteView, labels: InteractionLabels) -> bool:
    """Tell whether a page belongs to a consultation column (and not to an excluded one).

    A message's own page is titled by the message ("反映小区停水问题"): it belongs to the
    consultation column it was reached from.
    """
    name = column_name_of(page, view)
    parent = view.page(page.parent_url) if page.parent_url else None
    if parent is not None and has_any(column_name_of(parent, view), labels.excluded):
        return False
    if has_any(name, labels.consultation) or has_any(name, labels.excluded):
        return _consultation_name(name, labels)
    return (parent is not None and parent is not view.site.home
            and _consultation_name(column_name_of(parent, view), labels))


def _status(text: str, labels: InteractionLabels) -> bool | None:
    # 未回复 and 办理中 are checked first: "已受理" is not an answer.
    if has_any(text, labels.unanswered):
        return False
    return True if has_any(text, labels.answered) else None


def _answered(status: bool | None, replied_on: date | None, reply_field: bool) -> bool | None:
    if status is False:
        return False
    if replied_on is not None or status:
        return True
    return False if reply_field else None


def _index(cells: list[str], words: list[str]) -> int | None:
    return next((i for i, c in enumerate(cells) if has_any(c, words)), None)


def _title(row: Any, page: Page, base: str) -> tuple[str, str]:
    if row.tag in ("html", "body"):
        return meta(page, "ArticleTitle") or clean(page.title), normalise_url(page.url)
    for anchor in row.iter("a"):
        if (url := href_of(anchor, base)) and (text := clean(anchor.text_content())):
            return text, url
    return clean(row.text_content())[:30], normalise_url(page.url)


def _tables(root: Any, page: Page, today: date, labels: InteractionLabels) -> tuple[list[Message], list[Any]]:
    messages, used = [], []
    base = page.final_url or page.url
    for table in root.iter("table"):
        rows = table.xpath("./tr|./thead/tr|./tbody/tr")
        header = [clean(c.text_content()) for c in rows[0].xpath("./th|./td")] if rows else []
        asked_at = _index(header, labels.asked)
        # A vertical detail table (留言时间 | 2026-01-02) is read as labelled text instead.
        if asked_at is None or any(parse_dates(h, today) for h in header):
            continue
        used.append(table)
        replied_at = _index(header, labels.replied)
        for tr in rows[1:]:
            cells = [clean(c.text_content()) for c in tr.xpath("./th|./td")]
            asked = parse_dates(cells[asked_at], today) if asked_at < len(cells) else []
            if not asked:
                continue
            replied = parse_dates(cells[replied_at], today) if replied_at is not None and replied_at < len(
                cells) else []
            title, url = _title(tr, page, base)
            answered = _answered(_status(" ".join(cells), labels), replied[0] if replied else None,
                                 replied_at is not None)
            messages.append(Message(title, url, asked[0], replied[0] if replied else None, answered))
    return messages, used


def _pattern(words: list[str]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(map(re.escape, words)) + r")\s*[:：]?")


def _date_after(text: str, label: re.Pattern[str], today: date) -> date | None:
    for m in label.finditer(text):
        if day := leading_date(text[m.end():], today):
            return day
    return None


def parse_messages(page: Page, view: SiteView, labels: InteractionLabels) -> list[Message]:
    """Read the messages a consultation page lists (or the one message a detail page shows)."""
    root = parse_html(page.html)
    if root is None:
        return []
    messages, tables = _tables(root, page, view.today, labels)
    asked_re, replied_re = _pattern(labels.asked), _pattern(labels.replied)
    rows: list[Any] = []
    for el in root.iter():
        if (not isinstance(el.tag, str) or el.tag in ("script", "style", "head", "html")
                or any(t is el or t in el.iterancestors() for t in tables)
                or any(r in el.iterancestors() for r in rows) or in_chrome(el)):
            continue
        # The outermost element holding exactly one 留言时间 is one message.
        if len(asked_re.findall(to_simplified(clean(" ".join(el.itertext()))))) == 1:
            rows.append(el)
    base = page.final_url or page.url
    for row in rows:
        text = to_simplified(clean(" ".join(row.itertext())))  # labels in 繁體 (留言時間) match too
        asked = _date_after(text, asked_re, view.today)
        if asked is None:
            continue
        replied = _date_after(text, replied_re, view.today)
        title, url = _title(row, page, base)
        answered = _answered(_status(text, labels), replied, bool(replied_re.search(text)))
        messages.append(Message(title, url, asked, replied, answered))
    return messages


def _merge(listed: Message, shown: Message) -> Message:
    # The list row and the message's own page describe one message: the page adds the reply
    # date or status the list leaves out.
    return Message(listed.title, listed.url, shown.asked_on, shown.replied_on or listed.replied_on,
                   shown.answered if shown.answered is not None else listed.answered)


def site_messages(view: SiteView, labels: InteractionLabels) -> list[tuple[Page, list[Message]]]:
    """Return the messages of every consultation page, each message once (first page listing it).

    A message listed with a link and shown again on its own page is one message, dated by both.
    """
    known: dict[tuple[str, str, date], Message] = {}
    groups: list[tuple[Page, list[tuple[str, str, date]]]] = []
    for page in view.site.html_pages():
        if not is_consultation(page, view, labels):
            continue
        here = normalise_url(page.url)
        messages = parse_messages(page, view, labels)
        keys = []
        for message in messages:
            own = message.url == here
            key = (message.url, message.title if own else "", message.asked_on if own else date.min)
            listed = (here, "", date.min)
            if own and len(messages) == 1 and listed in known:
                known[listed] = _merge(known[listed], message)
            elif key not in known:
                known[key] = message
                keys.append(key)
        groups.append((page, keys))
    return [(page, [known[k] for k in keys]) for page, keys in groups]


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
            text, url = clean(anchor.text_content()), href_of(anchor, page.final_url or page.url)
            if not url or not has_any(text, labels.consultation) or has_any(text, labels.excluded):
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
