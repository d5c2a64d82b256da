"""The prose of a circular: CircularData + Narrative → the ordered headings, paragraphs and tables.

Every format renders the same `Composition`, so a sentence is written once, here. The shape follows
published quarterly circulars (济南、淄博、宁夏): title, 文号, 主送机关; 一、总体情况 (websites by kind,
accounts by platform, comparison, last circular's rectification, 主要做法); 二、存在的问题 (单项否决
types first, each naming its units in order, then the other categories); 三、整改要求 with the
deadline; 附件说明, 落款; attachments 检查情况表 and 问题名单.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.reporting.circular.accumulate import NAMED
from services.reporting.circular.model import (
    CircularData,
    CircularDocument,
    KindTotals,
    ProblemGroup,
    TargetRow,
    UnitProblem,
)
from services.reporting.circular.render.convert import convert_tree

SHANGHAI = ZoneInfo("Asia/Shanghai")
NUMERALS = "一二三四五六七八九十"
# Past this many units a problem paragraph stops naming them and points to 附件2: circulars keep
# the body readable and leave the full list to the attachment.
UNITS_NAMED = NAMED  # compute keeps the details of exactly these units of a deduction group
DETAILS_NAMED = 3
_LEAD = re.compile(r"^(（[一二三四五六七八九十]+）[^。：！？]{1,30}[。：])")


@dataclass(frozen=True)
class Heading:
    """一级标题 such as 一、总体情况."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph; `lead` is a run-in 二级标题 such as （一）首页不更新。"""

    text: str
    lead: str = ""


@dataclass(frozen=True)
class ChartSlot:
    """Where a chart goes: `kind` is "pass_rate" or "problems"."""

    kind: str
    caption: str


Block = Heading | Paragraph | ChartSlot
Cell = str | int | float | datetime | None


@dataclass(frozen=True)
class Column:
    """A table column; `printed` is False for columns only the spreadsheet carries."""

    header: str
    width_mm: float = 20
    numeric: bool = False
    printed: bool = True


@dataclass(frozen=True)
class Table:
    """An attachment table (label 附件N) or a spreadsheet-only sheet (empty label)."""

    label: str
    title: str
    sheet: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def printed_columns(self) -> tuple[Column, ...]:
        """Return the columns shown in the DOCX, HTML and Markdown attachments."""
        return tuple(c for c in self.columns if c.printed)

    def printed_rows(self) -> list[list[str]]:
        """Return the printed cells as text, row by row."""
        keep = [i for i, c in enumerate(self.columns) if c.printed]
        return [[cell_text(row[i]) for i in keep] for row in self.rows]


@dataclass(frozen=True)
class Composition:
    """The whole circular in reading order, already in the output script."""

    lang: str
    title: str
    number: str | None
    draft_mark: str | None
    recipients: str
    body: tuple[Block, ...]
    attachment_note: tuple[str, ...]  # "1.检查情况表", "2.问题网站名单"
    signature: str
    date: str
    attachments: tuple[Table, ...]
    sheets: tuple[Table, ...]  # the workbook: attachments plus the spreadsheet-only tables


def num(value: float) -> str:
    """Format a figure the way circulars print it: 12, 96.5, 100."""
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def cn_date(day: date) -> str:
    """Format a date as 2026年12月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def cell_text(value: Cell) -> str:
    """Format one table cell for print."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return num(value)
    return str(value)


def compose(doc: CircularDocument) -> Composition:
    """Lay out the circular's text; in Traditional Chinese when the document asks for it."""
    data = doc.data
    words = _Words(data)
    attachments = _attachments(data, words)
    overview = _overview(doc, words)
    composition = Composition(
        lang="zh-CN",
        title=data.title,
        number=doc.number if doc.number and not doc.draft else None,
        draft_mark="（征求意见稿）" if doc.draft else None,
        recipients=_recipients(data.region_code, data.region_name),
        body=(*_intro(doc, words), *overview, *_coverage(data, words, overview),
              *_problems(data, words), *_requirements(doc, words)),
        attachment_note=tuple(f"{i}.{t.title}" for i, t in enumerate(attachments, 1)),
        signature=data.issuing_office,
        date=cn_date(doc.issued_on) if doc.issued_on else "年　月　日",
        attachments=attachments,
        sheets=(*attachments, _veto_table(data, words), *_coverage_sheet(data),
                _figure_table(data)),
    )
    if doc.traditional:
        return replace(convert_tree(composition), lang="zh-Hant")
    return composition


