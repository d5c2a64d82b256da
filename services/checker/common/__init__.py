"""Checker: common."""
