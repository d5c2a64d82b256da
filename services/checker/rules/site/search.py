"""Rule deduct.search (搜索功能): the site offers a working site-wide search.

Rule: the checker looks for the site's search and searches it for the title of an existing
article; no search is deducted, and so is a search that finds nothing for that title. When the
run did not probe the search (site.search is None) or could not count the hits, nothing is judged.
Indicator: 搜索功能. Source: RULES.md deduct.search.

Passing: SearchResult(present=True, query="关于印发…的通知", hits=3).
Failing: SearchResult(present=False), or SearchResult(present=True, query="…", hits=0).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot

CODE = "deduct.search"
INDICATOR = "搜索功能"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    points_no_search: float
    points_no_results: float


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report a missing search, or a search that cannot find an existing title."""
    result = site.search
    home_url = site.home.url if site.home else site.target.home_url
    if result is None:
        return []
    if not result.present:
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="deduct", message="网站未提供站内搜索功能",
            locator="search|missing", url=home_url, points=params.points_no_search,
            suggestion="在首页显著位置提供覆盖全站信息的站内搜索", detail={"kind": "search_missing"})]
    if result.query and result.hits == 0:
        return [FindingDraft(
            rule=CODE, indicator=INDICATOR, severity="deduct",
            message=f"站内搜索无法检索到网站上已有的信息「{result.query}」",
            locator="search|no_results", url=result.url or home_url, excerpt=result.query,
            offending=result.query, points=params.points_no_results,
            suggestion="检查搜索索引是否覆盖全站内容并及时更新",
            detail={"kind": "search_no_results", "query": result.query})]
    return []
