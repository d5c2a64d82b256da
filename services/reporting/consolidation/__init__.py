"""Reporting: slimming the account estate (瘦身提质: 提升一批、整合一批、关停一批)."""
