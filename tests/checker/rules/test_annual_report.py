"""deduct.annual_report on the clean site: last year's report present, missing, old, late, Traditional."""

from __future__ import annotations

import re
from datetime import datetime

from services.checker.ground.finding import FindingDraft
from services.checker.inspect.evaluate import evaluate
from services.checker.inspect.scoring import score
from services.checker.profile.loader import national_profile
from services.checker.rules.params import WordLists
from shared.calendar import SHANGHAI
from tests.checker.cleansite import AS_OF, HOST, Docs, documents, page_html, set_page, snapshot

CODE = "deduct.annual_report"
MARCH = datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
JANUARY = datetime(2026, 1, 20, 10, 0, tzinfo=SHANGHAI)


def found(docs: Docs, as_of: datetime = AS_OF) -> list[FindingDraft]:
    return [f for f in evaluate(snapshot(docs, as_of), national_profile(), WordLists(), only={CODE})]


def retitled(docs: Docs, old: str, new: str) -> Docs:
    return set_page(docs, "/", page_html(docs, "/").replace(old, new))


def without_report(docs: Docs) -> Docs:
    return set_page(docs, "/", re.sub(r'<a href="/ndbb/[^"]+">[^<]+</a>', "", page_html(docs, "/")))


def test_the_clean_site_shows_last_years_report_in_time() -> None:
    assert found(documents()) == []
    assert found(documents(MARCH), MARCH) == []


def test_a_home_page_without_the_report_is_deducted_with_the_year_and_due_date() -> None:
    docs = without_report(documents())
    [f] = found(docs)
    assert (f.severity, f.points, f.url) == ("deduct", 2.0, f"https://{HOST}/")
    assert "2025年度《政府网站工作年度报表》" in f.message and "2026年01月31日" in f.message
    assert f.detail["kind"] == "annual_report_missing"
    result = score([f], national_profile()["scoring"], provides_services=True)
    assert (result.passed, result.score) == (True, 98.0)


def test_only_an_older_years_report_is_missing_and_names_the_year_shown() -> None:
    docs = retitled(documents(), "2025", "2024")  # the link and its text: the 2024 report
    [f] = found(docs)
    assert "首页仅见2024年的年度报表" in f.message and f.detail["years_shown"] == ["2024"]


def test_a_report_published_after_31_january_is_late() -> None:
    docs = documents()
    path = "/ndbb/2025.html"
    docs = set_page(docs, path, page_html(docs, path).replace("2026-01-20", "2026-02-15"))
    [f] = found(docs)
    assert (f.detail["kind"], f.points, f.detail["published_on"]) == ("annual_report_late", 1.0, "2026-02-15")
    assert f.url == f"https://{HOST}{path}" and "晚于2026年01月31日" in f.message


def test_the_report_in_traditional_script_counts() -> None:
    docs = documents()
    for path in ("/", "/ndbb/2025.html"):
        docs = set_page(docs, path, page_html(docs, path).replace("年度工作报表", "年度工作報表"))
    assert "年度工作报表" not in page_html(docs, "/ndbb/2025.html")
    assert found(docs) == []


def test_nothing_is_judged_in_january_before_the_due_date() -> None:
    docs = without_report(documents(JANUARY))
    assert found(docs, JANUARY) == []
