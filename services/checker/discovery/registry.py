"""The filed accounts, read from the registry once per run for registry.unfiled_account."""

from __future__ import annotations

import logging

import httpx
from pydantic import ValidationError

from services.checker.common.clients import service_token
from services.checker.config import CheckerSettings
from services.checker.support.platform_links import filed_keys
from shared.clients.registry import RegistryClient
from shared.errors import ProblemError

log = logging.getLogger("govinspect.checker.discovery")


async def filed_accounts(settings: CheckerSettings,
                         transport: httpx.AsyncBaseTransport | None) -> set[str] | None:
    """Every filed account's key; None (check skipped) when the registry does not answer."""
    token = service_token(settings.principal_secret)
    try:
        async with RegistryClient(settings.registry_url, token, transport=transport) as registry:
            accounts = await registry.all_accounts()
    except (httpx.HTTPError, ProblemError, ValidationError) as exc:  # no answer, or not a list
        log.warning("registry accounts unavailable, unfiled-account check skipped: %s", exc)
        return None
    return filed_keys([(a.platform.value, a.platform_account_id, a.url) for a in accounts])
