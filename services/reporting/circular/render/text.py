"""The prose of a circular: CircularData + Narrative → the ordered headings, paragraphs and tables.

Every format renders the same `Composition`, so a sentence is written once, here. The shape follows
published quarterly circulars (济南、淄博、宁夏): title, 文号, 主送机关; 一、总体情况 (websites by kind,
accounts by platform, comparison, last circular's rectification, 主要做法); 二、存在的问题 (单项否决
types first, each naming its units in order, then the other categories); 三、整改要求 with the
deadline; 附件说明, 落款; attachments 检查情况表 and 问题名单.
"""

from __future__ import annotations

import re
from dataclasses import replace

from services.reporting.circular.accumulate import NAMED
from services.reporting.circular.content import (
    CircularData,
    CircularDocument,
    KindTotals,
    ProblemGroup,
    UnitProblem,
)
from services.reporting.circular.render import attachments as tables
from services.reporting.circular.render import coverage
from services.reporting.circular.render.convert import convert_tree
from services.reporting.circular.render.layout import (
    Block,
    ChartSlot,
    Composition,
    Heading,
    Paragraph,
    cn_date,
    num,
)
from services.reporting.circular.render.words import Words, recipients

NUMERALS = "一二三四五六七八九十"
# Past this many units a problem paragraph stops naming them and points to 附件2: circulars keep
# the body readable and leave the full list to the attachment.
UNITS_NAMED = NAMED  # compute keeps the details of exactly these units of a deduction group
DETAILS_NAMED = 3
_LEAD = re.compile(r"^(（[一二三四五六七八九十]+）[^。：！？]{1,30}[。：])")


def compose(doc: CircularDocument) -> Composition:
    """Lay out the circular's text; in Traditional Chinese when the document asks for it."""
    data = doc.data
    words = Words(data)
    attachments = tables.attachments(data, words)
    overview = _overview(doc, words)
    composition = Composition(
        lang="zh-CN",
        title=data.title,
        number=doc.number if doc.number and not doc.draft else None,
        draft_mark="（征求意见稿）" if doc.draft else None,
        recipients=recipients(data.region_code, data.region_name),
        body=(*_intro(doc, words), *overview,
              *coverage.paragraph(data, words, _cn_number(_subsections(overview) + 1)),
              *_reposts(data, _cn_number(_subsections(overview) + (2 if data.coverage else 1))),
              *_problems(data, words), *_requirements(doc, words)),
        attachment_note=tuple(f"{i}.{t.title}" for i, t in enumerate(attachments, 1)),
        signature=data.issuing_office,
        date=cn_date(doc.issued_on) if doc.issued_on else "年　月　日",
        attachments=attachments,
        sheets=(*attachments, tables.veto_table(data, words), *coverage.sheet(data),
                tables.figure_table(data)),
    )
    if doc.traditional:
        return replace(convert_tree(composition), lang="zh-Hant")
    return composition


def _reposts(data: CircularData, number: str) -> list[Block]:
    """（N）重点信息转载情况, after the coverage paragraph (none when no task was issued)."""
    if data.reposts is None:
        return []
    return [Paragraph(data.reposts.sentence, lead=f"（{number}）重点信息转载情况。")]


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


def _intro(doc: CircularDocument, words: Words) -> list[Block]:
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


def _overview(doc: CircularDocument, words: Words) -> list[Block]:
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


def _subsections(blocks: list[Block]) -> int:
    """How many （一）… sub-sections the blocks open (the coverage paragraph is numbered after them)."""
    return sum(1 for b in blocks if isinstance(b, Paragraph) and b.lead.startswith("（"))


def _cn_number(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _problems(data: CircularData, words: Words) -> list[Block]:
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


def _group(group: ProblemGroup, words: Words, lead: str) -> Paragraph:
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


def _unit(unit: UnitProblem, words: Words) -> str:
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


def _requirements(doc: CircularDocument, words: Words) -> list[Block]:
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
