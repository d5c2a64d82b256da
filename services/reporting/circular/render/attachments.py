"""The tables of a circular: attachments 检查情况表, 问题名单 and 未能检查名单, and the
spreadsheet-only sheets (单项否决问题, 通报数据)."""

from __future__ import annotations

from dataclasses import replace

from services.reporting.circular.content import CircularData, TargetRow
from services.reporting.circular.render.layout import Cell, Column, Table
from services.reporting.circular.render.words import Words

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


def attachments(data: CircularData, words: Words) -> tuple[Table, ...]:
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


def veto_table(data: CircularData, words: Words) -> Table:
    columns = (Column("序号", numeric=True), Column("否决类型"), Column("区划"), Column("主办单位"),
               Column("网站/账号名称"), Column("标识码"), Column("问题详情"))
    rows: list[tuple[Cell, ...]] = []
    for group in data.vetoes:
        for u in group.units:
            rows.append((len(rows) + 1, group.indicator, words.region_of(u.region_code),
                         u.organisation_name, u.target_name, u.target_code, "；".join(u.details)))
    return Table("", "单项否决问题", "单项否决", columns, tuple(rows))


def figure_table(data: CircularData) -> Table:
    columns = (Column("指标代码"), Column("指标"), Column("数值", numeric=True), Column("单位"))
    rows = tuple((f.key, f.label, f.value, f.unit) for f in data.figures.values())
    return Table("", "通报数据", "通报数据", columns, rows)
