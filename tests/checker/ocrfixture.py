"""Notices posted as pictures and scanned PDFs, drawn at test time with the system's CJK font."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Debian fonts-wqy-microhei


def notice(lines: list[str], *, fmt: str = "PNG", size: int = 28) -> bytes:
    """A white picture with the lines in black, as a notice photographed or exported to an image."""
    font = ImageFont.truetype(str(FONT), size)
    img = Image.new("RGB", (60 + size * max(len(line) for line in lines), 40 + int(size * 1.9) * len(lines)), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((30, 20 + int(size * 1.9) * i), line, font=font, fill="black")
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


def scanned_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages are pictures only (no text layer), as a scanner writes it."""
    images = [Image.open(io.BytesIO(notice(lines, fmt="PNG"))).convert("RGB") for lines in pages]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=150)
    return out.getvalue()
