"""GET /alerts: what the self-watch finds stuck now (stalled runs, overdue plans)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from services.checker.common.context import Ctx, get_ctx
from services.checker.watch import service
from services.checker.watch.schemas import AlertRead
from shared.calendar import SHANGHAI
from shared.errors import Forbidden, problem_responses
from shared.principal import Role

router = APIRouter(prefix="/alerts", tags=["alerts"], responses=problem_responses(401, 403))


@router.get("", operation_id="listSystemAlerts", response_model=list[AlertRead],
            summary="系统告警（检查停滞、计划逾期）")
async def list_alerts(ctx: Ctx = Depends(get_ctx)) -> list[AlertRead]:
    """Runs with unfinished tasks and no progress for `CHECKER_STALL_AFTER_S`, and enabled plans
    not started `CHECKER_PLAN_GRACE_S` after their due time. Computed now, never stored; for
    national administrators and supervisors (the state of the whole system)."""
    p = ctx.principal
    if not (p.all_regions and p.has_role(Role.administrator, Role.supervisor)):
        raise Forbidden("系统告警仅限全国范围的管理员或监管单位（administrator、supervisor）查看")
    now = ctx.clock.now()
    return [AlertRead(kind=a.kind, subject_type=a.subject_type, subject_id=a.subject_id,
                      name=a.name, since=a.since.astimezone(SHANGHAI),
                      minutes=int((now - a.since).total_seconds() // 60), message=a.message)
            for a in await service.open_alerts(ctx.session, now, ctx.settings)]
