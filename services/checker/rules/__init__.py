"""Every inspection rule, listed explicitly (one module per rule)."""

from __future__ import annotations

from services.checker.rules.base import RuleModule
from services.checker.rules.content import RULES as CONTENT_RULES
from services.checker.rules.ocr import RULES as OCR_RULES
from services.checker.rules.site import RULES as SITE_RULES

RULES: list[RuleModule] = [*SITE_RULES, *CONTENT_RULES, *OCR_RULES]
