"""Run every rule of a profile over a site (or account) snapshot, with the managed word lists injected.

The rules' parameters, the word lists and `validate_profile` are rules/params.py's.
"""

from __future__ import annotations

from typing import Any

from services.checker.ground.account import AccountSnapshot
from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot
from services.checker.rules import RULES
from services.checker.rules.account import RULES as ACCOUNT_RULES
from services.checker.rules.params import WordLists, params_for


def evaluate(site: SiteSnapshot, profile: dict[str, Any], lists: WordLists,
             only: set[str] | None = None) -> list[FindingDraft]:
    """Every finding of every rule (or of the `only` rule codes) for one site, in rule order."""
    findings: list[FindingDraft] = []
    injected = lists.injected()  # thousands of entries: built once, not once per rule
    for rule in RULES:
        if profile["rules"].get(rule.CODE, {}).get("enabled", True) is False:
            continue
        if only is not None and rule.CODE not in only:
            continue
        findings.extend(rule.check(site, params_for(rule, profile, lists, injected)))
    return findings


def evaluate_account(account: AccountSnapshot, profile: dict[str, Any], lists: WordLists,
                     only: set[str] | None = None) -> list[FindingDraft]:
    """Every finding of every account rule (or of the `only` rule codes), in rule order."""
    findings: list[FindingDraft] = []
    injected = lists.injected()
    for rule in ACCOUNT_RULES:
        if profile["rules"].get(rule.CODE, {}).get("enabled", True) is False:
            continue
        if only is not None and rule.CODE not in only:
            continue
        findings.extend(rule.check(account, params_for(rule, profile, lists, injected)))
    return findings
