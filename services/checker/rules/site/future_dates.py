"""Rule veto.security, kind future_date (伪造发布日期): publication dates later than the crawl.

Rule: a page whose PubDate tag, or whose visible publication date (the text after a label such
as 发布时间/发布日期), is later than the monitoring point plus the profile's tolerance shows a
faked date — a veto. Dates on the page are Beijing time; the tolerance absorbs servers whose
clock or time zone is off by hours, and dates given without a time.
Indicator: 安全、泄密事故等严重问题. Source: RULES.md veto.security ("faked dates, e.g. a
publication date later than the crawl").

Passing: <meta name="PubDate" content="2024-04-30 09:00"> crawled on 2024-05-01.
Failing: 发布时间：2024-06-18 crawled on 2024-05-01.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.excerpt import mark
from services.checker.support.script import to_simplified

CODE = "veto.security"
INDICATOR = "安全、泄密事故等严重问题"

# Mainland China has a single time zone without daylight saving time.
BEIJING = timezone(timedelta(hours=8))
DATE = (r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
        r"(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?")


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    future_date_tolerance_hours: float
    future_date_labels: list[str]


def _parse(match: re.Match[str]) -> datetime | None:
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups()[:6])
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=BEIJING)
    except ValueError:
        return None


def _as_aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def _finding(page: Page, source: str, shown: str, when: datetime, excerpt: str,
             as_of: datetime) -> FindingDraft:
    where = "页面标签 PubDate" if source == "meta" else "页面显示的发布日期"
    return FindingDraft(
        rule=CODE, indicator=INDICATOR, severity="veto",
        message=f"{where}「{shown}」晚于检查时间 {as_of.astimezone(BEIJING):%Y-%m-%d %H:%M}，"
                "疑似伪造发布日期",
        locator=f"future_date|{page.url}|{source}", url=page.url, parent_url=page.parent_url,
        excerpt=excerpt, offending=shown, suggestion="核实并更正该信息的发布日期",
        screenshot=page.screenshot,
        detail={"kind": "future_date", "source": source, "date": when.isoformat()})


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report pages that claim a publication date later than the monitoring point."""
    as_of = _as_aware(site.as_of)
    limit = as_of + timedelta(hours=params.future_date_tolerance_hours)
    labels = "|".join(re.escape(label) for label in params.future_date_labels)
    visible = re.compile(rf"(?:{labels})\s*[:：]?\s*{DATE}")
    findings: list[FindingDraft] = []
    for page in site.html_pages():
        pub = (page.meta.get("PubDate") or "").strip()
        meta_match = re.search(DATE, pub)
        when = _parse(meta_match) if meta_match else None
        if when and when > limit:
            tag = f'<meta name="PubDate" content="{pub}">'
            findings.append(_finding(page, "meta", pub, when, tag, as_of))
        # 發佈時間 on a 繁體 page: the labels match on the Simplified form, offsets kept.
        for match in visible.finditer(to_simplified(page.text)):
            when = _parse(match)
            if when and when > limit:
                shown = page.text[match.start():match.end()]
                findings.append(_finding(page, "text", shown, when,
                                         mark(page.text, match.start(), match.end()), as_of))
                break
    return findings
