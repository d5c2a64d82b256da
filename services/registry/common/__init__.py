"""Registry: common."""
