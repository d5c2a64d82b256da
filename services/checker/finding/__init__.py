"""Checker: finding."""
