"""Rules on text read by OCR from images and scanned PDFs: the content engines, run on the OCR text."""

from __future__ import annotations

from services.checker.rules.base import RuleModule
from services.checker.rules.ocr import expressions_ocr, personal_info_ocr

RULES: list[RuleModule] = [expressions_ocr, personal_info_ocr]
