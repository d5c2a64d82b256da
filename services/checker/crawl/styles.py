"""How a fetched page hides a link from a visitor, read from its CSS without a browser (pure).

The browser judges every link of a rendered page (browser/visibility.js); the pages the crawler
only fetched are judged here, for links to other hosts (a hidden link to the page's own host is
never a dark link): inline styles, <style> blocks and the linked stylesheets the caller read,
with the cascade (specificity, order, !important), inheritance and `@media` for the browser's
desktop viewport. The verdicts use the browser's names (ground/site.py HIDING_TECHNIQUES).
A rule that only applies on hover or focus never hides anything here, as in the browser; one
that shows a hidden element when a visitor acts (`.yqlj:hover ul`), or a tab panel a visible
tab control switches to (`revealable_panel`), makes it not hidden. And
whatever cannot be decided without layout (a background picture under the text, an element
positioned over another) is left visible: a static verdict must never be a false alarm.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import lxml.etree
import lxml.html

from services.checker.crawl.cascade import Styles
from services.checker.crawl.css import (
    composite,
    css_colour,
    css_length,
    luminance,
)

# Where a box is out of every visitor's sight: at least this far above or left of the page,
# or beyond the right edge the browser's verdict uses (visibility.js FAR_RIGHT).
_OFF_PAGE = -500.0
_FAR_RIGHT = 3000.0
_INDENT = -100.0  # visibility.js: text pushed this far left is gone
_INVISIBLE_CONTRAST = 1.1  # visibility.js: #fefefe on white is 1.01
_LINK_BLUE = (0.0, 0.0, 238 / 255, 1.0)  # a link's own colour when no rule sets it (-webkit-link)
_MAX_TEXT_HOLDERS = 20
_INLINE = frozenset({
    "a", "span", "font", "b", "i", "em", "strong", "small", "big", "u", "s", "label", "abbr",
    "cite", "code", "sub", "sup", "q", "var", "mark", "tt",
})
_SIZED_BY_ATTRIBUTES = frozenset({"iframe", "frame", "marquee", "img"})  # width="0": nothing shows
_PICTURES = ("img", "svg", "canvas", "video", "object", "embed", "input", "picture")
_TRANSLATE = re.compile(r"translate([xy]?)\(([^)]*)\)", re.IGNORECASE)
_RECT = re.compile(r"rect\(([^)]*)\)", re.IGNORECASE)


def _chain(el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    node: lxml.html.HtmlElement | None = el
    while node is not None and isinstance(node.tag, str):
        yield node
        node = node.getparent()


def _text_holders(el: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The elements whose own text a visitor would read in the link (the link when it has none)."""
    holders: list[lxml.html.HtmlElement] = []
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        if node.text and node.text.strip():
            holders.append(node)
        for child in node:
            if child.tail and child.tail.strip():
                holders.append(node)
        if len(holders) >= _MAX_TEXT_HOLDERS:
            break
    return list(dict.fromkeys(holders)) or [el]


