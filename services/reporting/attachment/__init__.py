"""Reporting: files a unit attaches to a rectification report or a practice write-up."""
