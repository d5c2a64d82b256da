"""Registry: organisation."""
