"""Gateway: rate limits per principal on Redis."""
