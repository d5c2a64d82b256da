"""The filed accounts, read from the registry once per run for registry.unfiled_account."""

from __future__ import annotations

import logging

import httpx
from pydantic import ValidationError

from services.checker.config import CheckerSettings
from services.checker.support.account_names import normalise_name
from services.checker.support.platform_links import filed_keys
from shared.clients.registry import RegistryClient
from shared.errors import ProblemError
from shared.principal import Principal, Role, sign_principal

log = logging.getLogger("govinspect.checker.discovery")


async def filed_accounts(settings: CheckerSettings, transport: httpx.AsyncBaseTransport | None
                         ) -> tuple[set[str], set[str]] | None:
    """Every filed account's key and every filed name (normalised); None (check skipped) when
    the registry does not answer."""
    token = sign_principal(Principal(subject="service:checker", name="检查服务", roles=[Role.viewer],
                                     all_regions=True), settings.principal_secret)
    try:
        async with RegistryClient(settings.registry_url, token, transport=transport) as registry:
            accounts = await registry.all_accounts()
    except (httpx.HTTPError, ProblemError, ValidationError) as exc:  # no answer, or not a list
        log.warning("registry accounts unavailable, unfiled-account check skipped: %s", exc)
        return None
    return (filed_keys([(a.platform.value, a.platform_account_id, a.url) for a in accounts]),
            {normalise_name(a.name) for a in accounts})
