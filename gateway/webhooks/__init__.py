"""Gateway: webhook subscriptions and signed deliveries."""
