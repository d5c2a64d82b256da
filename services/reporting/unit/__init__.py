"""Reporting: what a unit (主办单位) sees and does about its own items and circulars."""
