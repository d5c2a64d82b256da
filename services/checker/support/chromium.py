"""Which Chromium the checker launches when none is configured.

Here, below the browser package, because the settings read it too and must import without
Playwright (the browser package loads Playwright on import).
"""

from __future__ import annotations

import os

# Debian's headless-only build of the same Chromium: no browser UI to keep busy, so an inspection's
# rendering and evidence cost about a third less CPU (benchmarks/checker_bench.py); the full
# browser is the fallback.
HEADLESS_SHELL, FULL_CHROMIUM = "/usr/bin/chromium-headless-shell", "/usr/bin/chromium"


def default_chromium() -> str:
    """The Chromium to launch when none is configured: the headless shell if installed."""
    return HEADLESS_SHELL if os.access(HEADLESS_SHELL, os.X_OK) else FULL_CHROMIUM
