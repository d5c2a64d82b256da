"""CSS as the hiding verdicts read it (pure): lengths and colours, selectors compiled to XPath
and indexed as browsers index them, stylesheets parsed into the rules that can hide something
(and those that show a hidden element when a visitor acts), @media for the desktop viewport.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
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
_RELEVANT = frozenset({
    "display", "visibility", "opacity", "position", "left", "top", "right", "margin", "margin-left",
    "margin-top", "text-indent", "width", "height", "max-width", "max-height", "overflow",
    "overflow-x", "overflow-y", "font", "font-size", "color", "background", "background-color",
    "background-image", "clip", "clip-path", "transform", "text-shadow", "float",
})
_NUMBER = re.compile(r"^(-?\d*\.?\d+)(px|em|rem|pt|%)?$")
_translator = HTMLTranslator()
Declarations = dict[str, tuple[str, bool]]  # property → (value, !important)


@dataclass(frozen=True)
class CssRule:
    """One selector of a stylesheet rule, with the declarations that can hide something."""

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
def compiled_xpath(xpath: str) -> lxml.etree.XPath:
    """Return a selector's XPath compiled (cached: a site's pages share their stylesheets)."""
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

    rules: tuple[CssRule, ...]
    reveals: tuple[CssRule, ...] = ()


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
            declarations: tuple[tuple[str, str, bool], ...]) -> CssRule | None:
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
    return CssRule(xpath, specificity, declarations, _key(stripped), _ancestor_tokens(stripped),
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


def relevant_declarations(tokens: list[tinycss2.ast.Node]) -> tuple[tuple[str, str, bool], ...]:
    """Return the declarations of a block that can hide something: (property, value, !important)."""
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
        width = css_length(value.strip())
        if feature == "min-width" and width is not None and width <= VIEWPORT_WIDTH:
            continue
        if feature == "max-width" and width is not None and width >= VIEWPORT_WIDTH:
            continue
        return False
    return True


def _rules(nodes: list[tinycss2.ast.Node], out: list[CssRule], reveals: list[CssRule]) -> None:
    for node in nodes:
        if node.type == "qualified-rule":
            declarations = relevant_declarations(node.content)
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
                out.append(CssRule(xpath, selector.specificity(), declarations, _key(tree),
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
    out: list[CssRule] = []
    reveals: list[CssRule] = []
    _rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), out, reveals)
    return Sheet(tuple(out), tuple(reveals))


def css_length(value: str, size: float | None = None) -> float | None:
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


def css_colour(value: str) -> tuple[float, float, float, float] | None:
    """Return a CSS colour as RGBA in 0..1, None when it is not one."""
    token = next((t for t in tinycss2.parse_component_value_list(value) if t.type != "whitespace"), None)
    try:
        c = tinycss2.color3.parse_color(token) if token is not None else None
    except ValueError:
        return None
    return (float(c[0]), float(c[1]), float(c[2]), float(c[3])) if isinstance(c, tuple) else None


def luminance(c: tuple[float, float, float, float]) -> float:
    """Return the relative luminance of a colour (WCAG 2), for the contrast of text on its background."""

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def composite(top: tuple[float, float, float, float],
          bottom: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Return the opaque colour seen where `top` is painted over `bottom`."""
    a = top[3]
    return (top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a),
            top[2] * a + bottom[2] * (1 - a), 1.0)
