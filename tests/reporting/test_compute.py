"""Golden figures of a circular computed from fixture results."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.reporting.circular.compute import ComputeInput, ResultRow, change_sentence, compute

SH = ZoneInfo("Asia/Shanghai")


def _r(n: int, kind: str, region: str, passed: bool, problems: list[tuple[str, str, str]] = (),
       day: int = 10, target_type: str = "website") -> ResultRow:
    return ResultRow(
        task_id=f"task-{n}-{day}", target_id=f"site-{n}", target_type=target_type,
        target_code=f"{region}{n:04d}", target_name=f"网站{n}", kind=kind,
        organisation_id=f"org-{n}", organisation_name=f"单位{n}", region_code=region,
        score=None if not passed else 90.0, passed=passed,
        vetoes=[p[0] for p in problems if p[2] == "veto"],
        problems=[{"rule": r, "indicator": i, "severity": s, "message": f"{i}问题",
                   "url": f"http://s{n}.gov.cn/"} for r, i, s in problems],
        as_of=datetime(2026, 11, day, 10, tzinfo=SH))


STALE = ("veto.homepage_stale", "首页不更新", "veto")
DARK = ("veto.security", "暗链", "veto")
LINKS = ("deduct.links", "链接不可用", "deduct")
TYPO = ("content.typo", "错别字", "deduct")


def _input(previous: list[ResultRow] | None = None) -> ComputeInput:
    results = [
        _r(1, "portal", "370102", True),
        _r(2, "portal", "370103", False, [STALE]),
        _r(3, "department", "370102", True, [LINKS]),
        _r(4, "department", "370102", False, [STALE, DARK, TYPO]),
        _r(5, "department", "370103", True, [TYPO]),
        _r(6, "department", "370103", True),
        # An earlier result of site 2 in the same period: only the latest counts.
        _r(2, "portal", "370103", True, day=2),
        _r(7, "wechat_subscription", "370102", True, target_type="account"),
        _r(8, "weibo", "370103", False, [("veto.zombie", "僵尸账号", "veto")], target_type="account"),
    ]
    return ComputeInput(
        title="关于2026年第四季度全市政府网站和政务新媒体检查情况的通报",
        period_start=date(2026, 10, 1), period_end=date(2026, 12, 31), region_code="370100",
        region_name="济南市", issuing_office="济南市人民政府办公厅", results=results,
        previous=previous, previous_circular_title="第三季度通报", previous_items=8,
        previous_closed=6, region_names={"370102": "历下区", "370103": "市中区"},
        deadline_text="务必于2027年1月20日18:00前完成整改及复核")


def test_counts_rates_and_groups_are_exact() -> None:
    data, rows = compute(_input())
    f = data.figures
    assert (f["websites.checked"].value, f["websites.passed"].value) == (6, 4)
    assert f["websites.pass_rate"].value == 66.7
    assert (f["websites.portal.checked"].value, f["websites.portal.passed"].value) == (2, 1)
    assert (f["websites.department.checked"].value, f["websites.department.passed"].value) == (4, 3)
    assert [(k.label, k.checked.value) for k in data.accounts] == [
        ("微信公众号（订阅号）", 1), ("新浪微博", 1)]
    assert f["all.pass_rate"].value == 62.5  # 5 of 8 targets
    # Vetoes first, the most frequent first; units in region-code order.
    assert [(g.indicator, g.count.value) for g in data.vetoes] == [
        ("首页不更新", 2), ("暗链", 1), ("僵尸账号", 1)]  # ties by rule code
    assert [u.target_name for u in data.vetoes[0].units] == ["网站4", "网站2"]
    assert [(g.indicator, g.count.value) for g in data.problems] == [("错别字", 2), ("链接不可用", 1)]
    assert [r.target_name for r in data.problem_rows] == ["网站4", "网站2", "网站8"]
    assert data.rectification.rate is not None and data.rectification.rate.value == 75.0
    assert [(r.region_name, r.checked, r.passed) for r in data.region_rates] == [
        ("历下区", 4, 3), ("市中区", 4, 2)]
    # Every figure is traceable to the rows it counts.
    assert sorted(rows["websites.portal.passed"]) == ["task-1-10"]
    assert len(rows["vetoes.veto.homepage_stale.首页不更新"]) == 2
    assert "task-2-2" not in rows["websites.checked"]


def test_comparison_with_the_previous_period() -> None:
    previous = [_r(n, "portal", "370102", n <= 3, day=5) for n in range(1, 9)]  # 37.5 %
    data, _ = compute(_input(previous))
    assert data.comparison.change_points is not None
    assert data.comparison.change_points.value == 25.0
    assert data.comparison.sentence == "比上季度提升25个百分点"
    assert change_sentence(4.3, "季度") == "比上季度提升4个多百分点"
    assert change_sentence(-0.4, "季度") == "比上季度下降0.4个百分点"
    assert change_sentence(0.0, "季度") == "与上季度持平"


def test_a_deduction_group_keeps_the_details_of_the_units_it_names_whatever_the_row_order() -> None:
    from services.reporting.circular.accumulate import NAMED, ProblemIndex

    rows = [_r(n, "department", "370102", True, [LINKS]) for n in range(1, 31)]
    rows += [_r(31, "department", "370102", False, [STALE])]
    index = ProblemIndex()
    for r in reversed(rows):  # pages may come in any order
        index.take(r, drop=True)
    inp = _input()
    inp.results, inp.index, inp.previous_items = list(reversed(rows)), index, None
    data, figure_rows = compute(inp)
    links = next(g for g in data.problems if g.indicator == "链接不可用")
    assert links.count.value == 30 and links.unit_total == 30 and links.target_types == ["website"]
    first = sorted(range(1, 31), key=lambda n: f"单位{n}")[:NAMED]  # the circular's unit order
    assert [u.target_name for u in links.units] == [f"网站{n}" for n in first]
    assert [u.details for u in links.units] == [[f"http://s{n}.gov.cn/"] for n in first]
    assert len(figure_rows["problems.deduct.links.链接不可用"]) == 30  # every unit is still traceable
    assert data.problem_targets is not None and data.problem_targets.count == 30
    assert data.veto_targets is not None and (data.veto_targets.count, data.veto_targets.types) == (
        1, ["website"])
    assert [len(g.units) for g in data.vetoes] == [1]
