"""No noise (issue 12, class 9): facts about the run and normal links are not problems of the site.

A new site with three days of probes and links to the national portal, other provinces' and
cities' portals and the national platforms draws no finding; its result carries the note that
availability was not judged. An unfiled sub-site under the site's own domain is still reported.
"""

from __future__ import annotations

from services.checker.ground.site import Availability, SiteSnapshot
from services.checker.inspect.evaluate import evaluate
from services.checker.inspect.pipeline import Inspector
from services.checker.profile.loader import national_profile
from services.checker.rules.params import WordLists
from services.checker.rules.site import registry_compliance, unreachable
from tests.checker.rules.test_links import clean_site, link, run

GOVERNMENT_LINKS = [
    ("https://www.gov.cn/", "中国政府网"),
    ("https://www.gov.cn/zhengce/", "国务院政策文件库"),
    ("https://www.beijing.gov.cn/", "北京市人民政府"),
    ("https://www.gd.gov.cn/", "广东省人民政府"),
    ("https://www.qingdao.gov.cn/", "青岛市人民政府"),
    ("https://www.jnxq.gov.cn/", "济南新区"),
    ("https://zwfw.sd.gov.cn/", "山东政务服务网"),
]


def new_site() -> SiteSnapshot:
    """test_links' clean site, probed for three days only, linking to other governments' sites."""
    site = clean_site()
    site.availability = Availability(probes=60, failures=0, window_days=3)
    site.pages[0].links += [link(url, text=text) for url, text in GOVERNMENT_LINKS]
    return site


def test_a_new_site_linking_to_other_governments_has_no_finding_and_a_note() -> None:
    site = new_site()

    assert run(unreachable, site) == []
    assert run(registry_compliance, site) == []
    notes = [n for n in Inspector._notes(site, national_profile(), None) if n["kind"] != "emblem_unjudged"]
    assert [(n["kind"], n["probes"], n["required_probes"]) for n in notes] == [("availability_unknown", 60, 140)]


def test_the_note_is_left_out_of_every_finding_and_of_runs_of_other_rules() -> None:
    site = new_site()

    findings = evaluate(site, national_profile(), WordLists(), only={"veto.unreachable", "registry.compliance"})

    assert findings == []
    assert Inspector._notes(site, national_profile(), ["deduct.links"]) == []


def test_an_unfiled_sub_site_under_the_sites_own_domain_is_still_reported() -> None:
    site = new_site()
    site.pages[0].links.append(link("https://zt.jn.gov.cn/", text="专题网站"))

    [finding] = run(registry_compliance, site)

    assert (finding.severity, finding.offending) == ("warn", "zt.jn.gov.cn")
