"""Checker service: headless-browser inspections of websites, findings with evidence, scores."""
