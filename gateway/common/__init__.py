"""Gateway: shared pieces."""
