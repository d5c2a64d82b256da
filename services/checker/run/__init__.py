"""Checker: run."""
