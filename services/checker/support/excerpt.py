"""Excerpts a finding shows: the offending text marked 【…】 in its context."""

from __future__ import annotations


def mark(text: str, start: int, end: int, width: int = 20) -> str:
    """Return the text around [start, end) with the offending part marked 【…】."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(text) else ""
    return f"{prefix}{text[left:start]}【{text[start:end]}】{text[end:right]}{suffix}"
