"""Compliance flags of websites: real-world violations recorded, not refused."""

from __future__ import annotations

from services.registry.common.validators import is_gov_domain
from shared.contracts.registry import ComplianceFlag as F
from shared.contracts.registry import OrgKind, SiteKind


def site_flags(*, domains: list[str], kind: str, org_kind: str, active_sites_of_org: int,
               active: bool) -> list[str]:
    """Flags for one site (rules of 国办函〔2018〕55号 and 国办发〔2017〕47号, RULES.md)."""
    flags: list[F] = []
    if any(not is_gov_domain(d) for d in domains):
        flags.append(F.domain_not_gov_cn)
    if kind == SiteKind.portal and domains and not domains[0].startswith("www."):
        flags.append(F.portal_domain_not_www)
    if org_kind == OrgKind.public_institution and any(d.endswith(".gov.cn") for d in domains):
        flags.append(F.public_institution_gov_domain)
    if active and active_sites_of_org > 1:
        flags.append(F.unit_multiple_sites)
    return [f.value for f in flags]
