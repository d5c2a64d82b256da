"""Chinese script of page text: match on a Simplified form, report the text as served.

Traditional-script sites (繁體: Hong Kong/Macau liaison pages, Taiwan-facing columns, sites that
offer a 繁體 version) write 主辦單位, 網站標識碼, 辦事服務. Rules that look for fixed labels or
words compare `to_simplified(text)` with their Simplified patterns, and cut the excerpt they
report from the original text at the same offsets. OpenCC's character-level table (t2s without
phrase conversion of lengths) keeps offsets aligned: each character maps to one character.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

_HAN = re.compile("[\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def _convert(text: str) -> str:
    return str(_t2s().convert(text))


def to_simplified(text: str) -> str:
    """Return `text` in Simplified script with the same length (offsets stay valid)."""
    if not text:
        return text
    converted = _convert(text) if len(text) <= 2048 else str(_t2s().convert(text))
    if len(converted) != len(text):  # a phrase rule changed the length: fall back per character
        converted = "".join(_convert(ch) if len(_convert(ch)) == 1 else ch for ch in text)
    return converted


def is_traditional(text: str, *, threshold: float = 0.02) -> bool:
    """Tell whether `text` is written in Traditional script (share of characters that change)."""
    sample = "".join(_HAN.findall(text, 0, 5000))
    if not sample:
        return False
    simplified = to_simplified(sample)
    changed = 0 if simplified == sample else sum(map(str.__ne__, sample, simplified))
    return changed / len(sample) >= threshold
