"""Discovered, not filed (瞒报漏报): the accounts and sites the inspections found and nobody filed."""
