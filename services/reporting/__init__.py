"""Reporting service: quarterly circulars, rectification tracking and deadline watching."""
