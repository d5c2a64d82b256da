"""Registration request endpoints (补报备案通知): supervisors make and withdraw them, units read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Header, Query, Response, status

from services.registry.common.context import Ctx, get_ctx
from services.registry.common.http import check_if_match, set_etag
from services.registry.region.schemas import REGION_CODE
from services.registry.registration import service
from services.registry.registration.schemas import (
    RegistrationDismissal,
    RegistrationRequestCreate,
    RegistrationRequestRead,
    RequestStatus,
)
from shared.errors import problem_responses

router = APIRouter(prefix="/registration-requests", tags=["registration"],
                   responses=problem_responses(401, 422))


@router.post("", operation_id="requestRegistration", response_model=RegistrationRequestRead,
             status_code=status.HTTP_201_CREATED, summary="通知单位补报备案",
             responses=problem_responses(403, 409))
async def request_registration(body: RegistrationRequestCreate, response: Response,
                               ctx: Ctx = Depends(get_ctx)) -> RegistrationRequestRead:
    """Ask a unit to file a discovered account or site (瞒报漏报); 409 if already filed."""
    ctx.require_writer()
    req, org_name = await service.create(ctx, body)
    set_etag(response, req.version)
    return service.to_read(req, org_name)


@router.get("", operation_id="listRegistrationRequests",
            response_model=list[RegistrationRequestRead], summary="补报备案通知列表")
async def list_registration_requests(
    status: list[RequestStatus] | None = Query(None, description="状态，可多选"),
    region: str | None = Query(None, pattern=REGION_CODE, description="单位所在区划子树"),
    organisation_id: uuid.UUID | None = Query(None, description="单位"),
    ctx: Ctx = Depends(get_ctx),
) -> list[RegistrationRequestRead]:
    """Requests in the caller's scope, newest first; a unit sees the ones addressed to it."""
    return await service.list_requests(ctx, status=status, region=region,
                                       organisation_id=organisation_id)


@router.get("/{request_id}", operation_id="getRegistrationRequest",
            response_model=RegistrationRequestRead, summary="查看补报备案通知",
            responses=problem_responses(404))
async def get_registration_request(request_id: uuid.UUID, response: Response,
                                   ctx: Ctx = Depends(get_ctx)) -> RegistrationRequestRead:
    """One request; its ETag is the version to send in If-Match when dismissing it."""
    req, org_name = await service.get(ctx, request_id)
    set_etag(response, req.version)
    return service.to_read(req, org_name)


@router.post("/{request_id}/dismissal", operation_id="dismissRegistrationRequest",
             response_model=RegistrationRequestRead, summary="撤销补报备案通知",
             responses=problem_responses(403, 404, 409, 412, 428))
async def dismiss_registration_request(
    request_id: uuid.UUID, body: RegistrationDismissal, response: Response,
    ctx: Ctx = Depends(get_ctx),
    if_match: str | None = Header(None, description="GET 返回的 ETag（必填）"),
) -> RegistrationRequestRead:
    """Withdraw an open request (e.g. the account turned out not to be the unit's)."""
    ctx.require_writer()
    req, org_name = await service.get(ctx, request_id)
    check_if_match(if_match, req.version)
    service.dismiss(ctx, req, org_name, body)
    await ctx.session.flush()
    set_etag(response, req.version)
    return service.to_read(req, org_name)
