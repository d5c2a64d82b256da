"""Bar charts for a circular (pass rate by region, problems by category) as PNG bytes.

Rendered with matplotlib's Agg canvas on a private Figure, so nothing touches pyplot's global
state and renders may run in parallel threads. Chinese labels need a CJK font: the first one
found on the system is used; without one the chart still renders (labels show as boxes) and a
warning is logged once.
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from services.reporting.circular.content import CircularData
from services.reporting.circular.render.convert import to_traditional

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

log = logging.getLogger(__name__)

# Searched in order against the names matplotlib's font manager knows.
CJK_FONT_HINTS = ("WenQuanYi", "Noto Sans CJK", "Noto Serif CJK", "Source Han Sans", "Source Han Serif",
                  "SimHei", "Microsoft YaHei", "PingFang", "Heiti", "AR PL", "Droid Sans Fallback")
WIDTH_IN = 6.2  # the DOCX body is 156 mm wide; charts are placed at 150 mm
DPI = 200
BAR = "#2f5597"
VETO_BAR = "#c00000"


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """Return the path of a font file that covers Chinese, or None (warned once)."""
    from matplotlib import font_manager

    fonts = font_manager.fontManager.ttflist
    for hint in CJK_FONT_HINTS:
        for entry in fonts:
            if hint.lower() in entry.name.lower():
                return str(entry.fname)
    log.warning("no CJK font found for charts (install fonts-wqy-microhei); Chinese labels will "
                "show as boxes")
    return None


def pass_rate_chart(data: CircularData, *, traditional: bool = False) -> bytes | None:
    """Draw the pass rate of each sub-region as bars; None when no region was checked."""
    regions = [r for r in data.region_rates if r.checked > 0]
    if not regions:
        return None
    labels = [_t(r.region_name, traditional) for r in regions]
    values = [r.pass_rate for r in regions]
    fig, ax, font = _figure(2.6 if len(regions) <= 12 else 3.2, grid="y")
    xs = range(len(regions))
    bars = ax.bar(xs, values, color=BAR, width=0.6)
    ax.set_ylim(0, 112)
    ax.set_ylabel(_t("合格率（%）", traditional), fontproperties=font)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, fontproperties=font, rotation=0 if len(regions) <= 8 else 45,
                       ha="center" if len(regions) <= 8 else "right")
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(f"{value:.1f}".rstrip("0").rstrip("."), (bar.get_x() + bar.get_width() / 2, value),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=7)
    # Region rates count websites and accounts alike (compute.py), as does all.pass_rate.
    overall = (data.figures.get("all.pass_rate") or data.websites_total.pass_rate).value
    ax.axhline(overall, color="#7f7f7f", linestyle="--", linewidth=0.8,
               label=_t(f"总体合格率 {overall:.1f}%".replace(".0%", "%"), traditional))
    ax.legend(prop=font, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _png(fig)


def problem_chart(data: CircularData, *, traditional: bool = False) -> bytes | None:
    """Draw the number of targets with each problem type; None when nothing was found."""
    groups = [(g, True) for g in data.vetoes] + [(g, False) for g in data.problems]
    groups = [(g, veto) for g, veto in groups if g.count.value > 0]
    if not groups:
        return None
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    fig, ax, font = _figure(max(2.0, 0.32 * len(groups) + 0.8), grid="x")
    ys = list(range(len(groups)))[::-1]  # the first group on top, as in the text
    counts = [g.count.value for g, _ in groups]
    colors = [VETO_BAR if veto else BAR for _, veto in groups]
    bars = ax.barh(ys, counts, color=colors, height=0.6)
    ax.set_yticks(ys)
    ax.set_yticklabels([_t(g.indicator, traditional) for g, _ in groups], fontproperties=font)
    ax.set_xlabel(_t("问题数量（个）", traditional), fontproperties=font)
    ax.set_xlim(0, max(counts) * 1.15 + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for bar, value in zip(bars, counts, strict=True):
        ax.annotate(f"{value:g}", (value, bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=7)
    if any(veto for _, veto in groups):

        ax.legend(handles=[Patch(color=VETO_BAR, label=_t("单项否决", traditional)),
                           Patch(color=BAR, label=_t("其他问题", traditional))],
                  prop=font, loc="lower right", frameon=False)
    return _png(fig)


def _t(text: str, traditional: bool) -> str:
    return to_traditional(text) if traditional else text


def _figure(height: float, grid: Literal["x", "y"]) -> tuple[Figure, Axes, FontProperties]:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    path = cjk_font_path()
    font = FontProperties(fname=path, size=8) if path else FontProperties(size=8)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.grid(axis=grid, color="#e0e0e0", linewidth=0.5)
    ax.set_axisbelow(True)
    return fig, ax, font


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.tight_layout()
    buf = io.BytesIO()
    # No Software/date metadata: the same data gives the same bytes.
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
