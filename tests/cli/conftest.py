"""CLI fixtures: the gateway in front of the registry, checker and reporting, all in-process."""

from __future__ import annotations

from tests.gateway.conftest import (
    checker_settings,
    gw_settings,
    open_gateway,
    registry,
    registry_settings,
    reporting_app,
    reporting_settings,
    suite,
)

__all__ = ["checker_settings", "gw_settings", "open_gateway", "registry", "registry_settings",
           "reporting_app", "reporting_settings", "suite"]
