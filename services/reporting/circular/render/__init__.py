"""Render a circular (通报) to DOCX, XLSX, HTML and Markdown: pure functions of a CircularDocument.

All four share the prose of `text.compose`; `traditional=True` on the document renders every
string in Traditional Chinese.
"""

from services.reporting.circular.render.docx import render_docx
from services.reporting.circular.render.html import render_html
from services.reporting.circular.render.markdown import render_markdown
from services.reporting.circular.render.xlsx import render_xlsx

__all__ = ["render_docx", "render_html", "render_markdown", "render_xlsx"]