class _Judge:
    """The verdict for one element, from the declared styles of it and its ancestors."""

    def __init__(self, styles: Styles, el: lxml.html.HtmlElement) -> None:
        self.styles = styles
        self.el = el
        self.chain = list(_chain(el))

    def get(self, el: lxml.html.HtmlElement, name: str) -> str:
        return self.styles.declared(el).get(name, ("", False))[0]

    def inherited(self, el: lxml.html.HtmlElement, name: str, *, stop_at_link: bool = False) -> str:
        for node in _chain(el):
            value = self.get(node, name)
            if name == "color" and not value and node.tag == "font" and node.get("color"):
                value = node.get("color") or ""
            if value and value != "inherit":
                return value
            if stop_at_link and node.tag == "a" and node.get("href") is not None and value != "inherit":
                return ""  # a link takes its own colour, not its parent's
        return ""

    def not_displayed(self, node: lxml.html.HtmlElement) -> bool:
        display = self.get(node, "display")
        return display == "none" or (not display and node.get("hidden") is not None)

    def tab_panel(self, panel: lxml.html.HtmlElement) -> bool:
        """Whether a hidden element is a tab panel a visitor can switch to (see `revealable_panel`)."""
        return revealable_panel(panel, self.not_displayed)

    def display_none(self) -> bool:
        below: lxml.html.HtmlElement | None = None
        for node in self.chain:
            if node.tag == "template":
                return True
            if self.not_displayed(node) and not self.tab_panel(node) and not self.styles.revealed(node):
                return True
            closed = node.tag == "details" and node.get("open") is None
            if closed and (below is None or below.tag != "summary"):
                return True  # a closed <details> shows only its summary
            below = node
        return False

    def boxed(self, node: lxml.html.HtmlElement) -> bool:
        """Whether width and height apply to the element (not an inline box)."""
        display = self.get(node, "display")
        if display:
            return display not in ("inline", "contents")
        return node.tag not in _INLINE or self.get(node, "position") in ("absolute", "fixed") \
            or self.get(node, "float") not in ("", "none")

    def zero_box(self, node: lxml.html.HtmlElement) -> bool:
        if node.tag in ("html", "body"):
            return False
        for axis in ("width", "height"):
            raw = (node.get(axis) or "").strip()
            attribute = None
            if node.tag in _SIZED_BY_ATTRIBUTES:  # width="0": unitless pixels
                attribute = css_length(raw + "px" if raw.isdigit() else raw)
            boxed = self.boxed(node)
            declared = css_length(self.get(node, axis)) if boxed else None
            limit = css_length(self.get(node, f"max-{axis}")) if boxed else None
            sizes = [x for x in (declared if declared is not None else attribute, limit) if x is not None]
            size = min(sizes) if sizes else None
            overflow = self.get(node, f"overflow-{'x' if axis == 'width' else 'y'}")
            clips = overflow not in ("", "visible") or node.tag in _SIZED_BY_ATTRIBUTES
            if size is not None and size <= 1 and clips:
                return True
        return False

    def clipped(self, node: lxml.html.HtmlElement) -> bool:
        clip = _RECT.search(self.get(node, "clip"))
        if clip and self.get(node, "position") in ("absolute", "fixed"):
            values = [x for v in re.split(r"[\s,]+", clip.group(1).strip())
                      if (x := css_length(v)) is not None]
            if len(values) == 4:
                top, right, bottom, left = values
                if right - left <= 1 or bottom - top <= 1:
                    return True
        path = self.get(node, "clip-path")
        m = re.match(r"inset\(([^)]*)\)", path)
        if m:
            parts = [v for v in m.group(1).split(" round ")[0].split() if v]
            if parts and all(v.endswith("%") for v in parts):
                values = [float(v[:-1]) for v in parts] + [0.0] * 4
                top, right = values[0], values[1] if len(parts) > 1 else values[0]
                bottom = values[2] if len(parts) > 2 else top
                left = values[3] if len(parts) > 3 else right
                return top + bottom >= 100 or left + right >= 100
        return bool(re.match(r"circle\(\s*0(px|%)?\b", path))

    def offscreen(self, node: lxml.html.HtmlElement) -> bool:
        position = self.get(node, "position")
        offsets = {k: css_length(self.get(node, k)) for k in ("left", "top", "right")}
        if position in ("absolute", "fixed", "relative"):
            for key in ("left", "top"):
                if (offsets[key] or 0) <= _OFF_PAGE:
                    return True
            if (offsets["left"] or 0) >= _FAR_RIGHT or (offsets["right"] or 0) <= -_FAR_RIGHT:
                return True
        for key in ("margin-left", "margin-top"):
            if (css_length(self.get(node, key)) or 0) <= _OFF_PAGE:
                return True
        for axis, value in _TRANSLATE.findall(self.get(node, "transform")):
            parts = [css_length(v) for v in value.split(",")]
            x = parts[0] if axis in ("", "x") else None
            y = parts[-1] if axis == "y" else (parts[1] if axis == "" and len(parts) > 1 else None)
            if (x is not None and (x <= _OFF_PAGE or x >= _FAR_RIGHT)) or (y is not None and y <= _OFF_PAGE):
                return True
        return False

    def has_picture(self) -> bool:
        if next(self.el.iter(*_PICTURES), None) is not None:
            return True
        return self.get(self.el, "background-image") not in ("", "none")

    def all_text(self, hidden: Callable[[lxml.html.HtmlElement], bool]) -> bool:
        return all(hidden(h) for h in _text_holders(self.el))

    def logo(self) -> bool:
        """Whether the element whose text-indent applies, or one below it, shows a picture."""
        for node in self.chain:
            if self.get(node, "background-image") not in ("", "none"):
                return True
            if self.get(node, "text-indent"):
                return False
        return False

    def invisible_ink(self, holder: lxml.html.HtmlElement) -> bool:
        if self.inherited(holder, "text-shadow") not in ("", "none"):
            return False
        ink = css_colour(self.inherited(holder, "color", stop_at_link=True) or "")
        if ink is None:
            ink = _LINK_BLUE if any(n.tag == "a" for n in _chain(holder)) else (0.0, 0.0, 0.0, 1.0)
        layers: list[tuple[float, float, float, float]] = []
        for node in _chain(holder):
            if self.get(node, "background-image") not in ("", "none"):
                return False  # a picture under the text: only the browser can tell
            if self.get(node, "position") in ("absolute", "fixed"):
                return False  # laid over something else
            colour = css_colour(self.get(node, "background-color") or node.get("bgcolor") or "")
            if colour and colour[3] > 0:
                layers.append(colour)
                if colour[3] >= 1:
                    break
        background = (1.0, 1.0, 1.0, 1.0)
        for layer in reversed(layers):
            background = composite(layer, background)
        if ink[3] < 0.1:
            return True
        a, b = luminance(composite(ink, background)), luminance(background)
        return (max(a, b) + 0.05) / (min(a, b) + 0.05) < _INVISIBLE_CONTRAST

    def verdict(self) -> str | None:
        if self.display_none():
            return "display_none"
        if self.all_text(lambda h: self.inherited(h, "visibility") in ("hidden", "collapse")):
            return "visibility_hidden"
        opacity = 1.0
        for node in self.chain:
            value = css_length(self.get(node, "opacity") or "1")
            opacity *= value if value is not None else 1.0
        if opacity < 0.05:
            return "opacity_zero"
        if any(self.clipped(n) for n in self.chain):
            return "clip"
        if any(self.zero_box(n) for n in self.chain):
            return "zero_size"
        picture = self.has_picture()
        if not picture and self.all_text(lambda h: css_length(self.inherited(h, "font-size")) == 0):
            return "zero_size"
        if any(self.offscreen(n) for n in self.chain):
            return "offscreen"
        indent = css_length(self.inherited(self.el, "text-indent")) or 0
        if not picture and not self.logo() and indent <= _INDENT:
            return "text_indent"
        if not picture and self.all_text(self.invisible_ink):
            return "same_colour"
        return None


