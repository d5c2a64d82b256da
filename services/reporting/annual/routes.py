"""The 《政府网站监管年度报表》 endpoint: a province's or city's year, as DOCX, XLSX or JSON."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from services.reporting.annual import render
from services.reporting.annual.compute import compute
from services.reporting.circular.service import region_names
from services.reporting.common.context import Ctx, get_ctx
from shared.clients.deps import RegistryDep
from shared.errors import NotFound, problem_responses
from shared.tabular import download

router = APIRouter(prefix="/annual-reports", tags=["annual-reports"],
                   responses=problem_responses(401, 422))
DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/{region_code}/{year}", operation_id="getAnnualSupervisionReport",
            summary="政府网站监管年度报表", response_class=Response, responses={200: {"content": {
                DOCX_MEDIA: {}, XLSX_MEDIA: {}, "application/json": {}}}, **problem_responses(404)})
async def get_annual_report(
        registry: RegistryDep, ctx: Ctx = Depends(get_ctx),
        region_code: str = Path(pattern=r"^\d{4}00$",
                                description="省级（370000）或市级（370100）区划代码；年度报表按省或市编制"),
        year: int = Path(ge=2018, le=2100, description="统计年度"),
        format: Literal["docx", "xlsx", "json"] = Query("docx")) -> Response:
    """Draft the region's 《政府网站监管年度报表》 for a year (国办函〔2018〕12号: due by 31 January).

    Figures: inspections of websites (checks, sites, 合格/不合格, vetoes by indicator),
    rectification items and their closure, 我为政府网站找错 messages and their handling within
    the deadline, late filings, and from the registry the websites by status and the openings,
    closures and deregistrations filed in the year.
    """
    if not ctx.principal.sees_region(region_code):
        raise NotFound(f"区划 {region_code} 不存在或不在调用者的范围内")
    names = await region_names(registry, region_code)
    report = await compute(ctx, region_code, names.get(region_code, region_code), year, registry)
    if format == "docx":
        return download(render.render_docx(report), DOCX_MEDIA, f"annual-report-{year}.docx",
                        f"{report.title}.docx")
    if format == "xlsx":
        return download(render.render_xlsx(report), XLSX_MEDIA, f"annual-report-{year}.xlsx",
                        f"{report.title}.xlsx")
    return Response(report.model_dump_json(), media_type="application/json")
