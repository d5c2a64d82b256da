"""The circular's 检查覆盖和复查情况: a paragraph after the overview and the 覆盖与复查 sheet.

检查比例 per kind (targets judged out of those running in the registry), the targets not
inspected, 复查比例 and 整改率 of last period's failures, and each sub-region's pass rate. Nothing is
stated when compute had no coverage (older circulars, or the registry did not answer).
"""

from __future__ import annotations

from services.reporting.circular.content import CircularData
from services.reporting.circular.render.layout import Block, Cell, Column, Paragraph, Table, num
from services.reporting.circular.render.words import Words


def paragraph(data: CircularData, words: Words, number: str) -> list[Block]:
    """（N）检查覆盖和复查情况, numbered `number` after the overview's own sub-sections."""
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
    return [Paragraph("".join(parts), lead=f"（{number}）检查覆盖和复查情况。")]


def sheet(data: CircularData) -> tuple[Table, ...]:
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
