"""The circular as Markdown: headings, paragraphs and the attachments as pipe tables.

Charts are left out (their figures are in the text and the tables). Every string from the data is
escaped, so a unit's name can neither start a heading, break a table nor inject HTML.
"""

from __future__ import annotations

import re

from services.reporting.circular.content import CircularDocument
from services.reporting.circular.render.layout import ChartSlot, Heading, Paragraph, Table
from services.reporting.circular.render.text import compose

_INLINE = re.compile(r"([\\`*_\[\]<>|~&!])")
# What would start a block at the beginning of a line: a heading, list, quote or rule.
_BLOCK_MARK = re.compile(r"^(\s*)([#+=-])")
_ORDERED = re.compile(r"^(\s*\d+)([.)])")
# Line breaks and runs of ASCII blanks fold to one space; the ideographic space (U+3000) is kept.
_BREAKS = re.compile(r"[ \t\r\n\f\v]+")


def escape_md(text: str, *, line_start: bool = True) -> str:
    """Escape Markdown's syntax and fold newlines, so the text renders literally.

    `line_start=False` is for text that cannot open a block, such as a table cell.
    """
    text = _INLINE.sub(r"\\\1", _BREAKS.sub(" ", text).strip(" "))
    if not line_start:
        return text
    return _ORDERED.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\1\\\2", text))


def render_markdown(doc: CircularDocument) -> str:
    """Render the circular as a Markdown document."""
    comp = compose(doc)
    out = []
    if comp.number:
        out.append(escape_md(comp.number))
    out.append(f"# {escape_md(comp.title, line_start=False)}")
    if comp.draft_mark:
        out.append(f"**{escape_md(comp.draft_mark, line_start=False)}**")
    out.append(escape_md(comp.recipients))
    for block in comp.body:
        if isinstance(block, Heading):
            out.append(f"## {escape_md(block.text, line_start=False)}")
        elif isinstance(block, Paragraph):
            # The closing ** goes before the lead's 。: CommonMark does not close emphasis between
            # punctuation and a following Chinese character.
            lead = f"**{escape_md(block.lead[:-1], line_start=False)}**{block.lead[-1]}" if block.lead else ""
            out.append(lead + escape_md(block.text, line_start=not block.lead))
        elif isinstance(block, ChartSlot):
            continue
    if comp.attachment_note:
        # Two trailing spaces: a hard line break keeps the numbered attachments on their own lines.
        out.append("  \n".join(escape_md(("附件：" if i == 0 else "　　　") + item)
                               for i, item in enumerate(comp.attachment_note)))
    out.append(f"{escape_md(comp.signature)}  \n{escape_md(comp.date)}")
    for table in comp.attachments:
        out.append(_table(table))
    return "\n\n".join(out) + "\n"


def _table(table: Table) -> str:
    columns = table.printed_columns()
    lines = [f"## {escape_md(f'{table.label}　{table.title}', line_start=False)}", "",
             "| " + " | ".join(escape_md(c.header, line_start=False) for c in columns) + " |",
             "|" + "|".join(":---:" if c.numeric else "---" for c in columns) + "|"]
    lines.extend("| " + " | ".join(escape_md(v, line_start=False) for v in row) + " |"
                 for row in table.printed_rows())
    return "\n".join(lines)
