"""Compliance flags worked out before the flush, so a bulk write inserts rows already flagged.

The services' `refresh_flags` still runs once afterwards for every touched organisation and
stays the authority; it updates one row per statement, so a file of 10,000 new sites would
otherwise cost 10,000 UPDATEs. Given the flags here, it only has the untouched neighbours
(a unit's other sites or accounts) left to update.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection

from sqlalchemy import select
from sqlmodel import col

from services.registry.account.models import Account
from services.registry.bulk.loading import among, chunks
from services.registry.common.context import Ctx
from services.registry.common.lifecycle import ACTIVE
from services.registry.organisation.models import Organisation
from services.registry.website.compliance import site_flags
from services.registry.website.models import Website
from shared.contracts.registry import ComplianceFlag, Platform, platform_family

ACTIVE_VALUES = {s.value for s in ACTIVE}


async def presume_site_flags(ctx: Ctx, sites: Collection[Website],
                             orgs: dict[uuid.UUID, Organisation]) -> None:
    """Set the flags of sites being written from their units' sites as they will stand."""
    mine = {s.id for s in sites}
    active: Counter[uuid.UUID] = Counter(
        s.organisation_id for s in sites if s.status in ACTIVE_VALUES)
    for part in chunks({s.organisation_id for s in sites}):
        stored = await ctx.session.execute(
            select(col(Website.id), col(Website.organisation_id)).where(
                among(col(Website.organisation_id), part), col(Website.status).in_(ACTIVE_VALUES)))
        active.update(org_id for site_id, org_id in stored if site_id not in mine)
    for s in sites:
        s.compliance_flags = site_flags(
            domains=s.domains, kind=s.kind, org_kind=orgs[s.organisation_id].kind,
            active_sites_of_org=active[s.organisation_id], active=s.status in ACTIVE_VALUES)


async def presume_account_flags(ctx: Ctx, accounts: Collection[Account]) -> None:
    """Set the flags of accounts being written (one account per unit per platform family)."""
    def key(sponsor_id: uuid.UUID, platform: str) -> tuple[uuid.UUID, str]:
        return sponsor_id, platform_family(Platform(platform))

    mine = {a.id for a in accounts}
    active: Counter[tuple[uuid.UUID, str]] = Counter(
        key(a.sponsor_id, a.platform) for a in accounts if a.status in ACTIVE_VALUES)
    for part in chunks({a.sponsor_id for a in accounts}):
        stored = await ctx.session.execute(
            select(col(Account.id), col(Account.sponsor_id), col(Account.platform)).where(
                among(col(Account.sponsor_id), part), col(Account.status).in_(ACTIVE_VALUES)))
        active.update(key(s, p) for acc_id, s, p in stored if acc_id not in mine)
    flagged = [ComplianceFlag.unit_multiple_accounts_on_platform.value]
    for a in accounts:
        many = a.status in ACTIVE_VALUES and active[key(a.sponsor_id, a.platform)] > 1
        a.compliance_flags = flagged if many else []
