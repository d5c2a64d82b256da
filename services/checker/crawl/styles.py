"""How a fetched page hides a link from a visitor, read from its CSS without a browser (pure).

The browser judges every link of a rendered page (browser/visibility.js); the pages the crawler
only fetched are judged here, for links to other hosts (a hidden link to the page's own host is
never a dark link): inline styles, <style> blocks and the linked stylesheets the caller read,
with the cascade (specificity, order, !important), inheritance and `@media` for the browser's
desktop viewport. The verdicts use the browser's names (inspect/model.py HIDING_TECHNIQUES).
A rule that only applies on hover or focus never hides anything here, as in the browser; one
that shows a hidden element when a visitor acts (`.yqlj:hover ul`), or a tab panel a visible
tab control switches to (`revealable_panel`), makes it not hidden. And
whatever cannot be decided without layout (a background picture under the text, an element
positioned over another) is left visible: a static verdict must never be a false alarm.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import cssselect
import lxml.etree
import lxml.html
import tinycss2
import tinycss2.color3
from cssselect import HTMLTranslator
from cssselect.parser import Class, CombinedSelector, Element, Hash, Pseudo, Tree

# The browser's viewport (browser/launcher.py BrowserSettings): @media width queries use it.
VIEWPORT_WIDTH = 1366
_EM = 16.0  # px per em/rem, the browsers' default font size
# Where a box is out of every visitor's sight: at least this far above or left of the page,
# or beyond the right edge the browser's verdict uses (visibility.js FAR_RIGHT).
_OFF_PAGE = -500.0
_FAR_RIGHT = 3000.0
_INDENT = -100.0  # visibility.js: text pushed this far left is gone
_INVISIBLE_CONTRAST = 1.1  # visibility.js: #fefefe on white is 1.01
_LINK_BLUE = (0.0, 0.0, 238 / 255, 1.0)  # a link's own colour when no rule sets it (-webkit-link)
_MAX_TEXT_HOLDERS = 20
_RELEVANT = frozenset({
    "display", "visibility", "opacity", "position", "left", "top", "right", "margin", "margin-left",
    "margin-top", "text-indent", "width", "height", "max-width", "max-height", "overflow",
    "overflow-x", "overflow-y", "font", "font-size", "color", "background", "background-color",
    "background-image", "clip", "clip-path", "transform", "text-shadow", "float",
})
_INLINE = frozenset({
    "a", "span", "font", "b", "i", "em", "strong", "small", "big", "u", "s", "label", "abbr",
    "cite", "code", "sub", "sup", "q", "var", "mark", "tt",
})
_SIZED_BY_ATTRIBUTES = frozenset({"iframe", "frame", "marquee", "img"})  # width="0": nothing shows
_PICTURES = ("img", "svg", "canvas", "video", "object", "embed", "input", "picture")
_NUMBER = re.compile(r"^(-?\d*\.?\d+)(px|em|rem|pt|%)?$")
_TRANSLATE = re.compile(r"translate([xy]?)\(([^)]*)\)", re.IGNORECASE)
_RECT = re.compile(r"rect\(([^)]*)\)", re.IGNORECASE)
_translator = HTMLTranslator()

Declarations = dict[str, tuple[str, bool]]  # property → (value, !important)


@dataclass(frozen=True)
class _Rule:
    xpath: str  # true when the context element is the selector's subject
    specificity: tuple[int, int, int]
    declarations: tuple[tuple[str, str, bool], ...]
    key: str  # what the subject must carry: "#id", ".class", a tag name, or "*"
    ancestors: frozenset[str]  # "#id" and ".class" its ancestors must carry
    # Shown only by :target on the subject itself: a visitor opens it only through a link to its
    # id on the page (otherwise an unused :target rule would let an injected link pass as visible).
    needs_anchor: bool = False


_AXES = {" ": "ancestor::", ">": "parent::", "+": "preceding-sibling::*[1]/self::",
         "~": "preceding-sibling::"}


def _compound(tree: Tree) -> str:
    expr = _translator.xpath(tree)
    return f"{expr.element}[{expr.condition}]" if expr.condition else str(expr.element)


def _relative(tree: Tree) -> str:
    """An XPath step test for the subject, its combinators read right to left (from the element up)."""
    if isinstance(tree, CombinedSelector):
        return f"{_compound(tree.subselector)}[{_AXES[tree.combinator]}{_relative(tree.selector)}]"
    return _compound(tree)


def _tokens(tree: Tree | None) -> Iterator[str]:
    while tree is not None:
        if isinstance(tree, Hash):
            yield f"#{tree.id}"
        elif isinstance(tree, Class):
            yield f".{tree.class_name}"
        tree = getattr(tree, "selector", None)


def _ancestor_tokens(tree: Tree) -> frozenset[str]:
    """Ids and classes the selector needs on the subject's ancestors (a browser's bloom filter)."""
    needed: set[str] = set()
    sibling = False
    while isinstance(tree, CombinedSelector):
        sibling = tree.combinator in "+~"
        tree = tree.selector
        if not sibling:
            needed.update(_tokens(tree.subselector if isinstance(tree, CombinedSelector) else tree))
    return frozenset(needed)


@lru_cache(maxsize=8192)
def _compiled(xpath: str) -> lxml.etree.XPath:
    return lxml.etree.XPath(xpath)


def _key(tree: Tree) -> str:
    """The most selective simple selector of the rightmost compound, as browsers index rules."""
    node: Tree | None = tree.subselector if isinstance(tree, CombinedSelector) else tree
    found = "*"
    while node is not None:
        if isinstance(node, Hash):
            return f"#{node.id}"
        if isinstance(node, Class):
            found = f".{node.class_name}"
        elif isinstance(node, Element) and found == "*" and node.element:
            found = node.element.lower()
        node = getattr(node, "selector", None)
    return found


@dataclass(frozen=True)
class Sheet:
    """The rules of one stylesheet that can hide something, in source order, and those that
    show a hidden element when a visitor acts on the page (`reveals`, see `_reveal`)."""

    rules: tuple[_Rule, ...]
    reveals: tuple[_Rule, ...] = ()


# A visitor's action: pointing at, focusing, opening by a link (#id) or ticking something.
_ACTIONS = frozenset({"hover", "focus", "focus-within", "active", "target", "checked"})


def _without_actions(tree: Tree, subject: bool = True) -> tuple[Tree, bool]:
    """The selector without its action pseudo-classes, and whether one was on something a
    visitor can act on: an ancestor or earlier sibling of the subject (a hidden box cannot be
    pointed at), or the subject itself for :target (a link to it opens it; see `needs_anchor`)."""
    if isinstance(tree, CombinedSelector):
        left, acted_left = _without_actions(tree.selector, subject=False)
        right, acted_right = _without_actions(tree.subselector, subject=subject)
        return CombinedSelector(left, tree.combinator, right), acted_left or acted_right
    if isinstance(tree, Pseudo) and tree.ident.lower() in _ACTIONS:
        inner, acted = _without_actions(tree.selector, subject=subject)
        return inner, acted or not subject or tree.ident.lower() == "target"
    if isinstance(tree, (Pseudo, Class, Hash)) or hasattr(tree, "selector"):
        inner, acted = _without_actions(tree.selector, subject=subject)
        try:
            copy = type(tree).__new__(type(tree))
            copy.__dict__.update({**tree.__dict__, "selector": inner})
        except TypeError:
            return tree, acted
        return copy, acted
    return tree, False


def _reveal(tree: Tree, specificity: tuple[int, int, int],
            declarations: tuple[tuple[str, str, bool], ...]) -> _Rule | None:
    """A rule that displays its subject once a visitor acts (`.yqlj:hover ul { display: block }`)."""
    if not any(name == "display" and value != "none" for name, value, _ in declarations):
        return None
    stripped, acted = _without_actions(tree)
    if not acted:
        return None
    try:
        xpath = f"boolean(self::{_relative(stripped)})"
    except (cssselect.SelectorError, KeyError):
        return None
    return _Rule(xpath, specificity, declarations, _key(stripped), _ancestor_tokens(stripped),
                 needs_anchor=not _acted_above(tree))


def _acted_above(tree: Tree) -> bool:
    """Whether an action pseudo-class sits on an ancestor or earlier sibling of the subject."""
    if isinstance(tree, CombinedSelector):
        return _has_action(tree.selector) or _acted_above(tree.subselector)
    return False


def _has_action(tree: Tree) -> bool:
    if isinstance(tree, CombinedSelector):
        return _has_action(tree.selector) or _has_action(tree.subselector)
    if isinstance(tree, Pseudo) and tree.ident.lower() in _ACTIONS:
        return True
    inner = getattr(tree, "selector", None)
    return inner is not None and _has_action(inner)


def _declarations(tokens: list[tinycss2.ast.Node]) -> tuple[tuple[str, str, bool], ...]:
    out = []
    for d in tinycss2.parse_blocks_contents(tokens, skip_comments=True, skip_whitespace=True):
        if d.type == "declaration" and d.lower_name in _RELEVANT:
            out.append((d.lower_name, tinycss2.serialize(d.value).strip().lower(), d.important))
    return tuple(out)


def media_applies(query: str) -> bool:
    """Return whether a media query list holds for the browser's desktop screen.

    Width conditions are evaluated; print/speech media, `not` and any other feature are taken
    as not holding, so a rule meant for another device never hides a link here.
    """
    query = query.strip().lower()
    if not query:
        return True
    return any(_one_query(q) for q in query.split(","))


def _one_query(query: str) -> bool:
    words = re.sub(r"\([^)]*\)", " ", query).split()
    if any(w in ("print", "speech", "not", "tv", "handheld") for w in words):
        return False
    for feature, value in re.findall(r"\(\s*([a-z-]+)\s*:\s*([^)]+)\)", query):
        width = _length(value.strip())
        if feature == "min-width" and width is not None and width <= VIEWPORT_WIDTH:
            continue
        if feature == "max-width" and width is not None and width >= VIEWPORT_WIDTH:
            continue
        return False
    return True


def _rules(nodes: list[tinycss2.ast.Node], out: list[_Rule], reveals: list[_Rule]) -> None:
    for node in nodes:
        if node.type == "qualified-rule":
            declarations = _declarations(node.content)
            if not declarations:
                continue
            try:
                selectors = cssselect.parse(tinycss2.serialize(node.prelude))
            except cssselect.SelectorError:
                continue
            for selector in selectors:
                if selector.pseudo_element is not None:
                    continue  # ::before content is not a link
                tree = selector.parsed_tree
                if reveal := _reveal(tree, selector.specificity(), declarations):
                    reveals.append(reveal)
                try:
                    xpath = f"boolean(self::{_relative(tree)})"
                except (cssselect.SelectorError, KeyError):
                    continue
                out.append(_Rule(xpath, selector.specificity(), declarations, _key(tree),
                                 _ancestor_tokens(tree)))
        elif node.type == "at-rule" and node.content is not None:
            keyword = node.lower_at_keyword
            if keyword not in ("media", "supports") or (
                    keyword == "media" and not media_applies(tinycss2.serialize(node.prelude))):
                continue
            rules = tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
            _rules(rules, out, reveals)


@lru_cache(maxsize=128)
def parse_sheet(css: str) -> Sheet:
    """Parse a stylesheet's text into the rules that can hide something (cached by text)."""
    out: list[_Rule] = []
    reveals: list[_Rule] = []
    _rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), out, reveals)
    return Sheet(tuple(out), tuple(reveals))


