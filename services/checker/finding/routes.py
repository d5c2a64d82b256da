"""Finding endpoints: list and filter, verdicts singly and in bulk, export, evidence."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.checker.common.context import Ctx, get_ctx
from services.checker.finding import queries, verdict
from services.checker.finding.schemas import (
    BulkVerdictBody,
    BulkVerdictResult,
    FindingPage,
    FindingRead,
    VerdictBody,
)
from services.checker.finding.service import SEVERITY_LABELS, VERDICTS
from shared.calendar import SHANGHAI
from shared.db import MAX_OFFSET
from shared.errors import NotFound, problem_responses
from shared.tabular import CSV_MEDIA, XLSX_MEDIA, csv_bytes, download, xlsx_bytes

router = APIRouter(tags=["findings"], responses=problem_responses(401, 422))


class FindingFilters:
    """Filters shared by list and export."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    async def query(
        cls,
        run_id: uuid.UUID | None = Query(None, description="某检查批次发现的问题"),
        target_id: uuid.UUID | None = Query(None, description="某网站的问题"),
        rule: str | None = Query(None, max_length=64, description="规则代码或前缀，如 veto."),
        severity: Literal["veto", "deduct", "warn"] | None = Query(None),
        verdict: Literal["confirmed", "false_positive", "doubtful", "none"] | None = Query(
            None, description="none：尚未研判"),
        region: str | None = Query(None, pattern=r"^\d{6}$"),
        organisation_id: uuid.UUID | None = Query(None),
        open_only: bool = Query(False, description="只列未整改（未消失）的问题"),
        q: str | None = Query(None, max_length=100),
    ) -> FindingFilters:
        # A coroutine: FastAPI runs a plain class or function dependency in a worker thread.
        return cls({"run_id": run_id, "target_id": target_id, "rule": rule,
                    "severity": severity, "verdict": verdict, "region": region,
                    "organisation_id": organisation_id, "open_only": open_only, "q": q})


@router.get("/findings", operation_id="listFindings", response_model=FindingPage,
            summary="查询发现的问题")
async def list_findings(filters: FindingFilters = Depends(FindingFilters.query), ctx: Ctx = Depends(get_ctx),
                        limit: int = Query(50, ge=1, le=1000),
                        offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> FindingPage:
    """Findings in the caller's scope with their evidence, most recently seen first."""
    items, total = await queries.page(ctx, limit, offset, **filters.values)
    return FindingPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/findings/export", operation_id="exportFindings", summary="导出问题清单",
            response_class=Response,
            responses={200: {"content": {CSV_MEDIA: {}, XLSX_MEDIA: {}}}})
async def export_findings(filters: FindingFilters = Depends(FindingFilters.query),
                          ctx: Ctx = Depends(get_ctx),
                          format: Literal["csv", "xlsx"] = Query("xlsx")) -> Response:
    """Every matching finding as CSV or XLSX with Chinese headers."""
    rows = await queries.all_rows(ctx, **filters.values)
    headers = ["网站标识码", "网站名称", "主办单位", "区划", "指标", "规则代码", "性质", "问题描述",
               "问题页面", "所在页面", "位置", "上下文", "建议修改", "扣分", "首次发现", "最近发现",
               "已消失", "研判"]

    def when(v: object) -> str:
        return v.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if v else ""  # type: ignore[attr-defined]

    data = [[f.target_code, f.target_name, f.organisation_name, f.region_code, f.indicator,
             f.rule, SEVERITY_LABELS.get(f.severity, f.severity), f.message, f.url or "",
             f.parent_url or "", f.position or "", f.excerpt or "", f.suggestion or "",
             f.points or "", when(f.first_seen_at), when(f.last_seen_at), when(f.resolved_at),
             VERDICTS.get(f.verdict or "", "")] for f in rows]
    stamp = ctx.clock.now().astimezone(SHANGHAI).strftime("%Y%m%d")
    if format == "csv":
        return download(csv_bytes(headers, data), CSV_MEDIA, f"findings-{stamp}.csv",
                        f"问题清单-{stamp}.csv", {"X-Total-Count": str(len(data))})
    return download(xlsx_bytes("问题清单", headers, data), XLSX_MEDIA, f"findings-{stamp}.xlsx",
                    f"问题清单-{stamp}.xlsx", {"X-Total-Count": str(len(data))})


@router.get("/findings/{finding_id}", operation_id="getFinding", response_model=FindingRead,
            summary="查看问题详情", responses=problem_responses(404))
async def get_finding(finding_id: uuid.UUID, ctx: Ctx = Depends(get_ctx)) -> FindingRead:
    """One finding with its evidence."""
    return queries.to_read(await queries.get(ctx, finding_id))


@router.put("/findings/{finding_id}/verdict", operation_id="setFindingVerdict",
            response_model=FindingRead, summary="研判问题",
            responses=problem_responses(403, 404))
async def set_verdict(finding_id: uuid.UUID, body: VerdictBody,
                      ctx: Ctx = Depends(get_ctx)) -> FindingRead:
    """Mark a finding confirmed, false positive or doubtful; `null` takes the verdict back.

    A false positive stays silent in later runs: still tracked while it is seen, but not scored,
    not sent to reporting and not listed unless asked for with `verdict=false_positive`. Marking
    or un-marking one re-scores its target's latest result and sends it to reporting
    (`target.rescored`).
    """
    ctx.require_admin_or_supervisor()
    finding = await queries.get(ctx, finding_id)
    await verdict.set_verdicts(ctx, [finding], body)
    return queries.to_read(finding)


@router.post("/findings/verdicts", operation_id="setFindingVerdicts",
             response_model=BulkVerdictResult, summary="批量研判问题",
             responses=problem_responses(403))
async def set_verdicts(body: BulkVerdictBody, ctx: Ctx = Depends(get_ctx)) -> BulkVerdictResult:
    """Set one verdict on many findings: by `ids`, or by `rule` + `locator` on every site in
    the caller's scope (the same link dismissed on all of them at once).

    All or nothing: an id unknown or out of scope, or a rule + locator matching nothing in
    scope, is refused (422) and nothing is written. Results whose score a false positive changes
    are re-scored, as for a single verdict.
    """
    ctx.require_admin_or_supervisor()
    rows = await verdict.chosen(ctx, body)
    rescored = await verdict.set_verdicts(ctx, rows, body)
    return BulkVerdictResult(updated=len(rows), rescored=rescored)


@router.get("/evidence/{evidence_id}", operation_id="getEvidence", summary="证据截图",
            response_class=Response, responses={200: {"content": {"image/png": {}}},
                                                **problem_responses(404)})
async def get_evidence(evidence_id: str, request: Request, ctx: Ctx = Depends(get_ctx)) -> Response:
    """A screenshot with the offending element outlined, if it belongs to a finding in scope."""
    owned = await queries.with_screenshot(ctx, evidence_id)
    store = request.app.state.evidence
    try:
        stored = owned is not None and store.exists(evidence_id)
    except ValueError:  # not a content hash: nothing can be stored under it
        stored = False
    if not stored:
        raise NotFound(f"证据 {evidence_id} 不存在")
    return Response(store.open(evidence_id), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=86400"})
