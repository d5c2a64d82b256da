"""The audit log endpoint, for administrators."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.audit.schemas import AuditPage, AuditRead
from gateway.audit.service import AuditFilter, search
from gateway.auth.deps import require_roles
from shared.db import MAX_OFFSET, request_session
from shared.errors import problem_responses
from shared.principal import Principal, Role

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _aware(at: datetime | None) -> datetime | None:
    # A time without an offset is read as the users read clocks: Asia/Shanghai.
    return at.replace(tzinfo=SHANGHAI) if at is not None and at.tzinfo is None else at


router = APIRouter(prefix="/api/v1/audit", tags=["audit"],
                   responses=problem_responses(401, 403, 422, 429))


@router.get("", operation_id="listAuditEntries", response_model=AuditPage, summary="查询审计日志")
async def list_audit_entries(
    _: Principal = Depends(require_roles(Role.administrator)),
    session: AsyncSession = request_session,
    subject: str | None = Query(None, max_length=200, description="调用者（如 apikey:…、client:gic_…）"),
    method: str | None = Query(None, pattern="^(POST|PUT|PATCH|DELETE)$", description="请求方法"),
    path: str | None = Query(None, max_length=2048, description="路径前缀，如 /api/v1/websites"),
    status: int | None = Query(None, ge=100, le=599, description="响应状态码"),
    request_id: str | None = Query(None, max_length=128, description="请求 id（X-Request-ID）"),
    since: datetime | None = Query(None, description="起始时间（含），ISO 8601"),
    until: datetime | None = Query(None, description="截止时间（不含），ISO 8601"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> AuditPage:
    """List every write made through the gateway (newest first): who, what, when, from where
    and with which request id. Only administrators may read the audit log."""
    where = AuditFilter(subject=subject, method=method, path_prefix=path, status=status,
                        request_id=request_id, since=_aware(since), until=_aware(until))
    rows, total = await search(session, where, limit, offset)
    return AuditPage(items=[AuditRead.model_validate(r) for r in rows], total=total,
                     limit=limit, offset=offset)