def _length(value: str, size: float | None = None) -> float | None:
    """A CSS length in px (percentages of `size`), None when it is not a plain length."""
    m = _NUMBER.match(value.strip().removesuffix("!important").strip())
    if not m:
        return None
    number, unit = float(m.group(1)), m.group(2) or ""
    if unit in ("em", "rem"):
        return number * _EM
    if unit == "pt":
        return number * 4 / 3
    if unit == "%":
        return number / 100 * size if size is not None else (0.0 if number == 0 else None)
    return number if unit == "px" or number == 0 else None


def _colour(value: str) -> tuple[float, float, float, float] | None:
    token = next((t for t in tinycss2.parse_component_value_list(value) if t.type != "whitespace"), None)
    try:
        c = tinycss2.color3.parse_color(token) if token is not None else None
    except ValueError:
        return None
    return (float(c[0]), float(c[1]), float(c[2]), float(c[3])) if isinstance(c, tuple) else None


def _luminance(c: tuple[float, float, float, float]) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def _over(top: tuple[float, float, float, float],
          bottom: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    a = top[3]
    return (top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a),
            top[2] * a + bottom[2] * (1 - a), 1.0)


@dataclass
class Styles:
    """The cascade of one parsed document, computed lazily for the elements asked about."""

    root: lxml.html.HtmlElement
    sheets: Sequence[Sheet]
    _declared: dict[lxml.html.HtmlElement, Declarations] = field(default_factory=dict)
    _by_key: dict[str, dict[str, list[tuple[int, _Rule]]]] | None = None
    _ancestors: dict[lxml.html.HtmlElement, frozenset[str]] = field(default_factory=dict)

    def _index(self) -> dict[str, dict[str, list[tuple[int, _Rule]]]]:
        """The rules by key and by one ancestor token they need ("" for none), each with its
        place in the cascade's source order."""
        if self._by_key is None:
            self._by_key = {}
            order = 0
            for sheet in self.sheets:
                for rule in sheet.rules:
                    order += 1
                    anchor = min(rule.ancestors) if rule.ancestors else ""
                    self._by_key.setdefault(rule.key, {}).setdefault(anchor, []).append((order, rule))
        return self._by_key

    def _candidates(self, el: lxml.html.HtmlElement) -> list[tuple[int, _Rule]]:
        above = self._above(el)
        found: list[tuple[int, _Rule]] = []
        for key in dict.fromkeys(["*", str(el.tag), *_own_tokens(el)]):
            bucket = self._index().get(key)
            if not bucket:
                continue
            anchors = [a for a in bucket if not a or a in above] if len(bucket) <= len(above) else [
                a for a in ("", *above) if a in bucket]
            for anchor in anchors:
                found.extend(bucket[anchor])
        return sorted(found, key=lambda item: item[0])

    def _above(self, el: lxml.html.HtmlElement) -> frozenset[str]:
        """The ids and classes of the element's ancestors."""
        tokens = self._ancestors.get(el)
        if tokens is None:
            parent = el.getparent()
            tokens = frozenset() if parent is None or not isinstance(parent.tag, str) else (
                self._above(parent) | _own_tokens(parent))
            self._ancestors[el] = tokens
        return tokens

    def _matches(self, rule: _Rule, el: lxml.html.HtmlElement) -> bool:
        if not rule.ancestors <= self._above(el):
            return False
        try:
            return bool(_compiled(rule.xpath)(el))
        except lxml.etree.XPathError:
            return False

    def revealed(self, el: lxml.html.HtmlElement) -> bool:
        """Whether a rule displays `el` once a visitor points at, focuses or opens something."""
        return any(self._matches(rule, el) and (not rule.needs_anchor or _anchored(el))
                   for sheet in self.sheets for rule in sheet.reveals)

    def declared(self, el: lxml.html.HtmlElement) -> Declarations:
        """The winning declaration of each relevant property set on `el` itself."""
        cached = self._declared.get(el)
        if cached is not None:
            return cached
        # property → ((important, specificity, order), value): the highest rank wins
        ranked: dict[str, tuple[tuple[int, tuple[int, ...], int], str]] = {}
        for order, rule in self._candidates(el):
            if self._matches(rule, el):
                for name, value, important in rule.declarations:
                    rank: tuple[int, tuple[int, ...], int] = (int(important), rule.specificity, order)
                    if name not in ranked or rank > ranked[name][0]:
                        ranked[name] = (rank, value)
        inline = el.get("style")
        if inline:
            for name, value, important in _declarations(tinycss2.parse_component_value_list(inline)):
                rank = (int(important), (1, 0, 0, 0), 0)  # an inline style beats any selector
                if name not in ranked or rank > ranked[name][0]:
                    ranked[name] = (rank, value)
        declared = _expand({name: (value, bool(rank[0])) for name, (rank, value) in ranked.items()})
        self._declared[el] = declared
        return declared


