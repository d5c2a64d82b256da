"""Registry: account."""
