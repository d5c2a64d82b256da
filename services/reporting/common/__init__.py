"""Reporting: common."""
