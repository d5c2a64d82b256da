"""Verdicts on findings, and the re-score of a target's latest result that a false positive changes.

A false positive is silent: it is not scored and not sent to reporting. When a verdict moves a
finding into or out of false positive, the latest result (inspection, not re-check) of its
target is scored again from the findings that result saw, and `target.rescored` carries the
corrected result to reporting, which replaces its copy (a published circular stays as it was).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import col, select

from services.checker.common.context import Ctx
from services.checker.finding import queries
from services.checker.finding.models import Finding, Sighting
from services.checker.finding.schemas import BulkVerdictBody, VerdictBody
from services.checker.finding.service import FALSE_POSITIVE, result_payload
from services.checker.ground.finding import FindingDraft
from services.checker.inspect.scoring import score
from services.checker.run.models import Run, Task, provides_services
from shared.contracts.events import TARGET_RESCORED, TargetRescored
from shared.errors import ValidationFailed


async def set_verdicts(ctx: Ctx, rows: Sequence[Finding], body: VerdictBody) -> int:
    """Record one verdict on these findings and re-score the results it changes; count them."""
    now = ctx.clock.now()
    turned = [f.id for f in rows if (f.verdict == FALSE_POSITIVE) != (body.verdict == FALSE_POSITIVE)]
    for f in rows:
        f.verdict, f.verdict_note = body.verdict, body.note
        f.verdict_by = ctx.actor if body.verdict else None
        f.verdict_at = now if body.verdict else None
    await ctx.session.flush()
    return await rescore(ctx, turned)


async def chosen(ctx: Ctx, body: BulkVerdictBody) -> list[Finding]:
    """The findings a bulk verdict names: its ids (all in scope, or 422), or every finding in
    the caller's scope with its rule and locator (the same problem on many sites)."""
    if (body.ids is None) == (body.rule is None and body.locator is None):
        raise ValidationFailed("请给出 ids，或者 rule 与 locator（二者取一）", errors=[
            {"field": "ids", "value": None, "message": "ids 与 rule + locator 必须二选一"}])
    if body.ids is None:
        for field, value in (("rule", body.rule), ("locator", body.locator)):
            if not value:
                raise ValidationFailed(f"字段 {field} 不能为空", errors=[
                    {"field": field, "value": value, "message": "按 rule + locator 批量研判时必填"}])
        rows = list((await ctx.session.execute(queries.filtered(ctx).where(
            col(Finding.rule) == body.rule, col(Finding.locator) == body.locator))).scalars().all())
        if not rows:
            raise ValidationFailed(f"管辖范围内没有规则 {body.rule}、定位 {body.locator} 的问题",
                                   errors=[{"field": "locator", "value": body.locator,
                                            "message": "没有匹配的问题"}])
        return rows
    ids = list(dict.fromkeys(body.ids))
    rows = list((await ctx.session.execute(queries.filtered(ctx).where(
        col(Finding.id).in_(ids)))).scalars().all())
    missing = sorted(set(ids) - {f.id for f in rows}, key=str)
    if missing:
        raise ValidationFailed(f"字段 ids 中有 {len(missing)} 个问题不存在或不在管辖范围内："
                               f"{', '.join(map(str, missing[:5]))}",
                               errors=[{"field": "ids", "value": str(m), "message": "不存在"}
                                       for m in missing[:100]])
    return rows


def _as_draft(f: Finding) -> FindingDraft:
    return FindingDraft(rule=f.rule, indicator=f.indicator, severity=f.severity,  # type: ignore[arg-type]
                        message=f.message, locator=f.locator or f.fingerprint, url=f.url,
                        parent_url=f.parent_url, points=f.points)


def _judged(task: Task) -> bool:
    """Whether the task's target was inspected at all (未能检查 stays so after a verdict);
    accounts finished before uninspected_reason existed say it by passed null."""
    if task.uninspected_reason is not None:
        return False
    return task.passed is not None or task.target_type != "account"


async def _latest_results(ctx: Ctx, target_ids: set[uuid.UUID]) -> list[tuple[Task, Run]]:
    """Each target's newest finished inspection task (re-checks have no score of their own)."""
    rows = (await ctx.session.execute(select(Task, Run).join(Run, col(Run.id) == col(Task.run_id))
            .where(col(Task.target_id).in_(list(target_ids)), col(Task.status) == "done",
                   col(Run.kind) != "recheck")
            .order_by(col(Task.finished_at).desc(), col(Task.id)))).all()
    latest: dict[uuid.UUID, tuple[Task, Run]] = {}
    for task, run in rows:
        latest.setdefault(task.target_id, (task, run))
    return list(latest.values())


async def rescore(ctx: Ctx, finding_ids: Sequence[uuid.UUID]) -> int:
    """Score again the latest results that saw these findings; publish each; count them."""
    if not finding_ids:
        return 0
    changed = set(finding_ids)
    targets = set((await ctx.session.execute(select(Finding.target_id).where(
        col(Finding.id).in_(list(changed))))).scalars().all())
    count = 0
    for task, run in await _latest_results(ctx, targets):
        seen = (await ctx.session.execute(select(Finding).join(
            Sighting, col(Sighting.finding_id) == col(Finding.id)).where(
            col(Sighting.task_id) == task.id).order_by(col(Finding.rule), col(Finding.id)))).scalars().all()
        if not changed & {f.id for f in seen}:
            continue  # the verdict is on something this target's latest result did not see
        live = [f for f in seen if f.verdict != FALSE_POSITIVE]
        result = score([_as_draft(f) for f in live], run.profile["scoring"],
                       provides_services=provides_services(task.snapshot),
                       target_type=task.target_type, judged=_judged(task))
        task.score, task.passed, task.vetoes = result.score, result.passed, result.vetoes
        task.deductions, task.findings_count = result.deductions, len(live)
        task.revision += 1
        ctx.outbox.publish(ctx.session, TARGET_RESCORED, result_payload(
            run, task, result, [(f.fingerprint, _as_draft(f)) for f in live],
            event=TargetRescored))
        count += 1
    await ctx.session.flush()
    return count
