"""Checker: plan."""
