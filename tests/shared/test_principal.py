"""The signed principal header: what a service trusts, and the scope it carries."""

from __future__ import annotations

import time
import uuid

import pytest

from shared.errors import Unauthorized
from shared.principal import Principal, Role, region_prefix, sign_principal, verify_principal


def test_signed_principal_round_trips_and_tampering_is_refused() -> None:
    p = Principal(subject="k1", roles=[Role.supervisor], regions=["370100"])
    token = sign_principal(p, "secret")
    assert verify_principal(token, "secret", time.time()) == p
    with pytest.raises(Unauthorized):
        verify_principal(token, "other-secret", time.time())
    mac = token.split(".")[1]
    forged = sign_principal(Principal(subject="k1", roles=[Role.administrator],
                                      all_regions=True), "attacker")
    with pytest.raises(Unauthorized):
        verify_principal(forged.split(".")[0] + "." + mac, "secret", time.time())
    with pytest.raises(Unauthorized):
        verify_principal("garbage", "secret", time.time())


def test_expired_principal_is_refused() -> None:
    token = sign_principal(Principal(subject="k", roles=[Role.viewer], expires_at=100), "s")
    with pytest.raises(Unauthorized) as err:
        verify_principal(token, "s", 101)
    assert "过期" in err.value.detail


def test_a_token_verified_once_still_expires_and_binds_its_secret() -> None:
    # Verified tokens are remembered (issue 13: one HMAC per credential, not per request);
    # what a remembered token may do must not change.
    token = sign_principal(Principal(subject="k", roles=[Role.viewer], expires_at=1_000), "s")
    assert verify_principal(token, "s", 999).subject == "k"
    assert verify_principal(token, "s", 1_000).subject == "k"  # remembered now
    with pytest.raises(Unauthorized, match="过期"):
        verify_principal(token, "s", 1_001)
    with pytest.raises(Unauthorized, match="签名"):
        verify_principal(token, "another-secret", 999)


def test_region_subtrees_follow_gb2260_structure() -> None:
    assert [region_prefix(c) for c in ("370000", "370100", "370102")] == ["37", "3701", "370102"]
    city = Principal(subject="c", roles=[Role.supervisor], regions=["370100"])
    assert city.sees_region("370102") and city.sees_region("370100")
    assert not city.sees_region("370200") and not city.sees_region("320100")
    # 100000 is the nation (State Council departments sit there): its subtree is every region.
    nation = Principal(subject="n", roles=[Role.supervisor], regions=["100000"])
    assert region_prefix("100000") == "" and nation.sees_region("650102") and nation.sees_region("100000")
    org = uuid.uuid4()
    unit = Principal(subject="u", roles=[Role.unit], organisations=[org])
    assert unit.sees("370102", [org]) and not unit.sees("370102", [uuid.uuid4()])
