"""Checker: profile."""
