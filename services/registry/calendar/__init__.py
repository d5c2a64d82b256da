"""Registry: calendar."""
