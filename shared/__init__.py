"""The suite's own library: plumbing and wire contracts shared by every service."""
