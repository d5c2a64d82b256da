"""The checker's Chromium: one browser per worker, a routed context per target, renders, evidence shots."""

from services.checker.browser.launcher import Browser, BrowserSettings, FetchLike, RouteFetch
from services.checker.browser.outline import outline_screenshot, outline_screenshots
from services.checker.browser.render import Rendered, read_page, render
from services.checker.browser.tabs import RenderFailed, Timing

__all__ = [
    "Browser", "BrowserSettings", "FetchLike", "RenderFailed", "Rendered", "RouteFetch", "Timing",
    "outline_screenshot", "outline_screenshots", "read_page", "render",
]
