"""The checker's ground floor: what an inspection works on, as plain data.

The target and its site snapshot (site.py: pages, links, link status, probes, search, IPv6,
off-site pages), the account snapshot and its feed (account.py, feed.py), what an inspection
needs of its run (run.py), what rules report (finding.py) and what inspecting one target
produced (outcome.py).

This package imports nothing else of the checker (pyproject.toml's layers contract): every
other part of the checker may build on it.
"""
