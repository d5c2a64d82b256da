"""Choose the images and scanned PDF pages of a site worth reading, within a per-site budget, and OCR them.

Images: every <img> of the crawled pages except the site's template (images on the home page
or on more than one page: banners, badges, logos), at least `min_pixels` large — a notice
posted as a picture is a large image inside one article. Scanned PDFs: attachments whose text
layer is empty; the pictures embedded in their first pages are read (a scanner writes one
picture per page). Each result becomes a pseudo-page (the text the content rules read) with the
picture and the words' boxes kept for the evidence crop.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass

from services.checker.ground.site import Page
from services.checker.net.fetcher import Fetcher
from services.checker.ocr.engine import OcrText, read_image
from services.checker.support.phash import NotAnImage, image_size

log = logging.getLogger("govinspect.checker.ocr")
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class OcrBudget:
    max_images: int
    max_pdf_pages: int
    min_pixels: int
    timeout_s: float
    min_confidence: float


@dataclass
class OcrResult:
    """One picture read: the pseudo-page the rules see, the picture, and where each word was."""

    page: Page
    picture: bytes
    ocr: OcrText


def image_candidates(pages: list[Page]) -> list[tuple[str, str]]:
    """(image URL, page URL) of the content images, template images left out, in crawl order."""
    shown_on: dict[str, set[str]] = {}
    first: dict[str, str] = {}
    for page in pages:
        if page.is_attachment or page.status != 200:
            continue
        for link in page.links:
            if link.tag == "img" and link.url:
                shown_on.setdefault(link.url, set()).add(page.url)
                first.setdefault(link.url, page.url)
    home = pages[0].url if pages else ""
    return [(url, first[url]) for url, where in shown_on.items() if len(where) == 1 and home not in where]


def scanned_pdfs(pages: list[Page]) -> list[Page]:
    """PDF attachments without a text layer."""
    return [p for p in pages if p.is_attachment and p.status == 200 and not p.text.strip()
            and ("pdf" in p.content_type or p.url.lower().endswith(".pdf"))]


async def read_site(pages: list[Page], fetcher: Fetcher, budget: OcrBudget) -> list[OcrResult]:
    """OCR the site's content images and scanned PDF pages, within the budget."""
    results: list[OcrResult] = []
    images = 0
    for url, parent in image_candidates(pages):
        if images >= budget.max_images:
            break
        got = await fetcher.fetch(url, max_bytes=MAX_IMAGE_BYTES)
        if got.failure is not None or got.status != 200 or not _large(got.body, budget):
            continue
        images += 1
        result = await _read(got.body, url, parent, budget)
        if result is not None:
            results.append(result)
    left = budget.max_pdf_pages
    for pdf in scanned_pdfs(pages):
        if left <= 0:
            break
        got = await fetcher.fetch(pdf.url, max_bytes=MAX_PDF_BYTES)
        if got.failure is not None or got.status != 200:
            continue
        pictures = await asyncio.to_thread(_pdf_pictures, got.body, left)
        left -= len(pictures)
        for n, picture in pictures:
            result = await _read(picture, f"{pdf.url}#page={n}", pdf.parent_url or pdf.url, budget)
            if result is not None:
                results.append(result)
    return results


def _large(data: bytes, budget: OcrBudget) -> bool:
    try:
        width, height = image_size(data)
    except NotAnImage:
        return False
    return width * height >= budget.min_pixels


async def _read(picture: bytes, url: str, parent: str, budget: OcrBudget) -> OcrResult | None:
    ocr = await read_image(picture, timeout_s=budget.timeout_s, min_confidence=budget.min_confidence)
    if ocr is None or not ocr.text.strip():
        return None
    page = Page(url=url, final_url=url, status=200, depth=1, parent_url=parent, content_type="image/ocr",
                text=ocr.text, is_attachment=True)
    return OcrResult(page, picture, ocr)


def _pdf_pictures(data: bytes, limit: int) -> list[tuple[int, bytes]]:
    """(page number, picture) of the first pages' largest embedded picture, at most `limit` pages."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    out: list[tuple[int, bytes]] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        for n, page in enumerate(reader.pages[:limit], start=1):
            pictures = [image.data for image in page.images]
            if pictures:
                out.append((n, max(pictures, key=len)))
    except (PyPdfError, ValueError, KeyError, OSError) as exc:
        log.info("scanned PDF not read: %s", exc)
    return out
