"""Reporting's request context: the shared one, typed with reporting's settings."""

from __future__ import annotations

from services.reporting.config import ReportingSettings
from shared.context import Ctx as _Ctx
from shared.context import get_ctx

Ctx = _Ctx[ReportingSettings]

__all__ = ["Ctx", "get_ctx"]
