"""veto.unreachable: ≥ 5 % failed probes over a week is a veto; too few probes is a warning."""

from __future__ import annotations

from services.checker.inspect.model import Availability
from services.checker.rules.site import unreachable
from tests.checker.rules.test_links import HOME, clean_site, run


def test_a_week_of_probes_with_5_percent_failures_is_a_veto() -> None:
    site = clean_site()
    site.availability = Availability(probes=2016, failures=101, window_days=7)

    [finding] = run(unreachable, site)

    assert (finding.rule, finding.severity, finding.url) == ("veto.unreachable", "veto", HOME)
    assert "2016" in finding.message and "101" in finding.message and "5.01%" in finding.message


def test_failures_just_under_5_percent_pass() -> None:
    site = clean_site()
    site.availability = Availability(probes=2016, failures=100, window_days=7)

    assert run(unreachable, site) == []


def test_too_few_probes_is_a_warning_never_a_silent_pass() -> None:
    site = clean_site()
    site.availability = Availability(probes=100, failures=0, window_days=7)

    [finding] = run(unreachable, site)

    assert (finding.severity, finding.detail["kind"], finding.detail["required_probes"]) == (
        "warn", "availability_unknown", 140)
    assert "无法判断" in finding.message


def test_a_short_window_or_no_probe_data_is_a_warning() -> None:
    site = clean_site()
    site.availability = Availability(probes=2000, failures=0, window_days=5)
    assert [f.severity for f in run(unreachable, site)] == ["warn"]

    site.availability = None
    assert [f.detail["probes"] for f in run(unreachable, site)] == [0]
