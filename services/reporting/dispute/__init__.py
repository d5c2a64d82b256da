"""Reporting: a unit's dispute of a finding (误报 / 存疑) and the supervisor's decision."""
