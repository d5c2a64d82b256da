"""Notice endpoints: the log of deadline notices, and the addresses e-mails go to."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, status

from services.reporting.common.context import Ctx, get_ctx
from services.reporting.notice import service
from services.reporting.notice.models import Notice
from services.reporting.notice.schemas import (
    CHANNEL_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    Channel,
    ContactCreate,
    ContactRead,
    Kind,
    NoticePage,
    NoticeRead,
)
from shared.clients.deps import RegistryDep
from shared.db import MAX_OFFSET
from shared.errors import problem_responses

router = APIRouter(tags=["notices"], responses=problem_responses(401, 422))


def _read(n: Notice) -> NoticeRead:
    return NoticeRead.model_validate({
        **n.model_dump(), "kind_label": KIND_LABELS[n.kind], "channel_label": CHANNEL_LABELS[n.channel],
        "status_label": STATUS_LABELS.get(n.status, n.status)})


@router.get("/notices", operation_id="listNotices", response_model=NoticePage,
            summary="查询整改期限通知记录")
async def list_notices(
    ctx: Ctx = Depends(get_ctx),
    kind: Kind | None = Query(None, description="due_soon 即将到期 / overdue 已逾期"),
    channel: Channel | None = Query(None, description="callback 回调 / email 电子邮件"),
    region: str | None = Query(None, pattern=r"^\d{6}$", description="区划代码，含下级区划"),
    organisation_id: uuid.UUID | None = Query(None, description="某被通报单位的通知"),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> NoticePage:
    """Every deadline notice sent or attempted in the caller's scope, newest first.

    A callback row per rectification item (the `rectification.due_soon` / `overdue` event), and
    where a mail relay is configured an e-mail row per unit and deadline listing its items, with
    its recipients and outcome (`sent`, `failed` with the relay's error, `no_recipients`).
    A unit sees only its own notices.
    """
    rows, total = await service.list_notices(ctx, kind=kind, channel=channel, region=region,
                                             organisation_id=organisation_id, limit=limit,
                                             offset=offset)
    return NoticePage(items=[_read(n) for n in rows], total=total, limit=limit, offset=offset)


@router.post("/notice-contacts", operation_id="createNoticeContact", response_model=ContactRead,
             status_code=status.HTTP_201_CREATED, summary="登记通知邮箱",
             responses=problem_responses(403))
async def create_contact(body: ContactCreate, registry: RegistryDep,
                         ctx: Ctx = Depends(get_ctx)) -> ContactRead:
    """Register where a unit's (or a supervising office's) deadline e-mails go.

    A unit's address receives the e-mails about its own items; a supervisor's address, those
    about the items of the circulars issued for its region. A unit's organisation must be one
    the registry shows the caller, filed under `region_code` (422 naming the field otherwise).
    """
    contact = await service.add_contact(ctx, body.role, body.region_code, body.organisation_id,
                                        body.name, body.email, registry)
    return ContactRead.model_validate(contact.model_dump())


@router.get("/notice-contacts", operation_id="listNoticeContacts", response_model=list[ContactRead],
            summary="通知邮箱列表")
async def list_contacts(ctx: Ctx = Depends(get_ctx)) -> list[ContactRead]:
    """The registered addresses in the caller's regions."""
    return [ContactRead.model_validate(c.model_dump()) for c in await service.list_contacts(ctx)]