class _Words:
    """Words that depend on the region and on what was checked: 全市, 各区县, 网站/账号."""

    def __init__(self, data: CircularData) -> None:
        name = data.region_name
        self.scope = "全区" if name.endswith("自治区") else (
            f"全{name[-1]}" if name and name[-1] in "省市区县旗" else "全")
        level = _level(data.region_code)
        self.subregions = {"province": "各市", "municipality": "各区", "city": "各区县"}.get(
            level, "各乡镇（街道）")
        self.rows = {r.target_code: r for r in data.rows}
        self.region_names = {r.region_code: r.region_name for r in data.region_rates}
        self.region_names.update({r.region_code: r.region_name for r in data.rows})
        self.has_accounts = data.accounts_total is not None and data.accounts_total.checked.value > 0
        self.checked_noun = "政府网站和政务新媒体" if self.has_accounts else "政府网站"

    def noun(self, codes: list[str]) -> str:
        return self.noun_of({self.rows[c].target_type for c in codes if c in self.rows})

    def noun_of(self, types: set[str]) -> str:
        if types == {"account"}:
            return "政务新媒体账号"
        return "网站和账号" if "account" in types else "网站"

    def region_of(self, code: str) -> str:
        return self.region_names.get(code, "")


def _level(code: str) -> str:
    if code[:2] in {"11", "12", "31", "50"} and code[2:] in {"0000", "0100"}:
        return "municipality"
    if code[2:] == "0000":
        return "province"
    return "city" if code[4:] == "00" else "county"


def _recipients(code: str, name: str) -> str:
    level = _level(code)
    if level == "municipality":
        return "各区人民政府，市政府各部门："
    if level == "province":
        if name.endswith("自治区"):
            return "各市、县（区）人民政府，自治区政府各部门、各直属机构："
        return "各市人民政府，省政府各部门、各直属机构："
    if level == "city":
        return "各区县人民政府，市政府各部门："
    return f"各乡镇人民政府、街道办事处，{name[-1:] or '县'}政府各部门："


def _narrative(text: str) -> list[Paragraph]:
    """Split an edited narrative into paragraphs, lifting a leading （一）…。 into a lead."""
    out = []
    for line in re.split(r"\s*\n+\s*", text.strip()):
        if not line:
            continue
        m = _LEAD.match(line)
        out.append(Paragraph(line[m.end():], lead=m.group(1)) if m else Paragraph(line))
    return out


def _period(data: CircularData) -> str:
    start, end = data.period_start, data.period_end
    if start == end:
        return cn_date(start)
    tail = f"{end.month}月{end.day}日" if start.year == end.year else cn_date(end)
    return f"{cn_date(start)}至{tail}"


def _intro(doc: CircularDocument, words: _Words) -> list[Block]:
    if doc.narrative.intro.strip():
        return list(_narrative(doc.narrative.intro))
    data = doc.data
    return [Paragraph(
        f"为进一步加强{words.scope}{words.checked_noun}管理，根据《政府网站与政务新媒体检查指标》"
        "《政府网站与政务新媒体监管工作年度考核指标》（国办秘函〔2019〕19号）要求，"
        f"{data.issuing_office}于{_period(data)}对{words.scope}{words.checked_noun}进行了检查。"
        "现将有关情况通报如下：")]


def _kinds(kinds: list[KindTotals], what: str) -> str:
    return "、".join(f"{k.label}{num(k.checked.value)}{what}" for k in kinds if k.checked.value)


