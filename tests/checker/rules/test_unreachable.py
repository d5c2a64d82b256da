"""veto.unreachable: ≥ 5 % failed probes over a week is a veto; too few probes is a note, not a finding."""

from __future__ import annotations

from typing import Any

from services.checker.ground.site import Availability, SiteSnapshot
from services.checker.rules.site import unreachable
from tests.checker.rules.test_links import HOME, clean_site, params_for, run


def note_for(site: SiteSnapshot) -> dict[str, Any] | None:
    params = params_for(unreachable)
    assert isinstance(params, unreachable.Params)
    return unreachable.availability_note(site, params)


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


def test_too_few_probes_is_no_finding_but_a_note_for_the_result() -> None:
    site = clean_site()
    site.availability = Availability(probes=100, failures=60, window_days=7)

    assert run(unreachable, site) == []
    note = note_for(site)
    assert note is not None and (note["kind"], note["probes"], note["required_probes"]) == (
        "availability_unknown", 100, 140)
    assert note["message"] == "探测数据不足，本次未判断网站是否可访问（需连续 7 天、至少 140 次探测，实际 100 次）"


def test_a_short_window_or_no_probe_data_is_noted_not_judged() -> None:
    site = clean_site()
    site.availability = Availability(probes=2000, failures=0, window_days=5)
    assert run(unreachable, site) == []
    assert note_for(site) is not None

    site.availability = None
    assert run(unreachable, site) == []
    assert (note_for(site) or {}).get("probes") == 0


def test_enough_probe_data_leaves_no_note() -> None:
    assert note_for(clean_site()) is None
