"""Rule veto.homepage_stale (首页不更新): the home page shows new information every two weeks.

Rule: the home page must carry an item dated within `window_days` before the monitoring point.
Items without a publication date count as not updated. When the home page is only a navigation
page (at most `navigation_max_dated_items` dated items, and at least `navigation_min_section_share`
of its on-site links lead to fetched non-article pages such as column pages), the site is vetoed
only when no second-level (depth-1) page was updated within the window either.
Indicator: 首页不更新. Source: 国办秘函〔2019〕19号 单项否决指标; RULES.md "Website veto items".

Passing: monitoring point 2026-11-20, the home news list's newest entry is dated 2026-11-07.
Failing: the newest entry is dated 2026-10-30 (22 days), or the list shows no dates at all.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.columns import Item, SiteView, newest, page_items, view_site
from services.checker.support.dates import window_start
from services.checker.support.hosts import host_of
from services.checker.support.pages import href_of, is_article, parse_html, pub_date

CODE = "veto.homepage_stale"
INDICATOR = "首页不更新"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    window_days: int
    navigation_max_dated_items: int
    navigation_min_section_share: float


def _is_navigation_page(home: Page, items: list[Item], view: SiteView, params: Params) -> bool:
    if sum(1 for i in items if i.on) > params.navigation_max_dated_items:
        return False
    root = parse_html(home.html)
    base = home.final_url or home.url
    links = {u for a in root.iter("a") if (u := href_of(a, base)) and u not in view.home_urls
             and view.on_site(u)} if root is not None else set()
    sections = [u for u in links if (p := view.page(u)) is not None and not is_article(p)]
    return bool(links) and len(sections) / len(links) >= params.navigation_min_section_share


def _page_newest(page: Page, view: SiteView) -> Item | None:
    items = page_items(page, view)
    if (own := pub_date(page, view.today)) is not None:
        items.append(Item(page.title or page.url, page.url, own))
    return newest(items)


def _age(on: date, today: date) -> int:
    return (today - on).days


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report a home page (or navigation home and its second level) not updated within the window."""
    home = site.home
    if home is None or home.status != 200 or home.is_attachment:
        return []
    view = view_site(site)
    since = window_start(view.today, params.window_days)
    items = page_items(home, view)
    latest = newest(items)
    if latest is not None and latest.on is not None and latest.on >= since:
        return []

    navigation = _is_navigation_page(home, items, view, params)
    checked: list[dict[str, object]] = []
    if navigation:
        candidates = []
        for page in site.html_pages():
            if page.depth == 1 and page is not home and (found := _page_newest(page, view)) is not None:
                candidates.append(found)
                checked.append({"url": page.url, "newest_on": found.on.isoformat() if found.on else None,
                                "newest_title": found.title})
        latest = max([c for c in [latest, *candidates] if c is not None], key=lambda i: i.on or date.min,
                     default=None)
        if latest is not None and latest.on is not None and latest.on >= since:
            return []

    where = "首页为导航页，首页及其二级页面" if navigation else "首页"
    today = view.today.isoformat()
    if latest is not None and latest.on is not None:
        age = _age(latest.on, view.today)
        message = (f"{where}最近一条信息发布于{latest.on.isoformat()}，距监测时点（{today}）已{age}天，"
                   f"超过{params.window_days}天未更新")
        excerpt: str | None = f"{latest.title} 【{latest.on.isoformat()}】"
    else:
        age = None
        message = (f"{where}未找到标注发布日期的信息（无日期的信息视为未更新），"
                   f"监测时点（{today}）前{params.window_days}天内无更新")
        excerpt = None
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity="veto", message=message,
        locator=f"{CODE}|{host_of(view.home_url)}", url=home.final_url or home.url, parent_url=None,
        excerpt=excerpt, offending=latest.on.isoformat() if latest and latest.on else None,
        suggestion=f"请在首页及时发布本地区、本部门的政务信息并标注发布日期，确保{params.window_days}天内有更新",
        detail={"newest_on": latest.on.isoformat() if latest and latest.on else None,
                "newest_title": latest.title if latest else None,
                "newest_url": latest.url if latest else None, "age_days": age,
                "window_days": params.window_days, "as_of": today, "navigation_page": navigation,
                "items_on_home": len(items), "dated_items_on_home": sum(1 for i in items if i.on),
                "second_level_pages": checked},
    )]
