"""Typed httpx clients, one per service API, built on the contracts."""
