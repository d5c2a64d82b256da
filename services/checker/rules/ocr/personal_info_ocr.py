"""Rule content.personal_info on text inside images and scanned PDFs (个人信息泄露, 图片文字).

Rule: the text Tesseract reads from a site's content images and scanned PDF pages (within the
per-site OCR budget, ocr/collect.py) goes through rules/content/personal_info.py unchanged: the
same GB 11643 check digit, mobile prefixes, Luhn check and masking; a finding names the picture
and carries the crop of it where the number was read as evidence (the pipeline cuts it).
Indicator: 个人信息泄露. Source: RULES.md "Personal information in images" (vendors' review
screens show words found by OCR in images beside those in text; masking as for text); issue #15
item 4.

Passing: a notice picture showing "联系电话：139****5678".
Failing: a picture of a 公示 table showing "身份证号：11010519491231002X".
"""

from __future__ import annotations

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot
from services.checker.rules.content import personal_info
from services.checker.rules.ocr.common import on_ocr_text

CODE = personal_info.CODE
INDICATOR = personal_info.INDICATOR
Params = personal_info.Params


def check(site: SiteSnapshot, params: personal_info.Params) -> list[FindingDraft]:
    """Report full ID, mobile and bank card numbers read from pictures, masked as in text."""
    return on_ocr_text(site, params, personal_info.check)
