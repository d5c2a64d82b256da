"""Gateway: Idempotency-Key on POST — the first response replayed, a changed body refused."""
