"""Inspecting one target: the pipeline (crawl, render, read feeds), running the rules, scoring."""
