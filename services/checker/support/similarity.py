"""Text similarity for finding one article republished elsewhere: character n-gram shingles.

Chinese has no word spaces, so an article is compared as the set of its overlapping character
n-grams (shingles) after removing whitespace and punctuation and folding Traditional script to
Simplified. `containment(a, b)` is the share of a's shingles found in b: a page that carries the
article among its navigation and footer still contains nearly all of the article's shingles,
while another article on the same subject shares few. `jaccard` compares two titles.
"""

from __future__ import annotations

import re
import unicodedata

from services.checker.support.script import to_simplified

_DROP = re.compile(r"[\s\u3000]+")


def _normalise(text: str) -> str:
    """Text with whitespace and punctuation removed, in Simplified script, half-width, lower case."""
    text = unicodedata.normalize("NFKC", to_simplified(text)).lower()
    return "".join(ch for ch in _DROP.sub("", text) if not unicodedata.category(ch).startswith(("P", "S")))


def shingles(text: str, size: int) -> frozenset[str]:
    """The set of overlapping `size`-character n-grams of a text (the whole text when shorter)."""
    norm = _normalise(text)
    if len(norm) <= size:
        return frozenset({norm}) if norm else frozenset()
    return frozenset(norm[i:i + size] for i in range(len(norm) - size + 1))


def containment(part: frozenset[str], whole: frozenset[str]) -> float:
    """The share of `part`'s shingles that occur in `whole` (0 when `part` is empty)."""
    return len(part & whole) / len(part) if part else 0.0


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared shingles over all shingles of the two texts (0 when both are empty)."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0
