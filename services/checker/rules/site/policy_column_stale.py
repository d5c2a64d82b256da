"""Rule deduct.policy_column_stale (政策文件栏目不更新): the top-level policy column is kept current.

Rule: each top-level policy-document column (政策文件, 政策法规, 规范性文件, … by the profile's
keywords) with no entry dated within `window_months` before the monitoring point costs `points`.
Undated entries count as not updated. Columns are those of support/columns.py (navigation and ColumnName).
Indicator: 政策文件栏目不更新. Source: 国办秘函〔2019〕19号 扣分指标; RULES.md "Website deduction items".

Passing: the home navigation's 政策文件 column lists a document dated two months ago.
Failing: its newest document is dated eight months ago, or its list shows no dates.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot
from services.checker.support.columns import ColumnKeywords, column_states, latest_phrase, view_site
from services.checker.support.dates import months_before

CODE = "deduct.policy_column_stale"
INDICATOR = "政策文件栏目不更新"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    columns: ColumnKeywords
    window_months: int
    points: float


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report each top-level policy column with no entry in the window."""
    view = view_site(site)
    since = months_before(view.today, params.window_months)
    findings = []
    for state in column_states(view, params.columns):
        column, latest = state.column, state.latest
        if state.kind != "policy" or not column.top_level or state.updated_since(since):
            continue
        findings.append(FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="deduct", points=params.points,
            message=(f"一级政策文件栏目“{column.name}”{latest_phrase(latest, view.today)}，"
                     f"超过{params.window_months}个月未更新"),
            locator=column.url, url=column.url, parent_url=column.page.parent_url if column.page else None,
            excerpt=f"{latest.title} 【{latest.on.isoformat()}】" if latest and latest.on else None,
            suggestion="请及时发布本地区、本部门制定的政策文件，并标注发布日期",
            detail={"name": column.name, "newest_on": latest.on.isoformat() if latest and latest.on else None,
                    "newest_title": latest.title if latest else None, "items": len(state.items),
                    "window_months": params.window_months, "as_of": view.today.isoformat()}))
    return findings
