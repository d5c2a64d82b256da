"""Gateway: the audit log of every write that came through the gateway."""
