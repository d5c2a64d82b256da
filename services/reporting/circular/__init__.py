"""Reporting: circulars."""