_TAB_WORDS = re.compile(r"tab|qiehuan|switch", re.IGNORECASE)
_SWITCH_EVENTS = ("onclick", "onmouseover", "onmouseenter", "onfocus")
_MAX_TAB_LABEL = 20


def _label(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def revealable_panel(panel: lxml.html.HtmlElement, hidden: Callable[[lxml.html.HtmlElement], bool]) -> bool:
    """Whether a hidden element is an inactive tab panel a visitor reveals with a visible tab control.

    The page shows, in the same widget, sibling panels of the same tag (one of them shown), a
    tab header beside them with one short label per panel (one more for a 更多 link at most),
    and a way to switch: a label with an onclick/onmouseover handler, a link to the panel's id
    (#id, :target), role="tab", or the site's own tab markup (a class or id naming tab/qiehuan).
    Links in such a panel are one click away for every visitor: not dark links. A hidden block
    without this furniture is hidden from everyone. `hidden` tells whether an element is not
    displayed (the caller's cascade). Mirrored by browser/visibility.js revealablePanel.
    """
    parent = panel.getparent()
    if parent is None or not isinstance(parent.tag, str):
        return False
    panels = [c for c in parent if c.tag == panel.tag]
    if len(panels) < 2 or all(hidden(p) for p in panels):
        return False
    widget = [parent, *([parent.getparent()] if parent.getparent() is not None else [])]
    for level in widget:
        for header in level:
            if (not isinstance(header.tag, str) or header in panels or parent in header.iter()
                    or hidden(header)):
                continue
            while len(header) == 1 and isinstance(header[0].tag, str) and not hidden(header[0]):
                header = header[0]  # <div class="hd"><ul><li>…
            labels = [c for c in header if isinstance(c.tag, str) and not hidden(c)
                      and 0 < len(_label(c)) <= _MAX_TAB_LABEL]
            if len(panels) <= len(labels) <= len(panels) + 1 and _switches(header, labels, panels):
                return True
    return False


def _switches(header: lxml.html.HtmlElement, labels: list[lxml.html.HtmlElement],
              panels: list[lxml.html.HtmlElement]) -> bool:
    ids = {f"#{i}" for p in panels if (i := (p.get("id") or "").strip())}
    for label in labels:
        for node in label.iter():
            if not isinstance(node.tag, str):
                continue
            if (any(node.get(e) for e in _SWITCH_EVENTS) or node.get("role") == "tab"
                    or node.get("href") in ids):
                return True
    marks = [f"{n.get('class') or ''} {n.get('id') or ''}" for n in (header, *_chain(panels[0]))][:5]
    return any(_TAB_WORDS.search(m) for m in marks)


def hidden_by(styles: Styles, el: lxml.html.HtmlElement) -> str | None:
    """The technique that hides `el` from a visitor (a HIDING_TECHNIQUES name), or None."""
    if el.tag == "area":  # an image map shows through its picture
        parent = next((a for a in _chain(el) if a.tag == "map"), None)
        name = parent.get("name") if parent is not None else None
        pictures = styles.root.xpath("//img[@usemap=$m]", m=f"#{name}") if name else []
        if not pictures:
            return "display_none"
        el = pictures[0]
    marquee = next((a for a in _chain(el) if a.tag == "marquee" and a is not el), None)
    if marquee is not None and _Judge(styles, marquee).verdict() is not None:
        return "marquee"
    verdict = _Judge(styles, el).verdict()
    if verdict and el.tag in ("iframe", "frame"):
        return "hidden_iframe"
    return verdict
