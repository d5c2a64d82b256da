"""Reporting service: quarterly circulars and rectification tracking (not built yet)."""
