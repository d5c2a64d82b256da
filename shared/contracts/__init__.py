"""Pydantic models and name constants that cross a service boundary."""
