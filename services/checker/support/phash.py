"""Perceptual hashes of images (imagehash's DCT pHash over Pillow), as 16 hex digits."""

from __future__ import annotations

import io
import warnings

import imagehash
from PIL import Image, UnidentifiedImageError

# A decoded image this large is refused (Pillow's own bomb guard warns at 89 M pixels).
MAX_PIXELS = 40_000_000


class NotAnImage(ValueError):
    """The bytes are not an image Pillow can decode."""


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of an image, or NotAnImage."""
    with _open(data) as img:
        return img.size


def phash(data: bytes) -> str:
    """The 64-bit DCT perceptual hash of an image, as 16 hex digits (transparency on white)."""
    with _open(data) as img:
        rgba = img.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        return str(imagehash.phash(flat.convert("RGB")))


def distance(a: str, b: str) -> int:
    """Hamming distance of two hashes (0: the same picture; 64 bits in all)."""
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning, Image.DecompressionBombError,
            ValueError, SyntaxError) as exc:
        raise NotAnImage(str(exc)) from exc
    if img.width * img.height > MAX_PIXELS:
        raise NotAnImage(f"图片过大（{img.width}×{img.height}）")
    return img
