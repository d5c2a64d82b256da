"""Service-tier checker fixtures: the checker app reading an in-process registry, per backend."""

from __future__ import annotations

from tests.integration.conftest import Suite, checker_settings, registry, registry_settings, suite

__all__ = ["Suite", "checker_settings", "registry", "registry_settings", "suite"]
