"""Evidence screenshots: the offending element of the most important findings outlined on its
page, one load per page, a few tabs at once; each picture shared by the findings about it."""

from __future__ import annotations

import asyncio
import logging

from playwright.async_api import BrowserContext

from services.checker.browser.outline import Outline, outline_pages
from services.checker.browser.tabs import RenderFailed, Timing
from services.checker.config import CheckerSettings
from services.checker.evidence import EvidenceStore
from services.checker.ground.finding import FindingDraft

log = logging.getLogger("govinspect.checker.pipeline")

# Findings worth a picture: what a person must see on the page to believe it.
# The page was rendered once already: evidence shots need not wait as long for it to settle.
EVIDENCE_TIMING = Timing(load_wait_ms=8_000, idle_wait_ms=500, settle_ms=100)
SCREENSHOT_RULES = ("veto.security", "deduct.links", "content.typo", "content.personal_info", "deduct.emblem")


async def outline_findings(ctx: BrowserContext, findings: list[FindingDraft], evidence: EvidenceStore,
                           settings: CheckerSettings) -> None:
    """Outline the offending element of the most important findings: one load per page, one tab."""
    order = {"veto": 0, "deduct": 1, "warn": 2}
    chosen = sorted((f for f in findings if f.rule in SCREENSHOT_RULES and (f.parent_url or f.url)
                     and (f.element_rect or f.position)),
                    key=lambda f: order.get(f.severity, 3))[:settings.max_screenshots]
    # Page → element → the findings about it (one picture per element, shared by them).
    pages: dict[str, dict[Outline, list[FindingDraft]]] = {}
    for f in chosen:
        where: Outline = f.element_rect or f.position  # type: ignore[assignment]
        pages.setdefault(f.parent_url or f.url or "", {}).setdefault(where, []).append(f)
    wanted = [(url, [(where, about[0].indicator) for where, about in elements.items()])
              for url, elements in pages.items()]
    # A few tabs at once, each loading its share of the pages one after another.
    tabs = max(1, min(settings.evidence_tabs, len(wanted)))
    shots: dict[str, list[bytes | None] | RenderFailed] = {}
    for part in await asyncio.gather(*(outline_pages(ctx, dict(wanted[i::tabs]), timing=EVIDENCE_TIMING)
                                       for i in range(tabs))):
        shots.update(part)
    for page_url, elements in pages.items():
        taken = shots[page_url]
        if isinstance(taken, RenderFailed):
            log.info("evidence screenshots of %s failed: %s", page_url, taken)
            continue
        for about, png in zip(elements.values(), taken, strict=True):
            if png is None:
                log.info("evidence element not found on %s", page_url)
                continue
            shot = evidence.put(png)
            for f in about:
                f.screenshot = shot
