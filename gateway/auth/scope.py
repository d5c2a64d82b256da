"""Who may hand out which roles and scope, and the principal a credential stands for."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from gateway.auth.models import CredentialBase
from shared.principal import Principal, Role

# A supervisor equips its own units, integrations and viewers, and fellow supervisors of its
# region; only an administrator makes administrators. Units, integrations and viewers make none.
GRANTS: dict[Role, frozenset[Role]] = {
    Role.administrator: frozenset(Role),
    Role.supervisor: frozenset({Role.supervisor, Role.unit, Role.integration, Role.viewer}),
}
MANAGERS = tuple(GRANTS)


def grantable(caller: Principal) -> frozenset[Role]:
    """Return the roles a caller may put on a credential."""
    out: frozenset[Role] = frozenset()
    for role in caller.roles:
        out |= GRANTS.get(role, frozenset())
    return out


def outside(caller: Principal, roles: Sequence[str], all_regions: bool, regions: Sequence[str],
            organisations: Sequence[str], anchors: Sequence[str]) -> str | None:
    """Say why roles and scope exceed the caller's own, or None when they lie within it.

    `anchors[i]` is the region of `organisations[i]`: an organisation is within a caller's scope
    when the caller names it or sees its region.
    """
    allowed = grantable(caller)
    extra = [r for r in roles if r not in allowed]
    if extra:
        return f"不能授予超出自身权限的角色：{'、'.join(extra)}"
    if all_regions and not caller.all_regions:
        return "不能授予全部区划的范围：当前调用者本身只管辖部分区划"
    for code in regions:
        if not caller.sees_region(code):
            return f"区划 {code} 不在当前调用者的管辖范围内"
    named = {str(o) for o in caller.organisations}
    for org, anchor in zip(organisations, anchors, strict=False):
        if org not in named and not caller.sees_region(anchor or None):
            return f"单位 {org} 不在当前调用者的管辖范围内"
    return None


def manages(caller: Principal, cred: CredentialBase) -> bool:
    """Tell whether a caller may see, rotate and revoke a credential."""
    if not caller.has_role(*MANAGERS):
        return False
    anchors = list(cred.anchor_regions) + [""] * (len(cred.organisations) - len(cred.anchor_regions))
    return outside(caller, cred.roles, cred.all_regions, cred.regions, cred.organisations,
                   anchors) is None


def principal_of(cred: CredentialBase, subject: str, expires_at: int | None = None) -> Principal:
    """Return the principal a credential stands for: exactly its roles and scope."""
    return Principal(subject=subject, name=cred.name, roles=[Role(r) for r in cred.roles],
                     all_regions=cred.all_regions, regions=list(cred.regions),
                     organisations=[uuid.UUID(o) for o in cred.organisations],
                     expires_at=expires_at)
