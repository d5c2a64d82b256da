"""Emblem pictures drawn at test time: a "current" and a "superseded" artwork that a perceptual
hash tells apart, in any size and format (a site's header copy is a rescaled JPEG)."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

RED, GOLD = (200, 16, 46), (255, 222, 0)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = [(cx + (r if i % 2 == 0 else r * 0.4) * math.sin(i * math.pi / 5),
               cy - (r if i % 2 == 0 else r * 0.4) * math.cos(i * math.pi / 5)) for i in range(10)]
    draw.polygon(points, fill=GOLD)


def emblem(version: str, size: int = 256, fmt: str = "PNG") -> bytes:
    """The emblem artwork `version` ("current" or "superseded") as image bytes."""
    img = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    s = size / 256
    draw.ellipse((8 * s, 8 * s, 248 * s, 248 * s), fill=RED)
    if version == "current":
        _star(draw, 128 * s, 80 * s, 44 * s)
        for angle in (-60, -25, 25, 60):
            a = math.radians(angle)
            _star(draw, 128 * s + 80 * s * math.sin(a), 80 * s + 40 * s - 80 * s * math.cos(a) * 0.3, 14 * s)
        draw.rectangle((60 * s, 150 * s, 196 * s, 200 * s), fill=GOLD)
    else:
        draw.rectangle((40 * s, 40 * s, 120 * s, 216 * s), fill=GOLD)
        draw.ellipse((140 * s, 60 * s, 220 * s, 140 * s), fill=GOLD)
        draw.rectangle((140 * s, 170 * s, 220 * s, 190 * s), fill=GOLD)
    out = io.BytesIO()
    img.save(out, fmt, quality=85) if fmt == "JPEG" else img.save(out, fmt)
    return out.getvalue()
