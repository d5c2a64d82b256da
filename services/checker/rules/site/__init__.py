"""Site rules: updates, columns, links, dark links, identity, domains, search, IPv6, HTTPS."""

from __future__ import annotations

from services.checker.rules.base import RuleModule
from services.checker.rules.site import (
    annual_report,
    columns_stale,
    dark_links,
    domain,
    emblem,
    error_entrance,
    external_links,
    foreign_scripts,
    future_dates,
    homepage_stale,
    https,
    identity,
    interaction,
    ipv6,
    links,
    policy_column_stale,
    registry_compliance,
    reply_stale,
    search,
    service_guides,
    unfiled_accounts,
    unreachable,
)

# Three modules share veto.security (dark links, injected scripts, faked dates): each reads its
# own fields from the profile's "veto.security" params and sets detail["kind"].
RULES: list[RuleModule] = [
    homepage_stale,
    columns_stale,
    policy_column_stale,
    interaction,
    reply_stale,
    service_guides,
    dark_links,
    foreign_scripts,
    future_dates,
    unreachable,
    links,
    identity,
    error_entrance,
    domain,
    search,
    ipv6,
    https,
    external_links,
    registry_compliance,
    annual_report,
    emblem,
    unfiled_accounts,
]
