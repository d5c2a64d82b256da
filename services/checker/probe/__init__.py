"""Checker: probe."""
