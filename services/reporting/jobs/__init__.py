"""Reporting: jobs."""
