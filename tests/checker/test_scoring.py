"""Scoring a website: a site that could not be inspected is never 合格 (issue 13)."""

from __future__ import annotations

from services.checker.ground.finding import FindingDraft
from services.checker.inspect.scoring import score
from services.checker.profile.loader import national_profile


def _finding(rule: str, severity: str) -> FindingDraft:
    return FindingDraft(rule=rule, indicator="测试", severity=severity,  # type: ignore[arg-type]
                        message="测试", locator=rule)


def test_an_uninspected_site_has_no_score_and_is_not_passed() -> None:
    scoring = national_profile()["scoring"]
    # Without pages next to nothing is deducted: the ~100 points a blank site would get are
    # not a score.
    found = [_finding("deduct.ipv6", "deduct"), _finding("registry.compliance", "warn")]
    result = score(found, scoring, provides_services=True, judged=False)
    assert (result.score, result.passed, result.rating) == (None, None, "unjudged")
    assert score(found, scoring, provides_services=True).passed is True


def test_a_veto_that_needs_no_page_still_fails_an_uninspected_site() -> None:
    result = score([_finding("veto.unreachable", "veto")], national_profile()["scoring"],
                   provides_services=True, judged=False)
    assert (result.passed, result.vetoes) == (False, ["veto.unreachable"])
