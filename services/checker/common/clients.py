"""The checker's own principal, and the registry asked as it (across regions, read only)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from shared.clients.deps import registry_as
from shared.clients.registry import RegistryClient
from shared.principal import Principal, Role, sign_principal

SERVICE_PRINCIPAL = Principal(subject="service:checker", name="检查服务", roles=[Role.viewer],
                              all_regions=True)


def service_token(secret: str) -> str:
    """The checker's own signed principal, for reads made on nobody's behalf."""
    return sign_principal(SERVICE_PRINCIPAL, secret)


async def service_registry(request: Request) -> AsyncIterator[RegistryClient]:
    """The registry, asked as the checker itself (e.g. a region's portal, which the caller may
    not see but an inspection must judge by)."""
    token = service_token(request.app.state.settings.principal_secret)
    async with registry_as(request, token) as client:
        yield client


ServiceRegistryDep = Annotated[RegistryClient, Depends(service_registry, scope="function")]
