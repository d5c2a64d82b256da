"""The registry's request context: the shared one, typed with the registry's settings."""

from __future__ import annotations

from services.registry.config import RegistrySettings
from shared.context import Ctx as _Ctx
from shared.context import get_ctx

Ctx = _Ctx[RegistrySettings]

__all__ = ["Ctx", "get_ctx"]
