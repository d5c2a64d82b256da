"""Evidence screenshots: a page with a red outline and a label around the offending element."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PlaywrightPage

from services.checker.browser.tabs import (
    RenderFailed,
    Timing,
    load,
    release_tab,
    run_visibility,
    take_tab,
)


def _with_tbody(selector: str) -> str:
    # lxml keeps <tr> directly under <table>; a browser always puts a <tbody> between them.
    return re.sub(r"(\btable(?:[.#:][^ >]*)?) > (tr\b)", r"\1 > tbody > \2", selector)


Outline = str | tuple[float, float, float, float]


async def outline_screenshot(ctx: BrowserContext, url: str, target: Outline,
                             *, label: str | None = None, timing: Timing | None = None) -> bytes:
    """Screenshot the viewport with a red outline and label around an element or a page rectangle.

    `target` is a CSS path (a Link's position; in a frame, its <iframe> is outlined) or an
    (x, y, width, height) rectangle in page coordinates. A hidden element is marked where it
    sits (its nearest visible ancestor) and labelled 隐藏链接. Raises LookupError when the
    element is not on the page, RenderFailed when the page cannot be loaded.
    """
    [png] = await outline_screenshots(ctx, url, [(target, label)], timing=timing)
    if png is None:
        raise LookupError(f"页面中找不到该元素：{target}")
    return png


async def outline_screenshots(ctx: BrowserContext, url: str, targets: Sequence[tuple[Outline, str | None]],
                              *, timing: Timing | None = None) -> list[bytes | None]:
    """Load the page once and take one outlined screenshot per (target, label), in order.

    Each picture shows only its own outline; None where the element is not on the page.
    Raises RenderFailed when the page cannot be loaded.
    """
    shots = (await outline_pages(ctx, {url: targets}, timing=timing))[url]
    if isinstance(shots, RenderFailed):
        raise shots
    return shots


async def outline_pages(ctx: BrowserContext, pages: Mapping[str, Sequence[tuple[Outline, str | None]]],
                        *, timing: Timing | None = None) -> dict[str, list[bytes | None] | RenderFailed]:
    """Outlined screenshots of several pages, each loaded once, all in one browser tab.

    One tab for all of them, one a render was done with where there is one (see take_tab). A page
    that cannot be loaded gets its RenderFailed instead of pictures.
    """
    tab = await take_tab(ctx)
    out: dict[str, list[bytes | None] | RenderFailed] = {}
    try:
        for url, targets in pages.items():
            try:
                await load(ctx, url, timing or Timing(), tab)
                out[url] = await _shots(tab, targets)
            except PlaywrightError as exc:
                out[url] = RenderFailed(url, str(exc).splitlines()[0])
            except RenderFailed as exc:
                out[url] = exc
        return out
    finally:
        await release_tab(ctx, tab, reuse=True)


async def _shots(page: PlaywrightPage, targets: Sequence[tuple[Outline, str | None]]) -> list[bytes | None]:
    shots: list[bytes | None] = []
    for target, label in targets:
        if not await _outline(page, target, label):
            shots.append(None)
            continue
        shots.append(await page.screenshot(type="png"))
        # The outline is the frame and the label visibility.js appended last to <html>.
        await page.evaluate("() => { const r = document.documentElement;"
                            " r.lastElementChild.remove(); r.lastElementChild.remove(); }")
    return shots


async def _outline(page: PlaywrightPage, target: Outline, label: str | None) -> bool:
    """Draw the outline around the target; False when the element is not on the page."""
    opts: dict[str, Any] = {"mode": "outline", "label": label}
    if not isinstance(target, str):
        await run_visibility(page.main_frame, {**opts, "rect": list(target)})
        return True
    selector = target.split(" >> ")[0]
    for candidate in dict.fromkeys((selector, _with_tbody(selector))):
        if (await run_visibility(page.main_frame, {**opts, "selector": candidate}))["found"]:
            return True
    return False
