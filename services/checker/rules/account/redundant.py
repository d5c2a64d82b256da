"""Rule account.redundant (同一单位同一平台多个账号): two or more running accounts of one unit.

Rule: an account the registry flags `unit_multiple_accounts_on_platform` (two or more running
or closing accounts of one sponsor on one platform family — 微信订阅号 and 服务号 count as one)
is reported, naming the unit's other accounts there when the run saw them.
Indicator: 同一单位同一平台多个账号. Source: RULES.md "Registry compliance" (more than one
account per unit per platform); 国办发〔2018〕123号 (one account per unit per platform).

Passing: a unit's only Weibo account.
Failing: a unit running both “历下发布” and “历下区发布” on Weibo.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft, Severity

CODE = "account.redundant"
INDICATOR = "同一单位同一平台多个账号"
FLAG = "unit_multiple_accounts_on_platform"


class Params(BaseModel):
    model_config = ConfigDict(extra="ignore")

    severity: Severity
    points: float = Field(ge=0)


def check(account: AccountSnapshot, params: Params) -> list[FindingDraft]:
    """Report an account of a unit that runs several accounts on its platform."""
    t = account.target
    if FLAG not in t.compliance_flags:
        return []
    others = [s.name for s in t.siblings if s.id != t.id]
    named = f"（另有{'、'.join(f'“{n}”' for n in others)}）" if others else ""
    return [FindingDraft(
        rule=CODE, indicator=INDICATOR, severity=params.severity,
        message=f"{t.organisation_name}在{t.platform_label}开设了多个账号{named}，“{t.name}”为其中之一",
        locator=CODE, url=t.url, offending=t.name,
        suggestion="同一单位在同一平台原则上只开设一个账号，请整合或关停多余账号并报备",
        points=params.points if params.severity == "deduct" else 0.0,
        detail={"siblings": [{"id": str(s.id), "name": s.name, "platform": s.platform,
                              "status": s.status} for s in t.siblings if s.id != t.id]})]
