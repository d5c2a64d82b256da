"""Outbound clients as FastAPI dependencies, built from the request's context.

A route that calls another service declares `registry: RegistryDep` or `checker: CheckerDep`;
the client acts as the caller (the signed principal the request came with), goes to the URL
the service's settings name, and through the transport the app was built with (tests mount
the other service there). Nothing else builds a URL to another service.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Annotated

import httpx
from fastapi import Depends, Request

from shared.clients.checker import CheckerClient
from shared.clients.registry import RegistryClient
from shared.principal import PRINCIPAL_HEADER


def _transport(request: Request, name: str) -> httpx.AsyncBaseTransport | None:
    transport: httpx.AsyncBaseTransport | None = getattr(request.app.state, name, None)
    return transport


# A registry client acting as a given signed principal (a plan's owner, a service's own);
# routes take one from `RegistryAsDep`, workers from their resources. Open it with `async with`.
RegistryAs = Callable[[str], RegistryClient]


def registry_as(request: Request, token: str) -> RegistryClient:
    """A registry client of this app acting as `token` (a service's own principal, say)."""
    return RegistryClient(request.app.state.settings.registry_url, token,
                          transport=_transport(request, "registry_transport"))


def registry_factory(request: Request) -> RegistryAs:
    """This app's registry clients, each acting as the principal it is given."""
    return partial(registry_as, request)


async def registry_client(request: Request) -> AsyncIterator[RegistryClient]:
    """The registry, asked as the caller."""
    async with registry_as(request, request.headers.get(PRINCIPAL_HEADER, "")) as client:
        yield client


async def checker_client(request: Request) -> AsyncIterator[CheckerClient]:
    """The checker, asked as the caller."""
    async with CheckerClient(request.app.state.settings.checker_url,
                             request.headers.get(PRINCIPAL_HEADER, ""),
                             transport=_transport(request, "checker_transport")) as client:
        yield client


RegistryDep = Annotated[RegistryClient, Depends(registry_client, scope="function")]
CheckerDep = Annotated[CheckerClient, Depends(checker_client, scope="function")]
RegistryAsDep = Annotated[RegistryAs, Depends(registry_factory)]
