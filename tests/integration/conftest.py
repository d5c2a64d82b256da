"""The integration tier reuses the registry's fixtures."""

from tests.registry.conftest import registry, registry_settings

__all__ = ["registry", "registry_settings"]
