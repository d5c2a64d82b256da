"""Registry: website."""
