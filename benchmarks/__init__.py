"""Benchmarks that print figures; run with `make bench` (never part of the tests)."""
