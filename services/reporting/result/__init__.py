"""Reporting: result."""
