"""A realistic circular to render: 济南's fourth quarter of 2026, with websites, accounts and problems.

`circular_data()` builds the figures from its own rows the way `compute.py` would, so totals,
rates and lists agree with each other; keyword arguments change the parts a test cares about.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.reporting.circular.content import (
    CircularData,
    CircularDocument,
    Comparison,
    Figure,
    KindTotals,
    Narrative,
    ProblemGroup,
    Rectification,
    RegionRate,
    TargetRow,
    UnitProblem,
)

REGIONS = [("370102", "历下区"), ("370103", "市中区"), ("370104", "槐荫区"), ("370105", "天桥区"),
           ("370112", "历城区"), ("370113", "长清区"), ("370114", "章丘区"), ("370116", "莱芜区")]
DEPARTMENTS = ["教育和体育局", "民政局", "卫生健康局", "市场监督管理局", "文化和旅游局"]
CHECKED_AT = datetime(2026, 12, 10, 2, 30, tzinfo=UTC)

# (indicator, rule, severity, [(target code, details)])
VETOES = [
    ("veto.homepage_stale", "首页不更新", [("3701020002", ["首页最近一次更新为2026年11月2日"]),
                                           ("3701120004", ["首页最近一次更新为2026年10月28日"])]),
    ("veto.columns_stale", "栏目不更新", [("3701030003", ["“工作动态”等6个栏目超过2周未更新"])]),
]
PROBLEMS = [
    ("content.typo", "错别字", [("3701040002", ["“中华人民共和国”误为“中化人民共和国”"]),
                                ("3701020005", ["“部署”误为“布署”", "“启事”误为“启示”"])]),
    ("deduct.links", "链接不可用", [("3701050003", [f"http://www.tianqiao.gov.cn/art/{i}.html" for i in range(5)]),
                                    ("3701130002", ["http://www.changqing.gov.cn/col/old.html"]),
                                    ("3701160004", ["http://www.laiwu.gov.cn/xxgk/zcwj/index.html"])]),
    ("veto.security", "暗链", [("3701140003", ["页面源码含指向博彩网站的隐藏链接"])]),
    ("content.privacy", "个人信息泄露", [("3701020003", ["公示名单含完整身份证号码"])]),
    ("account.stale", "政务新媒体长期不更新", [("gh_lixia_wenlv", ["最近一次发布为2026年9月30日"])]),
]


def _fig(key: str, label: str, value: float, unit: str = "个") -> Figure:
    return Figure(key=key, label=label, value=round(value, 2), unit=unit)


def _totals(prefix: str, kind: str, label: str, rows: list[TargetRow]) -> KindTotals:
    checked = len(rows)
    passed = sum(r.passed for r in rows)
    rate = 100 * passed / checked if checked else 0.0
    return KindTotals(kind=kind, label=label, checked=_fig(f"{prefix}.checked", f"{label}检查数", checked),
                      passed=_fig(f"{prefix}.passed", f"{label}合格数", passed),
                      pass_rate=_fig(f"{prefix}.pass_rate", f"{label}合格率", rate, "%"))


def target_rows(malicious_name: str | None = None) -> list[TargetRow]:
    """Forty websites (one portal and five departments per region) and four accounts."""
    vetoed = {code: [name] for _, name, units in VETOES for code, _ in units}
    problems: dict[str, list[str]] = {}
    for _, name, units in PROBLEMS:
        for code, details in units:
            problems.setdefault(code, []).append(f"{name}{len(details)}处")
    rows = []
    for code, region in REGIONS:
        names = [("portal", "门户网站", f"{region}人民政府", f"济南市{region}人民政府网站")]
        names += [("department", "部门网站", f"{region}{d}", f"{region}{d}网站") for d in DEPARTMENTS]
        for n, (kind, kind_label, org, site) in enumerate(names, 1):
            site_code = f"{code}{n:04d}"
            veto = vetoed.get(site_code, [])
            if "暗链" in " ".join(problems.get(site_code, [])):
                veto = ["暗链"]
            score = None if veto else 92.5 - 3 * len(problems.get(site_code, [])) - n
            passed = not veto and score is not None and score >= 60
            rows.append(TargetRow(
                target_id=f"t-{site_code}", target_type="website", target_code=site_code,
                target_name=site, organisation_name=org, region_code=code, region_name=region,
                kind=kind, kind_label=kind_label, score=score, passed=passed,
                verdict_label="合格" if passed else "不合格", vetoes=veto,
                problems=problems.get(site_code, []), checked_at=CHECKED_AT))
    accounts = [("gh_lixia_wenlv", "历下文旅", "历下区文化和旅游局", "370102", "历下区", "wechat", "微信公众号"),
                ("gh_jinan_jiaoyu", "济南教育发布", "济南市教育局", "370100", "济南市", "wechat", "微信公众号"),
                ("wb_jinan_fabu", "济南发布", "济南市人民政府新闻办公室", "370100", "济南市", "weibo", "新浪微博"),
                ("gh_huaiyin", "槐荫发布", "槐荫区人民政府", "370104", "槐荫区", "wechat", "微信公众号")]
    for account, name, org, code, region, kind, kind_label in accounts:
        stale = account in problems
        rows.append(TargetRow(
            target_id=f"t-{account}", target_type="account", target_code=account, target_name=name,
            organisation_name=org, region_code=code, region_name=region, kind=kind,
            kind_label=kind_label, score=None, passed=not stale,
            verdict_label="不合格" if stale else "合格", vetoes=["长期不更新"] if stale else [],
            problems=problems.get(account, []), checked_at=CHECKED_AT))
    if malicious_name is not None:
        rows[1] = rows[1].model_copy(update={"organisation_name": malicious_name,
                                             "target_name": f"{malicious_name}网站"})
    return rows


def _groups(spec: list[tuple[str, str, list[tuple[str, list[str]]]]], rows: list[TargetRow],
            severity: str) -> list[ProblemGroup]:
    by_code = {r.target_code: r for r in rows}
    groups = []
    for rule, indicator, all_units in spec:
        units = [(code, details) for code, details in all_units if code in by_code]
        if not units:
            continue
        group_severity = "veto" if rule.startswith("veto.") else severity
        groups.append(ProblemGroup(
            rule=rule, indicator=indicator, severity=group_severity,
            count=_fig(f"problems.{rule}", indicator, len(units)),
            units=[UnitProblem(organisation_id=f"o-{code}", organisation_name=by_code[code].organisation_name,
                               region_code=by_code[code].region_code, target_name=by_code[code].target_name,
                               target_code=code, details=details) for code, details in units]))
    return groups


def circular_data(*, rows: list[TargetRow] | None = None, with_problems: bool = True,
                  with_regions: bool = True) -> CircularData:
    """The computed content of 济南's Q4 2026 circular, consistent with its rows."""
    rows = target_rows() if rows is None else rows
    sites = [r for r in rows if r.target_type == "website"]
    accounts = [r for r in rows if r.target_type == "account"]
    websites = [_totals(f"websites.{k}", k, label, [r for r in sites if r.kind == k])
                for k, label in (("portal", "门户网站"), ("department", "部门网站"))]
    platforms = [_totals(f"accounts.{k}", k, label, [r for r in accounts if r.kind == k])
                 for k, label in (("wechat", "微信公众号"), ("weibo", "新浪微博"))]
    region_rates = []
    for code, name in REGIONS if with_regions else []:
        mine = [r for r in sites if r.region_code == code]
        passed = sum(r.passed for r in mine)
        region_rates.append(RegionRate(region_code=code, region_name=name, checked=len(mine), passed=passed,
                                       pass_rate=round(100 * passed / len(mine), 1) if mine else 0.0))
    vetoes = _groups([(r, i, u) for r, i, u in VETOES], rows, "veto") if with_problems else []
    problems = _groups(PROBLEMS, rows, "deduct") if with_problems else []
    # 暗链 and a stale account are vetoes too; the circular lists them with the veto types.
    vetoes += [g for g in problems if g.severity == "veto" or g.rule.startswith("account.")]
    problems = [g for g in problems if g not in vetoes]
    websites_total = _totals("websites", "website", "政府网站", sites)
    accounts_total = _totals("accounts", "account", "政务新媒体", accounts) if accounts else None
    overall = _fig("all.pass_rate", "总体合格率", 100 * sum(r.passed for r in rows) / len(rows) if rows else 0, "%")
    previous = _fig("comparison.previous_pass_rate", "上期总体合格率", overall.value - 4.3, "%")
    change = _fig("comparison.change_points", "合格率变化", 4.3, "个百分点")
    figures = {f.key: f for t in [*websites, websites_total, *platforms,
                                  *([accounts_total] if accounts_total else [])]
               for f in (t.checked, t.passed, t.pass_rate)}
    figures.update({f.key: f for f in (overall, previous, change)})
    return CircularData(
        title="关于2026年第四季度全市政府网站和政务新媒体检查情况的通报",
        period_start=date(2026, 10, 1), period_end=date(2026, 12, 31),
        region_code="370100", region_name="济南市", issuing_office="济南市人民政府办公厅",
        websites=websites, websites_total=websites_total, accounts=platforms, accounts_total=accounts_total,
        region_rates=region_rates, vetoes=vetoes, problems=problems,
        comparison=Comparison(previous_pass_rate=previous, change_points=change, sentence="比上季度提升4个多百分点"),
        rectification=Rectification(
            previous_circular_title="关于2026年第三季度全市政府网站和政务新媒体检查情况的通报",
            items=_fig("rectification.items", "上期问题数", 37), closed=_fig("rectification.closed", "已整改", 35),
            rate=_fig("rectification.rate", "整改率", 94.59, "%")),
        rows=rows, problem_rows=[r for r in rows if not r.passed or r.vetoes],
        deadline_text="务必于2026年12月31日18:00前完成整改及复核", figures=figures)


PRACTICES = ("各区县、各部门认真落实政府网站和政务新媒体监管要求，建立常态化自查机制。"
             "\n（一）健全工作机制。历下区建立“日巡查、周通报、月考核”制度，问题发现后24小时内整改。"
             "\n（二）强化内容保障。市教育局等部门完善信息发布审核流程，实行“三审三校”。")


def circular_document(*, draft: bool = False, traditional: bool = False, practices: bool = True,
                      data: CircularData | None = None) -> CircularDocument:
    """A circular ready to render: published (文号, date) unless `draft`."""
    return CircularDocument(
        data=data or circular_data(),
        narrative=Narrative(practices=PRACTICES if practices else ""),
        number=None if draft else "济政公开办〔2026〕19号",
        issued_on=None if draft else date(2026, 12, 20),
        draft=draft, traditional=traditional)
