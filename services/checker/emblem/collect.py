"""Find the images of a site that may show the national emblem, fetch them and hash them.

Candidates are the images of the home page (the header carries the emblem on government sites)
that are named or described as the emblem (`name_hints` in the file name, alt or title), or sit
in the header: a CSS path through a header/logo/banner element, or a rendered box in the top
band of the page. Images inserted by scripts count: the rendered home page lists them too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from services.checker.ground.site import EmblemImage, Link, Page
from services.checker.net.fetcher import Fetcher
from services.checker.support.phash import NotAnImage, phash

HEADER_WORDS = ("header", "head", "top", "logo", "banner", "guohui", "emblem")


@dataclass(frozen=True)
class CollectSettings:
    name_hints: tuple[str, ...]
    max_images: int
    max_bytes: int
    header_band_px: float


def candidates(home: Page, settings: CollectSettings) -> list[Link]:
    """The home page's images that may show the emblem, named ones first, at most `max_images`."""
    named: list[Link] = []
    placed: list[Link] = []
    seen: set[str] = set()
    for link in home.links:
        if link.tag != "img" or not link.url or link.url in seen:
            continue
        seen.add(link.url)
        name = unquote(urlsplit(link.url).path.rsplit("/", 1)[-1]).lower()
        if any(h.lower() in name or h in link.text for h in settings.name_hints):
            named.append(link)
        elif _in_header(link, settings):
            placed.append(link)
    return (named + placed)[:settings.max_images]


def _in_header(link: Link, settings: CollectSettings) -> bool:
    path = (link.position or "").lower()
    if any(w in path for w in HEADER_WORDS):
        return True
    return link.rect is not None and link.rect[1] + link.rect[3] <= settings.header_band_px


async def collect(home: Page, fetcher: Fetcher, settings: CollectSettings) -> list[EmblemImage]:
    """Fetch and hash each candidate image; one that cannot be fetched or decoded is left out."""
    chosen = candidates(home, settings)

    async def one(link: Link) -> EmblemImage | None:
        got = await fetcher.fetch(link.url, max_bytes=settings.max_bytes)
        if got.failure is not None or got.status != 200 or not got.body:
            return None
        try:
            hashed = await asyncio.to_thread(phash, got.body)
        except NotAnImage:
            return None
        return EmblemImage(url=link.url, parent_url=link.parent_url, phash=hashed, text=link.text,
                           position=link.position, rect=link.rect, injected=link.injected)

    found = await asyncio.gather(*(one(link) for link in chosen))
    return [image for image in found if image is not None]
