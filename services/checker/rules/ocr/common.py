"""Run a content engine on the OCR pseudo-pages and say that the text was read from a picture."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from services.checker.ground.finding import FindingDraft
from services.checker.ground.site import SiteSnapshot


def on_ocr_text(site: SiteSnapshot, params: Any,
                engine: Callable[[SiteSnapshot, Any], list[FindingDraft]]) -> list[FindingDraft]:
    """The engine's findings on the text OCR read, each marked as found in a picture."""
    if not site.ocr_pages:
        return []
    findings = engine(replace(site, pages=list(site.ocr_pages)), params)
    for f in findings:
        where = "扫描文档" if "#page=" in (f.url or "") else "图片"
        f.message = f.message.replace("附件中", f"{where}中（文字识别）", 1)
        f.locator = f"ocr|{f.locator}"
        f.detail = {**f.detail, "ocr": True, "attachment": False, "picture": f.url}
    return findings
