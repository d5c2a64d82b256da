"""Cut the part of a picture where OCR read a finding's offending text, as its evidence."""

from __future__ import annotations

import io
import re

from PIL import Image

from services.checker.ground.finding import FindingDraft
from services.checker.ocr.engine import OcrText

PADDING = 12


def locate(ocr: OcrText, finding: FindingDraft) -> tuple[int, int] | None:
    """Where in the OCR text the finding's offending text is (a masked number matches any digits)."""
    shown = finding.offending or ""
    if not shown:
        return None
    pattern = "".join("[0-9Xx]" if c == "*" else re.escape(c) for c in shown)
    m = re.search(pattern, ocr.text)
    return (m.start(), m.end()) if m else None


def crop(picture: bytes, ocr: OcrText, span: tuple[int, int]) -> bytes | None:
    """A PNG of the words covering `span`, with a margin; None when the picture cannot be cut."""
    boxes = ocr.boxes(*span)
    if not boxes:
        return None
    left = min(x for x, _, _, _ in boxes) - PADDING
    top = min(y for _, y, _, _ in boxes) - PADDING
    right = max(x + w for x, _, w, _ in boxes) + PADDING
    bottom = max(y + h for _, y, _, h in boxes) + PADDING
    try:
        with Image.open(io.BytesIO(picture)) as img:
            part = img.convert("RGB").crop((max(0, left), max(0, top), min(img.width, right),
                                            min(img.height, bottom)))
            out = io.BytesIO()
            part.save(out, "PNG")
            return out.getvalue()
    except (OSError, ValueError):
        return None
