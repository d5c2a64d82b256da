"""Rule deduct.error_entrance (我为政府网站找错): the error-report entrance on the home page.

Rule: the home page links to the national 我为政府网站找错 platform (a link, image or script from
one of the profile's entrance hosts, e.g. pucha.kaipuyun.cn) or shows an entrance whose text or
image title contains one of the profile's entrance texts; otherwise it is deducted.
Indicator: 我为政府网站找错. Source: RULES.md deduct.error_entrance and "Identity, domains and tags".

Passing: <a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3701000001">
<img alt="我为政府网站找错"></a> in the footer.
Failing: a home page with no such link, image or script.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot
from services.checker.support.hosts import host_of, matches_host
from services.checker.support.script import to_simplified

CODE = "deduct.error_entrance"
INDICATOR = "我为政府网站找错"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    entrance_hosts: list[str]
    entrance_texts: list[str]
    points_missing: float


def check(site: SiteSnapshot, params: Params) -> list[FindingDraft]:
    """Report a home page without the 我为政府网站找错 entrance."""
    home = site.home
    if home is None or home.status != 200:
        return []
    sources = [link.url for link in home.links] + home.scripts
    if any(matches_host(host_of(url), params.entrance_hosts) for url in sources):
        return []
    # 我為政府網站找錯 on a 繁體 site is the same entrance.
    shown = to_simplified("\n".join([home.html, home.text, *(link.text for link in home.links)]))
    if any(text in shown for text in params.entrance_texts):
        return []
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity="deduct",
        message="首页未提供“我为政府网站找错”入口", locator="error_entrance", url=home.url,
        suggestion="在首页底部放置“我为政府网站找错”入口，链接到全国政府网站找错平台",
        points=params.points_missing, screenshot=home.screenshot, detail={"kind": "error_entrance_missing"})]
