"""The checker's Chromium: one browser per worker, a routed context per target, renders, evidence shots."""

from services.checker.browser.launcher import Browser, BrowserSettings, FetchLike, RouteFetch
from services.checker.browser.render import (
    Rendered,
    RenderFailed,
    Timing,
    outline_screenshot,
    outline_screenshots,
    read_page,
    render,
)

__all__ = [
    "Browser", "BrowserSettings", "FetchLike", "RenderFailed", "Rendered", "RouteFetch", "Timing",
    "outline_screenshot", "outline_screenshots", "read_page", "render",
]
