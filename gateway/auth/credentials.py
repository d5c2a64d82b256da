"""API keys and OAuth2 clients are one mechanism: a credential kind mounted as five routes
(create, list, get, rotate, revoke). What differs is declared in a `CredentialKind`: the table,
the path and how an id is read, the wording, and how a row is shown.

No `from __future__ import annotations` here: the routes' parameter types come from the kind,
and FastAPI reads them from the live annotations.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Response, status
from pydantic import BaseModel

from gateway.auth import service
from gateway.auth.deps import GatewayCtx, get_ctx
from gateway.auth.models import CredentialBase
from gateway.auth.schemas import CredentialCreate
from gateway.auth.scope import MANAGERS
from shared.db import MAX_OFFSET
from shared.errors import Forbidden, problem_responses

C = TypeVar("C", bound=CredentialBase)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class Docs:
    """What the OpenAPI document says of one route: its id, summary and description."""

    operation_id: str
    summary: str
    description: str


@dataclass(frozen=True)
class CredentialKind(Generic[C]):
    """One kind of credential and how its routes read, show and describe it."""

    model: type[C]
    path: str  # "/keys"
    tag: str
    id_param: str  # the path parameter's name, e.g. "key_id"
    id_type: type[Any]  # what the path parameter is parsed as (uuid.UUID, str)
    load: Callable[[GatewayCtx, Any], Awaitable[C]]  # one row in the caller's scope, or 404
    read: Callable[[C, datetime], BaseModel]
    created: Callable[[C, datetime, str], BaseModel]  # the row with its secret, shown once
    read_model: type[BaseModel]
    created_model: type[BaseModel]
    page_model: type[BaseModel]
    revoked_filter: str  # the include_revoked description
    docs: dict[str, Docs]  # by route: create, list, get, rotate, revoke


def require_manager(ctx: GatewayCtx) -> None:
    """Refuse credential management by anyone but an administrator or supervisor."""
    if not ctx.principal.has_role(*MANAGERS):
        raise Forbidden("管理 API 密钥和客户端需要 administrator 或 supervisor 角色")


def mount(router: APIRouter, kind: CredentialKind[Any]) -> None:
    """Add the five routes of a credential kind to the router."""
    item = f"{kind.path}/{{{kind.id_param}}}"
    CredId = Annotated[kind.id_type, Path(alias=kind.id_param)]  # type: ignore[name-defined]

    def route(method: str, path: str, name: str, **extra: Any) -> Callable[..., Any]:
        doc = kind.docs[name]
        return router.api_route(path, methods=[method], tags=[kind.tag],
                                operation_id=doc.operation_id, summary=doc.summary,
                                description=doc.description, **extra)

    @route("POST", kind.path, "create", response_model=kind.created_model,
           status_code=status.HTTP_201_CREATED, responses=problem_responses(403, 503))
    async def create(body: CredentialCreate, response: Response,
                     ctx: GatewayCtx = Depends(get_ctx)) -> BaseModel:
        require_manager(ctx)
        anchors = await service.organisation_regions(ctx, body.organisations)
        now = ctx.clock.now()
        row, secret = await service.create(ctx.session, kind.model, ctx.principal, body, anchors,
                                           now, ctx.actor)
        response.headers.update(NO_STORE)
        return kind.created(row, now, secret)

    @route("GET", kind.path, "list", response_model=kind.page_model,
           responses=problem_responses(403))
    async def list_(ctx: GatewayCtx = Depends(get_ctx),
                    include_revoked: bool = Query(False, description=kind.revoked_filter),
                    limit: int = Query(50, ge=1, le=500),
                    offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> BaseModel:
        require_manager(ctx)
        rows, total = await service.list_managed(ctx.session, kind.model, ctx.principal,
                                                 include_revoked=include_revoked, limit=limit,
                                                 offset=offset)
        now = ctx.clock.now()
        return kind.page_model(items=[kind.read(r, now) for r in rows], total=total, limit=limit,
                               offset=offset)

    @route("GET", item, "get", response_model=kind.read_model,
           responses=problem_responses(403, 404))
    async def get(cred_id: CredId, ctx: GatewayCtx = Depends(get_ctx)) -> BaseModel:
        require_manager(ctx)
        return kind.read(await kind.load(ctx, cred_id), ctx.clock.now())

    @route("POST", f"{item}/rotate", "rotate", response_model=kind.created_model,
           responses=problem_responses(403, 404, 409))
    async def rotate(cred_id: CredId, response: Response,
                     ctx: GatewayCtx = Depends(get_ctx)) -> BaseModel:
        require_manager(ctx)
        row = await kind.load(ctx, cred_id)
        now = ctx.clock.now()
        secret = service.rotate(row, now)
        # Committed before the cached credential is forgotten, so no request in between can
        # cache the old secret again from the database.
        await ctx.session.commit()
        ctx.credentials.forget(service.subject_of(row))
        response.headers.update(NO_STORE)
        return kind.created(row, now, secret)

    @route("DELETE", item, "revoke", status_code=status.HTTP_204_NO_CONTENT,
           responses=problem_responses(403, 404))
    async def revoke(cred_id: CredId, ctx: GatewayCtx = Depends(get_ctx)) -> Response:
        require_manager(ctx)
        row = await kind.load(ctx, cred_id)
        await service.revoke(ctx.session, row, ctx.clock.now())
        # As for rotate: committed before the cached credential is forgotten.
        await ctx.session.commit()
        ctx.credentials.forget(service.subject_of(row))
        return Response(status_code=status.HTTP_204_NO_CONTENT)

