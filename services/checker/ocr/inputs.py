"""What the pipeline does for OCR: read the site's pictures when a content rule runs, then crop evidence."""

from __future__ import annotations

import logging
from typing import Any

from services.checker.config import CheckerSettings
from services.checker.evidence import EvidenceStore
from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import Page
from services.checker.net.fetcher import Fetcher
from services.checker.ocr.collect import OcrBudget, OcrResult, read_site
from services.checker.ocr.crop import crop, locate
from services.checker.ocr.engine import available
from services.checker.rules.ocr import RULES as OCR_RULES

log = logging.getLogger("govinspect.checker.ocr")


def wanted(profile: dict[str, Any], rules: list[str] | None) -> bool:
    """Whether the run judges a rule that reads OCR text."""
    for rule in OCR_RULES:
        block = profile["rules"].get(rule.CODE, {})
        if block.get("enabled", True) is not False and (not rules or rule.CODE in rules):
            return True
    return False


async def ocr_inputs(pages: list[Page], fetcher: Fetcher, settings: CheckerSettings,
                     profile: dict[str, Any], rules: list[str] | None) -> list[OcrResult]:
    """The site's pictures read by OCR within the budget (none when no rule needs them)."""
    if not pages or not wanted(profile, rules):
        return []
    if not available():
        log.warning("tesseract is not installed: text inside images is not read")
        return []
    return await read_site(pages, fetcher, OcrBudget(
        max_images=settings.ocr_max_images, max_pdf_pages=settings.ocr_max_pdf_pages,
        min_pixels=settings.ocr_min_pixels, timeout_s=settings.ocr_timeout_s,
        min_confidence=settings.ocr_min_confidence))


def attach_crops(findings: list[FindingDraft], results: list[OcrResult], evidence: EvidenceStore) -> None:
    """Give each finding read from a picture the crop of the picture where its text was read."""
    by_url = {r.page.url: r for r in results}
    for f in findings:
        result = by_url.get(f.url or "") if f.detail.get("ocr") else None
        if result is None:
            continue
        span = locate(result.ocr, f)
        part = crop(result.picture, result.ocr, span) if span else None
        f.screenshot = evidence.put(part) if part else None
        f.detail = {**f.detail, "cropped": part is not None}
