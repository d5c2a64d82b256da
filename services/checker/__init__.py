"""Checker service: headless-browser inspections of websites and accounts (not built yet)."""