def _expand(d: Declarations) -> Declarations:
    """Longhands from the shorthands that hide things (margin, overflow, background, font)."""
    out = dict(d)
    if "margin" in d:
        parts = d["margin"][0].split()
        if parts:
            out.setdefault("margin-top", (parts[0], False))
            out.setdefault("margin-left", ((parts[3] if len(parts) > 3 else parts[1] if len(parts) > 1
                                            else parts[0]), False))
    if "overflow" in d:
        parts = d["overflow"][0].split()
        out.setdefault("overflow-x", (parts[0], False))
        out.setdefault("overflow-y", (parts[-1], False))
    if "background" in d:
        value = d["background"][0]
        if "url(" in value or "gradient(" in value:
            out.setdefault("background-image", ("url()", False))
        colour = next((t for t in re.split(r"\s+(?![^(]*\))", value) if _colour(t)), None)
        if colour:
            out.setdefault("background-color", (colour, False))
    if "font" in d:
        size = re.search(r"(?:^|\s)(-?\d*\.?\d+(?:px|em|rem|pt|%)?)(?:/|\s|$)", d["font"][0])
        if size:
            out.setdefault("font-size", (size.group(1), False))
    return out


def _own_tokens(el: lxml.html.HtmlElement) -> frozenset[str]:
    ident = (el.get("id") or "").strip()
    return frozenset([*(f".{c}" for c in (el.get("class") or "").split()), *([f"#{ident}"] if ident else [])])


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
                attribute = _length(raw + "px" if raw.isdigit() else raw)
            boxed = self.boxed(node)
            declared = _length(self.get(node, axis)) if boxed else None
            limit = _length(self.get(node, f"max-{axis}")) if boxed else None
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
            values = [x for v in re.split(r"[\s,]+", clip.group(1).strip()) if (x := _length(v)) is not None]
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
        offsets = {k: _length(self.get(node, k)) for k in ("left", "top", "right")}
        if position in ("absolute", "fixed", "relative"):
            for key in ("left", "top"):
                if (offsets[key] or 0) <= _OFF_PAGE:
                    return True
            if (offsets["left"] or 0) >= _FAR_RIGHT or (offsets["right"] or 0) <= -_FAR_RIGHT:
                return True
        for key in ("margin-left", "margin-top"):
            if (_length(self.get(node, key)) or 0) <= _OFF_PAGE:
                return True
        for axis, value in _TRANSLATE.findall(self.get(node, "transform")):
            parts = [_length(v) for v in value.split(",")]
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
        ink = _colour(self.inherited(holder, "color", stop_at_link=True) or "")
        if ink is None:
            ink = _LINK_BLUE if any(n.tag == "a" for n in _chain(holder)) else (0.0, 0.0, 0.0, 1.0)
        layers: list[tuple[float, float, float, float]] = []
        for node in _chain(holder):
            if self.get(node, "background-image") not in ("", "none"):
                return False  # a picture under the text: only the browser can tell
            if self.get(node, "position") in ("absolute", "fixed"):
                return False  # laid over something else
            colour = _colour(self.get(node, "background-color") or node.get("bgcolor") or "")
            if colour and colour[3] > 0:
                layers.append(colour)
                if colour[3] >= 1:
                    break
        background = (1.0, 1.0, 1.0, 1.0)
        for layer in reversed(layers):
            background = _over(layer, background)
        if ink[3] < 0.1:
            return True
        a, b = _luminance(_over(ink, background)), _luminance(background)
        return (max(a, b) + 0.05) / (min(a, b) + 0.05) < _INVISIBLE_CONTRAST

    def verdict(self) -> str | None:
        if self.display_none():
            return "display_none"
        if self.all_text(lambda h: self.inherited(h, "visibility") in ("hidden", "collapse")):
            return "visibility_hidden"
        opacity = 1.0
        for node in self.chain:
            value = _length(self.get(node, "opacity") or "1")
            opacity *= value if value is not None else 1.0
        if opacity < 0.05:
            return "opacity_zero"
        if any(self.clipped(n) for n in self.chain):
            return "clip"
        if any(self.zero_box(n) for n in self.chain):
            return "zero_size"
        picture = self.has_picture()
        if not picture and self.all_text(lambda h: _length(self.inherited(h, "font-size")) == 0):
            return "zero_size"
        if any(self.offscreen(n) for n in self.chain):
            return "offscreen"
        indent = _length(self.inherited(self.el, "text-indent")) or 0
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


def _anchored(el: lxml.html.HtmlElement) -> bool:
    """Whether the page links to `el` by its id (`<a href="#id">`), so :target can open it."""
    ident = el.get("id")
    if not ident:
        return False
    return any(a.get("href") == f"#{ident}" for a in el.getroottree().iter("a"))
