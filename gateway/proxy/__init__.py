"""Gateway: routing /api/v1 to the owning service, and the gateway's health."""
