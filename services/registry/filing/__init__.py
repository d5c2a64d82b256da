"""Registry: filing."""
