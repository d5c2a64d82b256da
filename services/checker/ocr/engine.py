"""Run Tesseract on one image and keep where each word was, so a finding can show its crop.

Tesseract is the Debian package (tesseract-ocr, tesseract-ocr-chi-sim): its models ship with the
package, nothing is downloaded at run time. It reads PNG/JPEG/GIF/BMP/TIFF bytes on stdin and
prints TSV (one row per word with its box).
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import shutil
import unicodedata
from dataclasses import dataclass, field

log = logging.getLogger("govinspect.checker.ocr")
LANGUAGES = "chi_sim+eng"


@dataclass
class OcrText:
    """What Tesseract read: the text, and each word's [start, end) in it with its box (x, y, w, h)."""

    text: str
    words: list[tuple[int, int, tuple[int, int, int, int]]] = field(default_factory=list)

    def boxes(self, start: int, end: int) -> list[tuple[int, int, int, int]]:
        """The boxes of the words overlapping text[start:end]."""
        return [box for s, e, box in self.words if s < end and e > start]


def available() -> bool:
    """Whether the tesseract binary is installed."""
    return shutil.which("tesseract") is not None


def _cjk(ch: str) -> bool:
    return bool(ch) and unicodedata.east_asian_width(ch) in ("W", "F")


def parse_tsv(tsv: str, min_confidence: float) -> OcrText:
    """Join Tesseract's words into lines: no space between CJK words, one between others."""
    out = io.StringIO()
    words: list[tuple[int, int, tuple[int, int, int, int]]] = []
    line_key: tuple[str, ...] | None = None
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word or float(row.get("conf") or -1) < min_confidence:
            continue
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        written = out.getvalue()
        if line_key is not None and key != line_key:
            out.write("\n")
        elif written and not (_cjk(written[-1]) and _cjk(word[0])):
            out.write(" ")
        line_key = key
        start = len(out.getvalue())
        out.write(word)
        words.append((start, start + len(word), (int(row["left"]), int(row["top"]),
                                                 int(row["width"]), int(row["height"]))))
    return OcrText(out.getvalue(), words)


async def read_image(data: bytes, *, timeout_s: float, min_confidence: float) -> OcrText | None:
    """OCR one image; None when Tesseract fails or takes longer than `timeout_s`."""
    proc = await asyncio.create_subprocess_exec(
        "tesseract", "stdin", "stdout", "-l", LANGUAGES, "tsv",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(data), timeout_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        log.info("tesseract timed out after %.0fs", timeout_s)
        return None
    if proc.returncode != 0:
        log.info("tesseract failed: %s", err.decode(errors="replace")[:200])
        return None
    return parse_tsv(out.decode("utf-8", errors="replace"), min_confidence)
