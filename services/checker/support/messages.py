"""Consultation messages as government sites list them: which pages are consultation columns,
the messages they list (asked, replied, answered) and each message once across the site.

Read by the rules veto.interaction (互动回应差) and deduct.reply_stale. Message lists are read
from tables headed 留言时间/答复时间 and from rows labelled "留言时间：… 回复时间：…", with a status
(已回复, 未回复, 办理中, …) where shown; the words come from the profile (`InteractionLabels`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.checker.ground.site import Page
from services.checker.support.columns import SiteView
from services.checker.support.dates import leading_date, parse_dates
from services.checker.support.pages import clean, has_any, href_of, in_chrome, meta, normalise_url, parse_html
from services.checker.support.script import to_simplified


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
