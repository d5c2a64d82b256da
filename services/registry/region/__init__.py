"""Registry: region."""
