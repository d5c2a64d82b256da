"""The checker's request context: the shared one, typed with the checker's settings."""

from __future__ import annotations

from services.checker.config import CheckerSettings
from shared.context import Ctx as _Ctx
from shared.context import get_ctx

Ctx = _Ctx[CheckerSettings]

__all__ = ["Ctx", "get_ctx"]
