"""Account rules: updates (僵尸, 空壳), interaction, security and content of posts, registry data.

Each is a pure function of an `AccountSnapshot` (ground/account.py) and its profile block
(profiles/national_2019/accounts.json). typos, personal_info and security run the website
content engines (rules/content/) on posts, with the same codes and profile blocks.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft
from services.checker.rules.account import (
    advertising,
    announced_end,
    closed_active,
    empty,
    filing_mismatch,
    interaction,
    personal_info,
    redundant,
    security,
    stale,
    typos,
    unfiled_mentions,
    unreadable,
    unrelated,
)


class AccountRuleModule(Protocol):
    """Like rules.base.RuleModule, with an account snapshot in place of a site snapshot."""

    CODE: str
    INDICATOR: str

    @property
    def Params(self) -> type[BaseModel]: ...

    def check(self, account: AccountSnapshot, params: Any) -> list[FindingDraft]: ...


RULES: list[AccountRuleModule] = [
    unreadable,
    stale,
    empty,
    interaction,
    security,
    typos,
    personal_info,
    unrelated,
    advertising,
    closed_active,
    redundant,
    filing_mismatch,
    announced_end,
    unfiled_mentions,
]
