"""Rule deduct.annual_report (年度报表): the previous year's 《政府网站工作年度报表》 on the home page.

Rule: from the day after the due date (31 January, `due_month`/`due_day`) and in the profile's
`months`, the home page links to the site's 《政府网站工作年度报表》 of the previous year: a link
whose text — or the title of the page it opens, or a link on that page (a 年度报表 column) —
names the report (`report_names`, either script) and the year ("2025年"). Missing: deducted
`points_missing`. Found, but its page's publication date (PubDate tag, else a labelled or first
full date) is after the due date: deducted `points_late`.
Indicator: 年度报表. Source: 国办函〔2018〕12号 (《关于加强政府网站和政务新媒体监管工作的通知》
in its 2018 form: every site publishes its annual report for the previous year prominently on
its home page by 31 January), RULES.md "Duties the newest circulars check". The points and the
months the rule applies are not public: profile values (自定).

Passing: on 2026-03-10 the home page footer links 《济南市历下区人民政府网站2025年度工作报表》,
a page with PubDate 2026-01-20.
Failing: the home page links only the 2024 report, or the 2025 one published on 2026-02-15.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.dates import first_full_date, local_today, standalone_date
from services.checker.support.script import to_simplified

CODE = "deduct.annual_report"
INDICATOR = "年度报表"
_LABELLED = re.compile(r"(?:发布|更新)(?:日期|时间)\s*[:：]\s*([0-9年月日\-/. :]{8,22})")
_YEARS = re.compile(r"((?:19|20)\d{2})\s*年")


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    months: list[int] = Field(min_length=1)
    due_month: int = Field(ge=1, le=12)
    due_day: int = Field(ge=1, le=31)
    report_names: list[str] = Field(min_length=1)
    points_missing: float = Field(ge=0)
    points_late: float = Field(ge=0)


@dataclass
class _Shown:
    """A report the home page leads to: its title as shown, where it is and its page if crawled."""

    title: str
    url: str
    page: Page | None


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report a home page without last year's annual report, or with one published late."""
    home = site.home
    today = local_today(site)
    if home is None or home.status != 200 or today.month not in params.months:
        return []
    due = date(today.year, params.due_month, params.due_day)
    if today <= due:
        return []
    year = today.year - 1
    shown = _reports(site, home, params.report_names)
    current = [r for r in shown if f"{year}年" in r.title]
    if not current:
        older = sorted({y for r in shown for y in _YEARS.findall(r.title)}, reverse=True)
        seen = f"，首页仅见{'、'.join(f'{y}年' for y in older)}的年度报表" if older else ""
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="deduct",
            message=f"首页未发布{year}年度《政府网站工作年度报表》（应于{due:%Y年%m月%d日}前发布）{seen}",
            locator=f"annual_report:{year}:missing", url=home.url, points=params.points_missing,
            suggestion=f"在首页显著位置发布本网站{year}年度《政府网站工作年度报表》",
            screenshot=home.screenshot,
            detail={"kind": "annual_report_missing", "year": year, "due_on": due.isoformat(),
                    "years_shown": older})]
    report = current[0]
    published = _published_on(report.page, today) if report.page else None
    if published is None or published <= due:
        return []
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity="deduct",
        message=f"{year}年度《政府网站工作年度报表》发布于{published:%Y年%m月%d日}，"
                f"晚于{due:%Y年%m月%d日}的时限",
        locator=f"annual_report:{year}:late", url=report.url, parent_url=home.url,
        offending=report.title, points=params.points_late,
        suggestion="每年1月31日前在首页发布上一年度的年度报表",
        detail={"kind": "annual_report_late", "year": year, "due_on": due.isoformat(),
                "published_on": published.isoformat()})]


def _reports(site: SiteSnapshot, home: Page, names: list[str]) -> list[_Shown]:
    """Every annual report the home page links, directly or through a 年度报表 column page."""
    pages = {p.url: p for p in site.html_pages()} | {p.final_url: p for p in site.html_pages()}

    def named(text: str) -> bool:
        return any(n in text for n in names)

    found: list[_Shown] = []
    for link in home.links:
        if link.tag != "a" or link.url == home.url:
            continue
        target = pages.get(link.url)
        title = to_simplified(" ".join([link.text, target.title if target else ""]))
        if not named(title):
            continue
        found.append(_Shown(title, link.url, target))
        if target is None:
            continue
        for inner in target.links:  # a column page listing the reports of each year
            text = to_simplified(inner.text)
            if inner.tag == "a" and named(text) and inner.url != target.url:
                found.append(_Shown(text, inner.url, pages.get(inner.url)))
    return found


def _published_on(page: Page, today: date) -> date | None:
    """The report page's publication date: its PubDate tag, a labelled date, or its first date."""
    tagged = page.meta.get("PubDate") or page.meta.get("pubdate")
    if tagged and (day := standalone_date(tagged.split(" ")[0], today)):
        return day
    text = to_simplified(page.text)
    if (m := _LABELLED.search(text)) and (day := first_full_date(m[1], today)):
        return day
    return first_full_date(text, today)
