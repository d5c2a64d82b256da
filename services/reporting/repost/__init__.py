"""Reporting's copy of repost task results (from repost.checked), for the circular's sentence."""
