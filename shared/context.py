"""What every service request carries: session, caller, clock, settings and outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import Clock
from shared.config import ServiceSettings
from shared.db import request_session
from shared.errors import Forbidden
from shared.events import Outbox
from shared.principal import (
    PRINCIPAL_HEADER,
    WRITERS,
    Principal,
    Role,
    current_principal,
)

S = TypeVar("S", bound=ServiceSettings)


@dataclass
class Ctx(Generic[S]):
    """The request's unit of work: session, caller and the service's collaborators."""

    session: AsyncSession
    principal: Principal
    token: str  # the signed principal, forwarded when this service calls another
    clock: Clock
    settings: S
    outbox: Outbox

    @property
    def actor(self) -> str:
        """Who is acting, as recorded in filings, verdicts and audit trails."""
        p = self.principal
        return f"{p.subject}（{p.name}）" if p.name else p.subject

    def require_admin_or_supervisor(self) -> None:
        """Refuse reference-data writes (regions, local profiles, word entries) by anyone else."""
        if not self.principal.has_role(Role.administrator, Role.supervisor):
            raise Forbidden("此操作仅限管理员或监管单位（administrator、supervisor）")

    def require_national_admin(self, what: str) -> None:
        """Refuse a write to national reference data by anyone but a national administrator."""
        if not self.principal.is_national_admin():
            raise Forbidden(f"{what}是全国通用的基础数据，仅限全国范围的管理员（administrator，"
                            f"全部区划）修改；当前调用者：{self.actor}")

    def require_writer(self, *, unit_allowed: bool = False) -> None:
        """Refuse a write by a principal whose roles do not allow it."""
        roles = (*WRITERS, Role.unit) if unit_allowed else WRITERS
        if not self.principal.has_role(*roles):
            names = "、".join(r.value for r in roles)
            raise Forbidden(f"此操作需要以下角色之一：{names}；当前角色："
                            f"{'、'.join(r.value for r in self.principal.roles)}")


async def get_ctx(
    request: Request,
    session: AsyncSession = request_session,
    principal: Principal = Depends(current_principal),
) -> Ctx[Any]:
    """FastAPI dependency: the request's context."""
    state = request.app.state
    return Ctx(session=session, principal=principal,
               token=request.headers.get(PRINCIPAL_HEADER, ""), clock=state.clock,
               settings=state.settings, outbox=state.outbox)
