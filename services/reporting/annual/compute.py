"""Figures of the 《政府网站监管年度报表》 (国办函〔2018〕12号: 抽查, 开设整合, 找错留言办理, 整改).

From reporting's own tables: the year's inspection results of websites in the region (checks,
sites, 合格/不合格, the vetoes by indicator), the rectification items opened and closed, the
error reports (我为政府网站找错) received and answered within their deadline, and the late
filings; from the registry: the region's websites by status at the time of drafting and the
openings and closures filed during the year.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import col, select

from services.reporting.common.context import Ctx
from services.reporting.error_report.models import ErrorReport
from services.reporting.rectification.models import RectificationItem
from services.reporting.result.models import LateFiling, Result
from shared.calendar import SHANGHAI
from shared.clients.registry import RegistryClient
from shared.principal import region_prefix


class Line(BaseModel):
    """One line of the report: a section, an item, its value and unit."""

    section: str
    item: str
    value: float | int | str
    unit: str = ""


class AnnualReport(BaseModel):
    title: str
    region_code: str
    region_name: str
    year: int
    drafted_at: datetime
    lines: list[Line]


def _window(year: int) -> tuple[datetime, datetime]:
    return (datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI))


async def compute(ctx: Ctx, region_code: str, region_name: str, year: int,
                  registry: RegistryClient) -> AnnualReport:
    """Every figure of the region's annual supervision report for `year`."""
    start, end = _window(year)
    prefix = region_prefix(region_code)
    lines = [*await _inspections(ctx, prefix, start, end), *await _rectifications(ctx, prefix, start, end),
             *await _error_reports(ctx, prefix, start, end), *await _filings(ctx, prefix, start, end),
             *await _registry(registry, region_code, start, end)]
    return AnnualReport(title=f"{region_name}{year}年政府网站监管年度报表", region_code=region_code,
                        region_name=region_name, year=year, drafted_at=ctx.clock.now(), lines=lines)


async def _inspections(ctx: Ctx, prefix: str, start: datetime, end: datetime) -> list[Line]:
    rows = (await ctx.session.execute(select(Result.target_id, Result.passed, Result.vetoes).where(
        Result.target_type == "website", col(Result.region_code).like(f"{prefix}%"),
        col(Result.as_of) >= start, col(Result.as_of) < end))).all()
    judged = [r for r in rows if r.passed is not None]
    passed = sum(1 for r in judged if r.passed)
    vetoes = Counter(v for r in rows for v in r.vetoes)
    section = "一、检查情况"
    lines = [Line(section=section, item="检查网站次数", value=len(rows), unit="次"),
             Line(section=section, item="检查网站数", value=len({r.target_id for r in rows}), unit="个"),
             Line(section=section, item="合格次数", value=passed, unit="次"),
             Line(section=section, item="不合格次数", value=len(judged) - passed, unit="次"),
             Line(section=section, item="未能检查次数", value=len(rows) - len(judged), unit="次"),
             Line(section=section, item="合格率", value=round(100 * passed / len(judged), 1) if judged else 0,
                  unit="%")]
    lines += [Line(section=section, item=f"单项否决：{name}", value=n, unit="次")
              for name, n in sorted(vetoes.items(), key=lambda kv: (-kv[1], kv[0]))]
    return lines


async def _rectifications(ctx: Ctx, prefix: str, start: datetime, end: datetime) -> list[Line]:
    rows = (await ctx.session.execute(select(RectificationItem.status).where(
        col(RectificationItem.region_code).like(f"{prefix}%"), col(RectificationItem.opened_at) >= start,
        col(RectificationItem.opened_at) < end, RectificationItem.target_type == "website"))).scalars().all()
    closed = sum(1 for s in rows if s == "closed")
    section = "二、问题整改"
    return [Line(section=section, item="通报问题数", value=len(rows), unit="个"),
            Line(section=section, item="已整改（复核关闭）", value=closed, unit="个"),
            Line(section=section, item="整改率", value=round(100 * closed / len(rows), 1) if rows else 0,
                 unit="%")]


async def _error_reports(ctx: Ctx, prefix: str, start: datetime, end: datetime) -> list[Line]:
    rows = (await ctx.session.execute(select(ErrorReport.status, ErrorReport.answered_at,
                                             ErrorReport.deadline_at).where(
        col(ErrorReport.region_code).like(f"{prefix}%"), col(ErrorReport.submitted_at) >= start,
        col(ErrorReport.submitted_at) < end))).all()
    answered = [r for r in rows if r.answered_at is not None]
    on_time = sum(1 for r in answered if r.answered_at <= r.deadline_at)
    section = "三、找错留言办理"
    return [Line(section=section, item="收到网民找错留言", value=len(rows), unit="条"),
            Line(section=section, item="已办理", value=len(answered), unit="条"),
            Line(section=section, item="按期办理", value=on_time, unit="条"),
            Line(section=section, item="按期办理率", value=round(100 * on_time / len(rows), 1) if rows else 0,
                 unit="%")]


async def _filings(ctx: Ctx, prefix: str, start: datetime, end: datetime) -> list[Line]:
    late = (await ctx.session.execute(select(LateFiling.filing_id).where(
        LateFiling.target_type == "website", col(LateFiling.region_code).like(f"{prefix}%"),
        col(LateFiling.filed_at) >= start, col(LateFiling.filed_at) < end))).all()
    return [Line(section="四、开设整合", item="逾期报备次数", value=len(late), unit="次")]


async def _registry(registry: RegistryClient, region_code: str, start: datetime,
                    end: datetime) -> list[Line]:
    sites = await registry.all_websites(region=region_code)
    actions: Counter[str] = Counter()
    for site in sites:
        for filing in await registry.website_filings(site.id):
            if start <= filing.occurred_at < end:
                actions[filing.action.value] += 1
    status = Counter(s.status.value for s in sites)
    section = "四、开设整合"
    return [Line(section=section, item="运行中的网站", value=status["running"], unit="个"),
            Line(section=section, item="已报拟关停的网站", value=status["closing"], unit="个"),
            Line(section=section, item="本年度新开设（开通备案）",
                 value=actions["open"] + actions["register"], unit="个"),
            Line(section=section, item="本年度关停整合（关停备案）", value=actions["close"], unit="个"),
            Line(section=section, item="本年度注销", value=actions["deregister"], unit="个"),
            Line(section=section, item="本年度迁移", value=actions["migrate"], unit="个")]
