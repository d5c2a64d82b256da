"""The filed accounts, read from the registry once per run for registry.unfiled_account."""

from __future__ import annotations

import logging

import httpx
from pydantic import ValidationError

from services.checker.support.account_names import normalise_name
from services.checker.support.platform_links import filed_keys
from shared.clients.registry import RegistryClient
from shared.errors import ProblemError

log = logging.getLogger("govinspect.checker.discovery")


async def filed_accounts(registry: RegistryClient) -> tuple[set[str], set[str]] | None:
    """Every filed account's key and every filed name (normalised), asked of the registry as the
    checker itself (across regions); None (check skipped) when the registry does not answer."""
    try:
        accounts = await registry.all_accounts()
    except (httpx.HTTPError, ProblemError, ValidationError) as exc:  # no answer, or not a list
        log.warning("registry accounts unavailable, unfiled-account check skipped: %s", exc)
        return None
    return (filed_keys([(a.platform.value, a.platform_account_id, a.url) for a in accounts]),
            {normalise_name(a.name) for a in accounts})
