"""Checker: jobs."""
