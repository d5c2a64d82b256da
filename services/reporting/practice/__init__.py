"""Reporting: typical practices (典型做法 / 主要做法) units submit and circulars print."""
