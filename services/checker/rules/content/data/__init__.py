"""Shipped word lists of the content rules (a package so that setuptools ships the CSV files)."""
