"""The cascade of one parsed document (pure): the winning declaration of each property that can
hide something, on each element asked about, computed lazily (specificity, order, !important)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import lxml.etree
import lxml.html
import tinycss2

from services.checker.crawl.css import (
    CssRule,
    Declarations,
    Sheet,
    compiled_xpath,
    css_colour,
    relevant_declarations,
)


@dataclass
class Styles:
    """The cascade of one parsed document, computed lazily for the elements asked about."""

    root: lxml.html.HtmlElement
    sheets: Sequence[Sheet]
    _declared: dict[lxml.html.HtmlElement, Declarations] = field(default_factory=dict)
    _by_key: dict[str, dict[str, list[tuple[int, CssRule]]]] | None = None
    _ancestors: dict[lxml.html.HtmlElement, frozenset[str]] = field(default_factory=dict)

    def _index(self) -> dict[str, dict[str, list[tuple[int, CssRule]]]]:
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

    def _candidates(self, el: lxml.html.HtmlElement) -> list[tuple[int, CssRule]]:
        above = self._above(el)
        found: list[tuple[int, CssRule]] = []
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

    def _matches(self, rule: CssRule, el: lxml.html.HtmlElement) -> bool:
        if not rule.ancestors <= self._above(el):
            return False
        try:
            return bool(compiled_xpath(rule.xpath)(el))
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
            for name, value, important in relevant_declarations(tinycss2.parse_component_value_list(inline)):
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
        colour = next((t for t in re.split(r"\s+(?![^(]*\))", value) if css_colour(t)), None)
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


def _anchored(el: lxml.html.HtmlElement) -> bool:
    """Whether the page links to `el` by its id (`<a href="#id">`), so :target can open it."""
    ident = el.get("id")
    if not ident:
        return False
    return any(a.get("href") == f"#{ident}" for a in el.getroottree().iter("a"))
