"""Helpers the rules (and the crawler) share, kept out from among the rules themselves.

hosts.py (host names, filed domains, host patterns), dates.py (dates as pages print them),
pages.py (parsed HTML, page furniture, article pages), columns.py (columns and list entries of
the update rules), script.py (Traditional and Simplified script), excerpt.py (marked excerpts), chromium.py
(which Chromium to launch), phash.py (perceptual hashes of
emblem images), platform_links.py (new-media profile links and filed-account keys).
Pure functions of ground-floor data: support imports only `services.checker.ground`.
"""
