"""The computed content of a circular (通报): figures, problem groups and lists.

Built from reporting's copy of inspection results by `compute.py` (pure) and rendered to DOCX,
XLSX, HTML and Markdown by `render/`. Every figure carries the key of the rows it counts, so
`GET /circulars/{id}/figures/{key}` can return them.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.repost.service import RepostParagraph


class Figure(BaseModel):
    """A number in the text, traceable to the rows it counts."""

    key: str  # e.g. "websites.checked", "websites.portal.passed", "vetoes.veto.homepage_stale"
    label: str  # Chinese, e.g. "检查网站数"
    value: float
    unit: str = ""  # 个 / 家 / % / 个百分点


class KindTotals(BaseModel):
    """Totals for one kind of target (门户 / 部门 websites, or one platform of accounts)."""

    kind: str  # portal / department / wechat_subscription / weibo …
    label: str  # 门户网站 / 部门网站 / 微信公众号（订阅号）…
    checked: Figure
    passed: Figure
    pass_rate: Figure  # percent, 0–100


class UnitProblem(BaseModel):
    """One unit named under a problem, with its sites and the concrete evidence."""

    organisation_id: str
    organisation_name: str
    region_code: str
    target_name: str
    target_code: str  # 网站标识码 or platform account id
    details: list[str] = Field(default_factory=list)  # e.g. URLs or short messages


class ProblemGroup(BaseModel):
    """A category of problems (单项否决: 首页不更新 …; or 错别字, 链接不可用 …), units in order."""

    rule: str
    indicator: str  # Chinese name of the problem type
    severity: str  # veto / deduct / warn
    count: Figure  # number of targets with this problem
    # In order; a deduction group keeps only the units the circular's body names (the first 20),
    # a veto group all of them (the 单项否决 sheet lists each).
    units: list[UnitProblem]
    unit_total: int | None = None  # every unit with the problem (None: all are in `units`)
    target_types: list[str] | None = None  # website / account among all of them


class TargetSet(BaseModel):
    """How many targets have any problem of a class (vetoes, or others), and of which types."""

    count: int
    types: list[str]  # website / account


class TargetRow(BaseModel):
    """One row of the attachment tables (检查情况表 / 问题网站名单)."""

    target_id: str
    target_type: str  # website / account
    target_code: str
    target_name: str
    organisation_name: str
    region_code: str
    region_name: str
    kind: str
    kind_label: str
    score: float | None
    passed: bool | None  # None: 未能检查 (listed in the gaps, never counted)
    verdict_label: str  # 合格 / 不合格 / 未能检查
    vetoes: list[str]  # Chinese indicator names of the vetoes
    problems: list[str]  # short Chinese descriptions
    checked_at: datetime | None  # None: running in the registry, no result in the period
    reason: str | None = None  # why a target could not be inspected


class RegionRate(BaseModel):
    """Pass rate of one sub-region (for the chart)."""

    region_code: str
    region_name: str
    checked: int
    passed: int
    pass_rate: float


class Comparison(BaseModel):
    """The change against the previous period in percentage points."""

    previous_pass_rate: Figure | None
    change_points: Figure | None
    sentence: str  # e.g. "比上季度提升4个多百分点"


class Rectification(BaseModel):
    """How the previous circular's problems were rectified."""

    previous_circular_title: str | None
    items: Figure | None
    closed: Figure | None
    rate: Figure | None


class KindCoverage(BaseModel):
    """检查比例 of one kind: targets inspected out of those running in the registry."""

    kind: str  # website / account
    label: str  # 政府网站 / 政务新媒体
    running: Figure  # running in the registry (备案运行中)
    inspected: Figure  # of those, judged in the period
    ratio: Figure  # 检查比例, percent


class FollowUp(BaseModel):
    """The previous period's problem targets (不合格) this period: 复查比例 and 整改率."""

    previous_problems: Figure  # targets judged 不合格 in the previous period
    rechecked: Figure  # of those, judged again in this period
    recheck_ratio: Figure  # 复查比例, percent
    rectified: Figure  # of those, 合格 now
    rectified_rate: Figure  # 整改率, percent of the previous problem targets


class Coverage(BaseModel):
    """Coverage and follow-up figures (issue #16 item 3); kinds only when the registry answered."""

    kinds: list[KindCoverage] = Field(default_factory=list)
    not_inspected: Figure | None = None  # running, no judged result: listed in the gaps
    follow_up: FollowUp | None = None


class CircularData(BaseModel):
    """Everything computed for a circular; narrative paragraphs live beside it, editable."""

    title: str
    period_start: date
    period_end: date
    region_code: str
    region_name: str
    issuing_office: str
    websites: list[KindTotals]  # 门户 / 部门
    websites_total: KindTotals
    accounts: list[KindTotals]  # by platform
    accounts_total: KindTotals | None
    region_rates: list[RegionRate]
    vetoes: list[ProblemGroup]  # 单项否决 reasons
    problems: list[ProblemGroup]  # other problems by category
    # Targets with any veto / any other problem (None: count them from the groups' units).
    veto_targets: TargetSet | None = None
    problem_targets: TargetSet | None = None
    comparison: Comparison
    rectification: Rectification
    rows: list[TargetRow]  # every target checked (检查情况表)
    problem_rows: list[TargetRow]  # 问题网站/新媒体名单 (not passed, or with veto)
    # 未能检查名单: targets with no judged result in the period, each with its reason; they
    # are in no count (neither checked, 合格 nor 不合格).
    gaps: list[TargetRow] = Field(default_factory=list)
    deadline_text: str  # e.g. "务必于2026年12月31日18:00前完成整改及复核"
    figures: dict[str, Figure] = Field(default_factory=dict)  # every figure by key
    # 检查比例 / 复查比例 / 整改率; None when there is nothing to state (no registry answer and
    # no problem targets last period). Targets running but not inspected are in `gaps` too.
    coverage: Coverage | None = None
    # 重点信息转载情况 (repost tasks published in the period; None: none, or an older circular).
    reposts: RepostParagraph | None = None


class Narrative(BaseModel):
    """The editable paragraphs of a draft."""

    # A misspelt paragraph name is refused, not silently dropped (additionalProperties: false).
    model_config = ConfigDict(extra="forbid")

    intro: str = ""  # 开头段落
    practices: str = ""  # 主要做法
    requirements: str = ""  # 下一步工作要求 / 整改要求


class CircularDocument(BaseModel):
    """What the renderers receive: the computed data, the narrative and the publication data."""

    data: CircularData
    narrative: Narrative
    number: str | None = None  # 文号, e.g. 济政公开办〔2026〕19号; None for a draft
    issued_on: date | None = None
    draft: bool = True
    traditional: bool = False  # render in Traditional Chinese (OpenCC s2t)