def _overview(doc: CircularDocument, words: _Words) -> list[Block]:
    data = doc.data
    out: list[Block] = [Heading("一、总体情况")]
    subs = _Numbering()
    w = data.websites_total
    # compute.py compares the overall rate (websites and accounts together, "all.pass_rate");
    # "上季度无可比数据" is not worth a sentence, so the comparison needs a change in points.
    comparison = data.comparison.sentence.strip("，。 ") if data.comparison.change_points else ""
    overall = data.figures.get("all.pass_rate")
    if overall is None and not words.has_accounts:
        overall = w.pass_rate
    summarised = words.has_accounts and data.accounts_total is not None and overall is not None
    if summarised and data.accounts_total is not None and overall is not None:
        text = (f"本次共检查{words.scope}政府网站{num(w.checked.value)}个、政务新媒体"
                f"{num(data.accounts_total.checked.value)}个，总体合格率为{num(overall.value)}%")
        out.append(Paragraph(text + (f"，{comparison}。" if comparison else "。")))
        comparison = ""
    # Under a summary paragraph the sub-sections skip the totals it already gave.
    text = _counted(words.scope, "政府网站", w, _kinds(data.websites, "个"), summarised)
    rate_word = "合格率" if words.has_accounts else "总体合格率"
    text += f"，合格{num(w.passed.value)}个，{rate_word}为{num(w.pass_rate.value)}%"
    text += f"，{comparison}。" if comparison else "。"
    rates = [f"{k.label}合格率为{num(k.pass_rate.value)}%" for k in data.websites if k.checked.value]
    if len(rates) > 1:
        text += "，".join(rates) + "。"
    out.append(Paragraph(text, lead=subs.next("政府网站")))
    if any(r.checked > 0 for r in data.region_rates):
        out.append(ChartSlot("pass_rate", f"图1 {words.subregions}检查合格率"))
    if words.has_accounts and data.accounts_total is not None:
        a = data.accounts_total
        text = _counted(words.scope, "政务新媒体", a, _kinds(data.accounts, "个"), summarised)
        text += f"，合格{num(a.passed.value)}个，合格率为{num(a.pass_rate.value)}%。"
        out.append(Paragraph(text, lead=subs.next("政务新媒体")))
    r = data.rectification
    if r.items is not None:
        source = f"（《{r.previous_circular_title}》）" if r.previous_circular_title else ""
        text = f"上期通报{source}指出的{num(r.items.value)}个问题"
        if r.closed is not None:
            text += f"，已完成整改{num(r.closed.value)}个"
        if r.rate is not None:
            text += f"，整改率为{num(r.rate.value)}%"
        out.append(Paragraph(text + "。", lead=subs.next("上期问题整改情况")))
    practices = _narrative(doc.narrative.practices)
    if practices:
        # Under （四）主要做法 the narrative's own （一）（二） become the third level, 1. 2.
        n = 0
        for i, p in enumerate(practices):
            text = p.text
            if p.lead:
                n += 1
                text = f"{n}.{p.lead.split('）', 1)[1]}{text}"
            out.append(Paragraph(text, lead=subs.next("主要做法") if i == 0 else ""))
    return out


def _coverage(data: CircularData, words: _Words, overview: list[Block]) -> list[Block]:
    """（N）检查覆盖和复查情况: 检查比例 per kind, the targets not inspected, 复查比例, 整改率 and the
    pass rate of each sub-region — numbered after the overview's own sub-sections."""
    cover = data.coverage
    if cover is None:
        return []
    parts = []
    kinds = [f"{k.label}{num(k.running.value)}个，已检查{num(k.inspected.value)}个，"
             f"检查比例为{num(k.ratio.value)}%" for k in cover.kinds]
    if kinds:
        parts.append(f"{words.scope}备案运行中的" + "；".join(kinds) + "。")
    if cover.not_inspected is not None and cover.not_inspected.value:
        parts.append(f"{num(cover.not_inspected.value)}个备案运行的网站和账号本期未检查，"
                     "已列入未能检查名单。")
    f = cover.follow_up
    if f is not None:
        parts.append(f"上期检查不合格的{num(f.previous_problems.value)}个网站和账号中，本期复查"
                     f"{num(f.rechecked.value)}个，复查比例为{num(f.recheck_ratio.value)}%；"
                     f"已整改合格{num(f.rectified.value)}个，整改率为{num(f.rectified_rate.value)}%。")
    rates = [f"{r.region_name}{num(r.pass_rate)}%" for r in data.region_rates if r.checked]
    if rates:
        parts.append(f"{words.subregions}合格率：" + "、".join(rates) + "。")
    n = sum(1 for b in overview if isinstance(b, Paragraph) and b.lead.startswith("（"))
    return [Paragraph("".join(parts), lead=f"（{_cn_number(n + 1)}）检查覆盖和复查情况。")]


def _counted(scope: str, noun: str, totals: KindTotals, kinds: str, summarised: bool) -> str:
    """Open a sub-section: 共检查全市政府网站48个，其中门户网站8个… (just the kinds after a summary)."""
    if summarised:
        return kinds or f"{noun}{num(totals.checked.value)}个"
    return f"共检查{scope}{noun}{num(totals.checked.value)}个" + (f"，其中{kinds}" if kinds else "")


class _Numbering:
    """（一）（二）… leads within one section."""

    def __init__(self) -> None:
        self.n = 0

    def next(self, title: str) -> str:
        self.n += 1
        return f"（{_cn_number(self.n)}）{title}。"


