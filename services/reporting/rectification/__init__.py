"""Reporting: rectification."""
