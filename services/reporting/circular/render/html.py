"""The circular as one self-contained, printable HTML page (charts inlined as data: URIs).

Print CSS follows the DOCX: A4 with GB/T 9704 margins, 3号 仿宋 body on a 28.95 pt line, and each
attachment on a new landscape page. Every string from the data is escaped.
"""

from __future__ import annotations

import base64
from html import escape

from services.reporting.circular.content import CircularDocument
from services.reporting.circular.render import charts
from services.reporting.circular.render.layout import (
    ChartSlot,
    Composition,
    Heading,
    Paragraph,
    Table,
)
from services.reporting.circular.render.text import compose

# Font stacks name the 公文 fonts first, then what Windows, macOS and Linux ship.
FANGSONG = ('"仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", '
            '"Source Han Serif SC", "Songti SC", serif')
XIAOBIAOSONG = ('"方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "华文中宋", "STZhongsong", '
                '"Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif')
HEITI = ('"黑体", "SimHei", "Heiti SC", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", '
         "sans-serif")
KAITI = '"楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", "AR PL UKai CN", ' + FANGSONG
SONGTI = '"宋体", "SimSun", "Songti SC", "Noto Serif CJK SC", serif'

CSS = f"""
@page {{ size: A4; margin: 37mm 26mm 35mm 28mm; }}
@page :right {{ @bottom-right {{ content: "— " counter(page) " —"; font: 14pt {SONGTI};
  padding-right: 1em; }} }}
@page :left {{ @bottom-left {{ content: "— " counter(page) " —"; font: 14pt {SONGTI};
  padding-left: 1em; }} }}
@page attachment {{ size: A4 landscape; margin: 28mm 30mm 30mm 30mm; }}
html {{ background: #f2f2f2; }}
body {{ margin: 0; color: #000; }}
.page {{ box-sizing: border-box; width: 210mm; margin: 8mm auto; padding: 37mm 26mm 35mm 28mm;
  background: #fff; box-shadow: 0 0 4px rgba(0,0,0,.25); font: 16pt/28.95pt {FANGSONG};
  letter-spacing: -0.2pt; text-align: justify; }}
.page.attachment {{ width: 297mm; padding: 28mm 30mm 30mm 30mm; }}
p {{ margin: 0; text-indent: 2em; }}
.number, .draft-mark, .title, figcaption {{ text-align: center; text-indent: 0; }}
.number {{ border-bottom: 1.5pt solid #c00000; padding-bottom: 8pt; margin-bottom: 28.95pt; }}
.title {{ font: 22pt/35pt {XIAOBIAOSONG}; margin: 0 0 28.95pt; letter-spacing: 0; }}
.draft-mark {{ font-family: {KAITI}; margin-top: -28.95pt; margin-bottom: 28.95pt; }}
.recipients {{ text-indent: 0; }}
h2 {{ font: 16pt/28.95pt {HEITI}; margin: 0; text-indent: 2em; font-weight: normal; }}
.lead {{ font-family: {KAITI}; }}
figure {{ margin: 0.5em 0; text-align: center; break-inside: avoid; }}
figure img {{ width: 150mm; max-width: 100%; }}
figcaption {{ font: 14pt/28.95pt {KAITI}; }}
.note {{ margin-top: 28.95pt; }}
.note p {{ text-indent: 0; padding-left: 5em; }}
.note p:first-child {{ padding-left: 2em; }}
.signature {{ margin-top: 57.9pt; text-align: right; }}
.signature p {{ text-indent: 0; text-align: right; }}
.label {{ font-family: {HEITI}; text-indent: 0; }}
.attachment h2 {{ font: 22pt/35pt {XIAOBIAOSONG}; text-align: center; text-indent: 0; margin-bottom: 12pt; }}
table {{ border-collapse: collapse; width: 100%; font: 10.5pt/1.4 {FANGSONG}; letter-spacing: 0; }}
th, td {{ border: 0.5pt solid #000; padding: 1pt 3pt; vertical-align: top; }}
th {{ font-family: {HEITI}; font-weight: normal; }}
td.num {{ text-align: center; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
@media print {{
  html {{ background: none; }}
  .page {{ width: auto; margin: 0; padding: 0; box-shadow: none; }}
  .page.attachment {{ page: attachment; break-before: page; width: auto; padding: 0; }}
}}
"""


def render_html(doc: CircularDocument) -> str:
    """Render the circular as a self-contained HTML page, printable on A4."""
    comp = compose(doc)
    out = [f'<!DOCTYPE html>\n<html lang="{escape(comp.lang)}">\n<head>\n<meta charset="utf-8">',
           f"<title>{escape(comp.title)}</title>", f"<style>{CSS}</style>", "</head>",
           '<body>\n<article class="page circular">']
    out.extend(_front(comp))
    for block in comp.body:
        if isinstance(block, Heading):
            out.append(f"<h2>{escape(block.text)}</h2>")
        elif isinstance(block, Paragraph):
            lead = f'<span class="lead">{escape(block.lead)}</span>' if block.lead else ""
            out.append(f"<p>{lead}{escape(block.text)}</p>")
        elif isinstance(block, ChartSlot):
            out.extend(_chart(doc, block))
    out.extend(_closing(comp))
    out.append("</article>")
    for table in comp.attachments:
        out.extend(_attachment(table))
    out.append("</body>\n</html>\n")
    return "\n".join(out)


def _front(comp: Composition) -> list[str]:
    out = []
    if comp.number:
        out.append(f'<p class="number">{escape(comp.number)}</p>')
    out.append(f'<h1 class="title">{escape(comp.title)}</h1>')
    if comp.draft_mark:
        out.append(f'<p class="draft-mark">{escape(comp.draft_mark)}</p>')
    out.append(f'<p class="recipients">{escape(comp.recipients)}</p>')
    return out


def _chart(doc: CircularDocument, slot: ChartSlot) -> list[str]:
    draw = charts.pass_rate_chart if slot.kind == "pass_rate" else charts.problem_chart
    png = draw(doc.data, traditional=doc.traditional)
    if png is None:
        return []
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    caption = escape(slot.caption)
    return [f'<figure><img src="{src}" alt="{caption}"><figcaption>{caption}</figcaption></figure>']


def _closing(comp: Composition) -> list[str]:
    out = []
    if comp.attachment_note:
        out.append('<div class="note">')
        out.extend(f"<p>{'附件：' if i == 0 else ''}{escape(item)}</p>"
                   for i, item in enumerate(comp.attachment_note))
        out.append("</div>")
    out.append(f'<div class="signature"><p>{escape(comp.signature)}</p><p>{escape(comp.date)}</p></div>')
    return out


def _attachment(table: Table) -> list[str]:
    columns = table.printed_columns()
    total = sum(c.width_mm for c in columns)
    out = ['<section class="page attachment">', f'<p class="label">{escape(table.label)}</p>',
           f"<h2>{escape(table.title)}</h2>", "<table>", "<colgroup>"]
    out.extend(f'<col style="width:{100 * c.width_mm / total:.1f}%">' for c in columns)
    out.append("</colgroup>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(c.header)}</th>" for c in columns) + "</tr></thead>")
    out.append("<tbody>")
    for row in table.printed_rows():
        cells = "".join(f'<td class="num">{escape(v)}</td>' if c.numeric else f"<td>{escape(v)}</td>"
                        for c, v in zip(columns, row, strict=True))
        out.append(f"<tr>{cells}</tr>")
    out.extend(["</tbody>", "</table>", "</section>"])
    return out
