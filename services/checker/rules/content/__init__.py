"""Content rules: typos, serious expression errors, personal information."""

from __future__ import annotations

from services.checker.rules.base import RuleModule
from services.checker.rules.content import expressions, personal_info, typos

# expressions shares veto.security with the site rules (dark links, scripts, dates): its params
# carry an expression_ prefix and its findings detail["kind"] = "expression".
RULES: list[RuleModule] = [typos, expressions, personal_info]
