"""The circular's 主要做法 drafted from the shortlisted write-ups, each attributed to its unit.

The result is the narrative's `practices` text, which every format (DOCX, HTML, Markdown)
renders the same way: each write-up one paragraph, its title a run-in lead （一）…。 (numbered
1. 2. under the section), then the unit's name and its text, then its links.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from services.reporting.practice.models import Practice

NUMERALS = "一二三四五六七八九十"
# The renderer lifts a lead only up to a sentence mark; a title's own marks become commas.
_MARKS = re.compile(r"[。：！？:!?]+")


def _cn(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def paragraph(n: int, practice: Practice) -> str:
    """One write-up as a paragraph: （n）title。Unit：text（相关链接：…）"""
    title = _MARKS.sub("，", practice.title).strip("，, ")
    body = "".join(line.strip() for line in practice.text.splitlines())
    text = f"（{_cn(n)}）{title}。{practice.organisation_name}：{body}"
    if practice.links:
        text += f"（相关链接：{'；'.join(practice.links)}）"
    return text


def compose(practices: Sequence[Practice], opening: str = "") -> str:
    """The whole section's text, an optional opening sentence first."""
    lines = [opening.strip()] if opening.strip() else []
    lines += [paragraph(n, p) for n, p in enumerate(practices, 1)]
    return "\n".join(lines)
