"""Reading government new-media accounts: feed adapters and pushed posts."""
