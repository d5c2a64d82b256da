"""Rule veto.security (严重表述错误) on text inside images and scanned PDFs.

Rule: the text Tesseract reads from a site's content images and scanned PDF pages goes through
rules/content/expressions.py unchanged (the same protected names, titles and formulations from
the managed list); a finding names the picture and carries the crop as evidence.
Indicator: 严重表述错误. Source: RULES.md veto.security (serious expression errors) and
"Personal information in images" (OCR text beside page text); issue #15 item 4.

Passing: a poster reading "深入学习贯彻习近平新时代中国特色社会主义思想".
Failing: a poster reading "习近平新时代特色社会主义思想" (中国 left out).
"""

from __future__ import annotations

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot
from services.checker.rules.content import expressions
from services.checker.rules.ocr.common import on_ocr_text

CODE = expressions.CODE
INDICATOR = expressions.INDICATOR
Params = expressions.Params


def check(site: SiteSnapshot, params: expressions.Params) -> list[FindingDraft]:
    """Report serious expression errors read from pictures."""
    return on_ocr_text(site, params, expressions.check)
