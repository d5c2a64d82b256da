"""The rules' parameters: each rule's profile block, with the managed word lists injected.

Every rule module declares `Params` (its thresholds, without defaults); a profile's block for
the rule, plus the shipped and the deployment's word lists, validates into it here.
`validate_profile` refuses a profile any rule cannot read before it is stored or used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from services.checker.rules import RULES
from services.checker.rules.account import RULES as ACCOUNT_RULES
from services.checker.rules.account import AccountRuleModule
from services.checker.rules.base import RuleModule
from services.checker.rules.content.wordlists import (
    ExpressionEntry,
    TypoEntry,
    builtin_expressions,
    builtin_typos,
)
from shared.contracts.registry import CrawlPoliteness
from shared.errors import ValidationFailed, describe_errors


@dataclass
class WordLists:
    """The shipped lists plus the deployment's own entries (later entries win)."""

    typos: list[TypoEntry] = field(default_factory=list)
    expressions: list[ExpressionEntry] = field(default_factory=list)

    def injected(self) -> dict[str, Any]:
        """The params every rule receives on top of its profile block."""
        return {"entries": [*builtin_typos(), *self.typos],
                "expression_entries": [*builtin_expressions(), *self.expressions]}


def params_for(rule: RuleModule | AccountRuleModule, profile: dict[str, Any], lists: WordLists,
               injected: dict[str, Any] | None = None) -> BaseModel:
    """Validate a rule's profile block (and the injected lists, `lists.injected()` unless given)."""
    block = profile["rules"].get(rule.CODE, {})
    return rule.Params.model_validate({**block, **(lists.injected() if injected is None else injected)})


def validate_profile(profile: dict[str, Any]) -> None:
    """Refuse a profile any rule cannot read, naming the rule and the field (422)."""
    errors: list[dict[str, Any]] = []
    every: list[RuleModule | AccountRuleModule] = [*RULES, *ACCOUNT_RULES]
    for rule in every:
        try:
            params_for(rule, profile, WordLists())
        except ValidationError as exc:
            for item in describe_errors(list(exc.errors())):
                errors.append({**item, "field": f"rules.{rule.CODE}.{item['field']}"})
    try:  # the crawl politeness a profile may set (net/politeness.py)
        CrawlPoliteness.model_validate(profile.get("politeness") or {})
    except ValidationError as exc:
        errors += [{**item, "field": f"politeness.{item['field']}"}
                   for item in describe_errors(list(exc.errors()))]
    if errors:
        names = "；".join(f"{e['field']}：{e['message']}" for e in errors[:5])
        raise ValidationFailed(f"规则配置无效：{names}", errors=errors)
