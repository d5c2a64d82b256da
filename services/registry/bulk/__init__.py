"""Registry: bulk."""