def _cn_number(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _problems(data: CircularData, words: _Words) -> list[Block]:
    out: list[Block] = [Heading("二、存在的问题")]
    if not data.vetoes and not data.problems:
        out.append(Paragraph("本次检查未发现单项否决问题和其他突出问题。"))
        return out
    parts = []
    for groups, what, targets in ((data.vetoes, "单项否决问题", data.veto_targets),
                                  (data.problems, "其他问题", data.problem_targets)):
        if targets is not None:  # counted by compute over every unit, not only those named
            if targets.count:
                parts.append(f"{targets.count}个{words.noun_of(set(targets.types))}存在{what}")
            continue
        codes = sorted({u.target_code for g in groups for u in g.units})
        if codes:
            parts.append(f"{len(codes)}个{words.noun(codes)}存在{what}")
    summary = "，".join(parts) if parts else "部分网站存在问题"
    out.append(Paragraph(f"检查发现，{summary}。具体情况如下："))
    if any(g.count.value > 0 for g in (*data.vetoes, *data.problems)):
        first = any(r.checked > 0 for r in data.region_rates)
        out.append(ChartSlot("problems", f"图{2 if first else 1} 问题类型分布"))
    subs = _Numbering()
    for group in data.vetoes:
        out.append(_group(group, words, subs.next(f"{group.indicator}（单项否决）")))
    for group in data.problems:
        out.append(_group(group, words, subs.next(group.indicator)))
    return out


def _group(group: ProblemGroup, words: _Words, lead: str) -> Paragraph:
    codes = [u.target_code for u in group.units]
    noun = words.noun(codes) if group.target_types is None else words.noun_of(set(group.target_types))
    count = num(group.count.value) if group.count.value else str(len(set(codes)))
    named = [_unit(u, words) for u in group.units[:UNITS_NAMED]]
    text = f"涉及{count}个{noun}"
    if named:
        text += "：" + "；".join(named)
        if (group.unit_total if group.unit_total is not None else len(group.units)) > UNITS_NAMED:
            text += f"等{count}个{noun}（详见附件）"
    return Paragraph(text + "。", lead=lead)


def _unit(unit: UnitProblem, words: _Words) -> str:
    row = words.rows.get(unit.target_code)
    region = words.region_of(unit.region_code)
    if row is not None and row.target_type == "account":
        subject = f"{_with_region(unit.organisation_name, region)}{row.kind_label}“{unit.target_name}”"
    else:
        subject = f"{_with_region(unit.target_name, region)}（{unit.target_code}）"
    details = [d.strip("；。 ") for d in unit.details if d.strip("；。 ")]
    # Addresses are left to the attachment: a line of URLs is unreadable in print.
    messages = [d for d in details if not d.startswith(("http://", "https://"))]
    if messages:
        subject += "，" + "，".join(messages[:DETAILS_NAMED])
        if len(details) > DETAILS_NAMED:
            subject += f"等{len(details)}处"
    elif details:
        subject += f"，共{len(details)}处"
    return subject


def _with_region(name: str, region: str) -> str:
    # Region names are dropped when the unit's own name already carries them (济南市历下区…).
    if not region or region in name or (len(region) > 1 and name.startswith(region[:-1])):
        return name
    return region + name


def _requirements(doc: CircularDocument, words: _Words) -> list[Block]:
    deadline = doc.data.deadline_text.strip("，。 ")
    out: list[Block] = [Heading("三、整改要求")]
    given = _narrative(doc.narrative.requirements)
    if given:
        out.extend(given)
        if deadline and deadline not in doc.narrative.requirements:
            out.append(Paragraph(f"请有关单位对照本通报及附件所列问题逐项整改，{deadline}。"))
        return out
    first = "各有关单位要对照本通报及附件所列问题，逐项核查，立即整改"
    out.append(Paragraph(first + (f"，{deadline}。" if deadline else "。"), lead="（一）抓好问题整改。"))
    out.append(Paragraph(
        f"{words.subregions}、各部门要严格落实主管主办责任，加强日常巡查和内容审核，"
        "建立健全问题台账，举一反三，防止问题反弹。", lead="（二）强化日常监管。"))
    return out


# ── tables ──────────────────────────────────────────────────────────────────────────────

TARGET_COLUMNS = (
    Column("序号", 12, numeric=True),
    Column("区划", 18),
    Column("区划代码", 14, printed=False),
    Column("类别", 22, printed=False),
    Column("网站/账号名称", 50),
    Column("标识码", 26),
    Column("主办单位", 45),
    Column("得分", 14, numeric=True),
    Column("结论", 19),
    Column("单项否决", 30, printed=False),
    Column("主要问题", 58),
    Column("检查时间", 18, printed=False),
)


def _target_rows(rows: list[TargetRow]) -> tuple[tuple[Cell, ...], ...]:
    out = []
    for i, r in enumerate(rows, 1):
        issues = ([f"单项否决：{'、'.join(r.vetoes)}"] if r.vetoes else []) + list(r.problems)
        out.append((i, r.region_name, r.region_code, r.kind_label, r.target_name, r.target_code,
                    r.organisation_name, r.score, r.verdict_label, "、".join(r.vetoes),
                    "；".join(issues), r.checked_at))
    return tuple(out)


GAP_COLUMNS = (
    Column("序号", 12, numeric=True),
    Column("区划", 18),
    Column("类别", 22, printed=False),
    Column("网站/账号名称", 50),
    Column("标识码", 26),
    Column("主办单位", 45),
    Column("未能检查原因", 70),
    Column("检查时间", 18, printed=False),
)


def _gap_rows(rows: list[TargetRow]) -> tuple[tuple[Cell, ...], ...]:
    return tuple((i, r.region_name, r.kind_label, r.target_name, r.target_code,
                  r.organisation_name, r.reason or r.verdict_label, r.checked_at)
                 for i, r in enumerate(rows, 1))


def _attachments(data: CircularData, words: _Words) -> tuple[Table, ...]:
    tables = []
    if data.rows:
        tables.append(Table("", f"{words.checked_noun}检查情况表", "检查情况表", TARGET_COLUMNS,
                            _target_rows(data.rows)))
    if data.problem_rows:
        types = {r.target_type for r in data.problem_rows}
        what = {frozenset({"account"}): "问题新媒体名单", frozenset({"website"}): "问题网站名单"}.get(
            frozenset(types), "问题网站和政务新媒体名单")
        tables.append(Table("", what, "问题名单", TARGET_COLUMNS, _target_rows(data.problem_rows)))
    if data.gaps:  # never counted 合格: named with the reason they could not be inspected
        tables.append(Table("", "未能检查名单", "未能检查", GAP_COLUMNS, _gap_rows(data.gaps)))
    return tuple(replace(t, label=f"附件{i}") for i, t in enumerate(tables, 1))


def _veto_table(data: CircularData, words: _Words) -> Table:
    columns = (Column("序号", numeric=True), Column("否决类型"), Column("区划"), Column("主办单位"),
               Column("网站/账号名称"), Column("标识码"), Column("问题详情"))
    rows: list[tuple[Cell, ...]] = []
    for group in data.vetoes:
        for u in group.units:
            rows.append((len(rows) + 1, group.indicator, words.region_of(u.region_code),
                         u.organisation_name, u.target_name, u.target_code, "；".join(u.details)))
    return Table("", "单项否决问题", "单项否决", columns, tuple(rows))


def _coverage_sheet(data: CircularData) -> tuple[Table, ...]:
    """The spreadsheet's 覆盖与复查 sheet: each ratio with its base and count, then each region."""
    cover = data.coverage
    if cover is None:
        return ()
    columns = (Column("指标"), Column("对象"), Column("基数", numeric=True),
               Column("数量", numeric=True), Column("比例（%）", numeric=True))
    rows: list[tuple[Cell, ...]] = [("检查比例", f"{k.label}（备案运行中）", k.running.value,
                                     k.inspected.value, k.ratio.value) for k in cover.kinds]
    f = cover.follow_up
    if f is not None:
        rows.append(("复查比例", "上期不合格网站和账号", f.previous_problems.value,
                     f.rechecked.value, f.recheck_ratio.value))
        rows.append(("整改率", "上期不合格网站和账号", f.previous_problems.value,
                     f.rectified.value, f.rectified_rate.value))
    rows += [("合格率", r.region_name, r.checked, r.passed, r.pass_rate) for r in data.region_rates]
    return (Table("", "检查覆盖和复查情况", "覆盖与复查", columns, tuple(rows)),)


def _figure_table(data: CircularData) -> Table:
    columns = (Column("指标代码"), Column("指标"), Column("数值", numeric=True), Column("单位"))
    rows = tuple((f.key, f.label, f.value, f.unit) for f in data.figures.values())
    return Table("", "通报数据", "通报数据", columns, rows)
