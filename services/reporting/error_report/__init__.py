"""Reporting: error_report."""
