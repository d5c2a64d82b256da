"""What the pipeline gives deduct.emblem: the loaded references and the site's hashed emblem images."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import select

from services.checker.emblem.collect import CollectSettings, collect
from services.checker.emblem.models import EmblemReference as ReferenceRow
from services.checker.ground.site import EmblemImage, EmblemReference, Page
from services.checker.net.fetcher import Fetcher
from services.checker.rules.site import emblem

# An emblem image is a small picture: a larger download is no emblem (or not worth hashing).
MAX_IMAGE_BYTES = 2 * 1024 * 1024
# The header band of a rendered page, in CSS pixels from the top (our choice: headers of
# government sites run 100–200 px high).
HEADER_BAND_PX = 220.0


def judged(profile: dict[str, Any], rules: list[str] | None) -> bool:
    """Whether the run judges deduct.emblem at all."""
    block = profile["rules"].get(emblem.CODE)
    return block is not None and block.get("enabled", True) is not False and (
        not rules or emblem.CODE in rules)


async def emblem_inputs(sessionmaker: async_sessionmaker[AsyncSession], fetcher: Fetcher, home: Page | None,
                        profile: dict[str, Any], rules: list[str] | None,
                        ) -> tuple[list[EmblemImage], list[EmblemReference]]:
    """The references loaded, and the home page's candidate images hashed (none without references)."""
    if not judged(profile, rules):
        return [], []
    async with sessionmaker() as s:
        rows = (await s.execute(select(ReferenceRow))).scalars().all()
    references = [EmblemReference(name=r.name, status=r.status, phash=r.phash) for r in rows]
    if not references or home is None:
        return [], references
    params = emblem.Params.model_validate(profile["rules"][emblem.CODE])
    images = await collect(home, fetcher, CollectSettings(
        name_hints=tuple(params.name_hints), max_images=params.max_images,
        max_bytes=MAX_IMAGE_BYTES, header_band_px=HEADER_BAND_PX))
    return images, references
