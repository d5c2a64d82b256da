"""Garbage collection for a long-running API process: the heap built at start-up is frozen.

A service starts with hundreds of thousands of long-lived objects (modules, SQLAlchemy
mappers, pydantic validators, OpenAPI schemas). CPython's full collections walk all of them
again and again, although none ever becomes garbage; under load that showed as latency spikes
and CPU per request (gateway benchmark, issue 13). `gc.freeze()` moves what exists after
start-up out of the collector's sight (CPython's documentation recommends it for exactly this:
"to avoid … pointless collections"). Cycles made later are still collected as before.
"""

from __future__ import annotations

import gc
import os


def freeze_startup_heap() -> None:
    """Collect once, then freeze every object alive now (GOVINSPECT_GC_FREEZE=0 turns it off)."""
    if os.environ.get("GOVINSPECT_GC_FREEZE", "1") == "0":
        return
    gc.collect()
    gc.freeze()
