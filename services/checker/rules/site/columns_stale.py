"""Rule veto.columns_stale (栏目不更新): columns are kept up to date and none is left blank.

Rule: veto when any holds — (1) dynamic columns (要闻/动态) not updated within
`dynamic_window_days` plus top-level notice and policy columns (通知公告/政策文件) not updated
within `notice_policy_window_months` number at least `min_stale_columns`; (2) at least
`min_long_stale_columns` classified columns (dynamic, notice, policy) are not updated within
`long_stale_months`; (3) at least `min_blank_columns` columns are blank (空白栏目: a news, notice or
policy column with no entries; any column showing only a placeholder such as 暂无信息; another
column with no entries and at most `blank_max_chars` characters of content). Undated entries
count as not updated. A column is a list page (an article is never one, see support/columns.py); its
newest date is the newest dated entry of its list; a column whose entries are all old is stale,
never blank. Each stale or blank column is also reported as a warning, so the circular
can name it.
Indicator: 栏目不更新. Source: 国办秘函〔2019〕19号 单项否决指标; RULES.md "Website veto items".

Passing: four 动态 columns last updated a month ago, every other column fresh.
Failing: five 动态 columns last updated a month ago; or five columns reading 暂无信息.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page, SiteSnapshot
from services.checker.support.columns import (
    KIND_LABELS,
    ColumnKeywords,
    ColumnState,
    SiteView,
    column_states,
    latest_phrase,
    view_site,
)
from services.checker.support.dates import months_before, window_start
from services.checker.support.hosts import host_of
from services.checker.support.pages import (
    content_length,
    in_chrome,
    normalise_url,
    parse_html,
    placeholder_in,
)

_EMBED_TAGS = ("iframe", "form", "embed", "object", "video")
CODE = "veto.columns_stale"
INDICATOR = "栏目不更新"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    columns: ColumnKeywords
    dynamic_window_days: int
    notice_policy_window_months: int
    min_stale_columns: int
    long_stale_months: int
    min_long_stale_columns: int
    min_blank_columns: int
    placeholders: list[str]
    blank_max_chars: int


def _embeds(page: Page) -> bool:
    # Content shown through a frame, a form or a player (12345 热线, 网上调查) is content.
    root = parse_html(page.html)
    return root is not None and any(not in_chrome(el) for el in root.iter(*_EMBED_TAGS))


def _blank(state: ColumnState, view: SiteView, params: Params) -> tuple[bool, str | None]:
    page = state.column.page
    # A column with entries is not blank however old they are (that is stale), and a 暂无信息
    # beside them (a sidebar box, an empty sub-list) does not make it blank. A channel whose
    # sub-columns were reached from it holds its content there.
    hub = any(c.page is not None and c is not state.column
              and normalise_url(c.page.parent_url or "") == state.column.url for c in view.columns)
    if page is None or state.items or hub or _embeds(page):
        return False, None
    if placeholder := placeholder_in(page, params.placeholders):
        return True, placeholder
    # A list column without entries is blank; other columns may be a single page of text.
    return state.kind != "other" or content_length(page) <= params.blank_max_chars, None


def _summary(state: ColumnState) -> dict[str, object]:
    latest = state.latest
    return {"name": state.column.name, "url": state.column.url, "kind": state.kind,
            "top_level": state.column.top_level, "items": len(state.items),
            "newest_on": latest.on.isoformat() if latest and latest.on else None,
            "newest_title": latest.title if latest else None}


def _names(states: list[ColumnState]) -> str:
    return "；".join(
        f"“{s.column.name}”（{s.latest.on.isoformat() if s.latest and s.latest.on else '无带日期的信息'}）"
        for s in states)


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report stale and blank columns, and a veto for each threshold they reach."""
    view = view_site(site)
    today = view.today
    dynamic_since = window_start(today, params.dynamic_window_days)
    notice_since = months_before(today, params.notice_policy_window_months)
    long_since = months_before(today, params.long_stale_months)
    stale: list[ColumnState] = []
    long_stale: list[ColumnState] = []
    blank: list[ColumnState] = []
    reasons: dict[str, str] = {}
    for state in column_states(view, params.columns):
        column, label = state.column, f"{KIND_LABELS[state.kind]}栏目“{state.column.name}”"
        is_blank, placeholder = _blank(state, view, params)
        if is_blank:
            blank.append(state)
            shown = f"仅显示“{placeholder}”" if placeholder else "无任何信息"
            reasons[column.url] = f"栏目“{column.name}”为空白栏目（{shown}）"
        if state.kind == "dynamic" and not state.updated_since(dynamic_since):
            stale.append(state)
            reasons.setdefault(column.url, f"{label}{latest_phrase(state.latest, today)}，"
                                           f"超过{params.dynamic_window_days}天未更新")
        elif (state.kind in ("notice", "policy") and column.top_level
              and not state.updated_since(notice_since)):
            stale.append(state)
            reasons.setdefault(column.url, f"一级{label}{latest_phrase(state.latest, today)}，"
                                           f"超过{params.notice_policy_window_months}个月未更新")
        if state.kind != "other" and not state.updated_since(long_since):
            long_stale.append(state)
            reasons.setdefault(column.url, f"{label}{latest_phrase(state.latest, today)}，"
                                           f"超过{params.long_stale_months}个月未更新")

    host = host_of(view.home_url)
    home_url = site.home.url if site.home else site.target.home_url
    findings: list[FindingDraft] = []
    conditions = [
        ("stale", stale, params.min_stale_columns,
         f"动态要闻类栏目超过{params.dynamic_window_days}天未更新、通知公告和政策文件类一级栏目超过"
         f"{params.notice_policy_window_months}个月未更新的共{len(stale)}个"),
        ("long_stale", long_stale, params.min_long_stale_columns,
         f"应更新的栏目中超过{params.long_stale_months}个月未更新的共{len(long_stale)}个"),
        ("blank", blank, params.min_blank_columns, f"空白栏目共{len(blank)}个"),
    ]
    for kind, states, minimum, head in conditions:
        if len(states) >= minimum:
            findings.append(FindingDraft(
                rule=CODE, indicator=INDICATOR, severity="veto",
                message=f"{head}（达到{minimum}个即单项否决）：{_names(states)}",
                locator=f"{CODE}|{host}|{kind}", url=home_url,
                suggestion="请及时更新或整合所列栏目，无内容的栏目应补充内容或下线",
                detail={"condition": kind, "threshold": minimum, "as_of": today.isoformat(),
                        "columns": [_summary(s) for s in states]}))
    seen: set[str] = set()
    for state in [*blank, *stale, *long_stale]:
        column = state.column
        if column.url in seen:
            continue
        seen.add(column.url)
        latest = state.latest
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="warn", message=reasons[column.url],
            locator=column.url, url=column.url, parent_url=column.page.parent_url if column.page else None,
            excerpt=f"{latest.title} 【{latest.on.isoformat()}】" if latest and latest.on else None,
            suggestion="请及时更新栏目内容；确无内容可发布的栏目应整合或下线",
            detail={**_summary(state), "as_of": today.isoformat()}))
    return findings
